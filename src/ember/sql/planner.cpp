#include "ember/sql/planner.h"

#include <filesystem>
#include <functional>
#include <map>
#include <unordered_set>

#include "ember/common/errors.h"
#include "ember/io/file_listing.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/analyzer_internal.h"
#include "ember/sql/exec_cache.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/exec_generate.h"
#include "ember/sql/exec_ops.h"
#include "ember/sql/exec_partitioning.h"
#include "ember/sql/optimizer_internal.h"

namespace ember::sql {

namespace {

Attribute freshAttr(const std::string& name, const DataType& t, bool nullable = true) {
  return Attribute{name, t, nullable, newAttributeId(), {}};
}

class Planner {
 public:
  explicit Planner(const PlannerOptions& o) : o_(o) {}

  PhysicalPtr plan(const PlanPtr& p) {
    switch (p->kind) {
      case PlanKind::SubqueryAlias:
      case PlanKind::With:
        return plan(p->children[0]);
      case PlanKind::LocalRelation: {
        int64_t rows = 0;
        for (const auto& b : p->rows) rows += b->numRows;
        int parts = static_cast<int>(std::clamp<int64_t>(rows / 10000, 1, o_.defaultParallelism));
        return std::make_shared<LocalTableExec>(p->rows, p->output, parts);
      }
      case PlanKind::Range: {
        int parts = p->rangePartitions > 0 ? p->rangePartitions : o_.defaultParallelism;
        return std::make_shared<RangeExec>(p->rangeStart, p->rangeEnd, p->rangeStep, parts,
                                           o_.batchRows, p->output);
      }
      case PlanKind::OneRow: {
        auto b = std::make_shared<Batch>();
        b->numRows = 1;
        return std::make_shared<LocalTableExec>(std::vector<BatchPtr>{b}, std::vector<Attribute>{},
                                                1);
      }
      case PlanKind::FileScan:
        return planScan(*p);
      case PlanKind::Project: {
        // A join under a projection produces only the columns the projection reads
        // (join keys and other columns used only below are never gathered).
        const PlanPtr& c = p->children[0];
        if (c->kind == PlanKind::Join) {
          IdSet used;
          for (const auto& e : p->exprs)
            for (int64_t id : referencedIds(e)) used.insert(id);
          return std::make_shared<ProjectExec>(planJoin(*c, &used), p->exprs);
        }
        return std::make_shared<ProjectExec>(plan(c), p->exprs);
      }
      case PlanKind::Filter: {
        // Simple conjuncts over a file scan also go into the reader (row-group skipping);
        // the filter stays above it: readers may return rows that do not match.
        const PlanPtr& c = p->children[0];
        PhysicalPtr child =
            c->kind == PlanKind::FileScan ? planScan(*c, pushable(*c, p->exprs[0])) : plan(c);
        return std::make_shared<FilterExec>(child, p->exprs[0]);
      }
      case PlanKind::Aggregate:
        return planAggregate(*p);
      case PlanKind::Join:
        return planJoin(*p);
      case PlanKind::Sort: {
        auto child = plan(p->children[0]);
        // A large input is range-partitioned (each partition sorted, partitions in
        // order: a global sort in parallel); a small one sorts in a single partition,
        // which saves the sampling job.
        if (o_.shufflePartitions > 1 && estimateBytes(*p->children[0]) >= o_.rangeSortMinBytes)
          return std::make_shared<SortExec>(
              ShuffleExchangeExec::range(child, p->order, o_.shufflePartitions), p->order);
        auto single = std::make_shared<ShuffleExchangeExec>(
            child, ShuffleExchangeExec::Kind::Single, std::vector<ExprPtr>{}, 1);
        return std::make_shared<SortExec>(single, p->order);
      }
      case PlanKind::Limit:
        return planLimit(*p);
      case PlanKind::Distinct: {
        auto agg = std::make_shared<LogicalPlan>();
        agg->kind = PlanKind::Aggregate;
        agg->children = p->children;
        for (const auto& a : p->children[0]->output) {
          agg->groupBy.push_back(refTo(a));
          agg->exprs.push_back(refTo(a));
        }
        agg->output = p->output;
        agg->resolved = true;
        return planAggregate(*agg);
      }
      case PlanKind::SetOp:
        return planSetOp(*p);
      case PlanKind::Sample:
        return std::make_shared<SampleExec>(plan(p->children[0]), p->fraction, p->seed);
      case PlanKind::Window:
        return planWindow(*p);
      case PlanKind::Generate:
        return std::make_shared<GenerateExec>(plan(p->children[0]), p->exprs[0], p->generatorOutput,
                                              o_.batchRows);
      case PlanKind::Repartition: {
        auto child = plan(p->children[0]);
        int n = p->numPartitions > 0 ? p->numPartitions : o_.shufflePartitions;
        if (!p->shuffle) return std::make_shared<CoalesceExec>(child, n);
        if (!p->order.empty()) return ShuffleExchangeExec::range(child, p->order, n);
        return std::make_shared<ShuffleExchangeExec>(child,
                                                     p->exprs.empty()
                                                         ? ShuffleExchangeExec::Kind::RoundRobin
                                                         : ShuffleExchangeExec::Kind::Hash,
                                                     p->exprs, n);
      }
      case PlanKind::InMemoryRelation:
        return std::make_shared<InMemoryScanExec>(p->cache, p->output);
      case PlanKind::LocalSort:
        return std::make_shared<SortExec>(plan(p->children[0]), p->order);
      default:
        break;
    }
    throw InternalError("no physical plan for " + p->nodeString());
  }

