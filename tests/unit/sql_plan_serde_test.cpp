// Physical plans shipped to executors (plan_serde.h): a round trip rebuilds the same
// operators, and queries whose every task goes through serialisation (as on a cluster)
// give the same rows as in-process execution.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/plan_serde.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {

Config testConfig(bool serialize) {
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.test.serializeTasks", serialize ? "true" : "false");
  return c;
}

void defineTables(Session& spark) {
  // ORDER BY range-partitions even small inputs, so the queries below cover it.
  spark.setConf("ember.sql.sort.rangePartitionMinBytes", "0");
  spark.setConf("ember.sql.shuffle.partitions", "3");
  spark.sql(
      "CREATE OR REPLACE TEMPORARY VIEW emp AS SELECT * FROM (VALUES "
      "(1, 'ann', 10, 1000.50, DATE '2020-01-01'), (2, 'bob', 10, 800.25, DATE '2021-06-30'), "
      "(3, 'cid', 20, 1500.00, NULL), (4, 'dee', 30, NULL, DATE '2019-12-31'), "
      "(5, 'eve', 20, 700.75, DATE '2022-02-02')) AS emp(id, name, dept, salary, hired)");
  spark.sql(
      "CREATE OR REPLACE TEMPORARY VIEW dept AS SELECT * FROM (VALUES "
      "(10, 'sales'), (20, 'eng'), (40, 'ops')) AS dept(dept, dname)");
  // Cached, so an in-memory table; large enough (2.4 MB) to be shipped as a broadcast
  // variable rather than inline.
  spark.range(0, 300000).cache().createOrReplaceTempView("big");
  spark.range(-7, 1000003, 5, 3).createOrReplaceTempView("ids");
}

// Queries covering every operator the planner emits.
const char* kQueries[] = {
    "SELECT name, salary * 2 FROM emp WHERE salary > 750 ORDER BY name",
    "SELECT dept, count(*), sum(salary), avg(salary), count(DISTINCT name) FROM emp "
    "GROUP BY dept ORDER BY dept",
    "SELECT e.name, d.dname FROM emp e JOIN dept d ON e.dept = d.dept ORDER BY e.name",
    "SELECT e.name, d.dname FROM emp e FULL OUTER JOIN dept d ON e.dept = d.dept "
    "ORDER BY e.name NULLS LAST, d.dname",
    "SELECT e.name FROM emp e WHERE EXISTS (SELECT 1 FROM dept d WHERE d.dept = e.dept) "
    "ORDER BY 1",
    "SELECT e.name, d.dname FROM emp e JOIN dept d ON e.dept < d.dept ORDER BY 1, 2",
    "SELECT name, rank() OVER (PARTITION BY dept ORDER BY salary DESC), "
    "sum(salary) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
    "FROM emp ORDER BY name",
    "SELECT name FROM emp UNION ALL SELECT dname FROM dept ORDER BY 1",
    "SELECT id % 7, count(*), max(id) FROM big WHERE id % 3 = 0 GROUP BY 1 ORDER BY 1",
    "SELECT count(*) FROM big b JOIN emp e ON b.id = e.id",
    "SELECT year(hired), upper(name) FROM emp ORDER BY 2 LIMIT 3",
    "SELECT count(*) FILTER (WHERE salary > 900), min(hired) FROM emp",
    "SELECT count(*), sum(id), min(id), max(id) FROM ids",
    "SELECT id % 1000 AS k, id FROM big WHERE id % 7 = 1 ORDER BY k DESC, id",
    "SELECT salary FROM emp ORDER BY salary NULLS LAST",
};

std::vector<std::string> run(Session& spark, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& row : spark.sql(sql).collect()) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].toString();
    out.push_back(line);
  }
  return out;
}

