#include "ember/ui/rest_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

#include "ember/common/config.h"

namespace ember::ui {

namespace {

std::optional<int64_t> toInt(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    if (next > pos) out.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

Json timeOrNull(int64_t ms) { return ms > 0 ? Json(sparkTime(ms)) : Json(nullptr); }

int64_t taskDurationMs(const TaskRow& t) {
  return t.finishTime > 0 ? t.finishTime - t.launchTime : 0;
}

void addStageMetrics(Json& j, const TaskMetrics& m) {
  j["executorRunTime"] = m.runTimeNs / 1000000;
  j["executorCpuTime"] = 0;
  j["inputBytes"] = m.bytesRead;
  j["inputRecords"] = m.recordsRead;
  j["outputBytes"] = m.bytesWritten;
  j["outputRecords"] = m.recordsWritten;
  j["shuffleReadBytes"] = m.shuffleBytesRead;
  j["shuffleReadRecords"] = m.shuffleRecordsRead;
  j["shuffleWriteBytes"] = m.shuffleBytesWritten;
  j["shuffleWriteRecords"] = m.shuffleRecordsWritten;
  j["memoryBytesSpilled"] = m.memoryBytesSpilled;
  j["diskBytesSpilled"] = m.diskBytesSpilled;
  j["peakExecutionMemory"] = m.peakExecutionMemory;
  j["resultSize"] = m.resultBytes;
}

Json taskMetricsJson(const TaskMetrics& m) {
  return Json{
      {"executorRunTime", m.runTimeNs / 1000000},
      {"executorCpuTime", 0},
      {"resultSize", m.resultBytes},
      {"jvmGcTime", 0},
      {"peakExecutionMemory", m.peakExecutionMemory},
      {"memoryBytesSpilled", m.memoryBytesSpilled},
      {"diskBytesSpilled", m.diskBytesSpilled},
      {"inputMetrics", {{"bytesRead", m.bytesRead}, {"recordsRead", m.recordsRead}}},
      {"outputMetrics", {{"bytesWritten", m.bytesWritten}, {"recordsWritten", m.recordsWritten}}},
      {"shuffleReadMetrics",
       {{"remoteBytesRead", 0},
        {"localBytesRead", m.shuffleBytesRead},
        {"recordsRead", m.shuffleRecordsRead}}},
      {"shuffleWriteMetrics",
       {{"bytesWritten", m.shuffleBytesWritten},
        {"writeTime", 0},
        {"recordsWritten", m.shuffleRecordsWritten}}}};
}

Json taskJson(const AppState& s, const TaskRow& t) {
  const std::string executorId(t.executorId);
  auto x = s.executors.find(executorId);
  Json j{{"taskId", t.taskId},
         {"index", t.partition},
         {"attempt", t.attempt},
         {"launchTime", sparkTime(t.launchTime)},
         {"duration", taskDurationMs(t)},
         {"executorId", executorId},
         {"host", x != s.executors.end() ? x->second.host : ""},
         {"status", std::string(t.status)},
         {"taskLocality", "PROCESS_LOCAL"},
         {"speculative", false},
         {"accumulatorUpdates", Json::array()}};
  if (!t.error.empty()) j["errorMessage"] = t.error;
  if (t.finishTime > 0) j["taskMetrics"] = taskMetricsJson(t.metrics);
  return j;
}

Json stageJson(const AppState& s, const StageRow& st, bool withTasks) {
  Json j{{"status", st.status},
         {"stageId", st.stageId},
         {"attemptId", st.attempt},
         {"numTasks", st.numTasks},
         {"numActiveTasks", st.activeTasks},
         {"numCompleteTasks", st.completedTasks},
         {"numFailedTasks", st.failedTasks},
         {"numKilledTasks", st.killedTasks},
         {"numCompletedIndices", st.completedTasks}};
  j["submissionTime"] = timeOrNull(st.submissionTime);
  j["firstTaskLaunchedTime"] = timeOrNull(st.firstTaskLaunchedTime);
  j["completionTime"] = timeOrNull(st.completionTime);
  if (!st.failureReason.empty()) j["failureReason"] = st.failureReason;
  addStageMetrics(j, st.totals);
  j["name"] = st.name;
  j["details"] = st.details;
  j["schedulingPool"] = "default";
  Json rddIds = Json::array();
  for (const auto& r : st.rdds) rddIds.push_back(r.rddId);
  j["rddIds"] = rddIds;
  j["jobIds"] = st.jobIds;
  j["accumulatorUpdates"] = Json::array();
  if (withTasks) {
    Json tasks = Json::object();
    for (const auto& [id, t] : st.tasks) tasks[std::to_string(id)] = taskJson(s, t);
    j["tasks"] = tasks;
  }
  return j;
}

Json jobJson(const AppState& s, const JobRow& job) {
  int skippedStages = 0, skippedTasks = 0;
  for (int id : job.stageIds) {
    if (s.stageStatusForJob(job, id) != "SKIPPED") continue;
    skippedStages++;
    auto info = s.stageInfos.find(id);
    if (info != s.stageInfos.end()) skippedTasks += info->second.numTasks;
  }
  Json j{{"jobId", job.jobId}, {"name", job.callSite}, {"description", job.description}};
  j["submissionTime"] = timeOrNull(job.submissionTime);
  j["completionTime"] = timeOrNull(job.completionTime);
  j["stageIds"] = job.stageIds;
  if (!job.jobGroup.empty()) j["jobGroup"] = job.jobGroup;
  j["status"] = job.status;
  j["numTasks"] = job.numTasks + skippedTasks;
  j["numActiveTasks"] = job.numActiveTasks;
  j["numCompletedTasks"] = job.numCompletedTasks;
  j["numSkippedTasks"] = skippedTasks;
  j["numFailedTasks"] = job.numFailedTasks;
  j["numKilledTasks"] = job.numKilledTasks;
  j["numCompletedIndices"] = job.numCompletedTasks;
  j["numActiveStages"] = job.activeStages.size();
  j["numCompletedStages"] = job.completedStages.size();
  j["numSkippedStages"] = skippedStages;
  j["numFailedStages"] = job.failedStages.size();
  j["killedTasksSummary"] = Json::object();
  if (!job.error.empty()) j["errorMessage"] = job.error;
  return j;
}

// The executor memory budget (ember.executor.memory) from the logged configuration; 0 if
// absent or malformed.
int64_t executorMemory(const AppState& s) {
  for (const auto& [k, v] : s.environment) {
    if (k != "ember.executor.memory") continue;
    try {
      Config c;
      c.set(k, v);
      return c.getBytes(k);
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

Json executorJson(const AppState& s, const ExecutorRow& x, const StorageBlocks& blocks) {
  int64_t memUsed = 0, diskUsed = 0;
  for (const auto& b : blocks) {
    memUsed += b.memoryBytes;
    diskUsed += b.diskBytes;
  }
  Json j{{"id", x.id},
         {"hostPort", x.host},
         {"isActive", x.active},
         {"rddBlocks", blocks.size()},
         {"memoryUsed", memUsed},
         {"diskUsed", diskUsed},
         {"totalCores", x.cores},
         {"maxTasks", x.cores},
         {"activeTasks", x.activeTasks},
         {"failedTasks", x.failedTasks},
         {"completedTasks", x.completedTasks},
         {"totalTasks", x.activeTasks + x.failedTasks + x.completedTasks},
         {"totalDuration", x.totalDurationMs},
         {"totalGCTime", 0},
         {"totalInputBytes", x.totals.bytesRead},
         {"totalShuffleRead", x.totals.shuffleBytesRead},
         {"totalShuffleWrite", x.totals.shuffleBytesWritten},
         {"memoryBytesSpilled", x.totals.memoryBytesSpilled},
         {"diskBytesSpilled", x.totals.diskBytesSpilled},
         {"isBlacklisted", false},
         {"isExcluded", false},
         {"maxMemory", executorMemory(s)},
         {"addTime", sparkTime(x.addTime)}};
  if (!x.active) {
    j["removeTime"] = sparkTime(x.removeTime);
    j["removeReason"] = x.removeReason;
  }
  return j;
}

Json sqlJson(const AppState& s, const SqlRow& q) {
  Json nodes = Json::array();
  for (const auto& n : q.nodes) {
    Json node{{"nodeId", n.id}, {"nodeName", n.name}, {"desc", n.detail}};
    Json metrics = Json::array();
    for (const auto& m : q.metrics) {
      if (m.nodeId != n.id) continue;
      metrics.push_back({{"name", "number of output rows"}, {"value", std::to_string(m.rows)}});
      metrics.push_back({{"name", "time"}, {"value", fmt::format("{} ms", m.timeNs / 1000000)}});
      metrics.push_back({{"name", "peak memory"}, {"value", std::to_string(m.peakMemoryBytes)}});
      metrics.push_back({{"name", "spill size"}, {"value", std::to_string(m.spillBytes)}});
    }
    node["metrics"] = metrics;
    nodes.push_back(node);
  }
  Json edges = Json::array();
  for (const auto& e : q.edges) edges.push_back({{"fromId", e.fromId}, {"toId", e.toId}});
  Json j{{"id", q.executionId},
         {"status", q.status},
         {"description", q.description},
         {"submissionTime", sparkTime(q.submissionTime)},
         {"duration", q.completionTime > 0 ? q.completionTime - q.submissionTime : 0}};
  Json ok = Json::array(), bad = Json::array(), running = Json::array();
  for (int id : q.jobIds) {
    auto it = s.jobs.find(id);
    std::string st = it == s.jobs.end() ? "SUCCEEDED" : it->second.status;
    (st == "RUNNING" ? running : st == "FAILED" ? bad : ok).push_back(id);
  }
  j["runningJobIds"] = running;
  j["successJobIds"] = ok;
  j["failedJobIds"] = bad;
  if (!q.error.empty()) j["errorMessage"] = q.error;
  j["nodes"] = nodes;
  j["edges"] = edges;
  return j;
}

Json taskSummaryJson(const StageRow& st) {
  static const std::vector<double> kProbs{0.0, 0.25, 0.5, 0.75, 1.0};
  std::vector<double> dur, run, in, inRec, out, outRec, sr, srRec, sw, swRec, mem, disk, peak;
  for (const auto& [id, t] : st.tasks) {
    if (t.status != "SUCCESS") continue;
    const TaskMetrics& m = t.metrics;
    dur.push_back(static_cast<double>(taskDurationMs(t)));
    run.push_back(static_cast<double>(m.runTimeNs / 1000000));
    in.push_back(static_cast<double>(m.bytesRead));
    inRec.push_back(static_cast<double>(m.recordsRead));
    out.push_back(static_cast<double>(m.bytesWritten));
    outRec.push_back(static_cast<double>(m.recordsWritten));
    sr.push_back(static_cast<double>(m.shuffleBytesRead));
    srRec.push_back(static_cast<double>(m.shuffleRecordsRead));
    sw.push_back(static_cast<double>(m.shuffleBytesWritten));
    swRec.push_back(static_cast<double>(m.shuffleRecordsWritten));
    mem.push_back(static_cast<double>(m.memoryBytesSpilled));
    disk.push_back(static_cast<double>(m.diskBytesSpilled));
    peak.push_back(static_cast<double>(m.peakExecutionMemory));
  }
  auto q = [&](std::vector<double> v) { return Json(quantiles(std::move(v), kProbs)); };
  return Json{{"quantiles", kProbs},
              {"duration", q(dur)},
              {"executorRunTime", q(run)},
              {"peakExecutionMemory", q(peak)},
              {"memoryBytesSpilled", q(mem)},
              {"diskBytesSpilled", q(disk)},
              {"inputMetrics", {{"bytesRead", q(in)}, {"recordsRead", q(inRec)}}},
              {"outputMetrics", {{"bytesWritten", q(out)}, {"recordsWritten", q(outRec)}}},
              {"shuffleReadMetrics", {{"readBytes", q(sr)}, {"readRecords", q(srRec)}}},
              {"shuffleWriteMetrics", {{"writeBytes", q(sw)}, {"writeRecords", q(swRec)}}}};
}

bool statusMatches(const std::map<std::string, std::string>& query, const std::string& status) {
  auto it = query.find("status");
  if (it == query.end()) return true;
  std::string want = it->second;
  std::transform(want.begin(), want.end(), want.begin(), ::toupper);
  return want == status;
}

}  // namespace

std::optional<Json> restAnswer(const AppState& s, const std::string& sub,
                               const std::map<std::string, std::string>& query,
                               const StorageBlocks& blocks) {
  auto p = splitPath(sub);
  if (p.empty()) return applicationJson(s);
  const std::string& what = p[0];
  if (what == "jobs") {
    if (p.size() == 1) {
      Json out = Json::array();
      for (auto it = s.jobs.rbegin(); it != s.jobs.rend(); ++it)
        if (statusMatches(query, it->second.status)) out.push_back(jobJson(s, it->second));
      return out;
    }
    auto id = toInt(p[1]);
    if (p.size() != 2 || !id || !s.jobs.contains(static_cast<int>(*id))) return std::nullopt;
    return jobJson(s, s.jobs.at(static_cast<int>(*id)));
  }
  if (what == "stages") {
    if (p.size() == 1) {
      Json out = Json::array();
      for (auto it = s.stages.rbegin(); it != s.stages.rend(); ++it)
        if (statusMatches(query, it->second.status)) out.push_back(stageJson(s, it->second, false));
      return out;
    }
    auto id = toInt(p[1]);
    if (!id) return std::nullopt;
    if (p.size() == 2) {
      Json out = Json::array();
      for (const auto& [key, st] : s.stages)
        if (key.first == *id) out.push_back(stageJson(s, st, true));
      if (out.empty()) return std::nullopt;
      return out;
    }
    auto att = toInt(p[2]);
    if (!att) return std::nullopt;
    auto it = s.stages.find({static_cast<int>(*id), static_cast<int>(*att)});
    if (it == s.stages.end()) return std::nullopt;
    if (p.size() == 3) return stageJson(s, it->second, true);
    if (p.size() == 4 && p[3] == "taskList") {
      Json out = Json::array();
      int64_t offset = query.contains("offset") ? toInt(query.at("offset")).value_or(0) : 0;
      int64_t length = query.contains("length") ? toInt(query.at("length")).value_or(20) : 20;
      int64_t i = 0;
      for (const auto& [tid, t] : it->second.tasks) {
        if (i++ < offset) continue;
        if (static_cast<int64_t>(out.size()) >= length) break;
        out.push_back(taskJson(s, t));
      }
      return out;
    }
    if (p.size() == 4 && p[3] == "taskSummary") return taskSummaryJson(it->second);
    return std::nullopt;
  }
  if ((what == "executors" || what == "allexecutors") && p.size() == 1) {
    Json out = Json::array();
    for (const auto& [id, x] : s.executors)
      if (what == "allexecutors" || x.active) out.push_back(executorJson(s, x, blocks));
    return out;
  }
  if (what == "storage" && p.size() >= 2 && p[1] == "rdd") {
    Json all = storageJson(s, blocks);
    if (p.size() == 2) {
      for (auto& r : all) r.erase("partitions");
      return all;
    }
    auto id = toInt(p[2]);
    for (auto& r : all)
      if (id && r["id"].get<int64_t>() == *id) return r;
    return std::nullopt;
  }
  if (what == "environment" && p.size() == 1) {
    Json props = Json::array();
    for (const auto& [k, v] : s.environment) props.push_back(Json::array({k, v}));
    return Json{{"runtime", {{"javaVersion", ""}, {"javaHome", ""}, {"scalaVersion", ""}}},
                {"sparkProperties", props},
                {"hadoopProperties", Json::array()},
                {"systemProperties", Json::array()},
                {"metricsProperties", Json::array()},
                {"classpathEntries", Json::array()}};
  }
  if (what == "sql") {
    if (p.size() == 1) {
      Json out = Json::array();
      for (const auto& [id, q] : s.sql) out.push_back(sqlJson(s, q));
      return out;
    }
    auto id = toInt(p[1]);
    if (p.size() != 2 || !id || !s.sql.contains(*id)) return std::nullopt;
    return sqlJson(s, s.sql.at(*id));
  }
  return std::nullopt;
}

}  // namespace ember::ui