 private:
  // Conjuncts `column op literal` of the scan's columns as reader predicates.
  static std::vector<ColumnPredicate> pushable(const LogicalPlan& scan, const ExprPtr& cond) {
    std::vector<ExprPtr> cs;
    conjuncts(cond, cs);
    std::vector<ColumnPredicate> out;
    const Schema& data = scan.source->userSchema;
    auto columnOf = [&](const ExprPtr& e) -> int {
      if (e->kind != ExprKind::ColumnRef) return -1;
      for (const auto& a : scan.output)
        if (a.id == e->id) return data.indexOf(a.name);
      return -1;
    };
    auto fits = [&](const Expr& l, int col) {
      return l.kind == ExprKind::Literal && !l.value.isNull() &&
             l.value.type() == data.field(static_cast<size_t>(col)).type;
    };
    using Op = ColumnPredicate::Op;
    static const std::map<std::string, std::pair<Op, Op>> ops = {
        {"=", {Op::kEq, Op::kEq}},  {"<>", {Op::kNe, Op::kNe}}, {"<", {Op::kLt, Op::kGt}},
        {"<=", {Op::kLe, Op::kGe}}, {">", {Op::kGt, Op::kLt}},  {">=", {Op::kGe, Op::kLe}}};
    for (const auto& c : cs) {
      if (c->kind != ExprKind::Call) continue;
      if ((c->name == "isnull" || c->name == "isnotnull") && c->args.size() == 1) {
        int col = columnOf(c->args[0]);
        if (col >= 0) out.push_back({col, c->name == "isnull" ? Op::kIsNull : Op::kIsNotNull, {}});
        continue;
      }
      if (c->name == "in" && c->args.size() >= 2) {
        int col = columnOf(c->args[0]);
        if (col < 0) continue;
        ColumnPredicate pr{col, Op::kIn, {}};
        bool ok = true;
        for (size_t i = 1; i < c->args.size() && ok; ++i) {
          ok = fits(*c->args[i], col);
          if (ok) pr.values.push_back(c->args[i]->value);
        }
        if (ok) out.push_back(pr);
        continue;
      }
      auto op = ops.find(c->name);
      if (op == ops.end() || c->args.size() != 2) continue;
      int col = columnOf(c->args[0]);
      const Expr* l = c->args[1].get();
      bool flipped = false;
      if (col < 0) {
        col = columnOf(c->args[1]);
        l = c->args[0].get();
        flipped = true;
      }
      // Only literals of exactly the column's type: the reader compares raw values.
      if (col < 0 || !fits(*l, col)) continue;
      out.push_back({col, flipped ? op->second.second : op->second.first, {l->value}});
    }
    return out;
  }

