// Feeds under concurrency and failure: concurrent blind appends all land; concurrent
// read-modify-write overwrites never lose an update (exactly one writer wins each
// version, the other gets the conflict error); a writer that dies after writing data
// files, or whose job fails mid-way, leaves the feed unchanged.
#include <atomic>
#include <thread>

#include "ember/sql/feed_internal.h"
#include "ember/sql/udf.h"
#include "sql_feed_fixture.h"

namespace fs = std::filesystem;

namespace ember::sql {
namespace {
using namespace functions;

TEST_F(FeedTest, ConcurrentBlindAppendsAllLand) {
  std::string p = path("appends");
  rows(0, 0).write().format("feed").save(p);
  constexpr int kPerThread = 6;
  std::atomic<int> failures{0};
  auto writer = [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      int64_t base = (t * kPerThread + i) * 10;
      try {
        rows(base, base + 10).write().format("feed").mode("append").save(p);
      } catch (const std::exception&) {
        ++failures;
      }
    }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 2 * kPerThread * 10));
  // One version per append, contiguous, each adding exactly its own 10 rows.
  auto history = FeedTable::forPath(spark_, p).history();
  ASSERT_EQ(history.size(), static_cast<size_t>(2 * kPerThread + 1));
  for (size_t i = 0; i + 1 < history.size(); ++i) {
    EXPECT_EQ(history[i].version, static_cast<int64_t>(history.size() - 1 - i));
    EXPECT_EQ(history[i].metrics.at("numOutputRows"), 10);
    EXPECT_TRUE(history[i].blindAppend);
  }
}

TEST_F(FeedTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  std::string p = path("counter");
  spark_.range(0, 1).write().format("feed").save(p);  // one row: the counter, 0
  constexpr int kPerThread = 5;
  std::atomic<int> conflicts{0}, other{0};
  auto incrementer = [&] {
    for (int done = 0; done < kPerThread;) {
      try {
        // Reads the counter and overwrites it with counter + 1: not blind.
        spark_.read()
            .format("feed")
            .load(p)
            .select({as(col("id") + lit(int64_t{1}), "id")})
            .write()
            .format("feed")
            .mode("overwrite")
            .save(p);
        ++done;
      } catch (const UserError& e) {
        if (std::string(e.what()).find("concurrent write to feed") != std::string::npos)
          ++conflicts;
        else
          ++other;
      }
    }
  };
  std::thread a(incrementer), b(incrementer);
  a.join();
  b.join();
  EXPECT_EQ(other.load(), 0);
  // Every successful increment saw the previous one: no lost update.
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), (std::vector<int64_t>{2 * kPerThread}));
  auto history = FeedTable::forPath(spark_, p).history();
  ASSERT_EQ(history.size(), static_cast<size_t>(2 * kPerThread + 1));
  for (const auto& c : history) {
    if (c.version > 0) {
      EXPECT_EQ(c.readVersion, c.version - 1);
    }
  }
  std::cout << "conflicts retried: " << conflicts.load() << "\n";
}

TEST_F(FeedTest, StaleOverwriteGetsConflictError) {
  std::string p = path("stale");
  rows(0, 3).write().format("feed").save(p);
  DataFrame pinned = spark_.read().format("feed").load(p);   // reads version 0
  rows(3, 4).write().format("feed").mode("append").save(p);  // version 1, by another writer
  size_t filesBefore = 0;
  for (const auto& e : fs::directory_iterator(p)) filesBefore += e.is_regular_file();
  std::string err = userError([&] { pinned.write().format("feed").mode("overwrite").save(p); });
  EXPECT_NE(err.find("concurrent write to feed"), std::string::npos) << err;
  EXPECT_NE(err.find("version 1 was committed by WRITE"), std::string::npos) << err;
  // Nothing lost, nothing half-written: version 1 stands, the loser's files are gone.
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 4));
  EXPECT_EQ(FeedLog(p).latestVersion(), 1);
  size_t filesAfter = 0;
  for (const auto& e : fs::directory_iterator(p)) filesAfter += e.is_regular_file();
  EXPECT_EQ(filesAfter, filesBefore);
}

