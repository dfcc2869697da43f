// DELETE FROM, UPDATE and TRUNCATE TABLE on feeds: each a new version named by the operation, rows
// with a NULL condition untouched, earlier versions readable, plain file tables refused.
#include "sql_feed_fixture.h"

namespace ember::sql {
namespace {

class FeedDmlTest : public FeedTest {
 protected:
  void makeTarget() {
    spark_.sql("CREATE TABLE t USING feed LOCATION '" + path("t") +
               "' AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL), (4, 'd')) AS x(id, v)");
  }
  std::vector<std::string> rowsOf(const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& r : spark_.sql(sql).collect())
      out.push_back(r[0].toString() + ":" + (r[1].isNull() ? "null" : r[1].toString()));
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(FeedDmlTest, DeleteRemovesOnlyRowsWhereTheConditionHolds) {
  makeTarget();
  spark_.sql("DELETE FROM t WHERE v > 'a'");  // v NULL: the condition is NULL, the row stays
  EXPECT_EQ(rowsOf("SELECT * FROM t"), (std::vector<std::string>{"1:a", "3:null"}));
  auto h = FeedTable::forName(spark_, "t").history();
  EXPECT_EQ(h[0].operation, "DELETE");
  EXPECT_EQ(rowsOf("SELECT * FROM t VERSION AS OF 0").size(), 4u);
  spark_.sql("DELETE FROM t");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM t").collect()[0][0].asInt64(), 0);
}

TEST_F(FeedDmlTest, UpdateSetsColumnsOfMatchingRows) {
  makeTarget();
  spark_.sql("UPDATE t AS x SET v = concat(x.v, '!'), id = x.id * 10 WHERE x.id >= 2");
  EXPECT_EQ(rowsOf("SELECT * FROM t"),
            (std::vector<std::string>{"1:a", "20:b!", "30:null", "40:d!"}));
  EXPECT_EQ(FeedTable::forName(spark_, "t").history()[0].operation, "UPDATE");
  spark_.sql("UPDATE t SET v = 'all'");
  EXPECT_EQ(rowsOf("SELECT * FROM t WHERE v = 'all'").size(), 4u);
}

TEST_F(FeedDmlTest, DataFrameApiLikeDeltas) {
  makeTarget();
  auto t = FeedTable::forName(spark_, "t");
  EXPECT_EQ(t.update({{"v", "upper(v)"}}, "id % 2 = 0"), 1);
  EXPECT_EQ(rowsOf("SELECT * FROM t"), (std::vector<std::string>{"1:a", "2:B", "3:null", "4:D"}));
  EXPECT_EQ(t.deleteWhere("v = 'B' OR v IS NULL"), 2);
  EXPECT_EQ(rowsOf("SELECT * FROM t"), (std::vector<std::string>{"1:a", "4:D"}));
  auto h = t.history();
  EXPECT_EQ(h[0].operation, "DELETE");
  EXPECT_NE(h[0].parameters.at("predicate").find("IS NULL"), std::string::npos);
  EXPECT_THROW(t.update({{"nope", "1"}}), UserError);
}

TEST_F(FeedDmlTest, TruncateEmptiesFeedsAndFileTables) {
  makeTarget();
  spark_.sql("TRUNCATE TABLE t");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM t").collect()[0][0].asInt64(), 0);
  EXPECT_EQ(FeedTable::forName(spark_, "t").history()[0].operation, "TRUNCATE");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM t VERSION AS OF 0").collect()[0][0].asInt64(), 4);
  spark_.sql("CREATE TABLE f USING parquet LOCATION '" + path("f") + "' AS SELECT 1 AS a");
  spark_.sql("TRUNCATE TABLE f");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM f").collect()[0][0].asInt64(), 0);
  spark_.sql("INSERT INTO f VALUES (7)");
  EXPECT_EQ(spark_.sql("SELECT sum(a) FROM f").collect()[0][0].asInt64(), 7);
}

TEST_F(FeedDmlTest, ErrorsNameTheProblem) {
  makeTarget();
  auto err = [&](const std::string& sql) {
    try {
      spark_.sql(sql);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(err("UPDATE t SET nope = 1").find("has no column nope"), std::string::npos);
  spark_.sql("CREATE TABLE p USING parquet LOCATION '" + path("p") + "' AS SELECT 1 AS a");
  EXPECT_NE(err("DELETE FROM p WHERE a = 1").find("only feed tables"), std::string::npos);
  EXPECT_NE(err("DELETE t").find("expected from after DELETE"), std::string::npos);
  EXPECT_NE(err("UPDATE t v = 1").find("expected set after UPDATE"), std::string::npos);
}

}  // namespace
}  // namespace ember::sql
