// The Jobs page and a job's page (with its DAG).
#include <fmt/format.h>

#include "ember/ui/pages.h"

namespace ember::ui {

namespace {

int64_t jobDuration(const AppState& s, const PageBase& b, const JobRow& j) {
  int64_t end = j.completionTime > 0 ? j.completionTime : nowOf(s, b);
  return std::max<int64_t>(0, end - j.submissionTime);
}

std::string jobRowsTable(const AppState& s, const PageBase& b, const std::string& id,
                         const std::vector<const JobRow*>& jobs) {
  std::vector<std::vector<std::string>> rows;
  for (const JobRow* j : jobs) {
    int skippedStages = 0, skippedTasks = 0;
    for (int sid : j->stageIds) {
      if (s.stageStatusForJob(*j, sid) != "SKIPPED") continue;
      skippedStages++;
      auto info = s.stageInfos.find(sid);
      if (info != s.stageInfos.end()) skippedTasks += info->second.numTasks;
    }
    int stagesDone = static_cast<int>(j->completedStages.size());
    rows.push_back(
        {fmt::format("<td data-v=\"{}\">{}</td>", j->jobId, j->jobId),
         fmt::format("<a class=\"job-link\" href=\"{}/jobs/job/?id={}\">{}</a>{}", b.base, j->jobId,
                     esc(j->description),
                     j->jobGroup.empty() ? "" : " <small>(" + esc(j->jobGroup) + ")</small>"),
         statusBadge(j->status), esc(fmtDateTime(j->submissionTime)),
         fmt::format("<td data-v=\"{}\">{}</td>", jobDuration(s, b, *j),
                     fmtDuration(jobDuration(s, b, *j))),
         fmt::format("{}/{}{}", stagesDone, static_cast<int>(j->stageIds.size()) - skippedStages,
                     skippedStages ? fmt::format(" ({} skipped)", skippedStages) : ""),
         progressBar(j->numCompletedTasks, j->numActiveTasks, j->numTasks, j->numFailedTasks, 0) +
             (skippedTasks ? fmt::format("<small>{} tasks skipped</small>", skippedTasks) : "")});
  }
  return table(id,
               {"Job Id", "Description", "Status", "Submitted", "Duration",
                "Stages: Succeeded/Total", "Tasks (for all stages): Succeeded/Total"},
               rows);
}

}  // namespace

std::string jobsPage(const AppState& s, const PageBase& b) {
  std::vector<const JobRow*> running, done, failed;
  for (auto it = s.jobs.rbegin(); it != s.jobs.rend(); ++it) {
    const JobRow& j = it->second;
    (j.status == "RUNNING" ? running : j.status == "FAILED" ? failed : done).push_back(&j);
  }
  int64_t end = nowOf(s, b);
  std::string body = fmt::format(
      "<div class=\"summary\"><div><b>Started</b>{}</div><div><b>Total uptime</b>{}</div>"
      "<div><b>Master</b>{}</div><div><b>Active jobs</b>{}</div><div><b>Completed jobs</b>{}"
      "</div><div><b>Failed jobs</b>{}</div></div>",
      esc(fmtDateTime(s.startTime)), fmtDuration(std::max<int64_t>(0, end - s.startTime)),
      esc(s.master), running.size(), done.size(), failed.size());
  if (!running.empty())
    body += fmt::format("<h2>Active Jobs ({})</h2>", running.size()) +
            jobRowsTable(s, b, "active-jobs", running);
  body += fmt::format("<h2>Completed Jobs ({})</h2>", done.size()) +
          jobRowsTable(s, b, "completed-jobs", done);
  if (!failed.empty())
    body += fmt::format("<h2>Failed Jobs ({})</h2>", failed.size()) +
            jobRowsTable(s, b, "failed-jobs", failed);
  return pageFrame(s, b, "jobs", "Ember Jobs", body, s.live() && !running.empty());
}

std::optional<std::string> jobPage(const AppState& s, const PageBase& b, int jobId) {
  auto it = s.jobs.find(jobId);
  if (it == s.jobs.end()) return std::nullopt;
  const JobRow& j = it->second;
  std::string body = fmt::format(
      "<div class=\"summary\"><div><b>Status</b>{}</div><div><b>Submitted</b>{}</div>"
      "<div><b>Duration</b>{}</div><div><b>Call site</b>{}</div>{}</div>",
      statusBadge(j.status), esc(fmtDateTime(j.submissionTime)), fmtDuration(jobDuration(s, b, j)),
      esc(j.callSite),
      j.jobGroup.empty() ? "" : "<div><b>Job group</b>" + esc(j.jobGroup) + "</div>");
  if (!j.error.empty()) body += "<h2>Failure</h2><div class=\"error\">" + esc(j.error) + "</div>";
  body += "<h2>DAG Visualization</h2><div class=\"graph\">" + jobDagSvg(s, b, j) + "</div>";
  std::vector<const StageRow*> active, done, failed;
  std::vector<int> pendingOrSkipped;
  for (auto sid = j.stageIds.rbegin(); sid != j.stageIds.rend(); ++sid) {
    std::string st = s.stageStatusForJob(j, *sid);
    const StageRow* row = s.latestAttempt(*sid);
    if (st == "ACTIVE")
      active.push_back(row);
    else if (st == "COMPLETE")
      done.push_back(row);
    else if (st == "FAILED")
      failed.push_back(row);
    else
      pendingOrSkipped.push_back(*sid);
  }
  if (!active.empty())
    body += fmt::format("<h2>Active Stages ({})</h2>", active.size()) +
            stageTable(s, b, "active-stages", active);
  body += fmt::format("<h2>Completed Stages ({})</h2>", done.size()) +
          stageTable(s, b, "completed-stages", done);
  if (!failed.empty())
    body += fmt::format("<h2>Failed Stages ({})</h2>", failed.size()) +
            stageTable(s, b, "failed-stages", failed);
  if (!pendingOrSkipped.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (int sid : pendingOrSkipped) {
      auto info = s.stageInfos.find(sid);
      rows.push_back({std::to_string(sid), info != s.stageInfos.end() ? esc(info->second.name) : "",
                      statusBadge(s.stageStatusForJob(j, sid)),
                      info != s.stageInfos.end() ? std::to_string(info->second.numTasks) : ""});
    }
    body += fmt::format("<h2>{} Stages ({})</h2>", j.status == "RUNNING" ? "Pending" : "Skipped",
                        rows.size()) +
            table("other-stages", {"Stage Id", "Description", "Status", "Tasks"}, rows);
  }
  return pageFrame(s, b, "jobs", fmt::format("Details for Job {}", jobId), body,
                   s.live() && j.status == "RUNNING");
}

}  // namespace ember::ui
