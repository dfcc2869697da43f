// Nested columns (arrays, maps, structs): building, Values, gather/slice/concat, hashing,
// equality, ordering and the binary form.
#include <gtest/gtest.h>

#include "ember/columnar/batch.h"
#include "ember/columnar/column_ops.h"
#include "ember/columnar/nested_ops.h"
#include "ember/columnar/value.h"
#include "ember/common/errors.h"

namespace ember {
namespace {

DataType intArray() { return DataType::array(DataType::int32()); }

// [[1, 2], NULL, [], [3, NULL]]
ColumnPtr sampleArrays() {
  auto c = Column::make(intArray());
  c->child(0).append<int32_t>(1);
  c->child(0).append<int32_t>(2);
  c->appendNestedRow();
  c->appendNull();
  c->appendNestedRow();
  c->child(0).append<int32_t>(3);
  c->child(0).appendNull();
  c->appendNestedRow();
  return c;
}

std::vector<std::string> strings(const Column& c) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < c.size(); ++i) out.push_back(Value::fromColumn(c, i).toString());
  return out;
}

TEST(NestedColumn, BuildsArraysAndPrintsThemAsSparkDoes) {
  auto c = sampleArrays();
  EXPECT_EQ(c->size(), 4);
  EXPECT_EQ(c->child(0).size(), 4);
  EXPECT_EQ(strings(*c), (std::vector<std::string>{"[1, 2]", "NULL", "[]", "[3, null]"}));
  EXPECT_EQ(Value::fromColumn(*c, 0).toSql(), "array(1, 2)");
  EXPECT_EQ(c->type().toString(), "array<int>");
}

TEST(NestedColumn, ValuesRoundTripThroughColumnsAndSerde) {
  auto t = DataType::map(DataType::string(), intArray());
  Value v = Value::map(t, {Value::string("a"), Value::string("b")},
                       {Value::array(intArray(), {Value::int32(1)}), Value::null(intArray())});
  EXPECT_EQ(v.toString(), "{a -> [1], b -> null}");
  auto c = Column::make(t);
  v.appendTo(*c);
  Value::null(t).appendTo(*c);
  EXPECT_EQ(Value::fromColumn(*c, 0), v);
  EXPECT_TRUE(Value::fromColumn(*c, 1).isNull());
  ByteWriter w;
  v.serialize(w);
  ByteReader r(w.buffer());
  EXPECT_EQ(Value::deserialize(r), v);

  auto st = DataType::structOf({{"x", DataType::int64(), true}, {"s", DataType::string(), true}});
  Value sv = Value::structOf(st, {Value::int64(7), Value::string("q")});
  EXPECT_EQ(sv.toString(), "{7, q}");
  EXPECT_EQ(sv.toSql(), "named_struct('x', 7, 's', 'q')");
  auto sc = Column::make(st);
  sv.appendTo(*sc);
  sc->appendNull();
  EXPECT_EQ(sc->child(0).size(), 2);
  EXPECT_EQ(strings(*sc), (std::vector<std::string>{"{7, q}", "NULL"}));
}

TEST(NestedColumn, TakeSliceConcatKeepElementsAligned) {
  auto c = sampleArrays();
  std::vector<int32_t> idx = {3, -1, 0, 0, 2};
  auto t = takeColumn(*c, idx.data(), 5);
  EXPECT_EQ(strings(*t), (std::vector<std::string>{"[3, null]", "NULL", "[1, 2]", "[1, 2]", "[]"}));
  auto s = sliceColumn(*c, 1, 3);
  EXPECT_EQ(strings(*s), (std::vector<std::string>{"NULL", "[]", "[3, null]"}));
  auto cat = concatColumns({c, s});
  EXPECT_EQ(cat->size(), 7);
  EXPECT_EQ(strings(*cat)[6], "[3, null]");
  EXPECT_EQ(strings(*cat)[0], "[1, 2]");
}

TEST(NestedColumn, SerialisesNestedBatches) {
  auto st = DataType::structOf({{"a", intArray(), true}, {"b", DataType::string(), true}});
  auto c = Column::make(st);
  c->child(0).appendFrom(*sampleArrays(), 0);
  c->child(1).appendString("x");
  c->appendNestedRow();
  c->appendNull();
  Batch b({c, sliceColumn(*sampleArrays(), 0, 2)}, 2);
  ByteWriter w;
  b.serialize(w);
  ByteReader r(w.buffer());
  auto back = Batch::deserialize(r);
  EXPECT_EQ(strings(*back->columns[0]), (std::vector<std::string>{"{[1, 2], x}", "NULL"}));
  EXPECT_EQ(strings(*back->columns[1]), (std::vector<std::string>{"[1, 2]", "NULL"}));
}

TEST(NestedColumn, CorruptOffsetsAreRejected) {
  auto c = Column::make(intArray());
  Buffer offs(3 * sizeof(int32_t));
  offs.as<int32_t>()[0] = 0;
  offs.as<int32_t>()[1] = 5;
  offs.as<int32_t>()[2] = 2;
  auto elems = Column::make(DataType::int32(), 2);
  EXPECT_THROW(c->adoptNested(std::move(offs), {elems}, 2), IoError);
}

TEST(NestedColumn, EqualArraysHashAndCompareEqual) {
  auto a = sampleArrays();
  std::vector<int32_t> idx = {0, 1, 2, 3};
  auto b = takeColumn(*a, idx.data(), 4);
  std::vector<uint64_t> ha(4), hb(4);
  hashColumn(*a, ha.data(), false);
  hashColumn(*b, hb.data(), false);
  EXPECT_EQ(ha, hb);
  EXPECT_NE(ha[0], ha[3]);
  EXPECT_NE(ha[2], ha[3]);
  EXPECT_TRUE(rowsEqual(*a, 0, *b, 0));
  EXPECT_FALSE(rowsEqual(*a, 0, *b, 3));
  EXPECT_TRUE(rowsEqual(*a, 1, *b, 1));  // NULL = NULL when grouping
  // Ordering: NULL < [] < [1, 2] < [3, null]; [1] < [1, 2].
  EXPECT_LT(compareRows(*a, 1, *a, 2), 0);
  EXPECT_LT(compareRows(*a, 2, *a, 0), 0);
  EXPECT_LT(compareRows(*a, 0, *a, 3), 0);
  EXPECT_EQ(compareRows(*a, 3, *b, 3), 0);
}

}  // namespace
}  // namespace ember
