#include "ember/sql/writer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/core/registry.h"
#include "ember/core/task_context.h"
#include "ember/io/file_format.h"
#include "ember/io/output_commit.h"
#include "ember/io/partitioning.h"
#include "ember/rdd/rdd_impl.h"
#include "ember/sql/catalog.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/session.h"

namespace fs = std::filesystem;

namespace ember::sql {

namespace {
// A result task: writes its partition's batches to the attempt's part file and commits
// it; the result is the row count. With partition columns (partitionBy), rows go to one
// file per distinct value combination, under `k=v/...` directories, without those columns.
class WriteTask : public JobFunctionBase, public Registered<WriteTask, JobFunctionBase> {
 public:
  WriteTask(std::string format, Schema schema, FormatOptions options,
            DirectoryOutputCommitter committer, std::vector<int> partitionColumns = {})
      : format_(std::move(format)),
        schema_(std::move(schema)),
        options_(std::move(options)),
        committer_(std::move(committer)),
        partitionColumns_(std::move(partitionColumns)) {
    std::vector<Field> data;
    for (size_t i = 0; i < schema_.size(); ++i)
      if (std::find(partitionColumns_.begin(), partitionColumns_.end(), static_cast<int>(i)) ==
          partitionColumns_.end()) {
        dataColumns_.push_back(static_cast<int>(i));
        data.push_back(schema_.field(i));
      }
    dataSchema_ = Schema(std::move(data));
  }

  std::string run(RDDBase& rdd, int partition, TaskContext& ctx) const override {
    auto* typed = dynamic_cast<RDDImpl<BatchPtr>*>(&rdd);
    EMBER_CHECK(typed != nullptr, "write task over a non-batch RDD");
    int attempt = ctx.attemptNumber();
    int64_t rows = 0;
    try {
      auto it = typed->iterator(partition, ctx);
      uint64_t bytes = partitionColumns_.empty()
                           ? writeOne(*it, partition, attempt, ctx, rows)
                           : writePartitioned(*it, partition, attempt, ctx, rows);
      ctx.metrics().recordsWritten += rows;
      ctx.metrics().bytesWritten += static_cast<int64_t>(bytes);
      if (partitionColumns_.empty())
        committer_.commitTask(partition, attempt);
      else
        committer_.commitTaskTree(partition, attempt);
    } catch (...) {
      committer_.abortTask(partition, attempt);
      throw;
    }
    std::string out;
    ByteWriter w(&out);
    w.writeRaw<int64_t>(rows);
    return out;
  }
  uint64_t writeOne(Iterator<BatchPtr>& it, int partition, int attempt, TaskContext& ctx,
                    int64_t& rows) const {
    auto writer = FileFormat::forName(format_).createWriter(
        committer_.taskAttemptPath(partition, attempt), schema_, options_);
    BatchPtr b;
    while (it.next(b)) {
      ctx.checkInterrupted();
      if (b->numRows == 0) continue;
      writer->write(*b);
      rows += b->numRows;
    }
    writer->close();
    return writer->bytesWritten();
  }

  // One open writer per partition directory seen by this task (as Spark without its
  // sort-based fallback: a task writing very many directories holds many open files).
  uint64_t writePartitioned(Iterator<BatchPtr>& it, int partition, int attempt, TaskContext& ctx,
                            int64_t& rows) const {
    std::vector<std::string> names;
    for (int c : partitionColumns_) names.push_back(schema_.field(static_cast<size_t>(c)).name);
    std::map<std::string, std::unique_ptr<BatchWriter>> writers;
    const FileFormat& fmt = FileFormat::forName(format_);
    BatchPtr b;
    while (it.next(b)) {
      ctx.checkInterrupted();
      if (b->numRows == 0) continue;
      std::map<std::string, std::vector<int32_t>> groups;
      std::vector<Value> values(partitionColumns_.size());
      for (int64_t r = 0; r < b->numRows; ++r) {
        for (size_t k = 0; k < partitionColumns_.size(); ++k)
          values[k] = Value::fromColumn(*b->columns[static_cast<size_t>(partitionColumns_[k])], r);
        groups[partitionPath(names, values)].push_back(static_cast<int32_t>(r));
      }
      for (const auto& [dir, sel] : groups) {
        auto taken = takeBatch(*b, sel.data(), static_cast<int64_t>(sel.size()));
        std::vector<ColumnPtr> cols;
        for (int c : dataColumns_) cols.push_back(taken->columns[static_cast<size_t>(c)]);
        auto& w = writers[dir];
        if (!w)
          w = fmt.createWriter(committer_.taskAttemptPath(partition, attempt, dir), dataSchema_,
                               options_);
        w->write(Batch(std::move(cols), taken->numRows));
      }
      rows += b->numRows;
    }
    uint64_t bytes = 0;
    for (auto& [dir, w] : writers) {
      w->close();
      bytes += w->bytesWritten();
    }
    return bytes;
  }

