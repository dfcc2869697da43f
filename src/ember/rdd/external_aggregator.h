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
#include <span>
#include <utility>
#include <vector>

#include "ember/common/hash.h"
#include "ember/common/logging.h"
#include "ember/common/size_estimate.h"
#include "ember/rdd/combine_map.h"
#include "ember/rdd/record_io.h"
#include "ember/rdd/spill.h"
#include "ember/storage/memory_manager.h"

namespace ember {

template <class K, class C, class MergeCombiners>
class ExternalAggregator {
 public:
  static constexpr int kBuckets = 64;
  using Map = CombineMap<K, C>;
  using Slot = typename Map::Slot;

  ExternalAggregator(TaskContext& ctx, MergeCombiners merge)
      : ctx_(ctx),
        merge_(std::move(merge)),
        mem_(ctx.env().memory, ctx.taskAttemptId(), "hash aggregate") {}

  // Inserts a value for `key`: create() makes a new combiner, update(C&) folds the
  // value into an existing one.
  template <class Create, class Update>
  void insert(K&& key, Create&& create, Update&& update) {
    uint64_t h = Map::hash(key);
    insert(std::move(key), h, create, update);
  }
  // The same with h = CombineMap<K, C>::hash(key) computed beforehand.
  template <class Create, class Update>
  void insert(K&& key, uint64_t h, Create&& create, Update&& update) {
    if (!map_.reserveGrowth()) spill();
    if (!map_.add(std::move(key), h, create, update)) spill();
  }

  // Inserts every record of `in` (pairs of key and value), with the table's slots
  // prefetched a batch ahead (CombineMap::forEachPrefetched). create(V&&) -> C makes a
  // new combiner, update(C&, V&&) folds a value into one.
  template <class V, class Create, class Update>
  void insertAll(Iterator<std::pair<K, V>>& in, Create&& create, Update&& update) {
    map_.forEachPrefetched(in, [&](std::pair<K, V>& rec, uint64_t h) {
      V& v = rec.second;
      insert(
          std::move(rec.first), h, [&] { return create(std::move(v)); },
          [&](C& c) { update(c, std::move(v)); });
    });
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
  // Writes the table's entries grouped by bucket (reordered in place) and empties it.
  void spill() {
    std::string path = newSpillFile(ctx_, "agg-spill");
    FrameFileWriter out(path, ctx_.env().shuffleCodec, ctx_.env().zstdLevel);
    // A slot's hash is Hasher<K>(key) | 1: bits 40 and up are the hash's own.
    auto buckets = groupInPlace(map_.compact(), kBuckets, [](const Slot& s) {
      return static_cast<int>((s.hash >> 40) % kBuckets);
    });
    SpillRun run{path, {}};
    for (const auto& bucket : buckets) {
      out.beginSegment();
      RecordFrameWriter<std::pair<K, C>> w(out, ctx_.env().frameBytes);
      for (const auto& s : bucket) w.write(s.entry);
      w.flush();
      run.segments.push_back(out.endSegment());
    }
    out.close();
    recordSpill(ctx_, map_.usedBytes(), out.bytesWritten());
    runs_.push_back(std::move(run));
    map_.clear();
  }

  // Moves the entries out of a finished table, in place (no copy of the entries).
  class EntryIterator {
   public:
    explicit EntryIterator(Map& map) : map_(map) {}
    void start() {
      slots_ = map_.compact();
      pos_ = 0;
    }
    bool next(std::pair<K, C>& out) {
      if (pos_ >= slots_.size()) return false;
      out = std::move(slots_[pos_++].entry);
      return true;
    }

   private:
    Map& map_;
    std::span<Slot> slots_;
    size_t pos_ = 0;
  };

  class MapIterator : public Iterator<std::pair<K, C>> {
   public:
    explicit MapIterator(std::unique_ptr<ExternalAggregator> agg)
        : agg_(std::move(agg)), it_(agg_->map_) {
      it_.start();
    }
    bool next(std::pair<K, C>& out) override { return it_.next(out); }

   private:
    std::unique_ptr<ExternalAggregator> agg_;  // holds the table and its memory reservation
    EntryIterator it_;
  };

  // Rebuilds one bucket at a time from all runs, in the aggregator's (empty) table.
  class BucketIterator : public Iterator<std::pair<K, C>> {
   public:
    explicit BucketIterator(std::unique_ptr<ExternalAggregator> agg)
        : agg_(std::move(agg)), it_(agg_->map_) {}
    bool next(std::pair<K, C>& out) override {
      while (!loaded_ || !it_.next(out)) {
        if (bucket_ >= kBuckets) return false;
        load(bucket_++);
      }
      return true;
    }

   private:
    void load(int b) {
      Map& current = agg_->map_;
      current.clear();
      bool warned = false;
      auto overBudget = [&] {
        // A single bucket larger than the budget (extreme key skew): finish it over
        // budget rather than fail.
        if (warned) return;
        warned = true;
        logWarn("hash aggregation: bucket {} of task {} exceeds the memory budget", b,
                agg_->ctx_.taskAttemptId());
      };
      for (const auto& run : agg_->runs_) {
        const Segment& seg = run.segments[static_cast<size_t>(b)];
        if (seg.length == 0) continue;
        RecordFrameReader<std::pair<K, C>> reader(run.path, seg.offset, seg.length);
        std::pair<K, C> rec;
        auto create = [&] { return std::move(rec.second); };
        auto update = [&](C& c) { agg_->merge_(c, std::move(rec.second)); };
        while (reader.next(rec)) {
          if (!current.reserveGrowth()) overBudget();
          uint64_t h = Map::hash(rec.first);
          if (!current.add(std::move(rec.first), h, create, update)) overBudget();
        }
      }
      it_.start();
      loaded_ = true;
    }
    std::unique_ptr<ExternalAggregator> agg_;
    EntryIterator it_;
    int bucket_ = 0;
    bool loaded_ = false;
  };

  TaskContext& ctx_;
  MergeCombiners merge_;
  MemoryConsumer mem_;
  Map map_{mem_};
  std::vector<SpillRun> runs_;
};

}  // namespace ember
