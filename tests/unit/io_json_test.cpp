#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "ember/io/file_format.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

class JsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_json_" + std::to_string(::getpid()) + "_" +
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
  std::vector<Row> readAll(const std::vector<std::string>& files, const Schema& s,
                           const FormatOptions& o, uint64_t splitBytes = 1 << 20) {
    const FileFormat& f = FileFormat::forName("json");
    std::vector<int> proj;
    for (size_t i = 0; i < s.size(); ++i) proj.push_back(static_cast<int>(i));
    std::vector<Row> rows;
    for (const auto& sp : f.planSplits(files, o, splitBytes)) {
      auto r = f.open(sp, s, proj, {}, o, 2);
      while (auto b = r->next())
        for (int64_t i = 0; i < b->numRows; ++i) {
          Row row;
          for (size_t c = 0; c < b->numColumns(); ++c)
            row.push_back(Value::fromColumn(b->column(c), i));
          rows.push_back(row);
        }
    }
    return rows;
  }
  fs::path dir_;
};

TEST_F(JsonTest, InfersSortedFieldsAndReadsValues) {
  auto p = write("a.json",
                 "{\"name\": \"a\", \"n\": 1, \"x\": 1.5, \"ok\": true, \"obj\": {\"k\": [1, 2]}}\n"
                 "\n"
                 "{\"n\": 12345678901, \"x\": 2, \"name\": null, \"extra\": \"e\"}\n"
                 "{\"n\": 3, \"obj\": [1,\"two\"], \"ok\": false}\n");
  const FileFormat& f = FileFormat::forName("JSON");
  Schema s = f.inferSchema({p}, {});
  EXPECT_EQ(s.toString(),
            "extra: string, n: bigint, name: string, obj: string, ok: boolean, x: double");
  auto rows = readAll({p}, s, {});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0][0].isNull());
  EXPECT_EQ(rows[0][1], Value::int64(1));
  EXPECT_EQ(rows[0][2], Value::string("a"));
  EXPECT_EQ(rows[0][3], Value::string("{\"k\": [1, 2]}"));
  EXPECT_EQ(rows[0][4], Value::boolean(true));
  EXPECT_EQ(rows[1][1], Value::int64(12345678901));
  EXPECT_TRUE(rows[1][2].isNull());
  EXPECT_EQ(rows[1][5], Value::float64(2));
  EXPECT_EQ(rows[2][3], Value::string("[1,\"two\"]"));
}

TEST_F(JsonTest, BadRecordModesAndCorruptColumn) {
  auto p =
      write("b.json", "{\"a\": 1}\n{\"a\": \"x\"}\n{not json\n{\"a\": 2} trailing\n{\"a\": 4}\n");
  Schema s({{"a", DataType::int64()}, {"_corrupt_record", DataType::string()}});
  auto perm = readAll({p}, s, {});
  ASSERT_EQ(perm.size(), 5u);
  EXPECT_EQ(perm[0][0], Value::int64(1));
  EXPECT_TRUE(perm[0][1].isNull());
  EXPECT_TRUE(perm[1][0].isNull());
  EXPECT_EQ(perm[1][1], Value::string("{\"a\": \"x\"}"));
  EXPECT_EQ(perm[2][1], Value::string("{not json"));
  EXPECT_EQ(perm[3][1], Value::string("{\"a\": 2} trailing"));
  EXPECT_EQ(perm[4][0], Value::int64(4));
  auto drop = readAll({p}, s, {{"mode", "DROPMALFORMED"}});
  ASSERT_EQ(drop.size(), 2u);
  EXPECT_EQ(drop[1][0], Value::int64(4));
  try {
    readAll({p}, s, {{"mode", "FAILFAST"}});
    FAIL();
  } catch (const IoError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find(p + ", line 2"), std::string::npos) << m;
  }
  // Inference over malformed records adds the corrupt-record column, as Spark does.
  EXPECT_EQ(FileFormat::forName("json").inferSchema({p}, {}).toString(),
            "a: string, _corrupt_record: string");
}

