// `ember master [--host H] [--port 7077] [--conf k=v]`: the standalone cluster's master
// (src/ember/cluster/standalone.h, docs/cluster.md).
#include <memory>

#include "commands.h"
#include "ember/cluster/standalone.h"
#include "ember/common/errors.h"

namespace {
struct MasterArgs {
  std::string host = "127.0.0.1";
  int port = 7077;
  std::vector<std::string> conf;
};

ember::Config loadConf(const std::vector<std::string>& conf) {
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& s : conf) {
    auto eq = s.find('=');
    if (eq == std::string::npos)
      throw ember::UserError("expected --conf key=value, got '" + s + "'");
    kv.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return ember::Config::load(kv);
}

ember::cli::Command kMaster{
    "master", "Run the master of a standalone cluster (registry of workers)", [](CLI::App& sub) {
      auto a = std::make_shared<MasterArgs>();
      sub.add_option("--host", a->host, "address to listen on and advertise (default 127.0.0.1)");
      sub.add_option("--port", a->port, "port (default 7077; 0 = any free port)");
      sub.add_option("--conf", a->conf, "key=value settings (ember.authenticate, ...)")->take_all();
      return [a] {
        ember::cluster::MasterOptions o;
        o.host = a->host;
        o.port = a->port;
        o.conf = loadConf(a->conf);
        return ember::cluster::runMaster(o);
      };
    }};
}  // namespace
