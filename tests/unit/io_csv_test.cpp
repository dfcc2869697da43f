#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ember/columnar/column_ops.h"
#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "ember/io/file_format.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

class CsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_csv_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // All rows of all splits, as Value rows.
  std::vector<Row> readAll(const std::vector<std::string>& files, const Schema& schema,
                           const FormatOptions& o, uint64_t splitBytes = 1 << 20,
                           std::vector<int> proj = {}) {
    const FileFormat& f = FileFormat::forName("csv");
    if (proj.empty())
      for (size_t i = 0; i < schema.size(); ++i) proj.push_back(static_cast<int>(i));
    std::vector<Row> rows;
    for (const auto& s : f.planSplits(files, o, splitBytes)) {
      auto r = f.open(s, schema, proj, {}, o, 3);
      while (auto b = r->next()) {
        EXPECT_GT(b->numRows, 0);
        EXPECT_LE(b->numRows, 3);
        for (int64_t i = 0; i < b->numRows; ++i) {
          Row row;
          for (size_t c = 0; c < b->numColumns(); ++c)
            row.push_back(Value::fromColumn(b->column(c), i));
          rows.push_back(row);
        }
      }
    }
    return rows;
  }

  fs::path dir_;
};

TEST_F(CsvTest, InfersSchemaFromHeaderAndValues) {
  auto p = write("a.csv",
                 "id,big,price,ratio,day,ts,flag,name\n"
                 "1,10000000000,1.5,2,2024-01-31,2024-01-31 10:00:00,true,x\n"
                 "2,,2.25,3.5,2024-02-01,2024-02-01T11:30:00,false,\n"
                 "3,123456789012345678901,-1,1e3,2024-02-02,2024-02-02,TRUE,z\n");
  FormatOptions o{{"header", "true"}, {"inferSchema", "true"}};
  Schema s = FileFormat::forName("CSV").inferSchema({p}, o);
  EXPECT_EQ(s.toString(),
            "id: int, big: decimal(21,0), price: double, ratio: double, day: date, ts: timestamp, "
            "flag: boolean, name: string");
  auto rows = readAll({p}, s, o);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], Value::int32(1));
  EXPECT_EQ(rows[1][1], Value::null(DataType::decimal(21, 0)));
  EXPECT_TRUE(rows[1][1].isNull());
  EXPECT_EQ(rows[2][1].toString(), "123456789012345678901");
  EXPECT_EQ(rows[1][2], Value::float64(2.25));
  EXPECT_EQ(rows[0][4], Value::date(*parseDate("2024-01-31")));
  EXPECT_EQ(rows[1][5], Value::timestamp(*parseTimestamp("2024-02-01 11:30:00")));
  EXPECT_EQ(rows[2][6], Value::boolean(true));
  EXPECT_TRUE(rows[1][7].isNull());
}

TEST_F(CsvTest, ByteOrderMarkIsNotPartOfTheHeader) {
  auto p = write("bom.csv", "\xEF\xBB\xBFid,name\n1,a\n");
  FormatOptions o{{"header", "true"}, {"inferSchema", "true"}};
  Schema s = FileFormat::forName("csv").inferSchema({p}, o);
  EXPECT_EQ(s.toString(), "id: int, name: string");
  auto noHeader = readAll({p}, Schema({{"a", DataType::string()}, {"b", DataType::string()}}), {});
  ASSERT_EQ(noHeader.size(), 2u);
  EXPECT_EQ(noHeader[0][0].asString(), "id");
}

TEST_F(CsvTest, WithoutInferSchemaEverythingIsStringAndNamesAreGenerated) {
  auto p = write("a.csv", "1,a\n2,b\n");
  Schema s = FileFormat::forName("csv").inferSchema({p}, {});
  EXPECT_EQ(s.toString(), "_c0: string, _c1: string");
}