TEST(SqlPlanSerde, RoundTripRebuildsTheSameOperators) {
  Context ctx(testConfig(false));
  Session spark(ctx);
  defineTables(spark);
  for (const char* sql : kQueries) {
    QueryExecution qe(spark, spark.sql(sql).plan());
    PhysicalPtr plan = qe.physical();
    std::string bytes;
    ByteWriter w(&bytes);
    writePhysicalPlan(w, *plan);
    ByteReader r(bytes);
    PhysicalPtr back = readPhysicalPlan(r);
    EXPECT_TRUE(r.atEnd()) << sql;
    // Exchanges end a stage: below them the copy has only the reduce side, so compare
    // the operator lines down to the first exchange of each branch.
    auto top = [](const PhysicalNode& n) {
      std::string s;
      std::function<void(const PhysicalNode&, int)> walk = [&](const PhysicalNode& x, int d) {
        s += std::string(static_cast<size_t>(d) * 2, ' ') + x.describe() + "\n";
        if (x.describe().rfind("Exchange", 0) == 0 || x.describe() == "BroadcastExchange") return;
        for (const auto& c : x.children) walk(*c, d + 1);
      };
      walk(n, 0);
      return s;
    };
    EXPECT_EQ(top(*plan), top(*back)) << sql;
    ASSERT_EQ(plan->output.size(), back->output.size());
    for (size_t i = 0; i < plan->output.size(); ++i)
      EXPECT_EQ(plan->output[i].id, back->output[i].id);
  }
}

TEST(SqlPlanSerde, ShippedTasksGiveTheSameRows) {
  Context local(testConfig(false));
  Session a(local);
  defineTables(a);
  Context shipped(testConfig(true));
  Session b(shipped);
  defineTables(b);
  for (const char* sql : kQueries) {
    auto want = run(a, sql);
    EXPECT_FALSE(want.empty()) << sql;
    EXPECT_EQ(want, run(b, sql)) << sql;
  }
}

TEST(SqlPlanSerde, CorruptPayloadIsAnErrorNotACrash) {
  Context ctx(testConfig(false));
  Session spark(ctx);
  defineTables(spark);
  QueryExecution qe(spark, spark.sql(kQueries[1]).plan());
  std::string bytes;
  ByteWriter w(&bytes);
  writePhysicalPlan(w, *qe.physical());
  // Every truncation fails with an exception (never reads past the end).
  for (size_t n = 0; n < bytes.size(); n += 7) {
    ByteReader r(std::string_view(bytes).substr(0, n));
    EXPECT_ANY_THROW(readPhysicalPlan(r)) << "truncated at " << n;
  }
  std::string wrongVersion = bytes;
  wrongVersion[0] = 99;
  ByteReader r(wrongVersion);
  EXPECT_THROW(readPhysicalPlan(r), InternalError);
}

}  // namespace
}  // namespace ember::sql

