// FunctionRegistry: lookup (case-insensitive, aliases), user-defined functions,
// replacement, "did you mean" suggestions, bind errors that name the types.
#include <algorithm>

#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

TEST(SqlFunctionsRegistry, LookupIsCaseInsensitiveWithAliases) {
  auto& r = FunctionRegistry::builtin();
  ASSERT_NE(r.find("UPPER"), nullptr);
  EXPECT_EQ(r.find("Substr"), r.find("substring"));
  EXPECT_EQ(r.find("nvl"), r.find("ifnull"));
  EXPECT_EQ(r.find("no_such_function"), nullptr);
  auto names = r.names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "regexp_extract"), names.end());
  // Aliases are not listed as separate functions.
  EXPECT_EQ(std::find(names.begin(), names.end(), "substr"), names.end());
}

TEST(SqlFunctionsRegistry, SuggestsClosestNames) {
  auto& r = FunctionRegistry::builtin();
  auto s = r.suggest("uper");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "upper");
  s = r.suggest("SUBSTRNG");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "substring");
  s = r.suggest("date_diff");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "datediff");
  EXPECT_LE(r.suggest("a").size(), 3u);
  EXPECT_TRUE(r.suggest("zzzzzzzzzzzz").empty());
  for (const auto& n : r.suggest("="))  // operators are never suggested
    EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(n[0]))) << n;
}

TEST(SqlFunctionsRegistry, UserDefinedFunctionsAddAndReplace) {
  FunctionRegistry r;
  ScalarFunction f;
  f.name = "Twice";
  f.aliases = {"DOUBLE_IT"};
  f.bind = [](std::span<const DataType>, std::span<const std::optional<Value>>) {
    return BoundFunction{DataType::int64(),
                         true,
                         {DataType::int64()},
                         [](std::span<const ColumnPtr> args, int64_t rows) {
                           ColumnPtr out = Column::make(DataType::int64(), rows);
                           for (int64_t i = 0; i < rows; ++i)
                             out->mutableValues<int64_t>()[i] = 2 * args[0]->values<int64_t>()[i];
                           return out;
                         }};
  };
  r.add(f);
  ASSERT_NE(r.find("twice"), nullptr);
  EXPECT_EQ(r.find("double_it"), r.find("TWICE"));
  EXPECT_EQ(r.find("twice")->name, "twice");
  // Replacing drops the old aliases.
  ScalarFunction g = f;
  g.aliases = {"dbl"};
  g.usage = "v2";
  r.add(g);
  EXPECT_EQ(r.find("twice")->usage, "v2");
  EXPECT_EQ(r.find("double_it"), nullptr);
  EXPECT_EQ(r.find("dbl"), r.find("twice"));
  EXPECT_EQ(r.names().size(), 1u);
}

TEST(SqlFunctionsRegistry, BindErrorsNameTheProblem) {
  try {
    eval("sqrt", {Value::boolean(true)});
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("sqrt"), std::string::npos) << m;
    EXPECT_NE(m.find("boolean"), std::string::npos) << m;
    EXPECT_NE(m.find("usage"), std::string::npos) << m;
  }
  try {
    eval("substring", {str("a")});
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("2 to 3 argument"), std::string::npos) << e.what();
  }
  try {
    eval("+", {Value::date(1), str("x")});
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("date"), std::string::npos) << m;
    EXPECT_NE(m.find("string"), std::string::npos) << m;
  }
}
