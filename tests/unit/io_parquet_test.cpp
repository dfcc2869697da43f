#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/io/file_format.h"
#include "ember/io/parquet_meta.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

std::string dataDir() {
  const char* src = std::getenv("EMBER_SOURCE_DIR");
  fs::path root =
      src ? fs::path(src) : fs::path(__FILE__).parent_path().parent_path().parent_path();
  return (root / "tests/data/parquet").string();
}

std::vector<int> allColumns(const Schema& s) {
  std::vector<int> p;
  for (size_t i = 0; i < s.size(); ++i) p.push_back(static_cast<int>(i));
  return p;
}

std::vector<Row> readRows(const std::string& fmt, const std::vector<std::string>& files,
                          const Schema& schema, const FormatOptions& o = {},
                          std::vector<int> proj = {},
                          const std::vector<ColumnPredicate>& filters = {},
                          int64_t* skipped = nullptr) {
  const FileFormat& f = FileFormat::forName(fmt);
  if (proj.empty()) proj = allColumns(schema);
  std::vector<Row> rows;
  for (const auto& s : f.planSplits(files, o, 1 << 20)) {
    auto r = f.open(s, schema, proj, filters, o, 7);
    while (auto b = r->next()) {
      EXPECT_LE(b->numRows, 7);
      for (int64_t i = 0; i < b->numRows; ++i) {
        Row row;
        for (size_t c = 0; c < b->numColumns(); ++c)
          row.push_back(Value::fromColumn(b->column(c), i));
        rows.push_back(std::move(row));
      }
    }
    if (skipped) *skipped += r->rowsSkipped();
  }
  return rows;
}

class ParquetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_pq_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

constexpr const char* kFixtureSchema =
    "id: int, i8: tinyint, i16: smallint, i32: int, i64: bigint, f32: float, f64: double, "
    "dec9: decimal(9,2), dec18: decimal(18,4), dec38: decimal(38,10), s: string, u: string, dt: "
    "date, "
    "ts: timestamp, ts_ms: timestamp, ts_ns: timestamp, b: boolean";

// Files written by DuckDB 1.5 (tests/data/parquet, see tests/e2e/parquet_duckdb.sh): the
// same 150 rows in several codecs, v1 and v2 pages (DELTA_*, BYTE_STREAM_SPLIT), with the
// CSV DuckDB wrote from the same query as the expected rows.
TEST_F(ParquetTest, ReadsDuckDbFilesIdenticallyToTheirCsv) {
  std::string d = dataDir();
  Schema csvSchema = Schema();
  for (const char* name : {"types_snappy", "types_zstd", "types_gzip", "types_v2"}) {
    std::string file = d + "/" + name + ".parquet";
    Schema s = FileFormat::forName("parquet").inferSchema({file}, {});
    EXPECT_EQ(s.toString(), kFixtureSchema) << name;
    auto got = readRows("parquet", {file}, s);
    auto want = readRows("csv", {d + "/types.csv"}, s, {{"header", "true"}});
    ASSERT_EQ(got.size(), 150u) << name;
    ASSERT_EQ(want.size(), 150u);
    for (size_t r = 0; r < got.size(); ++r)
      for (size_t c = 0; c < s.size(); ++c)
        EXPECT_EQ(got[r][c], want[r][c])
            << name << " row " << r << " column " << s.field(c).name << ": " << got[r][c].toString()
            << " vs " << want[r][c].toString();
  }
}

TEST_F(ParquetTest, ProjectionReadsOnlyTheRequestedColumnsInOrder) {
  std::string file = dataDir() + "/types_snappy.parquet";
  Schema s = FileFormat::forName("parquet").inferSchema({file}, {});
  auto rows = readRows("parquet", {file}, s, {}, {10, 0});
  ASSERT_EQ(rows.size(), 150u);
  EXPECT_EQ(rows[1][0], Value::string("str_1"));
  EXPECT_EQ(rows[1][1], Value::int32(1));
  EXPECT_TRUE(rows[3][0].isNull());
}

Schema roundTripSchema() {
  return Schema({{"k", DataType::int64(), false},
                 {"b", DataType::boolean()},
                 {"i8", DataType::int8()},
                 {"i16", DataType::int16()},
                 {"i32", DataType::int32()},
                 {"f", DataType::float32()},
                 {"d", DataType::float64()},
                 {"dec", DataType::decimal(7, 2)},
                 {"dec2", DataType::decimal(15, 3)},
                 {"dec3", DataType::decimal(30, 5)},
                 {"s", DataType::string()},
                 {"u", DataType::string()},
                 {"day", DataType::date()},
                 {"ts", DataType::timestamp()}});
}

