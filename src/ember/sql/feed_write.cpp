// Writing feed data files (one job, one Parquet file per non-empty partition) and
// committing versions with conflict detection.
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/core/registry.h"
#include "ember/core/task_context.h"
#include "ember/io/file_format.h"
#include "ember/rdd/rdd_impl.h"
#include "ember/sql/catalog.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/feed.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/session.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace ember::sql {

namespace {
const bool kKeysRegistered = [] {
  Config::registerKey({"ember.feed.checkpointInterval", "10",
                       "A feed writes a checkpoint of its whole file list every this many "
                       "versions, so readers replay at most that many log files; 0 disables."});
  Config::registerKey({"ember.feed.commitRetries", "10",
                       "How many times a blind append to a feed retries at the next version "
                       "after losing a commit race to another writer."});
  Config::registerKey(
      {"ember.feed.retentionDurationCheck.enabled", "true",
       "VACUUM of a feed refuses a retention shorter than ember.feed.vacuum.retentionHours "
       "unless this is false (a short retention can break readers and writers in flight)."});
  Config::registerKey({"ember.feed.vacuum.retentionHours", "168",
                       "Default retention of VACUUM on feeds: data files still needed by a "
                       "snapshot current within this many hours are kept (7 days)."});
  return true;
}();

// Writes one partition to one Parquet file; the result is the FeedFile as JSON ("" for
// an empty partition).
class FeedWriteTask : public JobFunctionBase, public Registered<FeedWriteTask, JobFunctionBase> {
 public:
  FeedWriteTask(std::string dir, std::string jobId, Schema schema, FormatOptions options,
                bool tagged)
      : dir_(std::move(dir)),
        jobId_(std::move(jobId)),
        schema_(std::move(schema)),
        options_(std::move(options)),
        tagged_(tagged) {}

  std::string run(RDDBase& rdd, int partition, TaskContext& ctx) const override {
    auto* typed = dynamic_cast<RDDImpl<BatchPtr>*>(&rdd);
    EMBER_CHECK(typed != nullptr, "feed write task over a non-batch RDD");
    const FileFormat& parquet = FileFormat::forName("parquet");
    char part[16];
    std::snprintf(part, sizeof part, "%05d", partition);
    // Unique per job and attempt: a failed attempt's file is never overwritten or
    // committed; VACUUM removes it.
    std::string name = std::string("part-") + part + "-" + jobId_ + "-a" +
                       std::to_string(ctx.attemptNumber()) + parquet.fileExtension(options_);
    std::string path = dir_ + "/" + name;
    FeedFileStats stats(schema_);
    std::map<int64_t, int64_t> tags;
    int64_t rows = 0;
    std::unique_ptr<BatchWriter> writer;
    auto it = typed->iterator(partition, ctx);
    BatchPtr b;
    while (it->next(b)) {
      ctx.checkInterrupted();
      if (b->numRows == 0) continue;
      if (tagged_) {
        // The last column is a tag to count (MERGE's clause per row), not data.
        const Column& tag = *b->columns.back();
        for (int64_t r = 0; r < b->numRows; ++r) ++tags[tag.valueAt<int32_t>(r)];
        b = std::make_shared<Batch>(
            std::vector<ColumnPtr>(b->columns.begin(), b->columns.end() - 1), b->numRows);
      }
      if (!writer) writer = parquet.createWriter(path, schema_, options_);
      writer->write(*b);
      rows += b->numRows;
      stats.add(*b);
    }
    Json out = {{"tags", Json::object()}};
    for (const auto& [t, n] : tags) out["tags"][std::to_string(t)] = n;
    if (!writer) return out.dump();
    writer->close();
    ctx.metrics().recordsWritten += rows;
    ctx.metrics().bytesWritten += static_cast<int64_t>(writer->bytesWritten());
    out["file"] = {{"path", name},
                   {"rows", rows},
                   {"bytes", static_cast<int64_t>(writer->bytesWritten())},
                   {"stats", Json::parse(stats.toJson())}};
    return out.dump();
  }
  const char* typeKey() const override { return registeredKey(); }
  // Executors write into the feed directory directly (it must be on a file system every
  // executor mounts); only the driver commits.
  void serialize(ByteWriter& w, GraphWriter&) const override {
    w.writeString(dir_);
    w.writeString(jobId_);
    schema_.serialize(w);
    options_.serialize(w);
    w.writeRaw<uint8_t>(tagged_ ? 1 : 0);
  }
  static std::shared_ptr<JobFunctionBase> deserialize(ByteReader& r, GraphReader&) {
    std::string dir = r.readString();
    std::string jobId = r.readString();
    Schema schema = Schema::deserialize(r);
    FormatOptions options = FormatOptions::deserialize(r);
    bool tagged = r.readRaw<uint8_t>() != 0;
    return std::make_shared<FeedWriteTask>(std::move(dir), std::move(jobId), std::move(schema),
                                           std::move(options), tagged);
  }

