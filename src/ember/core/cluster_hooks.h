// Hooks through which the cluster layer (src/ember/cluster) plugs into core, so that
// core never depends on it (gRPC stays out of core and out of local mode).
//
// Cluster managers: the cluster layer registers, at static-initialisation time, one
// entry per master-URL prefix ("local-cluster[", "ember://", ...). MasterSpec::parse
// asks a matching entry for the number of task slots the URL promises, and the Context
// constructor asks it for the TaskScheduler that sends tasks to executor processes
// (instead of the LocalTaskScheduler of local[N]).
//
// Executor mode: executors run the same binary as the driver (the user's application).
// A process started as an executor is told so by its environment (the cluster layer
// defines the variables); the registered executor hook runs first thing in the Context
// constructor and, in such a process, runs the executor until the driver lets it go and
// then exits the process, so the user's main never continues past its Context. In any
// other process the hook returns at once.
//
// The umbrella `ember` target links the cluster layer WHOLE_ARCHIVE, so its registrars
// survive linking. Registration must finish before main() (static initialisers).
// Threading: register* are not synchronised with find*/run*; call them only from static
// initialisers.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace ember {

class Config;
class Context;
class TaskScheduler;

struct ClusterManager {
  // Validates the master URL and returns the total task slots it promises (used as the
  // default parallelism), or 0 if only the registered executors will tell (the Context
  // then asks the scheduler once created). Throws UserError for a malformed URL.
  std::function<int(const std::string& master)> totalSlots;
  // Starts (or connects to) the executors and returns the scheduler that runs tasks on
  // them. Called from the Context constructor once the event bus, map output tracker and
  // block manager exist; may block until the executors have registered.
  std::function<std::unique_ptr<TaskScheduler>(Context& ctx)> createScheduler;
};

// Returns true so that it can initialise a static. Registering a prefix twice replaces.
bool registerClusterManager(const std::string& masterPrefix, ClusterManager manager);
// The manager whose prefix starts `master`, or nullptr.
const ClusterManager* findClusterManager(const std::string& master);

// `hook` runs at the start of every Context constructor with the program's
// configuration; see "Executor mode" above. Returns true (for a static).
bool registerExecutorModeHook(std::function<void(const Config& conf)> hook);
void runExecutorModeHook(const Config& conf);

}  // namespace ember
