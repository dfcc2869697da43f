// Feeds: versions from DataFrame writes and SQL, save modes, the log layout, time
// travel (versionAsOf, timestampAsOf, VERSION AS OF, path@v), checkpoints, and
// overwriting a feed that the same query reads.
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sql_feed_fixture.h"

namespace fs = std::filesystem;

namespace ember::sql {
namespace {
using namespace functions;

TEST_F(FeedTest, WritesVersionsWithModesAndLog) {
  std::string p = path("events");
  rows(0, 10).write().format("feed").save(p);
  EXPECT_TRUE(fs::exists(p + "/_feed_log/00000000000000000000.json"));
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 10));
  // error (default) refuses, ignore keeps, append adds, overwrite replaces.
  EXPECT_NE(userError([&] { rows(0, 1).write().format("feed").save(p); }).find("already exists"),
            std::string::npos);
  rows(100, 101).write().format("feed").mode("ignore").save(p);
  rows(10, 15).write().format("ember").mode("append").save(p);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 15));
  rows(50, 53).write().format("feed").mode("overwrite").save(p);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(50, 53));
  EXPECT_EQ(FeedTable::forPath(spark_, p).latestVersion(), 2);

  // The log entry lists added and removed files with rows and min/max stats.
  std::ifstream in(p + "/_feed_log/00000000000000000002.json");
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["operation"], "WRITE");
  EXPECT_EQ(j["operationParameters"]["mode"], "overwrite");
  EXPECT_FALSE(j["remove"].empty());
  int64_t rowsAdded = 0, minId = 1000;
  for (const auto& f : j["add"]) {
    rowsAdded += f["rows"].get<int64_t>();
    minId = std::min(minId, f["stats"]["id"]["min"].get<int64_t>());
    EXPECT_TRUE(fs::exists(p + "/" + f["path"].get<std::string>()));
  }
  EXPECT_EQ(rowsAdded, 3);
  EXPECT_EQ(minId, 50);
  EXPECT_EQ(j["schema"][1]["name"], "v");

  // Appending another schema is refused with both schemas in the message.
  std::string err =
      userError([&] { spark_.range(0, 2).write().format("feed").mode("append").save(p); });
  EXPECT_NE(err.find("schema"), std::string::npos) << err;
  // A directory that is not a feed is not overwritten.
  rows(0, 3).write().format("parquet").save(path("plain"));
  err = userError([&] { rows(0, 3).write().format("feed").mode("overwrite").save(path("plain")); });
  EXPECT_NE(err.find("not a feed"), std::string::npos) << err;
  EXPECT_NE(userError([&] { spark_.read().format("feed").load(path("plain")); }).find("not a feed"),
            std::string::npos);
}

TEST_F(FeedTest, TimeTravelByVersionAndTimestamp) {
  std::string p = path("tt");
  rows(0, 3).write().format("feed").save(p);  // v0
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  rows(3, 6).write().format("feed").mode("append").save(p);  // v1
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  rows(6, 7).write().format("feed").mode("overwrite").save(p);  // v2
  EXPECT_EQ(ids(spark_.read().format("feed").option("versionAsOf", "0").load(p)), range(0, 3));
  EXPECT_EQ(ids(spark_.read().format("feed").option("versionAsOf", "1").load(p)), range(0, 6));
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(6, 7));
  EXPECT_EQ(ids(spark_.read().format("feed").load(p + "@v1")), range(0, 6));
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM feed.`" + p + "@v0`")), range(0, 3));
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM feed.`" + p + "` VERSION AS OF 1")), range(0, 6));

  // Timestamps: the newest version committed at or before the time.
  auto history = FeedTable::forPath(spark_, p).history();
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].version, 2);  // newest first
  std::string t1 = formatFeedTimestamp(history[1].timestampMs);
  EXPECT_EQ(ids(spark_.read().format("feed").option("timestampAsOf", t1).load(p)), range(0, 6));
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM feed.`" + p + "` TIMESTAMP AS OF '" + t1 + "'")),
            range(0, 6));

  // Missing versions and times before the feed existed list the available range.
  std::string err =
      userError([&] { spark_.read().format("feed").option("versionAsOf", "7").load(p); });
  EXPECT_NE(err.find("available versions are 0 to 2"), std::string::npos) << err;
  err = userError(
      [&] { spark_.read().format("feed").option("timestampAsOf", "2001-01-01 00:00:00").load(p); });
  EXPECT_NE(err.find("available versions are 0 to 2"), std::string::npos) << err;
}

