#include "ember/sql/plan_serde.h"

#include "ember/common/errors.h"
#include "ember/core/broadcast.h"
#include "ember/sql/exec_cache.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/exec_generate.h"
#include "ember/sql/exec_ops.h"
#include "ember/sql/exec_partitioning.h"

namespace ember::sql {

namespace {

// Bumped whenever the layout below changes: a driver and an executor built from
// different sources fail with a clear error instead of misreading each other.
constexpr uint32_t kPlanFormatVersion = 2;

// In-memory tables up to this size travel inside the stage payload; larger ones as a
// broadcast variable, so each executor fetches them once rather than once per task.
constexpr int64_t kInlineTableBytes = 1 << 20;

enum class NodeTag : uint8_t {
  LocalTable = 1,
  FileScan,
  Filter,
  Project,
  Limit,
  Union,
  Sample,
  HashAggregate,
  HashJoin,
  NestedLoopJoin,
  Sort,
  Window,
  ShuffleRead,
  Broadcast,
  Range,
  Generate,
  Coalesce,
  InMemoryScan,
};

// Names and qualifiers: the engine's vector<string> encoding.
void writeStrings(ByteWriter& w, const std::vector<std::string>& v) {
  Serde<std::vector<std::string>>::write(w, v);
}
std::vector<std::string> readStrings(ByteReader& r) {
  return Serde<std::vector<std::string>>::read(r);
}

void writeExprs(ByteWriter& w, const std::vector<ExprPtr>& v) {
  w.writeVarint(v.size());
  for (const auto& e : v) writeExpr(w, e);
}
std::vector<ExprPtr> readExprs(ByteReader& r) {
  std::vector<ExprPtr> v(r.readVarint());
  for (auto& e : v) e = readExpr(r);
  return v;
}

void writeSortKeys(ByteWriter& w, const std::vector<SortKey>& keys) {
  w.writeVarint(keys.size());
  for (const auto& k : keys) {
    writeExpr(w, k.expr);
    w.writeRaw<uint8_t>(k.ascending);
    w.writeRaw<uint8_t>(k.nullsFirst);
  }
}
std::vector<SortKey> readSortKeys(ByteReader& r) {
  std::vector<SortKey> keys(r.readVarint());
  for (auto& k : keys) {
    k.expr = readExpr(r);
    k.ascending = r.readRaw<uint8_t>() != 0;
    k.nullsFirst = r.readRaw<uint8_t>() != 0;
  }
  return keys;
}

void writeBound(ByteWriter& w, const FrameBound& b) {
  w.writeRaw<uint8_t>(static_cast<uint8_t>(b.kind));
  w.writeRaw<int64_t>(b.offset);
}
FrameBound readBound(ByteReader& r) {
  FrameBound b;
  b.kind = static_cast<FrameBound::Kind>(r.readRaw<uint8_t>());
  b.offset = r.readRaw<int64_t>();
  return b;
}

void writeWindow(ByteWriter& w, const WindowSpec& s) {
  writeExprs(w, s.partitionBy);
  writeSortKeys(w, s.orderBy);
  w.writeRaw<uint8_t>(s.hasFrame);
  w.writeRaw<uint8_t>(static_cast<uint8_t>(s.frameType));
  writeBound(w, s.start);
  writeBound(w, s.end);
}
std::shared_ptr<const WindowSpec> readWindow(ByteReader& r) {
  auto s = std::make_shared<WindowSpec>();
  s->partitionBy = readExprs(r);
  s->orderBy = readSortKeys(r);
  s->hasFrame = r.readRaw<uint8_t>() != 0;
  s->frameType = static_cast<FrameType>(r.readRaw<uint8_t>());
  s->start = readBound(r);
  s->end = readBound(r);
  return s;
}

}  // namespace

// ---- expressions ----

void writeExpr(ByteWriter& w, const ExprPtr& e) {
  if (!e) {
    w.writeRaw<uint8_t>(0);
    return;
  }
  if (e->subquery)
    throw InternalError("a subquery reached execution and cannot be shipped: " + e->toString());
  w.writeRaw<uint8_t>(1);
  w.writeRaw<uint8_t>(static_cast<uint8_t>(e->kind));
  w.writeString(e->name);
  writeStrings(w, e->qualifier);
  writeExprs(w, e->args);
  e->value.serialize(w);
  e->type.serialize(w);
  uint8_t flags =
      static_cast<uint8_t>((e->nullable ? 1 : 0) | (e->resolved ? 2 : 0) | (e->distinct ? 4 : 0) |
                           (e->hasFilter ? 8 : 0) | (e->negated ? 16 : 0) | (e->window ? 32 : 0));
  w.writeRaw<uint8_t>(flags);
  w.writeRaw<int64_t>(e->id);
  w.writeRaw<int32_t>(e->position);
  if (e->window) writeWindow(w, *e->window);
}

ExprPtr readExpr(ByteReader& r) {
  if (r.readRaw<uint8_t>() == 0) return nullptr;
  auto e = std::make_shared<Expr>();
  e->kind = static_cast<ExprKind>(r.readRaw<uint8_t>());
  e->name = r.readString();
  e->qualifier = readStrings(r);
  e->args = readExprs(r);
  e->value = Value::deserialize(r);
  e->type = DataType::deserialize(r);
  auto flags = r.readRaw<uint8_t>();
  e->nullable = flags & 1;
  e->resolved = flags & 2;
  e->distinct = flags & 4;
  e->hasFilter = flags & 8;
  e->negated = flags & 16;
  e->id = r.readRaw<int64_t>();
  e->position = r.readRaw<int32_t>();
  if (flags & 32) e->window = readWindow(r);
  return e;
}

void writeAttributes(ByteWriter& w, const std::vector<Attribute>& attrs) {
  w.writeVarint(attrs.size());
  for (const auto& a : attrs) {
    w.writeString(a.name);
    a.type.serialize(w);
    w.writeRaw<uint8_t>(a.nullable);
    w.writeRaw<int64_t>(a.id);
    writeStrings(w, a.qualifier);
  }
}

std::vector<Attribute> readAttributes(ByteReader& r) {
  std::vector<Attribute> attrs(r.readVarint());
  for (auto& a : attrs) {
    a.name = r.readString();
    a.type = DataType::deserialize(r);
    a.nullable = r.readRaw<uint8_t>() != 0;
    a.id = r.readRaw<int64_t>();
    a.qualifier = readStrings(r);
  }
  return attrs;
}

// ---- operators ----

// Friend of every operator: reads their construction parameters and rebuilds them.
struct PlanSerde {
  static void write(ByteWriter& w, const PhysicalNode& n);
  static PhysicalPtr read(ByteReader& r);