TEST_F(CsvTest, QuotesEscapesDelimiterAndMultiLine) {
  auto p = write("q.csv",
                 "a;b\n"
                 "\"x;1\";\"say \\\"hi\\\"\"\n"
                 "\"doubled \"\"q\"\"\";plain\n"
                 "\"line1\nline2\";end\n");
  FormatOptions o{{"header", "true"}, {"sep", ";"}, {"multiLine", "true"}};
  Schema s({{"a", DataType::string()}, {"b", DataType::string()}});
  auto rows = readAll({p}, s, o);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0].asString(), "x;1");
  EXPECT_EQ(rows[0][1].asString(), "say \"hi\"");
  EXPECT_EQ(rows[1][0].asString(), "doubled \"q\"");
  EXPECT_EQ(rows[2][0].asString(), "line1\nline2");
  EXPECT_EQ(rows[2][1].asString(), "end");
}

TEST_F(CsvTest, BadRecordModes) {
  auto p = write("bad.csv", "1,a\nx,b\n3\n4,d\n");
  Schema s({{"n", DataType::int32()},
            {"s", DataType::string()},
            {"_corrupt_record", DataType::string()}});
  auto perm = readAll({p}, s, {});
  ASSERT_EQ(perm.size(), 4u);
  EXPECT_TRUE(perm[1][0].isNull());
  EXPECT_EQ(perm[1][1].asString(), "b");
  EXPECT_EQ(perm[1][2].asString(), "x,b");
  EXPECT_EQ(perm[2][0], Value::int32(3));
  EXPECT_TRUE(perm[2][1].isNull());
  EXPECT_EQ(perm[2][2].asString(), "3");
  EXPECT_TRUE(perm[3][2].isNull());

  auto drop = readAll({p}, s, {{"mode", "DROPMALFORMED"}});
  ASSERT_EQ(drop.size(), 2u);
  EXPECT_EQ(drop[1][0], Value::int32(4));

  try {
    readAll({p}, s, {{"mode", "failfast"}});
    FAIL() << "no error";
  } catch (const IoError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(p), std::string::npos) << m;
    EXPECT_NE(m.find("line 2"), std::string::npos) << m;
    EXPECT_NE(m.find("column 1 (n: int)"), std::string::npos) << m;
  }
  EXPECT_THROW(readAll({p}, s, {{"mode", "sloppy"}}), UserError);
}

TEST_F(CsvTest, SplitsReadEveryRecordOnceAndProjectionPicksColumns) {
  std::string text = "k,v\n";
  for (int i = 0; i < 500; ++i) text += std::to_string(i) + ",v" + std::to_string(i) + "\n";
  auto p = write("big.csv", text);
  Schema s({{"k", DataType::int64()}, {"v", DataType::string()}});
  FormatOptions o{{"header", "true"}};
  auto rows = readAll({p}, s, o, 97, {1, 0});
  ASSERT_EQ(rows.size(), 500u);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(rows[static_cast<size_t>(i)][0].asString(), "v" + std::to_string(i));
    EXPECT_EQ(rows[static_cast<size_t>(i)][1], Value::int64(i));
  }
  EXPECT_GT(FileFormat::forName("csv").planSplits({p}, o, 97).size(), 10u);
  EXPECT_EQ(FileFormat::forName("csv").planSplits({p}, {{"multiLine", "true"}}, 97).size(), 1u);
}

