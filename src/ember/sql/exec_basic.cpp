// Leaf and streaming operators: local tables, file scans, filter, project, limit,
// union, sample.
#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/common/hash.h"
#include "ember/core/accumulator.h"
#include "ember/core/broadcast.h"
#include "ember/core/context.h"
#include "ember/core/task_context.h"
#include "ember/core/task_input.h"
#include "ember/io/file_listing.h"
#include "ember/io/format_internal.h"
#include "ember/io/partitioning.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/exec_ops.h"

namespace ember::sql {

// ---- helpers ----
namespace {
class VectorStream : public BatchStream {
 public:
  explicit VectorStream(std::vector<BatchPtr> b) : b_(std::move(b)) {}
  BatchPtr next() override { return i_ < b_.size() ? b_[i_++] : nullptr; }

 private:
  std::vector<BatchPtr> b_;
  size_t i_ = 0;
};

class InstrumentedStream : public BatchStream {
 public:
  InstrumentedStream(StreamPtr in, const PhysicalNode& n)
      : in_(std::move(in)), node_(n), m_(n.metrics()) {}
  BatchPtr next() override {
    auto t0 = std::chrono::steady_clock::now();
    BatchPtr b = in_->next();
    m_.timeNs +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (b) {
      m_.rows += b->numRows;
      m_.batches += 1;
    } else if (node_.remoteMetrics != 0) {
      node_.reportMetrics();  // an executor's copy: the driver's node shows these counts
    }
    return b;
  }

