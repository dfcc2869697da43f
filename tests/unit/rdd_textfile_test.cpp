// Text input and output of the typed RDD API: textFile on a file, a directory, a glob
// and a comma-separated list, split into several partitions (every line exactly
// once); saveAsTextFile (part files + _SUCCESS, refuses an existing directory,
// round-trips through textFile).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rdd_test_util.h"

namespace ember {
namespace {

using testing_rdd::sorted;
using testing_rdd::TempDir;
using testing_rdd::writeLines;

class RddTextFileTest : public testing_rdd::RddClusterTest {
 protected:
  // n distinct lines of varying length, tagged with `tag`.
  static std::vector<std::string> lines(const std::string& tag, int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i)
      v.push_back(tag + "-" + std::to_string(i) + std::string(static_cast<size_t>(i % 37), 'x'));
    return v;
  }
  static std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};
EMBER_RDD_CLUSTER_SUITE(RddTextFileTest);

TEST_P(RddTextFileTest, SingleFileInManySplitsReadsEveryLineOnce) {
  TempDir dir;
  auto in = lines("a", 2000);
  writeLines(dir / "a.txt", in);
  auto rdd = ctx().textFile(dir / "a.txt", 7);
  EXPECT_GE(rdd.getNumPartitions(), 7);
  EXPECT_EQ(rdd.collect(), in) << "splits are read in order and no line is split or repeated";
  EXPECT_EQ(rdd.count(), 2000);
  auto sizes = rdd.glom()
                   .map([](std::vector<std::string> v) { return static_cast<int64_t>(v.size()); })
                   .collect();
  for (int64_t n : sizes) EXPECT_GT(n, 0);
}

TEST_P(RddTextFileTest, MorePartitionsThanLines) {
  TempDir dir;
  std::vector<std::string> in{"alpha", "", "gamma delta", "e"};
  writeLines(dir / "few.txt", in);
  auto rdd = ctx().textFile(dir / "few.txt", 40);
  EXPECT_GT(rdd.getNumPartitions(), 4);
  EXPECT_EQ(rdd.collect(), in);
}

TEST_P(RddTextFileTest, DirectoryGlobAndCommaList) {
  TempDir dir;
  std::filesystem::create_directory(dir / "in");
  auto a = lines("a", 300), b = lines("b", 50), c = lines("c", 120);
  writeLines(dir / "in/a.txt", a);
  writeLines(dir / "in/b.txt", b);
  writeLines(dir / "in/c.log", c);
  writeLines(dir / "in/_SUCCESS", {"hidden"});
  writeLines(dir / "in/.hidden", {"hidden"});

  std::vector<std::string> all;
  for (auto* v : {&a, &b, &c}) all.insert(all.end(), v->begin(), v->end());
  EXPECT_EQ(sorted(ctx().textFile(dir / "in", 4).collect()), sorted(all));

  std::vector<std::string> txt = a;
  txt.insert(txt.end(), b.begin(), b.end());
  EXPECT_EQ(sorted(ctx().textFile(dir / "in/*.txt", 3).collect()), sorted(txt));

  std::vector<std::string> ac = a;
  ac.insert(ac.end(), c.begin(), c.end());
  auto list = ctx().textFile(dir / "in/a.txt" + "," + dir / "in/c.log", 5);
  EXPECT_EQ(list.collect(), ac) << "files in the order of their sorted paths, lines in order";
  EXPECT_EQ(list.count(), 420);

  EXPECT_THROW(ctx().textFile(dir / "missing"), UserError);
  EXPECT_THROW(ctx().textFile(dir / "in/*.csv"), UserError);
}

TEST_P(RddTextFileTest, EmptyFileAndFileWithoutTrailingNewline) {
  TempDir dir;
  writeLines(dir / "empty.txt", {});
  EXPECT_EQ(ctx().textFile(dir / "empty.txt", 3).count(), 0);
  {
    std::ofstream out(dir / "nonl.txt", std::ios::binary);
    out << "one\r\ntwo\n\nfour";
  }
  EXPECT_EQ(ctx().textFile(dir / "nonl.txt", 2).collect(),
            (std::vector<std::string>{"one", "two", "", "four"}));
}

TEST_P(RddTextFileTest, SaveAsTextFileWritesPartsAndSuccessAndRoundTrips) {
  TempDir dir;
  auto counts = ctx().parallelize(
      std::vector<std::pair<std::string, int64_t>>{{"a", 1}, {"b", 22}, {"c", 3}}, 2);
  std::string out = dir / "out";
  counts.saveAsTextFile(out);
  EXPECT_TRUE(std::filesystem::exists(out + "/_SUCCESS"));
  EXPECT_EQ(readFile(out + "/part-00000"), "(a,1)\n");
  EXPECT_EQ(readFile(out + "/part-00001"), "(b,22)\n(c,3)\n");
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(out)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 3) << "two part files and _SUCCESS, no staging leftovers";
  EXPECT_EQ(sorted(ctx().textFile(out).collect()),
            (std::vector<std::string>{"(a,1)", "(b,22)", "(c,3)"}));

  // Larger data through several partitions, including empty ones.
  auto in = lines("r", 1000);
  std::string out2 = dir / "nested/out2";
  ctx()
      .parallelize(in, 9)
      .filter([](const std::string& s) { return s < "r-5"; })
      .saveAsTextFile(out2);
  std::vector<std::string> kept;
  for (auto& s : in)
    if (s < "r-5") kept.push_back(s);
  EXPECT_TRUE(std::filesystem::exists(out2 + "/part-00008"));
  EXPECT_EQ(ctx().textFile(out2, 3).collect(), kept);
}

TEST_P(RddTextFileTest, SaveAsTextFileRefusesAnExistingDirectory) {
  TempDir dir;
  std::string out = dir / "out";
  std::filesystem::create_directory(out);
  writeLines(out + "/keep.txt", {"precious"});
  auto rdd = ctx().parallelize(std::vector<int64_t>{1, 2, 3}, 2);
  try {
    rdd.saveAsTextFile(out);
    FAIL() << "saveAsTextFile must refuse an existing directory";
  } catch (const UserError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(out), std::string::npos) << msg;
    EXPECT_NE(msg.find("already exists"), std::string::npos) << msg;
  }
  EXPECT_EQ(readFile(out + "/keep.txt"), "precious\n");
  EXPECT_FALSE(std::filesystem::exists(out + "/part-00000"));
  // Saving twice to a new path: the second call fails the same way.
  rdd.saveAsTextFile(dir / "fresh");
  EXPECT_THROW(rdd.saveAsTextFile(dir / "fresh"), UserError);
  EXPECT_EQ(sorted(ctx().textFile(dir / "fresh").collect()),
            (std::vector<std::string>{"1", "2", "3"}));
}

TEST_P(RddTextFileTest, FailedSaveLeavesNoOutputDirectory) {
  TempDir dir;
  std::string out = dir / "out";
  auto bad = ctx().parallelize(std::vector<int64_t>{1, 2, 3, 4}, 2).map([](int64_t x) {
    if (x == 4) throw std::runtime_error("broken record");
    return x;
  });
  EXPECT_THROW(bad.saveAsTextFile(out), JobFailedError);
  EXPECT_FALSE(std::filesystem::exists(out)) << "a failed job must not leave a partial output";
  ctx().parallelize(std::vector<int64_t>{5}, 1).saveAsTextFile(out);
  EXPECT_EQ(readFile(out + "/part-00000"), "5\n");
}

}  // namespace
}  // namespace ember
