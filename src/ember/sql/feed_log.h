// The transaction log of a feed (Ember's versioned table format; docs/feeds.md).
//
// A feed is a directory of immutable Parquet data files plus `_feed_log/`, which holds
// one JSON file per committed version (00000000000000000000.json, ...) listing the data
// files it added and removed, the schema, the operation and its parameters, and the
// commit time. A snapshot (the table as of version N) is the replay of versions 0..N, or
// of the newest checkpoint (N.checkpoint.json, the whole file list) at or below N plus
// the versions after it.
//
// Commit protocol: data files are written first under unique names; then version N+1 is
// published by link()ing a complete temporary file to its final name, which fails with
// EEXIST when another writer published N+1 first. Exactly one writer wins each version,
// and a reader never sees a partially written log entry or snapshot.
//
// Threading: a FeedLog holds only its path; every call reads the file system afresh, so
// any number of FeedLog objects in any threads or processes may use one feed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/columnar/types.h"

namespace ember::sql {

// A data file of a feed, as the log records it. Stats are per column:
// {"col": {"min": v, "max": v, "nullCount": n}} (MERGE prunes files with them).
struct FeedFile {
  std::string path;  // relative to the feed directory
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string statsJson = "{}";
};

// One committed version: what the log file of that version says.
struct FeedCommit {
  int64_t version = -1;
  int64_t timestampMs = 0;
  std::string operation;  // "WRITE", "CREATE TABLE AS SELECT", "MERGE", ...
  std::map<std::string, std::string> parameters;
  std::map<std::string, int64_t> metrics;
  int64_t readVersion = -1;  // the snapshot the writer read (-1: none)
  bool blindAppend = false;
  Schema schema;
  std::vector<FeedFile> added;
  std::vector<FeedFile> removed;
};

// The table as of one version.
struct FeedSnapshot {
  int64_t version = -1;
  int64_t timestampMs = 0;
  Schema schema;
  std::map<std::string, FeedFile> files;  // by relative path
  int64_t numRows() const;
};

class FeedLog {
 public:
  explicit FeedLog(std::string tablePath);

  const std::string& tablePath() const { return path_; }
  std::string logDir() const;
  // True if the directory holds a feed (a log with version 0).
  bool exists() const;
  // The newest version, or -1 if the feed has no versions.
  int64_t latestVersion() const;
  // The oldest version whose data files are all still present (VACUUM may have removed
  // older ones); 0 if never vacuumed.
  int64_t oldestReadableVersion() const;

  // One version's log entry; UserError if it does not exist.
  FeedCommit readCommit(int64_t version) const;
  // Every committed version, oldest first.
  std::vector<FeedCommit> history() const;

  FeedSnapshot latest() const;
  // UserError naming the available range if the version does not exist or was vacuumed.
  FeedSnapshot snapshotAt(int64_t version) const;
  // The newest version committed at or before `timestampMs` (UTC milliseconds);
  // UserError if the feed did not exist yet at that time.
  FeedSnapshot snapshotAtTimestamp(int64_t timestampMs) const;

  // Publishes `c` as version c.version; false if that version already exists (another
  // writer won). c.timestampMs is set here (monotonic: after the previous version's).
  // `checkpointInterval` > 0 writes a checkpoint every that many versions.
  bool tryCommit(FeedCommit& c, int checkpointInterval) const;

  // Records, after a VACUUM, the oldest version that can still be read.
  void setOldestReadableVersion(int64_t version) const;

  // "versions 0 to 7 (2026-11-22 10:00:00.000 UTC to ...)", for error messages.
  std::string describeRange() const;

 private:
  std::vector<int64_t> listVersions(std::vector<int64_t>* checkpoints) const;
  FeedSnapshot replay(int64_t version) const;
  void writeCheckpoint(const FeedSnapshot& s) const;

  std::string path_;
};

// Names of the feed format in USING / format(): "feed" and its alias "ember".
bool isFeedFormat(const std::string& format);
// "2026-11-22 10:00:00[.fff]" / "2026-11-22" / "2026-11-22T10:00:00Z" (UTC) -> ms since
// the epoch; UserError for another form.
int64_t parseFeedTimestamp(const std::string& text);
std::string formatFeedTimestamp(int64_t ms);  // "2026-11-22 10:00:00.000"

}  // namespace ember::sql
