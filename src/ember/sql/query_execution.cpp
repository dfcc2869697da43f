#include "ember/sql/query_execution.h"

#include <atomic>
#include <chrono>
#include <functional>

#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/core/event_bus.h"
#include "ember/core/events.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/cache_manager.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/optimizer.h"
#include "ember/sql/planner.h"
#include "ember/sql/session.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

namespace {
// Evaluates a constant expression on a one-row batch.
Value evalConstant(const ExprPtr& e) {
  auto pe = PhysicalExpr::compile(e, {});
  Batch one;
  one.numRows = 1;
  ColumnPtr c = pe->eval(one);
  return Value::fromColumn(*c, 0);
}

bool hasScalarSubquery(const ExprPtr& e) {
  bool found = false;
  forEachExpr(e, [&](const ExprPtr& x) {
    if (x->kind == ExprKind::ScalarSubquery) found = true;
  });
  return found;
}
}  // namespace

static int64_t bytesConf(Session& s, const std::string& key) {
  std::string v = s.getConf(key);
  if (v == "-1") return -1;
  auto b = parseByteSize(v);
  if (!b) throw ConfigError(key + " must be a byte size such as 10m or -1, got '" + v + "'");
  return *b;
}

PlannerOptions plannerOptions(Session& s) {
  PlannerOptions o;
  o.shufflePartitions = static_cast<int>(std::stol(s.getConf("ember.sql.shuffle.partitions")));
  o.broadcastThreshold = bytesConf(s, "ember.sql.autoBroadcastJoinThreshold");
  o.defaultParallelism = s.context().defaultParallelism();
  o.filesMaxPartitionBytes = bytesConf(s, "ember.sql.files.maxPartitionBytes");
  o.batchRows = static_cast<int>(std::stol(s.getConf("ember.sql.batchSize")));
  o.rangeSortMinBytes = bytesConf(s, "ember.sql.sort.rangePartitionMinBytes");
  if (o.shufflePartitions < 1) throw ConfigError("ember.sql.shuffle.partitions must be at least 1");
  return o;
}

QueryExecution::QueryExecution(Session& session, PlanPtr analyzed)
    : session_(session), analyzed_(std::move(analyzed)) {}

PlanPtr QueryExecution::optimized() {
  std::lock_guard lock(mutex_);
  if (!optimized_) {
    OptimizerOptions o;
    o.evalConstant = evalConstant;
    optimized_ = optimize(session_.cacheManager().useCachedData(analyzed_), o);
  }
  return optimized_;
}

// Uncorrelated scalar subqueries run first; their single value replaces them.
static PlanPtr substituteScalarSubqueries(Session& session, const PlanPtr& plan) {
  auto n = std::make_shared<LogicalPlan>(*plan);
  for (auto& c : n->children) c = substituteScalarSubqueries(session, c);
  auto fix = [&](const ExprPtr& e) {
    if (!e || !hasScalarSubquery(e)) return e;
    return transformExpr(e, [&](const ExprPtr& x) -> ExprPtr {
      if (x->kind != ExprKind::ScalarSubquery) return x;
      QueryExecution qe(session, x->subquery);
      auto batches = qe.collect();
      int64_t rows = 0;
      Value v = Value::null(x->type);
      for (const auto& b : batches) {
        if (b->numRows > 0 && rows == 0) v = Value::fromColumn(*b->columns[0], 0);
        rows += b->numRows;
      }
      if (rows > 1)
        throw UserError("a scalar subquery returned " + std::to_string(rows) +
                        " rows; it must return at most one (add an aggregate or LIMIT 1)");
      auto l = std::make_shared<Expr>(*lit(v));
      l->type = x->type;
      return l;
    });
  };
  for (auto& e : n->exprs) e = fix(e);
  return n;
}