TEST_F(FeedTest, SqlTablesViewsAndTableTimeTravel) {
  spark_.sql(
      "CREATE TABLE t USING feed AS SELECT id, CAST(id AS STRING) AS v FROM nums WHERE id < 4");
  spark_.sql("INSERT INTO t SELECT id, 'x' FROM nums WHERE id >= 10 AND id < 12");
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM t")), (std::vector<int64_t>{0, 1, 2, 3, 10, 11}));
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM t VERSION AS OF 0")), range(0, 4));
  EXPECT_EQ(ids(spark_.sql("SELECT x.id FROM t VERSION AS OF 0 AS x WHERE x.id > 1")), range(2, 4));
  spark_.sql("INSERT OVERWRITE t SELECT id, 'y' FROM nums WHERE id >= 7 AND id < 8");
  EXPECT_EQ(ids(spark_.table("t")), range(7, 8));
  EXPECT_EQ(ids(FeedTable::forName(spark_, "t").versionAsOf(1)),
            (std::vector<int64_t>{0, 1, 2, 3, 10, 11}));
  std::string t0 =
      formatFeedTimestamp(FeedTable::forName(spark_, "t").history().back().timestampMs);
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM t TIMESTAMP AS OF '" + t0 + "'")), range(0, 4));

  // A view over the feed's path sees each new version.
  std::string loc = path("warehouse") + "/t";
  spark_.sql("CREATE TEMPORARY VIEW tv USING feed OPTIONS (path '" + loc + "')");
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM tv")), range(7, 8));
  spark_.sql("INSERT INTO t VALUES (8, 'z')");
  EXPECT_EQ(ids(spark_.sql("SELECT id FROM tv")), range(7, 9));

  // Paths work where table names do; CREATE TABLE without AS registers an existing feed.
  spark_.sql("INSERT INTO feed.`" + loc + "` SELECT id, 'p' FROM nums WHERE id = 9");
  spark_.sql("CREATE TABLE t2 USING feed LOCATION '" + loc + "'");
  EXPECT_EQ(ids(spark_.table("t2")), range(7, 10));
  EXPECT_EQ(spark_.sql("DESCRIBE HISTORY '" + loc + "'").count(), 5);

  // Time travel on a table that is not a feed.
  spark_.sql("CREATE TABLE pq USING parquet AS SELECT 1 AS id");
  std::string err = userError([&] { spark_.sql("SELECT * FROM pq VERSION AS OF 0").collect(); });
  EXPECT_NE(err.find("needs a feed table"), std::string::npos) << err;
}

TEST_F(FeedTest, OverwriteWhileReadingItselfKeepsData) {
  std::string p = path("self");
  rows(0, 20).write().format("feed").save(p);
  // The query reads the snapshot it started from while the overwrite commits a new one.
  spark_.read()
      .format("feed")
      .load(p)
      .filter(lt(col("id"), lit(int64_t{5})))
      .write()
      .format("feed")
      .mode("overwrite")
      .save(p);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 5));
  spark_.sql("CREATE TABLE s USING feed LOCATION '" + path("s2") +
             "' AS SELECT * FROM nums WHERE id < 6");
  spark_.sql("INSERT OVERWRITE s SELECT id * 10 FROM s WHERE id % 2 = 0");
  EXPECT_EQ(ids(spark_.table("s")), (std::vector<int64_t>{0, 20, 40}));
  spark_.sql("INSERT INTO s SELECT id + 1 FROM s");
  EXPECT_EQ(ids(spark_.table("s")), (std::vector<int64_t>{0, 1, 20, 21, 40, 41}));
}

TEST_F(FeedTest, CheckpointsBoundTheReplay) {
  spark_.setConf("ember.feed.checkpointInterval", "3");
  std::string p = path("cp");
  rows(0, 1).write().format("feed").save(p);
  for (int i = 1; i <= 7; ++i) rows(i, i + 1).write().format("feed").mode("append").save(p);
  EXPECT_TRUE(fs::exists(p + "/_feed_log/00000000000000000003.checkpoint.json"));
  EXPECT_TRUE(fs::exists(p + "/_feed_log/00000000000000000006.checkpoint.json"));
  // Replay starts at the checkpoint: a reader does not need the older log files.
  fs::remove(p + "/_feed_log/00000000000000000001.json");
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 8));
  EXPECT_EQ(ids(spark_.read().format("feed").option("versionAsOf", "4").load(p)), range(0, 5));
}

TEST_F(FeedTest, CreateEmptyTableWithColumns) {
  spark_.sql("CREATE TABLE e (id BIGINT, v STRING) USING feed");
  EXPECT_EQ(spark_.table("e").count(), 0);
  spark_.sql("INSERT INTO e VALUES (1, 'a'), (2, 'b')");
  EXPECT_EQ(ids(spark_.table("e")), range(1, 3));
  auto h = spark_.sql("DESCRIBE HISTORY e").collect();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1][2].asString(), "CREATE TABLE");
  EXPECT_NE(userError([&] { spark_.sql("CREATE TABLE nothing USING feed"); }).find("column list"),
            std::string::npos);
}

TEST_F(FeedTest, EmptySnapshotsReadAsEmpty) {
  std::string p = path("empty");
  rows(0, 0).write().format("feed").save(p);
  EXPECT_EQ(spark_.read().format("feed").load(p).count(), 0);
  EXPECT_EQ(spark_.read().format("feed").load(p).schema().names(),
            (std::vector<std::string>{"id", "v"}));
  rows(0, 2).write().format("feed").mode("append").save(p);
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(0, 2));
}

}  // namespace
}  // namespace ember::sql
