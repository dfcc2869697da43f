// The event log: every scheduler event of one application as JSON lines (event_json.h),
// written while the application runs and replayed by the history server (Spark's
// EventLoggingListener and ReplayListenerBus).
//
// File layout: one file per application in ember.eventLog.dir, named by the application
// id ("local-1763786064000"), with ".zst" appended when ember.eventLog.compress is set
// (a zstd stream, readable with `zstd -dc`); "_1", "_2"... is appended to the id if a log
// of that name exists already. While the application runs the name ends in
// ".inprogress"; stop() renames it. The first line is the EnvironmentUpdate.
//
// Threading: EventLogWriter's callbacks run on the bus dispatcher thread; stop() is
// called once the bus has stopped (context_plugin.h), so no locking is needed between
// them. Lines are buffered and written in blocks of 64 KiB, and at each job's end so a
// running application's log is readable up to its last finished job.
#pragma once

#include <cstdio>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ember/core/events.h"
#include "ember/ui/event_json.h"

struct ZSTD_CCtx_s;

namespace ember::ui {

class EventLogWriter : public EventListener {
 public:
  // Creates `dir` if missing and opens the .inprogress file; IoError if it cannot.
  EventLogWriter(const std::string& dir, const std::string& appId, bool compress,
                 const EnvironmentUpdate& env);
  ~EventLogWriter() override;
  EventLogWriter(const EventLogWriter&) = delete;
  EventLogWriter& operator=(const EventLogWriter&) = delete;

  // Writes the task events of the batch straight from the bus's queue (no copy into a
  // temporary event per callback); the others go through the callbacks.
  void onEvents(std::span<const SchedulerEvent> events) override;
  void onApplicationStart(const ApplicationStart& e) override;
  void onApplicationEnd(const ApplicationEnd& e) override { write(e, true); }
  void onExecutorAdded(const ExecutorAdded& e) override;
  void onExecutorRemoved(const ExecutorRemoved& e) override;
  void onJobStart(const JobStart& e) override { write(e, false); }
  void onJobEnd(const JobEnd& e) override { write(e, true); }
  void onStageSubmitted(const StageSubmitted& e) override { write(e, false); }
  void onStageCompleted(const StageCompleted& e) override { write(e, false); }
  void onTaskStart(const TaskStart& e) override { write(e, false); }
  void onTaskEnd(const TaskEnd& e) override { write(e, false); }
  void onSqlExecutionStart(const SqlExecutionStart& e) override { write(e, false); }
  void onSqlExecutionEnd(const SqlExecutionEnd& e) override { write(e, true); }

  // Flushes, closes and renames the file to its final name. Idempotent.
  void stop();
  // The final path (without ".inprogress").
  const std::string& path() const { return path_; }

 private:
  void write(const SchedulerEvent& e, bool flushNow);
  void append(std::string_view line);
  void flush(bool end);
  void fail(const std::string& what);

  std::string path_;
  std::FILE* file_ = nullptr;
  ZSTD_CCtx_s* zstd_ = nullptr;
  std::string buffer_;  // its first used_ bytes are lines not yet written
  size_t used_ = 0;
  std::string compressed_;
  bool sawAppStart_ = false;
  std::set<std::string> executors_;  // active ones, to drop the plugin's seeded duplicates
};

// Calls `f` with each event of the log at `path` (plain or ".zst", finished or
// ".inprogress"), in order. Lines of unknown event types are skipped; a malformed line
// is an IoError naming the file and line, except a truncated last line of an
// .inprogress log (the writer may be mid-block), which is ignored.
void replayEventLog(const std::string& path, const std::function<void(const LoggedEvent&)>& f);

// The event logs in `dir` (files named by application id), sorted by name. IoError if
// `dir` is not a readable directory.
std::vector<std::string> listEventLogs(const std::string& dir);

// The application id a log file is named after ("local-1" for ".../local-1.zst.inprogress").
std::string appIdOfLog(const std::string& path);

}  // namespace ember::ui
