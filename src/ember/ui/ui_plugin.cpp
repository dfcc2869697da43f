// The Context plugin that attaches the web UI and the event log to every application
// (core/context_plugin.h).
//
// The plugin runs after the bus has delivered (or is about to deliver) ApplicationStart
// and the driver's ExecutorAdded, and the bus replays nothing; so it seeds the store and
// the log with those two events itself before it adds them as listeners. Both drop the
// duplicates the bus may still deliver.
#include "ember/ui/ui_plugin.h"

#include <chrono>
#include <map>
#include <mutex>

#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/block_manager.h"
#include "ember/core/context.h"
#include "ember/core/context_plugin.h"
#include "ember/core/event_bus.h"
#include "ember/ui/event_log.h"
#include "ember/ui/ui_config.h"
#include "ember/ui/ui_server.h"

namespace ember::ui {

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::mutex gPortsMu;
std::map<std::string, int> gPorts;  // live UIs by application id

class LiveSource : public AppSource {
 public:
  LiveSource(std::string appId, std::shared_ptr<AppStore> store, Context& ctx)
      : appId_(std::move(appId)), store_(std::move(store)), ctx_(ctx) {}
  bool history() const override { return false; }
  std::vector<std::string> appIds() override { return {appId_}; }
  std::shared_ptr<const AppStore> store(const std::string& appId) override {
    return appId == appId_ ? store_ : nullptr;
  }
  // Safe while the server runs: the plugin stops the server before the Context
  // releases its block manager.
  StorageBlocks blocks(const std::string& appId) override {
    return appId == appId_ ? ctx_.blockManager().blocks() : StorageBlocks{};
  }
  int64_t droppedEvents() override { return ctx_.eventBus().droppedEvents(); }

 private:
  std::string appId_;
  std::shared_ptr<AppStore> store_;
  Context& ctx_;
};

class UiPlugin : public ContextPlugin {
 public:
  explicit UiPlugin(Context& ctx) : ctx_(ctx), appId_(ctx.appId()) {
    const Config& conf = ctx.conf();
    std::vector<SchedulerEvent> seeds{
        ApplicationStart{ctx.appId(), conf.get("ember.app.name"), ctx.master(), nowMs()}};
    // In local mode the driver is the one executor. Cluster executors announce themselves
    // (the store also adds an executor it first sees in a TaskStart).
    MasterSpec spec;
    try {
      spec = MasterSpec::parse(ctx.master());
    } catch (const EmberError&) {
    }
    if (spec.kind == "local")
      seeds.push_back(ExecutorAdded{ctx.env().executorId, "localhost", spec.slots, nowMs()});
    EnvironmentUpdate env;
    for (auto& [k, v, origin] : conf.entries(/*redact=*/true)) env.properties.emplace_back(k, v);

    if (conf.getBool("ember.eventLog.enabled")) {
      try {
        log_ = std::make_shared<EventLogWriter>(conf.get("ember.eventLog.dir"), ctx.appId(),
                                                conf.getBool("ember.eventLog.compress"), env);
        for (const auto& e : seeds) deliverEvent(*log_, e);
        ctx.addListener(log_);
      } catch (const IoError& e) {
        // Observability must not take the application down.
        logError("{}; running without an event log", e.what());
        log_.reset();
      }
    }
    if (conf.getBool("ember.ui.enabled")) {
      store_ = std::make_shared<AppStore>(retentionLimits(conf));
      store_->setEnvironment(env.properties);
      for (const auto& e : seeds) deliverEvent(*store_, e);
      ctx.addListener(store_);
      server_ = std::make_unique<UiServer>(std::make_shared<LiveSource>(ctx.appId(), store_, ctx));
      std::string host = conf.get("ember.ui.host");
      try {
        int port = server_->start(host, static_cast<int>(conf.getInt("ember.ui.port")),
                                  static_cast<int>(conf.getInt("ember.ui.port.maxRetries")));
        logInfo("Ember UI at http://{}:{}", host, port);
        std::lock_guard lock(gPortsMu);
        gPorts[ctx.appId()] = port;
      } catch (const IoError& e) {
        logWarn("{}; running without the web UI (set ember.ui.port)", e.what());
        server_.reset();
      }
    }
  }

  void stop() override {
    if (server_) {
      server_->stop();
      std::lock_guard lock(gPortsMu);
      gPorts.erase(appId_);
    }
    if (log_) {
      log_->stop();
      if (int64_t dropped = ctx_.eventBus().droppedEvents())
        logWarn(
            "the event log {} misses {} events the event bus dropped while a listener was "
            "blocked (see the earlier event bus warnings)",
            log_->path(), dropped);
    }
  }

 private:
  Context& ctx_;  // outlives the plugin (context_plugin.h)
  std::string appId_;
  std::shared_ptr<AppStore> store_;
  std::shared_ptr<EventLogWriter> log_;
  std::unique_ptr<UiServer> server_;
};

const bool kRegistered = [] {
  registerUiKeys();
  return registerContextPlugin("ui", [](Context& ctx) -> std::unique_ptr<ContextPlugin> {
    const Config& conf = ctx.conf();
    if (!conf.getBool("ember.ui.enabled") && !conf.getBool("ember.eventLog.enabled"))
      return nullptr;
    return std::make_unique<UiPlugin>(ctx);
  });
}();

}  // namespace

std::optional<int> liveUiPort(const std::string& appId) {
  std::lock_guard lock(gPortsMu);
  auto it = gPorts.find(appId);
  if (it == gPorts.end()) return std::nullopt;
  return it->second;
}

void ensureUiPluginRegistered() { (void)kRegistered; }

}  // namespace ember::ui
