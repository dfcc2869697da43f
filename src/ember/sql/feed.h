// Feeds: Ember's versioned table format (docs/feeds.md), the C++ side of what SQL
// offers as USING feed, DESCRIBE HISTORY, VACUUM and MERGE INTO.
//
//   df.write().format("feed").mode("append").save("/data/events");
//   auto t = FeedTable::forPath(spark, "/data/events");
//   t.toDF().show();                                     // latest snapshot
//   spark.read().format("feed").option("versionAsOf", "3").load("/data/events");
//   for (const auto& c : t.history()) ...                // newest first
//   t.as("t").merge(updates.alias("s"), "t.id = s.id")
//       .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute();
//   t.vacuum();                                          // default retention: 7 days
//
// Every write is one new version committed atomically; readers always see a whole
// snapshot. Concurrent writers: one wins each version; the loser gets a UserError
// "concurrent write to feed ..." (blind appends retry instead; see docs/feeds.md).
//
// Threading: FeedTable and FeedMergeBuilder are values; one builder is used by one
// thread. Different threads and processes may write one feed concurrently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/sql/dataframe.h"
#include "ember/sql/feed_log.h"
#include "ember/sql/logical_plan.h"

namespace ember::sql {

class FeedMergeBuilder;

// What a MERGE did.
struct FeedMergeResult {
  int64_t version = -1;  // the committed version; the read version if nothing changed
  int64_t numTargetFilesRemoved = 0;
  int64_t numTargetFilesAdded = 0;
  int64_t numOutputRows = 0;  // rows in the added files
  int64_t numTargetRowsUpdated = 0;
  int64_t numTargetRowsDeleted = 0;
  int64_t numTargetRowsInserted = 0;
  int64_t numTargetRowsCopied = 0;  // unchanged rows rewritten with their file
  int64_t numAffectedRows() const {
    return numTargetRowsUpdated + numTargetRowsDeleted + numTargetRowsInserted;
  }
};

class FeedTable {
 public:
  // UserError if `path` holds no feed.
  static FeedTable forPath(Session& session, const std::string& path);
  // A table of the session's catalog created USING feed.
  static FeedTable forName(Session& session, const std::string& tableName);
  static bool isFeed(const std::string& path);

  // The alias MERGE conditions use for the target. Without one (forPath), merge infers it
  // from the condition: the one qualifier that is not the source's ("t" in
  // "t.id = s.id" with a source aliased "s"), else "target". forName: the table name.
  FeedTable as(const std::string& alias) const;
  const std::string& path() const { return path_; }

  DataFrame toDF() const;                  // the latest snapshot
  DataFrame versionAsOf(int64_t v) const;  // time travel
  int64_t latestVersion() const;
  // Newest first (as Delta's history()); `limit` > 0 keeps only the newest `limit`.
  std::vector<FeedCommit> history(int limit = 0) const;
  // DESCRIBE HISTORY's rows: version, timestamp, operation, operationParameters,
  // readVersion, isBlindAppend, numFiles, numOutputRows.
  DataFrame historyDF(int limit = 0) const;

  // Deletes data files (and leftovers of failed writers) that no snapshot current within
  // the last `retentionHours` (default ember.feed.vacuum.retentionHours) references;
  // returns their paths. Shorter retentions than the default are refused unless
  // ember.feed.retentionDurationCheck.enabled=false. dryRun lists without deleting.
  std::vector<std::string> vacuum(std::optional<double> retentionHours = std::nullopt,
                                  bool dryRun = false) const;

  // Delta's delete(condition) / update(condition, set): a new version without the rows
  // where `condition` (SQL over the table's columns; empty: every row) holds, or with
  // `set` (column -> SQL expression over the old row) applied to them. Rows where the
  // condition is NULL are kept. Return the committed version.
  int64_t deleteWhere(const std::string& condition = "") const;
  int64_t update(const std::map<std::string, std::string>& set,
                 const std::string& condition = "") const;

  // MERGE: `condition` is SQL over the target alias and the source's alias.
  FeedMergeBuilder merge(const DataFrame& source, const std::string& condition) const;

 private:
  FeedTable(Session& session, std::string path, std::string alias);
  Session* session_;
  std::string path_;
  std::string alias_;
};

class FeedMergeBuilder {
 public:
  // Clauses apply in the order added (the first whose condition holds wins). Values and
  // conditions are SQL expressions over the target and source aliases.
  FeedMergeBuilder& whenMatchedUpdate(const std::map<std::string, std::string>& set,
                                      const std::string& condition = "");
  FeedMergeBuilder& whenMatchedUpdateAll(const std::string& condition = "");
  FeedMergeBuilder& whenMatchedDelete(const std::string& condition = "");
  FeedMergeBuilder& whenNotMatchedInsert(const std::map<std::string, std::string>& values,
                                         const std::string& condition = "");
  FeedMergeBuilder& whenNotMatchedInsertAll(const std::string& condition = "");
  FeedMergeResult execute();

 private:
  friend class FeedTable;
  FeedMergeBuilder(Session& s, std::string path, std::string alias, DataFrame source,
                   ExprPtr condition, std::string conditionText);
  FeedMergeBuilder& add(bool matched, Statement::MergeClause::Action action, bool star,
                        const std::map<std::string, std::string>& values,
                        const std::string& condition);
  Session* session_;
  std::string path_;
  std::string alias_;
  DataFrame source_;
  ExprPtr condition_;
  std::string conditionText_;
  std::vector<Statement::MergeClause> clauses_;
};

// MERGE of `source` into the feed at `path` (the SQL statement and the builder).
FeedMergeResult mergeIntoFeed(Session& s, const std::string& path, const std::string& targetAlias,
                              const DataFrame& source, const ExprPtr& condition,
                              const std::string& conditionText,
                              const std::vector<Statement::MergeClause>& clauses);

}  // namespace ember::sql