 private:
  std::string dir_;
  std::string jobId_;
  Schema schema_;
  FormatOptions options_;
  bool tagged_;
};

std::string uniqueId() {
  static std::atomic<uint64_t> n{0};
  std::random_device rd;
  auto t = std::chrono::system_clock::now().time_since_epoch().count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%llx-%x-%llx", static_cast<unsigned long long>(t), rd(),
                static_cast<unsigned long long>(n++));
  return buf;
}

int64_t confInt(Session& s, const std::string& key) {
  (void)kKeysRegistered;
  std::string v = s.getConf(key);
  try {
    return std::stoll(v);
  } catch (const std::exception&) {
    throw ConfigError("configuration " + key + " = '" + v + "' is not an integer");
  }
}

void deleteFiles(const std::string& dir, const std::vector<FeedFile>& files) {
  std::error_code ec;
  for (const auto& f : files) fs::remove(fs::path(dir) / f.path, ec);
}

bool sameColumns(const Schema& a, const Schema& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!equalsIgnoreCase(a.field(i).name, b.field(i).name) || a.field(i).type != b.field(i).type)
      return false;
  return true;
}
}  // namespace

int feedCheckpointInterval(Session& s) {
  return static_cast<int>(confInt(s, "ember.feed.checkpointInterval"));
}

std::vector<FeedFile> writeFeedDataFiles(const DataFrame& df, const std::string& path,
                                         const std::map<std::string, std::string>& options,
                                         std::map<int64_t, int64_t>* tagCounts) {
  FormatOptions opts;
  for (const auto& [k, v] : options)
    if (k.rfind("__", 0) != 0 && k != "path" && k != "versionasof" && k != "timestampasof")
      opts.set(k, v);
  fs::create_directories(path);
  Session& session = df.session();
  Schema schema = df.schema();
  // Tasks may run in executor processes with another working directory.
  std::string dir = feedCanonicalPath(path);
  if (tagCounts) {
    EMBER_CHECK(schema.size() > 0 && schema.fields().back().type.id() == TypeId::Int32,
                "a tagged feed write needs an int tag as its last column");
    std::vector<Field> data(schema.fields().begin(), schema.fields().end() - 1);
    schema = Schema(std::move(data));
  }
  QueryExecution qe(session, df.plan());
  PhysicalPtr root = qe.physical();
  auto task = std::make_shared<FeedWriteTask>(dir, uniqueId(), schema, opts, tagCounts != nullptr);
  auto rdd = makePlanRdd(session.context(), root, "write feed");
  std::vector<int> parts;
  for (int p = 0; p < root->numPartitions(); ++p) parts.push_back(p);
  std::vector<FeedFile> files;
  try {
    session.context().runJob(
        rdd, task, parts,
        [&](int, std::string_view bytes) {
          Json j = Json::parse(bytes);
          if (tagCounts)
            for (auto& [t, n] : j["tags"].items()) (*tagCounts)[std::stoll(t)] += n.get<int64_t>();
          if (!j.contains("file")) return;
          const Json& jf = j["file"];
          FeedFile f;
          f.path = jf.at("path").get<std::string>();
          f.rows = jf.at("rows").get<int64_t>();
          f.bytes = jf.at("bytes").get<int64_t>();
          f.statsJson = jf.at("stats").dump();
          files.push_back(std::move(f));
        },
        "write feed " + path);
  } catch (...) {
    deleteFiles(path, files);
    throw;
  }
  return files;
}

int64_t commitFeed(Session& s, const std::string& path, FeedCommit c) {
  FeedLog log(path);
  int64_t retries = confInt(s, "ember.feed.commitRetries");
  int interval = feedCheckpointInterval(s);
  c.metrics["numFiles"] = static_cast<int64_t>(c.added.size());
  c.metrics["numRemovedFiles"] = static_cast<int64_t>(c.removed.size());
  int64_t rows = 0;
  for (const auto& f : c.added) rows += f.rows;
  c.metrics["numOutputRows"] = rows;
  c.version = c.readVersion + 1;
  for (int64_t attempt = 0;; ++attempt) {
    try {
      if (log.tryCommit(c, interval)) {
        s.catalog().invalidateCachesOf(path);  // CACHE TABLE copies of the feed are stale
        return c.version;
      }
    } catch (...) {
      deleteFiles(path, c.added);
      throw;
    }
    FeedCommit winner = log.readCommit(c.version);
    bool compatible = c.blindAppend && c.removed.empty() && sameColumns(winner.schema, c.schema) &&
                      attempt < retries;
    if (!compatible) {
      deleteFiles(path, c.added);
      throw UserError("concurrent write to feed " + path + ": version " +
                      std::to_string(c.version) + " was committed by " + winner.operation + " at " +
                      formatFeedTimestamp(winner.timestampMs) + " UTC after this " + c.operation +
                      " read version " + std::to_string(c.readVersion) +
                      "; nothing was written by this " + c.operation + ", run it again" +
                      (c.blindAppend
                           ? std::string(" (the winner changed the schema or retries ran out)")
                           : std::string()));
    }
    ++c.version;  // a blind append does not depend on what it lost to
  }
}

