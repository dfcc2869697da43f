#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ember/common/errors.h"
#include "ember/io/file_format.h"
#include "ember/io/file_listing.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

TEST(FormatOptionsTest, NamesAreCaseInsensitiveAndValuesTyped) {
  FormatOptions o{
      {"inferSchema", "TRUE"}, {"SamplingRatio", "0.5"}, {"sep", "\\t"}, {"x", "\\u0001"}};
  EXPECT_TRUE(o.getBool("inferschema", false));
  EXPECT_DOUBLE_EQ(o.getDouble("samplingratio", 1), 0.5);
  EXPECT_EQ(o.getChar("SEP", ','), '\t');
  EXPECT_EQ(o.getChar("x", ','), '\x01');
  EXPECT_EQ(o.getChar("missing", ','), ',');
  EXPECT_EQ(o.getInt("missing", 7), 7);
  o.set("header", "yes");
  EXPECT_THROW(o.getBool("header", false), UserError);
  o.set("n", "12x");
  EXPECT_THROW(o.getInt("n", 0), UserError);
  o.set("sep", "ab");
  EXPECT_THROW(o.getChar("sep", ','), UserError);
  EXPECT_EQ(parseModeOf({{"MODE", "dropMalformed"}}), ParseMode::kDropMalformed);
  EXPECT_EQ(parseModeOf({}), ParseMode::kPermissive);
  EXPECT_THROW(parseModeOf({{"mode", "lenient"}}), UserError);
}

TEST(FormatOptionsTest, OptionsSplitsAndPredicatesSerialise) {
  FormatOptions o{{"header", "true"}, {"nullValue", "NA"}};
  FileSplit s{"/data/x.parquet", 10, 20, 30, {1, 3}};
  ColumnPredicate p{2, ColumnPredicate::Op::kIn, {Value::int64(1), Value::string("a")}};
  ByteWriter w;
  o.serialize(w);
  s.serialize(w);
  p.serialize(w);
  std::string bytes = w.take();
  ByteReader r(bytes);
  EXPECT_EQ(FormatOptions::deserialize(r).entries(), o.entries());
  EXPECT_EQ(FileSplit::deserialize(r), s);
  ColumnPredicate q = ColumnPredicate::deserialize(r);
  EXPECT_EQ(q.toString(), p.toString());
  EXPECT_EQ(q.toString(), "#2 IN (1, 'a')");
  EXPECT_TRUE(r.atEnd());
}

TEST(FileFormatTest, RegistryKnowsTheFormatsAndNamesThemInErrors) {
  for (const char* n : {"csv", "CSV", "json", "jsonl", "parquet", "text"})
    EXPECT_NO_THROW(FileFormat::forName(n)) << n;
  EXPECT_EQ(FileFormat::forName("jsonl").name(), "json");
  try {
    FileFormat::forName("avro");
    FAIL();
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("avro"), std::string::npos);
    EXPECT_NE(m.find("csv, json, parquet and text"), std::string::npos) << m;
  }
  EXPECT_THROW(FileFormat::forName("csv").inferSchema({}, {}), UserError);
}

TEST(FileFormatTest, TextFormatReadsAndWritesLines) {
  fs::path dir = fs::temp_directory_path() / ("ember_text_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const FileFormat& f = FileFormat::forName("text");
  Schema s = f.inferSchema({"unused"}, {});
  EXPECT_EQ(s.toString(), "value: string");
  auto b = Batch::empty(s);
  for (const char* line : {"one", "", "three"}) b->columns[0]->appendString(line);
  b->numRows = 3;
  std::string path = (dir / ("part" + f.fileExtension({{"compression", "gzip"}}))).string();
  EXPECT_EQ(path.substr(path.size() - 7), ".txt.gz");
  auto w = f.createWriter(path, s, {{"compression", "gzip"}});
  w->write(*b);
  w->close();
  std::vector<std::string> lines;
  for (const auto& sp : f.planSplits({path}, {}, 1)) {
    auto r = f.open(sp, s, {0}, {}, {}, 2);
    while (auto got = r->next())
      for (int64_t i = 0; i < got->numRows; ++i) lines.emplace_back(got->column(0).stringAt(i));
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "", "three"}));
  fs::remove_all(dir);
}

// The TPC-H tables of the shared data set (when present): '|'-separated with a header.
TEST(FileFormatTest, ReadsTheTpchCsvFiles) {
  std::string dir = "/work/shared/tpch/data/sf0.01";
  if (!fs::exists(dir + "/lineitem.csv")) GTEST_SKIP() << dir << " is not available";
  const FileFormat& f = FileFormat::forName("csv");
  FormatOptions o{{"header", "true"}, {"sep", "|"}, {"inferSchema", "true"}, {"mode", "FAILFAST"}};
  std::map<std::string, int64_t> want{{"region", 5},      {"nation", 25},     {"supplier", 100},
                                      {"customer", 1500}, {"part", 2000},     {"partsupp", 8000},
                                      {"orders", 15000},  {"lineitem", 60175}};
  for (const auto& [table, rows] : want) {
    std::vector<std::string> files;
    for (const auto& in : listInputFiles(dir + "/" + table + ".csv")) files.push_back(in.path);
    Schema s = f.inferSchema(files, o);
    std::vector<int> all;
    for (size_t i = 0; i < s.size(); ++i) all.push_back(static_cast<int>(i));
    int64_t n = 0;
    for (const auto& sp : f.planSplits(files, o, 256 << 10)) {
      auto r = f.open(sp, s, all, {}, o, 4096);
      while (auto b = r->next()) n += b->numRows;
    }
    EXPECT_EQ(n, rows) << table;
    if (table == "lineitem") {
      EXPECT_EQ(
          s.toString(),
          "l_orderkey: int, l_partkey: int, l_suppkey: int, l_linenumber: int, l_quantity: int, "
          "l_extendedprice: double, l_discount: double, l_tax: double, l_returnflag: string, "
          "l_linestatus: string, l_shipdate: date, l_commitdate: date, l_receiptdate: date, "
          "l_shipinstruct: string, l_shipmode: string, l_comment: string");
    }
  }
}

}  // namespace
}  // namespace ember
