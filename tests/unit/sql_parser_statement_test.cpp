// Statements beyond queries (Spark DDL, INSERT, SET, EXPLAIN, MERGE, ...), scripts,
// schemas and error positions.
#include <gtest/gtest.h>

#include "ember/common/errors.h"
#include "ember/sql/parser.h"

namespace ember::sql {
namespace {

using Kind = Statement::Kind;

std::string errorOf(const std::string& sql) {
  try {
    parseScript(sql);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SqlParserStatement, CreateTemporaryViewUsingCsv) {
  Statement s = parseStatement(
      "CREATE OR REPLACE TEMPORARY VIEW lineitem (l_orderkey BIGINT, l_tax DECIMAL(15,2) NOT "
      "NULL, l_comment STRING) USING csv OPTIONS (path '/d/lineitem.tbl', header 'false', "
      "Delimiter = '|')");
  EXPECT_EQ(s.kind, Kind::CreateView);
  EXPECT_TRUE(s.orReplace);
  EXPECT_TRUE(s.temporary);
  EXPECT_EQ(s.name, std::vector<std::string>{"lineitem"});
  EXPECT_EQ(s.format, "csv");
  EXPECT_EQ(s.options.at("path"), "/d/lineitem.tbl");
  EXPECT_EQ(s.options.at("delimiter"), "|");
  EXPECT_EQ(s.location, "/d/lineitem.tbl");
  ASSERT_EQ(s.columns.size(), 3u);
  EXPECT_EQ(s.columns[1].type, DataType::decimal(15, 2));
  EXPECT_FALSE(s.columns[1].nullable);
  EXPECT_FALSE(s.query);
}

TEST(SqlParserStatement, CreateViewAsQuery) {
  Statement s = parseStatement("CREATE GLOBAL TEMP VIEW v(a, b) AS SELECT 1, 2;");
  EXPECT_EQ(s.kind, Kind::CreateView);
  EXPECT_TRUE(s.temporary);
  EXPECT_EQ(s.columnNames, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.query->treeString(), "Project [1 AS 1, 2 AS 2]\n+- OneRowRelation\n");
  EXPECT_FALSE(parseStatement("CREATE VIEW v AS SELECT 1").temporary);
}

TEST(SqlParserStatement, CreateTable) {
  Statement s = parseStatement(
      "CREATE TABLE IF NOT EXISTS t (a INT, b STRING) USING parquet PARTITIONED BY (b) "
      "LOCATION '/w/t'");
  EXPECT_EQ(s.kind, Kind::CreateTableAs);
  EXPECT_FALSE(s.temporary);
  EXPECT_TRUE(s.ifNotExists);
  EXPECT_EQ(s.format, "parquet");
  EXPECT_EQ(s.partitionBy, std::vector<std::string>{"b"});
  EXPECT_EQ(s.location, "/w/t");
  EXPECT_EQ(s.columns.size(), 2u);
  Statement ctas = parseStatement("CREATE TABLE t USING csv AS SELECT * FROM u");
  EXPECT_EQ(ctas.query->treeString(), "Project [*]\n+- 'UnresolvedRelation [u]\n");
  EXPECT_NE(errorOf("CREATE TABLE t (a INT)").find("expected USING format or AS query"),
            std::string::npos);
}

TEST(SqlParserStatement, Inserts) {
  Statement a = parseStatement("INSERT INTO TABLE db.t (a, b) SELECT x, y FROM u");
  EXPECT_EQ(a.kind, Kind::InsertInto);
  EXPECT_FALSE(a.overwrite);
  EXPECT_EQ(a.name, (std::vector<std::string>{"db", "t"}));
  EXPECT_EQ(a.columnNames, (std::vector<std::string>{"a", "b"}));
  Statement b = parseStatement("INSERT OVERWRITE t VALUES (1, 'x')");
  EXPECT_TRUE(b.overwrite);
  EXPECT_EQ(b.query->kind, PlanKind::LocalRelation);
  Statement c = parseStatement("INSERT INTO t (SELECT 1)");
  EXPECT_TRUE(c.columnNames.empty());
  Statement d = parseStatement(
      "INSERT OVERWRITE DIRECTORY '/out' USING csv OPTIONS (header 'true') SELECT * FROM t");
  EXPECT_EQ(d.kind, Kind::InsertDirectory);
  EXPECT_EQ(d.location, "/out");
  EXPECT_EQ(d.format, "csv");
  EXPECT_EQ(d.options.at("header"), "true");
}

TEST(SqlParserStatement, ExplainSetShowDescribeDropCache) {
  Statement e = parseStatement("EXPLAIN EXTENDED SELECT 1");
  EXPECT_EQ(e.kind, Kind::Explain);
  EXPECT_EQ(e.explainMode, "extended");
  EXPECT_EQ(e.inner->kind, Kind::Query);
  EXPECT_EQ(parseStatement("EXPLAIN SELECT 1").explainMode, "simple");
  Statement set = parseStatement("SET ember.sql.shuffle.partitions = 8");
  EXPECT_EQ(set.kind, Kind::SetConfig);
  EXPECT_EQ(set.key, "ember.sql.shuffle.partitions");
  EXPECT_EQ(set.value, "8");
  EXPECT_EQ(parseStatement("SET ember.master=local[2]").value, "local[2]");
  EXPECT_EQ(parseStatement("SET a.b = 'x y'").value, "x y");
  EXPECT_EQ(parseStatement("SET a.b").key, "a.b");
  EXPECT_EQ(parseStatement("SET").key, "");
  EXPECT_EQ(parseStatement("SHOW TABLES").kind, Kind::ShowTables);
  Statement d = parseStatement("DESCRIBE TABLE t");
  EXPECT_EQ(d.kind, Kind::Describe);
  EXPECT_EQ(d.name, std::vector<std::string>{"t"});
  EXPECT_TRUE(parseStatement("DESC SELECT 1").query);
  Statement drop = parseStatement("DROP VIEW IF EXISTS v");
  EXPECT_EQ(drop.kind, Kind::DropView);
  EXPECT_TRUE(drop.ifExists);
  Statement cache = parseStatement("CACHE TABLE c AS SELECT 1");
  EXPECT_EQ(cache.kind, Kind::CacheTable);
  EXPECT_TRUE(cache.query);
  EXPECT_EQ(parseStatement("UNCACHE TABLE c").kind, Kind::UncacheTable);
}

TEST(SqlParserStatement, Merge) {
  Statement m = parseStatement(
      "MERGE INTO target t USING (SELECT * FROM s) AS src ON t.id = src.id "
      "WHEN MATCHED AND src.deleted THEN DELETE "
      "WHEN MATCHED THEN UPDATE SET t.v = src.v, w = CASE WHEN src.x THEN 1 ELSE 2 END "
      "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (src.id, src.v + 1) "
      "WHEN NOT MATCHED AND src.y THEN INSERT *");
  EXPECT_EQ(m.kind, Kind::Merge);
  EXPECT_EQ(m.name, std::vector<std::string>{"target"});
  EXPECT_EQ(m.key, "t");  // the target alias
  EXPECT_EQ(m.query->treeString(),
            "SubqueryAlias src\n+- Project [*]\n   +- 'UnresolvedRelation [s]\n");
  EXPECT_EQ(m.mergeCondition->toString(), "(t.id = src.id)");
  ASSERT_EQ(m.mergeClauses.size(), 4u);
  EXPECT_EQ(m.mergeClauses[0].action, Statement::MergeClause::Delete);
  EXPECT_EQ(m.mergeClauses[0].condition->toString(), "src.deleted");
  EXPECT_EQ(m.mergeClauses[1].columns, (std::vector<std::string>{"v", "w"}));
  EXPECT_EQ(m.mergeClauses[1].values[1]->toString(), "CASE WHEN src.x THEN 1 ELSE 2 END");
  EXPECT_FALSE(m.mergeClauses[2].matched);
  EXPECT_EQ(m.mergeClauses[2].values[1]->toString(), "(src.v + 1)");
  EXPECT_TRUE(m.mergeClauses[3].star);
  Statement u = parseStatement("MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET *");
  EXPECT_EQ(u.query->treeString(), "'UnresolvedRelation [s]\n");
  EXPECT_TRUE(u.mergeClauses[0].star);
  EXPECT_NE(errorOf("MERGE INTO t USING s ON x WHEN NOT MATCHED THEN DELETE")
                .find("WHEN NOT MATCHED can only INSERT"),
            std::string::npos);
}

TEST(SqlParserStatement, ScriptsSplitOutsideStringsAndComments) {
  auto stmts = parseScript(
      "SELECT ';' AS a; -- comment; still comment\n"
      "/* a ; b */ SELECT `x;y` FROM t;;\n"
      "SET k = v");
  ASSERT_EQ(stmts.size(), 3u);
  EXPECT_EQ(stmts[1].query->exprs[0]->name, "x;y");
  EXPECT_EQ(stmts[2].kind, Kind::SetConfig);
  EXPECT_TRUE(parseScript("  ; -- nothing\n").empty());
  EXPECT_NE(errorOf("SELECT 1; SELECT 2 FROM").find("line 1, column"), std::string::npos);
  try {
    parseStatement("SELECT 1; SELECT 2");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("expected one statement, found 2"), std::string::npos);
  }
}

TEST(SqlParserStatement, ErrorsCarryLineColumnAndCaret) {
  EXPECT_EQ(errorOf("SELECT a,\n  b FROM t WHERE"),
            "syntax error at end of input (line 2, column 17)\n    b FROM t WHERE\n"
            "                  ^");
  EXPECT_EQ(errorOf("SELECT `a` FROM t WHERE x = = 1"),
            "syntax error at or near '=' (line 1, column 29)\n"
            "  SELECT `a` FROM t WHERE x = = 1\n"
            "                              ^");
  EXPECT_EQ(errorOf("SELEC 1"),
            "unsupported statement 'SELEC': expected SELECT, WITH, VALUES, CREATE, INSERT, "
            "MERGE, DELETE, UPDATE, TRUNCATE, EXPLAIN, SET, SHOW, DESCRIBE, DROP, CACHE, "
            "UNCACHE or CLEAR CACHE (line 1, column 1)\n"
            "  SELEC 1\n  ^");
  EXPECT_EQ(errorOf("SELECT 'abc"),
            "unterminated string literal (line 1, column 8)\n  SELECT 'abc\n         ^");
  EXPECT_EQ(errorOf("DROP VIEW"),
            "expected a view or table name at end of input (line 1, column 10)\n"
            "  DROP VIEW\n           ^");
  EXPECT_NE(errorOf("CREATE VIEW v USING csv OPTIONS (path)").find("expected a value"),
            std::string::npos);
}

TEST(SqlParserStatement, SchemasAndPositions) {
  Schema s =
      parseSchema("a INT, `b c` DECIMAL(15, 2) NOT NULL, d ARRAY<INT>, e STRING COMMENT 'x'");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.field(0).type, DataType::int32());
  EXPECT_EQ(s.field(1).name, "b c");
  EXPECT_FALSE(s.field(1).nullable);
  EXPECT_EQ(s.field(2).type.toString(), "array<int>");
  EXPECT_EQ(s.field(3).type, DataType::string());
  EXPECT_THROW(parseSchema("a"), UserError);
  EXPECT_THROW(parseSchema("a BLOB"), UserError);
  EXPECT_THROW(parseSchema(""), UserError);
  EXPECT_EQ(describePosition("ab\ncd", 4), "line 2, column 2\n  cd\n   ^");
  EXPECT_EQ(describePosition("x", 0), "line 1, column 1\n  x\n  ^");
}

}  // namespace
}  // namespace ember::sql