TEST_F(FeedTest, WriterDyingBeforeCommitLeavesFeedUnchanged) {
  std::string p = path("crash");
  rows(0, 5).write().format("feed").save(p);
  // What a killed writer leaves behind: data files written, no log entry.
  auto orphans = writeFeedDataFiles(rows(100, 200), p, {});
  ASSERT_FALSE(orphans.empty());
  for (const auto& f : orphans) EXPECT_TRUE(fs::exists(p + "/" + f.path));
  EXPECT_EQ(FeedLog(p).latestVersion(), 0);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 5));
  // The next writer commits normally; VACUUM removes the orphans.
  rows(5, 6).write().format("feed").mode("append").save(p);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 6));
  spark_.setConf("ember.feed.retentionDurationCheck.enabled", "false");
  auto deleted = FeedTable::forPath(spark_, p).vacuum(0.0);
  EXPECT_EQ(deleted.size(), orphans.size());
  for (const auto& f : orphans) EXPECT_FALSE(fs::exists(p + "/" + f.path));
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 6));
}

TEST_F(FeedTest, FailedJobMidWriteLeavesFeedUnchanged) {
  registerUdf("feed_test_explode_at_150", [](int64_t v) -> int64_t {
    if (v == 150) throw UserError("injected failure at row 150");
    return v;
  });
  std::string p = path("fail");
  rows(0, 5).write().format("feed").save(p);
  auto failing = spark_.range(0, 200).select(
      {as(call("feed_test_explode_at_150", {col("id")}), "id"), as(lit("x"), "v")});
  EXPECT_THROW(failing.write().format("feed").mode("overwrite").save(p), EmberError);
  EXPECT_EQ(FeedLog(p).latestVersion(), 0);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 5));
}

// The commit primitive itself: two threads race to publish each of 100 versions.
TEST(FeedLogRace, ExactlyOneWriterWinsEachVersion) {
  std::string dir =
      (fs::temp_directory_path() / ("ember-feed-race-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  FeedLog log(dir);
  constexpr int64_t kVersions = 100;
  std::atomic<int> wins[2] = {0, 0};
  auto racer = [&](int id) {
    for (int64_t v = 0; v < kVersions; ++v) {
      FeedCommit c;
      c.version = v;
      c.operation = "racer" + std::to_string(id);
      c.schema = Schema({{"id", DataType::int64()}});
      c.added.push_back({"file-" + std::to_string(v) + "-" + std::to_string(id), 1, 1, "{}"});
      if (log.tryCommit(c, 0)) ++wins[id];
    }
  };
  std::thread a(racer, 0), b(racer, 1);
  a.join();
  b.join();
  EXPECT_EQ(wins[0] + wins[1], kVersions);
  EXPECT_EQ(log.latestVersion(), kVersions - 1);
  // Every version file is complete and names exactly one writer's file.
  for (int64_t v = 0; v < kVersions; ++v) {
    FeedCommit c = log.readCommit(v);
    ASSERT_EQ(c.added.size(), 1u);
    EXPECT_EQ(c.added[0].path, "file-" + std::to_string(v) + "-" + c.operation.substr(5));
  }
  EXPECT_EQ(log.latest().files.size(), static_cast<size_t>(kVersions));
  for (const auto& e : fs::directory_iterator(log.logDir()))
    EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << "temporary file left";
  fs::remove_all(dir);
}

// Write tasks ship to executors as serialised tasks (the path every cluster write takes).
TEST(FeedSerializedTasks, WriteAndMergeThroughSerializedTasks) {
  Config c = FeedTest::conf();
  c.set("ember.test.serializeTasks", "true");
  Context ctx(c);
  {
    Session spark(ctx);
    std::string p =
        (fs::temp_directory_path() / ("ember-feed-serde-" + std::to_string(::getpid()))).string();
    fs::remove_all(p);
    spark.range(0, 50).write().format("feed").save(p);
    spark.range(40, 60).write().format("feed").mode("append").save(p);
    EXPECT_EQ(spark.read().format("feed").load(p).count(), 70);
    EXPECT_EQ(FeedTable::forPath(spark, p).latestVersion(), 1);
    fs::remove_all(p);
  }
  ctx.stop();
}

}  // namespace
}  // namespace ember::sql
