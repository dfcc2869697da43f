#include "ember/sql/exec_exchange.h"

#include "ember/columnar/column_ops.h"
#include "ember/core/broadcast.h"
#include "ember/core/context.h"
#include "ember/rdd/actions.h"
#include "ember/rdd/rdd.h"
#include "ember/rdd/rdd_impl.h"
#include "ember/rdd/record_io.h"
#include "ember/rdd/shuffled_rdd.h"
#include "ember/rdd/spill.h"
#include "ember/shuffle/map_output_tracker.h"
#include "ember/shuffle/shuffle_files.h"
#include "ember/sql/exec_exchange_local.h"
#include "ember/sql/plan_serde.h"
#include "ember/storage/disk_manager.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {

namespace {
// Adapts a BatchStream to the RDD layer's iterator.
class StreamIterator : public Iterator<BatchPtr> {
 public:
  explicit StreamIterator(StreamPtr s) : s_(std::move(s)) {}
  bool next(BatchPtr& out) override {
    out = s_->next();
    return out != nullptr;
  }

 private:
  StreamPtr s_;
};

// An RDD whose partition p is root->execute(p). Its dependencies are the shuffles of
// the exchanges inside the subtree (stopping at them), so the DAG scheduler runs their
// map stages first. Shipped as the subtree itself (plan_serde.h).
class PlanRDD : public RDDImpl<BatchPtr>, public Registered<PlanRDD, RDDBase> {
 public:
  PlanRDD(Context* ctx, Info info, PhysicalPtr root)
      : RDDImpl<BatchPtr>(ctx, std::move(info)), root_(std::move(root)) {
    std::vector<std::shared_ptr<Dependency>> deps;
    root_->shuffleDependencies(deps);
    setDependencies(std::move(deps));
  }
  std::string className() const override { return "SQLPlanRDD"; }
  const char* typeKey() const override { return registeredKey(); }
  void serializePayload(ByteWriter& w, GraphWriter&) const override {
    writePhysicalPlan(w, *root_);
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g) {
    return std::make_shared<PlanRDD>(nullptr, g.currentInfo(), readPhysicalPlan(r));
  }
  IterPtr<BatchPtr> compute(int partition, TaskContext& ctx) const override {
    return std::make_unique<StreamIterator>(root_->execute(partition, ctx));
  }

 private:
  PhysicalPtr root_;
};

// Collects a partition's batches as the task result.
struct CollectBatches {
  std::vector<BatchPtr> operator()(Iterator<BatchPtr>& it, TaskContext&) const {
    std::vector<BatchPtr> out;
    BatchPtr b;
    while (it.next(b))
      if (b->numRows > 0) out.push_back(std::move(b));
    return out;
  }
};
}  // namespace

