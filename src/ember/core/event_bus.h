// The asynchronous bus that carries scheduler events (events.h) to listeners, as Spark's
// LiveListenerBus.
//
// Posting is on the scheduler's and tasks' hot path, so post() only moves the event into
// a bounded in-memory queue under a mutex (and wakes the dispatcher if it sleeps). One
// dispatcher thread, started by start(), takes the queued events in batches and calls
// every listener for each event, in posting order. Events posted before start() are kept
// and delivered once it runs. After a batch the dispatcher lingers 0.5 ms before it
// sleeps, so a stream of events (two per task) costs no wake-up per event; delivery
// may lag posting by that much.
//
// Overload: when `capacity` events are waiting or being delivered, further events are
// dropped and counted (droppedEvents()), with a single warning; listeners that must not
// miss events (the event log) need a large enough capacity
// (ember.scheduler.listenerbus.eventqueue.capacity).
//
// Listener failures: an exception from a callback is logged; delivery continues with the
// next listener and event.
//
// Threading: every method is thread-safe. Listeners run on the dispatcher thread and may
// call post(), addListener() and removeListener(), but not stop() or waitUntilEmpty()
// (they would wait for themselves; this throws InternalError).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/core/events.h"

namespace ember {

class EventBus {
 public:
  static constexpr size_t kDefaultCapacity = 10000;

  explicit EventBus(size_t capacity = kDefaultCapacity);
  // Calls stop().
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // A listener added while events are being delivered receives the events of the next
  // batch onwards.
  void addListener(std::shared_ptr<EventListener> listener);
  // Once this returns (when called from outside the dispatcher), the listener receives no
  // further callbacks. Waits for the batch being delivered, so do not call it while
  // holding a lock that a listener callback may need.
  void removeListener(const std::shared_ptr<EventListener>& listener);

  // Queues the event (any type of SchedulerEvent converts implicitly). Never blocks on
  // listeners. Dropped and counted if the queue is full; ignored after stop().
  void post(SchedulerEvent event);

  // Starts the dispatcher thread; UserError if already started or stopped.
  void start();
  // Delivers the events queued so far, then joins the dispatcher. Idempotent. A bus that
  // was never started discards its queue.
  void stop();
  // True once every posted event has been delivered; false on timeout.
  bool waitUntilEmpty(int64_t timeoutMs);

  int64_t droppedEvents() const;
  size_t capacity() const { return capacity_; }

 private:
  using ListenerList = std::vector<std::shared_ptr<EventListener>>;
  enum class State { kCreated, kStarted, kStopped };

  void run();
  void deliverBatch(const std::vector<SchedulerEvent>& batch);
  bool onDispatcherThread() const;

  const size_t capacity_;

  mutable std::mutex mu_;              // guards everything below up to thread_
  std::condition_variable wakeCv_;     // dispatcher waits here for events or stop
  std::condition_variable emptyCv_;    // waitUntilEmpty waits here
  std::vector<SchedulerEvent> queue_;  // posted, not yet taken by the dispatcher
  size_t pending_ = 0;                 // queued + in the batch being delivered
  bool dispatcherWaiting_ = false;     // post() notifies only when this is set
  bool stopping_ = false;
  State state_ = State::kCreated;
  int64_t dropped_ = 0;
  bool warnedFull_ = false;
  std::thread thread_;

  std::mutex listenersMu_;
  std::shared_ptr<const ListenerList> listeners_;  // copy-on-write
  std::mutex deliveryMu_;  // held by the dispatcher while it delivers a batch
};

}  // namespace ember
