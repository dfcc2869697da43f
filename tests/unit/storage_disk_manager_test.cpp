#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "ember/common/errors.h"
#include "ember/storage/disk_manager.h"

namespace fs = std::filesystem;

namespace ember {
namespace {

class DiskManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("ember-dm-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
  }
  void TearDown() override { fs::remove_all(base_); }

  static void writeBytes(const std::string& path, size_t n) {
    std::ofstream out(path, std::ios::binary);
    out << std::string(n, 'x');
  }

  fs::path base_;
};

TEST_F(DiskManagerTest, CreatesUniqueRootUnderLocalDir) {
  DiskManager a(base_.string(), "my app/1");
  DiskManager b(base_.string(), "my app/1");
  EXPECT_NE(a.root(), b.root());
  EXPECT_TRUE(fs::is_directory(a.root()));
  EXPECT_EQ(fs::path(a.root()).parent_path(), fs::absolute(base_));
  std::string name = fs::path(a.root()).filename().string();
  std::string expectedPrefix = "ember-my_app_1-" + std::to_string(::getpid()) + "-";
  EXPECT_EQ(name.rfind(expectedPrefix, 0), 0u) << name;
  EXPECT_GT(name.size(), expectedPrefix.size());
}

TEST_F(DiskManagerTest, TempFilesAreUniqueAndEmpty) {
  DiskManager dm(base_.string(), "app");
  std::string a = dm.createTempFile("spill");
  std::string b = dm.createTempFile("spill");
  EXPECT_NE(a, b);
  EXPECT_TRUE(fs::is_regular_file(a));
  EXPECT_EQ(fs::file_size(a), 0u);
  EXPECT_EQ(a.rfind(dm.root() + "/", 0), 0u);
  EXPECT_NE(fs::path(a).filename().string().find("spill"), std::string::npos);
}

TEST_F(DiskManagerTest, ConcurrentTempFilesNeverCollide) {
  DiskManager dm(base_.string(), "app");
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::vector<std::string>> paths(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) paths[t].push_back(dm.createTempFile("x"));
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (auto& v : paths) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(DiskManagerTest, ShufflePathsAndRemoveShuffle) {
  DiskManager dm(base_.string(), "app");
  std::string data = dm.shuffleDataPath(3, 7);
  std::string index = dm.shuffleIndexPath(3, 7);
  EXPECT_EQ(fs::path(data).parent_path(), fs::path(dm.root()) / "shuffle" / "3");
  EXPECT_EQ(fs::path(index).parent_path(), fs::path(dm.root()) / "shuffle" / "3");
  EXPECT_NE(data, index);
  EXPECT_NE(dm.shuffleDataPath(3, 8), data);
  EXPECT_NE(dm.shuffleDataPath(4, 7), data);
  EXPECT_TRUE(fs::is_directory(fs::path(data).parent_path()));

  writeBytes(data, 100);
  writeBytes(index, 24);
  std::string other = dm.shuffleDataPath(4, 0);
  writeBytes(other, 10);
  EXPECT_EQ(dm.bytesOnDisk(), 134u);

  dm.removeShuffle(3);
  EXPECT_FALSE(fs::exists(data));
  EXPECT_FALSE(fs::exists(index));
  EXPECT_TRUE(fs::exists(other));
  EXPECT_EQ(dm.bytesOnDisk(), 10u);
  dm.removeShuffle(99);  // nothing there: no error
}

TEST_F(DiskManagerTest, RemoveFile) {
  DiskManager dm(base_.string(), "app");
  std::string f = dm.createTempFile("spill");
  writeBytes(f, 5);
  dm.removeFile(f);
  EXPECT_FALSE(fs::exists(f));
  dm.removeFile(f);  // already gone: no error
  EXPECT_THROW(dm.removeFile((base_ / "elsewhere").string()), InternalError);
  EXPECT_THROW(dm.removeFile(dm.root() + "/../x"), InternalError);
}

TEST_F(DiskManagerTest, DestructorRemovesEverything) {
  std::string root;
  {
    DiskManager dm(base_.string(), "app");
    root = dm.root();
    writeBytes(dm.createTempFile("spill"), 1000);
    writeBytes(dm.shuffleDataPath(0, 0), 1000);
    EXPECT_EQ(dm.bytesOnDisk(), 2000u);
  }
  EXPECT_FALSE(fs::exists(root));
  EXPECT_TRUE(fs::exists(base_));  // the configured local dir itself stays
}

TEST_F(DiskManagerTest, CleanupIsIdempotent) {
  DiskManager dm(base_.string(), "app");
  writeBytes(dm.createTempFile("spill"), 10);
  dm.cleanup();
  EXPECT_FALSE(fs::exists(dm.root()));
  EXPECT_EQ(dm.bytesOnDisk(), 0u);
  dm.cleanup();
}

TEST_F(DiskManagerTest, UnwritableLocalDirNamesPathAndSetting) {
  fs::create_directories(base_);
  std::string file = (base_ / "not-a-dir").string();
  writeBytes(file, 1);
  try {
    DiskManager dm(file + "/sub", "app");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    EXPECT_NE(msg.find("ember.local.dir"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Not a directory"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace ember
