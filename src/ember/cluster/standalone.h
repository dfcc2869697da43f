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
#include <string>

#include "ember/common/config.h"

namespace ember::cluster {

// "ember://host:port" -> "host:port"; UserError naming the expected form otherwise.
std::string parseMasterUrl(const std::string& url);

struct MasterOptions {
  std::string host = "127.0.0.1";
  int port = 7077;
  Config conf;
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