  PhysicalPtr planScan(const LogicalPlan& p, std::vector<ColumnPredicate> filters = {}) {
    const FileSource& src = *p.source;
    Schema data = src.userSchema;
    std::vector<int> projection;
    for (const auto& a : p.output) {
      int i = data.indexOf(a.name);
      if (i < 0)
        throw InternalError("scan column " + a.name + " not in the data schema (" +
                            data.toString() + ")");
      projection.push_back(i);
    }
    return std::make_shared<FileScanExec>(p.source, data, projection, std::move(filters), p.output,
                                          o_.filesMaxPartitionBytes, o_.batchRows);
  }

  PhysicalPtr exchange(PhysicalPtr child, std::vector<ExprPtr> keys) {
    if (keys.empty())
      return std::make_shared<ShuffleExchangeExec>(child, ShuffleExchangeExec::Kind::Single, keys,
                                                   1);
    return std::make_shared<ShuffleExchangeExec>(child, ShuffleExchangeExec::Kind::Hash,
                                                 std::move(keys), o_.shufflePartitions);
  }

  PhysicalPtr planAggregate(const LogicalPlan& p) {
    auto child = plan(p.children[0]);
    // Distinct aggregate calls of the output expressions.
    std::vector<ExprPtr> calls;
    for (const auto& e : p.exprs)
      forEachExpr(e, [&](const ExprPtr& x) {
        if (x->kind != ExprKind::AggregateCall) return;
        for (const auto& c : calls)
          if (sameExpr(c, x)) return;
        calls.push_back(x);
      });
    bool distinct = false;
    std::vector<HashAggregateExec::AggSpec> specs;
    for (const auto& c : calls) {
      HashAggregateExec::AggSpec s;
      s.args = c->args;
      if (c->hasFilter) {
        s.filter = s.args.back();
        s.args.pop_back();
      }
      std::vector<DataType> types;
      for (const auto& a : s.args) types.push_back(a->type);
      s.fn = bindAggregate(c->name, types, c->distinct);
      s.distinct = c->distinct;
      distinct = distinct || (c->distinct && s.fn->stateTypes().empty());
      specs.push_back(s);
    }
    // Key attributes of the aggregation output.
    std::vector<Attribute> keyAttrs;
    for (size_t i = 0; i < p.groupBy.size(); ++i) {
      const auto& g = p.groupBy[i];
      keyAttrs.push_back(freshAttr(
          g->kind == ExprKind::ColumnRef ? g->name : "_key" + std::to_string(i), g->type));
    }
    std::vector<Attribute> resultAttrs;
    for (size_t i = 0; i < calls.size(); ++i)
      resultAttrs.push_back(
          freshAttr(calls[i]->prettyName(), calls[i]->type, specs[i].fn->nullable()));
    std::vector<Attribute> finalOut = keyAttrs;
    finalOut.insert(finalOut.end(), resultAttrs.begin(), resultAttrs.end());
    PhysicalPtr agg;
    if (distinct) {
      // One phase: rows are exchanged by the grouping keys first.
      agg = std::make_shared<HashAggregateExec>(exchange(child, p.groupBy),
                                                HashAggregateExec::Mode::Complete, p.groupBy, specs,
                                                finalOut);
    } else {
      std::vector<Attribute> partialOut = keyAttrs;
      for (const auto& s : specs)
        for (const auto& t : s.fn->stateTypes()) partialOut.push_back(freshAttr("_state", t));
      for (size_t i = 0; i < keyAttrs.size(); ++i)
        partialOut[i] = freshAttr(keyAttrs[i].name, keyAttrs[i].type);
      auto partial = std::make_shared<HashAggregateExec>(child, HashAggregateExec::Mode::Partial,
                                                         p.groupBy, specs, partialOut);
      std::vector<ExprPtr> partialKeys;
      for (size_t i = 0; i < keyAttrs.size(); ++i) partialKeys.push_back(refTo(partialOut[i]));
      auto ex = exchange(partial, partialKeys);
      agg = std::make_shared<HashAggregateExec>(ex, HashAggregateExec::Mode::Final, partialKeys,
                                                specs, finalOut);
    }
    // The select list over (keys, results). Top-down, so that an aggregate over a
    // grouping key (sum(k) GROUP BY k) is matched before its argument is.
    std::function<ExprPtr(const ExprPtr&)> overResults = [&](const ExprPtr& x) -> ExprPtr {
      if (x->kind == ExprKind::AggregateCall) {
        for (size_t i = 0; i < calls.size(); ++i)
          if (sameExpr(calls[i], x)) return refTo(resultAttrs[i]);
      }
      for (size_t i = 0; i < p.groupBy.size(); ++i)
        if (sameExpr(p.groupBy[i], x)) return refTo(keyAttrs[i]);
      if (x->args.empty()) return x;
      std::vector<ExprPtr> args;
      bool changed = false;
      for (const auto& a : x->args) {
        args.push_back(overResults(a));
        changed = changed || args.back() != a;
      }
      return changed ? withArgs(*x, std::move(args)) : x;
    };
    std::vector<ExprPtr> projected;
    for (const auto& e : p.exprs) projected.push_back(overResults(e));
    // Keep the output attribute ids the logical plan promised.
    for (size_t i = 0; i < projected.size(); ++i) {
      const Attribute& want = p.output[i];
      if (projected[i]->kind == ExprKind::ColumnRef && projected[i]->id == want.id) continue;
      ExprPtr inner = projected[i]->kind == ExprKind::Alias ? projected[i]->args[0] : projected[i];
      auto a = std::make_shared<Expr>();
      a->kind = ExprKind::Alias;
      a->name = want.name;
      a->args = {inner};
      a->type = want.type;
      a->id = want.id;
      a->resolved = true;
      projected[i] = a;
    }
    return std::make_shared<ProjectExec>(agg, projected);
  }

