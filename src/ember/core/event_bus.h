// The asynchronous bus that carries scheduler events (events.h) to listeners, as Spark's
// LiveListenerBus.
//
// Posting is on the scheduler's and tasks' hot path, so post() only moves the event into
// an in-memory queue under a mutex (and wakes the dispatcher if it sleeps). One
// dispatcher thread, started by start(), takes the queued events in batches and hands
// them to each listener in chunks of up to 256 (EventListener::onEvents(): a listener
// may pay a lock once per chunk), in posting order. Every listener sees every event in
// order; listeners are not in lockstep (one may be a chunk ahead of the next). Events posted before start() are kept
// and delivered once it runs. After a batch the dispatcher lingers 0.5 ms before it
// sleeps, so a stream of events (two per task) costs no wake-up per event; delivery
// may lag posting by that much.
//
// Overload: events are never dropped while the listeners keep up, even slowly. When
// `capacity` events are waiting or being delivered, post() applies back-pressure: it
// waits until the dispatcher has delivered some (the poster, a task slot or the
// scheduler, slows down to the listeners' pace). It does not wait, and queues the event
// beyond the capacity instead, when
//   - it is called by a listener (on the dispatcher thread: waiting would deadlock),
//   - the bus is not started yet, or
//   - the dispatcher has delivered nothing for `stallTimeout` (a listener is blocked,
//     perhaps on the very thread that posts; waiting longer could deadlock).
// The queue is bounded: beyond kOverflowFactor x capacity events are dropped and counted
// (droppedEvents()) with a single warning. That last resort only happens when a listener
// hangs or never-started buses are flooded. blockedPosts() counts the posts that waited.
//
// Listener failures: an exception from a callback is logged; delivery continues with the
// next event (deliverEvents()). An onEvents() override that throws loses the rest of
// that chunk for itself only.
//
// Threading: every method is thread-safe. Listeners run on the dispatcher thread and may
// call post(), addListener() and removeListener(), but not stop() or waitUntilEmpty()
// (they would wait for themselves; this throws InternalError).
#pragma once

#include <chrono>
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
  static constexpr size_t kOverflowFactor = 4;
  static constexpr std::chrono::milliseconds kDefaultStallTimeout{2000};

  // ConfigError if capacity is 0.
  explicit EventBus(size_t capacity = kDefaultCapacity,
                    std::chrono::milliseconds stallTimeout = kDefaultStallTimeout);
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

  // Queues the event (any type of SchedulerEvent converts implicitly). Waits while the
  // queue is full (see "Overload" above); ignored after stop().
  void post(SchedulerEvent event);

  // Starts the dispatcher thread; UserError if already started or stopped.
  void start();
  // Delivers the events queued so far, then joins the dispatcher. Idempotent. A bus that
  // was never started discards its queue.
  void stop();
  // True once every posted event has been delivered; false on timeout.
  bool waitUntilEmpty(int64_t timeoutMs);

  // Events dropped because the queue overflowed (a hung listener); normally 0.
  int64_t droppedEvents() const;
  // Posts that waited for room in the queue (back-pressure).
  int64_t blockedPosts() const;
  size_t capacity() const { return capacity_; }

 private:
  using ListenerList = std::vector<std::shared_ptr<EventListener>>;
  enum class State { kCreated, kStarted, kStopped };

  void run();
  void deliverBatch(const std::vector<SchedulerEvent>& batch);
  void delivered(size_t n);
  // With mu_ held and the queue full: waits for room, unless that could deadlock (see
  // "Overload"): the caller then queues beyond the capacity. Sets warnStall when a stall
  // is first detected.
  void waitForRoom(std::unique_lock<std::mutex>& lock, bool& warnStall);
  bool onDispatcherThread() const;

  const size_t capacity_;
  const std::chrono::milliseconds stallTimeout_;

  mutable std::mutex mu_;              // guards everything below up to thread_
  std::condition_variable wakeCv_;     // dispatcher waits here for events or stop
  std::condition_variable emptyCv_;    // waitUntilEmpty waits here
  std::condition_variable roomCv_;     // posters wait here for room in the queue
  std::vector<SchedulerEvent> queue_;  // posted, not yet taken by the dispatcher
  size_t pending_ = 0;                 // queued + in the batch being delivered
  uint64_t deliveredCount_ = 0;        // events delivered so far (progress, for stalls)
  int waitingPosters_ = 0;             // posters waiting on roomCv_
  int64_t blockedPosts_ = 0;
  bool warnedStall_ = false;
  uint64_t stallMark_ = UINT64_MAX;  // deliveredCount_ when posters gave up waiting
  bool dispatcherWaiting_ = false;   // post() notifies only when this is set
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
