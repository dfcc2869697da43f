// Scheduler events as JSON lines, the event log's format (event_log.h).
//
// Each event is one JSON object on one line: {"Event":"TaskEnd","stageId":1,...}, field
// names as in core/events.h, task metrics as a nested "metrics" object. Besides the bus
// events the log carries one EnvironmentUpdate (the redacted configuration).
//
// Task events are written by hand-rolled code straight into the writer's buffer (they are
// the bulk of a log and written on the bus dispatcher); everything is read with
// nlohmann::json. Unknown "Event" names are
// skipped by readers so that newer logs stay readable. Thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ember/core/events.h"

namespace ember::ui {

struct EnvironmentUpdate {
  std::vector<std::pair<std::string, std::string>> properties;  // key, value (redacted)
};

using LoggedEvent = std::variant<SchedulerEvent, EnvironmentUpdate>;

// Appends the event's JSON object and a newline to `out`.
void appendEventJson(const SchedulerEvent& event, std::string& out);

// The fast path of the task events (TaskStart, TaskEnd), for writers with their own
// buffer: taskEventJsonBound() is an upper bound of the line's length (0 for other
// events), writeTaskEventJson() writes the line, newline included, at `p`, which must
// have that much room, and returns its end. Same output as appendEventJson().
size_t taskEventJsonBound(const SchedulerEvent& event);
char* writeTaskEventJson(const SchedulerEvent& event, char* p);
void appendEnvironmentJson(const EnvironmentUpdate& env, std::string& out);

// Parses one line. nullopt for an event type this version does not know; IoError (with
// the reason) for a line that is not a JSON object of a known event.
std::optional<LoggedEvent> parseEventJson(std::string_view line);

// Appends `s` as a JSON string literal (quoted, escaped).
void appendJsonString(std::string_view s, std::string& out);

}  // namespace ember::ui
