// ShuffleDependency<K, V, C>: the map side of a shuffle of pair<K, V> records.
//
// A map task computes its parent partition and writes one data file with a segment
// per reduce partition plus an index (shuffle/shuffle_files.h). With map-side
// combining (reduceByKey, aggregateByKey, ...) values are first merged per key in a
// hash map; otherwise records are serialised into per-partition buffers. Either way,
// when the memory manager refuses more memory the buffered data is spilled to a file
// with one segment per reduce partition, and the final output concatenates, per
// partition, the spilled segments (copied compressed, without decoding) and what is
// left in memory.
#pragma once

#include <memory>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/common/flat_map.h"
#include "ember/common/hash.h"
#include "ember/common/size_estimate.h"
#include "ember/rdd/aggregator.h"
#include "ember/rdd/partitioner.h"
#include "ember/rdd/rdd_impl.h"
#include "ember/rdd/record_io.h"
#include "ember/rdd/spill.h"
#include "ember/shuffle/shuffle_files.h"
#include "ember/storage/memory_manager.h"

namespace ember {

enum class KeyOrdering : uint8_t { None = 0, Ascending = 1, Descending = 2 };

template <class K, class V, class C>
class ShuffleDependency : public ShuffleDependencyBase,
                          public Registered<ShuffleDependency<K, V, C>, ShuffleDependencyBase> {
 public:
  // Records on the wire: combiners after map-side combining, plain values otherwise.
  using Agg = Aggregator<V, C>;
  // Whether merging can change a combiner's heap size (a vector does, an int does not).
  static constexpr bool kVariableSize = !std::is_trivially_copyable_v<C>;

  ShuffleDependency(RDDImplPtr<std::pair<K, V>> parent, int shuffleId, int numMaps,
                    std::shared_ptr<const Partitioner<K>> partitioner,
                    std::shared_ptr<const Agg> aggregator, bool mapSideCombine, KeyOrdering ordering)
      : ShuffleDependencyBase(parent, shuffleId, numMaps, partitioner->numPartitions()),
        parent_(std::move(parent)),
        partitioner_(std::move(partitioner)),
        aggregator_(std::move(aggregator)),
        mapSideCombine_(mapSideCombine && aggregator_ != nullptr),
        ordering_(ordering) {}

  const Partitioner<K>& partitioner() const { return *partitioner_; }
  const Agg* aggregator() const { return aggregator_.get(); }
  bool mapSideCombine() const { return mapSideCombine_; }
  KeyOrdering ordering() const { return ordering_; }

  MapStatus runMapTask(int mapId, TaskContext& ctx) const override {
    auto it = parent_->iterator(mapId, ctx);
    if (mapSideCombine_) return writeCombined(mapId, *it, ctx);
    return writeBuckets(mapId, *it, ctx);
  }

  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter& w, GraphWriter& g) const override {
    w.writeRaw<uint8_t>(parent_ != nullptr);
    if (parent_) g.writeRdd(*parent_);
    writeFields(w);
  }
  // The reduce side needs everything but the parent lineage.
  void writeFields(ByteWriter& w) const {
    w.writeVarint(static_cast<uint64_t>(shuffleId_));
    w.writeVarint(static_cast<uint64_t>(numMaps_));
    partitioner_->write(w);
    w.writeRaw<uint8_t>(aggregator_ != nullptr);
    if (aggregator_) aggregator_->write(w);
    w.writeRaw<uint8_t>(mapSideCombine_);
    w.writeRaw<uint8_t>(static_cast<uint8_t>(ordering_));
  }
  static std::shared_ptr<ShuffleDependency> readFields(ByteReader& r, GraphReader& g,
                                                       RDDImplPtr<std::pair<K, V>> parent) {
    int shuffleId = static_cast<int>(r.readVarint());
    int numMaps = static_cast<int>(r.readVarint());
    auto part = Partitioner<K>::read(r, g);
    std::shared_ptr<const Agg> agg;
    if (r.readRaw<uint8_t>()) agg = Agg::read(r, g);
    bool combine = r.readRaw<uint8_t>();
    auto ordering = static_cast<KeyOrdering>(r.readRaw<uint8_t>());
    return std::make_shared<ShuffleDependency>(std::move(parent), shuffleId, numMaps, std::move(part),
                                               std::move(agg), combine, ordering);
  }
  static std::shared_ptr<ShuffleDependencyBase> deserialize(ByteReader& r, GraphReader& g) {
    RDDImplPtr<std::pair<K, V>> parent;
    if (r.readRaw<uint8_t>()) parent = g.readRddAs<RDDImpl<std::pair<K, V>>>();
    return readFields(r, g, std::move(parent));
  }

