// Executor-side cleanup in cluster mode: when the driver cleans a shuffle (its RDD is
// gone) or unpersists an RDD, the executors delete their shuffle files and cached
// blocks (Executor.RemoveBlocks); an executor removes its whole scratch directory when
// it exits. The executors are this test binary re-run in executor mode, with the
// driver's ember.local.dir (a fresh temporary directory here).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "cluster_test_link.h"
#include "ember/ember.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

bool waitFor(const std::function<bool()>& cond, int ms = 5000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

struct Files {
  int executorDirs = 0, shuffleFiles = 0, rddBlocks = 0;
};

// What the executors' scratch directories under `root` hold (the driver's is skipped).
Files executorFiles(const fs::path& root) {
  Files f;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(root, ec)) {
    if (d.path().filename().string().find("-executor-") == std::string::npos) continue;
    f.executorDirs++;
    for (auto it = fs::recursive_directory_iterator(d.path(), ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      if (name.rfind("shuffle_", 0) == 0) f.shuffleFiles++;
      if (name.rfind("rdd_", 0) == 0) f.rddBlocks++;
    }
  }
  return f;
}

TEST(ClusterCleanup, ExecutorsDropShuffleFilesAndCachedBlocksWithTheDriver) {
  // Nothing is created before the Context: in the executor processes it is where they
  // turn into executors, and code before it must be free of side effects.
  fs::path root = fs::temp_directory_path() / ("ember-cluster-cleanup-" + std::to_string(getpid()));
  {
    Config c;
    c.set("ember.master", "local-cluster[2,1,256]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    c.set("ember.local.dir", root.string());
    Context ctx(c);
    ASSERT_TRUE(fs::is_directory(root));
    auto cached = ctx.range(0, 4000, 1, 4).map([](int64_t x) { return x * 3; });
    cached.persist(StorageLevel::DiskOnly);
    {
      auto sums = ctx.range(0, 20000, 1, 4)
                      .map([](int64_t x) { return std::make_pair(x % 97, x); })
                      .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 4);
      ASSERT_EQ(sums.count(), 97);
      ASSERT_EQ(cached.count(), 4000);
      Files before = executorFiles(root);
      EXPECT_EQ(before.executorDirs, 2);
      EXPECT_GT(before.shuffleFiles, 0);
      EXPECT_EQ(before.rddBlocks, 4);
    }
    // `sums` is gone: the driver cleans its shuffle, the executors delete their files.
    EXPECT_TRUE(waitFor([&] { return executorFiles(root).shuffleFiles == 0; }))
        << executorFiles(root).shuffleFiles << " shuffle files left on executors";
    EXPECT_EQ(executorFiles(root).rddBlocks, 4);
    cached.unpersist();
    EXPECT_TRUE(waitFor([&] { return executorFiles(root).rddBlocks == 0; }))
        << executorFiles(root).rddBlocks << " cached blocks left on executors";
    // The context keeps working (and recomputes what it dropped).
    EXPECT_EQ(cached.count(), 4000);
  }
  // Stopped: every executor removed its whole directory on the way out.
  EXPECT_TRUE(waitFor([&] { return executorFiles(root).executorDirs == 0; }))
      << executorFiles(root).executorDirs << " executor directories left under " << root;
  fs::remove_all(root);
}

}  // namespace
}  // namespace ember
