#include "ember/core/cluster_hooks.h"

#include <map>

namespace ember {

namespace {
// Function-local statics: registrations come from other libraries' static
// initialisers, whose order relative to this file's is unspecified.
std::map<std::string, ClusterManager>& managers() {
  static std::map<std::string, ClusterManager> m;
  return m;
}
std::function<void(const Config&)>& executorHook() {
  static std::function<void(const Config&)> h;
  return h;
}
}  // namespace

bool registerClusterManager(const std::string& masterPrefix, ClusterManager manager) {
  managers()[masterPrefix] = std::move(manager);
  return true;
}

const ClusterManager* findClusterManager(const std::string& master) {
  for (const auto& [prefix, m] : managers())
    if (master.rfind(prefix, 0) == 0) return &m;
  return nullptr;
}

bool registerExecutorModeHook(std::function<void(const Config& conf)> hook) {
  executorHook() = std::move(hook);
  return true;
}

void runExecutorModeHook(const Config& conf) {
  if (executorHook()) executorHook()(conf);
}

}  // namespace ember