  const char* typeKey() const override { return registeredKey(); }
  // Executors write through the same committer (the output must be on a file system
  // every executor mounts, as with Spark).
  void serialize(ByteWriter& w, GraphWriter&) const override {
    w.writeString(format_);
    schema_.serialize(w);
    options_.serialize(w);
    committer_.serialize(w);
    Serde<std::vector<int>>::write(w, partitionColumns_);
  }
  static std::shared_ptr<JobFunctionBase> deserialize(ByteReader& r, GraphReader&) {
    std::string format = r.readString();
    Schema schema = Schema::deserialize(r);
    FormatOptions options = FormatOptions::deserialize(r);
    auto committer = DirectoryOutputCommitter::deserialize(r);
    return std::make_shared<WriteTask>(std::move(format), std::move(schema), std::move(options),
                                       std::move(committer), Serde<std::vector<int>>::read(r));
  }

 private:
  std::string format_;
  Schema schema_;
  FormatOptions options_;
  // commitTask/abortTask of different partitions touch different paths (thread-safe).
  mutable DirectoryOutputCommitter committer_;
  std::vector<int> partitionColumns_;  // indices in schema_
  std::vector<int> dataColumns_;       // the others: what the files hold
  Schema dataSchema_;
};

std::string uniqueJobId() {
  static std::atomic<int64_t> n{0};
  auto t = std::chrono::system_clock::now().time_since_epoch().count();
  return std::to_string(t) + "-" + std::to_string(n++);
}
}  // namespace

int64_t writeFiles(const DataFrame& df, const std::string& formatName, const std::string& path,
                   const std::string& modeName, const std::map<std::string, std::string>& options,
                   const std::vector<std::string>& partitionBy) {
  std::string mode = toLowerAscii(modeName);
  std::string format = toLowerAscii(formatName);
  // partitionBy columns: positions in the result, checked before anything is written.
  std::vector<int> partitionColumns;
  Schema schema = df.schema();
  for (const auto& name : partitionBy) {
    int i = schema.indexOf(name);
    if (i < 0) {
      std::string cols;
      for (const auto& f : schema.fields()) cols += (cols.empty() ? "" : ", ") + f.name;
      throw UserError("partitionBy column '" + name + "' is not a column of the result (" + cols +
                      ")");
    }
    if (std::find(partitionColumns.begin(), partitionColumns.end(), i) != partitionColumns.end())
      throw UserError("partitionBy names column '" + name + "' twice");
    partitionColumns.push_back(i);
  }
  if (!partitionColumns.empty() && partitionColumns.size() == schema.size())
    throw UserError("partitionBy cannot use every column: the files would have no columns");
  if (isFeedFormat(format)) {
    if (!partitionColumns.empty())
      throw UserError("partitionBy is not supported for feeds yet; write the feed without it");
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
  fmt.checkWriteSchema(df.schema());
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
  auto task = std::make_shared<WriteTask>(format, schema, opts, committer, partitionColumns);
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
  // Part files of the whole tree (partitioned writes put them in k=v/ directories).
  auto partFiles = [](const std::string& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename().string().rfind("part-", 0) == 0)
        out.push_back(e.path());
    return out;
  };
  auto addExtensions = [&](const std::string& dir) {
    for (const auto& f : partFiles(dir))
      if (f.extension().empty()) fs::rename(f, f.string() + ext);
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
    for (const auto& f : partFiles(target)) {
      std::string name = f.filename().string();
      fs::path dir = fs::path(path) / f.parent_path().lexically_relative(target);
      fs::create_directories(dir);
      fs::rename(f, dir / (name.substr(0, 10) + "-" + jobId + name.substr(10)));
    }
    fs::remove_all(target, ec);
  }
  session.catalog().invalidateCachesOf(path);  // CACHE TABLE copies of the table are stale
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
DataFrameWriter& DataFrameWriter::partitionBy(std::vector<std::string> columns) {
  partitionBy_ = std::move(columns);
  return *this;
}
void DataFrameWriter::save(const std::string& path) {
  writeFiles(df_, format_, path, mode_, options_, partitionBy_);
}

}  // namespace ember::sql