BatchPtr makeRows(const Schema& s, int64_t from, int64_t n) {
  auto b = Batch::empty(s);
  for (int64_t k = from; k < from + n; ++k) {
    bool nul = k % 5 == 3;
    auto put = [&](size_t c, Value v) {
      (nul && c > 0 ? Value::null(s.field(c).type) : v).appendTo(*b->columns[c]);
    };
    put(0, Value::int64(k));
    put(1, Value::boolean(k % 3 == 0));
    put(2, Value::int8(static_cast<int8_t>(k % 200 - 100)));
    put(3, Value::int16(static_cast<int16_t>(k * 7 - 3000)));
    put(4, Value::int32(static_cast<int32_t>(k * 100003 - 7)));
    put(5, Value::float32(static_cast<float>(k) / 8));
    put(6, Value::float64(static_cast<double>(k) * -1.25));
    put(7, Value::decimal(k * 101 - 5000, 7, 2));
    put(8, Value::decimal(k * 123456789 - 1, 15, 3));
    put(9, Value::decimal(int128_t{k} * pow10i128(20) + 12345, 30, 5));
    put(10, Value::string("cat" + std::to_string(k % 4)));
    put(11, Value::string(k % 11 == 0 ? std::string() : "val-" + std::to_string(k * 31)));
    put(12, Value::date(static_cast<int32_t>(k * 3 - 1000)));
    put(13, Value::timestamp(k * 3600123456LL - 86400000000LL));
  }
  b->numRows = n;
  return b;
}

TEST_F(ParquetTest, WriterRoundTripsEveryTypeCodecAndDictionarySetting) {
  Schema s = roundTripSchema();
  for (std::string codec : {"snappy", "zstd", "gzip", "none"}) {
    for (std::string dict : {"true", "false"}) {
      FormatOptions o{{"compression", codec}, {"dictionary", dict}, {"rowGroupRows", "120"}};
      const FileFormat& f = FileFormat::forName("parquet");
      std::string path = (dir_ / ("t" + codec + dict + f.fileExtension(o))).string();
      auto w = f.createWriter(path, s, o);
      w->write(*makeRows(s, 0, 100));
      w->write(*makeRows(s, 100, 200));
      w->close();
      EXPECT_EQ(f.planSplits({path}, o, 1).size(), 3u);  // row groups of 120, 120, 60
      Schema back = f.inferSchema({path}, {});
      std::vector<Field> nullableFields = s.fields();
      nullableFields[0].nullable = true;
      EXPECT_EQ(back, Schema(nullableFields)) << back.toString();
      auto rows = readRows("parquet", {path}, s);
      auto b = makeRows(s, 0, 300);
      ASSERT_EQ(rows.size(), 300u);
      for (int64_t r = 0; r < 300; ++r)
        for (size_t c = 0; c < s.size(); ++c)
          ASSERT_EQ(rows[static_cast<size_t>(r)][c], Value::fromColumn(b->column(c), r))
              << codec << dict << " row " << r << " col " << s.field(c).name;
    }
  }
}

TEST_F(ParquetTest, RowGroupsArePrunedByStatistics) {
  Schema s = roundTripSchema();
  std::string path = (dir_ / "p.parquet").string();
  auto w = FileFormat::forName("parquet").createWriter(path, s, {{"rowGroupRows", "100"}});
  w->write(*makeRows(s, 0, 400));
  w->close();
  using Op = ColumnPredicate::Op;
  auto count = [&](std::vector<ColumnPredicate> f, int64_t* skipped) {
    return readRows("parquet", {path}, s, {}, {0}, f, skipped).size();
  };
  // The reader returns exactly the matching rows (row groups pruned, the rest filtered
  // row by row); `skipped` counts both.
  int64_t skipped = 0;
  EXPECT_EQ(count({{0, Op::kGe, {Value::int64(350)}}}, &skipped), 50u);
  EXPECT_EQ(skipped, 350);
  skipped = 0;
  EXPECT_EQ(count({{0, Op::kIn, {Value::int64(5), Value::int64(250)}}}, &skipped), 2u);
  EXPECT_EQ(skipped, 398);
  skipped = 0;
  EXPECT_EQ(count({{11, Op::kEq, {Value::string("zzz")}}}, &skipped), 0u);
  EXPECT_EQ(count({{10, Op::kLt, {Value::string("cat0")}}}, &skipped), 0u);
  EXPECT_EQ(count({{12, Op::kIsNull, {}}}, nullptr), 80u);  // k % 5 == 3
  EXPECT_EQ(count({{0, Op::kIsNull, {}}}, nullptr), 0u);
  EXPECT_EQ(count({{7, Op::kGt, {Value::decimal(100000, 7, 2)}}}, nullptr), 0u);
  // Float comparisons that NaN could satisfy, and literals of another type, never prune.
  EXPECT_EQ(count({{6, Op::kGt, {Value::float64(1e9)}}}, nullptr), 400u);
  EXPECT_EQ(count({{6, Op::kEq, {Value::float64(std::nan(""))}}}, nullptr), 400u);
  EXPECT_EQ(count({{6, Op::kLt, {Value::float64(-1e9)}}}, nullptr), 0u);
  EXPECT_EQ(count({{0, Op::kEq, {Value::string("5")}}}, nullptr), 400u);
  EXPECT_EQ(count({{12, Op::kEq, {Value::timestamp(0)}}}, nullptr), 400u);
}

