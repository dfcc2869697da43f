// `ember master [--host H] [--port 7077] [--webui-port 8080] [--conf k=v]`: the standalone
// cluster's master (src/ember/cluster/standalone.h, docs/cluster.md) and its status page:
// "/" lists the workers and applications (HTML), "/json" the same as JSON in the shape
// of Spark's standalone master (url, workers, activeapps, completedapps, ...).
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.h"
#include "ember/cluster/standalone.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/ui/html.h"

namespace {
struct MasterArgs {
  std::string host = "127.0.0.1";
  int port = 7077;
  int webuiPort = 8080;
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

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using ember::cluster::MasterStatus;

int64_t durationOf(const MasterStatus::App& a, int64_t now) {
  return (a.endMs ? a.endMs : now) - a.startMs;
}

// Spark's MasterPage JSON (JsonProtocol.writeMasterState), with Ember's fields.
nlohmann::json statusJson(const MasterStatus& s) {
  using nlohmann::json;
  int64_t now = nowMs();
  json workers = json::array(), active = json::array(), completed = json::array();
  int cores = 0, coresUsed = 0, alive = 0;
  int64_t memory = 0, memoryUsed = 0;
  for (const auto& w : s.workers) {
    auto colon = w.address.rfind(':');
    workers.push_back({{"id", w.id},
                       {"host", w.address.substr(0, colon)},
                       {"port", std::stoi(w.address.substr(colon + 1))},
                       {"cores", w.cores},
                       {"coresused", w.coresUsed},
                       {"coresfree", w.cores - w.coresUsed},
                       {"memory", w.memoryMb},
                       {"memoryused", w.memoryUsedMb},
                       {"memoryfree", w.memoryMb - w.memoryUsedMb},
                       {"state", w.state},
                       {"lastheartbeat", w.lastHeartbeatMs}});
    if (w.state != "ALIVE") continue;
    alive++;
    cores += w.cores;
    coresUsed += w.coresUsed;
    memory += w.memoryMb;
    memoryUsed += w.memoryUsedMb;
  }
  for (const auto& a : s.apps) {
    json j = {{"id", a.id},
              {"name", a.name},
              {"cores", a.cores},
              {"executors", a.executors},
              {"memoryperexecutor", a.memoryPerExecutorMb},
              {"starttime", a.startMs},
              {"state", a.state},
              {"duration", durationOf(a, now)}};
    (a.endMs ? completed : active).push_back(std::move(j));
  }
  return {{"url", s.url},
          {"workers", workers},
          {"aliveworkers", alive},
          {"cores", cores},
          {"coresused", coresUsed},
          {"memory", memory},
          {"memoryused", memoryUsed},
          {"activeapps", active},
          {"completedapps", completed},
          {"status", "ALIVE"}};
}

std::string statusPage(const MasterStatus& s) {
  namespace ui = ember::ui;
  int64_t now = nowMs();
  std::vector<std::vector<std::string>> workers, apps;
  for (const auto& w : s.workers)
    workers.push_back(
        {ui::esc(w.id), ui::esc(w.address), ui::statusBadge(w.state),
         std::to_string(w.cores) + " (" + std::to_string(w.coresUsed) + " used)",
         ui::fmtBytes(w.memoryMb << 20) + " (" + ui::fmtBytes(w.memoryUsedMb << 20) + " used)",
         ui::fmtDuration(now - w.lastHeartbeatMs) + " ago"});
  for (const auto& a : s.apps)
    apps.push_back({ui::esc(a.id), ui::esc(a.name), std::to_string(a.cores),
                    std::to_string(a.executors), ui::fmtBytes(a.memoryPerExecutorMb << 20),
                    ui::fmtDateTime(a.startMs), ui::statusBadge(a.state),
                    ui::fmtDuration(durationOf(a, now))});
  std::string body = "<h1>Ember master at " + ui::esc(s.url) + "</h1>";
  body += "<p>Up since " + ui::fmtDateTime(s.startMs) + " &middot; <a href=\"/json\">JSON</a></p>";
  body += "<h2>Workers (" + std::to_string(s.workers.size()) + ")</h2>";
  body += ui::table(
      "workers", {"Worker Id", "Address", "State", "Cores", "Memory", "Last Heartbeat"}, workers);
  body += "<h2>Applications (" + std::to_string(s.apps.size()) + ")</h2>";
  body += ui::table("apps",
                    {"Application ID", "Name", "Cores", "Executors", "Memory per Executor",
                     "Submitted Time", "State", "Duration"},
                    apps);
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
         "content=\"5\"><title>Ember master</title><style>" +
         std::string(ui::bundledCss()) + "</style></head><body><main>" + body + "</main><script>" +
         ui::bundledJs() + "</script></body></html>";
}

// The status page's HTTP server: its own port, the next free one if taken (as Spark's).
class StatusServer {
 public:
  StatusServer(std::function<MasterStatus()> status, const std::string& host, int port)
      : status_(std::move(status)) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(2); };
    server_.set_keep_alive_max_count(1);
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(5, 0);
    server_.set_socket_options([](socket_t sock) {  // no SO_REUSEPORT: one master per port
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(statusPage(status_()), "text/html; charset=utf-8");
    });
    server_.Get("/json", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(statusJson(status_()).dump(2), "application/json");
    });
    constexpr int kRetries = 16;
    if (port == 0) {
      port_ = server_.bind_to_any_port(host);
    } else {
      for (int p = port; p <= port + kRetries && p <= 65535 && port_ <= 0; ++p)
        if (server_.bind_to_port(host, p)) port_ = p;
    }
    if (port_ <= 0)
      throw ember::IoError("no free port for the master's web UI on " + host + " from " +
                           std::to_string(port) + " (--webui-port)");
    thread_ = std::thread([this] {
      ember::setThreadName("master-webui");
      server_.listen_after_bind();
      done_ = true;
    });
    while (!server_.is_running() && !done_)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ~StatusServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::function<MasterStatus()> status_;
  httplib::Server server_;
  int port_ = 0;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

ember::cli::Command kMaster{
    "master", "Run the master of a standalone cluster (registry of workers, status page)",
    [](CLI::App& sub) {
      auto a = std::make_shared<MasterArgs>();
      sub.add_option("--host", a->host, "address to listen on and advertise (default 127.0.0.1)");
      sub.add_option("--port", a->port, "port (default 7077; 0 = any free port)");
      sub.add_option("--webui-port", a->webuiPort,
                     "port of the status page (default 8080, the next free one if taken; 0 = any "
                     "free port)");
      sub.add_option("--conf", a->conf, "key=value settings (ember.authenticate, ...)")->take_all();
      return [a] {
        ember::cluster::MasterOptions o;
        o.host = a->host;
        o.port = a->port;
        o.conf = loadConf(a->conf);
        o.onStarted = [a](std::function<MasterStatus()> status) -> std::function<void()> {
          auto server = std::make_shared<StatusServer>(std::move(status), a->host, a->webuiPort);
          std::cout << "ember master web UI at http://" << a->host << ":" << server->port()
                    << std::endl;
          return [server]() mutable { server.reset(); };
        };
        return ember::cluster::runMaster(o);
      };
    }};
}  // namespace
