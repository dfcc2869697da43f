#include "ember/core/event_bus.h"

#include <cxxabi.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>
#include <utility>

#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember {

namespace {

// Set on the dispatcher thread to the bus it serves: lets stop()/waitUntilEmpty() refuse
// to wait for themselves and removeListener() skip waiting for its own batch.
thread_local const EventBus* tDispatchingBus = nullptr;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

constexpr const char* kEventNames[] = {"ApplicationStart", "ApplicationEnd",    "ExecutorAdded",
                                       "ExecutorRemoved",  "JobStart",          "JobEnd",
                                       "StageSubmitted",   "StageCompleted",    "TaskStart",
                                       "TaskEnd",          "SqlExecutionStart", "SqlExecutionEnd"};
static_assert(std::size(kEventNames) == std::variant_size_v<SchedulerEvent>);

std::string demangledTypeName(const EventListener& listener) {
  const char* mangled = typeid(listener).name();
  int status = 0;
  char* name = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string result = status == 0 && name ? name : mangled;
  std::free(name);
  return result;
}

}  // namespace

void deliverEvent(EventListener& l, const SchedulerEvent& event) {
  std::visit(Overloaded{
                 [&](const ApplicationStart& e) { l.onApplicationStart(e); },
                 [&](const ApplicationEnd& e) { l.onApplicationEnd(e); },
                 [&](const ExecutorAdded& e) { l.onExecutorAdded(e); },
                 [&](const ExecutorRemoved& e) { l.onExecutorRemoved(e); },
                 [&](const JobStart& e) { l.onJobStart(e); },
                 [&](const JobEnd& e) { l.onJobEnd(e); },
                 [&](const StageSubmitted& e) { l.onStageSubmitted(e); },
                 [&](const StageCompleted& e) { l.onStageCompleted(e); },
                 [&](const TaskStart& e) { l.onTaskStart(e); },
                 [&](const TaskEnd& e) { l.onTaskEnd(e); },
                 [&](const SqlExecutionStart& e) { l.onSqlExecutionStart(e); },
                 [&](const SqlExecutionEnd& e) { l.onSqlExecutionEnd(e); },
             },
             event);
}

EventBus::EventBus(size_t capacity)
    : capacity_(capacity), listeners_(std::make_shared<const ListenerList>()) {
  if (capacity == 0) {
    throw ConfigError(
        "event bus capacity must be at least 1; set "
        "ember.scheduler.listenerbus.eventqueue.capacity to a positive number");
  }
}

EventBus::~EventBus() { stop(); }

bool EventBus::onDispatcherThread() const { return tDispatchingBus == this; }

void EventBus::addListener(std::shared_ptr<EventListener> listener) {
  EMBER_CHECK(listener != nullptr, "EventBus::addListener(nullptr)");
  std::lock_guard lock(listenersMu_);
  auto next = std::make_shared<ListenerList>(*listeners_);
  next->push_back(std::move(listener));
  listeners_ = std::move(next);
}

void EventBus::removeListener(const std::shared_ptr<EventListener>& listener) {
  {
    std::lock_guard lock(listenersMu_);
    auto next = std::make_shared<ListenerList>();
    for (const auto& l : *listeners_) {
      if (l != listener) next->push_back(l);
    }
    listeners_ = std::move(next);
  }
  // The batch in flight uses the old list; wait for it so that no callback reaches the
  // listener after we return. On the dispatcher thread we are inside that batch.
  if (!onDispatcherThread()) {
    std::lock_guard waitForBatch(deliveryMu_);
  }
}

void EventBus::post(SchedulerEvent event) {
  bool notify = false;
  int64_t droppedNow = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (pending_ >= capacity_) {
      ++dropped_;
      if (!warnedFull_) {
        warnedFull_ = true;
        droppedNow = dropped_;
      }
    } else {
      queue_.push_back(std::move(event));
      ++pending_;
      // Waking a thread costs a syscall; only pay it when the dispatcher sleeps, and only
      // once until it has looked at the queue again.
      notify = dispatcherWaiting_;
      dispatcherWaiting_ = false;
    }
  }
  if (notify) wakeCv_.notify_one();
  if (droppedNow > 0) {
    logWarn(
        "event queue full: dropped {} events; raise "
        "ember.scheduler.listenerbus.eventqueue.capacity (now {})",
        droppedNow, capacity_);
  }
}

void EventBus::start() {
  std::lock_guard lock(mu_);
  if (state_ != State::kCreated) {
    throw UserError(state_ == State::kStarted
                        ? "event bus: start() called twice; start it once per application"
                        : "event bus: start() after stop(); a stopped bus cannot restart");
  }
  state_ = State::kStarted;
  thread_ = std::thread([this] { run(); });
}

void EventBus::stop() {
  EMBER_CHECK(!onDispatcherThread(), "EventBus::stop() called from a listener callback");
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kStopped) return;
    stopping_ = true;
    if (state_ == State::kCreated) {
      state_ = State::kStopped;
      queue_.clear();
      pending_ = 0;
      emptyCv_.notify_all();
      return;
    }
    state_ = State::kStopped;
  }
  wakeCv_.notify_one();
  thread_.join();
}

bool EventBus::waitUntilEmpty(int64_t timeoutMs) {
  EMBER_CHECK(!onDispatcherThread(), "EventBus::waitUntilEmpty() called from a listener");
  std::unique_lock lock(mu_);
  return emptyCv_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [this] { return pending_ == 0; });
}

int64_t EventBus::droppedEvents() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

namespace {
constexpr std::chrono::microseconds kLinger{500};
}  // namespace

void EventBus::run() {
  setThreadName("event-bus");
  tDispatchingBus = this;
  // Swapping whole batches out keeps the dispatcher off the mutex while listeners run,
  // so posters rarely contend; the two vectors trade places and keep their capacity.
  std::vector<SchedulerEvent> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Linger a moment before sleeping: while jobs run, events come in a stream
      // (two per task), and a wake-up per event (a futex call by the posting task
      // slot, a context switch here) cost more than delivering them. Posts made while
      // lingering do not notify; they are picked up within kLinger.
      if (queue_.empty() && !stopping_)
        wakeCv_.wait_for(lock, kLinger, [this] { return stopping_; });
      while (queue_.empty() && !stopping_) {
        dispatcherWaiting_ = true;
        wakeCv_.wait(lock);
      }
      dispatcherWaiting_ = false;
      if (queue_.empty()) break;  // stopping, and everything posted has been delivered
      batch.swap(queue_);
    }
    deliverBatch(batch);
    size_t delivered = batch.size();
    batch.clear();
    std::lock_guard lock(mu_);
    pending_ -= delivered;
    if (pending_ == 0) emptyCv_.notify_all();
  }
  tDispatchingBus = nullptr;
}

void EventBus::deliverBatch(const std::vector<SchedulerEvent>& batch) {
  std::lock_guard delivering(deliveryMu_);
  std::shared_ptr<const ListenerList> listeners;
  {
    std::lock_guard lock(listenersMu_);
    listeners = listeners_;
  }
  for (const SchedulerEvent& event : batch) {
    for (const auto& listener : *listeners) {
      try {
        deliverEvent(*listener, event);
      } catch (const std::exception& e) {
        logError("listener {} threw on {}: {}", demangledTypeName(*listener),
                 kEventNames[event.index()], e.what());
      } catch (...) {
        logError("listener {} threw a non-standard exception on {}", demangledTypeName(*listener),
                 kEventNames[event.index()]);
      }
    }
  }
}

}  // namespace ember
