// Sorts a partition's records within the executor's memory budget: records are
// buffered while the memory manager grants room; when it refuses, the buffer is
// sorted and written as a run to disk; the result is a k-way merge of the runs and
// the final buffer.
#pragma once

#include <algorithm>
#include <memory>
#include <queue>
#include <vector>

#include "ember/common/size_estimate.h"
#include "ember/rdd/record_io.h"
#include "ember/rdd/spill.h"
#include "ember/storage/memory_manager.h"

namespace ember {

template <class T, class Less>
class ExternalSorter {
 public:
  ExternalSorter(TaskContext& ctx, Less less)
      : ctx_(ctx), less_(less), mem_(ctx.env().memory, ctx.taskAttemptId(), "external sort") {}

  void insert(T&& x) {
    int64_t delta = SizeEstimate<T>::heap(x);
    size_t cap = buf_.capacity();
    buf_.push_back(std::move(x));
    if (buf_.capacity() != cap)
      delta += static_cast<int64_t>((buf_.capacity() - cap) * sizeof(T));
    if (!mem_.tryReserve(delta)) spill();
  }

  // The sorted records. Memory stays reserved by the sorter, which the caller keeps
  // alive while iterating (see ShuffledRDD).
  IterPtr<T> result() {
    std::sort(buf_.begin(), buf_.end(), less_);
    if (runs_.empty()) return std::make_unique<VectorIterator<T>>(std::move(buf_));
    return std::make_unique<MergeIterator>(std::move(runs_), std::move(buf_), less_);
  }

  size_t spillCount() const { return runs_.size(); }

 private:
  struct Run {
    std::string path;
    Segment seg;
  };
  void spill() {
    std::sort(buf_.begin(), buf_.end(), less_);
    std::string path = newSpillFile(ctx_, "sort-spill");
    FrameFileWriter out(path, ctx_.env().shuffleCodec, ctx_.env().zstdLevel);
    out.beginSegment();
    RecordFrameWriter<T> w(out, ctx_.env().frameBytes);
    for (const auto& x : buf_) w.write(x);
    w.flush();
    Segment seg = out.endSegment();
    out.close();
    recordSpill(ctx_, mem_.used(), out.bytesWritten());
    runs_.push_back({path, seg});
    std::vector<T>().swap(buf_);  // give the memory back, not just the elements
    mem_.releaseAll();
  }

  class MergeIterator : public Iterator<T> {
   public:
    MergeIterator(std::vector<Run> runs, std::vector<T> mem, Less less)
        : mem_(std::move(mem)), less_(less), heap_(HeapLess{this}) {
      for (auto& r : runs) readers_.push_back(std::make_unique<RecordFrameReader<T>>(r.path, r.seg.offset, r.seg.length));
      heads_.resize(readers_.size() + 1);
      for (size_t i = 0; i < readers_.size(); ++i) advance(i);
      advance(readers_.size());  // index n = the in-memory run
    }
    bool next(T& out) override {
      if (heap_.empty()) return false;
      size_t i = heap_.top();
      heap_.pop();
      out = std::move(heads_[i]);
      advance(i);
      return true;
    }

   private:
    struct HeapLess {
      MergeIterator* self;
      // priority_queue is a max-heap: invert, and break ties by run for stability.
      bool operator()(size_t a, size_t b) const {
        if (self->less_(self->heads_[b], self->heads_[a])) return true;
        if (self->less_(self->heads_[a], self->heads_[b])) return false;
        return a > b;
      }
    };
    void advance(size_t i) {
      bool ok;
      if (i < readers_.size()) {
        ok = readers_[i]->next(heads_[i]);
      } else {
        ok = memPos_ < mem_.size();
        if (ok) heads_[i] = std::move(mem_[memPos_++]);
      }
      if (ok) heap_.push(i);
    }
    std::vector<std::unique_ptr<RecordFrameReader<T>>> readers_;
    std::vector<T> mem_;
    size_t memPos_ = 0;
    Less less_;
    std::vector<T> heads_;
    std::priority_queue<size_t, std::vector<size_t>, HeapLess> heap_;
  };

  TaskContext& ctx_;
  Less less_;
  MemoryConsumer mem_;
  std::vector<T> buf_;
  std::vector<Run> runs_;
};

}  // namespace ember
