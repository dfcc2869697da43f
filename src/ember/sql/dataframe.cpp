#include "ember/sql/dataframe.h"

#include <iostream>

#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/cache_manager.h"
#include "ember/sql/catalog.h"
#include "ember/sql/column.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/parser.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/session.h"
#include "ember/sql/session_internal.h"
#include "ember/sql/writer.h"

namespace ember::sql {

namespace functions {
ExprPtr expr(const std::string& sqlExpression) { return parseExpression(sqlExpression); }
}  // namespace functions

namespace {
std::shared_ptr<LogicalPlan> node(PlanKind kind, std::vector<PlanPtr> children) {
  auto p = std::make_shared<LogicalPlan>();
  p->kind = kind;
  p->children = std::move(children);
  return p;
}

JoinType parseJoinType(const std::string& how) {
  std::string h;
  for (char c : how)
    if (c != '_') h += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (h == "inner") return JoinType::Inner;
  if (h == "left" || h == "leftouter") return JoinType::LeftOuter;
  if (h == "right" || h == "rightouter") return JoinType::RightOuter;
  if (h == "full" || h == "outer" || h == "fullouter") return JoinType::FullOuter;
  if (h == "semi" || h == "leftsemi") return JoinType::LeftSemi;
  if (h == "anti" || h == "leftanti") return JoinType::LeftAnti;
  if (h == "cross") return JoinType::Cross;
  throw UserError("unknown join type '" + how +
                  "'; use inner, left, right, full, left_semi, left_anti or cross");
}

std::vector<ExprPtr> namesToCols(const std::vector<std::string>& names) {
  std::vector<ExprPtr> out;
  for (const auto& n : names) out.push_back(n == "*" ? star() : col(n));
  return out;
}
}  // namespace

DataFrame::DataFrame(Session* session, PlanPtr plan) : session_(session), plan_(std::move(plan)) {
  if (!plan_->resolved) plan_ = session_->analyzePlan(plan_, "");
}

DataFrame DataFrame::select(const std::vector<ExprPtr>& columns) const {
  auto p = node(PlanKind::Project, {plan_});
  p->exprs = columns;
  return DataFrame(session_, p);
}
DataFrame DataFrame::select(const std::vector<std::string>& names) const {
  return select(namesToCols(names));
}
DataFrame DataFrame::selectExpr(const std::vector<std::string>& exprs) const {
  std::vector<ExprPtr> es;
  for (const auto& s : exprs) es.push_back(s == "*" ? star() : parseExpression(s));
  return select(es);
}
DataFrame DataFrame::filter(ExprPtr condition) const {
  auto p = node(PlanKind::Filter, {plan_});
  p->exprs = {std::move(condition)};
  return DataFrame(session_, p);
}
DataFrame DataFrame::filter(const std::string& c) const { return filter(parseExpression(c)); }

DataFrame DataFrame::withColumn(const std::string& name, ExprPtr value) const {
  std::vector<ExprPtr> cols;
  bool replaced = false;
  for (const auto& a : plan_->output) {
    if (equalsIgnoreCase(a.name, name)) {
      cols.push_back(sql::alias(value, name));
      replaced = true;
    } else {
      cols.push_back(col(a.name, a.qualifier));
    }
  }
  if (!replaced) cols.push_back(sql::alias(value, name));
  // Reference columns by id: names may repeat after joins.
  for (size_t i = 0; i < plan_->output.size(); ++i)
    if (cols[i]->kind == ExprKind::ColumnRef) {
      auto r = std::make_shared<Expr>(*cols[i]);
      r->id = plan_->output[i].id;
      r->type = plan_->output[i].type;
      r->nullable = plan_->output[i].nullable;
      r->resolved = true;
      cols[i] = r;
    }
  return select(cols);
}

DataFrame DataFrame::withColumnRenamed(const std::string& from, const std::string& to) const {
  std::vector<ExprPtr> cols;
  for (const auto& a : plan_->output) {
    auto r = std::make_shared<Expr>();
    r->kind = ExprKind::ColumnRef;
    r->name = a.name;
    r->qualifier = a.qualifier;
    r->id = a.id;
    r->type = a.type;
    r->nullable = a.nullable;
    r->resolved = true;
    cols.push_back(equalsIgnoreCase(a.name, from) ? sql::alias(r, to) : r);
  }
  return select(cols);
}

DataFrame DataFrame::drop(const std::vector<std::string>& names) const {
  std::vector<ExprPtr> cols;
  for (const auto& a : plan_->output) {
    bool dropIt = false;
    for (const auto& n : names) dropIt = dropIt || equalsIgnoreCase(a.name, n);
    if (dropIt) continue;
    auto r = std::make_shared<Expr>();
    r->kind = ExprKind::ColumnRef;
    r->name = a.name;
    r->qualifier = a.qualifier;
    r->id = a.id;
    r->type = a.type;
    r->nullable = a.nullable;
    r->resolved = true;
    cols.push_back(r);
  }
  return select(cols);
}

GroupedData DataFrame::groupBy(const std::vector<ExprPtr>& keys) const {
  return GroupedData(*this, keys);
}
GroupedData DataFrame::groupBy(const std::vector<std::string>& names) const {
  return GroupedData(*this, namesToCols(names));
}
DataFrame DataFrame::agg(const std::vector<ExprPtr>& aggregates) const {
  return GroupedData(*this, {}).agg(aggregates);
}

DataFrame DataFrame::join(const DataFrame& other, ExprPtr on, const std::string& how) const {
  auto p = node(PlanKind::Join, {plan_, other.plan_});
  p->joinType = parseJoinType(how);
  if (on) p->exprs = {std::move(on)};
  return DataFrame(session_, p);
}
DataFrame DataFrame::join(const DataFrame& other, const std::vector<std::string>& usingColumns,
                          const std::string& how) const {
  auto p = node(PlanKind::Join, {plan_, other.plan_});
  p->joinType = parseJoinType(how);
  p->usingColumns = usingColumns;
  return DataFrame(session_, p);
}
DataFrame DataFrame::crossJoin(const DataFrame& other) const {
  return join(other, nullptr, "cross");
}

DataFrame DataFrame::orderBy(const std::vector<SortKey>& keys) const {
  auto p = node(PlanKind::Sort, {plan_});
  p->order = keys;
  return DataFrame(session_, p);
}
DataFrame DataFrame::orderBy(const std::vector<std::string>& names) const {
  std::vector<SortKey> keys;
  for (const auto& n : names) keys.push_back(SortKey{col(n), true, true});
  return orderBy(keys);
}
DataFrame DataFrame::limit(int64_t n) const {
  if (n < 0) throw UserError("limit must not be negative, got " + std::to_string(n));
  auto p = node(PlanKind::Limit, {plan_});
  p->limit = n;
  return DataFrame(session_, p);
}
DataFrame DataFrame::distinct() const {
  return DataFrame(session_, node(PlanKind::Distinct, {plan_}));
}

DataFrame DataFrame::dropDuplicates(const std::vector<std::string>& names) const {
  if (names.empty()) return distinct();
  // First row of each key, columns in their original order.
  std::vector<ExprPtr> keys, outs;
  for (const auto& n : names) keys.push_back(col(n));
  for (const auto& a : plan_->output) {
    bool isKey = false;
    for (const auto& n : names) isKey = isKey || equalsIgnoreCase(a.name, n);
    outs.push_back(isKey ? col(a.name) : sql::alias(aggCall("first", {col(a.name)}), a.name));
  }
  auto p = node(PlanKind::Aggregate, {plan_});
  p->groupBy = keys;
  p->exprs = outs;
  return DataFrame(session_, p);
}

namespace {
DataFrame setOp(const DataFrame& a, const DataFrame& b, SetOpKind k, bool all, bool byName) {
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::SetOp;
  p->children = {a.plan(), b.plan()};
  p->setOp = k;
  p->all = all;
  p->byName = byName;
  return DataFrame(&a.session(), p);
}
}  // namespace

DataFrame DataFrame::union_(const DataFrame& o) const {
  return setOp(*this, o, SetOpKind::Union, true, false);
}
DataFrame DataFrame::unionByName(const DataFrame& o) const {
  return setOp(*this, o, SetOpKind::Union, true, true);
}
DataFrame DataFrame::intersect(const DataFrame& o) const {
  return setOp(*this, o, SetOpKind::Intersect, false, false);
}
DataFrame DataFrame::except(const DataFrame& o) const {
  return setOp(*this, o, SetOpKind::Except, false, false);
}
DataFrame DataFrame::intersectAll(const DataFrame& o) const {
  return setOp(*this, o, SetOpKind::Intersect, true, false);
}
DataFrame DataFrame::exceptAll(const DataFrame& o) const {
  return setOp(*this, o, SetOpKind::Except, true, false);
}

DataFrame DataFrame::alias(const std::string& name) const {
  auto p = node(PlanKind::SubqueryAlias, {plan_});
  p->name = {name};
  return DataFrame(session_, p);
}

DataFrame DataFrame::sample(double fraction, uint64_t seed) const {
  if (fraction < 0 || fraction > 1) throw UserError("sample fraction must be between 0 and 1");
  auto p = node(PlanKind::Sample, {plan_});
  p->fraction = fraction;
  p->seed = seed;
  return DataFrame(session_, p);
}

DataFrame DataFrame::describe(const std::vector<std::string>& names) const {
  std::vector<std::string> keep;
  for (const auto& a : plan_->output) {
    bool want = names.empty() ? (a.type.isNumeric() || a.type.id() == TypeId::String) : false;
    for (const auto& n : names) want = want || equalsIgnoreCase(a.name, n);
    if (want) keep.push_back(a.name);
  }
  if (keep.empty())  // no column to describe: the statistics' names only
    return select(std::vector<std::string>{})
        .summaryOf({}, {"count", "mean", "stddev", "min", "max"});
  return select(keep).summaryOf(keep, {"count", "mean", "stddev", "min", "max"});
}

DataFrame DataFrame::cache() const { return persist(StorageLevel::MemoryAndDisk); }

DataFrame DataFrame::persist(StorageLevel level) const {
  session_->cacheManager().cache(plan_, level);
  return *this;
}

bool DataFrame::unpersist() const { return session_->cacheManager().uncache(plan_.get()); }

StorageLevel DataFrame::storageLevel() const {
  auto c = session_->cacheManager().lookup(plan_.get());
  return c ? c->level : StorageLevel::None;
}

std::vector<BatchPtr> DataFrame::collectBatches() const {
  QueryExecution qe(*session_, plan_);
  return qe.collect();
}

std::vector<Row> DataFrame::collect() const {
  std::vector<Row> rows;
  for (const auto& b : collectBatches())
    for (int64_t i = 0; i < b->numRows; ++i) {
      Row r;
      r.reserve(b->columns.size());
      for (const auto& c : b->columns) r.push_back(Value::fromColumn(*c, i));
      rows.push_back(std::move(r));
    }
  return rows;
}

int64_t DataFrame::count() const {
  auto rows = agg({aggCall("count", {})}).collect();
  return rows.at(0).at(0).asInt64();
}

std::vector<Row> DataFrame::take(int64_t n) const { return limit(n).collect(); }

std::optional<Row> DataFrame::first() const {
  auto rows = take(1);
  if (rows.empty()) return std::nullopt;
  return rows[0];
}

std::string DataFrame::showString(int numRows, int truncate) const {
  auto rows = take(static_cast<int64_t>(numRows) + 1);
  bool more = static_cast<int64_t>(rows.size()) > numRows;
  if (more) rows.pop_back();
  std::vector<std::string> header;
  for (const auto& a : plan_->output) header.push_back(a.name);
  auto cut = [&](std::string s) {
    // Width counts characters (UTF-8 code points), not bytes.
    if (truncate > 0) {
      size_t chars = 0;
      for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
      if (chars > static_cast<size_t>(truncate)) {
        size_t keep =
            truncate < 4 ? static_cast<size_t>(truncate) : static_cast<size_t>(truncate - 3);
        size_t i = 0, seen = 0;
        while (i < s.size() && seen < keep) {
          ++i;
          while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
          ++seen;
        }
        s = s.substr(0, i) + (truncate < 4 ? "" : "...");
      }
    }
    return s;
  };
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    std::vector<std::string> line;
    for (const auto& v : r) line.push_back(cut(v.toString()));
    cells.push_back(line);
  }
  std::vector<size_t> w(header.size(), 3);
  for (size_t c = 0; c < header.size(); ++c) {
    header[c] = cut(header[c]);
    w[c] = std::max(w[c], width(header[c]));
    for (const auto& l : cells) w[c] = std::max(w[c], width(l[c]));
  }
  auto pad = [&](const std::string& s, size_t n) {
    std::string fill(n - width(s), ' ');
    return truncate > 0 ? fill + s : s + fill;
  };
  std::string sep = "+";
  for (size_t c = 0; c < w.size(); ++c) sep += std::string(w[c], '-') + "+";
  std::string out = sep + "\n|";
  for (size_t c = 0; c < header.size(); ++c) out += pad(header[c], w[c]) + "|";
  out += "\n" + sep + "\n";
  for (const auto& l : cells) {
    out += "|";
    for (size_t c = 0; c < l.size(); ++c) out += pad(l[c], w[c]) + "|";
    out += "\n";
  }
  out += sep + "\n";
  if (more)
    out +=
        "only showing top " + std::to_string(numRows) + " row" + (numRows == 1 ? "" : "s") + "\n";
  return out;
}

