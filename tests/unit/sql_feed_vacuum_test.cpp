// Feeds: DESCRIBE HISTORY / history(), VACUUM (retention, the safety check, dry run,
// leftovers of failed writers) and time travel to a vacuumed version.
#include <fstream>
#include <set>

#include "ember/sql/parser.h"
#include "sql_feed_fixture.h"

namespace fs = std::filesystem;

namespace ember::sql {
namespace {
using namespace functions;

std::set<std::string> dataFiles(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.insert(e.path().filename().string());
  return out;
}

TEST(FeedStatements, ParseHistoryAndVacuum) {
  Statement h = parseStatement("DESCRIBE HISTORY db.t LIMIT 3");
  EXPECT_EQ(h.kind, Statement::Kind::DescribeHistory);
  EXPECT_EQ(h.name, (std::vector<std::string>{"db", "t"}));
  EXPECT_EQ(h.limit, 3);
  EXPECT_EQ(parseStatement("DESCRIBE history").kind, Statement::Kind::Describe);  // a table
  Statement v = parseStatement("VACUUM feed.`/x/y` RETAIN 12 HOURS DRY RUN");
  EXPECT_EQ(v.kind, Statement::Kind::Vacuum);
  EXPECT_EQ(v.name, (std::vector<std::string>{"feed", "/x/y"}));
  EXPECT_EQ(v.retainHours, 12);
  EXPECT_TRUE(v.dryRun);
  Statement p = parseStatement("VACUUM '/x/y'");
  EXPECT_EQ(p.name, (std::vector<std::string>{"feed", "/x/y"}));
  EXPECT_LT(p.retainHours, 0);
  EXPECT_THROW(parseStatement("VACUUM t RETAIN HOURS"), UserError);
}

TEST_F(FeedTest, DescribeHistoryListsEveryVersion) {
  spark_.sql("CREATE TABLE h USING feed AS SELECT * FROM nums WHERE id < 5");
  spark_.sql("INSERT INTO h SELECT * FROM nums WHERE id >= 5 AND id < 7");
  spark_.sql("INSERT OVERWRITE h SELECT * FROM nums WHERE id < 1");
  auto rows = spark_.sql("DESCRIBE HISTORY h").collect();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(
      spark_.sql("DESCRIBE HISTORY h").schema().names(),
      (std::vector<std::string>{"version", "timestamp", "operation", "operationParameters",
                                "readVersion", "isBlindAppend", "numFiles", "numOutputRows"}));
  EXPECT_EQ(rows[0][0].asInt64(), 2);
  EXPECT_EQ(rows[0][2].asString(), "INSERT OVERWRITE");
  EXPECT_EQ(rows[0][7].asInt64(), 1);
  EXPECT_EQ(rows[1][2].asString(), "INSERT INTO");
  EXPECT_TRUE(rows[1][5].asBool());  // a blind append
  EXPECT_EQ(rows[1][7].asInt64(), 2);
  EXPECT_EQ(rows[2][2].asString(), "CREATE TABLE AS SELECT");
  EXPECT_TRUE(rows[2][4].isNull());  // version 0 read nothing
  EXPECT_LT(rows[2][1].asInt64(), rows[0][1].asInt64());
  EXPECT_EQ(spark_.sql("DESCRIBE HISTORY h LIMIT 1").count(), 1);
  std::string loc = path("warehouse") + "/h";
  EXPECT_EQ(spark_.sql("DESCRIBE HISTORY feed.`" + loc + "`").count(), 3);
  auto h = FeedTable::forPath(spark_, loc).history(2);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].operation, "INSERT INTO");
  EXPECT_EQ(h[1].added.size() > 0, true);
  spark_.sql("CREATE TABLE pq USING parquet AS SELECT 1 AS id");
  EXPECT_NE(userError([&] { spark_.sql("DESCRIBE HISTORY pq"); }).find("needs a feed table"),
            std::string::npos);
}

