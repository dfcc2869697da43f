// Hive-style partitioned directories: partitionBy on write, discovery with type
// inference on read, pruning of whole directories by filters on partition columns.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/reader.h"
#include "ember/sql/session.h"
#include "ember/sql/writer.h"

namespace fs = std::filesystem;

namespace ember::sql {
namespace {

class SqlPartitioned : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember-partitioned-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    // Parameter true: every task goes through plan serialisation, as on executors.
    c.set("ember.test.serializeTasks", GetParam() ? "true" : "false");
    ctx_ = std::make_unique<Context>(c);
    spark_ = std::make_unique<Session>(*ctx_);
    spark_->sql(
        "CREATE OR REPLACE TEMPORARY VIEW sales AS SELECT * FROM (VALUES "
        "(1, 2023, 'north', 10.5), (2, 2023, 'south', 20.0), (3, 2024, 'north', 30.25), "
        "(4, 2024, 'north', 40.0), (5, 2024, 'we st/=%', 50.0), (6, NULL, 'south', 60.0), "
        "(7, 2025, NULL, 70.0)) AS t(id, year, region, amount)");
  }
  void TearDown() override {
    spark_.reset();
    ctx_.reset();
    fs::remove_all(dir_);
  }
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& r : spark_->sql(sql).collect()) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += (i ? "|" : "") + r[i].toString();
      out.push_back(line);
    }
    return out;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static inline int counter_ = 0;
  fs::path dir_;
  std::unique_ptr<Context> ctx_;
  std::unique_ptr<Session> spark_;
};

TEST_P(SqlPartitioned, WriteThenReadBackRestoresColumnsAndTypes) {
  std::string out = path("sales");
  spark_->table("sales").write().partitionBy({"year", "region"}).parquet(out);
  // Layout: year=Y/region=R/part-*.parquet, NULL as __HIVE_DEFAULT_PARTITION__, and
  // unsafe characters escaped.
  EXPECT_TRUE(fs::is_directory(out + "/year=2023/region=north"));
  EXPECT_TRUE(fs::is_directory(out + "/year=__HIVE_DEFAULT_PARTITION__/region=south"));
  EXPECT_TRUE(fs::is_directory(out + "/year=2025/region=__HIVE_DEFAULT_PARTITION__"));
  EXPECT_TRUE(fs::is_directory(out + "/year=2024/region=we st%2F%3D%25"));
  EXPECT_TRUE(fs::exists(out + "/_SUCCESS"));
  // The files hold only the other columns.
  for (const auto& e : fs::recursive_directory_iterator(out))
    if (e.path().extension() == ".parquet") {
      auto schema = spark_->read().parquet(e.path().string()).schema();
      EXPECT_EQ(schema.size(), 2u) << e.path();
      EXPECT_LT(schema.indexOf("year"), 0);
    }
  auto df = spark_->read().parquet(out);
  auto schema = df.schema();
  ASSERT_EQ(schema.size(), 4u);
  EXPECT_EQ(schema.field(2).name, "year");
  EXPECT_EQ(schema.field(2).type, DataType::int32());  // inferred from the directory names
  EXPECT_EQ(schema.field(3).name, "region");
  EXPECT_EQ(schema.field(3).type, DataType::string());
  df.createOrReplaceTempView("back");
  EXPECT_EQ(rows("SELECT id, year, region, amount FROM back ORDER BY id"),
            rows("SELECT id, year, region, amount FROM sales ORDER BY id"));
  EXPECT_EQ(rows("SELECT year, count(*) FROM back GROUP BY year ORDER BY year"),
            (std::vector<std::string>{"NULL|1", "2023|2", "2024|3", "2025|1"}));
}

