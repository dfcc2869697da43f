// The history server's applications: the event logs of one directory, each replayed
// into its own AppStore (the same store the live UI uses, so the answers are the same).
//
// Logs are (re)loaded when appIds() finds a new file or one whose size or modification
// time changed (an .inprogress log still growing, or renamed at its end). A log that
// cannot be read is logged and left out.
//
// Threading: thread-safe (HTTP handler threads call it concurrently).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ember/ui/ui_server.h"

namespace ember::ui {

// Replays one event log into a new store (event_log.h's reader).
std::shared_ptr<AppStore> loadEventLog(const std::string& path, RetentionLimits limits = {});

class HistorySource : public AppSource {
 public:
  // IoError if `dir` is not a readable directory.
  HistorySource(std::string dir, RetentionLimits limits);
  bool history() const override { return true; }
  std::vector<std::string> appIds() override;
  std::shared_ptr<const AppStore> store(const std::string& appId) override;

 private:
  struct Entry {
    std::string path;
    uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    std::shared_ptr<AppStore> store;
    int64_t startTime = 0;
  };
  void refreshLocked();

  const std::string dir_;
  const RetentionLimits limits_;
  std::mutex mu_;
  std::map<std::string, Entry> apps_;  // by app id
};

}  // namespace ember::ui
