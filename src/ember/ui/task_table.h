// The task rows of one stage attempt (StageRow::tasks in app_store.h), sorted by task id.
//
// The UI store updates a row twice per task (start, end) on the event bus dispatcher, so
// this is laid out for that: rows live in one vector in task-id order. Tasks start in
// nearly the order of their ids, so a start appends (or inserts a few rows from the end)
// and an end finds its row by its offset from the first id, falling back to a binary
// search: no allocation per task and no tree to walk. Erased rows become tombstones,
// skipped once they reach the front and compacted away when they outnumber the live
// rows, so retention (which drops the oldest rows, while running ones stay) costs O(1)
// amortised. Iteration skips tombstones and yields std::pair<int64_t, TaskRow> (id, row)
// like a std::map, in id order.
//
// Threading: none (the store's lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/core/events.h"

namespace ember::ui {

// A stage has a row per task (100,000 for a big stage), each written by the dispatcher:
// the row is kept small (the memory a stage's rows first touch costs page faults), so the
// two texts every task has are views, not copies.
struct TaskRow {
  int64_t taskId = 0;
  int partition = 0;
  int attempt = 0;
  // The id of the executor, a view of its ExecutorRow::id (executor rows are never
  // erased, so the view lives as long as the store).
  std::string_view executorId;
  int64_t launchTime = 0;
  int64_t finishTime = 0;   // 0 while running
  std::string_view status;  // a literal: RUNNING, SUCCESS, FAILED, KILLED
  std::string error;        // the failure reason; empty on success
  TaskMetrics metrics;
};

struct TaskTableEntry {
  std::pair<int64_t, TaskRow> kv;  // (task id, row), as a std::map's value
  bool live = true;
};

class TaskTable {
 public:
  using value_type = std::pair<int64_t, TaskRow>;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = TaskTable::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() = default;
    reference operator*() const { return it_->kv; }
    pointer operator->() const { return &it_->kv; }
    const_iterator& operator++() {
      ++it_;
      skipDead();
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }

   private:
    friend class TaskTable;
    using Base = std::vector<TaskTableEntry>::const_iterator;
    const_iterator(Base it, Base end) : it_(it), end_(end) { skipDead(); }
    void skipDead();
    Base it_{};
    Base end_{};
  };

  // The row of `taskId`, created (default values, taskId set) if absent.
  TaskRow& insert(int64_t taskId);
  // The row of `taskId`, or null.
  TaskRow* find(int64_t taskId);
  const TaskRow* find(int64_t taskId) const;
  // Removes the row; false if absent.
  bool erase(int64_t taskId);
  // Room for n rows (a stage's task count, capped by retention): growing a vector of
  // 100,000 rows step by step costs more than filling it.
  void reserve(size_t n) { rows_.reserve(n); }

  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  const_iterator begin() const { return {rows_.begin() + head(), rows_.end()}; }
  const_iterator end() const { return {rows_.end(), rows_.end()}; }

 private:
  using Iter = std::vector<TaskTableEntry>::iterator;
  std::ptrdiff_t head() const { return static_cast<std::ptrdiff_t>(head_); }
  // The first entry from head_ on whose id is not below taskId (tombstones included).
  Iter lowerBound(int64_t taskId);
  void dropDead();

  // rows_[head_..] by task id, tombstones included; rows_[..head_) are dropped rows not
  // yet reclaimed.
  std::vector<TaskTableEntry> rows_;
  size_t head_ = 0;
  size_t live_ = 0;
};

inline void TaskTable::const_iterator::skipDead() {
  while (it_ != end_ && !it_->live) ++it_;
}

}  // namespace ember::ui
