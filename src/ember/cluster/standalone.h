// The standalone cluster: `ember master` keeps a registry of workers; `ember worker`
// offers its cores and memory and starts executors of applications on the master's
// request; an application with --master ember://HOST:PORT asks the master for
// ember.executor.instances executors of ember.executor.cores slots and
// ember.executor.memory each (docs/cluster.md). The executors run the application's own
// binary, which must be at the same path on every worker (a shared or identical
// filesystem), and register with the driver directly.
//
// Every party shares ember.authenticate.secret when ember.authenticate is on; the
// master and workers refuse RPCs without it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ember/common/config.h"

namespace ember::cluster {

// "ember://host:port" -> "host:port"; UserError naming the expected form otherwise.
std::string parseMasterUrl(const std::string& url);

// What the master knows, for its status page (apps/cmd_master.cpp serves it).
struct MasterStatus {
  struct Worker {
    std::string id, address, state;  // state: ALIVE, or DEAD once silent too long
    int cores = 0, coresUsed = 0;
    int64_t memoryMb = 0, memoryUsedMb = 0;
    int64_t lastHeartbeatMs = 0;  // wall clock
  };
  struct App {
    std::string id, name, state;   // state: RUNNING, FINISHED
    int cores = 0, executors = 0;  // currently placed
    int64_t memoryPerExecutorMb = 0;
    int64_t startMs = 0, endMs = 0;  // wall clock; endMs 0 while running
  };
  std::string url;  // ember://host:port
  int64_t startMs = 0;
  std::vector<Worker> workers;  // by id
  std::vector<App> apps;        // by first request
};

struct MasterOptions {
  std::string host = "127.0.0.1";
  int port = 7077;
  Config conf;
  // Called once the master serves, with a thread-safe snapshot function valid until the
  // returned stopper has been called (runMaster calls it before it returns).
  std::function<std::function<void()>(std::function<MasterStatus()> status)> onStarted;
};
// Serves the master until SIGINT or SIGTERM; returns the exit code.
int runMaster(const MasterOptions& options);

struct WorkerOptions {
  std::string masterUrl;  // ember://host:port
  int cores = 1;
  int64_t memoryMb = 1024;
  std::string host = "127.0.0.1";  // where the master and drivers reach this worker
  int port = 0;                    // 0: any free port
  std::string workDir;             // executor logs; empty: /tmp/ember-worker-<pid>
  Config conf;
};
// Registers with the master and launches executors until SIGINT or SIGTERM (which also
// stops the executors it started); returns the exit code.
int runWorker(const WorkerOptions& options);

}  // namespace ember::cluster