 private:
  StreamPtr in_;
  const PhysicalNode& node_;
  OperatorMetrics& m_;
};

// Rows, time and spill add up over tasks; peak memory is the largest task's.
struct MetricsOp {
  std::vector<int64_t> operator()(std::vector<int64_t> a, const std::vector<int64_t>& b) const {
    a.resize(std::max(a.size(), b.size()), 0);
    for (size_t i = 0; i < b.size(); ++i) a[i] = i == 2 ? std::max(a[i], b[i]) : a[i] + b[i];
    return a;
  }
};
using MetricsAccumulator = Accumulator<std::vector<int64_t>, MetricsOp>;

std::string attrList(const std::vector<Attribute>& a) {
  std::string s;
  for (size_t i = 0; i < a.size(); ++i)
    s += (i ? ", " : "") + a[i].name + "#" + std::to_string(a[i].id);
  return s;
}
std::string exprList(const std::vector<ExprPtr>& es) {
  std::string s;
  for (size_t i = 0; i < es.size(); ++i) s += (i ? ", " : "") + es[i]->toString();
  return s;
}
}  // namespace

PhysicalNode::MetricTotals PhysicalNode::totals() const {
  MetricTotals t{metrics_.rows.load(), metrics_.timeNs.load(), metrics_.peakMemory.load(),
                 metrics_.spillBytes.load()};
  int64_t id;
  {
    std::lock_guard lock(metricsMutex_);
    id = accumulatorId_;
  }
  if (id != 0) {
    auto v = MetricsAccumulator(id).value();
    v.resize(4, 0);
    t.rows += v[0];
    t.timeNs += v[1];
    t.peakMemory = std::max(t.peakMemory, v[2]);
    t.spillBytes += v[3];
  }
  return t;
}

int64_t PhysicalNode::metricsAccumulatorId() const {
  std::lock_guard lock(metricsMutex_);
  if (accumulatorId_ == 0) accumulatorId_ = MetricsAccumulator::create({0, 0, 0, 0}).id();
  return accumulatorId_;
}

void PhysicalNode::reportMetrics() const {
  if (remoteMetrics == 0 || TaskContext::current() == nullptr) return;
  std::vector<int64_t> delta(4);
  {
    std::lock_guard lock(metricsMutex_);
    MetricTotals now{metrics_.rows.load(), metrics_.timeNs.load(), metrics_.peakMemory.load(),
                     metrics_.spillBytes.load()};
    delta = {now.rows - reported_.rows, now.timeNs - reported_.timeNs, now.peakMemory,
             now.spillBytes - reported_.spillBytes};
    reported_ = now;
  }
  MetricsAccumulator(remoteMetrics).add(delta);
}

StreamPtr instrument(StreamPtr in, const PhysicalNode& node) {
  return std::make_unique<InstrumentedStream>(std::move(in), node);
}

StreamPtr streamOf(std::vector<BatchPtr> batches) {
  return std::make_unique<VectorStream>(std::move(batches));
}

Schema schemaOf(const std::vector<Attribute>& attrs) {
  std::vector<Field> f;
  for (const auto& a : attrs) f.push_back({a.name, a.type, a.nullable});
  return Schema(std::move(f));
}

BatchPtr drainToOne(BatchStream& s, const std::vector<Attribute>& schema) {
  std::vector<BatchPtr> parts;
  while (auto b = s.next())
    if (b->numRows > 0) parts.push_back(b);
  if (parts.empty()) return Batch::empty(schemaOf(schema));
  return concatBatches(parts);
}

std::string PhysicalNode::treeString() const {
  std::string out;
  std::function<void(const PhysicalNode&, const std::string&, bool, bool)> walk =
      [&](const PhysicalNode& n, const std::string& prefix, bool root, bool last) {
        out += (root ? "" : prefix + (last ? "+- " : ":- ")) + n.describe() + "\n";
        std::string next = root ? "" : prefix + (last ? "   " : ":  ");
        for (size_t i = 0; i < n.children.size(); ++i)
          walk(*n.children[i], next, false, i + 1 == n.children.size());
      };
  walk(*this, "", true, true);
  return out;
}

// ---- LocalTableExec ----
LocalTableExec::LocalTableExec(std::vector<BatchPtr> batches, std::vector<Attribute> out,
                               int partitions)
    : batches_(std::move(batches)), partitions_(std::max(1, partitions)) {
  output = std::move(out);
}
// ---- RangeExec ----
int64_t rangeCount(int64_t start, int64_t end, int64_t step) {
  if (step == 0 || (step > 0 && start >= end) || (step < 0 && start <= end)) return 0;
  int128_t span = static_cast<int128_t>(end) - start;
  int128_t n = (span + step + (step > 0 ? -1 : 1)) / step;  // ceil(span / step)
  return static_cast<int64_t>(n);
}

RangeExec::RangeExec(int64_t start, int64_t end, int64_t step, int partitions, int batchRows,
                     std::vector<Attribute> out)
    : start_(start),
      end_(end),
      step_(step),
      partitions_(std::max(1, partitions)),
      batchRows_(std::max(1, batchRows)) {
  output = std::move(out);
}

std::string RangeExec::describe() const {
  return "Range (" + std::to_string(start_) + ", " + std::to_string(end_) +
         ", step=" + std::to_string(step_) + ", splits=" + std::to_string(partitions_) + ")";
}

namespace {
// base + k * step computed modulo 2^64 (no signed overflow).
int64_t wrapAdd(int64_t base, int64_t k, int64_t step) {
  return static_cast<int64_t>(static_cast<uint64_t>(base) +
                              static_cast<uint64_t>(k) * static_cast<uint64_t>(step));
}

class RangeStream : public BatchStream {
 public:
  RangeStream(int64_t first, int64_t step, int64_t count, int batchRows, TaskContext& ctx)
      : next_(first), step_(step), left_(count), batchRows_(batchRows), ctx_(ctx) {}
  BatchPtr next() override {
    if (left_ <= 0) return nullptr;
    ctx_.checkInterrupted();
    int64_t n = std::min<int64_t>(left_, batchRows_);
    auto col = Column::make(DataType::int64(), n);
    auto* v = reinterpret_cast<int64_t*>(col->valuesBuffer().data());
    // Two's-complement arithmetic: every value produced is in range, but intermediate
    // sums (the step past the last value, large steps) may not be.
    for (int64_t i = 0; i < n; ++i) v[i] = wrapAdd(next_, i, step_);
    left_ -= n;
    if (left_ > 0) next_ = wrapAdd(next_, n, step_);
    return std::make_shared<Batch>(std::vector<ColumnPtr>{col}, n);
  }

