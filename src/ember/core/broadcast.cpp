#include "ember/core/broadcast.h"

namespace ember {

BroadcastManager& BroadcastManager::global() {
  static BroadcastManager m;
  return m;
}

int64_t BroadcastManager::add(std::string bytes, std::shared_ptr<const void> driverValue) {
  std::lock_guard lock(mutex_);
  int64_t id = nextId_++;
  entries_[id] = Entry{std::move(bytes), std::move(driverValue), nullptr};
  return id;
}

std::string BroadcastManager::bytes(int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end())
    throw UserError("broadcast " + std::to_string(id) +
                    " is not available: it was destroyed, or created by another driver");
  return it->second.bytes;
}

std::shared_ptr<const void> BroadcastManager::executorValue(
    int64_t id, const std::function<std::shared_ptr<const void>(std::string_view)>& make) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(id);
  if (it != entries_.end() && it->second.executorValue) return it->second.executorValue;
  std::string b;
  if (it != entries_.end()) {
    b = it->second.bytes;
  } else if (fetch_) {
    lock.unlock();
    b = fetch_(id);
    lock.lock();
  } else {
    throw UserError("broadcast " + std::to_string(id) + " is not available: it was destroyed");
  }
  lock.unlock();
  auto value = make(b);  // deserialise outside the lock; a racing task may do the same
  lock.lock();
  auto& e = entries_[id];
  if (!e.executorValue) e.executorValue = value;
  if (e.bytes.empty()) e.bytes = std::move(b);
  return e.executorValue;
}

std::shared_ptr<const void> BroadcastManager::driverValue(int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.driverValue)
    throw UserError("broadcast " + std::to_string(id) + " was destroyed; create a new one");
  return it->second.driverValue;
}

void BroadcastManager::remove(int64_t id) {
  std::lock_guard lock(mutex_);
  entries_.erase(id);
}

void BroadcastManager::setFetcher(std::function<std::string(int64_t)> fetch) {
  std::lock_guard lock(mutex_);
  fetch_ = std::move(fetch);
}

}  // namespace ember
