// Starts executor processes on this machine: the program's own binary (/proc/self/exe)
// with its own command line, in executor mode (protocol.h), each watched by a thread
// that reports its exit at once. Used by local-cluster[E,C,M] and by `ember worker`.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ember/cluster/cluster_scheduler.h"

namespace ember::cluster {

struct ProcessSpec {
  std::string exe;                // binary to run
  std::vector<std::string> argv;  // argv[0] included
  int slots = 1;
  int64_t memoryMb = 1024;
  std::string secret;  // empty: authentication off
  bool dieWithParent = true;
  // Empty: the executor's stdout and stderr are this process's stderr. Otherwise they go
  // to <logDir>/<executor id>/stdout and stderr (created).
  std::string logDir;
  std::vector<std::pair<std::string, std::string>> extraEnv;
};

// The running program's binary and command line (from /proc/self).
ProcessSpec selfProcessSpec();

class ProcessLauncher final : public ExecutorLauncher {
 public:
  explicit ProcessLauncher(ProcessSpec spec) : spec_(std::move(spec)) {}
  ~ProcessLauncher() override;
  void launch(const std::string& executorId, const std::string& driverUrl,
              std::function<void(const std::string& reason)> onExit) override;
  void kill(const std::string& executorId) override;
  std::string exitReason(const std::string& executorId, int64_t waitMs) override;
  void stopAll(int64_t graceMs) override;
  // Pid of a running executor, or -1 (tests).
  int pidOf(const std::string& executorId) const;

 private:
  struct Child {
    int pid = -1;
    bool exited = false;
    std::string exitReason;  // set with `exited`
    std::thread waiter;
  };
  ProcessSpec spec_;
  mutable std::mutex mutex_;
  std::condition_variable exited_;
  std::map<std::string, Child> children_;
};

}  // namespace ember::cluster
