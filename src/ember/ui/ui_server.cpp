#include "ember/ui/ui_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>

#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/ui/pages.h"

namespace ember::ui {

namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kJson = "application/json";

Query queryOf(const httplib::Request& req) {
  Query q;
  for (const auto& [k, v] : req.params) q[k] = v;
  return q;
}

void notFound(httplib::Response& res, const std::string& what) {
  res.status = 404;
  res.set_content("not found: " + what + "\n", "text/plain");
}

std::string appListPage(AppSource& source) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& id : source.appIds()) {
    auto store = source.store(id);
    if (!store) continue;
    rows.push_back(store->read([&](const AppState& s) {
      int64_t end = s.endTime > 0 ? s.endTime : s.lastUpdated;
      return std::vector<std::string>{
          fmt::format("<a class=\"app-link\" href=\"/history/{}/jobs/\">{}</a>", urlEncode(id),
                      esc(id)),
          esc(s.appName),
          esc(fmtDateTime(s.startTime)),
          s.endTime > 0 ? esc(fmtDateTime(s.endTime)) : "(in progress)",
          fmtDuration(std::max<int64_t>(0, end - s.startTime)),
          esc(fmtDateTime(s.lastUpdated))};
    }));
  }
  AppState none;
  none.appName = "History Server";
  none.appId = "";
  std::string body =
      table("applications",
            {"App ID", "App Name", "Started", "Completed", "Duration", "Last Updated"}, rows);
  // The frame's tabs need an application; the list page has none, so it is plain.
  return fmt::format(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"icon\" "
      "href=\"data:,\"><title>Ember History Server</title>"
      "<style>{}</style></head><body><header><a class=\"brand\" href=\"/\">Ember</a>"
      "<span class=\"app\">History Server</span></header><main><h1>Applications</h1>{}</main>"
      "<script>{}</script></body></html>",
      bundledCss(), body, bundledJs());
}

}  // namespace

UiServer::UiServer(std::shared_ptr<AppSource> source)
    : source_(std::move(source)), server_(std::make_unique<httplib::Server>()) {
  // Two threads suffice for a UI; connections are not kept alive, so a browser's idle
  // connections cannot hold them.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->set_keep_alive_max_count(1);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  // httplib's default options add SO_REUSEPORT, which would let two applications bind
  // the same port; only SO_REUSEADDR (restart without waiting for TIME_WAIT).
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  route();
}

UiServer::~UiServer() { stop(); }

void UiServer::route() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    try {
      const std::string& path = req.path;
      AppSource& src = *source_;
      if (path == "/metrics/prometheus" && !src.history()) {
        auto ids = src.appIds();
        if (ids.empty()) return notFound(res, path);
        auto blocks = src.blocks(ids[0]);
        std::string text =
            src.store(ids[0])->read([&](const AppState& s) { return prometheusText(s, blocks); });
        res.set_content(text, "text/plain; version=0.0.4");
        return;
      }
      const std::string api = "/api/v1/applications";
      if (path.rfind(api, 0) == 0) {
        std::string rest = path.substr(api.size());
        if (rest.empty() || rest == "/") {
          Json out = Json::array();
          for (const auto& id : src.appIds())
            if (auto st = src.store(id))
              out.push_back(st->read([](const AppState& s) { return applicationJson(s); }));
          res.set_content(out.dump(2), kJson);
          return;
        }
        size_t slash = rest.find('/', 1);
        std::string appId =
            rest.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
        std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
        auto store = src.store(appId);
        if (!store) return notFound(res, "application " + appId);
        auto blocks = src.blocks(appId);
        Query q = queryOf(req);
        auto answer = store->read([&](const AppState& s) { return restAnswer(s, sub, q, blocks); });
        if (!answer) return notFound(res, path);
        res.set_content(answer->dump(2), kJson);
        return;
      }
      if (src.history()) {
        if (path == "/") return res.set_content(appListPage(src), kHtml);
        const std::string prefix = "/history/";
        if (path.rfind(prefix, 0) != 0) return notFound(res, path);
        size_t slash = path.find('/', prefix.size());
        std::string appId = path.substr(
            prefix.size(), slash == std::string::npos ? std::string::npos : slash - prefix.size());
        std::string page = slash == std::string::npos ? "/" : path.substr(slash);
        auto store = src.store(appId);
        if (!store) return notFound(res, "application " + appId);
        PageBase b{"/history/" + appId, true};
        Query q = queryOf(req);
        auto html = store->read(
            [&](const AppState& s) { return renderPage(s, b, page, q, StorageBlocks{}); });
        if (!html) return notFound(res, path);
        return res.set_content(*html, kHtml);
      }
      auto ids = src.appIds();
      if (ids.empty()) return notFound(res, path);
      if (path == "/") return res.set_redirect("/jobs/");
      auto blocks = src.blocks(ids[0]);
      Query q = queryOf(req);
      const int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      auto html = src.store(ids[0])->read([&](const AppState& s) {
        return renderPage(s, PageBase{"", false, nowMs, src.droppedEvents()}, path, q, blocks);
      });
      if (!html) return notFound(res, path);
      res.set_content(*html, kHtml);
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(std::string("error: ") + e.what() + "\n", "text/plain");
    }
  };
  server_->Get(".*", handler);
}

int UiServer::start(const std::string& host, int port, int maxRetries) {
  EMBER_CHECK(!thread_.joinable(), "UiServer::start called twice");
  bool bound = false;
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    bound = port_ > 0;
  } else {
    for (int p = port; p <= port + maxRetries && p <= 65535; ++p) {
      if (server_->bind_to_port(host, p)) {
        port_ = p;
        bound = true;
        break;
      }
    }
  }
  if (!bound)
    throw IoError(
        fmt::format("no free port for the UI on {} in {}..{}", host, port, port + maxRetries));
  auto done = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, done] {
    setThreadName("ui-server");
    if (!server_->listen_after_bind()) logWarn("UI server on port {} stopped with an error", port_);
    *done = true;
  });
  // stop() before the accept loop runs would be lost (httplib only stops a running
  // server), so wait until it runs.
  while (!server_->is_running() && !*done)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  return port_;
}

void UiServer::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace ember::ui
