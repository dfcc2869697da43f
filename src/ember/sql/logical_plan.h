// Logical plans (Catalyst style): what to compute, not how. The parser and the
// DataFrame API build unresolved plans; the analyzer resolves names and types; the
// optimizer rewrites; the physical planner turns them into operators and stages.
//
// One node type with a kind tag, immutable and shared like expressions (expr.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/sql/expr.h"

namespace ember::sql {

// A column produced by a plan node. Ids are unique in the process (newAttributeId()).
struct Attribute {
  std::string name;
  DataType type;
  bool nullable = true;
  int64_t id = -1;
  std::vector<std::string> qualifier;  // table alias the column can be referred by
};
int64_t newAttributeId();

enum class PlanKind : uint8_t {
  UnresolvedRelation,  // a table or view `name` (possibly "db.t" parts) to look up
  FileScan,            // files read through a format (source)
  LocalRelation,       // in-memory rows (VALUES, createDataFrame): batches + output
  OneRow,              // SELECT without FROM: one row, no columns
  Project,             // exprs = named output expressions (Alias or ColumnRef)
  Filter,              // exprs[0] = condition
  Aggregate,           // groupBy = grouping keys; exprs = output expressions
  Window,              // exprs = child's columns + WindowCall aliases
  Join,                // joinType; exprs[0] = condition (absent: cross / natural by using)
  Sort,                // order; global
  Limit,               // limit (and offset)
  Distinct,
  SetOp,          // setOp + all
  SubqueryAlias,  // name (+ columnAliases): re-qualifies the child's output
  With,           // ctes (name, plan) visible in children[0]
  Sample,         // fraction, seed
  Range,          // ids start, start+step, ... < end (exclusive) in rangePartitions parts
  Generate,       // exprs[0] = generator (explode, posexplode, inline, *_outer) over children[0];
                  // output = child's output + generatorOutput (LATERAL VIEW, explode in SELECT)
  Repartition,    // numPartitions (0: ember.sql.shuffle.partitions) by exprs (hash), by order
                  // (range) or round robin; shuffle=false: coalesce without a shuffle
  LocalSort,      // order within each partition (sortWithinPartitions, SORT BY)
  InMemoryRelation,  // children[0] (a cached plan) read from the block managers: `cache`
};

enum class JoinType : uint8_t {
  Inner,
  LeftOuter,
  RightOuter,
  FullOuter,
  LeftSemi,
  LeftAnti,
  Cross
};
const char* joinTypeName(JoinType t);  // "Inner", "LeftOuter", ... (Spark's names)
enum class SetOpKind : uint8_t { Union, Intersect, Except };

// What a FileScan reads. Options are Spark's (path, header, delimiter, ...).
struct FileSource {
  std::string format;  // "csv", "parquet", "json", "text", ...
  std::vector<std::string> paths;
  std::map<std::string, std::string> options;  // keys lower-cased
  Schema userSchema;                           // empty: infer
  bool hasUserSchema = false;
};

struct CachedPlan;  // cache_manager.h

struct LogicalPlan {
  PlanKind kind = PlanKind::OneRow;
  std::vector<PlanPtr> children;
  std::vector<ExprPtr> exprs;
  std::vector<ExprPtr> groupBy;
  std::vector<SortKey> order;
  JoinType joinType = JoinType::Inner;
  std::vector<std::string> usingColumns;  // Join ... USING (a, b)
  bool natural = false;                   // NATURAL JOIN
  SetOpKind setOp = SetOpKind::Union;
  bool all = false;     // UNION ALL, ...
  bool byName = false;  // unionByName
  int64_t limit = -1;
  int64_t offset = 0;
  double fraction = 1.0;                                // Sample
  int64_t rangeStart = 0, rangeEnd = 0, rangeStep = 1;  // Range
  int rangePartitions = 0;                              // Range: 0 = default parallelism
  uint64_t seed = 0;
  std::vector<std::string> name;                      // UnresolvedRelation / SubqueryAlias (parts)
  std::vector<std::string> columnAliases;             // SubqueryAlias t(a, b)
  std::vector<std::pair<std::string, PlanPtr>> ctes;  // With
  std::shared_ptr<const FileSource> source;           // FileScan
  std::vector<BatchPtr> rows;                         // LocalRelation
  std::vector<Attribute> generatorOutput;             // Generate: the generated columns
  int numPartitions = 0;                              // Repartition
  bool shuffle = true;                                // Repartition
  std::shared_ptr<CachedPlan> cache;                  // InMemoryRelation
  std::vector<Attribute> output;                      // resolved nodes (and LocalRelation/FileScan)
  bool resolved = false;
  int position = -1;  // byte offset in the SQL text, -1 if none