void DataFrame::show(int numRows, int truncate) const {
  std::cout << showString(numRows, truncate) << std::flush;
}

std::string DataFrame::explainString(const std::string& mode) const {
  QueryExecution qe(*session_, plan_);
  return qe.explain(mode);
}
void DataFrame::explain(const std::string& mode) const {
  std::cout << explainString(mode) << std::flush;
}

namespace {
class PartitionIterator : public DataFrame::LocalIterator {
 public:
  PartitionIterator(Session& s, PlanPtr plan) : session_(s), qe_(s, std::move(plan)) {
    root_ = qe_.physical();
  }
  BatchPtr next() override {
    for (;;) {
      if (pos_ < current_.size()) return current_[pos_++];
      if (partition_ >= root_->numPartitions()) return nullptr;
      auto res = runPlan(session_.context(), root_, "toLocalIterator", {partition_});
      current_ = std::move(res[static_cast<size_t>(partition_)]);
      pos_ = 0;
      ++partition_;
    }
  }

 private:
  Session& session_;
  QueryExecution qe_;
  PhysicalPtr root_;
  int partition_ = 0;
  std::vector<BatchPtr> current_;
  size_t pos_ = 0;
};
}  // namespace

std::unique_ptr<DataFrame::LocalIterator> DataFrame::toLocalIterator() const {
  return std::make_unique<PartitionIterator>(*session_, plan_);
}

