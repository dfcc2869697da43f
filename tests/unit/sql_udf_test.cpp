#include <gtest/gtest.h>

#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"
#include "ember/sql/udf.h"

namespace ember::sql {
namespace {
using namespace functions;

TEST(SqlUdf, RegisteredFunctionsRunInSqlAndDataFrames) {
  registerUdf("discounted", [](double price, double rate) { return price * (1 - rate); });
  registerUdf("shout", [](std::string_view s) { return std::string(s) + "!"; });
  registerUdf("safe_div", [](int64_t a, int64_t b) -> std::optional<int64_t> {
    if (b == 0) return std::nullopt;
    return a / b;
  });
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  Context ctx(c);
  Session spark(ctx);
  auto rows = spark
                  .sql(
                      "SELECT discounted(100, 0.25), shout('hi'), safe_div(7, 2), safe_div(1, 0), "
                      "shout(CAST(NULL AS STRING))")
                  .collect();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0][0].asDouble(), 75.0);
  EXPECT_EQ(rows[0][1].asString(), "hi!");
  EXPECT_EQ(rows[0][2].asInt64(), 3);
  EXPECT_TRUE(rows[0][3].isNull());
  EXPECT_TRUE(rows[0][4].isNull());
  auto df = spark.range(0, 5)
                .select({as(call("safe_div", {lit(int64_t{10}), col("id")}), "q")})
                .orderBy({"q"});
  auto q = df.collect();
  ASSERT_EQ(q.size(), 5u);
  EXPECT_TRUE(q[0][0].isNull());  // 10 / 0
  EXPECT_EQ(q[4][0].asInt64(), 10);
  EXPECT_THROW(spark.sql("SELECT shout(1, 2)"), UserError);
}

}  // namespace
}  // namespace ember::sql
