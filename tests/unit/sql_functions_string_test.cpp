// String functions, LIKE / ILIKE / RLIKE and the regexp functions: values, UTF-8,
// empty strings, NULLs, Spark's position rules.
#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

namespace {
Value ns() { return Value::null(DataType::string()); }
}  // namespace

TEST(SqlFunctionsString, CaseAndLength) {
  EXPECT_EQ(str("upper", {str("abc Zé")}), "ABC ZÉ");
  EXPECT_EQ(str("lower", {str("ÄBC")}), "äbc");
  EXPECT_EQ(str("upper", {str("")}), "");
  EXPECT_EQ(str("upper", {ns()}), "NULL");
  EXPECT_EQ(str("ucase", {i32(12)}), "12");  // implicit cast to string
  EXPECT_EQ(eval("length", {str("héllo")}).asInt64(), 5);
  EXPECT_EQ(eval("octet_length", {str("héllo")}).asInt64(), 6);
  EXPECT_EQ(eval("char_length", {str("")}).asInt64(), 0);
  // ASCII fast path over a whole column keeps NULLs and offsets.
  auto c = columnOf(DataType::string(), {str("ab"), ns(), str("Cd")});
  Result r = run("upper", {c});
  EXPECT_EQ(r.values[0].toString(), "AB");
  EXPECT_TRUE(r.values[1].isNull());
  EXPECT_EQ(r.values[2].toString(), "CD");
  EXPECT_THROW(eval("upper", {str("a"), str("b")}), UserError);
}

TEST(SqlFunctionsString, SubstringAsSpark) {
  EXPECT_EQ(str("substring", {str("Spark SQL"), i32(5)}), "k SQL");
  EXPECT_EQ(str("substring", {str("Spark SQL"), i32(-3)}), "SQL");
  EXPECT_EQ(str("substring", {str("Spark SQL"), i32(5), i32(1)}), "k");
  EXPECT_EQ(str("substring", {str("Spark SQL"), i32(0), i32(2)}), "Sp");
  EXPECT_EQ(str("substr", {str("abc"), i32(-5), i32(3)}), "a");  // window clipped
  EXPECT_EQ(str("substr", {str("abc"), i32(10)}), "");
  EXPECT_EQ(str("substr", {str("abc"), i32(2), i32(-1)}), "");
  EXPECT_EQ(str("substr", {str("añb€c"), i32(2), i32(3)}), "ñb€");
  EXPECT_EQ(str("substr", {str("añb€c"), i32(-2)}), "€c");
  EXPECT_EQ(str("substr", {ns(), i32(1)}), "NULL");
  EXPECT_EQ(str("left", {str("héllo"), i32(2)}), "hé");
  EXPECT_EQ(str("right", {str("héllo"), i32(3)}), "llo");
  EXPECT_EQ(str("right", {str("ab"), i32(5)}), "ab");
  EXPECT_EQ(str("left", {str("ab"), i32(-1)}), "");
}

TEST(SqlFunctionsString, TrimConcatReplaceSplit) {
  EXPECT_EQ(str("trim", {str("  a b  ")}), "a b");
  EXPECT_EQ(str("ltrim", {str("  a ")}), "a ");
  EXPECT_EQ(str("rtrim", {str("  a ")}), "  a");
  EXPECT_EQ(str("trim", {str("xxaxyx"), str("xy")}), "a");
  EXPECT_EQ(str("btrim", {str("ééaé"), str("é")}), "a");
  EXPECT_EQ(str("trim", {str("   ")}), "");
  EXPECT_EQ(str("concat", {str("a"), i32(1), str("")}), "a1");
  EXPECT_EQ(str("concat", {str("a"), ns()}), "NULL");
  EXPECT_EQ(str("concat_ws", {str("-"), str("a"), ns(), str("b")}), "a-b");
  EXPECT_EQ(str("concat_ws", {ns(), str("a")}), "NULL");
  EXPECT_EQ(str("replace", {str("abcabc"), str("bc"), str("X")}), "aXaX");
  EXPECT_EQ(str("replace", {str("abc"), str("b")}), "ac");
  EXPECT_EQ(str("replace", {str("abc"), str(""), str("X")}), "abc");
  EXPECT_EQ(str("split_part", {str("a,b,,c"), str(","), i32(2)}), "b");
  EXPECT_EQ(str("split_part", {str("a,b,,c"), str(","), i32(3)}), "");
  EXPECT_EQ(str("split_part", {str("a,b,,c"), str(","), i32(-1)}), "c");
  EXPECT_EQ(str("split_part", {str("a,b"), str(","), i32(5)}), "");
  EXPECT_THROW(eval("split_part", {str("a"), str(","), i32(0)}), UserError);
}

