#include "ember/ui/event_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
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

// The task events are written straight into a buffer with enough room (no bounds checks,
// no std::string growth per field): they are the bulk of every log. Literals are copied
// with their size known at compile time.
template <size_t N>
char* lit(char* p, const char (&s)[N]) {
  std::memcpy(p, s, N - 1);
  return p + N - 1;
}

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

char* putInt(char* p, int64_t v) { return std::to_chars(p, p + 20, v).ptr; }

// Times are 13 digits and repeat (a millisecond sees many task events): reuse the
// digits of the previous one. Per thread, so writers need no lock.
char* putTime(char* p, int64_t time) {
  thread_local int64_t lastTime = 0;
  thread_local char digits[20] = {'0'};
  thread_local size_t length = 1;  // "0", the text of lastTime
  if (time != lastTime) {
    length = static_cast<size_t>(putInt(digits, time) - digits);
    lastTime = time;
  }
  std::memcpy(p, digits, length);
  return p + length;
}

bool plainJson(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') return false;
  return true;
}

// A JSON string literal; at most 6 bytes per input byte + 2.
char* putString(char* p, std::string_view s) {
  if (plainJson(s)) {  // the common case: ids, "Success"
    *p++ = '"';
    p = put(p, s);
    *p++ = '"';
    return p;
  }
  std::string quoted;
  appendJsonString(s, quoted);
  return put(p, quoted);
}

// 13 fields: `,"name":` (at most 25 bytes) and up to 20 digits; braces.
constexpr size_t kMetricsBound = 13 * (25 + 20) + 2;

// Only the non-zero counters: tiny tasks leave most at zero, and absent fields read back
// as zero (the readers use defaults), so this halves a typical TaskEnd line.
char* putMetrics(char* p, const TaskMetrics& m) {
  char* open = p;
#define EMBER_PUT_METRIC(f)     \
  if (m.f != 0) {               \
    p = lit(p, ",\"" #f "\":"); \
    p = putInt(p, m.f);         \
  }
  EMBER_PUT_METRIC(runTimeNs)
  EMBER_PUT_METRIC(recordsRead)
  EMBER_PUT_METRIC(bytesRead)
  EMBER_PUT_METRIC(recordsWritten)
  EMBER_PUT_METRIC(bytesWritten)
  EMBER_PUT_METRIC(shuffleRecordsRead)
  EMBER_PUT_METRIC(shuffleBytesRead)
  EMBER_PUT_METRIC(shuffleRecordsWritten)
  EMBER_PUT_METRIC(shuffleBytesWritten)
  EMBER_PUT_METRIC(memoryBytesSpilled)
  EMBER_PUT_METRIC(diskBytesSpilled)
  EMBER_PUT_METRIC(resultBytes)
  EMBER_PUT_METRIC(peakExecutionMemory)
#undef EMBER_PUT_METRIC
  if (p == open) return lit(p, "{}");
  *open = '{';  // the first field's comma
  *p++ = '}';
  return p;
}

// `{"Event":"TaskStart"` etc., six numeric fields, the executor id's `,"executorId":""`.
constexpr size_t kTaskFieldsBound = 24 + 6 * (16 + 20) + 16;

// The fields TaskStart and TaskEnd share. The attempt numbers are left out when 0 (nearly
// always; they read back as 0), which shortens the lines the log writes by a sixth.
template <size_t N, class E>
char* putTaskFields(char* p, const char (&head)[N], const E& t) {
  p = lit(p, head);
  p = putInt(p, t.stageId);
  if (t.stageAttempt != 0) {
    p = lit(p, ",\"stageAttempt\":");
    p = putInt(p, t.stageAttempt);
  }
  p = lit(p, ",\"taskId\":");
  p = putInt(p, t.taskId);
  p = lit(p, ",\"partition\":");
  p = putInt(p, t.partition);
  if (t.attempt != 0) {
    p = lit(p, ",\"attempt\":");
    p = putInt(p, t.attempt);
  }
  p = lit(p, ",\"time\":");
  p = putTime(p, t.time);
  p = lit(p, ",\"executorId\":");
  return putString(p, t.executorId);
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

size_t taskEventJsonBound(const SchedulerEvent& event) {
  if (const auto* t = std::get_if<TaskStart>(&event))
    return kTaskFieldsBound + 6 * t->executorId.size() + 2;
  if (const auto* t = std::get_if<TaskEnd>(&event))
    return kTaskFieldsBound + 6 * (t->executorId.size() + t->reason.size()) + 48 + kMetricsBound;
  return 0;
}

char* writeTaskEventJson(const SchedulerEvent& event, char* p) {
  if (const auto* t = std::get_if<TaskStart>(&event)) {
    p = putTaskFields(p, "{\"Event\":\"TaskStart\",\"stageId\":", *t);
    return lit(p, "}\n");
  }
  const auto& t = std::get<TaskEnd>(event);
  p = putTaskFields(p, "{\"Event\":\"TaskEnd\",\"stageId\":", t);
  p = t.succeeded ? lit(p, ",\"succeeded\":true,\"reason\":")
                  : lit(p, ",\"succeeded\":false,\"reason\":");
  p = putString(p, t.reason);
  p = lit(p, ",\"metrics\":");
  p = putMetrics(p, t.metrics);
  return lit(p, "}\n");
}

void appendEventJson(const SchedulerEvent& event, std::string& out) {
  if (size_t bound = taskEventJsonBound(event)) {
    const size_t start = out.size();
    out.resize(start + bound);
    char* end = writeTaskEventJson(event, out.data() + start);
    out.resize(static_cast<size_t>(end - out.data()));
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