 private:
  int64_t next_, step_, left_;
  int batchRows_;
  TaskContext& ctx_;
};
}  // namespace

StreamPtr RangeExec::execute(int partition, TaskContext& ctx) const {
  int64_t n = rangeCount(start_, end_, step_);
  auto at = [&](int p) { return static_cast<int64_t>(static_cast<int128_t>(n) * p / partitions_); };
  int64_t from = at(partition), to = at(partition + 1);
  return instrument(std::make_unique<RangeStream>(wrapAdd(start_, from, step_), step_, to - from,
                                                  batchRows_, ctx),
                    *this);
}

LocalTableExec::~LocalTableExec() {
  if (broadcastId_ != 0) BroadcastManager::global().remove(broadcastId_);
}
std::string LocalTableExec::describe() const { return "LocalTableScan [" + attrList(output) + "]"; }
StreamPtr LocalTableExec::execute(int partition, TaskContext&) const {
  // Rows are spread evenly: partition p gets a contiguous slice of the rows.
  int64_t total = 0;
  for (const auto& b : batches_) total += b->numRows;
  int64_t from = total * partition / partitions_, to = total * (partition + 1) / partitions_;
  std::vector<BatchPtr> out;
  int64_t at = 0;
  for (const auto& b : batches_) {
    int64_t s = std::max(from, at), e = std::min(to, at + b->numRows);
    if (s < e) out.push_back(s == at && e == at + b->numRows ? b : sliceBatch(*b, s - at, e - s));
    at += b->numRows;
  }
  return instrument(streamOf(std::move(out)), *this);
}

// ---- FileScanExec ----
FileScanExec::FileScanExec(std::shared_ptr<const FileSource> source, Schema dataSchema,
                           std::vector<int> projection, std::vector<ColumnPredicate> filters,
                           std::vector<Attribute> out, int64_t splitBytes, int batchRows)
    : source_(std::move(source)),
      dataSchema_(std::move(dataSchema)),
      projection_(std::move(projection)),
      filters_(std::move(filters)),
      splitBytes_(splitBytes),
      batchRows_(batchRows) {
  output = std::move(out);
  for (const auto& [k, v] : source_->options) options_.set(k, v);
}

std::string FileScanExec::describe() const {
  std::string s = "FileScan " + source_->format + " [" + attrList(output) + "]";
  if (!source_->paths.empty()) s += " Location: " + source_->paths[0];
  if (!partitionColumns_.empty()) {
    s += " PartitionColumns: [";
    for (size_t i = 0; i < partitionColumns_.size(); ++i)
      s += (i ? ", " : "") + dataSchema_.field(static_cast<size_t>(partitionColumns_[i])).name;
    s += "] FilesPruned: " + std::to_string(filesPruned_);
  }
  if (!filters_.empty()) {
    s += " PushedFilters: [";
    for (size_t i = 0; i < filters_.size(); ++i) s += (i ? ", " : "") + filters_[i].toString();
    s += "]";
  }
  return s;
}

void FileScanExec::prepare(Context&) {
  PartitionedFiles listing = listPartitionedFiles(source_->paths, options_);
  std::vector<std::string> files;
  std::map<std::string, std::vector<Value>> valuesOf;
  partitionColumns_.clear();
  splitValues_.clear();
  filesPruned_ = 0;
  std::vector<int> keyIndex;  // per discovered key: its data-schema index, or -1
  for (const auto& f : listing.partitionFields) {
    int i = dataSchema_.indexOf(f.name);
    keyIndex.push_back(i);
    if (i >= 0) partitionColumns_.push_back(i);
  }
  for (size_t f = 0; f < listing.files.size(); ++f) {
    std::vector<Value> values;
    bool keep = true;
    for (size_t k = 0; k < keyIndex.size() && keep; ++k) {
      if (keyIndex[k] < 0) continue;
      const Field& field = dataSchema_.field(static_cast<size_t>(keyIndex[k]));
      Value v = partitionValue(listing.values[f][k], field.type, field.name);
      // Partition pruning: the file's rows all carry this value.
      for (const auto& pred : filters_)
        if (pred.column == keyIndex[k] && !rangeMayMatch(pred, v, v, v.isNull() ? 1 : 0, 1))
          keep = false;
      values.push_back(std::move(v));
    }
    if (!keep) {
      ++filesPruned_;
      continue;
    }
    files.push_back(listing.files[f].path);
    if (!partitionColumns_.empty()) valuesOf[listing.files[f].path] = std::move(values);
  }
  splits_ = FileFormat::forName(source_->format)
                .planSplits(files, options_, static_cast<uint64_t>(splitBytes_));
  if (splits_.empty()) splits_.push_back(FileSplit{});  // one empty partition
  if (!partitionColumns_.empty())
    for (const auto& sp : splits_) {
      auto it = valuesOf.find(sp.path);
      splitValues_.push_back(it != valuesOf.end() ? it->second : std::vector<Value>{});
    }
}

namespace {
class ReaderStream : public BatchStream {
 public:
  ReaderStream(std::unique_ptr<BatchReader> r, const FileSplit& split, TaskContext& ctx)
      : r_(std::move(r)), split_(split), ctx_(ctx) {}
  BatchPtr next() override {
    ctx_.checkInterrupted();
    BatchPtr b = r_ ? r_->next() : nullptr;
    if (b) {
      ctx_.metrics().recordsRead += b->numRows;
      // A failure while this batch is processed names it (task_input.h).
      noteTaskInput(split_.path, split_.start, rowsRead_, b->numRows);
      rowsRead_ += b->numRows;
    }
    return b;
  }