TEST_F(JsonTest, MultiLineArrayAndSplits) {
  auto p = write("m.json", "[\n {\"a\": 1,\n  \"b\": \"x, ]\"},\n {\"a\": 2}\n]\n");
  FormatOptions o{{"multiLine", "true"}};
  Schema s = FileFormat::forName("json").inferSchema({p}, o);
  EXPECT_EQ(s.toString(), "a: bigint, b: string");
  auto rows = readAll({p}, s, o);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], Value::string("x, ]"));
  EXPECT_EQ(rows[1][0], Value::int64(2));

  std::string text;
  for (int i = 0; i < 300; ++i) text += "{\"i\": " + std::to_string(i) + "}\n";
  auto big = write("big.json", text);
  Schema si({{"i", DataType::int32()}});
  auto all = readAll({big}, si, {}, 50);
  ASSERT_EQ(all.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(all[static_cast<size_t>(i)][0], Value::int32(i));
}

TEST_F(JsonTest, WriterRoundTrips) {
  Schema s({{"i", DataType::int32()},
            {"s", DataType::string()},
            {"d", DataType::decimal(10, 2)},
            {"f", DataType::float64()},
            {"day", DataType::date()},
            {"ts", DataType::timestamp()},
            {"b", DataType::boolean()}});
  auto b = Batch::empty(s);
  Row r1{Value::int32(-5),    Value::string("q\"\n\\"), Value::decimal(12345, 10, 2),
         Value::float64(0.1), Value::date(19000),       Value::timestamp(1700000000123000),
         Value::boolean(true)};
  Row r2{Value::null(DataType::int32()),
         Value::null(DataType::string()),
         Value::null(DataType::decimal(10, 2)),
         Value::float64(1e300),
         Value::null(DataType::date()),
         Value::null(DataType::timestamp()),
         Value::boolean(false)};
  for (const Row& r : {r1, r2})
    for (size_t c = 0; c < r.size(); ++c) r[c].appendTo(*b->columns[c]);
  b->numRows = 2;
  const FileFormat& f = FileFormat::forName("json");
  for (std::string comp : {"none", "gzip"}) {
    FormatOptions o{{"compression", comp}};
    std::string path = (dir_ / ("o" + f.fileExtension(o))).string();
    auto w = f.createWriter(path, s, o);
    w->write(*b);
    w->close();
    auto rows = readAll({path}, s, {});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], r1);
    EXPECT_EQ(rows[1], r2);
  }
}

TEST_F(JsonTest, InfersAndReadsArraysAndStructs) {
  auto p =
      write("n.json",
            "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"addr\": {\"zip\": 1, \"city\": \"oslo\"}}\n"
            "{\"id\": 2, \"tags\": [], \"addr\": {\"city\": \"rome\", \"geo\": [1.5]}, "
            "\"m\": [[1], [2, 3]]}\n"
            "{\"id\": 3, \"tags\": null, \"addr\": null, \"e\": []}\n"
            "{\"id\": 4, \"tags\": [\"c\", 5]}\n");
  const FileFormat& f = FileFormat::forName("json");
  Schema s = f.inferSchema({p}, {});
  // Struct fields merged and sorted; an array of strings and a number widens to strings;
  // an always-empty array is array<string>, as Spark.
  EXPECT_EQ(s.toString(),
            "addr: struct<city:string,geo:array<double>,zip:bigint>, e: array<string>, "
            "id: bigint, m: array<array<bigint>>, tags: array<string>");
  auto rows = readAll({p}, s, {});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0].toString(), "{oslo, null, 1}");
  EXPECT_EQ(rows[1][0].toString(), "{rome, [1.5], null}");
  EXPECT_TRUE(rows[2][0].isNull());
  EXPECT_EQ(rows[1][3].toString(), "[[1], [2, 3]]");
  EXPECT_EQ(rows[0][4].toString(), "[a, b]");
  EXPECT_EQ(rows[1][4].toString(), "[]");
  EXPECT_EQ(rows[3][4].toString(), "[c, 5]");
  EXPECT_EQ(rows[2][1].toString(), "[]");

  // A value that does not fit the declared nested type is a malformed record; in
  // PERMISSIVE mode its row is NULL and nothing of it leaks into later rows.
  Schema declared({{"id", DataType::int64()}, {"tags", DataType::array(DataType::int64())}});
  auto typed = readAll({p}, declared, {});
  ASSERT_EQ(typed.size(), 4u);
  EXPECT_TRUE(typed[0][1].isNull());
  EXPECT_EQ(typed[1][1].toString(), "[]");
  EXPECT_TRUE(typed[3][1].isNull());
  FormatOptions failFast;
  failFast.set("mode", "FAILFAST");
  EXPECT_THROW(readAll({p}, declared, failFast), IoError);
}

}  // namespace
}  // namespace ember