TEST_P(SqlPartitioned, FiltersOnPartitionColumnsPruneDirectories) {
  std::string out = path("pruned");
  spark_->table("sales").write().partitionBy({"year"}).parquet(out);
  spark_->sql("CREATE TEMPORARY VIEW p USING parquet OPTIONS (path '" + out + "')");
  // Corrupt every file outside year=2024 and year=NULL: the queries below read them only
  // if pruning failed (and would then fail with a Parquet error).
  for (const char* y : {"year=2023", "year=2025"})
    for (const auto& e : fs::directory_iterator(out + "/" + y))
      std::ofstream(e.path(), std::ios::trunc) << "not a parquet file";
  EXPECT_EQ(rows("SELECT id, region FROM p WHERE year = 2024 ORDER BY id"),
            (std::vector<std::string>{"3|north", "4|north", "5|we st/=%"}));
  EXPECT_EQ(rows("SELECT id FROM p WHERE year IS NULL"), (std::vector<std::string>{"6"}));
  EXPECT_EQ(rows("SELECT count(*) FROM p WHERE year = 2024 AND amount > 35"),
            (std::vector<std::string>{"2"}));
  EXPECT_EQ(rows("SELECT DISTINCT year FROM p WHERE year IN (2024, 2026) ORDER BY 1"),
            (std::vector<std::string>{"2024"}));
  // Without the filter the corrupt files are read, and the error names one.
  EXPECT_ANY_THROW(rows("SELECT count(*) FROM p"));
}

TEST_P(SqlPartitioned, CsvAppendOverwriteAndCreateTable) {
  std::string out = path("csv");
  spark_->sql("SELECT * FROM sales WHERE id <= 3")
      .write()
      .format("csv")
      .option("header", "true")
      .partitionBy({"region"})
      .save(out);
  spark_->sql("SELECT * FROM sales WHERE id > 3 AND region IS NOT NULL")
      .write()
      .format("csv")
      .option("header", "true")
      .mode("append")
      .partitionBy({"region"})
      .save(out);
  auto df =
      spark_->read().format("csv").option("header", "true").option("inferSchema", "true").load(out);
  df.createOrReplaceTempView("c");
  EXPECT_EQ(rows("SELECT region, count(*), sum(id) FROM c GROUP BY region ORDER BY region"),
            (std::vector<std::string>{"north|3|8", "south|2|8", "we st/=%|1|5"}));
  spark_->sql("SELECT * FROM sales WHERE id = 1")
      .write()
      .format("csv")
      .option("header", "true")
      .mode("overwrite")
      .partitionBy({"region"})
      .save(out);
  EXPECT_FALSE(fs::exists(out + "/region=south"));
  // SQL: CREATE TABLE ... PARTITIONED BY, then INSERT INTO keeps the layout.
  spark_->sql("CREATE TABLE t USING parquet PARTITIONED BY (year) LOCATION '" + path("t") +
              "' AS SELECT id, amount, year FROM sales WHERE id < 3");
  spark_->sql("INSERT INTO t SELECT id, amount, year FROM sales WHERE id = 3");
  EXPECT_TRUE(fs::is_directory(path("t") + "/year=2024"));
  EXPECT_EQ(rows("SELECT id, year FROM t ORDER BY id"),
            (std::vector<std::string>{"1|2023", "2|2023", "3|2024"}));
}

TEST_P(SqlPartitioned, TypesInferenceCanBeTurnedOffAndErrorsAreClear) {
  fs::create_directories(path("d/day=2024-05-01"));
  fs::create_directories(path("d/day=2024-05-02"));
  std::ofstream(path("d/day=2024-05-01/a.csv")) << "x\n1\n";
  std::ofstream(path("d/day=2024-05-02/b.csv")) << "x\n2\n";
  auto df = spark_->read().format("csv").option("header", "true").load(path("d"));
  EXPECT_EQ(df.schema().field(1).type, DataType::date());
  auto asText = spark_->read()
                    .format("csv")
                    .option("header", "true")
                    .option("partitionColumnTypeInference", "false")
                    .load(path("d"));
  EXPECT_EQ(asText.schema().field(1).type, DataType::string());
  // Different keys at the leaves: the error names both directories.
  fs::create_directories(path("d/other=1"));
  std::ofstream(path("d/other=1/c.csv")) << "x\n3\n";
  try {
    spark_->read().format("csv").option("header", "true").load(path("d")).collect();
    FAIL() << "expected a conflict error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("conflicting partition directories"), std::string::npos) << m;
    EXPECT_NE(m.find("day=2024-05-01"), std::string::npos) << m;
    EXPECT_NE(m.find("other=1"), std::string::npos) << m;
  }
  EXPECT_THROW(spark_->table("sales").write().partitionBy({"nope"}).parquet(path("x")), UserError);
  EXPECT_FALSE(fs::exists(path("x")));
}

INSTANTIATE_TEST_SUITE_P(InProcessAndShipped, SqlPartitioned, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Shipped" : "InProcess"; });

}  // namespace
}  // namespace ember::sql