TEST_F(CsvTest, CustomDateAndNullFormats) {
  auto p = write("d.csv", "31/01/2024|NA|31/01/2024 10:20:30\n");
  Schema s({{"d", DataType::date()}, {"n", DataType::int32()}, {"t", DataType::timestamp()}});
  FormatOptions o{{"delimiter", "|"},
                  {"nullValue", "NA"},
                  {"dateFormat", "dd/MM/yyyy"},
                  {"timestampFormat", "dd/MM/yyyy HH:mm:ss"}};
  auto rows = readAll({p}, s, o);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], Value::date(*parseDate("2024-01-31")));
  EXPECT_TRUE(rows[0][1].isNull());
  EXPECT_EQ(rows[0][2], Value::timestamp(*parseTimestamp("2024-01-31 10:20:30")));
  auto compact = write("c.csv", "20240131\n");
  auto crows = readAll({compact}, Schema({{"d", DataType::date()}}),
                       {{"dateFormat", "yyyyMMdd"}, {"mode", "FAILFAST"}});
  ASSERT_EQ(crows.size(), 1u);
  EXPECT_EQ(crows[0][0], Value::date(*parseDate("2024-01-31")));
  // Spark's documented default pattern, with optional sections.
  auto q =
      write("o.csv", "2024-01-31T10:20:30.5Z\n2024-01-31T10:20:30\n2024-01-31T10:20:30+01:00\n");
  Schema ts({{"t", DataType::timestamp()}});
  auto trows = readAll(
      {q}, ts, {{"timestampFormat", "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]"}, {"mode", "FAILFAST"}});
  ASSERT_EQ(trows.size(), 3u);
  EXPECT_EQ(trows[0][0], Value::timestamp(*parseTimestamp("2024-01-31 10:20:30.5")));
  EXPECT_EQ(trows[1][0], Value::timestamp(*parseTimestamp("2024-01-31 10:20:30")));
  EXPECT_EQ(trows[2][0], Value::timestamp(*parseTimestamp("2024-01-31 09:20:30")));
  EXPECT_THROW(FileFormat::forName("csv").open({p, 0, 1, 1, {}}, s, {0}, {},
                                               {{"dateFormat", "yyyy[-MM"}}, 10),
               UserError);
  EXPECT_THROW(FileFormat::forName("csv").open({p, 0, 1, 1, {}}, s, {0}, {},
                                               {{"dateFormat", "yyyy-QQ"}}, 10),
               UserError);
}

TEST_F(CsvTest, WriterRoundTripsWithQuotingNullsAndCompression) {
  Schema s({{"i", DataType::int32()},
            {"s", DataType::string()},
            {"d", DataType::decimal(10, 2)},
            {"f", DataType::float64()},
            {"day", DataType::date()},
            {"ts", DataType::timestamp()}});
  auto b = Batch::empty(s);
  Row r1{Value::int32(1),      Value::string("a,b \"q\""), Value::decimal(1250, 10, 2),
         Value::float64(1e10), Value::date(19753),         Value::timestamp(1706695200123000)};
  Row r2{Value::null(DataType::int32()),        Value::string(""),
         Value::null(DataType::decimal(10, 2)), Value::float64(0.5),
         Value::null(DataType::date()),         Value::null(DataType::timestamp())};
  for (const Row& r : {r1, r2})
    for (size_t c = 0; c < r.size(); ++c) r[c].appendTo(*b->columns[c]);
  b->numRows = 2;
  for (std::string comp : {"none", "gzip", "zstd"}) {
    FormatOptions o{{"header", "true"}, {"compression", comp}};
    const FileFormat& f = FileFormat::forName("csv");
    std::string path = (dir_ / ("out" + f.fileExtension(o))).string();
    auto w = f.createWriter(path, s, o);
    w->write(*b);
    w->close();
    EXPECT_GT(w->bytesWritten(), 0u);
    if (comp == "none") {
      std::ifstream in(path);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      EXPECT_EQ(text,
                "i,s,d,f,day,ts\n"
                "1,\"a,b \\\"q\\\"\",12.50,1.0E10,2024-01-31,2024-01-31T10:00:00.123Z\n"
                ",\"\",,0.5,,\n");
    }
    auto rows = readAll({path}, s, o);
    ASSERT_EQ(rows.size(), 2u) << comp;
    EXPECT_EQ(rows[0], r1) << comp;
    EXPECT_EQ(rows[1][3], r2[3]);
    EXPECT_TRUE(rows[1][0].isNull());
  }
}

TEST_F(CsvTest, UnknownFormatNamesTheKnownOnes) {
  try {
    FileFormat::forName("xml");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("csv"), std::string::npos);
  }
}

}  // namespace
}  // namespace ember
