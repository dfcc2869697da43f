// Feed internals shared by the reader, the writer, the SQL statements and MERGE
// (feed_scan.cpp, feed_write.cpp, feed_table.cpp, feed_merge.cpp). See docs/feeds.md.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ember/sql/dataframe.h"
#include "ember/sql/feed_log.h"
#include "ember/sql/logical_plan.h"

namespace ember::sql {

// Options a feed scan's FileSource carries so later steps can tell which feed and which
// snapshot a plan reads (data-file paths alone do not say).
inline constexpr const char* kFeedPathOption = "__feed_path";
inline constexpr const char* kFeedVersionOption = "__feed_version";

// The absolute, normalised form of a feed path (how plans and commits compare feeds).
std::string feedCanonicalPath(const std::string& path);

// Resolves a FileSource of format feed/ember (paths[0] = the feed directory, optionally
// "dir@v3" or "dir@yyyyMMddHHmmssSSS"; options versionAsOf / timestampAsOf) to the
// snapshot it names: a resolved scan plan (a Parquet FileScan of exactly the snapshot's
// data files, or an empty relation). The snapshot is pinned: later commits do not change
// what the plan reads. UserError for a missing feed or version.
PlanPtr resolveFeedScan(const FileSource& src);
// Splits a relation name the parser gave a time-travel suffix ("t@v3" for VERSION AS OF
// 3, "t@ts=2026-11-22 10:00:00" for TIMESTAMP AS OF) into the name and the reader option
// (versionasof / timestampasof) with its value; false for a plain name.
bool splitFeedTimeTravelName(const std::string& name, std::string& base, std::string& key,
                             std::string& value);
// An unresolved FileScan of the feed at `path` (each analysis reads the latest snapshot).
PlanPtr feedScanRef(const std::string& path, const std::map<std::string, std::string>& options);
// The feed snapshot version a resolved plan reads of the feed at canonical `path`, or -1.
int64_t feedVersionReadBy(const PlanPtr& plan, const std::string& canonicalPath);

// Runs a job writing df's partitions as new Parquet data files (unique names) into the
// feed directory `path`; returns them (empty partitions write no file). Nothing is
// committed: until a log entry names them the files are invisible (VACUUM removes them).
// With `tagCounts`, df's last column is an int tag that is counted per value into
// *tagCounts and not written (MERGE's metrics).
std::vector<FeedFile> writeFeedDataFiles(const DataFrame& df, const std::string& path,
                                         const std::map<std::string, std::string>& options,
                                         std::map<int64_t, int64_t>* tagCounts = nullptr);

// MERGE's file pruning: indices into `files` (paths of snap's data files) of the files
// that may hold a target row matching some source row, judged from each file's min/max
// stats against the source's range of every key of a conjunct `target.k = source.k` of
// `condition` (integer and string keys). Runs one aggregation job over `source` when
// there is such a key; otherwise returns every index.
std::vector<int> feedFilesMatchingKeys(const FeedSnapshot& snap,
                                       const std::vector<std::string>& files,
                                       const DataFrame& source, const std::string& sourceAlias,
                                       const std::string& targetAlias, const ExprPtr& condition);

// Min, max (numbers, strings, dates, timestamps, decimals) and null count per column of
// the batches written to one data file; toJson() gives the log's "stats" object. Used by
// one task at a time.
class FeedFileStats {
 public:
  explicit FeedFileStats(const Schema& schema);
  ~FeedFileStats();
  void add(const Batch& b);  // b's first schema.size() columns
  std::string toJson() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Publishes c as version c.readVersion + 1. If another writer published that version
// first: a blind append (c.blindAppend) retries at the next version when the winner kept
// the schema (up to ember.feed.commitRetries times); anything else throws UserError
// "concurrent write to feed ...". On failure the files c added are deleted. Returns the
// committed version.
int64_t commitFeed(Session& s, const std::string& path, FeedCommit c);

// df.write.format("feed").mode(mode).save(path), and INSERT / CTAS into feeds. Returns
// the committed version, or -1 when mode "ignore" found the feed.
int64_t writeFeed(const DataFrame& df, const std::string& path, const std::string& mode,
                  const std::map<std::string, std::string>& options, const std::string& operation,
                  std::map<std::string, std::string> parameters = {});

// DELETE (columns empty) or UPDATE of the feed at `path`: a new version written from its
// latest snapshot (read as `alias` when not empty) without the rows where `condition`
// holds (null condition: every row), or with columns[i] = values[i] in them. Rows where
// the condition is NULL are kept as they are. Returns the committed version.
int64_t rewriteFeedRows(Session& s, const std::string& path, const std::string& alias,
                        const std::string& operation, const ExprPtr& condition,
                        const std::vector<std::string>& columns, const std::vector<ExprPtr>& values,
                        std::map<std::string, std::string> parameters = {});

// Configuration (registered in feed_write.cpp, documented in docs/configuration.md).
int feedCheckpointInterval(Session& s);

}  // namespace ember::sql