namespace ember::sql {
namespace {

std::vector<int64_t> ids(DataFrame df) {
  std::vector<int64_t> out;
  for (const auto& r : df.collect()) out.push_back(r[0].asInt64());
  return out;
}

TEST(SqlRange, GeneratesLazilyInTheRequestedPartitions) {
  Context ctx(testConfig(false));
  Session spark(ctx);
  EXPECT_EQ(ids(spark.range(0, 10, 3)), (std::vector<int64_t>{0, 3, 6, 9}));
  EXPECT_EQ(ids(spark.range(10, 0, -3)), (std::vector<int64_t>{10, 7, 4, 1}));
  EXPECT_TRUE(ids(spark.range(5, 5)).empty());
  EXPECT_TRUE(ids(spark.range(5, 0, 1)).empty());
  int64_t top = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(ids(spark.range(top - 5, top, 2)), (std::vector<int64_t>{top - 5, top - 3, top - 1}));
  EXPECT_THROW(spark.range(0, 10, 0), UserError);
  auto df = spark.range(0, 10000000, 1, 7);
  EXPECT_NE(df.explainString("extended").find("splits=7"), std::string::npos);
  df.createOrReplaceTempView("r");
  auto rows = spark.sql("SELECT count(*), sum(id) FROM r").collect();
  EXPECT_EQ(rows[0][0].asInt64(), 10000000);
  EXPECT_EQ(rows[0][1].asInt64(), int64_t{10000000} * 9999999 / 2);
  // Order is kept across partitions.
  auto head = ids(spark.range(0, 100, 1, 4).limit(5));
  EXPECT_EQ(head, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(SqlRangeSort, OrderByRangePartitionsIntoOrderedNonEmptyPartitions) {
  Context ctx(testConfig(false));
  Session spark(ctx);
  spark.setConf("ember.sql.sort.rangePartitionMinBytes", "0");
  spark.setConf("ember.sql.shuffle.partitions", "4");
  spark.range(0, 200000, 1, 3).createOrReplaceTempView("n");
  // A key with many duplicates and a descending order.
  QueryExecution qe(spark, spark.sql("SELECT id % 5000 AS k FROM n ORDER BY k DESC").plan());
  auto parts = runPlan(ctx, qe.physical(), "test");
  ASSERT_EQ(parts.size(), 4u);
  std::vector<int64_t> all;
  int nonEmpty = 0;
  for (const auto& part : parts) {
    int64_t rows = 0;
    for (const auto& b : part)
      for (int64_t i = 0; i < b->numRows; ++i, ++rows)
        all.push_back(b->columns[0]->valueAt<int64_t>(i));
    nonEmpty += rows > 0;
    // Sampled bounds: no partition holds more than half of the rows.
    EXPECT_LT(rows, 100000);
  }
  EXPECT_EQ(nonEmpty, 4);
  ASSERT_EQ(all.size(), 200000u);
  EXPECT_TRUE(std::is_sorted(all.rbegin(), all.rend()));
}

TEST(SqlPlanSerde, ExecutorMetricsReachTheDriversPlan) {
  Context ctx(testConfig(true));  // every task runs a shipped copy of the plan
  Session spark(ctx);
  spark.range(0, 50000, 1, 4).createOrReplaceTempView("n");
  QueryExecution qe(spark, spark.sql("SELECT id % 10, count(*) FROM n GROUP BY 1").plan());
  auto rows = qe.collect();
  std::function<const PhysicalNode*(const PhysicalNode&)> findRange =
      [&](const PhysicalNode& n) -> const PhysicalNode* {
    if (n.describe().rfind("Range", 0) == 0) return &n;
    for (const auto& c : n.children)
      if (auto* r = findRange(*c)) return r;
    return nullptr;
  };
  const PhysicalNode* range = findRange(*qe.physical());
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->metrics().rows.load(), 0);  // the driver's node ran nothing itself
  EXPECT_EQ(range->totals().rows, 50000);      // the executors' copies reported
  EXPECT_EQ(qe.physical()->totals().rows, 10);
}

TEST(SqlApproxCountDistinct, EstimatesWithinTheRelativeErrorAcrossPartitions) {
  Context ctx(testConfig(true));
  Session spark(ctx);
  spark.setConf("ember.sql.shuffle.partitions", "3");
  spark.range(0, 400000, 1, 4).createOrReplaceTempView("n");
  auto rows = spark
                  .sql(
                      "SELECT approx_count_distinct(id), approx_count_distinct(id % 1000), "
                      "approx_count_distinct(id, 0.01) FROM n")
                  .collect();
  auto near = [](int64_t got, double want, double tolerance) {
    return std::abs(static_cast<double>(got) - want) <= tolerance * want;
  };
  EXPECT_TRUE(near(rows[0][0].asInt64(), 400000, 0.15)) << rows[0][0].asInt64();  // 3 sigma
  EXPECT_TRUE(near(rows[0][1].asInt64(), 1000, 0.15)) << rows[0][1].asInt64();
  EXPECT_TRUE(near(rows[0][2].asInt64(), 400000, 0.03)) << rows[0][2].asInt64();
  // Grouped: partial sketches from 4 partitions merged per group.
  auto groups =
      spark.sql("SELECT id % 4 AS g, approx_count_distinct(id) FROM n GROUP BY 1").collect();
  ASSERT_EQ(groups.size(), 4u);
  for (const auto& g : groups) EXPECT_TRUE(near(g[1].asInt64(), 100000, 0.15)) << g[1].asInt64();
  try {
    spark.sql("SELECT approx_count_distinct(id, 2) FROM n").collect();
    ADD_FAILURE() << "relativeSD 2 accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("relativeSD must be in (0, 1)"), std::string::npos);
  }
}

}  // namespace
}  // namespace ember::sql