// Late materialisation: the filter columns are decoded first and the other columns only
// for the rows that pass. Row groups of 20,000 rows cut into pages of 8,192 rows (small
// page size), so pages without any selected row are skipped; dictionary and PLAIN
// string pages (dictionary on and off); NULLs in every column but k.
TEST_F(ParquetTest, PushedFiltersReturnExactlyTheMatchingRowsAcrossPages) {
  Schema s = roundTripSchema();
  const int64_t n = 45000;
  auto all = makeRows(s, 0, n);
  using Op = ColumnPredicate::Op;
  for (std::string dict : {"true", "false"}) {
    FormatOptions o{{"dictionary", dict}, {"rowGroupRows", "20000"}, {"parquet.page.size", "64"}};
    std::string path = (dir_ / ("f" + dict + ".parquet")).string();
    auto w = FileFormat::forName("parquet").createWriter(path, s, o);
    w->write(*all);
    w->close();
    auto check = [&](const std::vector<ColumnPredicate>& f, std::vector<int> proj,
                     const std::function<bool(int64_t)>& match, const std::string& what) {
      int64_t skipped = 0;
      auto rows = readRows("parquet", {path}, s, {}, proj, f, &skipped);
      std::vector<int64_t> want;
      for (int64_t r = 0; r < n; ++r)
        if (match(r)) want.push_back(r);
      ASSERT_EQ(rows.size(), want.size()) << what << " dictionary " << dict;
      EXPECT_EQ(skipped, n - static_cast<int64_t>(want.size())) << what;
      for (size_t i = 0; i < want.size(); ++i)
        for (size_t c = 0; c < proj.size(); ++c)
          ASSERT_EQ(rows[i][c],
                    Value::fromColumn(all->column(static_cast<size_t>(proj[c])), want[i]))
              << what << " row " << want[i] << " column " << proj[c];
    };
    auto isNull = [](int64_t k) { return k % 5 == 3; };
    // A date range in every row group (NULL dates never match), other columns gathered.
    check(
        {{12, Op::kGe, {Value::date(5000)}}, {12, Op::kLe, {Value::date(5300)}}},
        {0, 6, 10, 11, 12},
        [&](int64_t k) { return !isNull(k) && k * 3 - 1000 >= 5000 && k * 3 - 1000 <= 5300; },
        "date range");
    // Rows only in the last page of the middle row group: earlier pages are skipped.
    check(
        {{0, Op::kGe, {Value::int64(38000)}}, {0, Op::kLt, {Value::int64(38010)}}}, {11, 7, 13},
        [&](int64_t k) { return k >= 38000 && k < 38010; }, "key range, last page");
    // Within the statistics' range but no row matches: nothing is returned.
    check(
        {{4, Op::kEq, {Value::int32(5)}}}, {0, 4}, [&](int64_t) { return false; }, "no row");
    // Every row matches.
    check(
        {{0, Op::kGe, {Value::int64(0)}}}, {10, 0}, [&](int64_t) { return true; }, "all rows");
    check(
        {{10, Op::kIn, {Value::string("cat1"), Value::string("cat3")}}, {7, Op::kIsNotNull, {}}},
        {10, 0}, [&](int64_t k) { return !isNull(k) && (k % 4 == 1 || k % 4 == 3); }, "string IN");
    check({{11, Op::kIsNull, {}}}, {0, 11}, isNull, "IS NULL");
    check(
        {{11, Op::kNe, {Value::string("")}}, {8, Op::kLt, {Value::decimal(123456789 * 10, 15, 3)}}},
        {0, 8, 11},
        [&](int64_t k) { return !isNull(k) && k % 11 != 0 && k * 123456789 - 1 < 1234567890; },
        "string <> and decimal <");
    // Floating-point predicates are left to the engine: no row is dropped for them.
    int64_t skipped = 0;
    EXPECT_EQ(
        readRows("parquet", {path}, s, {}, {6}, {{6, Op::kLt, {Value::float64(-100.0)}}}, &skipped)
            .size(),
        static_cast<size_t>(n));
  }
}

