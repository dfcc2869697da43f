// `ember worker --master ember://HOST:PORT --cores C --memory M`: a worker of a standalone
// cluster; it starts executors of applications (src/ember/cluster/standalone.h).
#include <memory>

#include "commands.h"
#include "ember/cluster/standalone.h"
#include "ember/common/config.h"
#include "ember/common/errors.h"

namespace {
struct WorkerArgs {
  std::string master, host = "127.0.0.1", dir, memory = "1g";
  int cores = 1, port = 0;
  std::vector<std::string> conf;
};

ember::cli::Command kWorker{
    "worker", "Run a worker of a standalone cluster (starts executors for applications)",
    [](CLI::App& sub) {
      auto a = std::make_shared<WorkerArgs>();
      sub.add_option("--master", a->master, "the master, ember://HOST:PORT")->required();
      sub.add_option("--cores", a->cores, "cores offered to executors (default 1)");
      sub.add_option("--memory", a->memory,
                     "memory offered to executors, e.g. 4g or 1024m (default 1g)");
      sub.add_option("--host", a->host, "address to listen on and advertise (default 127.0.0.1)");
      sub.add_option("--port", a->port, "port (default 0 = any free port)");
      sub.add_option("--dir", a->dir, "where executor logs go (default /tmp/ember-worker-<pid>)");
      sub.add_option("--conf", a->conf, "key=value settings (ember.authenticate, ...)")->take_all();
      return [a] {
        std::vector<std::pair<std::string, std::string>> kv;
        for (const auto& s : a->conf) {
          auto eq = s.find('=');
          if (eq == std::string::npos)
            throw ember::UserError("expected --conf key=value, got '" + s + "'");
          kv.emplace_back(s.substr(0, eq), s.substr(eq + 1));
        }
        auto mem = ember::parseByteSize(a->memory);
        if (!mem || *mem < (1 << 20))
          throw ember::UserError("--memory '" + a->memory +
                                 "' is not a size of at least 1m (e.g. 4g, 1024m)");
        ember::cluster::WorkerOptions o;
        o.masterUrl = a->master;
        o.cores = a->cores;
        o.memoryMb = *mem >> 20;
        o.host = a->host;
        o.port = a->port;
        o.workDir = a->dir;
        o.conf = ember::Config::load(kv);
        return ember::cluster::runWorker(o);
      };
    }};
}  // namespace