 private:
  template <class X>
  MapStatus commit(int mapId, TaskContext& ctx, const std::vector<SpillRun>& spills,
                   const std::vector<std::span<const X>>& tails, uint64_t records) const {
    ExecutorEnv& env = ctx.env();
    std::string data = env.disk->shuffleDataPath(shuffleId_, mapId);
    std::string index = env.disk->shuffleIndexPath(shuffleId_, mapId);
    ShuffleMapOutputWriter out(data, index, numPartitions_, env.shuffleCodec, env.zstdLevel);
    for (int p = 0; p < numPartitions_; ++p) {
      out.beginPartition(p);
      for (const auto& s : spills) out.appendSegmentFrom(s.path, s.segments[static_cast<size_t>(p)]);
      if (!tails[static_cast<size_t>(p)].empty()) {
        RecordFrameWriter<X> w(out.data(), env.frameBytes);
        for (const auto& x : tails[static_cast<size_t>(p)]) w.write(x);
        w.flush();
      }
    }
    MapStatus st;
    st.dataPath = data;
    st.indexPath = index;
    st.partitionSizes = out.commit();
    uint64_t total = 0;
    for (auto s : st.partitionSizes) total += s;
    ctx.metrics().shuffleBytesWritten += static_cast<int64_t>(total);
    ctx.metrics().shuffleRecordsWritten += static_cast<int64_t>(records);
    return st;
  }

  // Map-side combining in a hash map, spilled by partition when memory is refused.
  MapStatus writeCombined(int mapId, Iterator<std::pair<K, V>>& in, TaskContext& ctx) const {
    using Map = FlatMap<K, C>;
    Map map;
    MemoryConsumer mem(ctx.env().memory, ctx.taskAttemptId(), "shuffle write (combine)");
    std::vector<SpillRun> spills;
    uint64_t written = 0;
    // Takes the map's entries (emptying the map) and groups them by partition in
    // place, so that spilling costs 4 bytes per entry and not a second copy of the
    // entries (that copy, unaccounted, made RSS overshoot the budget by ~50%).
    std::vector<std::pair<K, C>> taken;
    auto bucketize = [&] {
      taken = map.takeEntries();
      return groupByPartition(taken);
    };
    int64_t tableBytes = map.tableBytes();
    // Records are taken in small batches whose hash-table slots are prefetched before
    // they are looked up, so the cache misses of a batch overlap.
    constexpr int kBatch = 16;
    std::pair<K, V> batch[kBatch];
    uint64_t hashes[kBatch];
    uint64_t n = 0;
    for (bool more = true; more;) {
      int got = 0;
      while (got < kBatch && in.next(batch[got])) {
        hashes[got] = Map::hash(batch[got].first);
        map.prefetchSlot(hashes[got]);
        ++got;
      }
      more = got == kBatch;
      for (int i = 0; i < got; ++i) {
        std::pair<K, V>& rec = batch[i];
        int64_t delta = 0;
        int64_t keyHeap = SizeEstimate<K>::heap(rec.first);
        auto [c, inserted] = map.findOrInsert(std::move(rec.first), hashes[i], [&] {
          return aggregator_->createCombiner(std::move(rec.second));
        });
        if (inserted) {
          delta = keyHeap + SizeEstimate<C>::heap(*c);
          int64_t t = map.tableBytes();
          delta += t - tableBytes;
          tableBytes = t;
        } else if constexpr (kVariableSize) {
          int64_t before = SizeEstimate<C>::heap(*c);
          aggregator_->mergeValue(*c, std::move(rec.second));
          delta = SizeEstimate<C>::heap(*c) - before;
        } else {
          aggregator_->mergeValue(*c, std::move(rec.second));
        }
        if (delta > 0 && !mem.tryReserve(delta)) {
          auto parts = bucketize();
          spills.push_back(writeSpill(ctx, parts, written));
          recordSpill(ctx, mem.used(), 0);
          std::vector<std::pair<K, C>>().swap(taken);
          mem.releaseAll();
          tableBytes = map.tableBytes();
        }
      }
      n += static_cast<uint64_t>(got);
      if ((n & ~uint64_t{4095}) != ((n - static_cast<uint64_t>(got)) & ~uint64_t{4095})) ctx.checkInterrupted();
    }
    written += map.size();
    return commit(mapId, ctx, spills, bucketize(), written);
  }