  // `used`: the output ids the parent reads (null: all of p.output).
  PhysicalPtr planJoin(const LogicalPlan& p, const IdSet* used = nullptr) {
    auto left = plan(p.children[0]);
    auto right = plan(p.children[1]);
    auto lids = idsOf(p.children[0]->output), rids = idsOf(p.children[1]->output);
    std::vector<ExprPtr> cs, residual;
    if (!p.exprs.empty() && p.exprs[0]) conjuncts(p.exprs[0], cs);
    std::vector<ExprPtr> lk, rk;
    for (const auto& c : cs) {
      if (c->kind == ExprKind::Call && c->name == "=" && c->args.size() == 2) {
        const auto& a = c->args[0];
        const auto& b = c->args[1];
        if (subsetOf(referencedIds(a), lids) && subsetOf(referencedIds(b), rids)) {
          lk.push_back(a);
          rk.push_back(b);
          continue;
        }
        if (subsetOf(referencedIds(a), rids) && subsetOf(referencedIds(b), lids)) {
          lk.push_back(b);
          rk.push_back(a);
          continue;
        }
      }
      residual.push_back(c);
    }
    JoinType t = p.joinType == JoinType::Cross ? JoinType::Inner : p.joinType;
    if (lk.empty()) {
      if (t == JoinType::RightOuter || t == JoinType::FullOuter)
        throw UserError(
            std::string(joinTypeName(t)) +
            " join needs at least one equality condition between the two sides in Ember");
      return std::make_shared<NestedLoopJoinExec>(
          left, std::make_shared<BroadcastExchangeExec>(right), t, conjunction(residual), p.output);
    }
    // Key types must match for hashing: cast to a common type was done by the analyzer
    // for the comparison; compare the key expressions' types here.
    for (size_t i = 0; i < lk.size(); ++i)
      if (lk[i]->type != rk[i]->type)
        throw InternalError("join keys of different types: " + lk[i]->toString() + " vs " +
                            rk[i]->toString());
    int64_t lb = estimateBytes(*p.children[0]), rb = estimateBytes(*p.children[1]);
    using B = HashJoinExec::BuildSide;
    B build = B::Right;
    if (t == JoinType::RightOuter) build = B::Left;
    if (t == JoinType::Inner && lb < rb) build = B::Left;
    int64_t buildBytes = build == B::Left ? lb : rb;
    bool canBroadcast = !(t == JoinType::FullOuter) &&
                        !(t == JoinType::RightOuter && build == B::Right) &&
                        !(t == JoinType::LeftOuter && build == B::Left);
    bool broadcast =
        canBroadcast && o_.broadcastThreshold >= 0 && buildBytes <= o_.broadcastThreshold;
    if (broadcast) {
      if (build == B::Left)
        left = std::make_shared<BroadcastExchangeExec>(left);
      else
        right = std::make_shared<BroadcastExchangeExec>(right);
    } else {
      left = exchange(left, lk);
      right = exchange(right, rk);
    }
    std::vector<Attribute> out;
    for (const auto& a : p.output)
      if (!used || used->count(a.id)) out.push_back(a);
    return std::make_shared<HashJoinExec>(left, right, t, lk, rk, conjunction(residual), build,
                                          broadcast, std::move(out));
  }

