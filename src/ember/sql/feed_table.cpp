// FeedTable: time travel, history, VACUUM and the MERGE builder.
#include <chrono>
#include <filesystem>
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/catalog.h"
#include "ember/sql/feed.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/parser.h"
#include "ember/sql/session.h"

namespace fs = std::filesystem;

namespace ember::sql {

FeedTable::FeedTable(Session& session, std::string path, std::string alias)
    : session_(&session), path_(std::move(path)), alias_(std::move(alias)) {}

bool FeedTable::isFeed(const std::string& path) { return FeedLog(path).exists(); }

FeedTable FeedTable::forPath(Session& session, const std::string& path) {
  FeedLog(path).latest();               // UserError if not a feed
  return FeedTable(session, path, "");  // alias inferred by merge (feed_merge.cpp)
}

FeedTable FeedTable::forName(Session& session, const std::string& tableName) {
  auto info = session.catalog().tableInfo(tableName);
  if (!info)
    throw UserError("table " + tableName + " not found (create it with CREATE TABLE " + tableName +
                    " USING feed AS SELECT ...)");
  if (!isFeedFormat(info->format))
    throw UserError("table " + tableName + " is a " + info->format +
                    " table, not a feed (USING feed)");
  return FeedTable(session, info->location, tableName);
}

FeedTable FeedTable::as(const std::string& alias) const {
  return FeedTable(*session_, path_, alias);
}

int64_t FeedTable::deleteWhere(const std::string& condition) const {
  ExprPtr cond = condition.empty() ? nullptr : parseExpression(condition);
  return rewriteFeedRows(*session_, path_, alias_, "DELETE", cond, {}, {});
}

int64_t FeedTable::update(const std::map<std::string, std::string>& set,
                          const std::string& condition) const {
  if (set.empty()) throw UserError("update() needs at least one column to set");
  std::vector<std::string> columns;
  std::vector<ExprPtr> values;
  for (const auto& [c, v] : set) {
    columns.push_back(c);
    values.push_back(parseExpression(v));
  }
  ExprPtr cond = condition.empty() ? nullptr : parseExpression(condition);
  return rewriteFeedRows(*session_, path_, alias_, "UPDATE", cond, columns, values);
}

DataFrame FeedTable::toDF() const { return DataFrame(session_, feedScanRef(path_, {})); }

DataFrame FeedTable::versionAsOf(int64_t v) const {
  return DataFrame(session_, feedScanRef(path_, {{"versionasof", std::to_string(v)}}));
}

int64_t FeedTable::latestVersion() const { return FeedLog(path_).latestVersion(); }

std::vector<FeedCommit> FeedTable::history(int limit) const {
  auto all = FeedLog(path_).history();
  std::vector<FeedCommit> out(all.rbegin(), all.rend());
  if (limit > 0 && out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
  return out;
}

DataFrame FeedTable::historyDF(int limit) const {
  Schema schema({{"version", DataType::int64()},
                 {"timestamp", DataType::timestamp()},
                 {"operation", DataType::string()},
                 {"operationParameters", DataType::string()},
                 {"readVersion", DataType::int64()},
                 {"isBlindAppend", DataType::boolean()},
                 {"numFiles", DataType::int64()},
                 {"numOutputRows", DataType::int64()}});
  std::vector<Row> rows;
  for (const auto& c : history(limit)) {
    std::string params = "{";
    for (const auto& [k, v] : c.parameters)
      params += (params.size() > 1 ? ", " : "") + k + ": " + v;
    params += "}";
    auto metric = [&](const char* k) {
      auto it = c.metrics.find(k);
      return it == c.metrics.end() ? Value::null(DataType::int64()) : Value::int64(it->second);
    };
    rows.push_back(
        {Value::int64(c.version), Value::timestamp(c.timestampMs * 1000),
         Value::string(c.operation), Value::string(params),
         c.readVersion < 0 ? Value::null(DataType::int64()) : Value::int64(c.readVersion),
         Value::boolean(c.blindAppend), metric("numFiles"), metric("numOutputRows")});
  }
  return session_->createDataFrame(rows, schema);
}

std::vector<std::string> FeedTable::vacuum(std::optional<double> retentionHours,
                                           bool dryRun) const {
  FeedLog log(path_);
  int64_t latest = log.latest().version;
  double defaultHours = std::stod(session_->getConf("ember.feed.vacuum.retentionHours"));
  double hours = retentionHours.value_or(defaultHours);
  if (hours < 0) throw UserError("VACUUM retention must not be negative");
  if (hours < defaultHours &&
      toLowerAscii(session_->getConf("ember.feed.retentionDurationCheck.enabled")) != "false")
    throw UserError("VACUUM of feed " + path_ + " with a retention of " + std::to_string(hours) +
                    " hours is shorter than the default of " + std::to_string(defaultHours) +
                    " hours: readers of old snapshots and writers in flight could lose files. "
                    "If you are sure, SET ember.feed.retentionDurationCheck.enabled = false");
  int64_t nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  int64_t cutoff = nowMs - static_cast<int64_t>(hours * 3600.0 * 1000.0);
  // Snapshots still needed: the latest, and each one that was current after the cutoff
  // (its successor was committed after it).
  int64_t oldest = std::max<int64_t>(0, log.oldestReadableVersion());
  int64_t keepFrom = latest;
  while (keepFrom > oldest && log.readCommit(keepFrom).timestampMs > cutoff) --keepFrom;
  std::set<std::string> keep;
  for (const auto& [p, f] : log.snapshotAt(keepFrom).files) keep.insert(p);
  for (int64_t v = keepFrom + 1; v <= latest; ++v)
    for (const auto& f : log.readCommit(v).added) keep.insert(f.path);

  std::vector<std::string> deleted;
  auto cutoffTime = fs::file_time_type::clock::now() -
                    std::chrono::milliseconds(static_cast<int64_t>(hours * 3600.0 * 1000.0));
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(path_, ec)) {
    std::string name = e.path().filename().string();
    // Hidden names ('_', '.') are not data files (Delta's rule too).
    if (!e.is_regular_file() || name.empty() || name[0] == '_' || name[0] == '.' ||
        keep.count(name))
      continue;
    // Files newer than the retention may belong to a writer that has not committed yet.
    if (e.last_write_time(ec) > cutoffTime) continue;
    deleted.push_back(e.path().string());
  }
  if (dryRun) return deleted;
  // Older snapshots that lose files become unreadable; record that first, so a reader
  // gets "removed by VACUUM" instead of a missing file.
  FeedSnapshot s = log.snapshotAt(oldest);
  int64_t lastBroken = oldest - 1;
  std::set<std::string> gone;
  for (const auto& d : deleted) gone.insert(fs::path(d).filename().string());
  for (int64_t v = oldest; v <= latest; ++v) {
    if (v > oldest) {
      FeedCommit c = log.readCommit(v);
      for (const auto& f : c.removed) s.files.erase(f.path);
      for (const auto& f : c.added) s.files[f.path] = f;
    }
    for (const auto& [p, f] : s.files)
      if (gone.count(p)) {
        lastBroken = v;
        break;
      }
  }
  if (lastBroken >= oldest) log.setOldestReadableVersion(lastBroken + 1);
  for (const auto& d : deleted) fs::remove(d, ec);
  return deleted;
}

FeedMergeBuilder FeedTable::merge(const DataFrame& source, const std::string& condition) const {
  return FeedMergeBuilder(*session_, path_, alias_, source, parseExpression(condition), condition);
}

FeedMergeBuilder::FeedMergeBuilder(Session& s, std::string path, std::string alias,
                                   DataFrame source, ExprPtr condition, std::string conditionText)
    : session_(&s),
      path_(std::move(path)),
      alias_(std::move(alias)),
      source_(std::move(source)),
      condition_(std::move(condition)),
      conditionText_(std::move(conditionText)) {}

FeedMergeBuilder& FeedMergeBuilder::add(bool matched, Statement::MergeClause::Action action,
                                        bool star, const std::map<std::string, std::string>& values,
                                        const std::string& condition) {
  Statement::MergeClause m;
  m.matched = matched;
  m.action = action;
  m.star = star;
  if (!condition.empty()) m.condition = parseExpression(condition);
  for (const auto& [c, v] : values) {
    m.columns.push_back(c);
    m.values.push_back(parseExpression(v));
  }
  clauses_.push_back(std::move(m));
  return *this;
}

FeedMergeBuilder& FeedMergeBuilder::whenMatchedUpdate(const std::map<std::string, std::string>& set,
                                                      const std::string& condition) {
  if (set.empty()) throw UserError("whenMatchedUpdate needs at least one column to set");
  return add(true, Statement::MergeClause::Update, false, set, condition);
}
FeedMergeBuilder& FeedMergeBuilder::whenMatchedUpdateAll(const std::string& condition) {
  return add(true, Statement::MergeClause::Update, true, {}, condition);
}
FeedMergeBuilder& FeedMergeBuilder::whenMatchedDelete(const std::string& condition) {
  return add(true, Statement::MergeClause::Delete, false, {}, condition);
}
FeedMergeBuilder& FeedMergeBuilder::whenNotMatchedInsert(
    const std::map<std::string, std::string>& values, const std::string& condition) {
  if (values.empty()) throw UserError("whenNotMatchedInsert needs at least one column value");
  return add(false, Statement::MergeClause::Insert, false, values, condition);
}
FeedMergeBuilder& FeedMergeBuilder::whenNotMatchedInsertAll(const std::string& condition) {
  return add(false, Statement::MergeClause::Insert, true, {}, condition);
}

FeedMergeResult FeedMergeBuilder::execute() {
  if (clauses_.empty())
    throw UserError("MERGE needs at least one whenMatched... or whenNotMatched... clause");
  return mergeIntoFeed(*session_, path_, alias_, source_, condition_, conditionText_, clauses_);
}

}  // namespace ember::sql
