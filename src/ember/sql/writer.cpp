#include "ember/sql/writer.h"

#include <atomic>
#include <chrono>
#include <filesystem>

#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/core/registry.h"
#include "ember/core/task_context.h"
#include "ember/io/file_format.h"
#include "ember/io/output_commit.h"
#include "ember/rdd/rdd_impl.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/session.h"

namespace fs = std::filesystem;

namespace ember::sql {

namespace {
// A result task: writes its partition's batches to the attempt's part file and commits
// it; the result is the row count.
class WriteTask : public JobFunctionBase, public Registered<WriteTask, JobFunctionBase> {
 public:
  WriteTask(std::string format, Schema schema, FormatOptions options,
            DirectoryOutputCommitter committer)
      : format_(std::move(format)),
        schema_(std::move(schema)),
        options_(std::move(options)),
        committer_(std::move(committer)) {}

  std::string run(RDDBase& rdd, int partition, TaskContext& ctx) const override {
    auto* typed = dynamic_cast<RDDImpl<BatchPtr>*>(&rdd);
    EMBER_CHECK(typed != nullptr, "write task over a non-batch RDD");
    int attempt = ctx.attemptNumber();
    std::string path = committer_.taskAttemptPath(partition, attempt);
    int64_t rows = 0;
    try {
      auto writer = FileFormat::forName(format_).createWriter(path, schema_, options_);
      auto it = typed->iterator(partition, ctx);
      BatchPtr b;
      while (it->next(b)) {
        ctx.checkInterrupted();
        if (b->numRows == 0) continue;
        writer->write(*b);
        rows += b->numRows;
      }
      writer->close();
      ctx.metrics().recordsWritten += rows;
      ctx.metrics().bytesWritten += static_cast<int64_t>(writer->bytesWritten());
      committer_.commitTask(partition, attempt);
    } catch (...) {
      committer_.abortTask(partition, attempt);
      throw;
    }
    std::string out;
    ByteWriter w(&out);
    w.writeRaw<int64_t>(rows);
    return out;
  }
  const char* typeKey() const override { return registeredKey(); }
  // Executors write through the same committer (the output must be on a file system
  // every executor mounts, as with Spark).
  void serialize(ByteWriter& w, GraphWriter&) const override {
    w.writeString(format_);
    schema_.serialize(w);
    options_.serialize(w);
    committer_.serialize(w);
  }
  static std::shared_ptr<JobFunctionBase> deserialize(ByteReader& r, GraphReader&) {
    std::string format = r.readString();
    Schema schema = Schema::deserialize(r);
    FormatOptions options = FormatOptions::deserialize(r);
    return std::make_shared<WriteTask>(std::move(format), std::move(schema), std::move(options),
                                       DirectoryOutputCommitter::deserialize(r));
  }

 private:
  std::string format_;
  Schema schema_;
  FormatOptions options_;
  // commitTask/abortTask of different partitions touch different paths (thread-safe).
  mutable DirectoryOutputCommitter committer_;
};

std::string uniqueJobId() {
  static std::atomic<int64_t> n{0};
  auto t = std::chrono::system_clock::now().time_since_epoch().count();
  return std::to_string(t) + "-" + std::to_string(n++);
}
}  // namespace

int64_t writeFiles(const DataFrame& df, const std::string& formatName, const std::string& path,
                   const std::string& modeName, const std::map<std::string, std::string>& options) {
  std::string mode = toLowerAscii(modeName);
  std::string format = toLowerAscii(formatName);
  if (isFeedFormat(format)) {
    // Feeds commit a new version instead of swapping directories (feed_write.cpp).
    int64_t version = writeFeed(df, path, mode, options, "WRITE");
    if (version < 0) return 0;
    int64_t rows = 0;
    for (const auto& f : FeedLog(path).readCommit(version).added) rows += f.rows;
    return rows;
  }
  if (mode == "errorifexists" || mode == "default") mode = "error";
  if (mode != "error" && mode != "append" && mode != "overwrite" && mode != "ignore")
    throw UserError("unknown save mode '" + modeName + "'; use error, append, overwrite or ignore");
  const FileFormat& fmt = FileFormat::forName(format);  // validates the name early
  (void)fmt;
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  if (exists && mode == "error")
    throw UserError(
        "path " + path +
        " already exists; use mode \"overwrite\" to replace it or \"append\" to add to it");
  if (exists && mode == "ignore") return 0;

  FormatOptions opts;
  for (const auto& [k, v] : options) opts.set(k, v);
  Session& session = df.session();
  QueryExecution qe(session, df.plan());
  PhysicalPtr root = qe.physical();
  std::string jobId = uniqueJobId();
  // Appends stage next to the target too; their files then move into it.
  std::string target = (exists && mode == "append") ? path + ".ember-append-" + jobId : path;
  std::string stagingTarget =
      (exists && mode == "overwrite") ? path + ".ember-new-" + jobId : target;
  DirectoryOutputCommitter committer(stagingTarget, jobId);
  committer.setupJob();
  auto task = std::make_shared<WriteTask>(format, df.schema(), opts, committer);
  auto rdd = makePlanRdd(session.context(), root, "write " + format);
  std::vector<int> parts;
  for (int p = 0; p < root->numPartitions(); ++p) parts.push_back(p);
  int64_t rows = 0;
  try {
    session.context().runJob(
        rdd, task, parts,
        [&](int, std::string_view bytes) {
          ByteReader r(bytes);
          rows += r.readRaw<int64_t>();
        },
        "write " + format + " to " + path);
    committer.commitJob();
  } catch (...) {
    committer.abortJob();
    throw;
  }
  std::string ext = FileFormat::forName(format).fileExtension(opts);
  auto addExtensions = [&](const std::string& dir) {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.rfind("part-", 0) == 0 && e.path().extension().empty())
        fs::rename(e.path(), e.path().string() + ext);
    }
  };
  addExtensions(stagingTarget);
  if (exists && mode == "overwrite") {
    // Swap: old aside, new into place, old removed. Between the two renames the path
    // briefly does not exist; it never holds a mix of old and new files.
    std::string old = path + ".ember-old-" + jobId;
    fs::rename(path, old);
    try {
      fs::rename(stagingTarget, path);
    } catch (...) {
      fs::rename(old, path);
      throw;
    }
    fs::remove_all(old, ec);
  } else if (exists && mode == "append") {
    for (const auto& e : fs::directory_iterator(target)) {
      std::string name = e.path().filename().string();
      if (name.rfind("part-", 0) != 0) continue;
      fs::rename(e.path(), fs::path(path) / (name.substr(0, 10) + "-" + jobId + name.substr(10)));
    }
    fs::remove_all(target, ec);
  }
  return rows;
}

DataFrameWriter::DataFrameWriter(DataFrame df) : df_(std::move(df)) {}
DataFrameWriter& DataFrameWriter::format(const std::string& f) {
  format_ = f;
  return *this;
}
DataFrameWriter& DataFrameWriter::mode(const std::string& m) {
  mode_ = m;
  return *this;
}
DataFrameWriter& DataFrameWriter::option(const std::string& k, const std::string& v) {
  options_[toLowerAscii(k)] = v;
  return *this;
}
DataFrameWriter& DataFrameWriter::options(const std::map<std::string, std::string>& kv) {
  for (const auto& [k, v] : kv) option(k, v);
  return *this;
}
void DataFrameWriter::save(const std::string& path) {
  writeFiles(df_, format_, path, mode_, options_);
}

}  // namespace ember::sql