  PhysicalPtr planLimit(const LogicalPlan& p) {
    const LogicalPlan& c = *p.children[0];
    int64_t n = p.limit < 0 ? -1 : p.limit + p.offset;
    if (c.kind == PlanKind::Sort && n >= 0) {
      // Top-N per partition, then the global top-N on one partition.
      auto local = std::make_shared<SortExec>(plan(c.children[0]), c.order, n);
      auto single = exchange(local, {});
      auto global = std::make_shared<SortExec>(single, c.order, n);
      return std::make_shared<LimitExec>(global, p.limit, p.offset);
    }
    auto child = plan(p.children[0]);
    PhysicalPtr local = n >= 0 ? std::make_shared<LimitExec>(child, n, 0) : child;
    auto single = exchange(local, {});
    return std::make_shared<LimitExec>(single, p.limit, p.offset);
  }

  PhysicalPtr planSetOp(const LogicalPlan& p) {
    if (p.setOp == SetOpKind::Union) {
      auto l = plan(p.children[0]);
      auto r = plan(p.children[1]);
      // Re-label the right side's columns as the union's output ids.
      auto relabel = [&](PhysicalPtr side, const std::vector<Attribute>& from) {
        std::vector<ExprPtr> exprs;
        for (size_t i = 0; i < from.size(); ++i) {
          auto a = std::make_shared<Expr>();
          a->kind = ExprKind::Alias;
          a->name = p.output[i].name;
          a->args = {refTo(from[i])};
          a->type = p.output[i].type;
          a->id = p.output[i].id;
          a->resolved = true;
          exprs.push_back(a);
        }
        return std::make_shared<ProjectExec>(side, exprs);
      };
      PhysicalPtr u =
          std::make_shared<UnionExec>(std::vector<PhysicalPtr>{relabel(l, p.children[0]->output),
                                                               relabel(r, p.children[1]->output)},
                                      p.output);
      if (p.all) return u;
      std::vector<ExprPtr> keys;
      for (const auto& a : p.output) keys.push_back(refTo(a));
      auto partial =
          std::make_shared<HashAggregateExec>(u, HashAggregateExec::Mode::Partial, keys,
                                              std::vector<HashAggregateExec::AggSpec>{}, p.output);
      auto ex = exchange(partial, keys);
      return std::make_shared<HashAggregateExec>(ex, HashAggregateExec::Mode::Final, keys,
                                                 std::vector<HashAggregateExec::AggSpec>{},
                                                 p.output);
    }
    throw InternalError("INTERSECT/EXCEPT must be rewritten by the optimizer");
  }