// Plans each cached plan the query reads, once per cache entry: its physical plan is
// shared by every query that reads it (cache_manager.h).
static void planCachedData(Session& session, const PlanPtr& plan) {
  if (plan->kind == PlanKind::InMemoryRelation) {
    CachedPlan& c = *plan->cache;
    std::lock_guard lock(c.mutex);
    if (c.physical) return;
    // The cached plan itself may read other cached plans (not itself).
    auto inner = std::make_shared<LogicalPlan>(*c.plan);
    for (auto& k : inner->children) k = session.cacheManager().useCachedData(k);
    OptimizerOptions o;
    o.evalConstant = evalConstant;
    PlanPtr opt = optimize(inner, o);
    planCachedData(session, opt);
    c.physical = planPhysical(substituteScalarSubqueries(session, opt), plannerOptions(session));
    return;
  }
  for (const auto& k : plan->children) planCachedData(session, k);
}

PhysicalPtr QueryExecution::planOnly() {
  PlanPtr opt = optimized();
  planCachedData(session_, opt);
  std::lock_guard lock(mutex_);
  if (!physical_) physical_ = planPhysical(opt, plannerOptions(session_));
  return physical_;
}

PhysicalPtr QueryExecution::physical() {
  PlanPtr opt = optimized();
  planCachedData(session_, opt);
  std::lock_guard lock(mutex_);
  if (!physical_ || !prepared_) {
    PlanPtr withValues = substituteScalarSubqueries(session_, opt);
    physical_ = planPhysical(withValues, plannerOptions(session_));
    physical_->prepare(session_.context());
    prepared_ = true;
  }
  return physical_;
}

namespace {
int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The SQL tab of the UI: the physical plan as a graph, then per-operator metrics.
SqlExecutionStart startEvent(int64_t id, const std::string& description, const PhysicalNode& root) {
  SqlExecutionStart ev;
  ev.executionId = id;
  ev.description = description;
  ev.time = nowMs();
  std::function<void(const PhysicalNode&)> walk = [&](const PhysicalNode& n) {
    std::string d = n.describe();
    ev.nodes.push_back({n.nodeId, d.substr(0, d.find_first_of(" (")), d});
    for (const auto& c : n.children) {
      ev.edges.push_back({c->nodeId, n.nodeId});
      walk(*c);
    }
  };
  walk(root);
  return ev;
}

SqlExecutionEnd endEvent(int64_t id, const PhysicalNode& root, const std::string& error) {
  SqlExecutionEnd ev;
  ev.executionId = id;
  ev.succeeded = error.empty();
  ev.error = error;
  ev.time = nowMs();
  std::function<void(const PhysicalNode&)> walk = [&](const PhysicalNode& n) {
    auto m = n.totals();  // includes what executors reported
    ev.metrics.push_back({n.nodeId, m.rows, m.timeNs, m.peakMemory, m.spillBytes});
    for (const auto& c : n.children) walk(*c);
  };
  walk(root);
  return ev;
}

std::atomic<int64_t> nextExecutionId{0};
}  // namespace

std::vector<BatchPtr> QueryExecution::collect() {
  PhysicalPtr root = physical();
  int64_t id = nextExecutionId++;
  std::string description = analyzed_->nodeString();
  auto& bus = session_.context().eventBus();
  bus.post(startEvent(id, description, *root));
  std::vector<BatchPtr> out;
  try {
    for (auto& part : runPlan(session_.context(), root, "sql"))
      for (auto& b : part) out.push_back(b);
  } catch (const std::exception& e) {
    bus.post(endEvent(id, *root, e.what()));
    throw;
  }
  bus.post(endEvent(id, *root, ""));
  return out;
}

std::string QueryExecution::explain(const std::string& mode) {
  std::string physicalText = planOnly()->treeString();
  if (mode == "simple") return "== Physical Plan ==\n" + physicalText;
  std::string s;
  s += "== Analyzed Logical Plan ==\n" + analyzed_->treeString() + "\n";
  s += "== Optimized Logical Plan ==\n" + optimized()->treeString() + "\n";
  s += "== Physical Plan ==\n" + physicalText;
  return s;
}

}  // namespace ember::sql