 private:
  std::unique_ptr<BatchReader> r_;
  const FileSplit& split_;  // owned by the FileScanExec, which outlives the stream
  TaskContext& ctx_;
  int64_t rowsRead_ = 0;
};
}  // namespace

namespace {
// Adds a partitioned file's directory values to the batches read from the file: output
// column i is the reader's column fromReader[i], or (when -1) the constant values[i].
class PartitionValuesStream : public BatchStream {
 public:
  PartitionValuesStream(StreamPtr in, std::vector<int> fromReader, std::vector<Value> values,
                        std::vector<DataType> types)
      : in_(std::move(in)),
        fromReader_(std::move(fromReader)),
        values_(std::move(values)),
        types_(std::move(types)) {}
  BatchPtr next() override {
    BatchPtr b = in_->next();
    if (!b) return nullptr;
    std::vector<ColumnPtr> cols;
    for (size_t i = 0; i < fromReader_.size(); ++i)
      cols.push_back(fromReader_[i] >= 0 ? b->columns[static_cast<size_t>(fromReader_[i])]
                                         : constantColumn(values_[i], types_[i], b->numRows));
    return std::make_shared<Batch>(std::move(cols), b->numRows);
  }

 private:
  StreamPtr in_;
  std::vector<int> fromReader_;
  std::vector<Value> values_;
  std::vector<DataType> types_;
};
}  // namespace

StreamPtr FileScanExec::execute(int partition, TaskContext& ctx) const {
  const FileSplit& split = splits_.at(static_cast<size_t>(partition));
  if (split.path.empty()) return instrument(streamOf({}), *this);
  const FileFormat& format = FileFormat::forName(source_->format);
  if (partitionColumns_.empty()) {
    auto reader = format.open(split, dataSchema_, projection_, filters_, options_, batchRows_);
    return instrument(std::make_unique<ReaderStream>(std::move(reader), split, ctx), *this);
  }
  // The files hold the data schema minus the partition columns.
  auto partitionSlot = [&](int dataIndex) {
    auto it = std::find(partitionColumns_.begin(), partitionColumns_.end(), dataIndex);
    return it == partitionColumns_.end() ? -1 : static_cast<int>(it - partitionColumns_.begin());
  };
  std::vector<Field> fileFields;
  std::vector<int> fileIndex(dataSchema_.size(), -1);
  for (size_t i = 0; i < dataSchema_.size(); ++i)
    if (partitionSlot(static_cast<int>(i)) < 0) {
      fileIndex[i] = static_cast<int>(fileFields.size());
      fileFields.push_back(dataSchema_.field(i));
    }
  std::vector<int> readerProjection, fromReader;
  std::vector<Value> values;
  std::vector<DataType> types;
  const auto& splitValues = splitValues_.at(static_cast<size_t>(partition));
  for (int j : projection_) {
    int slot = partitionSlot(j);
    types.push_back(dataSchema_.field(static_cast<size_t>(j)).type);
    if (slot >= 0) {
      fromReader.push_back(-1);
      values.push_back(splitValues.at(static_cast<size_t>(slot)));
    } else {
      fromReader.push_back(static_cast<int>(readerProjection.size()));
      readerProjection.push_back(fileIndex[static_cast<size_t>(j)]);
      values.emplace_back();
    }
  }
  std::vector<ColumnPredicate> fileFilters;
  for (const auto& pred : filters_)
    if (partitionSlot(pred.column) < 0) {
      fileFilters.push_back(pred);
      fileFilters.back().column = fileIndex[static_cast<size_t>(pred.column)];
    }
  auto reader = format.open(split, Schema(std::move(fileFields)), readerProjection, fileFilters,
                            options_, batchRows_);
  StreamPtr in = std::make_unique<ReaderStream>(std::move(reader), split, ctx);
  return instrument(std::make_unique<PartitionValuesStream>(std::move(in), std::move(fromReader),
                                                            std::move(values), std::move(types)),
                    *this);
}

// ---- FilterExec ----
FilterExec::FilterExec(PhysicalPtr child, ExprPtr condition) : condition_(std::move(condition)) {
  output = child->output;
  compiled_ = PhysicalExpr::compile(condition_, child->output);
  children = {std::move(child)};
}
std::string FilterExec::describe() const { return "Filter " + condition_->toString(); }

namespace {
class FilterStream : public BatchStream {
 public:
  FilterStream(StreamPtr in, PhysicalExprPtr cond) : in_(std::move(in)), cond_(std::move(cond)) {}
  BatchPtr next() override {
    while (BatchPtr b = in_->next()) {
      if (b->numRows == 0) continue;
      ColumnPtr mask = cond_->eval(*b);
      BatchPtr out = filterBatch(*b, *mask);
      if (out->numRows > 0) return out;
    }
    return nullptr;
  }

