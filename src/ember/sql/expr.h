// Expressions of the DataFrame/SQL engine (Catalyst-style trees).
//
// One node type with a kind tag keeps the tree plain data: easy to pattern-match in
// optimizer rules, to print, and to serialise for executors. Trees are immutable and
// shared (ExprPtr = shared_ptr<const Expr>); rules rewrite by building new nodes.
//
// Column references are resolved to *attribute ids*, not positions: every column a
// plan node produces has a process-unique id (Attribute::id), so rules can move
// expressions across operators without renumbering; the physical planner binds ids to
// batch column ordinals at the end.
//
// Operators are calls: "+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=",
// "<=>" (null-safe equal), "and", "or", "not", "isnull", "isnotnull", "like", "ilike",
// "rlike", "in" (args: value, list...), "case" (args: cond1, val1, cond2, val2, ...,
// [else]; an absent else is NULL; the parser rewrites CASE x WHEN v into x = v),
// "coalesce", "negate", and every named function ("upper", "substring", ...).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/columnar/types.h"
#include "ember/columnar/value.h"

namespace ember::sql {

struct LogicalPlan;
using PlanPtr = std::shared_ptr<const LogicalPlan>;
struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

enum class ExprKind : uint8_t {
  Literal,         // value
  ColumnRef,       // name [+ qualifier]; resolved: id, type, nullable
  Star,            // `*` or `t.*` (qualifier); expanded by the analyzer
  Alias,           // args[0] AS name; resolved: id of the produced attribute
  Call,            // scalar function or operator `name`(args)
  AggregateCall,   // aggregate `name`(args) [DISTINCT] [FILTER (WHERE args.back() if hasFilter)]
  WindowCall,      // args[0] (an AggregateCall or a ranking Call) OVER (window)
  Cast,            // CAST(args[0] AS type)
  ScalarSubquery,  // (SELECT one value)
  InSubquery,      // args[0] [NOT] IN (subquery)
  Exists,          // [NOT] EXISTS (subquery)
  OuterRef,        // a correlated reference to an outer query's column (analyzer)
  Lambda,          // x -> body / (acc, x) -> body: args[0] body, args[1..] the parameters
                   // (ColumnRefs; resolved: fresh attribute ids), for transform, filter, ...
};

struct SortKey {
  ExprPtr expr;
  bool ascending = true;
  // Spark's default: NULLS FIRST for ascending, NULLS LAST for descending.
  bool nullsFirst = true;
};

enum class FrameType : uint8_t { Rows, Range };
struct FrameBound {
  enum Kind : uint8_t { UnboundedPreceding, Preceding, CurrentRow, Following, UnboundedFollowing };
  Kind kind = CurrentRow;
  int64_t offset = 0;  // Preceding / Following
};
struct WindowSpec {
  std::vector<ExprPtr> partitionBy;
  std::vector<SortKey> orderBy;
  bool hasFrame = false;  // false: the SQL default frame (RANGE UNBOUNDED PRECEDING..CURRENT ROW
                          // with ORDER BY, else the whole partition)
  FrameType frameType = FrameType::Range;
  FrameBound start{FrameBound::UnboundedPreceding, 0};
  FrameBound end{FrameBound::CurrentRow, 0};
};

struct Expr {
  ExprKind kind = ExprKind::Literal;
  // ColumnRef: column name; Alias: output name; Call/AggregateCall: function name in
  // lower case; Star: unused.
  std::string name;
  // ColumnRef / Star: the table qualifier parts ("t", or "db", "t"); empty if none.
  std::vector<std::string> qualifier;
  std::vector<ExprPtr> args;
  Value value;    // Literal
  DataType type;  // Cast: target type; after analysis: the result type of any node
  bool nullable = true;
  bool resolved = false;
  bool distinct = false;   // AggregateCall
  bool hasFilter = false;  // AggregateCall: args.back() is the FILTER condition
  bool negated = false;    // InSubquery / Exists
  int64_t id = -1;         // resolved ColumnRef / OuterRef: attribute id; Alias: new id
  PlanPtr subquery;        // ScalarSubquery / InSubquery / Exists
  std::shared_ptr<const WindowSpec> window;  // WindowCall
  int position = -1;  // byte offset in the SQL text, for error messages; -1 if none

  // SQL-like text: "(a + 1)", "sum(DISTINCT x)", "CAST(a AS int)", "t.c".
  std::string toString() const;
  // The column name Spark gives an unaliased expression in a result: "a", "(a + 1)",
  // "sum(x)", "count(1)".
  std::string prettyName() const;
};

// Builders (used by the parser, the DataFrame API and rules).
ExprPtr lit(Value v);
ExprPtr col(std::string name, std::vector<std::string> qualifier = {});
ExprPtr star(std::vector<std::string> qualifier = {});
ExprPtr alias(ExprPtr e, std::string name);
ExprPtr call(std::string name, std::vector<ExprPtr> args);
ExprPtr aggCall(std::string name, std::vector<ExprPtr> args, bool distinct = false);
ExprPtr cast(ExprPtr e, DataType to);
// A copy of `e` with other args (rules use this to rebuild a node).
ExprPtr withArgs(const Expr& e, std::vector<ExprPtr> args);

}  // namespace ember::sql
