// The cluster masters this layer adds to Context (core/cluster_hooks.h):
//   local-cluster[E,C,M]  E executor processes of this program on this machine, C task
//                         slots and M MiB each (Spark's test cluster)
//   external[N]           the driver waits for N executors started by someone else
//                         (Kubernetes, systemd, a shell; see deploy/ and docs/cluster.md)
#include <fmt/core.h>

#include <iostream>
#include <random>

#include "ember/cluster/cluster_scheduler.h"
#include "ember/cluster/process_launcher.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/cluster_hooks.h"
#include "ember/core/context.h"

namespace ember::cluster {

namespace {
// Parses "<prefix>a,b,...]" into exactly `count` positive integers.
std::vector<int64_t> parseList(const std::string& master, const std::string& prefix, size_t count,
                               const char* expected) {
  std::vector<int64_t> out;
  auto bad = [&] {
    return UserError(fmt::format("invalid master '{}': expected {}", master, expected));
  };
  if (master.size() <= prefix.size() || master.back() != ']') throw bad();
  std::string body = master.substr(prefix.size(), master.size() - prefix.size() - 1);
  size_t start = 0;
  while (start <= body.size()) {
    size_t comma = body.find(',', start);
    std::string item =
        body.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || !end || *end != '\0' || v < 1 || v > (1 << 20)) throw bad();
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() != count) throw bad();
  return out;
}

constexpr const char* kLocalClusterForm =
    "local-cluster[E,C,M]: E executor processes with C task slots and M MiB of memory each, "
    "e.g. local-cluster[3,1,1024]";
constexpr const char* kExternalForm =
    "external[N]: wait for N executors started by others, e.g. external[4]";

std::string randomSecret() {
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 4; ++i) s += fmt::format("{:08x}", rd());
  return s;
}

const bool kLocalCluster = registerClusterManager(
    "local-cluster[",
    ClusterManager{[](const std::string& master) {
                     auto v = parseList(master, "local-cluster[", 3, kLocalClusterForm);
                     return static_cast<int>(v[0] * v[1]);
                   },
                   [](Context& ctx) -> std::unique_ptr<TaskScheduler> {
                     auto v = parseList(ctx.master(), "local-cluster[", 3, kLocalClusterForm);
                     ClusterSettings s = ClusterSettings::fromConfig(ctx.conf());
                     // Nobody else needs to know the secret of a local cluster: make one up.
                     if (s.authenticate && s.secret.empty()) s.secret = randomSecret();
                     ProcessSpec spec = selfProcessSpec();
                     spec.slots = static_cast<int>(v[1]);
                     spec.memoryMb = v[2];
                     spec.secret = s.authenticate ? s.secret : "";
                     auto sched = std::make_unique<ClusterScheduler>(
                         ctx, std::move(s), std::make_unique<ProcessLauncher>(std::move(spec)));
                     sched->startExecutors(static_cast<int>(v[0]));
                     return sched;
                   }});

const bool kExternal = registerClusterManager(
    "external[",
    ClusterManager{
        [](const std::string& master) {
          return static_cast<int>(parseList(master, "external[", 1, kExternalForm)[0]);
        },
        [](Context& ctx) -> std::unique_ptr<TaskScheduler> {
          int n = static_cast<int>(parseList(ctx.master(), "external[", 1, kExternalForm)[0]);
          ClusterSettings s = ClusterSettings::fromConfig(ctx.conf());
          if (s.authenticate && s.secret.empty())
            throw ConfigError(
                "ember.authenticate=true needs ember.authenticate.secret: executors started by "
                "others must be given the same secret (EMBER_EXECUTOR_AUTH_SECRET)");
          auto sched = std::make_unique<ClusterScheduler>(ctx, std::move(s), nullptr);
          logWarn("waiting for {} executors to register with the driver at {}", n,
                  sched->driverUrl());
          sched->waitForExecutors(n);
          return sched;
        }});
}  // namespace

// Referenced so that the registrars above are kept even without WHOLE_ARCHIVE.
bool mastersRegistered() { return kLocalCluster && kExternal; }

}  // namespace ember::cluster
