// MERGE INTO a feed, planned with the engine's joins (Delta's two-phase approach):
//
//  0. pruning: target files whose min/max stats of a `target.k = source.k` key cannot
//     overlap the source's key range take no further part (feed_prune.cpp).
//  1. touched files: source INNER JOIN target ON cond, where the target carries the index
//     of the data file each row came from; the distinct indices are the files that hold
//     matched rows. The same join, grouped by target row (file, row number), finds a
//     target row matched by several source rows: an error when there are MATCHED clauses
//     (Spark/Delta semantics: the update would be ambiguous).
//  2. rewrite: source RIGHT OUTER JOIN (rows of the touched files) ON cond; each row gets
//     the first MATCHED clause whose condition holds (or none: kept as is), deleted rows
//     are filtered out, updated columns are computed; unmatched target rows are kept.
//     Inserts: source LEFT ANTI JOIN (whole target) ON cond, through the NOT MATCHED
//     clauses. Both go into new data files in one job.
//  3. one commit removing the touched files and adding the new ones (conflict checked
//     against the version read in step 1).
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/column.h"
#include "ember/sql/feed.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/session.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

namespace {
using namespace functions;
constexpr const char* kFileCol = "__feed_file";
constexpr const char* kRowCol = "__feed_row";
constexpr const char* kSourceMark = "__feed_source";
constexpr const char* kActionCol = "__feed_action";

ExprPtr caseWhen(std::vector<ExprPtr> args) { return call("case", std::move(args)); }

// The target rows of the given data files, each with the index of its file.
DataFrame targetRows(Session& s, const FeedSnapshot& snap, const std::string& dir,
                     const std::vector<std::string>& files, const std::vector<int>& indices) {
  std::optional<DataFrame> out;
  for (int i : indices) {
    DataFrame one(
        &s, fileScan("parquet", {dir + "/" + files[static_cast<size_t>(i)]}, {}, &snap.schema));
    one = one.withColumn(kFileCol, lit(i));
    out = out ? out->union_(one) : one;
  }
  if (out) return *out;
  std::vector<Field> fields = snap.schema.fields();
  fields.push_back({kFileCol, DataType::int32()});
  return s.createDataFrame({}, Schema(fields));
}

std::string exprList(const std::vector<Statement::MergeClause>& clauses, bool matched) {
  std::string s;
  for (const auto& c : clauses)
    if (c.matched == matched)
      s += std::string(s.empty() ? "" : ", ") +
           (c.action == Statement::MergeClause::Update   ? "update"
            : c.action == Statement::MergeClause::Delete ? "delete"
                                                         : "insert") +
           (c.condition ? " when " + c.condition->toString() : "");
  return s;
}

// The source column that `UPDATE SET *` / `INSERT *` assigns to target column `name`.
ExprPtr sourceColumn(const DataFrame& source, const std::string& qualifier,
                     const std::string& name) {
  for (const auto& a : source.plan()->output)
    if (equalsIgnoreCase(a.name, name)) return col(a.name, {qualifier});
  throw UserError(
      "MERGE ... UPDATE SET * / INSERT * needs a source column for every target "
      "column; the source has no column '" +
      name + "' (list the columns explicitly)");
}

// The value a clause gives target column `f` (null if the clause does not set it).
ExprPtr clauseValue(const Statement::MergeClause& c, const Field& f, const DataFrame& source,
                    const std::string& sourceAlias) {
  if (c.star) return cast(sourceColumn(source, sourceAlias, f.name), f.type);
  for (size_t i = 0; i < c.columns.size(); ++i)
    if (equalsIgnoreCase(c.columns[i], f.name)) return cast(c.values[i], f.type);
  return nullptr;
}
}  // namespace

