// Internals of the SQL parser (parser.h), shared by parser_*.cpp only.
//
// Pipeline: the original text is tokenised (parser_lex.cpp); whole statements that
// PostgreSQL cannot parse (Spark DDL, SET, CACHE, MERGE, ...) are parsed by hand
// (parser_spark.cpp, parser_merge.cpp); queries go through a token-level Spark->pg
// rewrite (parser_rewrite.cpp), then libpg-query, whose JSON tree is translated into
// LogicalPlan/Expr (parser_select.cpp, parser_expr.cpp). Every rewritten byte keeps
// the offset of the original byte it came from, so positions in errors and in the
// trees always refer to the text the user wrote.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ember/sql/logical_plan.h"

namespace ember::sql::detail {

using Json = nlohmann::json;

struct Token {
  enum Kind : uint8_t { Word, Quoted, Backtick, String, Number, Op, End };
  Kind kind = End;
  int begin = 0, end = 0;  // byte offsets in the full text
  std::string text;        // Word/Number/Op: as written; Quoted/Backtick/String: unescaped
  bool is(const char* keyword) const;  // a Word equal to keyword, ignoring case
  bool isOp(const char* op) const { return kind == Op && text == op; }
  bool isIdent() const { return kind == Word || kind == Quoted || kind == Backtick; }
};

// Tokens of sql[begin, end) (comments and whitespace skipped), ending with an End
// token at `end`. Throws UserError on an unterminated string, identifier or comment.
std::vector<Token> tokenize(const std::string& sql, int begin, int end);

[[noreturn]] void throwAt(const std::string& sql, int offset, const std::string& message);

// Text handed to libpg-query plus the map back to the original text.
struct PgText {
  std::string text;
  std::vector<int> origin;        // origin[i]: original offset of text[i]; size text.size() + 1
  std::vector<FileSource> files;  // `fmt`.`path` references, named "__ember_file_<i>"
  // Joins written LEFT SEMI / LEFT ANTI (rewritten to inner joins): offset of the
  // JOIN keyword in `text` -> the join type.
  std::map<int, JoinType> specialJoins;
  // Lower-cased unquoted identifier -> its spelling in the original text (pg lower-cases
  // unquoted identifiers; Spark keeps the spelling in result column names).
  std::map<std::string, std::string> spelling;
};

// Rewrites sql[begin, end) into PostgreSQL syntax; `prefix` is prepended (mapped to
// `begin`), e.g. "SELECT " to parse a lone expression.
PgText rewriteForPg(const std::string& sql, int begin, int end, const std::string& prefix = "");

// Runs libpg-query; returns the "stmts" array. Errors become UserError with the
// original position.
Json runPg(const std::string& sql, const PgText& text);

constexpr const char* kFilePrefix = "__ember_file_";
constexpr const char* kSubqueryAliasPrefix = "__ember_sq_";
constexpr const char* kGroupByAll = "__ember_group_by_all";
constexpr const char* kPivotMarker = "__ember_pivot";

// Translates libpg-query's JSON tree (parser_select.cpp / parser_expr.cpp).
class PgTranslator {
 public:
  PgTranslator(const std::string& sql, const PgText& text) : sql_(sql), text_(text) {}

  // A SelectStmt node's contents (the object under "SelectStmt").
  PlanPtr select(const Json& stmt);
  // Any expression node ({"A_Expr": {...}}, ...).
  ExprPtr expr(const Json& node);
  ExprPtr exprNode(const Json& node);  // expr() without the lambda re-association
  // A ResTarget of a select list: Alias when named or computed, else the expression.
  ExprPtr target(const Json& resTarget);
  SortKey sortKey(const Json& sortBy);

  // Original offset of a node's "location" (-1 if absent).
  int pos(const Json& nodeBody) const;
  // An identifier from pg, in its original spelling.
  std::string ident(const std::string& s) const;
  [[noreturn]] void fail(const Json& nodeBody, const std::string& message) const;

