#include "ember/ui/history.h"

#include <algorithm>

#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/ui/event_log.h"

namespace ember::ui {

std::shared_ptr<AppStore> loadEventLog(const std::string& path, RetentionLimits limits) {
  auto store = std::make_shared<AppStore>(limits);
  replayEventLog(path, [&](const LoggedEvent& e) {
    if (const auto* env = std::get_if<EnvironmentUpdate>(&e)) {
      store->setEnvironment(env->properties);
    } else {
      deliverEvent(*store, std::get<SchedulerEvent>(e));
    }
  });
  return store;
}

HistorySource::HistorySource(std::string dir, RetentionLimits limits)
    : dir_(std::move(dir)), limits_(limits) {
  std::lock_guard lock(mu_);
  refreshLocked();
}

void HistorySource::refreshLocked() {
  std::map<std::string, Entry> next;
  for (const auto& path : listEventLogs(dir_)) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    auto mtime = std::filesystem::last_write_time(path, ec);
    if (ec) continue;
    std::string id = appIdOfLog(path);
    auto old = apps_.find(id);
    if (old != apps_.end() && old->second.path == path && old->second.size == size &&
        old->second.mtime == mtime) {
      next[id] = old->second;
      continue;
    }
    try {
      Entry e{path, size, mtime, loadEventLog(path, limits_), 0};
      e.startTime = e.store->read([](const AppState& s) { return s.startTime; });
      next[id] = std::move(e);
    } catch (const std::exception& err) {
      logWarn("history: skipping {}: {}", path, err.what());
    }
  }
  apps_ = std::move(next);
}

std::vector<std::string> HistorySource::appIds() {
  std::lock_guard lock(mu_);
  try {
    refreshLocked();
  } catch (const IoError& e) {
    logWarn("history: {}", e.what());
  }
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& [id, e] : apps_) order.emplace_back(e.startTime, id);
  std::sort(order.rbegin(), order.rend());
  std::vector<std::string> out;
  for (auto& [t, id] : order) out.push_back(id);
  return out;
}

std::shared_ptr<const AppStore> HistorySource::store(const std::string& appId) {
  std::lock_guard lock(mu_);
  auto it = apps_.find(appId);
  return it == apps_.end() ? nullptr : it->second.store;
}

}  // namespace ember::ui