  // Plain records bucketed by partition.
  MapStatus writeBuckets(int mapId, Iterator<std::pair<K, V>>& in, TaskContext& ctx) const {
    using Rec = std::pair<K, V>;
    std::vector<std::vector<Rec>> parts(static_cast<size_t>(numPartitions_));
    MemoryConsumer mem(ctx.env().memory, ctx.taskAttemptId(), "shuffle write");
    std::vector<SpillRun> spills;
    Rec rec;
    uint64_t n = 0;
    while (in.next(rec)) {
      if ((++n & 4095) == 0) ctx.checkInterrupted();
      auto& v = parts[static_cast<size_t>(partitioner_->getPartition(rec.first))];
      size_t cap = v.capacity();
      int64_t delta = SizeEstimate<Rec>::heap(rec);
      v.push_back(std::move(rec));
      if (v.capacity() != cap) delta += static_cast<int64_t>((v.capacity() - cap) * sizeof(Rec));
      if (!mem.tryReserve(delta)) {
        uint64_t ignored = 0;
        spills.push_back(writeSpill(ctx, spans(parts), ignored));
        recordSpill(ctx, mem.used(), 0);
        for (auto& pv : parts) std::vector<Rec>().swap(pv);
        mem.releaseAll();
      }
    }
    return commit(mapId, ctx, spills, spans(parts), n);
  }

  template <class X>
  static std::vector<std::span<const X>> spans(const std::vector<std::vector<X>>& parts) {
    return {parts.begin(), parts.end()};
  }

  template <class X>
  std::vector<std::span<const X>> groupByPartition(std::vector<X>& entries) const {
    return groupInPlace(entries, static_cast<size_t>(numPartitions_),
                        [this](const X& e) { return partitioner_->getPartition(e.first); });
  }

  template <class X>
  SpillRun writeSpill(TaskContext& ctx, const std::vector<std::span<const X>>& parts,
                      uint64_t& written) const {
    SpillRun run{newSpillFile(ctx, "shuffle-spill"), {}};
    FrameFileWriter out(run.path, ctx.env().shuffleCodec, ctx.env().zstdLevel);
    for (const auto& v : parts) {
      out.beginSegment();
      RecordFrameWriter<X> w(out, ctx.env().frameBytes);
      for (const auto& x : v) w.write(x);
      w.flush();
      run.segments.push_back(out.endSegment());
      written += v.size();
    }
    out.close();
    ctx.metrics().diskBytesSpilled += static_cast<int64_t>(out.bytesWritten());
    return run;
  }

  RDDImplPtr<std::pair<K, V>> parent_;
  std::shared_ptr<const Partitioner<K>> partitioner_;
  std::shared_ptr<const Agg> aggregator_;
  bool mapSideCombine_;
  KeyOrdering ordering_;
};

}  // namespace ember
