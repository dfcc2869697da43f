// The executor process of cluster mode (see protocol.h for how a process becomes one).
//
// It starts its Executor RPC service, registers with the driver (which sends back its
// configuration), then runs the tasks the driver launches on its task slots with the
// same Executor code as local mode, reports each result with its metrics, heartbeats,
// and serves its shuffle output to other executors. It exits when the driver stops it,
// drops it, or cannot be reached for ember.network.timeout; its scratch directory goes
// with it.
#pragma once

namespace ember {

class Config;

namespace cluster {

// True if this process was started as an executor (EMBER_EXECUTOR_DRIVER_URL is set).
bool executorModeRequested();
// Runs the executor and exits the process (status 0 when stopped by the driver, 1 on
// failure, e.g. a refused registration). `localConf` is the process's own
// configuration, used only until the driver's arrives (TLS files, timeouts).
[[noreturn]] void runExecutorProcess(const Config& localConf);

}  // namespace cluster
}  // namespace ember