// Fixed-width columns get a dictionary when they have few distinct values (bitwise keys:
// NaN and -0.0 survive) and stay PLAIN when mostly distinct or when the dictionary would
// pass 1 MiB; the values read back are identical either way.
TEST_F(ParquetTest, WriterDictionaryEncodesLowCardinalityNumbersAndFallsBackToPlain) {
  Schema s({{"low", DataType::int64()},
            {"f", DataType::float64()},
            {"day", DataType::date()},
            {"uniq", DataType::int32()},
            {"big", DataType::int64()}});
  const int64_t n = 420000;
  auto b = Batch::empty(s);
  const double specials[] = {0.0, -0.0, std::nan(""), 1.5, -2.25};
  for (int64_t k = 0; k < n; ++k) {
    (k % 7 == 0 ? Value::null(DataType::int64()) : Value::int64(k % 10 * 1000003))
        .appendTo(*b->columns[0]);
    Value::float64(specials[k % 5]).appendTo(*b->columns[1]);
    Value::date(static_cast<int32_t>(k % 2500)).appendTo(*b->columns[2]);
    Value::int32(static_cast<int32_t>(k)).appendTo(*b->columns[3]);
    // 140,000 distinct values, each 3 times: not mostly distinct, but 1.1 MB of dictionary.
    Value::int64(k / 3).appendTo(*b->columns[4]);
  }
  b->numRows = n;
  std::string path = (dir_ / "dict.parquet").string();
  auto w = FileFormat::forName("parquet").createWriter(path, s, {});
  w->write(*b);
  w->close();
  ParquetFileMeta m = readParquetFooter(path);
  ASSERT_EQ(m.rowGroups.size(), 1u);
  auto dictionary = [&](size_t c) {
    const auto& e = m.rowGroups[0].columns[c].encodings;
    return std::find(e.begin(), e.end(), pq::kRleDictionary) != e.end();
  };
  EXPECT_TRUE(dictionary(0));
  EXPECT_TRUE(dictionary(1));
  EXPECT_TRUE(dictionary(2));
  EXPECT_FALSE(dictionary(3));
  EXPECT_FALSE(dictionary(4));
  auto rows = readRows("parquet", {path}, s);
  ASSERT_EQ(rows.size(), static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r)
    for (size_t c = 0; c < s.size(); ++c) {
      Value want = Value::fromColumn(b->column(c), r);
      const Value& got = rows[static_cast<size_t>(r)][c];
      if (c == 1) {  // compare bits: NaN != NaN, and -0.0 == 0.0 as doubles
        double x = want.asDouble(), y = got.asDouble();
        ASSERT_EQ(std::memcmp(&x, &y, 8), 0) << "row " << r;
        continue;
      }
      ASSERT_EQ(got, want) << "row " << r << " column " << c;
    }
}

// Footers are cached per process; a file rewritten in place is read afresh.
TEST_F(ParquetTest, FooterCacheNoticesRewrittenFiles) {
  Schema s({{"x", DataType::int64()}});
  std::string path = (dir_ / "c.parquet").string();
  auto writeRows = [&](int64_t n) {
    auto b = Batch::empty(s);
    for (int64_t k = 0; k < n; ++k) Value::int64(k).appendTo(*b->columns[0]);
    b->numRows = n;
    auto w = FileFormat::forName("parquet").createWriter(path, s, {});
    w->write(*b);
    w->close();
  };
  writeRows(10);
  EXPECT_EQ(readRows("parquet", {path}, s).size(), 10u);
  EXPECT_EQ(cachedParquetFooter(path).get(), cachedParquetFooter(path).get());
  writeRows(25);
  EXPECT_EQ(cachedParquetFooter(path)->numRows, 25);
  EXPECT_EQ(readRows("parquet", {path}, s).size(), 25u);
}

TEST_F(ParquetTest, CorruptFilesFailWithTheFileNameNeverACrash) {
  std::string good = dataDir() + "/types_snappy.parquet";
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  Schema s = FileFormat::forName("parquet").inferSchema({good}, {});
  std::string path = (dir_ / "bad.parquet").string();
  auto tryRead = [&](const std::string& content) -> std::string {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    try {
      readRows("parquet", {path}, s);
      return "";
    } catch (const EmberError& e) {
      return e.what();
    }
  };
  std::string m = tryRead(bytes.substr(0, bytes.size() / 2));
  EXPECT_NE(m.find(path), std::string::npos) << m;
  m = tryRead("PAR1 not really parquet PAR1");
  EXPECT_NE(m.find(path), std::string::npos) << m;
  // Damaged bytes anywhere: an error naming the file, or (data bytes) different values.
  for (size_t pos = 4; pos < bytes.size() - 8; pos += 97) {
    std::string b = bytes;
    b[pos] = static_cast<char>(b[pos] ^ 0x5A);
    m = tryRead(b);
    if (!m.empty()) {
      EXPECT_NE(m.find(path), std::string::npos) << "byte " << pos << ": " << m;
    }
  }
}

}  // namespace
}  // namespace ember