 private:
  PlanPtr fromItem(const Json& node);
  PlanPtr joinExpr(const Json& j);
  PlanPtr tableFunction(const Json& item, const Json& rangeFunction);
  // A generator (explode, posexplode, inline, *_outer) in FROM: over `child` (LATERAL
  // VIEW / LATERAL, or one row); null when the function is not a generator.
  PlanPtr generator(const Json& rangeFunction, PlanPtr child);
  PlanPtr selectCore(const Json& stmt);
  // GROUPING SETS / ROLLUP / CUBE (parser_grouping.cpp).
  std::vector<std::vector<ExprPtr>> groupingSetsOf(const Json& groupClauseItem);
  bool needsGroupingSets(const Json& groupClause, const std::vector<ExprPtr>& targets,
                         const ExprPtr& having) const;
  PlanPtr groupingSetsAggregate(const PlanPtr& child, const Json& groupClause,
                                const std::vector<ExprPtr>& targets, const ExprPtr& having);
  // The subquery PIVOT was rewritten into (parser_rewrite.cpp): an aggregate per value.
  PlanPtr pivotAggregate(const PlanPtr& child, const std::vector<ExprPtr>& targets);
  PlanPtr values(const Json& lists);
  ExprPtr aExpr(const Json& a);
  ExprPtr funcCall(const Json& f);
  ExprPtr typeCast(const Json& c);
  ExprPtr constant(const Json& c);
  ExprPtr subLink(const Json& s);
  ExprPtr columnRef(const Json& c);
  std::shared_ptr<const WindowSpec> windowSpec(const Json& w);
  ExprPtr intervalArith(const Json& a, ExprPtr left, const Json& intervalCast, bool negate);
  DataType typeName(const Json& t);
  int firstLocation(const Json& n) const;
  int lastLocation(const Json& n) const;

  const std::string& sql_;
  const PgText& text_;
  std::map<std::string, Json> windows_;  // WINDOW w AS (...) of the current SELECT
};

// Walks the tokens of a hand-parsed statement; errors name the token.
class Cursor {
 public:
  Cursor(const std::string& sql, std::vector<Token> toks) : sql_(sql), toks_(std::move(toks)) {}
  const Token& peek(size_t k = 0) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  const Token& next() { return toks_[i_ < toks_.size() - 1 ? i_++ : i_]; }
  bool atEnd() const { return peek().kind == Token::End; }
  size_t index() const { return i_; }
  void seek(size_t i) { i_ = i; }
  const std::vector<Token>& tokens() const { return toks_; }
  bool accept(const char* keyword);
  bool acceptOp(const char* op);
  void expect(const char* keyword, const char* context);
  void expectOp(const char* op, const char* context);
  std::string identifier(const char* what);
  std::vector<std::string> qualifiedName(const char* what);
  std::string stringLiteral(const char* what);
  // OPTIONS (k 'v', k2 = 'v2') after the OPTIONS keyword; keys lower-cased.
  void options(std::map<std::string, std::string>& out);
  // Index of the ')' matching the '(' at index `open`.
  size_t matching(size_t open) const;
  [[noreturn]] void error(const std::string& message) const;  // "... at or near 'tok'"
  const std::string& sql() const { return sql_; }

 private:
  const std::string& sql_;
  std::vector<Token> toks_;
  size_t i_ = 0;
};

// A query in sql[begin, end) (a SELECT, VALUES, WITH ... SELECT, set operation).
PlanPtr parseQueryRange(const std::string& sql, int begin, int end);

// Spark's DISTRIBUTE BY / SORT BY / CLUSTER BY and partitioning hints at a query's top
// level (parser_organization.cpp): text ranges in the original SQL.
struct QueryOrganization {
  struct Hint {
    std::string name;                       // lower case: repartition, coalesce, ...
    std::vector<std::pair<int, int>> args;  // [begin, end) of each argument
    int position = -1;
  };
  std::vector<Hint> hints;
  std::vector<std::pair<int, int>> distributeBy, sortBy;
  bool clusterSort = false;         // CLUSTER BY: sortBy are plain expressions, ascending
  std::pair<int, int> limit{0, 0};  // LIMIT n after the clauses
  bool empty() const { return hints.empty() && distributeBy.empty() && sortBy.empty(); }
};
// Fills `org`; returns sql with those clauses blanked out (same length).
std::string extractOrganization(const std::string& sql, int begin, int end, QueryOrganization& org);
// Repartition / LocalSort nodes over `plan` for `org`.
PlanPtr applyOrganization(PlanPtr plan, const std::string& sql, const QueryOrganization& org);
// An expression in sql[begin, end) (may be `expr AS name`).
ExprPtr parseExpressionRange(const std::string& sql, int begin, int end);
// One statement in sql[begin, end).
Statement parseStatementRange(const std::string& sql, int begin, int end);
// A DDL schema in sql[begin, end): "a INT, b DECIMAL(15,2) NOT NULL".
Schema parseSchemaRange(const std::string& sql, int begin, int end);
// MERGE INTO ... (parser_merge.cpp); the cursor is after MERGE.
Statement parseMerge(Cursor& c, int end);
Statement parseDeleteOrUpdate(Cursor& c, bool update);

// Helpers for literals (parser_literal.cpp).
Value decimalLiteral(const std::string& text);   // "1.50" -> decimal(3,2) 150
ExprPtr numberLiteral(const std::string& text);  // pg "fval": bigint, decimal or double
struct IntervalValue {
  int64_t months = 0, days = 0, micros = 0;
};
// "3 days", "1 year 2 months", or a bare number with the unit from pg's typmod mask.
IntervalValue parseInterval(const std::string& text, int typmodMask);

}  // namespace ember::sql::detail
