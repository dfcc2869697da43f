// Queries: the plan shapes the SQL parser (parser.h) builds.
#include <gtest/gtest.h>

#include "ember/common/errors.h"
#include "ember/sql/parser.h"

namespace ember::sql {
namespace {

PlanPtr query(const std::string& sql) {
  Statement s = parseStatement(sql);
  EXPECT_EQ(s.kind, Statement::Kind::Query);
  return s.query;
}
std::string plan(const std::string& sql) { return query(sql)->treeString(); }

TEST(SqlParserSelect, ProjectFilterFromTable) {
  EXPECT_EQ(plan("SELECT a, b + 1 AS c FROM t WHERE a > 1"),
            "Project [a, (b + 1) AS c]\n"
            "+- Filter (a > 1)\n"
            "   +- 'UnresolvedRelation [t]\n");
}

TEST(SqlParserSelect, UnnamedExpressionsGetSparkNames) {
  EXPECT_EQ(plan("SELECT a + 1, count(*), t.b, * FROM db.t"),
            "Aggregate [], [(a + 1) AS (a + 1), count() AS count(1), t.b, *]\n"
            "+- 'UnresolvedRelation [db.t]\n");
}

TEST(SqlParserSelect, WithoutFromIsOneRow) {
  EXPECT_EQ(plan("SELECT 1"), "Project [1 AS 1]\n+- OneRowRelation\n");
}

TEST(SqlParserSelect, GroupByOrdinalAndHaving) {
  EXPECT_EQ(plan("SELECT a, sum(b) AS s FROM t GROUP BY 1 HAVING sum(b) > 10"),
            "Filter (sum(b) > 10)\n"
            "+- Aggregate [1], [a, sum(b) AS s]\n"
            "   +- 'UnresolvedRelation [t]\n");
}

TEST(SqlParserSelect, DistinctSortLimitOffset) {
  EXPECT_EQ(plan("SELECT DISTINCT a FROM t ORDER BY a DESC, 2, b NULLS LAST LIMIT 10 OFFSET 5"),
            "GlobalLimit 10 OFFSET 5\n"
            "+- Sort [a DESC NULLS LAST, 2 ASC NULLS FIRST, b ASC NULLS LAST], true\n"
            "   +- Distinct\n"
            "      +- Project [a]\n"
            "         +- 'UnresolvedRelation [t]\n");
}

TEST(SqlParserSelect, JoinsOfEveryKind) {
  auto p = plan(
      "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (x) RIGHT OUTER JOIN d ON true "
      "FULL JOIN e ON false CROSS JOIN f NATURAL JOIN g, h");
  EXPECT_EQ(p,
            "Project [*]\n"
            "+- Join Inner\n"
            "   :- Join Inner\n"
            "   :  :- Join Cross\n"
            "   :  :  :- Join FullOuter, false\n"
            "   :  :  :  :- Join RightOuter, true\n"
            "   :  :  :  :  :- Join LeftOuter\n"
            "   :  :  :  :  :  :- Join Inner, (a.x = b.x)\n"
            "   :  :  :  :  :  :  :- 'UnresolvedRelation [a]\n"
            "   :  :  :  :  :  :  +- 'UnresolvedRelation [b]\n"
            "   :  :  :  :  :  +- 'UnresolvedRelation [c]\n"
            "   :  :  :  :  +- 'UnresolvedRelation [d]\n"
            "   :  :  :  +- 'UnresolvedRelation [e]\n"
            "   :  :  +- 'UnresolvedRelation [f]\n"
            "   :  +- 'UnresolvedRelation [g]\n"
            "   +- 'UnresolvedRelation [h]\n");
  auto q = query("SELECT * FROM a LEFT JOIN c USING (x, y) NATURAL JOIN g");
  const auto& natural = *q->children[0];
  EXPECT_TRUE(natural.natural);
  EXPECT_EQ(natural.children[0]->usingColumns, (std::vector<std::string>{"x", "y"}));
}

TEST(SqlParserSelect, SparkSemiAndAntiJoins) {
  EXPECT_EQ(plan("SELECT * FROM a LEFT SEMI JOIN (SELECT x FROM b) ON a.x = 1 "
                 "LEFT ANTI JOIN c ON a.y = c.y ANTI JOIN d ON true JOIN e ON false"),
            "Project [*]\n"
            "+- Join Inner, false\n"
            "   :- Join LeftAnti, true\n"
            "   :  :- Join LeftAnti, (a.y = c.y)\n"
            "   :  :  :- Join LeftSemi, (a.x = 1)\n"
            "   :  :  :  :- 'UnresolvedRelation [a]\n"
            "   :  :  :  +- Project [x]\n"
            "   :  :  :     +- 'UnresolvedRelation [b]\n"
            "   :  :  +- 'UnresolvedRelation [c]\n"
            "   :  +- 'UnresolvedRelation [d]\n"
            "   +- 'UnresolvedRelation [e]\n");
}

TEST(SqlParserSelect, AliasesAndSubqueriesInFrom) {
  EXPECT_EQ(plan("SELECT * FROM t AS x(a, b), (SELECT 1) s, (SELECT 2)"),
            "Project [*]\n"
            "+- Join Inner\n"
            "   :- Join Inner\n"
            "   :  :- SubqueryAlias x\n"
            "   :  :  +- 'UnresolvedRelation [t]\n"
            "   :  +- SubqueryAlias s\n"
            "   :     +- Project [1 AS 1]\n"
            "   :        +- OneRowRelation\n"
            "   +- Project [2 AS 2]\n"
            "      +- OneRowRelation\n");
  EXPECT_EQ(query("SELECT * FROM t AS x(a, b)")->children[0]->columnAliases,
            (std::vector<std::string>{"a", "b"}));
}

TEST(SqlParserSelect, SetOperations) {
  EXPECT_EQ(plan("SELECT a FROM t UNION ALL SELECT b FROM u EXCEPT SELECT c FROM v "
                 "INTERSECT SELECT d FROM w ORDER BY 1 LIMIT 3"),
            "GlobalLimit 3\n"
            "+- Sort [1 ASC NULLS FIRST], true\n"
            "   +- Except\n"
            "      :- Union All\n"
            "      :  :- Project [a]\n"
            "      :  :  +- 'UnresolvedRelation [t]\n"
            "      :  +- Project [b]\n"
            "      :     +- 'UnresolvedRelation [u]\n"
            "      +- Intersect\n"
            "         :- Project [c]\n"
            "         :  +- 'UnresolvedRelation [v]\n"
            "         +- Project [d]\n"
            "            +- 'UnresolvedRelation [w]\n");
}

TEST(SqlParserSelect, CommonTableExpressions) {
  auto q = query("WITH x AS (SELECT 1 AS a), y(b) AS (SELECT a FROM x) SELECT * FROM y");
  EXPECT_EQ(q->kind, PlanKind::With);
  ASSERT_EQ(q->ctes.size(), 2u);
  EXPECT_EQ(q->ctes[0].first, "x");
  EXPECT_EQ(q->ctes[1].second->kind, PlanKind::SubqueryAlias);
  EXPECT_EQ(q->ctes[1].second->columnAliases, std::vector<std::string>{"b"});
  EXPECT_EQ(q->children[0]->treeString(), "Project [*]\n+- 'UnresolvedRelation [y]\n");
}

TEST(SqlParserSelect, ValuesBecomeLocalRelation) {
  auto q = query("VALUES (1, 'a'), (2, NULL), (3000000000, 'c')");
  ASSERT_EQ(q->kind, PlanKind::LocalRelation);
  ASSERT_EQ(q->output.size(), 2u);
  EXPECT_EQ(q->output[0].name, "col1");
  EXPECT_EQ(q->output[0].type, DataType::int64());  // int and bigint widen
  EXPECT_FALSE(q->output[0].nullable);
  EXPECT_EQ(q->output[1].type, DataType::string());
  EXPECT_TRUE(q->output[1].nullable);
  ASSERT_EQ(q->rows.size(), 1u);
  EXPECT_EQ(q->rows[0]->numRows, 3);
  // Non-constant rows: a UNION ALL of one-row projections.
  EXPECT_EQ(plan("VALUES (1 + 1), (2)"),
            "Union All\n"
            ":- Project [(1 + 1) AS col1]\n"
            ":  +- OneRowRelation\n"
            "+- Project [2 AS col1]\n"
            "   +- OneRowRelation\n");
}

TEST(SqlParserSelect, FileReferences) {
  auto q = query("SELECT * FROM parquet.`/data/x.parquet` p JOIN csv.`/d/y.csv` ON true");
  const auto& scan = *q->children[0]->children[0]->children[0];
  ASSERT_EQ(scan.kind, PlanKind::FileScan);
  EXPECT_EQ(scan.source->format, "parquet");
  EXPECT_EQ(scan.source->paths, std::vector<std::string>{"/data/x.parquet"});
  EXPECT_EQ(scan.position, 14);
  EXPECT_EQ(q->children[0]->children[1]->source->format, "csv");
}

TEST(SqlParserSelect, TableSample) {
  auto q = query("SELECT * FROM t AS x TABLESAMPLE (10 PERCENT) REPEATABLE (7)");
  const auto& sample = *q->children[0];
  ASSERT_EQ(sample.kind, PlanKind::Sample);
  EXPECT_DOUBLE_EQ(sample.fraction, 0.1);
  EXPECT_EQ(sample.seed, 7u);
  EXPECT_EQ(sample.children[0]->kind, PlanKind::SubqueryAlias);
  EXPECT_THROW(parseStatement("SELECT * FROM t TABLESAMPLE SYSTEM (10)"), UserError);
}

TEST(SqlParserSelect, WindowSpecifications) {
  auto q = query(
      "SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC ROWS BETWEEN 2 PRECEDING AND "
      "CURRENT ROW) AS r, sum(c) OVER w AS s, avg(c) OVER (w RANGE BETWEEN UNBOUNDED PRECEDING "
      "AND 3 FOLLOWING) FROM t WINDOW w AS (PARTITION BY a ORDER BY b)");
  ASSERT_EQ(q->kind, PlanKind::Project);  // the analyzer extracts Window nodes
  const auto& r = *q->exprs[0]->args[0];
  ASSERT_EQ(r.kind, ExprKind::WindowCall);
  EXPECT_EQ(r.args[0]->kind, ExprKind::Call);
  const WindowSpec& w = *r.window;
  EXPECT_EQ(w.partitionBy[0]->toString(), "a");
  EXPECT_FALSE(w.orderBy[0].ascending);
  EXPECT_TRUE(w.hasFrame);
  EXPECT_EQ(w.frameType, FrameType::Rows);
  EXPECT_EQ(w.start.kind, FrameBound::Preceding);
  EXPECT_EQ(w.start.offset, 2);
  EXPECT_EQ(w.end.kind, FrameBound::CurrentRow);
  const auto& s = *q->exprs[1]->args[0];
  EXPECT_EQ(s.args[0]->kind, ExprKind::AggregateCall);
  EXPECT_FALSE(s.window->hasFrame);
  EXPECT_EQ(s.toString(), "sum(c) OVER (PARTITION BY a ORDER BY b ASC)");
  const WindowSpec& a = *q->exprs[2]->args[0]->window;
  EXPECT_EQ(a.frameType, FrameType::Range);
  EXPECT_EQ(a.start.kind, FrameBound::UnboundedPreceding);
  EXPECT_EQ(a.end.kind, FrameBound::Following);
  EXPECT_EQ(a.end.offset, 3);
  EXPECT_EQ(a.partitionBy.size(), 1u);
}

TEST(SqlParserSelect, IdentifiersKeepTheirSpellingAndPositions) {
  auto q = query("SELECT MyCol, `Weird Name`, \"Quoted\" AS Out FROM MyTable");
  EXPECT_EQ(q->treeString(),
            "Project [MyCol, Weird Name, Quoted AS Out]\n"
            "+- 'UnresolvedRelation [MyTable]\n");
  EXPECT_EQ(q->exprs[0]->position, 7);
  EXPECT_EQ(q->exprs[1]->position, 14);
  EXPECT_EQ(q->children[0]->position, 49);
  // Positions refer to the original text, before backticks and INTERVAL are rewritten.
  auto p = query("SELECT d + INTERVAL 3 DAYS, `x`, zz FROM t");
  EXPECT_EQ(p->exprs[2]->position, 33);
}

TEST(SqlParserSelect, UnsupportedConstructsSayWhat) {
  auto err = [](const std::string& sql) {
    try {
      parseStatement(sql);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err("SELECT * FROM unnest(10)"),
            "unknown table function unnest() in FROM; Ember supports range([start,] end [, step "
            "[, numPartitions]]) (line 1, column 15)\n  SELECT * FROM unnest(10)\n"
            "                ^");
  EXPECT_NE(err("SELECT a, sum(b) OVER () FROM t GROUP BY ROLLUP(a)")
                .find("window functions together with GROUPING SETS, ROLLUP or CUBE"),
            std::string::npos);
  EXPECT_NE(err("WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r").find("RECURSIVE"),
            std::string::npos);
  EXPECT_NE(err("SELECT DISTINCT ON (a) a FROM t").find("DISTINCT ON"), std::string::npos);
  EXPECT_NE(err("SELECT a FROM t LIMIT a").find("LIMIT needs"), std::string::npos);
}

}  // namespace
}  // namespace ember::sql
