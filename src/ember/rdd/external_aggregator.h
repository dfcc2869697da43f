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
#include <unordered_map>
#include <utility>
#include <vector>

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
  using Map = std::unordered_map<K, C, Hasher<K>>;

  ExternalAggregator(TaskContext& ctx, MergeCombiners merge)
      : ctx_(ctx), merge_(std::move(merge)), mem_(ctx.env().memory, ctx.taskAttemptId(), "hash aggregate") {}

  // Inserts a value for `key`: create() makes a new combiner, update(C&) folds the
  // value into an existing one.
  template <class Create, class Update>
  void insert(K&& key, Create&& create, Update&& update) {
    auto it = map_.find(key);
    int64_t delta;
    if (it == map_.end()) {
      C c = create();
      delta = kHashEntryOverhead + estimateSize(key) + estimateSize(c);
      map_.emplace(std::move(key), std::move(c));
    } else {
      int64_t before = SizeEstimate<C>::heap(it->second);
      update(it->second);
      delta = SizeEstimate<C>::heap(it->second) - before;
    }
    if (delta > 0 && !mem_.tryReserve(delta)) spill();
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
    std::vector<std::vector<typename Map::node_type>> buckets(kBuckets);
    while (!map_.empty()) {
      auto node = map_.extract(map_.begin());
      int b = bucketOf(node.key());
      buckets[static_cast<size_t>(b)].push_back(std::move(node));
    }
    SpillRun run{path, {}};
    for (auto& bucket : buckets) {
      out.beginSegment();
      RecordFrameWriter<std::pair<K, C>> w(out, ctx_.env().frameBytes);
      for (auto& n : bucket) w.write(std::pair<K, C>(std::move(n.key()), std::move(n.mapped())));
      w.flush();
      run.segments.push_back(out.endSegment());
      bucket.clear();
    }
    out.close();
    recordSpill(ctx_, mem_.used(), out.bytesWritten());
    runs_.push_back(std::move(run));
    Map().swap(map_);  // release the bucket array too
    mem_.releaseAll();
  }

  class MapIterator : public Iterator<std::pair<K, C>> {
   public:
    explicit MapIterator(std::unique_ptr<ExternalAggregator> agg) : agg_(std::move(agg)) {}
    bool next(std::pair<K, C>& out) override {
      auto& m = agg_->map_;
      if (m.empty()) return false;
      auto node = m.extract(m.begin());
      out.first = std::move(node.key());
      out.second = std::move(node.mapped());
      return true;
    }

   private:
    std::unique_ptr<ExternalAggregator> agg_;
  };

  // Rebuilds one bucket at a time from all runs.
  class BucketIterator : public Iterator<std::pair<K, C>> {
   public:
    explicit BucketIterator(std::unique_ptr<ExternalAggregator> agg) : agg_(std::move(agg)) {}
    bool next(std::pair<K, C>& out) override {
      while (current_.empty()) {
        if (bucket_ >= kBuckets) return false;
        load(bucket_++);
      }
      auto node = current_.extract(current_.begin());
      out.first = std::move(node.key());
      out.second = std::move(node.mapped());
      return true;
    }

   private:
    void load(int b) {
      Map().swap(current_);
      agg_->mem_.releaseAll();
      bool warned = false;
      for (const auto& run : agg_->runs_) {
        const Segment& seg = run.segments[static_cast<size_t>(b)];
        if (seg.length == 0) continue;
        RecordFrameReader<std::pair<K, C>> reader(run.path, seg.offset, seg.length);
        std::pair<K, C> rec;
        while (reader.next(rec)) {
          auto it = current_.find(rec.first);
          int64_t delta;
          if (it == current_.end()) {
            delta = kHashEntryOverhead + estimateSize(rec.first) + estimateSize(rec.second);
            current_.emplace(std::move(rec.first), std::move(rec.second));
          } else {
            int64_t before = SizeEstimate<C>::heap(it->second);
            agg_->merge_(it->second, std::move(rec.second));
            delta = SizeEstimate<C>::heap(it->second) - before;
          }
          if (delta > 0 && !agg_->mem_.tryReserve(delta) && !warned) {
            // A single bucket larger than the budget (extreme key skew): finish it
            // over budget rather than fail.
            warned = true;
            logWarn("hash aggregation: bucket {} of task {} exceeds the memory budget", b,
                    agg_->ctx_.taskAttemptId());
          }
        }
      }
    }
    std::unique_ptr<ExternalAggregator> agg_;
    Map current_;
    int bucket_ = 0;
  };

  TaskContext& ctx_;
  MergeCombiners merge_;
  MemoryConsumer mem_;
  Map map_;
  std::vector<SpillRun> runs_;
};

}  // namespace ember
