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

#include <atomic>
#include <memory>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/common/hash.h"
#include "ember/common/size_estimate.h"
#include "ember/rdd/aggregator.h"
#include "ember/rdd/combine_map.h"
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

  ShuffleDependency(RDDImplPtr<std::pair<K, V>> parent, int shuffleId, int numMaps,
                    std::shared_ptr<const Partitioner<K>> partitioner,
                    std::shared_ptr<const Agg> aggregator, bool mapSideCombine,
                    KeyOrdering ordering)
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
    return std::make_shared<ShuffleDependency>(std::move(parent), shuffleId, numMaps,
                                               std::move(part), std::move(agg), combine, ordering);
  }
  static std::shared_ptr<ShuffleDependencyBase> deserialize(ByteReader& r, GraphReader& g) {
    RDDImplPtr<std::pair<K, V>> parent;
    if (r.readRaw<uint8_t>()) parent = g.readRddAs<RDDImpl<std::pair<K, V>>>();
    return readFields(r, g, std::move(parent));
  }

 private:
  // The record a spilled or committed element stands for: a record, or a table slot.
  template <class X>
  static const X& recordOf(const X& x) {
    return x;
  }
  template <class S>
  requires requires(const S& s) { s.entry; }
  static const auto& recordOf(const S& s) { return s.entry; }

  template <class X>
  MapStatus commit(int mapId, TaskContext& ctx, const std::vector<SpillRun>& spills,
                   const std::vector<std::span<const X>>& tails, uint64_t records) const {
    using R = std::decay_t<decltype(recordOf(std::declval<const X&>()))>;
    ExecutorEnv& env = ctx.env();
    std::string data = env.disk->shuffleDataPath(shuffleId_, mapId);
    std::string index = env.disk->shuffleIndexPath(shuffleId_, mapId);
    ShuffleMapOutputWriter out(data, index, numPartitions_, env.shuffleCodec, env.zstdLevel);
    for (int p = 0; p < numPartitions_; ++p) {
      out.beginPartition(p);
      for (const auto& s : spills)
        out.appendSegmentFrom(s.path, s.segments[static_cast<size_t>(p)]);
      if (!tails[static_cast<size_t>(p)].empty()) {
        RecordFrameWriter<R> w(out.data(), env.frameBytes);
        for (const auto& x : tails[static_cast<size_t>(p)]) w.write(recordOf(x));
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

  // Map-side combining in a hash map (CombineMap: its growth and entries are charged to
  // the memory manager), spilled by partition when memory is refused. A spill reorders
  // the table's slots by partition in place (4 bytes per entry of extra memory, no
  // second copy of the entries) and writes them out.
  MapStatus writeCombined(int mapId, Iterator<std::pair<K, V>>& in, TaskContext& ctx) const {
    MemoryConsumer mem(ctx.env().memory, ctx.taskAttemptId(), "shuffle write (combine)");
    CombineMap<K, C> map(mem);
    std::vector<SpillRun> spills;
    uint64_t written = 0;
    auto spill = [&] {
      int64_t bytes = map.usedBytes();
      spills.push_back(writeSpill(ctx, groupByPartition(map.compact()), written));
      recordSpill(ctx, bytes, 0);
      map.clear();
    };
    // Map tasks of one shuffle tend to see similar numbers of keys: the table starts
    // at the size the previous task ended with (when the memory manager grants it).
    map.presize(sizeHint_.load(std::memory_order_relaxed));
    uint64_t n = 0;
    map.forEachPrefetched(in, [&](std::pair<K, V>& rec, uint64_t h) {
      if ((++n & 4095) == 0) ctx.checkInterrupted();
      if (!map.reserveGrowth()) spill();
      bool ok = map.add(
          std::move(rec.first), h,
          [&] { return aggregator_->createCombiner(std::move(rec.second)); },
          [&](C& c) { aggregator_->mergeValue(c, std::move(rec.second)); });
      if (!ok) spill();
    });
    written += map.size();
    sizeHint_.store(map.size(), std::memory_order_relaxed);
    return commit(mapId, ctx, spills, groupByPartition(map.compact()), written);
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
  std::vector<std::span<const X>> groupByPartition(std::span<X> entries) const {
    return groupInPlace(entries, static_cast<size_t>(numPartitions_), [this](const X& e) {
      return partitioner_->getPartition(recordOf(e).first);
    });
  }

  template <class X>
  SpillRun writeSpill(TaskContext& ctx, const std::vector<std::span<const X>>& parts,
                      uint64_t& written) const {
    using R = std::decay_t<decltype(recordOf(std::declval<const X&>()))>;
    SpillRun run{newSpillFile(ctx, "shuffle-spill"), {}};
    FrameFileWriter out(run.path, ctx.env().shuffleCodec, ctx.env().zstdLevel);
    for (const auto& v : parts) {
      out.beginSegment();
      RecordFrameWriter<R> w(out, ctx.env().frameBytes);
      for (const auto& x : v) w.write(recordOf(x));
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
  // Keys in the map-side combine table at the end of the last map task run here.
  mutable std::atomic<size_t> sizeHint_{0};
};

}  // namespace ember
