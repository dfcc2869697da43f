// The scalar functions end to end: SQL text through the parser, the analyzer (which
// binds and inserts the casts bind asks for) and the executor (which binds again at
// execution, where casted literals are no longer literals).
#include <gtest/gtest.h>

#include "ember/common/config.h"
#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {

class SqlFunctionsSql : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.sql.shuffle.partitions", "2");
    ctx_ = new Context(c);
    session_ = new Session(*ctx_);
    session_->sql(
        "CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES (1, 'apple', 2.50, DATE '2024-01-31'), "
        "(2, 'Banana', 10.25, DATE '2024-02-29'), (3, NULL, NULL, NULL), "
        "(4, '50% off', 0.10, DATE '2023-12-31')) AS t(id, name, price, d)");
  }
  static void TearDownTestSuite() {
    delete session_;
    ctx_->stop();
    delete ctx_;
  }
  // The rows of a query, each as its values' text joined by '|'.
  static std::vector<std::string> rows(const std::string& q) {
    std::vector<std::string> out;
    for (const Row& r : session_->sql(q).collect()) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += (i ? "|" : "") + r[i].toString();
      out.push_back(line);
    }
    return out;
  }
  static std::string one(const std::string& q) { return rows(q).at(0); }

  static Context* ctx_;
  static Session* session_;
};
Context* SqlFunctionsSql::ctx_ = nullptr;
Session* SqlFunctionsSql::session_ = nullptr;

TEST_F(SqlFunctionsSql, ScalarExpressions) {
  EXPECT_EQ(one("SELECT 1 + 2, 7 / 2, 7 % 3, 7 div 2, -(5)"), "3|3.5|1|3|-5");
  EXPECT_EQ(one("SELECT upper('abc'), substring('Spark SQL', -3), length('héllo'), "
                "concat('a', 1, 'b'), 'x' || 'y'"),
            "ABC|SQL|5|a1b|xy");
  EXPECT_EQ(one("SELECT CAST('12' AS INT) + 1, CAST('abc' AS INT), CAST(2.5 AS STRING)"),
            "13|NULL|2.5");
  EXPECT_EQ(one("SELECT coalesce(NULL, 2), nullif(1, 1), CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END, "
                "2 IN (1, 2), 3 IN (1, NULL)"),
            "2|NULL|b|true|NULL");
  EXPECT_EQ(one("SELECT round(2.345, 2), abs(-3), pmod(-7, 3), hash(1)"), "2.35|3|2|-559580957");
}

TEST_F(SqlFunctionsSql, DatesAndIntervals) {
  EXPECT_EQ(one("SELECT DATE '2024-01-31' + INTERVAL '1' MONTH, DATE '2024-03-01' - 1, "
                "extract(year FROM DATE '2024-03-05'), datediff(DATE '2024-03-01', "
                "DATE '2024-02-01')"),
            "2024-02-29|2024-02-29|2024|29");
  EXPECT_EQ(one("SELECT date_trunc('month', TIMESTAMP '2024-05-15 10:11:12'), "
                "date_format(TIMESTAMP '2024-05-15 10:11:12', 'yyyy/MM/dd HH:mm')"),
            "2024-05-01 00:00:00|2024/05/15 10:11");
}

TEST_F(SqlFunctionsSql, OverTableColumns) {
  EXPECT_EQ(rows("SELECT id FROM t WHERE name LIKE '%an%' ORDER BY id"),
            (std::vector<std::string>{"2"}));
  EXPECT_EQ(rows("SELECT id FROM t WHERE name ILIKE 'b%' OR name LIKE '50\\% %' ORDER BY id"),
            (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(rows("SELECT id, price * 2, price * id, upper(name) FROM t ORDER BY id"),
            (std::vector<std::string>{"1|5.00|2.50|APPLE", "2|20.50|20.50|BANANA",
                                      "3|NULL|NULL|NULL", "4|0.20|0.40|50% OFF"}));
  EXPECT_EQ(
      rows("SELECT id, year(d), d + INTERVAL '1' DAY, add_months(d, 1) FROM t "
           "WHERE d IS NOT NULL ORDER BY d"),
      (std::vector<std::string>{"4|2023|2024-01-01|2024-01-31", "1|2024|2024-02-01|2024-02-29",
                                "2|2024|2024-03-01|2024-03-29"}));
  EXPECT_EQ(rows("SELECT id FROM t WHERE id IN (1, 3, 5, 7, 9, 11, 13, 15) ORDER BY id"),
            (std::vector<std::string>{"1", "3"}));
}

TEST_F(SqlFunctionsSql, ErrorsNameTheProblem) {
  try {
    rows("SELECT uper('a')");
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("upper"), std::string::npos) << e.what();
  }
  EXPECT_THROW(rows("SELECT 2147483647 + id FROM t"), std::exception);  // overflow
}

}  // namespace
}  // namespace ember::sql