FeedMergeResult mergeIntoFeed(Session& s, const std::string& path, const std::string& targetAliasIn,
                              const DataFrame& sourceIn, const ExprPtr& condition,
                              const std::string& conditionText,
                              const std::vector<Statement::MergeClause>& clauses) {
  FeedLog log(path);
  FeedSnapshot snap = log.latest();
  std::string dir = feedCanonicalPath(path);
  const Schema& schema = snap.schema;
  for (const auto& c : clauses)
    for (const auto& name : c.columns)
      if (schema.indexOf(name) < 0)
        throw UserError(
            "MERGE " +
            std::string(c.action == Statement::MergeClause::Insert ? "INSERT" : "UPDATE SET") +
            ": the target feed " + path + " has no column '" + name +
            "' (its columns: " + schema.toString() + ")");
  // The aliases: the given ones; a missing one is inferred when the condition names
  // exactly one other qualifier ("t.id = s.id" with only s known gives t); else "source"
  // and "target".
  std::string sourceAlias, targetAlias = targetAliasIn;
  for (const auto& a : sourceIn.plan()->output)
    if (!a.qualifier.empty()) sourceAlias = a.qualifier.back();
  std::set<std::string> named;
  std::function<void(const ExprPtr&)> visit = [&](const ExprPtr& e) {
    if (e->kind == ExprKind::ColumnRef && !e->qualifier.empty()) named.insert(e->qualifier.back());
    for (const auto& a : e->args) visit(a);
  };
  visit(condition);
  auto other = [&](const std::string& known) {
    std::set<std::string> rest;
    for (const auto& q : named)
      if (!equalsIgnoreCase(q, known)) rest.insert(q);
    return rest.size() == 1 ? *rest.begin() : std::string();
  };
  if (targetAlias.empty() && !sourceAlias.empty()) targetAlias = other(sourceAlias);
  if (targetAlias.empty()) targetAlias = "target";
  bool sourceQualified = !sourceAlias.empty();
  if (sourceAlias.empty() && !targetAlias.empty()) sourceAlias = other(targetAlias);
  if (sourceAlias.empty()) sourceAlias = "source";
  DataFrame source = sourceQualified ? sourceIn : sourceIn.alias(sourceAlias);

  std::vector<std::string> files;
  for (const auto& [p, f] : snap.files) files.push_back(p);
  bool anyMatched = false, anyNotMatched = false;
  for (const auto& c : clauses) (c.matched ? anyMatched : anyNotMatched) = true;
  // Files that cannot hold a match (by their key stats) are neither joined nor rewritten.
  std::vector<int> candidates =
      feedFilesMatchingKeys(snap, files, source, sourceAlias, targetAlias, condition);

  // 1. Files holding matched rows; duplicate matches.
  std::vector<int> touched;
  if (anyMatched && !candidates.empty()) {
    DataFrame target =
        targetRows(s, snap, dir, files, candidates)
            .withColumn(kRowCol, expr(std::string("row_number() OVER (PARTITION BY ") + kFileCol +
                                      " ORDER BY " + kFileCol + ")"))
            .alias(targetAlias);
    DataFrame matches = source.join(target, condition, "inner");
    ExprPtr fileRef = col(kFileCol, {targetAlias});
    std::vector<ExprPtr> aggs = {as(count(), "__n")};
    for (const auto& f : schema.fields())
      aggs.push_back(as(first(col(f.name, {targetAlias})), f.name));
    auto dup = matches.groupBy({fileRef, col(kRowCol, {targetAlias})})
                   .agg(aggs)
                   .filter(gt(col("__n"), lit(int64_t{1})))
                   .limit(1)
                   .collect();
    if (!dup.empty()) {
      std::string row;
      for (size_t i = 0; i < schema.size(); ++i)
        row += (i ? ", " : "") + schema.field(i).name + "=" + dup[0][i + 3].toString();
      throw UserError("MERGE into feed " + path + ": the target row (" + row + ") matched " +
                      dup[0][2].toString() + " source rows on " + conditionText +
                      "; a target row may be updated or deleted by one source row only. "
                      "Deduplicate the source on the merge key first (e.g. with a window "
                      "row_number() or GROUP BY)");
    }
    for (const auto& r : matches.select({fileRef}).distinct().collect())
      touched.push_back(static_cast<int>(r[0].asInt64()));
    std::sort(touched.begin(), touched.end());
  }

  // 2. New rows: the touched files rewritten, plus inserts.
  std::optional<DataFrame> output;
  if (!touched.empty()) {
    DataFrame target = targetRows(s, snap, dir, files, touched).alias(targetAlias);
    DataFrame marked = source.withColumn(kSourceMark, lit(true)).alias(sourceAlias);
    DataFrame joined = marked.join(target, condition, "right");
    std::vector<ExprPtr> pick = {isNull(col(kSourceMark, {sourceAlias})), lit(0)};
    for (size_t i = 0; i < clauses.size(); ++i) {
      if (!clauses[i].matched) continue;
      pick.push_back(clauses[i].condition ? clauses[i].condition : lit(true));
      pick.push_back(lit(static_cast<int>(i) + 1));
    }
    pick.push_back(lit(0));
    DataFrame acted = joined.withColumn(kActionCol, caseWhen(pick));
    ExprPtr keep = lit(true);
    for (size_t i = 0; i < clauses.size(); ++i)
      if (clauses[i].matched && clauses[i].action == Statement::MergeClause::Delete)
        keep = and_(keep, ne(col(kActionCol), lit(static_cast<int>(i) + 1)));
    std::vector<ExprPtr> cols;
    for (const auto& f : schema.fields()) {
      std::vector<ExprPtr> branches;
      for (size_t i = 0; i < clauses.size(); ++i) {
        if (!clauses[i].matched || clauses[i].action != Statement::MergeClause::Update) continue;
        ExprPtr v = clauseValue(clauses[i], f, source, sourceAlias);
        if (!v) continue;
        branches.push_back(eq(col(kActionCol), lit(static_cast<int>(i) + 1)));
        branches.push_back(v);
      }
      ExprPtr old = col(f.name, {targetAlias});
      branches.push_back(old);
      cols.push_back(as(branches.size() == 1 ? old : caseWhen(branches), f.name));
    }
    cols.push_back(col(kActionCol));  // the tag the write job counts (metrics)
    output = acted.filter(keep).select(cols);
  }
  if (anyNotMatched) {
    DataFrame target = targetRows(s, snap, dir, files, candidates).alias(targetAlias);
    DataFrame unmatched = source.join(target, condition, "leftanti");
    std::vector<ExprPtr> pick;
    for (size_t i = 0; i < clauses.size(); ++i) {
      if (clauses[i].matched) continue;
      pick.push_back(clauses[i].condition ? clauses[i].condition : lit(true));
      pick.push_back(lit(static_cast<int>(i) + 1));
    }
    pick.push_back(lit(0));
    DataFrame acted = unmatched.withColumn(kActionCol, caseWhen(pick));
    std::vector<ExprPtr> cols;
    for (const auto& f : schema.fields()) {
      std::vector<ExprPtr> branches;
      for (size_t i = 0; i < clauses.size(); ++i) {
        if (clauses[i].matched) continue;
        ExprPtr v = clauseValue(clauses[i], f, source, sourceAlias);
        branches.push_back(eq(col(kActionCol), lit(static_cast<int>(i) + 1)));
        branches.push_back(v ? v : sql::lit(Value::null(f.type)));
      }
      branches.push_back(sql::lit(Value::null(f.type)));
      cols.push_back(as(cast(caseWhen(branches), f.type), f.name));
    }
    cols.push_back(col(kActionCol));
    DataFrame inserted = acted.filter(ne(col(kActionCol), lit(0))).select(cols);
    output = output ? output->union_(inserted) : inserted;
  }

  FeedMergeResult result;
  result.version = snap.version;
  if (!output) return result;  // nothing matched and nothing to insert
  FeedCommit c;
  c.operation = "MERGE";
  c.parameters["predicate"] = conditionText;
  c.parameters["matchedPredicates"] = "[" + exprList(clauses, true) + "]";
  c.parameters["notMatchedPredicates"] = "[" + exprList(clauses, false) + "]";
  c.readVersion = snap.version;
  c.schema = schema;
  for (int i : touched) c.removed.push_back(snap.files.at(files[static_cast<size_t>(i)]));
  // Rows written per clause (tag i + 1) and copied unchanged (tag 0); deleted rows are
  // the touched files' rows that were neither.
  std::map<int64_t, int64_t> tags;
  c.added = writeFeedDataFiles(*output, dir, {}, &tags);
  if (c.added.empty() && c.removed.empty()) return result;
  result.numTargetFilesRemoved = static_cast<int64_t>(c.removed.size());
  result.numTargetFilesAdded = static_cast<int64_t>(c.added.size());
  for (const auto& f : c.added) result.numOutputRows += f.rows;
  int64_t touchedRows = 0;
  for (const auto& f : c.removed) touchedRows += f.rows;
  for (const auto& [tag, n] : tags) {
    if (tag == 0) {
      result.numTargetRowsCopied += n;
    } else if (clauses.at(static_cast<size_t>(tag - 1)).action == Statement::MergeClause::Insert) {
      result.numTargetRowsInserted += n;
    } else {
      result.numTargetRowsUpdated += n;
    }
  }
  result.numTargetRowsDeleted =
      touchedRows - result.numTargetRowsUpdated - result.numTargetRowsCopied;
  c.metrics["numTargetRowsInserted"] = result.numTargetRowsInserted;
  c.metrics["numTargetRowsUpdated"] = result.numTargetRowsUpdated;
  c.metrics["numTargetRowsDeleted"] = result.numTargetRowsDeleted;
  c.metrics["numTargetRowsCopied"] = result.numTargetRowsCopied;
  c.metrics["numTargetFilesPruned"] = static_cast<int64_t>(files.size() - candidates.size());
  result.version = commitFeed(s, dir, c);
  return result;
}

}  // namespace ember::sql