 private:
  StreamPtr in_;
  PhysicalExprPtr cond_;
};

class ProjectStream : public BatchStream {
 public:
  ProjectStream(StreamPtr in, const std::vector<PhysicalExprPtr>& exprs)
      : in_(std::move(in)), exprs_(exprs) {}
  BatchPtr next() override {
    BatchPtr b = in_->next();
    if (!b) return nullptr;
    auto out = std::make_shared<Batch>();
    out->numRows = b->numRows;
    for (const auto& e : exprs_) out->columns.push_back(e->eval(*b));
    return out;
  }

 private:
  StreamPtr in_;
  const std::vector<PhysicalExprPtr>& exprs_;
};
}  // namespace

StreamPtr FilterExec::execute(int partition, TaskContext& ctx) const {
  return instrument(std::make_unique<FilterStream>(children[0]->execute(partition, ctx), compiled_),
                    *this);
}

// ---- ProjectExec ----
ProjectExec::ProjectExec(PhysicalPtr child, std::vector<ExprPtr> exprs) : exprs_(std::move(exprs)) {
  for (const auto& e : exprs_) {
    output.push_back(toAttribute(*e));
    compiled_.push_back(PhysicalExpr::compile(e, child->output));
  }
  children = {std::move(child)};
}
std::string ProjectExec::describe() const { return "Project [" + exprList(exprs_) + "]"; }
StreamPtr ProjectExec::execute(int partition, TaskContext& ctx) const {
  return instrument(
      std::make_unique<ProjectStream>(children[0]->execute(partition, ctx), compiled_), *this);
}

// ---- LimitExec ----
LimitExec::LimitExec(PhysicalPtr child, int64_t limit, int64_t offset)
    : limit_(limit), offset_(offset) {
  output = child->output;
  children = {std::move(child)};
}
std::string LimitExec::describe() const {
  return "Limit " + std::to_string(limit_) + (offset_ ? " OFFSET " + std::to_string(offset_) : "");
}
namespace {
class LimitStream : public BatchStream {
 public:
  LimitStream(StreamPtr in, int64_t limit, int64_t offset)
      : in_(std::move(in)), left_(limit), skip_(offset) {}
  BatchPtr next() override {
    while (left_ != 0) {
      BatchPtr b = in_->next();
      if (!b) return nullptr;
      int64_t from = std::min(skip_, b->numRows);
      skip_ -= from;
      int64_t n = b->numRows - from;
      if (left_ >= 0) n = std::min(n, left_);
      if (n <= 0) continue;
      if (left_ > 0) left_ -= n;
      return from == 0 && n == b->numRows ? b : sliceBatch(*b, from, n);
    }
    return nullptr;  // stops pulling: upstream work ends early
  }

