// The 22 TPC-H queries at scale factor 0.01 against the reference answers in
// ../shared/tpch (dbgen data, answers computed by DuckDB). Numbers are compared with a
// relative tolerance of 1e-6; row order is compared as the queries' ORDER BY fixes it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {

std::string tpchDir() {
  const char* src = std::getenv("EMBER_SOURCE_DIR");
  std::filesystem::path base = src ? src : ".";
  for (auto p : {base / ".." / "shared" / "tpch", base / "shared" / "tpch",
                 std::filesystem::path("/work/shared/tpch")})
    if (std::filesystem::exists(p / "queries")) return std::filesystem::canonical(p).string();
  return "";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> splitLines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::vector<std::string> splitBar(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find('|', start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

bool sameCell(const std::string& want, const std::string& got) {
  if (want == got) return true;
  char* e1 = nullptr;
  char* e2 = nullptr;
  double a = std::strtod(want.c_str(), &e1), b = std::strtod(got.c_str(), &e2);
  if (e1 && *e1 == '\0' && e2 && *e2 == '\0' && !want.empty() && !got.empty())
    return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
  return false;
}

class TpchTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    dir_ = tpchDir();
    if (dir_.empty()) return;
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    // Every stage goes through plan serialisation, as it does on a cluster's executors
    // (plan_serde.h): the 22 queries also check that shipping plans loses nothing.
    c.set("ember.test.serializeTasks", "true");
    ctx_ = new Context(c);
    spark_ = new Session(*ctx_);
    spark_->setConf("ember.sql.shuffle.partitions", "4");
    // ORDER BY always range-partitions (sampled bounds, 4 sorted partitions in order).
    spark_->setConf("ember.sql.sort.rangePartitionMinBytes", "0");
    // Tables as Spark users declare CSV data: the schema from schema.sql.
    std::string schema = readFile(dir_ + "/schema.sql");
    // Statements look like `CREATE TABLE name (col type, ...);` (no std::regex: GCC 12's
    // <regex> trips -Wmaybe-uninitialized in the sanitizer build).
    const std::string kCreate = "CREATE TABLE ";
    for (size_t at = schema.find(kCreate); at != std::string::npos;
         at = schema.find(kCreate, at + 1)) {
      size_t open = schema.find('(', at), end = schema.find(");", at);
      ASSERT_TRUE(open != std::string::npos && end != std::string::npos && open < end);
      std::string name = schema.substr(at + kCreate.size(), open - at - kCreate.size());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      std::string cols = schema.substr(open + 1, end - open - 1);
      spark_->sql("CREATE TEMPORARY VIEW " + name + " (" + cols + ") USING csv OPTIONS (path '" +
                  dir_ + "/data/sf0.01/" + name + ".csv', header 'true', delimiter '|')");
    }
  }
  static void TearDownTestSuite() {
    delete spark_;
    delete ctx_;
    spark_ = nullptr;
    ctx_ = nullptr;
  }
  static inline std::string dir_;
  static inline Context* ctx_ = nullptr;
  static inline Session* spark_ = nullptr;
};

TEST_P(TpchTest, MatchesReferenceAnswer) {
  if (dir_.empty()) GTEST_SKIP() << "../shared/tpch not found next to the source tree";
  char q[8];
  std::snprintf(q, sizeof q, "q%02d", GetParam());
  std::string sql = readFile(dir_ + "/queries/" + q + ".sql");
  auto expected = splitLines(readFile(dir_ + "/answers/sf0.01/" + q + ".csv"));
  ASSERT_FALSE(expected.empty());
  auto rows = spark_->sql(sql).collect();
  ASSERT_EQ(rows.size() + 1, expected.size()) << q << ": row count differs";
  for (size_t r = 0; r < rows.size(); ++r) {
    auto want = splitBar(expected[r + 1]);
    ASSERT_EQ(want.size(), rows[r].size()) << q << " row " << r;
    for (size_t c = 0; c < want.size(); ++c)
      EXPECT_TRUE(sameCell(want[c], rows[r][c].toString()))
          << q << " row " << r << " column " << c << ": expected " << want[c] << ", got "
          << rows[r][c].toString();
  }
}

INSTANTIATE_TEST_SUITE_P(All22, TpchTest, ::testing::Range(1, 23), [](const auto& info) {
  char q[8];
  std::snprintf(q, sizeof q, "q%02d", info.param);
  return std::string(q);
});

}  // namespace
}  // namespace ember::sql
