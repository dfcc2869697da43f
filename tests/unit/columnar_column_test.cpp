#include <gtest/gtest.h>

#include "ember/columnar/batch.h"
#include "ember/columnar/column_ops.h"
#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/columnar/value.h"

namespace ember {
namespace {

ColumnPtr ints(std::vector<std::optional<int64_t>> v) {
  auto c = std::make_shared<Column>(DataType::int64());
  for (auto x : v) x ? c->append<int64_t>(*x) : c->appendNull();
  return c;
}
ColumnPtr strs(std::vector<std::optional<std::string>> v) {
  auto c = std::make_shared<Column>(DataType::string());
  for (auto& x : v) x ? c->appendString(*x) : c->appendNull();
  return c;
}

TEST(DataTypeTest, NamesRoundTripAndSynonyms) {
  for (std::string n : {"boolean", "tinyint", "smallint", "int", "bigint", "float", "double",
                        "decimal(15,2)", "string", "date", "timestamp", "array<int>",
                        "map<string,bigint>", "struct<a:int,b:string>"})
    EXPECT_EQ(DataType::parse(n).toString(), n);
  EXPECT_EQ(DataType::parse("INTEGER"), DataType::int32());
  EXPECT_EQ(DataType::parse("varchar(25)"), DataType::string());
  EXPECT_EQ(DataType::parse("numeric(12, 3)"), DataType::decimal(12, 3));
  EXPECT_TRUE(DataType::decimal(20, 2).isWideDecimal());
  EXPECT_FALSE(DataType::decimal(18, 2).isWideDecimal());
  EXPECT_THROW(DataType::parse("intt"), UserError);
  EXPECT_THROW(DataType::decimal(39, 0), UserError);
}

TEST(SchemaTest, CaseInsensitiveLookupPrefersExactMatch) {
  Schema s({{"Name", DataType::string()}, {"name", DataType::int32()}, {"age", DataType::int32()}});
  EXPECT_EQ(s.indexOf("name"), 1);
  EXPECT_EQ(s.indexOf("AGE"), 2);
  EXPECT_EQ(s.indexOf("x"), -1);
  std::string buf;
  ByteWriter w(&buf);
  s.serialize(w);
  ByteReader r(buf);
  EXPECT_EQ(Schema::deserialize(r), s);
}

TEST(ColumnTest, AppendsNullsAndStrings) {
  auto c = strs({"a", std::nullopt, "ccc", ""});
  EXPECT_EQ(c->size(), 4);
  EXPECT_EQ(c->nullCount(), 1);
  EXPECT_EQ(c->stringAt(2), "ccc");
  EXPECT_TRUE(c->isNull(1));
  EXPECT_EQ(c->stringAt(3), "");
  auto i = ints({1, 2, 3});
  EXPECT_FALSE(i->mayHaveNulls());
  for (int k = 0; k < 200; ++k) i->append<int64_t>(k);
  i->appendNull();
  EXPECT_EQ(i->nullCount(), 1);
  EXPECT_TRUE(i->isNull(203));
  EXPECT_FALSE(i->isNull(202));
}

TEST(ColumnTest, RowsAppendedAfterAShrinkAreValid) {
  auto c = ints({1, std::nullopt, std::nullopt});
  c->resize(1);
  c->append<int64_t>(7);
  c->resize(3);
  EXPECT_FALSE(c->isNull(1));
  EXPECT_FALSE(c->isNull(2));
  EXPECT_EQ(c->valueAt<int64_t>(1), 7);
  auto s = strs({"a", std::nullopt});
  s->resize(1);
  s->appendString("b");
  EXPECT_FALSE(s->isNull(1));
  EXPECT_EQ(s->stringAt(1), "b");
}

TEST(ColumnOpsTest, TakeFilterConcatKeepValuesAndNulls) {
  auto c = strs({"x", std::nullopt, "zz"});
  int32_t idx[] = {2, -1, 0, 1};
  auto t = takeColumn(*c, idx, 4);
  ASSERT_EQ(t->size(), 4);
  EXPECT_EQ(t->stringAt(0), "zz");
  EXPECT_TRUE(t->isNull(1));
  EXPECT_EQ(t->stringAt(2), "x");
  EXPECT_TRUE(t->isNull(3));

  auto mask = std::make_shared<Column>(DataType::boolean());
  mask->append<uint8_t>(1);
  mask->appendNull();
  mask->append<uint8_t>(1);
  Batch b({ints({10, 20, 30}), c}, 3);
  auto f = filterBatch(b, *mask);
  ASSERT_EQ(f->numRows, 2);
  EXPECT_EQ(f->column(0).valueAt<int64_t>(1), 30);
  EXPECT_EQ(f->column(1).stringAt(1), "zz");

  auto cat = concatColumns({ints({1, std::nullopt}), ints({3})});
  ASSERT_EQ(cat->size(), 3);
  EXPECT_TRUE(cat->isNull(1));
  EXPECT_EQ(cat->valueAt<int64_t>(2), 3);
}

TEST(ColumnOpsTest, EqualValuesHashAlikeAndNullsAreStable) {
  auto a = strs({"apple", std::nullopt, "pear"});
  auto b = strs({"pear", "apple", std::nullopt});
  uint64_t ha[3], hb[3];
  hashColumn(*a, ha, false);
  hashColumn(*b, hb, false);
  EXPECT_EQ(ha[0], hb[1]);
  EXPECT_EQ(ha[2], hb[0]);
  EXPECT_EQ(ha[1], hb[2]);
  EXPECT_NE(ha[0], ha[2]);
  // Combined keys: (1, apple) vs (1, pear) differ.
  auto k = ints({1, 1, 1});
  hashColumn(*k, ha, false);
  hashColumn(*a, ha, true);
  EXPECT_NE(ha[0], ha[2]);
  EXPECT_TRUE(rowsEqual(*a, 1, *b, 2));
  EXPECT_FALSE(rowsEqual(*a, 0, *b, 2));
}

TEST(BatchTest, SerializeRoundTripAndCorruptInput) {
  auto dec = std::make_shared<Column>(DataType::decimal(25, 2));
  dec->append<int128_t>(int128_t{123456789} * 1000000000000LL);
  dec->appendNull();
  dec->append<int128_t>(-5);
  Batch b({ints({1, std::nullopt, 3}), strs({"a", "bb", std::nullopt}), dec}, 3);
  std::string buf;
  ByteWriter w(&buf);
  b.serialize(w);
  ByteReader r(buf);
  auto back = Batch::deserialize(r);
  ASSERT_EQ(back->numRows, 3);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(Value::fromColumn(back->column(c), i), Value::fromColumn(b.column(c), i));
  EXPECT_EQ(Value::fromColumn(back->column(2), 0).toString(), "1234567890000000000.00");
  std::string cut = buf.substr(0, buf.size() / 2);
  ByteReader r2(cut);
  EXPECT_THROW(Batch::deserialize(r2), IoError);
}

TEST(DateTimeTest, CivilRoundTripAndParsing) {
  EXPECT_EQ(daysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(*parseDate("1998-12-01"), daysFromCivil(1998, 12, 1));
  EXPECT_EQ(formatDate(*parseDate("1992-02-29")), "1992-02-29");
  EXPECT_FALSE(parseDate("1993-02-29"));
  EXPECT_FALSE(parseDate("1993-13-01"));
  EXPECT_FALSE(parseDate("hello"));
  EXPECT_EQ(formatTimestamp(*parseTimestamp("2024-03-01 12:34:56.5")), "2024-03-01 12:34:56.5");
  EXPECT_EQ(formatTimestamp(*parseTimestamp("2024-03-01")), "2024-03-01 00:00:00");
  EXPECT_EQ(formatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(formatDate(addMonths(*parseDate("2024-01-31"), 1)), "2024-02-29");
  EXPECT_EQ(formatDate(addMonths(*parseDate("2024-01-31"), -2)), "2023-11-30");
}

TEST(DecimalTest, ParseFormatRescale) {
  EXPECT_EQ(*parseDecimal("12.345", 10, 2), 1235);  // half up
  EXPECT_EQ(*parseDecimal("-0.5", 5, 0), -1);
  EXPECT_EQ(*parseDecimal("1e3", 10, 1), 10000);
  EXPECT_FALSE(parseDecimal("123456", 5, 0));
  EXPECT_FALSE(parseDecimal("1.2.3", 5, 0));
  EXPECT_EQ(formatDecimal(-5, 2), "-0.05");
  EXPECT_EQ(formatDecimal(100, 0), "100");
  EXPECT_EQ(rescaleDecimal(1235, 2, 1), 124);
  EXPECT_EQ(rescaleDecimal(-1235, 2, 1), -124);
  EXPECT_EQ(Value::decimal(123, 5, 2).toString(), "1.23");
  EXPECT_EQ(Value::float64(2.0).toString(), "2.0");
  EXPECT_EQ(Value::string("it's").toSql(), "'it''s'");
}

}  // namespace
}  // namespace ember
