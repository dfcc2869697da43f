// The HTTP server of the web UI, the REST API and the Prometheus endpoint (cpp-httplib).
//
// It serves the applications of an AppSource: the live application (ui_plugin.cpp) or
// the finished ones of an event log directory (history.h). Routes:
//   live:     /jobs/ /stages/ ... (pages.h), /api/v1/applications[/{appId}/...]
//             (rest_api.h), /metrics/prometheus
//   history:  / (list of applications), /history/{appId}/jobs/ ..., /api/v1/... as above
// Unknown paths or objects answer 404, a failure while rendering 500 with the message.
//
// Threading: start() binds and returns once the accept thread runs; requests are served
// by a small pool of threads; stop() (also from the destructor) closes the socket and
// joins every thread. Not copyable.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ember/ui/app_store.h"
#include "ember/ui/rest_api.h"

namespace httplib {
class Server;
}

namespace ember::ui {

class AppSource {
 public:
  virtual ~AppSource() = default;
  virtual bool history() const = 0;
  // Application ids, newest first.
  virtual std::vector<std::string> appIds() = 0;
  // The application's store, or null if unknown.
  virtual std::shared_ptr<const AppStore> store(const std::string& appId) = 0;
  // Cached blocks of a live application; empty in history.
  virtual StorageBlocks blocks(const std::string& /*appId*/) { return {}; }
  // Events the live bus dropped (queue full); 0 in history.
  virtual int64_t droppedEvents() { return 0; }
};

class UiServer {
 public:
  explicit UiServer(std::shared_ptr<AppSource> source);
  ~UiServer();
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;

  // Listens on host:port, or the first free port of port+1 .. port+maxRetries (port 0:
  // any free port). Returns the port bound; IoError if none is free.
  int start(const std::string& host, int port, int maxRetries);
  void stop();
  int port() const { return port_; }

 private:
  void route();

  std::shared_ptr<AppSource> source_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ember::ui