Schema DataFrame::schema() const { return schemaOf(plan_->output); }
std::vector<std::string> DataFrame::columns() const {
  std::vector<std::string> n;
  for (const auto& a : plan_->output) n.push_back(a.name);
  return n;
}
std::string DataFrame::printSchemaString() const { return schema().treeString(); }

void DataFrame::createOrReplaceTempView(const std::string& name) const {
  session_->catalog().createTempView(name, plan_, true);
}
DataFrameWriter DataFrame::write() const { return DataFrameWriter(*this); }

void DataFrame::createTempView(const std::string& name) const {
  session_->catalog().createTempView(name, plan_, false);
}

// ---- GroupedData ----
GroupedData::GroupedData(DataFrame df, std::vector<ExprPtr> keys)
    : df_(std::move(df)), keys_(std::move(keys)) {}

DataFrame GroupedData::agg(const std::vector<ExprPtr>& aggregates) const {
  if (!pivotColumn_.empty()) return aggPivot(aggregates);
  if (!sets_.empty()) return aggGroupingSets(aggregates);
  auto p = node(PlanKind::Aggregate, {df_.plan()});
  p->groupBy = keys_;
  p->exprs = keys_;
  p->exprs.insert(p->exprs.end(), aggregates.begin(), aggregates.end());
  return DataFrame(&df_.session(), p);
}
DataFrame GroupedData::count() const { return agg({alias(aggCall("count", {}), "count")}); }
namespace {
std::vector<ExprPtr> each(const char* fn, const std::vector<std::string>& names) {
  std::vector<ExprPtr> out;
  for (const auto& n : names) out.push_back(aggCall(fn, {col(n)}));
  return out;
}
}  // namespace
DataFrame GroupedData::sum(const std::vector<std::string>& n) const { return agg(each("sum", n)); }
DataFrame GroupedData::avg(const std::vector<std::string>& n) const { return agg(each("avg", n)); }
DataFrame GroupedData::min(const std::vector<std::string>& n) const { return agg(each("min", n)); }
DataFrame GroupedData::max(const std::vector<std::string>& n) const { return agg(each("max", n)); }

}  // namespace ember::sql
