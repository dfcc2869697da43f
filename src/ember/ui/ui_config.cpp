#include "ember/ui/ui_config.h"

#include "ember/common/errors.h"

namespace ember::ui {

void registerUiKeys() {
  static const bool kDone = [] {
    const ConfigEntry keys[] = {
        {"ember.ui.enabled", "true", "Serve the web UI and REST API while the application runs."},
        {"ember.ui.port", "4040",
         "Port of the web UI; when taken, the next free one up to ember.ui.port.maxRetries "
         "further is used; 0 = any free port."},
        {"ember.ui.port.maxRetries", "16", "How many ports after ember.ui.port the UI tries."},
        {"ember.ui.host", "127.0.0.1",
         "Address the web UI listens on (0.0.0.0 = every interface)."},
        {"ember.ui.retainedJobs", "1000", "Finished jobs the UI and history server remember."},
        {"ember.ui.retainedStages", "1000",
         "Finished stage attempts the UI and history server remember."},
        {"ember.ui.retainedTasks", "100000",
         "Task rows the UI and history server remember in all (oldest dropped first; stage "
         "totals stay exact)."},
        {"ember.ui.retainedSqlExecutions", "1000",
         "Finished SQL executions the UI and history server remember."},
        {"ember.eventLog.enabled", "false",
         "Write every scheduler event to a JSON-lines event log, for `ember history`."},
        {"ember.eventLog.dir", "/tmp/ember-events",
         "Directory of event logs (created if missing), one file per application."},
        {"ember.eventLog.compress", "false", "Compress event logs with zstd (.zst files)."},
        {"ember.history.ui.port", "18080", "Port of `ember history`."},
    };
    for (const auto& k : keys) Config::registerKey(k);
    return true;
  }();
  (void)kDone;
}

RetentionLimits retentionLimits(const Config& conf) {
  registerUiKeys();
  auto positive = [&](const char* key) {
    int64_t v = conf.getInt(key);
    if (v < 1 || v > INT32_MAX)
      throw ConfigError(std::string(key) + " must be a positive number, got " + conf.get(key));
    return static_cast<int>(v);
  };
  return RetentionLimits{positive("ember.ui.retainedJobs"), positive("ember.ui.retainedStages"),
                         positive("ember.ui.retainedTasks"),
                         positive("ember.ui.retainedSqlExecutions")};
}

}  // namespace ember::ui
