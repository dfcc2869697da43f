// Broadcast variables: read-only values shipped once per executor, not once per task.
//
// A Broadcast<T> handle is trivially copyable (it holds only an id), so closures can
// capture it. The driver keeps the serialised value; inside a task, value()
// deserialises it once per executor process and caches the object (in cluster mode
// the bytes are fetched from the driver). On the driver, value() returns the original.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ember/common/serde.h"
#include "ember/core/task_context.h"

namespace ember {

class BroadcastManager {
 public:
  static BroadcastManager& global();

  int64_t add(std::string bytes, std::shared_ptr<const void> driverValue);
  // The executor-side object, deserialised from the bytes on first use.
  std::shared_ptr<const void> executorValue(
      int64_t id, const std::function<std::shared_ptr<const void>(std::string_view)>& make);
  std::shared_ptr<const void> driverValue(int64_t id);
  void remove(int64_t id);
  // Where executors without the bytes get them (cluster mode sets this).
  void setFetcher(std::function<std::string(int64_t)> fetch);
  std::string bytes(int64_t id);

 private:
  struct Entry {
    std::string bytes;
    std::shared_ptr<const void> driverValue;
    std::shared_ptr<const void> executorValue;
  };
  std::mutex mutex_;
  std::map<int64_t, Entry> entries_;
  std::function<std::string(int64_t)> fetch_;
  int64_t nextId_ = 1;
};

template <class T>
class Broadcast {
 public:
  Broadcast() = default;
  explicit Broadcast(int64_t id) : id_(id) {}
  int64_t id() const { return id_; }

  const T& value() const {
    auto& m = BroadcastManager::global();
    std::shared_ptr<const void> p;
    if (TaskContext::current()) {
      p = m.executorValue(id_, [](std::string_view bytes) -> std::shared_ptr<const void> {
        return std::make_shared<const T>(deserializeFromString<T>(bytes));
      });
    } else {
      p = m.driverValue(id_);
    }
    // The manager keeps the object alive until destroy().
    return *static_cast<const T*>(p.get());
  }
  // Frees the value everywhere; using the handle afterwards is an error.
  void destroy() const { BroadcastManager::global().remove(id_); }

 private:
  int64_t id_ = 0;
};

}  // namespace ember
