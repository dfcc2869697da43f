// MERGE INTO, hand-parsed: Spark's `UPDATE SET *` and `INSERT *` are not PostgreSQL
// syntax. Conditions and values are parsed as expressions with their original offsets.
//
//   MERGE INTO target [[AS] t] USING (source | (query)) [[AS] s] ON cond
//     WHEN MATCHED [AND cond] THEN UPDATE SET * | UPDATE SET c = e, ... | DELETE
//     WHEN NOT MATCHED [BY TARGET] [AND cond] THEN INSERT * | INSERT (cols) VALUES (e, ...)
//
// The target alias is returned in Statement::key (Statement has no dedicated field).
//
// DELETE FROM t [[AS] a] [WHERE cond] and UPDATE t [[AS] a] SET c = e, ... [WHERE cond]
// (feeds, as Delta's) become an INSERT OVERWRITE of t from itself: options["__operation"]
// names them, the relation is the query, the condition is mergeCondition and UPDATE's
// assignments are mergeClauses[0] (session_statements.cpp builds the rows).
#include "ember/common/errors.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

namespace {

// Index of the first token at parenthesis/CASE depth 0 from `from` for which `stop`
// holds (CASE ... WHEN ... THEN ... END inside a condition does not stop it).
template <typename Pred>
size_t scan(const std::vector<Token>& toks, size_t from, Pred stop) {
  int depth = 0, cases = 0;
  for (size_t i = from; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.kind == Token::End) return i;
    if (depth == 0 && cases == 0 && stop(t)) return i;
    if (t.isOp("(")) ++depth;
    if (t.isOp(")")) --depth;
    if (t.is("case")) ++cases;
    if (t.is("end") && cases > 0) --cases;
  }
  return toks.size() - 1;
}

ExprPtr exprBetween(Cursor& c, size_t stopIndex, const char* what) {
  const auto& toks = c.tokens();
  if (stopIndex == c.index()) c.error(std::string("expected ") + what);
  ExprPtr e = parseExpressionRange(c.sql(), c.peek().begin, toks[stopIndex - 1].end);
  c.seek(stopIndex);
  return e;
}

bool optionalAlias(Cursor& c, std::string& out) {
  if (c.accept("as")) {
    out = c.identifier("an alias");
    return true;
  }
  if (c.peek().isIdent() && !c.peek().is("using") && !c.peek().is("on")) {
    out = c.next().text;
    return true;
  }
  return false;
}

}  // namespace

Statement parseDeleteOrUpdate(Cursor& c, bool update) {
  Statement s;
  s.kind = Statement::Kind::InsertInto;
  s.overwrite = true;
  s.options["__operation"] = update ? "UPDATE" : "DELETE";
  if (!update) c.expect("from", "after DELETE");
  auto rel = std::make_shared<LogicalPlan>();
  rel->kind = PlanKind::UnresolvedRelation;
  rel->position = c.peek().begin;
  rel->name = c.qualifiedName("a table name");
  s.name = rel->name;
  s.query = rel;
  std::string alias;
  if (c.accept("as"))
    alias = c.identifier("an alias");
  else if (c.peek().isIdent() && !c.peek().is("set") && !c.peek().is("where"))
    alias = c.next().text;
  if (!alias.empty()) {
    auto a = std::make_shared<LogicalPlan>();
    a->kind = PlanKind::SubqueryAlias;
    a->name = {alias};
    a->children = {rel};
    s.query = a;
  }
  const auto& toks = c.tokens();
  if (update) {
    c.expect("set", "after UPDATE table");
    Statement::MergeClause m;
    do {
      m.columns.push_back(c.identifier("a column to set"));
      if (!c.peek().isOp("=")) c.error("expected '=' after the column name");
      c.next();
      m.values.push_back(exprBetween(
          c, scan(toks, c.index(), [](const Token& t) { return t.isOp(",") || t.is("where"); }),
          "a value after ="));
    } while (c.peek().isOp(",") && (c.next(), true));
    s.mergeClauses.push_back(std::move(m));
  }
  if (c.accept("where"))
    s.mergeCondition = exprBetween(c, toks.size() - 1, "a condition after WHERE");
  if (!c.atEnd()) c.error("unexpected input");
  return s;
}