TEST(SqlFunctionsString, SearchPadAndMore) {
  EXPECT_EQ(eval("instr", {str("héllo"), str("llo")}).asInt64(), 3);
  EXPECT_EQ(eval("instr", {str("abc"), str("z")}).asInt64(), 0);
  EXPECT_EQ(eval("locate", {str("b"), str("abcb"), i32(3)}).asInt64(), 4);
  EXPECT_EQ(eval("locate", {str("b"), str("abcb"), i32(0)}).asInt64(), 0);
  EXPECT_EQ(eval("position", {str("c"), str("abc")}).asInt64(), 3);
  EXPECT_EQ(str("starts_with", {str("Spark"), str("Sp")}), "true");
  EXPECT_EQ(str("endswith", {str("Spark"), str("rk")}), "true");
  EXPECT_EQ(str("contains", {str("Spark"), str("")}), "true");
  EXPECT_EQ(str("contains", {ns(), str("a")}), "NULL");
  EXPECT_EQ(str("lpad", {str("hi"), i32(5), str("ab")}), "abahi");
  EXPECT_EQ(str("lpad", {str("hello"), i32(2)}), "he");
  EXPECT_EQ(str("rpad", {str("hi"), i32(4)}), "hi  ");
  EXPECT_EQ(str("rpad", {str("hi"), i32(5), str("")}), "hi");
  EXPECT_EQ(str("lpad", {str("hi"), i32(-1)}), "");
  EXPECT_EQ(str("reverse", {str("añb€")}), "€bña");
  EXPECT_EQ(str("repeat", {str("ab"), i32(3)}), "ababab");
  EXPECT_EQ(str("repeat", {str("ab"), i32(-1)}), "");
  EXPECT_EQ(str("initcap", {str("hello wORLD  élan")}), "Hello World  Élan");
  EXPECT_EQ(eval("ascii", {str("é")}).asInt64(), 233);
  EXPECT_EQ(eval("ascii", {str("")}).asInt64(), 0);
  EXPECT_EQ(str("chr", {i64(65 + 256)}), "A");
  EXPECT_EQ(str("md5", {str("Spark")}), "8cde774d6f7333752ed72cacddb05126");
  EXPECT_EQ(str("md5", {str("")}), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(SqlFunctionsString, Like) {
  auto like = [](const char* s, const char* p) { return str("like", {str(s), str(p)}); };
  EXPECT_EQ(like("abc", "abc"), "true");
  EXPECT_EQ(like("abc", "ab"), "false");
  EXPECT_EQ(like("abc", "a%"), "true");
  EXPECT_EQ(like("abc", "%c"), "true");
  EXPECT_EQ(like("abc", "%b%"), "true");
  EXPECT_EQ(like("abc", "%"), "true");
  EXPECT_EQ(like("", "%"), "true");
  EXPECT_EQ(like("", "_"), "false");
  EXPECT_EQ(like("aXbYc", "a%b%c"), "true");
  EXPECT_EQ(like("ab", "a%b%b"), "false");
  EXPECT_EQ(like("aba", "a%a"), "true");
  EXPECT_EQ(like("a", "a%a"), "false");   // prefix and suffix must not overlap
  EXPECT_EQ(like("a€c", "a_c"), "true");  // '_' is one character, not one byte
  EXPECT_EQ(like("a.c", "a_c"), "true");
  EXPECT_EQ(like("abc", "a.c"), "false");  // regex metacharacters are literal
  EXPECT_EQ(like("50%", "50\\%"), "true");
  EXPECT_EQ(like("500", "50\\%"), "false");
  EXPECT_EQ(like("a\nb", "a%b"), "true");
  EXPECT_EQ(str("like", {str("a_b"), str("a#_b"), str("#")}), "true");
  EXPECT_EQ(str("like", {str("axb"), str("a#_b"), str("#")}), "false");
  EXPECT_EQ(str("like", {ns(), str("a")}), "NULL");
  EXPECT_EQ(str("like", {str("a"), ns()}), "NULL");
  EXPECT_EQ(str("ilike", {str("ÉCOLE"), str("é%")}), "true");
  EXPECT_EQ(str("ilike", {str("Spark"), str("%AR_")}), "true");
  // Non-literal patterns: one per row.
  auto s = columnOf(DataType::string(), {str("abc"), str("xyz"), str("ab")});
  auto p = columnOf(DataType::string(), {str("a%"), str("a%"), str("_b")});
  Result r = run("like", {s, p});
  EXPECT_EQ(r.values[0].toString(), "true");
  EXPECT_EQ(r.values[1].toString(), "false");
  EXPECT_EQ(r.values[2].toString(), "true");
}

TEST(SqlFunctionsString, Regexp) {
  EXPECT_EQ(str("rlike", {str("Spark SQL"), str("S[a-z]+")}), "true");
  EXPECT_EQ(str("rlike", {str("spark"), str("^S")}), "false");
  EXPECT_EQ(str("regexp", {str("a1"), str("\\d")}), "true");
  EXPECT_THROW(eval("rlike", {str("a"), str("(")}), UserError);
  EXPECT_EQ(str("regexp_extract", {str("100-200"), str("(\\d+)-(\\d+)"), i32(2)}), "200");
  EXPECT_EQ(str("regexp_extract", {str("100-200"), str("(\\d+)-(\\d+)")}), "100");
  EXPECT_EQ(str("regexp_extract", {str("100-200"), str("(\\d+)-(\\d+)"), i32(0)}), "100-200");
  EXPECT_EQ(str("regexp_extract", {str("abc"), str("(\\d+)"), i32(1)}), "");
  EXPECT_THROW(eval("regexp_extract", {str("a"), str("(a)"), i32(2)}), UserError);
  EXPECT_EQ(str("regexp_replace", {str("100-200"), str("(\\d+)"), str("<$1>")}), "<100>-<200>");
  EXPECT_EQ(str("regexp_replace", {str("a.b.c"), str("\\."), str("")}), "abc");
  EXPECT_EQ(str("regexp_replace", {str("aaa"), str("a"), str("b"), i32(2)}), "abb");
  EXPECT_EQ(str("regexp_replace", {ns(), str("a"), str("b")}), "NULL");
}
