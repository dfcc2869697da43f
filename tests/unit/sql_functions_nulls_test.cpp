// Robustness: values stored under NULL rows are garbage (columns are built with
// uninitialised buffers). Kernels must neither raise for them (overflow errors are for
// valid rows only) nor hit undefined behaviour (checked under -fsanitize=undefined in
// the Asan build), and must return NULL for those rows.
#include <cmath>
#include <limits>

#include "ember/columnar/datetime.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

namespace {

// Two rows: row 0 holds `good`, row 1 is NULL and holds the most hostile value of the
// physical type (minimum integer, NaN, or a decimal far beyond its precision).
ColumnPtr hostile(const DataType& t, const Value& good) {
  ColumnPtr c = columnOf(t, {good, good});
  c->setNull(1);
  switch (t.id()) {
    case TypeId::Int32:
    case TypeId::Date:
      c->mutableValues<int32_t>()[1] = std::numeric_limits<int32_t>::min();
      break;
    case TypeId::Int64:
    case TypeId::Timestamp:
      c->mutableValues<int64_t>()[1] = std::numeric_limits<int64_t>::min();
      break;
    case TypeId::Float64:
      c->mutableValues<double>()[1] = std::nan("");
      break;
    case TypeId::Decimal:
      if (t.isWideDecimal())
        c->mutableValues<int128_t>()[1] = static_cast<int128_t>(uint128_t{1} << 127);
      else
        c->mutableValues<int64_t>()[1] = std::numeric_limits<int64_t>::min();
      break;
    default:
      break;
  }
  return c;
}

struct Case {
  std::string fn;
  std::vector<std::pair<DataType, Value>> args;
  std::vector<bool> literal = {};
};

}  // namespace

TEST(SqlFunctionsNulls, GarbageUnderNullRowsIsHarmless) {
  DataType i32t = DataType::int32(), i64t = DataType::int64(), dt = DataType::date(),
           tst = DataType::timestamp(), wide = DataType::decimal(38, 2),
           narrow = DataType::decimal(10, 2), dbl = DataType::float64();
  Value d = Value::date(*parseDate("2024-02-29"));
  Value ts = Value::timestamp(*parseTimestamp("2024-02-29 10:00:00"));
  Value w = Value::decimal(12345, 38, 2), n = Value::decimal(250, 10, 2);
  std::vector<Case> cases = {
      {"+", {{i32t, i32(1)}, {i32t, i32(2)}}},
      {"-", {{i64t, i64(1)}, {i64t, i64(2)}}},
      {"*", {{i64t, i64(3)}, {i64t, i64(2)}}},
      {"%", {{i32t, i32(7)}, {i32t, i32(2)}}},
      {"div", {{i64t, i64(7)}, {i64t, i64(2)}}},
      {"/", {{i32t, i32(7)}, {i32t, i32(2)}}},
      {"+", {{wide, w}, {narrow, n}}},
      {"-", {{wide, w}, {wide, w}}},
      {"*", {{wide, w}, {wide, w}}},
      {"*", {{narrow, n}, {narrow, n}}},
      {"/", {{wide, w}, {narrow, n}}},
      {"%", {{wide, w}, {narrow, n}}},
      {"negate", {{i32t, i32(1)}}},
      {"negate", {{wide, w}}},
      {"abs", {{i64t, i64(-1)}}},
      {"abs", {{wide, w}}},
      {"pmod", {{i32t, i32(-7)}, {i32t, i32(3)}}},
      {"+", {{dt, d}, {i32t, i32(1)}}},
      {"-", {{dt, d}, {dt, d}}},
      {"interval_add", {{dt, d}, {i32t, i32(1)}, {i32t, i32(1)}, {i64t, i64(0)}}},
      {"interval_add", {{tst, ts}, {i32t, i32(1)}, {i32t, i32(1)}, {i64t, i64(5)}}},
      {"year", {{dt, d}}},
      {"dayofweek", {{dt, d}}},
      {"weekofyear", {{dt, d}}},
      {"hour", {{tst, ts}}},
      {"year", {{tst, ts}}},
      {"date_add", {{dt, d}, {i32t, i32(1)}}},
      {"datediff", {{dt, d}, {dt, d}}},
      {"add_months", {{dt, d}, {i32t, i32(1)}}},
      {"last_day", {{dt, d}}},
      {"months_between", {{tst, ts}, {tst, ts}}},
      {"date_trunc", {{DataType::string(), str("month")}, {tst, ts}}},
      {"trunc", {{dt, d}, {DataType::string(), str("year")}}},
      {"date_format", {{tst, ts}, {DataType::string(), str("yyyy")}}},
      {"round", {{wide, w}, {i32t, i32(-1)}}, {false, true}},
      {"round", {{dbl, f64(2.5)}, {i32t, i32(0)}}, {false, true}},
      {"ceil", {{wide, w}}},
      {"sqrt", {{dbl, f64(4)}}},
      {"=", {{wide, w}, {wide, w}}},
      {"<", {{dbl, f64(1)}, {dbl, f64(2)}}},
  };
  for (const auto& c : cases) {
    std::vector<ColumnPtr> cols;
    for (const auto& [t, v] : c.args) cols.push_back(hostile(t, v));
    Result r;
    ASSERT_NO_THROW(r = run(c.fn, cols, c.literal)) << c.fn;
    ASSERT_EQ(r.values.size(), 2u) << c.fn;
    EXPECT_FALSE(r.values[0].isNull()) << c.fn;
    EXPECT_TRUE(r.values[1].isNull()) << c.fn;
  }
  // Casts read the same garbage.
  std::vector<std::pair<std::pair<DataType, Value>, DataType>> casts = {
      {{dt, d}, tst},
      {{tst, ts}, i64t},
      {{tst, ts}, dt},
      {{tst, ts}, dbl},
      {{wide, w}, i32t},
      {{wide, w}, DataType::decimal(38, 10)},
      {{i64t, i64(1)}, wide},
      {{dbl, f64(1)}, i32t},
      {{dbl, f64(1)}, narrow},
      {{i32t, i32(1)}, tst},
      {{wide, w}, DataType::string()}};
  for (const auto& [from, to] : casts) {
    ColumnPtr out;
    ASSERT_NO_THROW(out = castColumn(hostile(from.first, from.second), to, true))
        << from.first.toString() << " -> " << to.toString();
    EXPECT_TRUE(out->isValid(0));
    EXPECT_TRUE(out->isNull(1));
  }
}
