#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "ember/common/errors.h"
#include "ember/io/file_listing.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

class FileListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ember-listing-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = fs::path(tmpl).lexically_normal().string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string write(const std::string& rel, const std::string& content) {
    fs::path p = fs::path(root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& rel) const { return (fs::path(root_) / rel).string(); }

  static std::vector<std::string> paths(const std::vector<InputFile>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) out.push_back(f.path);
    return out;
  }
  // The UserError message listInputFiles throws for `spec`, or nullopt if it does not throw.
  static std::optional<std::string> errorOf(const std::string& spec) {
    try {
      listInputFiles(spec);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::nullopt;
  }

  std::string root_;
};

TEST_F(FileListingTest, DirectoryListsVisibleRegularFilesOnly) {
  write("in/b.txt", "bb");
  write("in/a.txt", "a");
  write("in/_SUCCESS", "");
  write("in/.a.txt.crc", "x");
  write("in/sub/c.txt", "ccc");  // not recursive
  auto files = listInputFiles(path("in"));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], (InputFile{path("in/a.txt"), 1}));
  EXPECT_EQ(files[1], (InputFile{path("in/b.txt"), 2}));
  // A trailing slash names the same directory.
  EXPECT_EQ(listInputFiles(path("in") + "/"), files);
}

TEST_F(FileListingTest, EmptyDirectoryIsNoFilesNotAnError) {
  fs::create_directories(path("empty"));
  EXPECT_TRUE(listInputFiles(path("empty")).empty());
}

TEST_F(FileListingTest, ExplicitFileIsReadEvenIfHiddenByName) {
  write("d/_meta", "12345");
  auto files = listInputFiles(path("d/_meta"));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].size, 5u);
}

TEST_F(FileListingTest, GlobsWithWildcardsBracesAndDirectories) {
  write("logs/2024-01/x.log", "1");
  write("logs/2024-01/_tmp.log", "1");
  write("logs/2024-02/y.log", "22");
  write("logs/2024-03/z.log", "333");
  write("logs/readme.md", "r");
  EXPECT_EQ(paths(listInputFiles(path("logs/2024-0[12]"))),
            (std::vector<std::string>{path("logs/2024-01/x.log"), path("logs/2024-02/y.log")}));
  EXPECT_EQ(paths(listInputFiles(path("logs/*/*.log"))),
            (std::vector<std::string>{path("logs/2024-01/x.log"), path("logs/2024-02/y.log"),
                                      path("logs/2024-03/z.log")}));
  EXPECT_EQ(paths(listInputFiles(path("logs/2024-0{1,3}/?.log"))),
            (std::vector<std::string>{path("logs/2024-01/x.log"), path("logs/2024-03/z.log")}));
  // A pattern that asks for hidden names gets them.
  EXPECT_EQ(paths(listInputFiles(path("logs/2024-01/_*"))),
            (std::vector<std::string>{path("logs/2024-01/_tmp.log")}));
}

TEST_F(FileListingTest, CommaListIsSortedAndDeduplicated) {
  write("c.txt", "c");
  write("a.txt", "a");
  write("dir/b.txt", "b");
  std::string spec = path("c.txt") + "," + path("dir") + "," + path("a.txt") + "," +
                     path("./dir/../a.txt") + "," + path("*.txt");
  EXPECT_EQ(paths(listInputFiles(spec)),
            (std::vector<std::string>{path("a.txt"), path("c.txt"), path("dir/b.txt")}));
}

TEST_F(FileListingTest, CommasInsideBracesDoNotSplit) {
  EXPECT_EQ(splitPathSpec("a,{b,c}/x,d"), (std::vector<std::string>{"a", "{b,c}/x", "d"}));
  EXPECT_EQ(splitPathSpec("one"), (std::vector<std::string>{"one"}));
  write("b/x", "1");
  write("c/x", "2");
  EXPECT_EQ(paths(listInputFiles(path("{b,c}/x"))),
            (std::vector<std::string>{path("b/x"), path("c/x")}));
}

TEST_F(FileListingTest, RelativeTildeAndFileSchemePathsBecomeAbsolute) {
  write("data/f.txt", "hello");
  std::string rel = fs::relative(path("data/f.txt")).string();
  ASSERT_FALSE(fs::path(rel).is_absolute());
  EXPECT_EQ(paths(listInputFiles(rel)), (std::vector<std::string>{path("data/f.txt")}));
  EXPECT_EQ(paths(listInputFiles("file://" + path("data/f.txt"))),
            (std::vector<std::string>{path("data/f.txt")}));

  const char* oldHome = std::getenv("HOME");
  std::string saved = oldHome != nullptr ? oldHome : "";
  setenv("HOME", root_.c_str(), 1);
  auto plain = listInputFiles("~/data/f.txt");
  auto pattern = listInputFiles("~/data/*.txt");
  if (oldHome != nullptr) {
    setenv("HOME", saved.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  EXPECT_EQ(paths(plain), (std::vector<std::string>{path("data/f.txt")}));
  EXPECT_EQ(paths(pattern), (std::vector<std::string>{path("data/f.txt")}));
}

TEST_F(FileListingTest, MissingPathSuggestsCloseName) {
  write("input/data.txt", "x");
  auto msg = errorOf(path("input/dat.txt"));
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("Input path does not exist: " + path("input/dat.txt")), std::string::npos)
      << *msg;
  EXPECT_NE(msg->find("did you mean " + path("input/data.txt") + "?"), std::string::npos) << *msg;

  // A typo in a directory component: the corrected full path is suggested when it exists.
  msg = errorOf(path("inptu/data.txt"));
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("did you mean " + path("input/data.txt") + "?"), std::string::npos) << *msg;

  // Nothing close: no suggestion.
  msg = errorOf(path("input/completely-different-name.csv"));
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("Input path does not exist"), std::string::npos);
  EXPECT_EQ(msg->find("did you mean"), std::string::npos) << *msg;

  // One missing element fails the whole list.
  EXPECT_TRUE(errorOf(path("input/data.txt") + "," + path("input/nope")).has_value());
}

TEST_F(FileListingTest, GlobWithoutMatchesIsAnError) {
  write("logs/a.log", "x");
  auto msg = errorOf(path("logs/*.csv"));
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("Input pattern " + path("logs/*.csv") + " matches 0 files"),
            std::string::npos)
      << *msg;

  msg = errorOf(path("lgos/*.log"));
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("matches 0 files"), std::string::npos) << *msg;
  EXPECT_NE(msg->find("did you mean " + path("logs") + "?"), std::string::npos) << *msg;
}

TEST_F(FileListingTest, MalformedSpecsAreUserErrors) {
  write("a.txt", "a");
  EXPECT_THROW(listInputFiles(""), UserError);
  auto msg = errorOf(path("a.txt") + ",," + path("a.txt"));
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("empty element"), std::string::npos) << *msg;
  msg = errorOf("hdfs://namenode/data");
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("hdfs://"), std::string::npos) << *msg;
}

}  // namespace
}  // namespace ember