 private:
  StreamPtr in_;
  int64_t left_, skip_;
};
}  // namespace
StreamPtr LimitExec::execute(int partition, TaskContext& ctx) const {
  return instrument(
      std::make_unique<LimitStream>(children[0]->execute(partition, ctx), limit_, offset_), *this);
}

// ---- UnionExec ----
UnionExec::UnionExec(std::vector<PhysicalPtr> kids, std::vector<Attribute> out) {
  children = std::move(kids);
  output = std::move(out);
}
int UnionExec::numPartitions() const {
  int n = 0;
  for (const auto& c : children) n += c->numPartitions();
  return n;
}
StreamPtr UnionExec::execute(int partition, TaskContext& ctx) const {
  for (const auto& c : children) {
    if (partition < c->numPartitions()) return instrument(c->execute(partition, ctx), *this);
    partition -= c->numPartitions();
  }
  throw InternalError("union partition out of range");
}

// ---- SampleExec ----
SampleExec::SampleExec(PhysicalPtr child, double fraction, uint64_t seed)
    : fraction_(fraction), seed_(seed) {
  output = child->output;
  children = {std::move(child)};
}
std::string SampleExec::describe() const {
  return "Sample " + std::to_string(fraction_) + ", seed " + std::to_string(seed_);
}
namespace {
class SampleStream : public BatchStream {
 public:
  SampleStream(StreamPtr in, double fraction, uint64_t seed)
      : in_(std::move(in)), fraction_(fraction), rng_(seed) {}
  BatchPtr next() override {
    while (BatchPtr b = in_->next()) {
      std::vector<int32_t> keep;
      for (int64_t i = 0; i < b->numRows; ++i)
        if (u_(rng_) < fraction_) keep.push_back(static_cast<int32_t>(i));
      if (!keep.empty()) return takeBatch(*b, keep.data(), static_cast<int64_t>(keep.size()));
    }
    return nullptr;
  }

 private:
  StreamPtr in_;
  double fraction_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> u_{0.0, 1.0};
};
}  // namespace
StreamPtr SampleExec::execute(int partition, TaskContext& ctx) const {
  uint64_t seed = hashCombine(seed_, static_cast<uint64_t>(partition));
  return instrument(
      std::make_unique<SampleStream>(children[0]->execute(partition, ctx), fraction_, seed), *this);
}

}  // namespace ember::sql