  // Indented tree as Spark's explain prints it ("Project [a#1, (b#2 + 1) AS c#3]").
  std::string treeString() const;
  std::string nodeString() const;  // this node's line
};

// Statements beyond queries (what `sql()` accepts).
struct Statement {
  enum class Kind : uint8_t {
    Query,       // query
    CreateView,  // CREATE [OR REPLACE] [GLOBAL] TEMP[ORARY] VIEW name [(cols)] AS query | USING fmt
                 // OPTIONS (...)
    CreateTableAs,    // CREATE TABLE name [USING fmt] [OPTIONS] [LOCATION] AS query / or USING
                      // without AS
    InsertInto,       // INSERT INTO|OVERWRITE [TABLE] name [(cols)] query
    InsertDirectory,  // INSERT OVERWRITE DIRECTORY 'path' USING fmt [OPTIONS] query
    DropView,         // DROP VIEW|TABLE [IF EXISTS] name
    Explain,          // EXPLAIN [EXTENDED|FORMATTED|COST] statement
    SetConfig,        // SET key = value / SET key (show) / SET (all)
    ShowTables,       // SHOW TABLES / SHOW VIEWS
    Describe,         // DESCRIBE [TABLE] name / DESCRIBE query
    CacheTable,       // CACHE TABLE name [AS query]
    UncacheTable,
    Merge,            // MERGE INTO target USING source ON cond WHEN ... (issue 4)
    DescribeHistory,  // DESCRIBE HISTORY name [LIMIT n] (feeds; limit in `limit`)
    Vacuum,           // VACUUM name [RETAIN n HOURS] [DRY RUN] (feeds)
  };
  Kind kind = Kind::Query;
  PlanPtr query;
  std::vector<std::string> name;  // target table / view
  bool orReplace = false;
  bool ifExists = false;
  bool ifNotExists = false;
  bool overwrite = false;
  bool temporary = true;
  std::string format;                          // USING fmt
  std::map<std::string, std::string> options;  // OPTIONS (k 'v'), keys lower-cased
  std::string location;                        // LOCATION / DIRECTORY path
  std::vector<Field> columns;                  // (col type, ...) of CREATE VIEW ... USING
  std::vector<std::string> columnNames;        // INSERT (cols) / view column aliases
  std::vector<std::string> partitionBy;        // PARTITIONED BY (cols)
  std::string explainMode;                     // "simple", "extended", "formatted", "cost"
  std::shared_ptr<const Statement> inner;      // Explain
  std::string key, value;                      // SetConfig
  // Merge: source plan in `query`, target in `name`, condition in mergeCondition;
  // clauses in order.
  ExprPtr mergeCondition;
  struct MergeClause {
    bool matched = true;  // WHEN MATCHED / WHEN NOT MATCHED
    ExprPtr condition;    // AND cond (optional)
    enum Action : uint8_t { Update, Delete, Insert } action = Update;
    bool star = false;                 // UPDATE SET * / INSERT *
    std::vector<std::string> columns;  // SET col = expr / INSERT (cols)
    std::vector<ExprPtr> values;
  };
  std::vector<MergeClause> mergeClauses;
  double retainHours = -1;  // Vacuum: RETAIN n HOURS (-1: the default retention)
  bool dryRun = false;      // Vacuum: DRY RUN
  int64_t limit = -1;       // DescribeHistory: LIMIT n
  int position = -1;
};

}  // namespace ember::sql