TEST_F(FeedTest, VacuumKeepsFilesWithinRetention) {
  std::string p = path("v");
  rows(0, 4).write().format("feed").save(p);
  rows(4, 8).write().format("feed").mode("overwrite").save(p);
  auto before = dataFiles(p);
  // Default retention (7 days): the old version's files are recent, so nothing goes.
  EXPECT_TRUE(FeedTable::forPath(spark_, p).vacuum().empty());
  EXPECT_EQ(spark_.sql("VACUUM feed.`" + p + "` RETAIN 200 HOURS").count(), 0);
  EXPECT_EQ(dataFiles(p), before);
  // A shorter retention than the default is refused unless the check is disabled.
  std::string err = userError([&] { spark_.sql("VACUUM feed.`" + p + "` RETAIN 0 HOURS"); });
  EXPECT_NE(err.find("ember.feed.retentionDurationCheck.enabled"), std::string::npos) << err;
  EXPECT_EQ(ids(spark_.read().format("feed").option("versionAsOf", "0").load(p)), range(0, 4));
}

TEST_F(FeedTest, VacuumRemovesUnreferencedFilesAndOldVersionsFailClearly) {
  spark_.setConf("ember.feed.retentionDurationCheck.enabled", "false");
  std::string p = path("v");
  rows(0, 4).write().format("feed").save(p);                      // v0
  rows(4, 6).write().format("feed").mode("append").save(p);       // v1: v0 files still live
  rows(10, 12).write().format("feed").mode("overwrite").save(p);  // v2: removes all
  std::ofstream(p + "/part-orphan-from-a-dead-writer.parquet") << "junk";
  auto log = FeedLog(p);
  std::set<std::string> live;
  for (const auto& [f, info] : log.latest().files) live.insert(f);

  auto dry = FeedTable::forPath(spark_, p).vacuum(0.0, /*dryRun=*/true);
  EXPECT_FALSE(dry.empty());
  EXPECT_TRUE(fs::exists(dry[0]));
  auto deleted = spark_.sql("VACUUM feed.`" + p + "` RETAIN 0 HOURS").collect();
  EXPECT_EQ(deleted.size(), dry.size());
  std::set<std::string> left;
  for (const auto& f : dataFiles(p)) left.insert(f);
  EXPECT_EQ(left, live);  // only the latest snapshot's files remain
  EXPECT_EQ(ids(spark_.read().format("feed").load(p)), range(10, 12));
  // Versions 0 and 1 lost files: reading them says so, with the readable range.
  std::string err =
      userError([&] { spark_.read().format("feed").option("versionAsOf", "1").load(p); });
  EXPECT_NE(err.find("VACUUM"), std::string::npos) << err;
  EXPECT_NE(err.find("available versions are 2 to 2"), std::string::npos) << err;
  // History still lists them.
  EXPECT_EQ(FeedTable::forPath(spark_, p).history().size(), 3u);
}

TEST_F(FeedTest, VacuumOfAppendOnlyFeedKeepsOldVersionsReadable) {
  spark_.setConf("ember.feed.retentionDurationCheck.enabled", "false");
  std::string p = path("a");
  rows(0, 2).write().format("feed").save(p);
  rows(2, 4).write().format("feed").mode("append").save(p);
  std::ofstream(p + "/part-leftover.parquet") << "junk";
  std::ofstream(p + "/.hidden") << "kept";
  auto deleted = FeedTable::forPath(spark_, p).vacuum(0.0);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_NE(deleted[0].find("part-leftover"), std::string::npos);
  EXPECT_TRUE(fs::exists(p + "/.hidden"));
  // Every file of version 0 is still in version 1: version 0 stays readable.
  EXPECT_EQ(ids(spark_.read().format("feed").option("versionAsOf", "0").load(p)), range(0, 2));
}

}  // namespace
}  // namespace ember::sql
