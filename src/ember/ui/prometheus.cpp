// The Prometheus text exposition format (version 0.0.4) of one application's state.
#include <fmt/format.h>

#include "ember/ui/rest_api.h"

namespace ember::ui {

namespace {
// Label values escape backslash, quote and newline.
std::string labelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

std::string prometheusText(const AppState& s, const StorageBlocks& blocks) {
  std::string out;
  const std::string app = "app_id=\"" + labelValue(s.appId) + "\"";
  auto metric = [&](const char* name, const char* type, const char* help, int64_t value,
                    const std::string& extraLabels = "") {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n{}{{{}{}}} {}\n", name,
                   help, name, type, name, app, extraLabels, value);
  };
  int runningJobs = 0, activeStages = 0, activeTasks = 0, activeExecutors = 0;
  for (const auto& [id, j] : s.jobs) runningJobs += j.status == "RUNNING";
  for (const auto& [key, st] : s.stages) activeStages += st.status == "ACTIVE";
  for (const auto& [id, x] : s.executors) {
    activeTasks += x.activeTasks;
    activeExecutors += x.active;
  }
  int64_t memUsed = 0, diskUsed = 0;
  for (const auto& b : blocks) {
    memUsed += b.memoryBytes;
    diskUsed += b.diskBytes;
  }
  const TaskMetrics& m = s.totalMetrics;
  metric("ember_jobs_succeeded_total", "counter", "Jobs that succeeded.", s.totalJobsSucceeded);
  metric("ember_jobs_failed_total", "counter", "Jobs that failed.", s.totalJobsFailed);
  metric("ember_jobs_running", "gauge", "Jobs running now.", runningJobs);
  metric("ember_stages_completed_total", "counter", "Stage attempts that completed.",
         s.totalStagesCompleted);
  metric("ember_stages_failed_total", "counter", "Stage attempts that failed.",
         s.totalStagesFailed);
  metric("ember_stages_active", "gauge", "Stage attempts running now.", activeStages);
  metric("ember_tasks_ended_total", "counter", "Tasks that ended (any outcome).",
         s.totalTasksEnded);
  metric("ember_tasks_failed_total", "counter", "Tasks that failed or were killed.",
         s.totalTasksFailed);
  metric("ember_tasks_active", "gauge", "Tasks running now.", activeTasks);
  metric("ember_executors_active", "gauge", "Executors registered now.", activeExecutors);
  metric("ember_task_run_time_seconds_total", "counter", "Run time of ended tasks.",
         m.runTimeNs / 1000000000);
  metric("ember_input_bytes_total", "counter", "Bytes read from input by tasks.", m.bytesRead);
  metric("ember_output_bytes_total", "counter", "Bytes written to output by tasks.",
         m.bytesWritten);
  metric("ember_shuffle_read_bytes_total", "counter", "Shuffle bytes read.", m.shuffleBytesRead);
  metric("ember_shuffle_write_bytes_total", "counter", "Shuffle bytes written.",
         m.shuffleBytesWritten);
  metric("ember_memory_bytes_spilled_total", "counter",
         "In-memory size of the data spilled by tasks.", m.memoryBytesSpilled);
  metric("ember_disk_bytes_spilled_total", "counter", "Bytes of spill files written by tasks.",
         m.diskBytesSpilled);
  metric("ember_storage_memory_used_bytes", "gauge", "Memory used by cached blocks.", memUsed);
  metric("ember_storage_disk_used_bytes", "gauge", "Disk used by cached blocks.", diskUsed);
  return out;
}

}  // namespace ember::ui
