#include "ember/ui/task_table.h"

#include <algorithm>

namespace ember::ui {

TaskTable::Iter TaskTable::lowerBound(int64_t taskId) {
  const Iter first = rows_.begin() + head();
  if (first == rows_.end() || taskId <= first->kv.first) return first;
  if (taskId > rows_.back().kv.first) return rows_.end();
  // Dense ids (one stage's tasks, submitted together): the offset from either end is
  // the position. Otherwise binary search.
  const auto n = static_cast<uint64_t>(rows_.end() - first);
  const auto fromFront = static_cast<uint64_t>(taskId - first->kv.first);
  if (fromFront < n && first[static_cast<std::ptrdiff_t>(fromFront)].kv.first == taskId)
    return first + static_cast<std::ptrdiff_t>(fromFront);
  const auto fromBack = static_cast<uint64_t>(rows_.back().kv.first - taskId);
  if (fromBack < n && rows_.end()[-1 - static_cast<std::ptrdiff_t>(fromBack)].kv.first == taskId)
    return rows_.end() - 1 - static_cast<std::ptrdiff_t>(fromBack);
  return std::lower_bound(first, rows_.end(), taskId,
                          [](const TaskTableEntry& e, int64_t id) { return e.kv.first < id; });
}

TaskRow& TaskTable::insert(int64_t taskId) {
  Iter it;
  if (head_ == rows_.size() || taskId > rows_.back().kv.first) {  // the common case
    rows_.emplace_back();  // built in place: no temporary row to move
    it = rows_.end() - 1;
    it->kv.first = taskId;
  } else {
    it = lowerBound(taskId);
    if (it != rows_.end() && it->kv.first == taskId) {
      if (it->live) return it->kv.second;
      it->live = true;
      it->kv.second = TaskRow{};
    } else {
      it = rows_.insert(it, {{taskId, TaskRow{}}, true});
    }
  }
  ++live_;
  it->kv.second.taskId = taskId;
  return it->kv.second;
}

TaskRow* TaskTable::find(int64_t taskId) {
  auto it = lowerBound(taskId);
  if (it == rows_.end() || it->kv.first != taskId || !it->live) return nullptr;
  return &it->kv.second;
}

const TaskRow* TaskTable::find(int64_t taskId) const {
  return const_cast<TaskTable*>(this)->find(taskId);
}

bool TaskTable::erase(int64_t taskId) {
  auto it = lowerBound(taskId);
  if (it == rows_.end() || it->kv.first != taskId || !it->live) return false;
  it->live = false;
  it->kv.second = TaskRow{};  // free the strings now; the tombstone keeps only its id
  --live_;
  dropDead();
  return true;
}

void TaskTable::dropDead() {
  while (head_ < rows_.size() && !rows_[head_].live) ++head_;
  // Reclaim the dropped prefix and the tombstones (behind a long-running task) once
  // they outnumber the live rows: memory stays proportional to the rows kept, at O(1)
  // amortised per erase.
  const size_t dead = rows_.size() - live_;
  if (dead > 64 && dead > live_) {
    std::erase_if(rows_, [](const TaskTableEntry& e) { return !e.live; });
    head_ = 0;
    // A finished stage trimmed by retention gives its memory back.
    if (rows_.capacity() > 4 * rows_.size() + 1024) rows_.shrink_to_fit();
  }
}

}  // namespace ember::ui
