// Writing DataFrames and SQL results: formats, save modes, tables, and the atomicity
// promises (a failed write leaves the target as it was; overwriting a table the query
// reads is safe).
#include <gtest/gtest.h>

#include <filesystem>

#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/reader.h"
#include "ember/sql/session.h"
#include "ember/sql/writer.h"

namespace fs = std::filesystem;

namespace ember::sql {
namespace {
using namespace functions;

class SqlWriteTest : public ::testing::Test {
 protected:
  SqlWriteTest() : ctx_(conf()), spark_(ctx_) {
    dir_ = fs::temp_directory_path() /
           ("ember-write-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    spark_.setConf("ember.sql.warehouse.dir", (dir_ / "warehouse").string());
  }
  ~SqlWriteTest() override { fs::remove_all(dir_); }
  static Config conf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    c.set("ember.task.maxFailures", "1");
    return c;
  }
  DataFrame numbers(int64_t n) {
    return spark_.range(0, n).select({col("id"), as(castTo(col("id"), "string"), "s"),
                                      as(castTo(col("id") / lit(4), "decimal(10,2)"), "d")});
  }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  Context ctx_;
  Session spark_;
  fs::path dir_;
};

TEST_F(SqlWriteTest, CsvAndParquetRoundTripWithModes) {
  for (std::string fmt : {"csv", "parquet"}) {
    std::string p = path("out-" + fmt);
    numbers(100).write().format(fmt).option("header", "true").save(p);
    EXPECT_TRUE(fs::exists(p + "/_SUCCESS"));
    auto back =
        spark_.read().format(fmt).option("header", "true").option("inferSchema", "true").load(p);
    EXPECT_EQ(back.count(), 100) << fmt;
    EXPECT_EQ(back.agg({sum(col("id"))}).collect()[0][0].asInt64(), 4950) << fmt;
    // error (default) refuses an existing path; ignore keeps it; append adds; overwrite replaces.
    EXPECT_THROW(numbers(10).write().format(fmt).save(p), UserError) << fmt;
    numbers(10).write().format(fmt).mode("ignore").save(p);
    EXPECT_EQ(spark_.read().format(fmt).option("header", "true").load(p).count(), 100) << fmt;
    numbers(10).write().format(fmt).mode("append").option("header", "true").save(p);
    EXPECT_EQ(spark_.read().format(fmt).option("header", "true").load(p).count(), 110) << fmt;
    numbers(7).write().format(fmt).mode("overwrite").option("header", "true").save(p);
    EXPECT_EQ(spark_.read().format(fmt).option("header", "true").load(p).count(), 7) << fmt;
  }
}

TEST_F(SqlWriteTest, FiltersArePushedIntoParquetScans) {
  std::string p = path("pushed");
  numbers(1000).write().format("parquet").option("rowGroupRows", "100").save(p);
  auto df = spark_.read().parquet(p).filter("id >= 950 AND s IS NOT NULL");
  EXPECT_EQ(df.count(), 50);
  std::string plan = df.explainString("simple");
  EXPECT_NE(plan.find("PushedFilters"), std::string::npos) << plan;
  EXPECT_NE(plan.find(">= 950"), std::string::npos) << plan;
}

TEST_F(SqlWriteTest, FailedWriteLeavesTargetUnchanged) {
  std::string p = path("keep");
  numbers(20).write().format("parquet").save(p);
  // Division by zero is NULL; an overflow is an error raised inside the write tasks.
  auto bad = spark_.range(0, 1000).select({as(col("id") * lit(int64_t{4611686018427387904}), "x")});
  EXPECT_THROW(bad.write().format("parquet").mode("overwrite").save(p), std::exception);
  EXPECT_EQ(spark_.read().parquet(p).count(), 20);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find("ember-"), std::string::npos)
        << "leftover " << e.path();
}

TEST_F(SqlWriteTest, TablesThroughSql) {
  numbers(50).createOrReplaceTempView("nums");
  spark_.sql("CREATE TABLE t USING parquet AS SELECT id, s FROM nums WHERE id < 10");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM t").collect()[0][0].asInt64(), 10);
  spark_.sql("INSERT INTO t SELECT id, s FROM nums WHERE id >= 40");
  EXPECT_EQ(spark_.sql("SELECT count(*), sum(id) FROM t").collect()[0][1].asInt64(), 45 + 445);
  // Overwriting the table the query reads: Spark's classic data-loss trap.
  spark_.sql("INSERT OVERWRITE TABLE t SELECT id + 1000, s FROM t");
  auto r = spark_.sql("SELECT count(*), min(id) FROM t").collect();
  EXPECT_EQ(r[0][0].asInt64(), 20);
  EXPECT_EQ(r[0][1].asInt64(), 1000);
  std::string dirOut = path("dirout");
  spark_.sql("INSERT OVERWRITE DIRECTORY '" + dirOut +
             "' USING csv OPTIONS (header 'true') SELECT * FROM t");
  EXPECT_EQ(spark_.read().option("header", "true").csv(dirOut).count(), 20);
  EXPECT_THROW(spark_.sql("INSERT INTO nums SELECT * FROM nums"), UserError);
}

TEST_F(SqlWriteTest, CreateTableWithColumnsOrOverExistingFiles) {
  std::string p = path("empty");
  spark_.sql("CREATE TABLE e (id INT, name STRING) USING parquet LOCATION '" + p + "'");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM e").collect()[0][0].asInt64(), 0);
  spark_.sql("INSERT INTO e VALUES (1, 'a'), (2, 'b')");
  EXPECT_EQ(spark_.sql("SELECT sum(id) FROM e").collect()[0][0].asInt64(), 3);
  // Spark's external table: the files at LOCATION, schema read from them.
  spark_.sql("CREATE TABLE x USING parquet LOCATION '" + p + "'");
  auto schema = spark_.table("x").schema();
  ASSERT_EQ(schema.size(), 2u);
  EXPECT_EQ(schema.field(1).name, "name");
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM x").collect()[0][0].asInt64(), 2);
  EXPECT_THROW(spark_.sql("CREATE TABLE y USING parquet LOCATION '" + path("nope") + "'"),
               UserError);
}

TEST_F(SqlWriteTest, CachedTableNeverHidesLaterWrites) {
  spark_.sql("CREATE TABLE c USING parquet LOCATION '" + path("c") + "' AS SELECT 1 AS a");
  auto count = [&] { return spark_.sql("SELECT count(*) FROM c").collect()[0][0].asInt64(); };
  spark_.sql("CACHE TABLE c");
  EXPECT_EQ(count(), 1);
  spark_.sql("INSERT INTO c VALUES (2)");  // drops the cached copy
  EXPECT_EQ(count(), 2);
  spark_.sql("CACHE TABLE c");
  spark_.sql("UNCACHE TABLE c");
  spark_.sql("INSERT INTO c VALUES (3)");
  EXPECT_EQ(count(), 3);
  EXPECT_THROW(spark_.sql("UNCACHE TABLE nope"), UserError);
  spark_.sql("UNCACHE TABLE IF EXISTS nope");
}

}  // namespace
}  // namespace ember::sql
