// DataFrame conveniences built from the core transformations: rollup/cube, withColumns,
// toDF, fillna/dropna (Spark's df.na functions).
#include <optional>
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {

namespace {

// A resolved reference to output column i of `plan` (names may repeat after joins).
ExprPtr refTo(const LogicalPlan& plan, size_t i) {
  const Attribute& a = plan.output[i];
  auto r = std::const_pointer_cast<Expr>(col(a.name, a.qualifier));
  r->id = a.id;
  r->type = a.type;
  r->nullable = a.nullable;
  r->resolved = true;
  return r;
}

// Indices of the output columns named in `names` (all columns when empty).
std::vector<size_t> columnsNamed(const LogicalPlan& plan, const std::vector<std::string>& names) {
  std::vector<size_t> out;
  if (names.empty()) {
    for (size_t i = 0; i < plan.output.size(); ++i) out.push_back(i);
    return out;
  }
  for (const auto& n : names) {
    bool found = false;
    for (size_t i = 0; i < plan.output.size(); ++i)
      if (equalsIgnoreCase(plan.output[i].name, n)) {
        out.push_back(i);
        found = true;
      }
    if (!found) {
      std::string have;
      for (const auto& a : plan.output) have += (have.empty() ? "" : ", ") + a.name;
      throw UserError("column '" + n + "' does not exist; the columns are: " + have);
    }
  }
  return out;
}

std::vector<ExprPtr> keyColumns(const std::vector<std::string>& names) {
  std::vector<ExprPtr> keys;
  for (const auto& n : names) keys.push_back(col(n));
  return keys;
}

}  // namespace

GroupedData::GroupedData(DataFrame df, std::vector<ExprPtr> keys,
                         std::vector<std::vector<size_t>> sets)
    : df_(std::move(df)), keys_(std::move(keys)), sets_(std::move(sets)) {}

GroupedData DataFrame::rollup(const std::vector<std::string>& columnNames) const {
  std::vector<std::vector<size_t>> sets;
  for (size_t n = columnNames.size() + 1; n-- > 0;) {
    sets.emplace_back();
    for (size_t i = 0; i < n; ++i) sets.back().push_back(i);
  }
  return GroupedData(*this, keyColumns(columnNames), std::move(sets));
}

GroupedData DataFrame::cube(const std::vector<std::string>& columnNames) const {
  size_t n = columnNames.size();
  if (n > 12) throw UserError("cube() of more than 12 columns (4096 grouping sets)");
  std::vector<std::vector<size_t>> sets;
  for (size_t mask = size_t{1} << n; mask-- > 0;) {
    sets.emplace_back();
    for (size_t i = 0; i < n; ++i)
      if (mask & (size_t{1} << (n - 1 - i))) sets.back().push_back(i);
  }
  return GroupedData(*this, keyColumns(columnNames), std::move(sets));
}

// One aggregate per grouping set, keys outside the set as NULL, under UNION ALL (the
// same translation as SQL's GROUPING SETS, parser_grouping.cpp).
DataFrame GroupedData::aggGroupingSets(const std::vector<ExprPtr>& aggregates) const {
  std::optional<DataFrame> result;
  for (const auto& set : sets_) {
    std::set<size_t> in(set.begin(), set.end());
    std::vector<ExprPtr> keys, exprs;
    for (size_t i = 0; i < keys_.size(); ++i) {
      std::string name =
          keys_[i]->kind == ExprKind::Alias ? keys_[i]->name : keys_[i]->prettyName();
      if (in.count(i)) {
        keys.push_back(keys_[i]);
        exprs.push_back(keys_[i]);
      } else {
        exprs.push_back(alias(lit(Value::null()), name));
      }
    }
    exprs.insert(exprs.end(), aggregates.begin(), aggregates.end());
    auto p = std::make_shared<LogicalPlan>();
    p->kind = PlanKind::Aggregate;
    p->children = {df_.plan()};
    p->groupBy = std::move(keys);
    p->exprs = std::move(exprs);
    DataFrame branch(&df_.session(), p);
    result = result ? result->union_(branch) : branch;
  }
  return *result;
}

GroupedData GroupedData::pivot(const std::string& column, std::vector<Value> values) const {
  if (!pivotColumn_.empty()) throw UserError("pivot() can be applied once per groupBy()");
  if (!sets_.empty()) throw UserError("pivot() after rollup() or cube() is not supported");
  constexpr size_t kMaxValues = 10000;  // Spark's spark.sql.pivotMaxValues
  if (values.empty()) {
    auto distinct = df_.select({col(column)}).distinct().orderBy({column}).take(kMaxValues + 1);
    if (distinct.size() > kMaxValues)
      throw UserError("pivot column " + column + " has more than " + std::to_string(kMaxValues) +
                      " distinct values; pass the values to pivot()");
    for (auto& row : distinct) values.push_back(std::move(row[0]));
  }
  GroupedData g = *this;
  g.pivotColumn_ = column;
  g.pivotValues_ = std::move(values);
  return g;
}

// agg(f(x)) per pivot value v is f(CASE WHEN column <=> v THEN x END): the rows of other
// values count as NULL, which every aggregate skips.
DataFrame GroupedData::aggPivot(const std::vector<ExprPtr>& aggregates) const {
  std::vector<ExprPtr> out;
  for (const auto& v : pivotValues_) {
    ExprPtr match = call("<=>", {col(pivotColumn_), lit(v)});
    for (const auto& a : aggregates) {
      const ExprPtr& fn = a->kind == ExprKind::Alias ? a->args[0] : a;
      if (fn->kind != ExprKind::AggregateCall)
        throw UserError("pivot() needs aggregate expressions in agg(), got " + a->toString());
      std::vector<ExprPtr> args;
      if (fn->args.empty())  // count(*)
        args.push_back(call("case", {match, lit(Value::int32(1))}));
      for (const auto& x : fn->args) args.push_back(call("case", {match, x}));
      std::string name = v.isNull() ? "null" : v.toString();
      if (aggregates.size() > 1) {
        std::string fnName = a->kind == ExprKind::Alias ? a->name : fn->prettyName();
        if (fnName == "count()") fnName = "count(1)";  // Spark's name for count(*)
        name += "_" + fnName;
      }
      out.push_back(sql::alias(withArgs(*fn, std::move(args)), name));
    }
  }
  GroupedData plain(df_, keys_);
  return plain.agg(out);
}

DataFrame DataFrame::summary(const std::vector<std::string>& statistics) const {
  if (!statistics.empty()) return summaryOf({}, statistics);
  return summaryOf({}, {"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"});
}

DataFrame DataFrame::summaryOf(std::vector<std::string> columns,
                               const std::vector<std::string>& statistics) const {
  std::vector<Attribute> cols;
  for (const auto& a : plan_->output) {
    bool want = columns.empty() ? (a.type.isNumeric() || a.type.id() == TypeId::String) : false;
    for (const auto& n : columns) want = want || equalsIgnoreCase(a.name, n);
    if (want) cols.push_back(a);
  }
  auto nullDouble = [] { return lit(Value::null(DataType::float64())); };
  std::vector<ExprPtr> aggs;
  for (const auto& stat : statistics)
    for (const auto& a : cols) {
      ExprPtr c = col(a.name);
      bool num = a.type.isNumeric();
      if (stat == "count") {
        aggs.push_back(aggCall("count", {c}));
      } else if (stat == "mean") {
        aggs.push_back(num ? aggCall("avg", {c}) : nullDouble());
      } else if (stat == "stddev") {
        aggs.push_back(num ? aggCall("stddev", {c}) : nullDouble());
      } else if (stat == "min" || stat == "max") {
        aggs.push_back(aggCall(stat, {c}));
      } else if (stat == "count_distinct") {
        aggs.push_back(aggCall("count", {c}, true));
      } else if (stat == "approx_count_distinct") {
        aggs.push_back(aggCall("approx_count_distinct", {c}));
      } else if (!stat.empty() && stat.back() == '%') {
        double p = 0;
        try {
          p = std::stod(stat.substr(0, stat.size() - 1)) / 100.0;
        } catch (const std::exception&) {
          p = -1;
        }
        if (!(p >= 0 && p <= 1)) throw UserError("summary(): bad percentile '" + stat + "'");
        aggs.push_back(num && a.type.id() != TypeId::Decimal
                           ? aggCall("percentile_approx", {c, lit(Value::float64(p))})
                           : nullDouble());
      } else {
        throw UserError("summary(): unknown statistic '" + stat +
                        "'; use count, mean, stddev, min, max, count_distinct, "
                        "approx_count_distinct or a percentile such as 25%");
      }
    }
  std::vector<Field> fields{{"summary", DataType::string()}};
  for (const auto& a : cols) fields.push_back({a.name, DataType::string()});
  std::vector<Row> rows;
  std::vector<Row> stats = cols.empty() ? std::vector<Row>{Row{}} : agg(aggs).collect();
  for (size_t s = 0; s < statistics.size(); ++s) {
    Row r{Value::string(statistics[s])};
    for (size_t c = 0; c < cols.size(); ++c) {
      const Value& v = stats[0][s * cols.size() + c];
      r.push_back(v.isNull() ? Value::null(DataType::string()) : Value::string(v.toString()));
    }
    rows.push_back(std::move(r));
  }
  return session_->createDataFrame(rows, Schema(fields));
}

DataFrame DataFrame::withColumns(
    const std::vector<std::pair<std::string, ExprPtr>>& columns) const {
  DataFrame df = *this;
  for (const auto& [name, value] : columns) df = df.withColumn(name, value);
  return df;
}

DataFrame DataFrame::toDF(const std::vector<std::string>& names) const {
  if (names.size() != plan_->output.size())
    throw UserError("toDF() got " + std::to_string(names.size()) + " names for " +
                    std::to_string(plan_->output.size()) + " columns");
  std::vector<ExprPtr> cols;
  for (size_t i = 0; i < names.size(); ++i) cols.push_back(sql::alias(refTo(*plan_, i), names[i]));
  return select(cols);
}

DataFrame DataFrame::fillna(const Value& value, const std::vector<std::string>& subset) const {
  if (value.isNull()) throw UserError("fillna() needs a value that is not NULL");
  auto fits = [&](const DataType& t) {
    const DataType& v = value.type();
    if (v.isNumeric()) return t.isNumeric();
    return v.id() == t.id() && (t.id() == TypeId::String || t.id() == TypeId::Boolean);
  };
  auto chosen = columnsNamed(*plan_, subset);
  std::set<size_t> fill(chosen.begin(), chosen.end());
  std::vector<ExprPtr> cols;
  for (size_t i = 0; i < plan_->output.size(); ++i) {
    ExprPtr r = refTo(*plan_, i);
    const DataType& t = plan_->output[i].type;
    if (fill.count(i) && fits(t))
      r = sql::alias(call("coalesce", {r, cast(lit(value), t)}), plan_->output[i].name);
    cols.push_back(r);
  }
  return select(cols);
}

DataFrame DataFrame::dropna(const std::string& how, const std::vector<std::string>& subset) const {
  if (how != "any" && how != "all")
    throw UserError("dropna() how must be 'any' or 'all', got '" + how + "'");
  ExprPtr cond;
  for (size_t i : columnsNamed(*plan_, subset)) {
    ExprPtr c = functions::isNotNull(refTo(*plan_, i));
    cond = !cond ? c : (how == "any" ? functions::and_(cond, c) : functions::or_(cond, c));
  }
  return cond ? filter(cond) : *this;
}

}  // namespace ember::sql
