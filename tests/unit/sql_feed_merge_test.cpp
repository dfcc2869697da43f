// MERGE INTO feeds: SQL and the DataFrame builder, clause order and conditions, delete,
// insert-only, NULL keys, the duplicate-match error, and MERGE into a non-feed target.
#include "sql_feed_fixture.h"

namespace ember::sql {
namespace {
using namespace functions;

class FeedMergeTest : public FeedTest {
 protected:
  // Target feed `t` at `p`: (id, v) = (1,'a') (2,'b') (3,'c') (4,'d').
  void makeTarget() {
    spark_.sql("CREATE TABLE t USING feed LOCATION '" + path("t") +
               "' AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')) AS x(id, v)");
  }
  // Sorted "id:v" strings of a DataFrame (id, v).
  static std::vector<std::string> pairs(const DataFrame& df) {
    std::vector<std::string> out;
    for (const auto& r : df.collect())
      out.push_back((r[0].isNull() ? "null" : r[0].toString()) + ":" +
                    (r[1].isNull() ? "null" : r[1].toString()));
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(FeedMergeTest, SqlUpsertWithUpdateDeleteInsert) {
  makeTarget();
  spark_.sql(
      "CREATE TEMPORARY VIEW s AS SELECT * FROM (VALUES (2, 'B', false), (3, 'C', true), "
      "(5, 'E', false), (6, 'F', true)) AS x(id, v, del)");
  auto res = spark_.sql(
      "MERGE INTO t USING s ON t.id = s.id "
      "WHEN MATCHED AND s.del THEN DELETE "
      "WHEN MATCHED THEN UPDATE SET v = concat(t.v, s.v) "
      "WHEN NOT MATCHED AND NOT s.del THEN INSERT (id, v) VALUES (s.id, s.v)");
  // num_affected_rows, num_updated_rows, num_deleted_rows, num_inserted_rows, version.
  auto m = res.collect().at(0);
  EXPECT_EQ(m[0].asInt64(), 3);
  EXPECT_EQ(m[1].asInt64(), 1);
  EXPECT_EQ(m[2].asInt64(), 1);
  EXPECT_EQ(m[3].asInt64(), 1);
  EXPECT_EQ(m[4].asInt64(), 1);
  EXPECT_EQ(pairs(spark_.table("t")), (std::vector<std::string>{"1:a", "2:bB", "4:d", "5:E"}));
  auto h = FeedTable::forName(spark_, "t").history();
  EXPECT_EQ(h[0].operation, "MERGE");
  EXPECT_EQ(h[0].metrics.at("numTargetRowsDeleted"), 1);
  EXPECT_EQ(h[0].readVersion, 0);
  EXPECT_NE(h[0].parameters.at("predicate").find("id"), std::string::npos);
  // The previous version is untouched (time travel).
  EXPECT_EQ(pairs(spark_.sql("SELECT * FROM t VERSION AS OF 0")),
            (std::vector<std::string>{"1:a", "2:b", "3:c", "4:d"}));
}

TEST_F(FeedMergeTest, StarClausesAndClauseOrder) {
  makeTarget();
  spark_.sql(
      "CREATE TEMPORARY VIEW s AS SELECT * FROM (VALUES (1, 'x'), (4, 'y'), (9, 'z')) "
      "AS x(id, v)");
  // The first clause whose condition holds wins; id 4 falls through to UPDATE SET *.
  spark_.sql(
      "MERGE INTO t AS tgt USING s AS src ON tgt.id = src.id "
      "WHEN MATCHED AND src.id = 1 THEN UPDATE SET v = 'first' "
      "WHEN MATCHED AND src.id < 5 THEN UPDATE SET * "
      "WHEN NOT MATCHED THEN INSERT *");
  EXPECT_EQ(pairs(spark_.table("t")),
            (std::vector<std::string>{"1:first", "2:b", "3:c", "4:y", "9:z"}));
  // Matched rows with no applicable clause are kept unchanged.
  spark_.sql("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND s.v = 'nope' THEN DELETE");
  EXPECT_EQ(spark_.table("t").count(), 5);
  // A path target and a subquery source.
  spark_.sql("MERGE INTO feed.`" + path("t") +
             "` AS x USING (SELECT id FROM s WHERE id > 1) AS y " +
             "ON x.id = y.id WHEN MATCHED THEN DELETE");
  EXPECT_EQ(pairs(spark_.table("t")), (std::vector<std::string>{"1:first", "2:b", "3:c"}));
}

TEST_F(FeedMergeTest, DataFrameBuilder) {
  makeTarget();
  auto source =
      spark_.createDataFrame({{Value::int64(1), Value::string("one")},
                              {Value::int64(3), Value::string("three")},
                              {Value::int64(7), Value::string("seven")}},
                             Schema({{"id", DataType::int64()}, {"v", DataType::string()}}));
  // No .as("t"): the target alias is the condition's other qualifier.
  auto r = FeedTable::forPath(spark_, path("t"))
               .merge(source.alias("s"), "t.id = s.id")
               .whenMatchedDelete("s.v = 'three'")
               .whenMatchedUpdate({{"v", "upper(s.v)"}})
               .whenNotMatchedInsertAll()
               .execute();
  EXPECT_EQ(r.version, 1);
  EXPECT_GT(r.numTargetFilesAdded, 0);
  EXPECT_EQ(r.numTargetRowsUpdated, 1);
  EXPECT_EQ(r.numTargetRowsDeleted, 1);
  EXPECT_EQ(r.numTargetRowsInserted, 1);
  EXPECT_EQ(r.numOutputRows,
            r.numTargetRowsUpdated + r.numTargetRowsInserted + r.numTargetRowsCopied);
  EXPECT_EQ(pairs(spark_.table("t")), (std::vector<std::string>{"1:ONE", "2:b", "4:d", "7:seven"}));
  // whenMatchedUpdateAll + whenNotMatchedInsert with a subset of columns (the rest NULL).
  FeedTable::forName(spark_, "t")  // an unaliased source gets the other qualifier, s
      .merge(source, "t.id = s.id")
      .whenMatchedUpdateAll()
      .whenNotMatchedInsert({{"id", "s.id + 100"}})
      .execute();
  EXPECT_EQ(pairs(spark_.table("t")),
            (std::vector<std::string>{"103:null", "1:one", "2:b", "4:d", "7:seven"}));
}

TEST_F(FeedMergeTest, InsertOnlyMergeAppendsNewKeys) {
  makeTarget();
  spark_.sql("CREATE TEMPORARY VIEW s AS SELECT * FROM (VALUES (4, 'dup'), (8, 'h')) AS x(id, v)");
  spark_.sql("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT *");
  EXPECT_EQ(pairs(spark_.table("t")),
            (std::vector<std::string>{"1:a", "2:b", "3:c", "4:d", "8:h"}));
  auto h = FeedTable::forName(spark_, "t").history();
  EXPECT_EQ(h[0].removed.size(), 0u);  // no data file was rewritten
}

TEST_F(FeedMergeTest, FilesOutsideTheSourceKeyRangeAreNotRewritten) {
  std::string p = path("pruned");
  rows(0, 10).write().format("feed").save(p);                  // one file per write:
  rows(10, 15).write().format("feed").mode("append").save(p);  // ids 0-9, 10-14, 20-29
  rows(20, 30).write().format("feed").mode("append").save(p);
  auto source = rows(12, 14).union_(rows(16, 17));  // key range 12-16
  auto r = FeedTable::forPath(spark_, p)
               .merge(source.alias("s"), "t.id = s.id")
               .whenMatchedUpdate({{"v", "'updated'"}})
               .whenNotMatchedInsertAll()
               .execute();
  EXPECT_EQ(r.numTargetRowsUpdated, 2);
  EXPECT_EQ(r.numTargetRowsInserted, 1);
  EXPECT_EQ(r.numTargetFilesRemoved, 1);  // only the file of ids 10-14 was rewritten
  EXPECT_EQ(r.numTargetRowsCopied, 3);
  auto h = FeedTable::forPath(spark_, p).history(1);
  EXPECT_EQ(h[0].metrics.at("numTargetFilesPruned"), 2);
  auto all = spark_.read().format("feed").load(p);
  EXPECT_EQ(all.count(), 26);
  EXPECT_EQ(all.filter("v = 'updated'").count(), 2);
  EXPECT_EQ(ids(all.filter("v = 'updated'")), (std::vector<int64_t>{12, 13}));
}

TEST_F(FeedMergeTest, NullKeysNeverMatch) {
  spark_.sql("CREATE TABLE t USING feed LOCATION '" + path("t") +
             "' AS SELECT * FROM (VALUES (1, 'a'), (CAST(NULL AS INT), 'n')) AS x(id, v)");
  spark_.sql(
      "CREATE TEMPORARY VIEW s AS SELECT * FROM (VALUES (CAST(NULL AS INT), 'sn'), "
      "(1, 'A')) AS x(id, v)");
  spark_.sql(
      "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * "
      "WHEN NOT MATCHED THEN INSERT *");
  // NULL = NULL is not true: the target's NULL row stays, the source's is inserted.
  EXPECT_EQ(pairs(spark_.table("t")), (std::vector<std::string>{"1:A", "null:n", "null:sn"}));
}

TEST_F(FeedMergeTest, TwoSourceRowsMatchingOneTargetRowIsAnError) {
  makeTarget();
  spark_.sql("CREATE TEMPORARY VIEW s AS SELECT * FROM (VALUES (2, 'x'), (2, 'y')) AS x(id, v)");
  std::string err = userError(
      [&] { spark_.sql("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET *"); });
  EXPECT_NE(err.find("id=2"), std::string::npos) << err;
  EXPECT_NE(err.find("matched 2 source rows"), std::string::npos) << err;
  EXPECT_EQ(FeedTable::forName(spark_, "t").latestVersion(), 0);  // nothing committed
  // Without MATCHED clauses duplicates are fine (nothing is updated).
  spark_.sql("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT *");
  EXPECT_EQ(spark_.table("t").count(), 4);
}

TEST_F(FeedMergeTest, NonFeedTargetsAreRejected) {
  spark_.sql("CREATE TABLE pq USING parquet AS SELECT 1 AS id");
  spark_.sql("CREATE TEMPORARY VIEW s AS SELECT 1 AS id");
  std::string err = userError(
      [&] { spark_.sql("MERGE INTO pq USING s ON pq.id = s.id WHEN MATCHED THEN DELETE"); });
  EXPECT_NE(err.find("MERGE INTO needs a feed table"), std::string::npos) << err;
  EXPECT_NE(err.find("parquet table"), std::string::npos) << err;
  err = userError(
      [&] { spark_.sql("MERGE INTO s USING s AS x ON s.id = x.id WHEN MATCHED THEN DELETE"); });
  EXPECT_NE(err.find("temporary view"), std::string::npos) << err;
  makeTarget();
  err = userError([&] {
    spark_.sql("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET nope = 1");
  });
  EXPECT_NE(err.find("no column 'nope'"), std::string::npos) << err;
}

}  // namespace
}  // namespace ember::sql
