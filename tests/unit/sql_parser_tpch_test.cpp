// All 22 TPC-H queries (../shared/tpch/queries next to the repository) parse.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/sql/parser.h"

namespace ember::sql {
namespace {

namespace fs = std::filesystem;

fs::path queriesDir() {
  const char* srcDir = std::getenv("EMBER_SOURCE_DIR");
  fs::path root = srcDir != nullptr ? fs::path(srcDir)
                                    : fs::path(__FILE__).parent_path().parent_path().parent_path();
  return root.parent_path() / "shared" / "tpch" / "queries";
}

class TpchParse : public ::testing::TestWithParam<int> {};

TEST_P(TpchParse, ParsesToAQuery) {
  char name[16];
  std::snprintf(name, sizeof(name), "q%02d.sql", GetParam());
  fs::path path = queriesDir() / name;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  Statement s = parseStatement(text.str());
  ASSERT_EQ(s.kind, Statement::Kind::Query);
  ASSERT_TRUE(s.query);
  EXPECT_NE(s.query->treeString().find("UnresolvedRelation"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(AllQueries, TpchParse, ::testing::Range(1, 23));

TEST(TpchParseShapes, Q1) {
  std::ifstream in(queriesDir() / "q01.sql");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  std::string tree = parseStatement(text.str()).query->treeString();
  EXPECT_NE(tree.find("Aggregate [l_returnflag, l_linestatus]"), std::string::npos) << tree;
  EXPECT_NE(tree.find("sum(((l_extendedprice * (1 - l_discount)) * (1 + l_tax))) AS sum_charge"),
            std::string::npos)
      << tree;
}

}  // namespace
}  // namespace ember::sql