 private:
  static void writeSource(ByteWriter& w, const FileSource& s) {
    w.writeString(s.format);
    writeStrings(w, s.paths);
    w.writeVarint(s.options.size());
    for (const auto& [k, v] : s.options) {
      w.writeString(k);
      w.writeString(v);
    }
    s.userSchema.serialize(w);
    w.writeRaw<uint8_t>(s.hasUserSchema);
  }
  static std::shared_ptr<const FileSource> readSource(ByteReader& r) {
    auto s = std::make_shared<FileSource>();
    s->format = r.readString();
    s->paths = readStrings(r);
    for (uint64_t n = r.readVarint(); n > 0; --n) {
      std::string k = r.readString();
      s->options[k] = r.readString();
    }
    s->userSchema = Schema::deserialize(r);
    s->hasUserSchema = r.readRaw<uint8_t>() != 0;
    return s;
  }
  static void writeLocalTable(ByteWriter& w, const LocalTableExec& n);
  static PhysicalPtr readLocalTable(ByteReader& r, std::vector<Attribute> out);
};

void PlanSerde::writeLocalTable(ByteWriter& w, const LocalTableExec& n) {
  w.writeVarint(static_cast<uint64_t>(n.partitions_));
  int64_t bytes = 0;
  for (const auto& b : n.batches_) bytes += b->memoryBytes();
  if (bytes <= kInlineTableBytes) {
    w.writeRaw<uint8_t>(0);
    Serde<std::vector<BatchPtr>>::write(w, n.batches_);
    return;
  }
  // Large (a cached DataFrame, big VALUES): once per executor through a broadcast
  // variable owned by the node, created on first shipment.
  std::lock_guard lock(n.shipMutex_);
  if (n.broadcastId_ == 0) {
    std::string bytesOut;
    ByteWriter bw(&bytesOut);
    Serde<std::vector<BatchPtr>>::write(bw, n.batches_);
    n.broadcastId_ = BroadcastManager::global().add(
        std::move(bytesOut), std::make_shared<const std::vector<BatchPtr>>(n.batches_));
  }
  w.writeRaw<uint8_t>(1);
  w.writeRaw<int64_t>(n.broadcastId_);
}

PhysicalPtr PlanSerde::readLocalTable(ByteReader& r, std::vector<Attribute> out) {
  int partitions = static_cast<int>(r.readVarint());
  if (r.readRaw<uint8_t>() == 0)
    return std::make_shared<LocalTableExec>(Serde<std::vector<BatchPtr>>::read(r), std::move(out),
                                            partitions);
  int64_t id = r.readRaw<int64_t>();
  const auto& batches = Broadcast<std::vector<BatchPtr>>(id).value();
  return std::make_shared<LocalTableExec>(batches, std::move(out), partitions);
}

void PlanSerde::write(ByteWriter& w, const PhysicalNode& n) {
  auto header = [&](NodeTag tag) {
    w.writeRaw<uint8_t>(static_cast<uint8_t>(tag));
    w.writeRaw<int32_t>(n.nodeId);
    w.writeRaw<int64_t>(n.metricsAccumulatorId());
    writeAttributes(w, n.output);
  };
  auto kids = [&] {
    w.writeVarint(n.children.size());
    for (const auto& c : n.children) write(w, *c);
  };
  if (auto* x = dynamic_cast<const LocalTableExec*>(&n)) {
    header(NodeTag::LocalTable);
    writeLocalTable(w, *x);
  } else if (auto* x = dynamic_cast<const RangeExec*>(&n)) {
    header(NodeTag::Range);
    w.writeRaw<int64_t>(x->start_);
    w.writeRaw<int64_t>(x->end_);
    w.writeRaw<int64_t>(x->step_);
    w.writeVarint(static_cast<uint64_t>(x->partitions_));
    w.writeVarint(static_cast<uint64_t>(x->batchRows_));
  } else if (auto* x = dynamic_cast<const FileScanExec*>(&n)) {
    header(NodeTag::FileScan);
    writeSource(w, *x->source_);
    x->dataSchema_.serialize(w);
    Serde<std::vector<int>>::write(w, x->projection_);
    Serde<std::vector<ColumnPredicate>>::write(w, x->filters_);
    w.writeRaw<int64_t>(x->splitBytes_);
    w.writeRaw<int32_t>(x->batchRows_);
    Serde<std::vector<FileSplit>>::write(w, x->splits_);  // planned on the driver
    Serde<std::vector<int>>::write(w, x->partitionColumns_);
    Serde<std::vector<std::vector<Value>>>::write(w, x->splitValues_);
  } else if (auto* x = dynamic_cast<const FilterExec*>(&n)) {
    header(NodeTag::Filter);
    kids();
    writeExpr(w, x->condition_);
  } else if (auto* x = dynamic_cast<const ProjectExec*>(&n)) {
    header(NodeTag::Project);
    kids();
    writeExprs(w, x->exprs_);
  } else if (auto* x = dynamic_cast<const LimitExec*>(&n)) {
    header(NodeTag::Limit);
    kids();
    w.writeRaw<int64_t>(x->limit_);
    w.writeRaw<int64_t>(x->offset_);
  } else if (dynamic_cast<const UnionExec*>(&n)) {
    header(NodeTag::Union);
    kids();
  } else if (auto* x = dynamic_cast<const InMemoryScanExec*>(&n)) {
    header(NodeTag::InMemoryScan);
    kids();
    EMBER_CHECK(x->rdd_ != nullptr, "a cached plan is shipped before it was prepared");
    w.writeVarint(static_cast<uint64_t>(x->rdd_->id()));
    w.writeRaw<uint8_t>(static_cast<uint8_t>(x->level_));
  } else if (auto* x = dynamic_cast<const CoalesceExec*>(&n)) {
    header(NodeTag::Coalesce);
    kids();
    w.writeVarint(static_cast<uint64_t>(x->partitions_));
  } else if (auto* x = dynamic_cast<const GenerateExec*>(&n)) {
    header(NodeTag::Generate);
    kids();
    writeExpr(w, x->generator_);
    writeAttributes(w, x->generated_);
    w.writeVarint(static_cast<uint64_t>(x->batchRows_));
  } else if (auto* x = dynamic_cast<const SampleExec*>(&n)) {
    header(NodeTag::Sample);
    kids();
    w.writeRaw<double>(x->fraction_);
    w.writeRaw<uint64_t>(x->seed_);
  } else if (auto* x = dynamic_cast<const HashAggregateExec*>(&n)) {
    header(NodeTag::HashAggregate);
    kids();
    w.writeRaw<uint8_t>(static_cast<uint8_t>(x->mode_));
    writeExprs(w, x->keys_);
    w.writeVarint(x->aggs_.size());
    for (const auto& a : x->aggs_) {
      w.writeString(a.fn->name());
      w.writeRaw<uint8_t>(a.distinct);
      w.writeVarint(a.fn->argTypes().size());
      for (const auto& t : a.fn->argTypes()) t.serialize(w);
      writeExprs(w, a.args);
      writeExpr(w, a.filter);
    }
  } else if (auto* x = dynamic_cast<const HashJoinExec*>(&n)) {
    header(NodeTag::HashJoin);
    kids();
    w.writeRaw<uint8_t>(static_cast<uint8_t>(x->type_));
    writeExprs(w, x->leftKeys_);
    writeExprs(w, x->rightKeys_);
    writeExpr(w, x->residual_);
    w.writeRaw<uint8_t>(static_cast<uint8_t>(x->build_));
    w.writeRaw<uint8_t>(x->broadcast_);
  } else if (auto* x = dynamic_cast<const NestedLoopJoinExec*>(&n)) {
    header(NodeTag::NestedLoopJoin);
    kids();
    w.writeRaw<uint8_t>(static_cast<uint8_t>(x->type_));
    writeExpr(w, x->condition_);
  } else if (auto* x = dynamic_cast<const SortExec*>(&n)) {
    header(NodeTag::Sort);
    kids();
    writeSortKeys(w, x->keys_);
    w.writeRaw<int64_t>(x->limit_);
  } else if (auto* x = dynamic_cast<const WindowExec*>(&n)) {
    header(NodeTag::Window);
    kids();
    writeExprs(w, x->windowExprs_);
  } else if (auto* x = dynamic_cast<const ShuffleExchangeExec*>(&n)) {
    // The stage ends here: only the reduce side's ids (the map side is its own stage).
    EMBER_CHECK(x->shuffleId_ >= 0, "shipping an exchange that was not prepared");
    header(NodeTag::ShuffleRead);
    w.writeRaw<uint8_t>(static_cast<uint8_t>(x->kind_));
    writeExprs(w, x->keys_);
    w.writeVarint(static_cast<uint64_t>(x->numPartitions_));
    w.writeVarint(static_cast<uint64_t>(x->shuffleId_));
    w.writeVarint(static_cast<uint64_t>(x->numMaps_));
    w.writeVarint(x->order_.size());  // Range: for plans and the SQL UI only
    for (const auto& o : x->order_) {
      w.writeRaw<uint8_t>(o.ascending);
      w.writeRaw<uint8_t>(o.nullsFirst);
    }
  } else if (auto* x = dynamic_cast<const BroadcastExchangeExec*>(&n)) {
    header(NodeTag::Broadcast);
    w.writeRaw<int64_t>(x->broadcastId());
  } else {
    throw InternalError("the SQL operator '" + n.describe() +
                        "' cannot be shipped to executors yet (no case in plan_serde.cpp)");
  }
}

PhysicalPtr PlanSerde::read(ByteReader& r) {
  auto tag = static_cast<NodeTag>(r.readRaw<uint8_t>());
  int nodeId = r.readRaw<int32_t>();
  int64_t metricsId = r.readRaw<int64_t>();
  std::vector<Attribute> out = readAttributes(r);
  auto kids = [&] {
    std::vector<PhysicalPtr> v(r.readVarint());
    for (auto& c : v) c = read(r);
    return v;
  };
  auto one = [&] {
    auto v = kids();
    EMBER_CHECK(v.size() == 1, "shipped operator has " + std::to_string(v.size()) + " inputs");
    return v[0];
  };
  PhysicalPtr node;
  switch (tag) {
    case NodeTag::LocalTable:
      node = readLocalTable(r, out);
      break;
    case NodeTag::FileScan: {
      auto source = readSource(r);
      Schema dataSchema = Schema::deserialize(r);
      auto projection = Serde<std::vector<int>>::read(r);
      auto filters = Serde<std::vector<ColumnPredicate>>::read(r);
      int64_t splitBytes = r.readRaw<int64_t>();
      int batchRows = r.readRaw<int32_t>();
      auto scan = std::make_shared<FileScanExec>(std::move(source), std::move(dataSchema),
                                                 std::move(projection), std::move(filters), out,
                                                 splitBytes, batchRows);
      scan->splits_ = Serde<std::vector<FileSplit>>::read(r);
      scan->partitionColumns_ = Serde<std::vector<int>>::read(r);
      scan->splitValues_ = Serde<std::vector<std::vector<Value>>>::read(r);
      node = scan;
      break;
    }
    case NodeTag::Filter: {
      auto child = one();
      node = std::make_shared<FilterExec>(child, readExpr(r));
      break;
    }
    case NodeTag::Project: {
      auto child = one();
      node = std::make_shared<ProjectExec>(child, readExprs(r));
      break;
    }
    case NodeTag::Limit: {
      auto child = one();
      int64_t limit = r.readRaw<int64_t>();
      node = std::make_shared<LimitExec>(child, limit, r.readRaw<int64_t>());
      break;
    }
    case NodeTag::Union:
      node = std::make_shared<UnionExec>(kids(), out);
      break;
    case NodeTag::Sample: {
      auto child = one();
      double fraction = r.readRaw<double>();
      node = std::make_shared<SampleExec>(child, fraction, r.readRaw<uint64_t>());
      break;
    }
    case NodeTag::HashAggregate: {
      auto child = one();
      auto mode = static_cast<HashAggregateExec::Mode>(r.readRaw<uint8_t>());
      auto keys = readExprs(r);
      std::vector<HashAggregateExec::AggSpec> aggs(r.readVarint());
      for (auto& a : aggs) {
        std::string name = r.readString();
        a.distinct = r.readRaw<uint8_t>() != 0;
        std::vector<DataType> types(r.readVarint());
        for (auto& t : types) t = DataType::deserialize(r);
        a.fn = bindAggregate(name, types, a.distinct);
        a.args = readExprs(r);
        a.filter = readExpr(r);
      }
      node =
          std::make_shared<HashAggregateExec>(child, mode, std::move(keys), std::move(aggs), out);
      break;
    }
    case NodeTag::HashJoin: {
      auto v = kids();
      EMBER_CHECK(v.size() == 2, "shipped join without two inputs");
      auto type = static_cast<JoinType>(r.readRaw<uint8_t>());
      auto leftKeys = readExprs(r);
      auto rightKeys = readExprs(r);
      auto residual = readExpr(r);
      auto build = static_cast<HashJoinExec::BuildSide>(r.readRaw<uint8_t>());
      bool broadcast = r.readRaw<uint8_t>() != 0;
      node = std::make_shared<HashJoinExec>(v[0], v[1], type, std::move(leftKeys),
                                            std::move(rightKeys), std::move(residual), build,
                                            broadcast, out);
      break;
    }
    case NodeTag::NestedLoopJoin: {
      auto v = kids();
      EMBER_CHECK(v.size() == 2, "shipped join without two inputs");
      auto type = static_cast<JoinType>(r.readRaw<uint8_t>());
      node = std::make_shared<NestedLoopJoinExec>(v[0], v[1], type, readExpr(r), out);
      break;
    }
    case NodeTag::Sort: {
      auto child = one();
      auto keys = readSortKeys(r);
      node = std::make_shared<SortExec>(child, std::move(keys), r.readRaw<int64_t>());
      break;
    }
    case NodeTag::Window: {
      auto child = one();
      node = std::make_shared<WindowExec>(child, readExprs(r), out);
      break;
    }
    case NodeTag::ShuffleRead: {
      auto kind = static_cast<ShuffleExchangeExec::Kind>(r.readRaw<uint8_t>());
      auto keys = readExprs(r);
      int numPartitions = static_cast<int>(r.readVarint());
      int shuffleId = static_cast<int>(r.readVarint());
      int numMaps = static_cast<int>(r.readVarint());
      std::vector<SortKey> order(r.readVarint());
      for (size_t i = 0; i < order.size(); ++i) {
        order[i].expr = i < keys.size() ? keys[i] : nullptr;
        order[i].ascending = r.readRaw<uint8_t>() != 0;
        order[i].nullsFirst = r.readRaw<uint8_t>() != 0;
      }
      auto x = std::make_shared<ShuffleExchangeExec>(out, kind, std::move(keys), numPartitions,
                                                     shuffleId, numMaps);
      x->order_ = std::move(order);
      node = x;
      break;
    }
    case NodeTag::Range: {
      int64_t start = r.readRaw<int64_t>();
      int64_t end = r.readRaw<int64_t>();
      int64_t step = r.readRaw<int64_t>();
      int parts = static_cast<int>(r.readVarint());
      int batchRows = static_cast<int>(r.readVarint());
      node = std::make_shared<RangeExec>(start, end, step, parts, batchRows, out);
      break;
    }
    case NodeTag::Broadcast:
      node = std::make_shared<BroadcastExchangeExec>(out, r.readRaw<int64_t>());
      break;
    case NodeTag::InMemoryScan: {
      auto child = one();
      int rddId = static_cast<int>(r.readVarint());
      auto level = static_cast<StorageLevel>(r.readRaw<uint8_t>());
      if (level > StorageLevel::DiskOnly) throw IoError("corrupt plan: bad storage level");
      node = std::make_shared<InMemoryScanExec>(out, child, rddId, level);
      break;
    }
    case NodeTag::Coalesce: {
      auto child = one();
      node = std::make_shared<CoalesceExec>(child, static_cast<int>(r.readVarint()));
      break;
    }
    case NodeTag::Generate: {
      auto child = one();
      ExprPtr gen = readExpr(r);
      auto generated = readAttributes(r);
      int batchRows = static_cast<int>(r.readVarint());
      node = std::make_shared<GenerateExec>(child, gen, std::move(generated), batchRows);
      break;
    }
    default:
      throw IoError("corrupt SQL plan payload: unknown operator tag " +
                    std::to_string(static_cast<int>(tag)));
  }
  node->output = std::move(out);
  node->nodeId = nodeId;
  node->remoteMetrics = metricsId;
  return node;
}

void writePhysicalPlan(ByteWriter& w, const PhysicalNode& root) {
  w.writeRaw<uint32_t>(kPlanFormatVersion);
  PlanSerde::write(w, root);
}

PhysicalPtr readPhysicalPlan(ByteReader& r) {
  uint32_t version = r.readRaw<uint32_t>();
  if (version != kPlanFormatVersion)
    throw InternalError("SQL plan format " + std::to_string(version) + " from the driver, " +
                        std::to_string(kPlanFormatVersion) +
                        " here: driver and executors must run the same Ember build");
  return PlanSerde::read(r);
}

}  // namespace ember::sql
