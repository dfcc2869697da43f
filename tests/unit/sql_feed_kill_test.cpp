// A writer process killed (SIGKILL) in the middle of its work: the feed keeps only whole
// versions, and VACUUM removes what the dead writer left behind.
//
// The writer is this test binary started again with a filter that selects
// FeedKilledWriter.AppendsUntilKilled and EMBER_FEED_KILL_DIR naming the feed; run
// directly, that test has nothing to do and skips.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "sql_feed_fixture.h"

extern char** environ;

namespace fs = std::filesystem;

namespace ember::sql {
namespace {

constexpr int64_t kRowsPerVersion = 1000;

TEST(FeedKilledWriter, AppendsUntilKilled) {
  const char* dir = std::getenv("EMBER_FEED_KILL_DIR");
  if (dir == nullptr) GTEST_SKIP() << "the writer process of WriterKilledMidJob";
  Context ctx(FeedTest::conf());
  Session spark(ctx);
  for (int64_t i = 0;; ++i)
    spark.range(i * kRowsPerVersion, (i + 1) * kRowsPerVersion, 1)
        .write()
        .format("feed")
        .mode("append")
        .save(dir);
}

TEST_F(FeedTest, WriterKilledMidJobLeavesWholeVersions) {
  std::string p = path("killed");
  std::string filter = "--gtest_filter=FeedKilledWriter.AppendsUntilKilled";
  std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.push_back("EMBER_FEED_KILL_DIR=" + p);
  std::vector<char*> envp, argv = {self.data(), filter.data(), nullptr};
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), envp.data()), 0);

  // Let it commit a few versions, then kill it at a random moment of its next ones.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (FeedLog(p).latestVersion() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(std::random_device{}() % 150));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer ended by itself (status " << status << ")";

  // Whole versions only: version v holds exactly the rows of appends 0..v.
  int64_t v = FeedLog(p).latestVersion();
  ASSERT_GE(v, 2);
  auto df = spark_.read().format("feed").load(p);
  EXPECT_EQ(ids(df), range(0, (v + 1) * kRowsPerVersion));
  // VACUUM removes whatever the dead writer wrote but never committed.
  spark_.setConf("ember.feed.retentionDurationCheck.enabled", "false");
  auto orphans = FeedTable::forPath(spark_, p).vacuum(0.0);
  std::cout << "killed after version " << v << "; its uncommitted files: " << orphans.size()
            << "\n";
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(p))
    if (e.is_regular_file()) left.insert(e.path().filename().string());
  std::set<std::string> live;
  for (const auto& [f, info] : FeedLog(p).latest().files) live.insert(f);
  EXPECT_EQ(left, live);
  EXPECT_EQ(spark_.read().format("feed").load(p).count(), (v + 1) * kRowsPerVersion);
}

}  // namespace
}  // namespace ember::sql