int64_t writeFeed(const DataFrame& df, const std::string& path, const std::string& modeName,
                  const std::map<std::string, std::string>& options, const std::string& operation,
                  std::map<std::string, std::string> parameters) {
  std::string mode = toLowerAscii(modeName);
  if (mode == "errorifexists" || mode == "default") mode = "error";
  if (mode != "error" && mode != "append" && mode != "overwrite" && mode != "ignore")
    throw UserError("unknown save mode '" + modeName + "'; use error, append, overwrite or ignore");
  FeedLog log(path);
  std::error_code ec;
  bool isFeed = log.exists();
  bool pathUsed = fs::exists(path, ec) && !(fs::is_directory(path, ec) && fs::is_empty(path, ec));
  if (pathUsed && mode == "error")
    throw UserError("path " + path + " already exists" + (isFeed ? " (a feed)" : "") +
                    "; use mode \"overwrite\" to replace it or \"append\" to add to it");
  if (pathUsed && mode == "ignore") return -1;
  if (pathUsed && !isFeed)
    throw UserError("path " + path + " exists and is not a feed (no _feed_log/); remove it or " +
                    "write the feed to another path");
  FeedCommit c;
  c.operation = operation;
  c.parameters = std::move(parameters);
  c.parameters["mode"] = mode == "error" ? "ErrorIfExists" : mode;
  Schema schema = df.schema();
  if (isFeed) {
    FeedSnapshot snap = log.latest();
    c.readVersion = snap.version;
    // A query that read an older snapshot of this feed must conflict with what was
    // committed since (its result may depend on the old contents).
    int64_t read = feedVersionReadBy(df.plan(), feedCanonicalPath(path));
    if (read >= 0) c.readVersion = std::min(c.readVersion, read);
    if (mode == "append" && !sameColumns(snap.schema, schema))
      throw UserError("cannot append to feed " + path + ": its schema is " +
                      snap.schema.toString() + " but the data's is " + schema.toString() +
                      " (cast or rename the columns, or overwrite the feed)");
    if (mode == "append") schema = snap.schema;
    if (mode == "overwrite")
      for (const auto& [p, f] : snap.files) c.removed.push_back(f);
  }
  // Blind: the data does not depend on the feed's contents, so losing a commit race to
  // another writer does not invalidate it.
  c.blindAppend = mode == "append" && feedVersionReadBy(df.plan(), feedCanonicalPath(path)) < 0;
  c.schema = schema;
  c.added = writeFeedDataFiles(df, path, options);
  return commitFeed(df.session(), path, c);
}

int64_t rewriteFeedRows(Session& s, const std::string& path, const std::string& alias,
                        const std::string& operation, const ExprPtr& condition,
                        const std::vector<std::string>& columns, const std::vector<ExprPtr>& values,
                        std::map<std::string, std::string> parameters) {
  DataFrame df = FeedTable::forPath(s, path).toDF();
  if (!alias.empty()) df = df.alias(alias);
  Schema schema = df.schema();
  // Overwriting what the query reads is safe for feeds: the new version's files are new.
  ExprPtr hit = condition ? call("coalesce", {condition, lit(Value::boolean(false))})
                          : lit(Value::boolean(true));
  if (condition) parameters["predicate"] = condition->toString();
  if (columns.empty()) {
    df = df.filter(call("not", {hit}));
  } else {
    for (const auto& c : columns)
      if (schema.indexOf(c) < 0)
        throw UserError(operation + ": the table has no column " + c +
                        " (its columns: " + schema.toString() + ")");
    std::vector<ExprPtr> rows;
    for (const auto& f : schema.fields()) {
      ExprPtr v = col(f.name);
      for (size_t i = 0; i < columns.size(); ++i)
        if (equalsIgnoreCase(columns[i], f.name))
          v = call("case", {hit, cast(values.at(i), f.type), col(f.name)});
      rows.push_back(sql::alias(v, f.name));
    }
    df = df.select(rows);
  }
  return writeFeed(df, path, "overwrite", {}, operation, std::move(parameters));
}

}  // namespace ember::sql
