#include "ember/ui/event_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "ember/common/errors.h"

// The (de)serialisers of the event structs, found by ADL from namespace ember. Reading
// uses defaults for absent fields, so logs of older versions stay readable.
namespace ember {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskMetrics, runTimeNs, recordsRead, bytesRead,
                                                recordsWritten, bytesWritten, shuffleRecordsRead,
                                                shuffleBytesRead, shuffleRecordsWritten,
                                                shuffleBytesWritten, memoryBytesSpilled,
                                                diskBytesSpilled, resultBytes, peakExecutionMemory)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ApplicationStart, appId, appName, master, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ApplicationEnd, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExecutorAdded, executorId, host, cores, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExecutorRemoved, executorId, reason, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RddInfo, rddId, name, callSite, numPartitions,
                                                storageLevel, parentIds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StageInfo, stageId, name, numTasks, parentStageIds,
                                                rdds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(JobStart, jobId, description, callSite, jobGroup,
                                                stageIds, time, stageInfos)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(JobEnd, jobId, succeeded, error, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StageSubmitted, stageId, attempt, name, numTasks,
                                                parentStageIds, details, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StageCompleted, stageId, attempt, name, numTasks,
                                                succeeded, failureReason, totals, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskStart, stageId, stageAttempt, taskId, partition,
                                                attempt, executorId, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskEnd, stageId, stageAttempt, taskId, partition,
                                                attempt, executorId, succeeded, reason, metrics,
                                                time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SqlPlanNode, id, name, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SqlPlanEdge, fromId, toId)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SqlExecutionStart, executionId, description, nodes,
                                                edges, time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SqlNodeMetrics, nodeId, rows, timeNs,
                                                peakMemoryBytes, spillBytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SqlExecutionEnd, executionId, succeeded, error,
                                                metrics, time)
}  // namespace ember

namespace ember::ui {

namespace {

using nlohmann::json;

// Names in the variant's order (the "Event" field).
constexpr const char* kNames[] = {"ApplicationStart", "ApplicationEnd",    "ExecutorAdded",
                                  "ExecutorRemoved",  "JobStart",          "JobEnd",
                                  "StageSubmitted",   "StageCompleted",    "TaskStart",
                                  "TaskEnd",          "SqlExecutionStart", "SqlExecutionEnd"};
static_assert(std::size(kNames) == std::variant_size_v<SchedulerEvent>);

void appendInt(int64_t v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// `"name":value` preceded by a comma.
void appendField(std::string_view name, int64_t v, std::string& out) {
  out += ",\"";
  out += name;
  out += "\":";
  appendInt(v, out);
}

// Only the non-zero counters: tiny tasks leave most at zero, and absent fields read back
// as zero (the readers use defaults), so this halves a typical TaskEnd line.
void appendMetrics(const TaskMetrics& m, std::string& out) {
  const std::pair<std::string_view, int64_t> fields[] = {
      {"runTimeNs", m.runTimeNs},
      {"recordsRead", m.recordsRead},
      {"bytesRead", m.bytesRead},
      {"recordsWritten", m.recordsWritten},
      {"bytesWritten", m.bytesWritten},
      {"shuffleRecordsRead", m.shuffleRecordsRead},
      {"shuffleBytesRead", m.shuffleBytesRead},
      {"shuffleRecordsWritten", m.shuffleRecordsWritten},
      {"shuffleBytesWritten", m.shuffleBytesWritten},
      {"memoryBytesSpilled", m.memoryBytesSpilled},
      {"diskBytesSpilled", m.diskBytesSpilled},
      {"resultBytes", m.resultBytes},
      {"peakExecutionMemory", m.peakExecutionMemory}};
  const size_t open = out.size();
  for (const auto& [name, value] : fields)
    if (value != 0) appendField(name, value, out);
  if (out.size() == open) {
    out += "{}";
  } else {
    out[open] = '{';  // the first field's comma
    out += '}';
  }
}

// The fields TaskStart and TaskEnd share.
template <class E>
void appendTaskFields(const char* event, const E& t, std::string& out) {
  out += "{\"Event\":\"";
  out += event;
  out += '"';
  appendField("stageId", t.stageId, out);
  appendField("stageAttempt", t.stageAttempt, out);
  appendField("taskId", t.taskId, out);
  appendField("partition", t.partition, out);
  appendField("attempt", t.attempt, out);
  appendField("time", t.time, out);
  out += ",\"executorId\":";
  appendJsonString(t.executorId, out);
}

template <class E>
LoggedEvent as(const json& j) {
  return SchedulerEvent{j.get<E>()};
}

}  // namespace

void appendJsonString(std::string_view s, std::string& out) {
  out += '"';
  const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
  });
  if (plain) {  // the common case: ids, "Success"
    out += s;
    out += '"';
    return;
  }
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void appendEventJson(const SchedulerEvent& event, std::string& out) {
  // The two task events by hand (no format-string parsing): one each per task start
  // and end, the bulk of every log, written on the bus dispatcher.
  if (const auto* t = std::get_if<TaskStart>(&event)) {
    appendTaskFields("TaskStart", *t, out);
    out += "}\n";
    return;
  }
  if (const auto* t = std::get_if<TaskEnd>(&event)) {
    appendTaskFields("TaskEnd", *t, out);
    out += t->succeeded ? ",\"succeeded\":true,\"reason\":" : ",\"succeeded\":false,\"reason\":";
    appendJsonString(t->reason, out);
    out += ",\"metrics\":";
    appendMetrics(t->metrics, out);
    out += "}\n";
    return;
  }
  json j = std::visit([](const auto& e) { return json(e); }, event);
  j["Event"] = kNames[event.index()];
  out += j.dump(-1, ' ', false, json::error_handler_t::replace);
  out += '\n';
}

void appendEnvironmentJson(const EnvironmentUpdate& env, std::string& out) {
  json j;
  j["Event"] = "EnvironmentUpdate";
  j["properties"] = env.properties;
  out += j.dump(-1, ' ', false, json::error_handler_t::replace);
  out += '\n';
}

std::optional<LoggedEvent> parseEventJson(std::string_view line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("Event") || !j["Event"].is_string())
    throw IoError("not an event: a JSON object with an \"Event\" name was expected");
  const std::string name = j["Event"].get<std::string>();
  try {
    if (name == "EnvironmentUpdate")
      return EnvironmentUpdate{
          j.value("properties", std::vector<std::pair<std::string, std::string>>{})};
    if (name == "ApplicationStart") return as<ApplicationStart>(j);
    if (name == "ApplicationEnd") return as<ApplicationEnd>(j);
    if (name == "ExecutorAdded") return as<ExecutorAdded>(j);
    if (name == "ExecutorRemoved") return as<ExecutorRemoved>(j);
    if (name == "JobStart") return as<JobStart>(j);
    if (name == "JobEnd") return as<JobEnd>(j);
    if (name == "StageSubmitted") return as<StageSubmitted>(j);
    if (name == "StageCompleted") return as<StageCompleted>(j);
    if (name == "TaskStart") return as<TaskStart>(j);
    if (name == "TaskEnd") return as<TaskEnd>(j);
    if (name == "SqlExecutionStart") return as<SqlExecutionStart>(j);
    if (name == "SqlExecutionEnd") return as<SqlExecutionEnd>(j);
  } catch (const json::exception& e) {
    throw IoError("malformed " + name + " event: " + e.what());
  }
  return std::nullopt;
}

}  // namespace ember::ui