Statement parseMerge(Cursor& c, int end) {
  (void)end;
  Statement s;
  s.kind = Statement::Kind::Merge;
  c.expect("into", "after MERGE");
  s.name = c.qualifiedName("a target table name");
  optionalAlias(c, s.key);
  c.expect("using", "after the MERGE target");
  const auto& toks = c.tokens();
  PlanPtr source;
  if (c.peek().isOp("(")) {
    size_t open = c.index(), close = c.matching(open);
    source = parseQueryRange(c.sql(), toks[open].end, toks[close].begin);
    c.seek(close + 1);
  } else {
    auto rel = std::make_shared<LogicalPlan>();
    rel->kind = PlanKind::UnresolvedRelation;
    rel->position = c.peek().begin;
    rel->name = c.qualifiedName("a source table name");
    source = rel;
  }
  std::string sourceAlias;
  if (optionalAlias(c, sourceAlias)) {
    auto a = std::make_shared<LogicalPlan>();
    a->kind = PlanKind::SubqueryAlias;
    a->name = {sourceAlias};
    a->children = {source};
    source = a;
  }
  s.query = source;
  c.expect("on", "after the MERGE source");
  s.mergeCondition =
      exprBetween(c, scan(toks, c.index(), [](const Token& t) { return t.is("when"); }),
                  "a condition after ON");
  while (c.accept("when")) {
    Statement::MergeClause m;
    m.matched = !c.accept("not");
    c.expect("matched", "after WHEN [NOT]");
    if (c.accept("by")) {
      if (!m.matched && c.accept("target")) {
      } else {
        c.error("WHEN NOT MATCHED BY SOURCE is not supported");
      }
    }
    if (c.accept("and"))
      m.condition =
          exprBetween(c, scan(toks, c.index(), [](const Token& t) { return t.is("then"); }),
                      "a condition after AND");
    c.expect("then", "in WHEN clause");
    auto untilWhen = [](const Token& t) { return t.is("when") || t.isOp(","); };
    if (c.accept("update")) {
      if (!m.matched) c.error("WHEN NOT MATCHED can only INSERT");
      m.action = Statement::MergeClause::Update;
      c.expect("set", "after UPDATE");
      if (c.acceptOp("*")) {
        m.star = true;
      } else {
        do {
          auto parts = c.qualifiedName("a column to update");
          m.columns.push_back(parts.back());
          c.expectOp("=", "after the column in UPDATE SET");
          m.values.push_back(exprBetween(c, scan(toks, c.index(), untilWhen), "a value"));
        } while (c.acceptOp(","));
      }
    } else if (c.accept("delete")) {
      if (!m.matched) c.error("WHEN NOT MATCHED can only INSERT");
      m.action = Statement::MergeClause::Delete;
    } else if (c.accept("insert")) {
      if (m.matched) c.error("WHEN MATCHED can only UPDATE or DELETE");
      m.action = Statement::MergeClause::Insert;
      if (c.acceptOp("*")) {
        m.star = true;
      } else {
        c.expectOp("(", "after INSERT");
        do m.columns.push_back(c.qualifiedName("a column name").back());
        while (c.acceptOp(","));
        c.expectOp(")", "after the INSERT columns");
        c.expect("values", "after INSERT (columns)");
        c.expectOp("(", "after VALUES");
        auto untilClose = [](const Token& t) { return t.isOp(",") || t.isOp(")"); };
        do m.values.push_back(exprBetween(c, scan(toks, c.index(), untilClose), "a value"));
        while (c.acceptOp(","));
        c.expectOp(")", "after the VALUES");
        if (m.values.size() != m.columns.size())
          c.error("INSERT lists " + std::to_string(m.columns.size()) + " columns but " +
                  std::to_string(m.values.size()) + " values");
      }
    } else {
      c.error("expected UPDATE, DELETE or INSERT after THEN");
    }
    s.mergeClauses.push_back(std::move(m));
  }
  if (s.mergeClauses.empty()) c.error("expected WHEN [NOT] MATCHED clauses in MERGE");
  if (!c.atEnd()) c.error("unexpected input in MERGE");
  return s;
}

}  // namespace ember::sql::detail