// ---- map side ----
// Routes the rows of the map stage's partitions to reduce partitions. The key
// expressions are kept in their logical form (bound to the parent's output) so the
// dependency can be shipped and re-bound on an executor.
class BatchShuffleDependency : public ShuffleDependencyBase,
                               public Registered<BatchShuffleDependency, ShuffleDependencyBase> {
 public:
  BatchShuffleDependency(std::shared_ptr<RDDImpl<BatchPtr>> parent, int shuffleId, int numMaps,
                         int numPartitions, ShuffleExchangeExec::Kind kind,
                         std::vector<ExprPtr> keys, std::vector<Attribute> input,
                         std::vector<SortKey> order = {}, BatchPtr bounds = nullptr)
      : ShuffleDependencyBase(parent, shuffleId, numMaps, numPartitions),
        parent_(std::move(parent)),
        kind_(kind),
        keyExprs_(std::move(keys)),
        input_(std::move(input)),
        order_(std::move(order)),
        bounds_(std::move(bounds)) {
    for (const auto& k : keyExprs_) keys_.push_back(PhysicalExpr::compile(k, input_));
  }

  MapStatus runMapTask(int mapId, TaskContext& ctx) const override {
    auto it = parent_->iterator(mapId, ctx);
    size_t R = static_cast<size_t>(numPartitions_);
    std::vector<std::vector<BatchPtr>> parts(R);
    MemoryConsumer mem(ctx.env().memory, ctx.taskAttemptId(), "shuffle write (sql)");
    std::vector<SpillRun> spills;
    uint64_t records = 0;
    int64_t rr = mapId;  // round-robin start differs per map task
    BatchPtr b;
    std::vector<uint64_t> hashes;
    std::vector<std::vector<int32_t>> sel(R);
    while (it->next(b)) {
      ctx.checkInterrupted();
      if (b->numRows == 0) continue;
      records += static_cast<uint64_t>(b->numRows);
      int64_t n = b->numRows;
      if (R == 1 || kind_ == ShuffleExchangeExec::Kind::Single) {
        add(parts[0], b, mem, ctx, parts, spills);
        continue;
      }
      for (auto& s : sel) s.clear();
      if (kind_ == ShuffleExchangeExec::Kind::RoundRobin) {
        for (int64_t i = 0; i < n; ++i)
          sel[static_cast<size_t>((rr + i) % static_cast<int64_t>(R))].push_back(
              static_cast<int32_t>(i));
        rr += n;
      } else if (kind_ == ShuffleExchangeExec::Kind::Range) {
        std::vector<ColumnPtr> cols;
        for (const auto& k : keys_) cols.push_back(k->eval(*b));
        for (int64_t i = 0; i < n; ++i)
          sel[static_cast<size_t>(rangePartition(cols, i))].push_back(static_cast<int32_t>(i));
      } else {
        hashes.resize(static_cast<size_t>(n));
        for (size_t k = 0; k < keys_.size(); ++k)
          hashColumn(*keys_[k]->eval(*b), hashes.data(), k > 0);
        for (int64_t i = 0; i < n; ++i)
          sel[hashes[static_cast<size_t>(i)] % R].push_back(static_cast<int32_t>(i));
      }
      for (size_t r = 0; r < R; ++r)
        if (!sel[r].empty())
          add(parts[r], takeBatch(*b, sel[r].data(), static_cast<int64_t>(sel[r].size())), mem, ctx,
              parts, spills);
    }
    // Local mode, nothing spilled: the batches stay in memory for the reduce side
    // (exec_exchange_local.h) if storage memory allows.
    if (spills.empty()) {
      if (auto store = LocalExchangeStore::of(ctx.env())) {
        MapStatus st;
        st.executorId = ctx.env().executorId;
        st.dataPath = kInMemoryExchangePath;
        std::vector<int64_t> sizes(R);
        std::vector<std::vector<BatchPtr>> kept(R);
        for (size_t r = 0; r < R; ++r) {
          kept[r] = coalesce(parts[r]);
          int64_t bytes = 0, rows = 0;
          for (const auto& x : kept[r]) {
            bytes += x->memoryBytes();
            rows += x->numRows;
          }
          // Non-zero whenever there are rows (batches without columns have no bytes):
          // readers skip blocks of size 0.
          if (rows > 0) bytes = std::max<int64_t>(bytes, 1);
          st.partitionSizes.push_back(static_cast<uint64_t>(bytes));
          sizes[r] = bytes;
        }
        if (store->put(shuffleId_, mapId, kept, sizes)) {
          ctx.metrics().shuffleRecordsWritten += static_cast<int64_t>(records);
          return st;
        }
      }
    }
    // Commit: spilled segments then what is in memory, partition by partition.
    ExecutorEnv& env = ctx.env();
    std::string data = env.disk->shuffleDataPath(shuffleId_, mapId);
    std::string index = env.disk->shuffleIndexPath(shuffleId_, mapId);
    ShuffleMapOutputWriter out(data, index, numPartitions_, env.shuffleCodec, env.zstdLevel);
    for (size_t r = 0; r < R; ++r) {
      out.beginPartition(static_cast<int>(r));
      for (const auto& s : spills) out.appendSegmentFrom(s.path, s.segments[r]);
      if (!parts[r].empty()) {
        RecordFrameWriter<BatchPtr> w(out.data(), env.frameBytes);
        w.write(parts[r].size() == 1 ? parts[r][0] : concatBatches(parts[r]));
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

  const char* typeKey() const override { return registeredKey(); }
  void serialize(ByteWriter& w, GraphWriter& g) const override {
    g.writeRdd(*parent_);
    w.writeVarint(static_cast<uint64_t>(shuffleId_));
    w.writeVarint(static_cast<uint64_t>(numMaps_));
    w.writeVarint(static_cast<uint64_t>(numPartitions_));
    w.writeRaw<uint8_t>(static_cast<uint8_t>(kind_));
    w.writeVarint(keyExprs_.size());
    for (const auto& k : keyExprs_) writeExpr(w, k);
    writeAttributes(w, input_);
    w.writeVarint(order_.size());
    for (const auto& o : order_) {
      w.writeRaw<uint8_t>(o.ascending);
      w.writeRaw<uint8_t>(o.nullsFirst);
    }
    w.writeRaw<uint8_t>(bounds_ != nullptr);
    if (bounds_) Serde<BatchPtr>::write(w, bounds_);
  }
  static std::shared_ptr<ShuffleDependencyBase> deserialize(ByteReader& r, GraphReader& g) {
    auto parent = g.readRddAs<RDDImpl<BatchPtr>>();
    int shuffleId = static_cast<int>(r.readVarint());
    int numMaps = static_cast<int>(r.readVarint());
    int numPartitions = static_cast<int>(r.readVarint());
    auto kind = static_cast<ShuffleExchangeExec::Kind>(r.readRaw<uint8_t>());
    std::vector<ExprPtr> keys(r.readVarint());
    for (auto& k : keys) k = readExpr(r);
    auto input = readAttributes(r);
    std::vector<SortKey> order(r.readVarint());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i].expr = i < keys.size() ? keys[i] : nullptr;
      order[i].ascending = r.readRaw<uint8_t>() != 0;
      order[i].nullsFirst = r.readRaw<uint8_t>() != 0;
    }
    BatchPtr bounds;
    if (r.readRaw<uint8_t>() != 0) bounds = Serde<BatchPtr>::read(r);
    return std::make_shared<BatchShuffleDependency>(
        std::move(parent), shuffleId, numMaps, numPartitions, kind, std::move(keys),
        std::move(input), std::move(order), std::move(bounds));
  }

 private:
  // Range: the first partition whose upper bound is not below the row (binary search).
  int rangePartition(const std::vector<ColumnPtr>& cols, int64_t row) const {
    int64_t lo = 0, hi = bounds_ ? bounds_->numRows : 0;
    while (lo < hi) {
      int64_t mid = (lo + hi) / 2;
      int c = 0;
      for (size_t k = 0; k < cols.size() && c == 0; ++k)
        c = compareValues(*cols[k], row, *bounds_->columns[k], mid, order_[k].ascending,
                          order_[k].nullsFirst);
      if (c > 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    return static_cast<int>(lo);
  }

  // Runs of small batches (one per input batch and partition) concatenated into
  // batches of up to kRows rows, the size operators above work well with. Runs stop
  // short of kRows rather than past it: buffers grow to powers of two, so 8,192 values
  // of 4 or 8 bytes fill their allocation and 8,300 would waste half of it.
  static std::vector<BatchPtr> coalesce(const std::vector<BatchPtr>& in) {
    constexpr int64_t kRows = 8192;
    std::vector<BatchPtr> out, run;
    int64_t rows = 0;
    auto flush = [&] {
      if (run.empty()) return;
      out.push_back(run.size() == 1 ? run[0] : concatBatches(run));
      run.clear();
      rows = 0;
    };
    for (const auto& b : in) {
      if (rows + b->numRows > kRows) flush();
      run.push_back(b);
      rows += b->numRows;
    }
    flush();
    return out;
  }

  void add(std::vector<BatchPtr>& bucket, BatchPtr b, MemoryConsumer& mem, TaskContext& ctx,
           std::vector<std::vector<BatchPtr>>& parts, std::vector<SpillRun>& spills) const {
    int64_t bytes = b->memoryBytes();
    bucket.push_back(std::move(b));
    if (mem.tryReserve(bytes)) return;
    // Refused: write every bucket to a spill file (one segment per partition).
    SpillRun run{newSpillFile(ctx, "sql-shuffle-spill"), {}};
    FrameFileWriter out(run.path, ctx.env().shuffleCodec, ctx.env().zstdLevel);
    for (auto& p : parts) {
      out.beginSegment();
      if (!p.empty()) {
        RecordFrameWriter<BatchPtr> w(out, ctx.env().frameBytes);
        w.write(p.size() == 1 ? p[0] : concatBatches(p));
        w.flush();
      }
      run.segments.push_back(out.endSegment());
      p.clear();
    }
    out.close();
    recordSpill(ctx, mem.used(), out.bytesWritten());
    mem.releaseAll();
    spills.push_back(std::move(run));
  }

  std::shared_ptr<RDDImpl<BatchPtr>> parent_;
  ShuffleExchangeExec::Kind kind_;
  std::vector<ExprPtr> keyExprs_;
  std::vector<Attribute> input_;
  std::vector<PhysicalExprPtr> keys_;  // keyExprs_ bound to input_
  std::vector<SortKey> order_;         // Range
  BatchPtr bounds_;                    // Range
};

std::shared_ptr<RDDBase> makePlanRdd(Context& ctx, const PhysicalPtr& root,
                                     const std::string& name) {
  RDDBase::Info info;
  info.id = ctx.newRddId();
  info.numPartitions = root->numPartitions();
  info.opName = name;
  info.callSite = "sql";
  return std::make_shared<PlanRDD>(&ctx, info, root);
}

std::shared_ptr<RDDBase> makeCachedPlanRdd(Context* ctx, int rddId, const PhysicalPtr& root,
                                           StorageLevel level) {
  RDDBase::Info info;
  info.id = rddId >= 0 ? rddId : ctx->newRddId();
  info.numPartitions = root->numPartitions();
  info.opName = "InMemoryTableScan";
  info.callSite = "sql cache";
  auto rdd = std::make_shared<PlanRDD>(ctx, info, root);
  rdd->setStorageLevel(level);
  return rdd;
}

StreamPtr cachedPartition(const RDDBase& rdd, int partition, TaskContext& ctx) {
  // The iterator stores the partition in the block manager the first time (RDDImpl).
  class IteratorStream : public BatchStream {
   public:
    explicit IteratorStream(IterPtr<BatchPtr> it) : it_(std::move(it)) {}
    BatchPtr next() override {
      BatchPtr b;
      return it_->next(b) ? b : nullptr;
    }

   private:
    IterPtr<BatchPtr> it_;
  };
  const auto& typed = static_cast<const RDDImpl<BatchPtr>&>(rdd);
  return std::make_unique<IteratorStream>(typed.iterator(partition, ctx));
}

// ---- ShuffleExchangeExec ----
ShuffleExchangeExec::ShuffleExchangeExec(PhysicalPtr child, Kind kind, std::vector<ExprPtr> keys,
                                         int numPartitions)
    : kind_(kind),
      keys_(std::move(keys)),
      numPartitions_(kind == Kind::Single ? 1 : numPartitions) {
  output = child->output;
  children = {std::move(child)};
}

std::shared_ptr<ShuffleExchangeExec> ShuffleExchangeExec::range(PhysicalPtr child,
                                                                std::vector<SortKey> order,
                                                                int numPartitions) {
  std::vector<ExprPtr> keys;
  for (const auto& o : order) keys.push_back(o.expr);
  auto x = std::make_shared<ShuffleExchangeExec>(std::move(child), Kind::Range, std::move(keys),
                                                 numPartitions);
  x->order_ = std::move(order);
  return x;
}

ShuffleExchangeExec::ShuffleExchangeExec(std::vector<Attribute> out, Kind kind,
                                         std::vector<ExprPtr> keys, int numPartitions,
                                         int shuffleId, int numMaps)
    : kind_(kind),
      keys_(std::move(keys)),
      numPartitions_(numPartitions),
      shuffleId_(shuffleId),
      numMaps_(numMaps) {
  output = std::move(out);
}

std::string ShuffleExchangeExec::describe() const {
  if (kind_ == Kind::Single) return "Exchange SinglePartition";
  if (kind_ == Kind::RoundRobin)
    return "Exchange RoundRobinPartitioning(" + std::to_string(numPartitions_) + ")";
  if (kind_ == Kind::Range) {
    std::string s = "Exchange rangepartitioning(";
    for (const auto& o : order_)
      s += o.expr->toString() + (o.ascending ? " ASC" : " DESC") +
           (o.nullsFirst ? " NULLS FIRST, " : " NULLS LAST, ");
    return s + std::to_string(numPartitions_) + ")";
  }
  std::string s = "Exchange hashpartitioning(";
  for (const auto& k : keys_) s += k->toString() + ", ";
  return s + std::to_string(numPartitions_) + ")";
}

void ShuffleExchangeExec::prepare(Context& ctx) {
  PhysicalNode::prepare(ctx);
  if (localStore_) localStore_->remove(shuffleId_);  // prepared again: a new shuffle
  localStore_ = LocalExchangeStore::of(ctx.env());
  mapRdd_ = makePlanRdd(ctx, children[0], "Exchange");
  shuffleId_ = ctx.newShuffleId();
  numMaps_ = children[0]->numPartitions();
  if (kind_ == Kind::Range)
    bounds_ = sampleRangeBounds(ctx, mapRdd_, children[0]->output, order_, numPartitions_);
  dep_ = std::make_shared<BatchShuffleDependency>(
      std::static_pointer_cast<RDDImpl<BatchPtr>>(mapRdd_), shuffleId_, numMaps_, numPartitions_,
      kind_, keys_, children[0]->output, order_, bounds_);
  ctx.trackShuffle(*mapRdd_, shuffleId_);
}

void ShuffleExchangeExec::shuffleDependencies(std::vector<std::shared_ptr<Dependency>>& out) const {
  if (dep_) out.push_back(dep_);  // null on executors, which only read the shuffle
}

namespace {
class ShuffleReadStream : public BatchStream {
 public:
  ShuffleReadStream(TaskContext& ctx, int shuffleId, int numMaps, int reduceId)
      : it_(ctx, shuffleId, numMaps, reduceId), ctx_(ctx) {}
  BatchPtr next() override {
    BatchPtr b;
    if (!it_.next(b)) return nullptr;
    ctx_.metrics().shuffleRecordsRead += b->numRows;
    return b;
  }

 private:
  ShuffleBlockIterator<BatchPtr> it_;
  TaskContext& ctx_;
};

}  // namespace

StreamPtr ShuffleExchangeExec::execute(int partition, TaskContext& ctx) const {
  if (auto store = LocalExchangeStore::of(ctx.env()))
    return instrument(
        localShuffleReadStream(ctx, std::move(store), shuffleId_, numMaps_, partition), *this);
  return instrument(std::make_unique<ShuffleReadStream>(ctx, shuffleId_, numMaps_, partition),
                    *this);
}

ShuffleExchangeExec::~ShuffleExchangeExec() {
  if (localStore_) localStore_->remove(shuffleId_);
}

// ---- BroadcastExchangeExec ----
BroadcastExchangeExec::BroadcastExchangeExec(PhysicalPtr child) {
  output = child->output;
  children = {std::move(child)};
}

void BroadcastExchangeExec::prepare(Context& ctx) {
  PhysicalNode::prepare(ctx);
  std::vector<BatchPtr> all;
  for (auto& part : runPlan(ctx, children[0], "broadcast exchange"))
    for (auto& b : part) all.push_back(b);
  data_ = all.empty() ? Batch::empty(schemaOf(output)) : concatBatches(all);
  metrics_.rows += data_->numRows;
}

BroadcastExchangeExec::BroadcastExchangeExec(std::vector<Attribute> out, int64_t broadcastId)
    : broadcastId_(broadcastId) {
  output = std::move(out);
}

BroadcastExchangeExec::~BroadcastExchangeExec() {
  if (ownsBroadcast_) BroadcastManager::global().remove(broadcastId_);
}

int64_t BroadcastExchangeExec::broadcastId() const {
  std::lock_guard lock(mutex_);
  if (broadcastId_ == 0) {
    EMBER_CHECK(data_ != nullptr, "shipping a broadcast exchange that was not prepared");
    std::string bytes;
    ByteWriter w(&bytes);
    Serde<BatchPtr>::write(w, data_);
    broadcastId_ =
        BroadcastManager::global().add(std::move(bytes), std::make_shared<BatchPtr>(data_));
    ownsBroadcast_ = true;
  }
  return broadcastId_;
}

StreamPtr BroadcastExchangeExec::execute(int, TaskContext&) const {
  if (data_) return streamOf({data_});
  // An executor's copy: the table arrives once per process through the broadcast.
  return streamOf({Broadcast<BatchPtr>(broadcastId_).value()});
}

std::vector<std::vector<BatchPtr>> runPlan(Context& ctx, const PhysicalPtr& root,
                                           const std::string& callSite,
                                           const std::vector<int>& partitions) {
  auto rdd = makePlanRdd(ctx, root, callSite);
  std::vector<int> parts = partitions;
  if (parts.empty())
    for (int p = 0; p < root->numPartitions(); ++p) parts.push_back(p);
  std::vector<std::vector<BatchPtr>> results(static_cast<size_t>(root->numPartitions()));
  auto fn = makeJobFunction<BatchPtr>(CollectBatches{});
  ctx.runJob(
      rdd, fn, parts,
      [&](int p, std::string_view bytes) {
        ByteReader r(bytes);
        results[static_cast<size_t>(p)] = Serde<std::vector<BatchPtr>>::read(r);
      },
      callSite);
  return results;
}

}  // namespace ember::sql
