#include "ember/core/event_bus.h"

#include <cxxabi.h>

#include <algorithm>
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

void deliverEvents(EventListener& l, std::span<const SchedulerEvent> events) {
  for (const SchedulerEvent& event : events) {
    try {
      deliverEvent(l, event);
    } catch (const std::exception& e) {
      logError("listener {} threw on {}: {}", demangledTypeName(l), kEventNames[event.index()],
               e.what());
    } catch (...) {
      logError("listener {} threw a non-standard exception on {}", demangledTypeName(l),
               kEventNames[event.index()]);
    }
  }
}

void EventListener::onEvents(std::span<const SchedulerEvent> events) {
  deliverEvents(*this, events);
}

EventBus::EventBus(size_t capacity, std::chrono::milliseconds stallTimeout)
    : capacity_(capacity),
      stallTimeout_(stallTimeout),
      listeners_(std::make_shared<const ListenerList>()) {
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
  bool stalledNow = false;
  {
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (pending_ >= capacity_) {
      waitForRoom(lock, stalledNow);
      if (stopping_) return;
    }
    if (pending_ >= capacity_ * kOverflowFactor) {
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
  if (stalledNow) {
    logWarn(
        "event bus: the listeners delivered nothing for {} ms with {} events queued; events "
        "are queued beyond ember.scheduler.listenerbus.eventqueue.capacity (a listener "
        "callback may be blocked)",
        stallTimeout_.count(), capacity_);
  }
  if (droppedNow > 0) {
    logWarn(
        "event queue overflow: dropped {} events (a listener is blocked or too slow; {} "
        "events queued, ember.scheduler.listenerbus.eventqueue.capacity is {})",
        droppedNow, capacity_ * kOverflowFactor, capacity_);
  }
}

void EventBus::waitForRoom(std::unique_lock<std::mutex>& lock, bool& warnStall) {
  // A listener posting, or nobody to make room: waiting could never end. Once a stall
  // was seen, later posts do not wait again until the dispatcher moves.
  if (onDispatcherThread() || state_ != State::kStarted || stallMark_ == deliveredCount_) return;
  ++blockedPosts_;
  ++waitingPosters_;
  uint64_t seen = deliveredCount_;
  auto lastProgress = std::chrono::steady_clock::now();
  while (pending_ >= capacity_ && !stopping_) {
    roomCv_.wait_for(lock, std::chrono::milliseconds(50));
    auto now = std::chrono::steady_clock::now();
    if (deliveredCount_ != seen) {
      seen = deliveredCount_;
      lastProgress = now;
    } else if (now - lastProgress >= stallTimeout_) {
      stallMark_ = deliveredCount_;
      warnStall = !warnedStall_;
      warnedStall_ = true;
      break;
    }
  }
  --waitingPosters_;
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
  roomCv_.notify_all();
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

int64_t EventBus::blockedPosts() const {
  std::lock_guard lock(mu_);
  return blockedPosts_;
}

void EventBus::delivered(size_t n) {
  std::lock_guard lock(mu_);
  pending_ -= n;
  deliveredCount_ += n;
  if (waitingPosters_ > 0 && pending_ < capacity_) roomCv_.notify_all();
  if (pending_ == 0) emptyCv_.notify_all();
}

namespace {
constexpr std::chrono::microseconds kLinger{500};
// Delivered events are accounted in chunks, so that posters waiting for room resume
// before a large batch is through, at one lock per chunk.
constexpr size_t kChunk = 256;
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
    batch.clear();
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
  for (size_t begin = 0; begin < batch.size(); begin += kChunk) {
    const size_t end = std::min(batch.size(), begin + kChunk);
    const std::span<const SchedulerEvent> chunk(batch.data() + begin, end - begin);
    for (const auto& listener : *listeners) {
      // onEvents() keeps going past a failing event; an override that throws anyway
      // loses the rest of the chunk for itself only.
      try {
        listener->onEvents(chunk);
      } catch (const std::exception& e) {
        logError("listener {} threw on a batch of {} events: {}", demangledTypeName(*listener),
                 chunk.size(), e.what());
      } catch (...) {
        logError("listener {} threw a non-standard exception on a batch of {} events",
                 demangledTypeName(*listener), chunk.size());
      }
    }
    delivered(end - begin);
  }
}

}  // namespace ember
