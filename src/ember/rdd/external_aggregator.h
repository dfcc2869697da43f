// Hash aggregation of a partition within the executor's memory budget.
//
// Combiners are kept in a hash map while the memory manager grants room. When it
// refuses, the map is spilled: its entries are split by hash into kBuckets segments
// of one spill file, and the map is emptied. At the end, each bucket is rebuilt
// from its segments in all spill files (plus the last in-memory map, spilled too),
// one bucket at a time, so only about 1/kBuckets of the data is in memory at once
// (Grace hash aggregation). Keys of one bucket never meet keys of another, so each
// key's combiners are merged exactly once.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "ember/common/flat_map.h"
#include "ember/common/hash.h"
#include "ember/common/logging.h"
#include "ember/common/size_estimate.h"
#include "ember/rdd/record_io.h"
#include "ember/rdd/spill.h"
#include "ember/storage/memory_manager.h"

namespace ember {

template <class K, class C, class MergeCombiners>
class ExternalAggregator {
 public:
  static constexpr int kBuckets = 64;
  using Map = FlatMap<K, C>;
  static constexpr bool kVariableSize = !std::is_trivially_copyable_v<C>;

  ExternalAggregator(TaskContext& ctx, MergeCombiners merge)
      : ctx_(ctx), merge_(std::move(merge)), mem_(ctx.env().memory, ctx.taskAttemptId(), "hash aggregate") {}

  // Inserts a value for `key`: create() makes a new combiner, update(C&) folds the
  // value into an existing one.
  template <class Create, class Update>
  void insert(K&& key, Create&& create, Update&& update) {
    int64_t delta = add(map_, tableBytes_, std::move(key), create, update);
    if (delta > 0 && !mem_.tryReserve(delta)) spill();
  }

  // Inserts into `m`; returns the estimated growth in bytes.
  template <class Create, class Update>
  static int64_t add(Map& m, int64_t& tableBytes, K&& key, Create& create, Update& update) {
    int64_t keyHeap = SizeEstimate<K>::heap(key);
    auto [c, inserted] = m.findOrInsert(std::move(key), create);
    if (inserted) {
      int64_t t = m.tableBytes();
      int64_t delta = t - tableBytes + keyHeap + SizeEstimate<C>::heap(*c);
      tableBytes = t;
      return delta;
    }
    if constexpr (kVariableSize) {
      int64_t before = SizeEstimate<C>::heap(*c);
      update(*c);
      return SizeEstimate<C>::heap(*c) - before;
    } else {
      update(*c);
      return 0;
    }
  }

  // The aggregated records; the iterator owns the aggregator (its memory reservation
  // and spill files live until the records are consumed).
  static IterPtr<std::pair<K, C>> finish(std::unique_ptr<ExternalAggregator> self) {
    if (self->runs_.empty()) return std::make_unique<MapIterator>(std::move(self));
    self->spill();
    return std::make_unique<BucketIterator>(std::move(self));
  }

  size_t spillCount() const { return runs_.size(); }

 private:
  static int bucketOf(const K& k) { return static_cast<int>((Hasher<K>{}(k) >> 40) % kBuckets); }

  void spill() {
    std::string path = newSpillFile(ctx_, "agg-spill");
    FrameFileWriter out(path, ctx_.env().shuffleCodec, ctx_.env().zstdLevel);
    std::vector<std::pair<K, C>> entries = map_.takeEntries();
    tableBytes_ = map_.tableBytes();
    auto buckets = groupInPlace(entries, kBuckets, [](const std::pair<K, C>& e) { return bucketOf(e.first); });
    SpillRun run{path, {}};
    for (const auto& bucket : buckets) {
      out.beginSegment();
      RecordFrameWriter<std::pair<K, C>> w(out, ctx_.env().frameBytes);
      for (const auto& e : bucket) w.write(e);
      w.flush();
      run.segments.push_back(out.endSegment());
    }
    out.close();
    std::vector<std::pair<K, C>>().swap(entries);
    recordSpill(ctx_, mem_.used(), out.bytesWritten());
    runs_.push_back(std::move(run));
    mem_.releaseAll();
  }

  // Moves entries out of a finished table.
  class EntryIterator {
   public:
    void reset(std::vector<std::pair<K, C>> entries) {
      entries_ = std::move(entries);
      pos_ = 0;
    }
    bool next(std::pair<K, C>& out) {
      if (pos_ >= entries_.size()) return false;
      out = std::move(entries_[pos_++]);
      return true;
    }

   private:
    std::vector<std::pair<K, C>> entries_;
    size_t pos_ = 0;
  };

  class MapIterator : public Iterator<std::pair<K, C>> {
   public:
    explicit MapIterator(std::unique_ptr<ExternalAggregator> agg) : agg_(std::move(agg)) {
      it_.reset(agg_->map_.takeEntries());
    }
    bool next(std::pair<K, C>& out) override { return it_.next(out); }

   private:
    std::unique_ptr<ExternalAggregator> agg_;  // holds the memory reservation
    EntryIterator it_;
  };

  // Rebuilds one bucket at a time from all runs.
  class BucketIterator : public Iterator<std::pair<K, C>> {
   public:
    explicit BucketIterator(std::unique_ptr<ExternalAggregator> agg) : agg_(std::move(agg)) {}
    bool next(std::pair<K, C>& out) override {
      while (!it_.next(out)) {
        if (bucket_ >= kBuckets) return false;
        load(bucket_++);
      }
      return true;
    }

   private:
    void load(int b) {
      it_.reset({});
      agg_->mem_.releaseAll();
      Map current;
      int64_t tableBytes = current.tableBytes();
      bool warned = false;
      for (const auto& run : agg_->runs_) {
        const Segment& seg = run.segments[static_cast<size_t>(b)];
        if (seg.length == 0) continue;
        RecordFrameReader<std::pair<K, C>> reader(run.path, seg.offset, seg.length);
        std::pair<K, C> rec;
        auto create = [&] { return std::move(rec.second); };
        auto update = [&](C& c) { agg_->merge_(c, std::move(rec.second)); };
        while (reader.next(rec)) {
          int64_t delta = add(current, tableBytes, std::move(rec.first), create, update);
          if (delta > 0 && !agg_->mem_.tryReserve(delta) && !warned) {
            // A single bucket larger than the budget (extreme key skew): finish it
            // over budget rather than fail.
            warned = true;
            logWarn("hash aggregation: bucket {} of task {} exceeds the memory budget", b,
                    agg_->ctx_.taskAttemptId());
          }
        }
      }
      it_.reset(current.takeEntries());
    }
    std::unique_ptr<ExternalAggregator> agg_;
    EntryIterator it_;
    int bucket_ = 0;
  };

  TaskContext& ctx_;
  MergeCombiners merge_;
  MemoryConsumer mem_;
  Map map_;
  int64_t tableBytes_ = map_.tableBytes();
  std::vector<SpillRun> runs_;
};

}  // namespace ember
