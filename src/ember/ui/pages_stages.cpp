// The Stages page and a stage attempt's page (summary quantiles, timeline, tasks).
#include <fmt/format.h>

#include <functional>

#include "ember/ui/pages.h"

namespace ember::ui {

namespace {

int64_t stageDuration(const AppState& s, const PageBase& b, const StageRow& st) {
  int64_t start = st.firstTaskLaunchedTime > 0 ? st.firstTaskLaunchedTime : st.submissionTime;
  int64_t end = st.completionTime > 0 ? st.completionTime : nowOf(s, b);
  return std::max<int64_t>(0, end - start);
}

std::string bytesCell(int64_t bytes) {
  return fmt::format("<td class=\"num\" data-v=\"{}\">{}</td>", bytes,
                     bytes ? fmtBytes(bytes) : "");
}

std::string numCell(int64_t v) {
  return fmt::format("<td class=\"num\" data-v=\"{}\">{}</td>", v, v);
}

}  // namespace

std::string stageTable(const AppState& s, const PageBase& b, const std::string& id,
                       const std::vector<const StageRow*>& stages) {
  std::vector<std::vector<std::string>> rows;
  for (const StageRow* st : stages) {
    if (!st) continue;
    const TaskMetrics& m = st->totals;
    std::string name =
        fmt::format("<a class=\"stage-link\" href=\"{}/stages/stage/?id={}&amp;attempt={}\">{}</a>",
                    b.base, st->stageId, st->attempt, esc(st->name));
    if (!st->failureReason.empty())
      name += "<div class=\"error\">" + esc(st->failureReason.substr(0, 300)) + "</div>";
    rows.push_back(
        {fmt::format("<td data-v=\"{}\">{}{}</td>", st->stageId, st->stageId,
                     st->attempt > 0 ? fmt::format(" (retry {})", st->attempt) : ""),
         name, statusBadge(st->status), esc(fmtDateTime(st->submissionTime)),
         fmt::format("<td data-v=\"{}\">{}</td>", stageDuration(s, b, *st),
                     fmtDuration(stageDuration(s, b, *st))),
         progressBar(st->completedTasks, st->activeTasks, st->numTasks, st->failedTasks, 0),
         bytesCell(m.bytesRead), bytesCell(m.bytesWritten), bytesCell(m.shuffleBytesRead),
         bytesCell(m.shuffleBytesWritten), bytesCell(m.memoryBytesSpilled + m.diskBytesSpilled)});
  }
  return table(
      id,
      {"Stage Id", "Description", "Status", "Submitted", "Duration", "Tasks: Succeeded/Total",
       "Input", "Output", "Shuffle Read", "Shuffle Write", "Spill"},
      rows);
}

std::string stagesPage(const AppState& s, const PageBase& b) {
  std::vector<const StageRow*> active, done, failed;
  for (auto it = s.stages.rbegin(); it != s.stages.rend(); ++it) {
    const StageRow& st = it->second;
    (st.status == "ACTIVE" ? active : st.status == "FAILED" ? failed : done).push_back(&st);
  }
  std::string body;
  if (!active.empty())
    body += fmt::format("<h2>Active Stages ({})</h2>", active.size()) +
            stageTable(s, b, "active-stages", active);
  body += fmt::format("<h2>Completed Stages ({})</h2>", done.size()) +
          stageTable(s, b, "completed-stages", done);
  if (!failed.empty())
    body += fmt::format("<h2>Failed Stages ({})</h2>", failed.size()) +
            stageTable(s, b, "failed-stages", failed);
  return pageFrame(s, b, "stages", "Stages for All Jobs", body, s.live() && !active.empty());
}

std::optional<std::string> stagePage(const AppState& s, const PageBase& b, int stageId,
                                     int attempt) {
  auto it = s.stages.find({stageId, attempt});
  if (it == s.stages.end()) return std::nullopt;
  const StageRow& st = it->second;
  const TaskMetrics& m = st.totals;
  std::string jobs;
  for (int j : st.jobIds)
    jobs += fmt::format("<a href=\"{}/jobs/job/?id={}\">{}</a> ", b.base, j, j);
  std::string body = fmt::format(
      "<div class=\"summary\"><div><b>Status</b>{}</div><div><b>Jobs</b>{}</div>"
      "<div><b>Duration</b>{}</div><div><b>Tasks</b>{}</div><div><b>Total task time</b>{}</div>"
      "<div><b>Input</b>{} / {} records</div><div><b>Output</b>{} / {} records</div>"
      "<div><b>Shuffle read</b>{} / {} records</div><div><b>Shuffle write</b>{} / {} records"
      "</div><div><b>Spill (memory)</b>{}</div><div><b>Spill (disk)</b>{}</div>"
      "<div><b>Peak execution memory</b>{}</div></div>",
      statusBadge(st.status), jobs, fmtDuration(stageDuration(s, b, st)),
      progressBar(st.completedTasks, st.activeTasks, st.numTasks, st.failedTasks, 0),
      fmtDuration(m.runTimeNs / 1000000), fmtBytes(m.bytesRead), m.recordsRead,
      fmtBytes(m.bytesWritten), m.recordsWritten, fmtBytes(m.shuffleBytesRead),
      m.shuffleRecordsRead, fmtBytes(m.shuffleBytesWritten), m.shuffleRecordsWritten,
      fmtBytes(m.memoryBytesSpilled), fmtBytes(m.diskBytesSpilled),
      fmtBytes(m.peakExecutionMemory));
  if (!st.failureReason.empty())
    body += "<h2>Failure</h2><div class=\"error\">" + esc(st.failureReason) + "</div>";

  // Summary quantiles over successful tasks reveal skew.
  static const std::vector<double> kProbs{0.0, 0.25, 0.5, 0.75, 1.0};
  struct Metric {
    const char* name;
    bool bytes;
    std::function<int64_t(const TaskRow&)> get;
  };
  const Metric metrics[] = {
      {"Duration", false, [](const TaskRow& t) { return t.finishTime - t.launchTime; }},
      {"Run time", false, [](const TaskRow& t) { return t.metrics.runTimeNs / 1000000; }},
      {"Input size", true, [](const TaskRow& t) { return t.metrics.bytesRead; }},
      {"Input records", false, [](const TaskRow& t) { return t.metrics.recordsRead; }},
      {"Output size", true, [](const TaskRow& t) { return t.metrics.bytesWritten; }},
      {"Shuffle read", true, [](const TaskRow& t) { return t.metrics.shuffleBytesRead; }},
      {"Shuffle read records", false,
       [](const TaskRow& t) { return t.metrics.shuffleRecordsRead; }},
      {"Shuffle write", true, [](const TaskRow& t) { return t.metrics.shuffleBytesWritten; }},
      {"Spill (memory)", true, [](const TaskRow& t) { return t.metrics.memoryBytesSpilled; }},
      {"Spill (disk)", true, [](const TaskRow& t) { return t.metrics.diskBytesSpilled; }},
      {"Peak execution memory", true,
       [](const TaskRow& t) { return t.metrics.peakExecutionMemory; }},
  };
  std::vector<std::vector<std::string>> qrows;
  for (const auto& metric : metrics) {
    std::vector<double> values;
    for (const auto& [id, t] : st.tasks)
      if (t.status == "SUCCESS") values.push_back(static_cast<double>(metric.get(t)));
    auto q = quantiles(std::move(values), kProbs);
    std::vector<std::string> row{metric.name};
    for (double v : q) {
      auto iv = static_cast<int64_t>(v);
      row.push_back(metric.bytes ? fmtBytes(iv)
                    : std::string(metric.name).find("records") != std::string::npos
                        ? std::to_string(iv)
                        : fmtDuration(iv));
    }
    qrows.push_back(std::move(row));
  }
  body += "<h2>Summary Metrics for Completed Tasks</h2>" +
          table("summary-metrics",
                {"Metric", "Min", "25th percentile", "Median", "75th percentile", "Max"}, qrows);
  body += "<h2>Event Timeline</h2><div class=\"graph\">" + taskTimelineSvg(st) + "</div>";

  // The REST taskList pages through all retained rows; the page shows the first ones.
  constexpr size_t kMaxRows = 1000;
  std::vector<std::vector<std::string>> rows;
  for (const auto& [id, t] : st.tasks) {
    if (rows.size() >= kMaxRows) break;
    int64_t dur = t.finishTime > 0 ? t.finishTime - t.launchTime : nowOf(s, b) - t.launchTime;
    const TaskMetrics& tm = t.metrics;
    rows.push_back({numCell(t.taskId), numCell(t.partition), numCell(t.attempt),
                    statusBadge(t.status), esc(t.executorId), esc(fmtDateTime(t.launchTime)),
                    fmt::format("<td class=\"num\" data-v=\"{}\">{}</td>", dur, fmtDuration(dur)),
                    numCell(tm.recordsRead), bytesCell(tm.bytesRead), numCell(tm.recordsWritten),
                    bytesCell(tm.bytesWritten), bytesCell(tm.shuffleBytesRead),
                    bytesCell(tm.shuffleBytesWritten), bytesCell(tm.memoryBytesSpilled),
                    bytesCell(tm.diskBytesSpilled),
                    t.error.empty() ? "" : "<div class=\"error\">" + esc(t.error) + "</div>"});
  }
  body += fmt::format("<h2>Tasks ({}{}{})</h2>", st.tasks.size(),
                      static_cast<int>(st.tasks.size()) <
                              st.completedTasks + st.failedTasks + st.killedTasks
                          ? " retained"
                          : "",
                      st.tasks.size() > kMaxRows ? ", first 1000 shown" : "") +
          table("tasks",
                {"Task Id", "Index", "Attempt", "Status", "Executor", "Launch Time", "Duration",
                 "Records In", "Bytes In", "Records Out", "Bytes Out", "Shuffle Read",
                 "Shuffle Write", "Spill (memory)", "Spill (disk)", "Errors"},
                rows);
  body += "<h2>Lineage</h2><pre class=\"details\">" + esc(st.details) + "</pre>";
  return pageFrame(s, b, "stages",
                   fmt::format("Details for Stage {} (Attempt {})", stageId, attempt), body,
                   s.live() && st.status == "ACTIVE");
}

}  // namespace ember::ui
