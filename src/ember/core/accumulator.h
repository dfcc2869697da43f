// Accumulators: counters and sums that tasks add to and the driver reads.
//
// An Accumulator<T, Op> handle is trivially copyable (an id), so closures capture
// it. Inside a task, add() updates a partial value in the TaskContext; the partial
// reaches the driver with the task's result and is merged only if the task succeeded,
// so failed attempts are not counted. (Like Spark, updates made inside
// transformations may count twice when a stage is recomputed; updates in actions
// count once per partition.) Op must be associative and commutative; T{} is its zero.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ember/common/serde.h"
#include "ember/core/task_context.h"

namespace ember {

class AccumulatorState {
 public:
  virtual ~AccumulatorState() = default;
  virtual void merge(std::string_view partialBytes) = 0;
};

// Driver-side values of all accumulators of this process.
class AccumulatorRegistry {
 public:
  static AccumulatorRegistry& global();
  int64_t add(std::unique_ptr<AccumulatorState> state);
  void merge(int64_t id, std::string_view partialBytes);
  template <class S, class F>
  auto with(int64_t id, F&& f) {
    std::lock_guard lock(mutex_);
    return f(static_cast<S&>(*states_.at(id)));
  }

 private:
  std::mutex mutex_;
  std::map<int64_t, std::unique_ptr<AccumulatorState>> states_;
  int64_t nextId_ = 1;
};

template <class T, class Op = std::plus<T>>
class Accumulator {
 public:
  struct State : AccumulatorState {
    explicit State(T v) : value(std::move(v)) {}
    void merge(std::string_view bytes) override { value = Op{}(value, deserializeFromString<T>(bytes)); }
    T value;
  };
  struct Partial : AccumulatorPartial {
    T value{};
    std::string serialize() const override { return serializeToString(value); }
  };

  Accumulator() = default;
  explicit Accumulator(int64_t id) : id_(id) {}
  static Accumulator create(T initial) {
    return Accumulator(AccumulatorRegistry::global().add(std::make_unique<State>(std::move(initial))));
  }

  void add(const T& v) const {
    if (TaskContext* ctx = TaskContext::current()) {
      auto& p = ctx->accumulatorPartial<Partial>(id_, [] { return std::make_unique<Partial>(); });
      p.value = Op{}(p.value, v);
    } else {
      AccumulatorRegistry::global().with<State>(id_, [&](State& s) {
        s.value = Op{}(s.value, v);
        return 0;
      });
    }
  }
  // The merged value of all successful tasks (driver only).
  T value() const {
    return AccumulatorRegistry::global().with<State>(id_, [](State& s) { return s.value; });
  }
  int64_t id() const { return id_; }

 private:
  int64_t id_ = 0;
};

}  // namespace ember
