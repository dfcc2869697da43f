#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "ember/common/errors.h"
#include "ember/io/file_listing.h"
#include "ember/io/output_commit.h"
#include "ember/io/text_input.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

std::string readFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void writePart(const std::string& path, const std::vector<std::string>& lines) {
  TextPartWriter w(path);
  for (const auto& l : lines) w.writeLine(l);
  w.close();
}

class OutputCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ember-commit-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    out_ = root_ + "/results/out";
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string root_;
  std::string out_;
};

TEST(PartFileNameTest, FiveDigitsAtLeast) {
  EXPECT_EQ(partFileName(0), "part-00000");
  EXPECT_EQ(partFileName(3), "part-00003");
  EXPECT_EQ(partFileName(123456), "part-123456");
}

TEST_F(OutputCommitTest, SuccessfulJobAppearsAtOnceWithAllParts) {
  DirectoryOutputCommitter c(out_, "job7");
  c.setupJob();  // also creates the missing parent "results"
  EXPECT_EQ(c.stagingDir(), out_ + ".ember-staging-job7");
  EXPECT_TRUE(fs::is_directory(c.stagingDir()));
  EXPECT_EQ(c.taskAttemptPath(3, 1), c.stagingDir() + "/_attempts/3-1/part-00003");

  std::vector<std::vector<std::string>> parts{{"a", "", "b"}, {}, {"c\r", "d"}};
  for (int p = 0; p < 3; ++p) {
    writePart(c.taskAttemptPath(p, 0), parts[p]);
    c.commitTask(p, 0);
    EXPECT_FALSE(fs::exists(out_)) << "output visible before commitJob";
  }
  c.commitJob();

  EXPECT_FALSE(fs::exists(c.stagingDir()));
  EXPECT_EQ(entries(out_),
            (std::set<std::string>{"_SUCCESS", "part-00000", "part-00001", "part-00002"}));
  EXPECT_EQ(readFile(out_ + "/part-00000"), "a\n\nb\n");
  EXPECT_EQ(readFile(out_ + "/part-00001"), "");
  EXPECT_EQ(readFile(out_ + "/part-00002"), "c\r\nd\n");

  // What saveAsTextFile wrote, textFile reads back: _SUCCESS is skipped by the listing.
  auto files = listInputFiles(out_);
  ASSERT_EQ(files.size(), 3u);
  std::vector<std::string> lines;
  for (const auto& s : computeTextSplits(files, 2, 1 << 20)) {
    LineReader r(s);
    std::string_view l;
    while (r.next(l)) lines.emplace_back(l);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "", "b", "c", "d"}));
}

TEST_F(OutputCommitTest, LaterAttemptReplacesEarlierAndAbortedAttemptsLeaveNothing) {
  DirectoryOutputCommitter c(out_ + "/", "j");  // trailing slash ignored
  EXPECT_EQ(c.outputDir(), out_);
  c.setupJob();
  writePart(c.taskAttemptPath(0, 0), {"old"});
  c.commitTask(0, 0);
  writePart(c.taskAttemptPath(0, 1), {"new", "er"});
  c.commitTask(0, 1);
  writePart(c.taskAttemptPath(0, 2), {"failed half-way"});
  c.abortTask(0, 2);
  c.abortTask(0, 9);                          // never started: not an error
  EXPECT_THROW(c.commitTask(1, 0), IoError);  // wrote nothing
  writePart(c.taskAttemptPath(1, 0), {});
  c.commitTask(1, 0);
  c.commitJob();
  EXPECT_EQ(entries(out_), (std::set<std::string>{"_SUCCESS", "part-00000", "part-00001"}));
  EXPECT_EQ(readFile(out_ + "/part-00000"), "new\ner\n");
}

TEST_F(OutputCommitTest, AbortedJobLeavesNothing) {
  DirectoryOutputCommitter c(out_, "j1");
  c.setupJob();
  writePart(c.taskAttemptPath(0, 0), {"x"});
  c.commitTask(0, 0);
  writePart(c.taskAttemptPath(1, 0), {"y"});
  c.abortJob();
  EXPECT_TRUE(entries(root_ + "/results").empty());
  c.abortJob();  // idempotent
}

TEST_F(OutputCommitTest, ExistingOutputDirectoryIsRefused) {
  fs::create_directories(out_);
  DirectoryOutputCommitter c(out_, "j2");
  try {
    c.setupJob();
    FAIL() << "setupJob accepted an existing output directory";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Output directory " + out_ + " already exists; choose another path or delete it");
  }
  EXPECT_FALSE(fs::exists(c.stagingDir()));
  EXPECT_THROW(DirectoryOutputCommitter("", "j"), UserError);
}

TEST_F(OutputCommitTest, OutputAppearingDuringTheJobFailsCommitAndKeepsTheData) {
  DirectoryOutputCommitter c(out_, "j3");
  c.setupJob();
  writePart(c.taskAttemptPath(0, 0), {"kept"});
  c.commitTask(0, 0);
  fs::create_directories(out_);  // empty: a plain rename(2) would silently replace it
  try {
    c.commitJob();
    FAIL() << "commitJob replaced a directory created meanwhile";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(c.stagingDir()), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(out_));
  EXPECT_EQ(readFile(c.stagingDir() + "/part-00000"), "kept\n");
}

TEST_F(OutputCommitTest, CommitterTravelsToExecutors) {
  DirectoryOutputCommitter c(out_, "job-42");
  auto copy = deserializeFromString<DirectoryOutputCommitter>(serializeToString(c));
  EXPECT_EQ(copy.outputDir(), c.outputDir());
  EXPECT_EQ(copy.stagingDir(), c.stagingDir());
  EXPECT_EQ(copy.taskAttemptPath(5, 2), c.taskAttemptPath(5, 2));
}

TEST_F(OutputCommitTest, WriterBuffersLongAndManyLinesExactly) {
  std::string p = root_ + "/new/dir/part-00000";
  TextPartWriter w(p);
  std::string expected;
  std::string big(TextPartWriter::kBufferSize * 2 + 3, 'x');
  for (int i = 0; i < 50000; ++i) {
    std::string line = "line " + std::to_string(i);
    if (i == 100 || i == 30000) line = big;
    w.writeLine(line);
    expected += line + "\n";
  }
  EXPECT_EQ(w.bytesWritten(), expected.size());
  w.close();
  w.close();  // idempotent
  EXPECT_EQ(readFile(p), expected);
}

TEST_F(OutputCommitTest, WriterReportsDiskFullNamingTheFile) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    TextPartWriter w("/dev/full");
    w.writeLine("fits in the buffer");
    w.close();
    FAIL() << "write to /dev/full succeeded";
  } catch (const IoError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("/dev/full"), std::string::npos) << msg;
    EXPECT_NE(msg.find("No space left"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace ember
