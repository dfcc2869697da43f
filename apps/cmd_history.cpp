// `ember history`: serves the web UI and REST API of the applications whose event logs
// are in a directory (Spark's history server), until interrupted.
#include <signal.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/ui/history.h"
#include "ember/ui/ui_config.h"

namespace {

struct HistoryOptions {
  std::string dir;
  int port = -1;
  std::string host = "127.0.0.1";
  std::vector<std::string> conf;
};

int runHistory(const HistoryOptions& o) {
  ember::ui::registerUiKeys();
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& s : o.conf) {
    auto eq = s.find('=');
    if (eq == std::string::npos)
      throw ember::UserError("expected --conf key=value, got '" + s + "'");
    kv.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  ember::Config conf = ember::Config::load(kv);
  std::string dir = o.dir.empty() ? conf.get("ember.eventLog.dir") : o.dir;
  int port = o.port >= 0 ? o.port : static_cast<int>(conf.getInt("ember.history.ui.port"));

  // Block the stop signals before the server starts its threads (they inherit the mask),
  // so that only sigwait below receives them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  auto source = std::make_shared<ember::ui::HistorySource>(dir, ember::ui::retentionLimits(conf));
  size_t apps = source->appIds().size();
  ember::ui::UiServer server(source);
  int bound = server.start(o.host, port, 0);
  std::cout << "Ember history server at http://" << o.host << ":" << bound << " (" << apps
            << " application" << (apps == 1 ? "" : "s") << " in " << dir << ")" << std::endl;
  int sig = 0;
  sigwait(&stopSignals, &sig);
  server.stop();
  return 0;
}

ember::cli::Command kHistory{
    "history",
    "Serve the web UI and REST API of finished (and running) applications from their event "
    "logs (ember.eventLog.enabled) until interrupted",
    [](CLI::App& sub) {
      auto o = std::make_shared<HistoryOptions>();
      sub.add_option("--dir", o->dir, "directory of event logs (default: ember.eventLog.dir)");
      sub.add_option("--port", o->port, "port to listen on (default: ember.history.ui.port)");
      sub.add_option("--host", o->host, "address to listen on")->capture_default_str();
      sub.add_option("--conf", o->conf, "key=value settings")->take_all();
      return [o] { return runHistory(*o); };
    }};

}  // namespace