  PhysicalPtr planWindow(const LogicalPlan& p) {
    auto child = plan(p.children[0]);
    const auto& spec = *p.exprs[0]->args[0]->window;
    auto ex = exchange(child, spec.partitionBy);
    // Sorted by partition then order keys; the window operator then holds one window
    // partition at a time, and the sort spills when the exchanged partition is large.
    std::vector<SortKey> keys;
    for (const auto& k : spec.partitionBy) keys.push_back(SortKey{k, true, true});
    for (const auto& o : spec.orderBy) keys.push_back(o);
    auto sorted = std::make_shared<SortExec>(ex, std::move(keys));
    return std::make_shared<WindowExec>(sorted, p.exprs, p.output);
  }

  const PlannerOptions& o_;
};
}  // namespace

int64_t estimateBytes(const LogicalPlan& p) {
  auto width = [&]() {
    int64_t w = 0;
    for (const auto& a : p.output) w += a.type.fixedWidth() ? a.type.fixedWidth() : 20;
    return std::max<int64_t>(w, 1);
  };
  switch (p.kind) {
    case PlanKind::LocalRelation: {
      int64_t b = 0;
      for (const auto& r : p.rows) b += r->memoryBytes();
      return b;
    }
    case PlanKind::OneRow:
      return 1;
    case PlanKind::Range:
      return 8 * rangeCount(p.rangeStart, p.rangeEnd, p.rangeStep);
    case PlanKind::FileScan: {
      int64_t total = 0;
      for (const auto& path : p.source->paths) {
        try {
          for (const auto& f : listInputFiles(path)) total += static_cast<int64_t>(f.size);
        } catch (const EmberError&) {
        }
      }
      // Scale by the fraction of columns read.
      size_t all = std::max<size_t>(1, p.source->userSchema.size());
      return total * static_cast<int64_t>(p.output.size()) / static_cast<int64_t>(all) + 1;
    }
    case PlanKind::Filter:
      return estimateBytes(*p.children[0]) / 2 + 1;
    case PlanKind::Project: {
      int64_t childBytes = estimateBytes(*p.children[0]);
      int64_t cw = 0;
      for (const auto& a : p.children[0]->output)
        cw += a.type.fixedWidth() ? a.type.fixedWidth() : 20;
      return childBytes * width() / std::max<int64_t>(cw, 1) + 1;
    }
    case PlanKind::Aggregate:
      return estimateBytes(*p.children[0]) / 2 + 1;
    case PlanKind::Generate:  // an exploded array yields several rows per input row
      return estimateBytes(*p.children[0]) * 4 + 1;
    case PlanKind::Limit:
      if (p.limit >= 0) return std::min(estimateBytes(*p.children[0]), (p.limit + 1) * width());
      return estimateBytes(*p.children[0]);
    case PlanKind::Join: {
      int64_t l = estimateBytes(*p.children[0]), r = estimateBytes(*p.children[1]);
      if (p.joinType == JoinType::LeftSemi || p.joinType == JoinType::LeftAnti) return l;
      return std::max(l, r) * 2;
    }
    default: {
      int64_t s = 0;
      for (const auto& c : p.children) s += estimateBytes(*c);
      return s;
    }
  }
}

PhysicalPtr planPhysical(const PlanPtr& plan, const PlannerOptions& options) {
  Planner p(options);
  auto root = p.plan(plan);
  // Number the nodes for the SQL UI (pre-order).
  int id = 0;
  std::function<void(PhysicalNode&)> number = [&](PhysicalNode& n) {
    n.nodeId = id++;
    for (auto& c : n.children) number(*c);
  };
  number(*root);
  return root;
}

}  // namespace ember::sql
