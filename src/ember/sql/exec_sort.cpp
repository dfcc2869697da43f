// Sorting (per partition, with an optional top-N limit) and window functions.
#include <algorithm>
#include <numeric>

#include "ember/columnar/column_ops.h"
#include "ember/columnar/nested_ops.h"
#include "ember/common/errors.h"
#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/sql/batch_spill.h"
#include "ember/sql/exec_ops.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {

namespace {
template <class T>
int cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}
}  // namespace

int compareValues(const Column& a, int64_t i, const Column& b, int64_t j, bool ascending,
                  bool nullsFirst) {
  bool an = a.isNull(i), bn = b.isNull(j);
  if (an || bn) {
    if (an && bn) return 0;
    return an ? (nullsFirst ? -1 : 1) : (nullsFirst ? 1 : -1);
  }
  int c = 0;
  switch (a.type().id()) {
    case TypeId::Boolean:
    case TypeId::Int8:
      c = cmp(a.valueAt<int8_t>(i), b.valueAt<int8_t>(j));
      break;
    case TypeId::Int16:
      c = cmp(a.valueAt<int16_t>(i), b.valueAt<int16_t>(j));
      break;
    case TypeId::Int32:
    case TypeId::Date:
      c = cmp(a.valueAt<int32_t>(i), b.valueAt<int32_t>(j));
      break;
    case TypeId::Int64:
    case TypeId::Timestamp:
      c = cmp(a.valueAt<int64_t>(i), b.valueAt<int64_t>(j));
      break;
    case TypeId::Float32:
      c = cmp(a.valueAt<float>(i), b.valueAt<float>(j));
      break;
    case TypeId::Float64: {
      double x = a.valueAt<double>(i), y = b.valueAt<double>(j);
      // NaN sorts after every number (Spark).
      if (x != x || y != y)
        c = (x != x) - (y != y);
      else
        c = cmp(x, y);
      break;
    }
    case TypeId::Decimal:
      c = a.type().isWideDecimal() ? cmp(a.valueAt<int128_t>(i), b.valueAt<int128_t>(j))
                                   : cmp(a.valueAt<int64_t>(i), b.valueAt<int64_t>(j));
      break;
    case TypeId::String: {
      int r = a.stringAt(i).compare(b.stringAt(j));
      c = r < 0 ? -1 : (r > 0 ? 1 : 0);
      break;
    }
    case TypeId::Null:
      c = 0;
      break;
    case TypeId::List:
    case TypeId::Struct:
      c = compareRows(a, i, b, j);  // element-wise (nested_ops.h)
      break;
    default:
      throw UserError("cannot order by a column of type " + a.type().toString());
  }
  return ascending ? c : -c;
}

int RowComparator::compare(int64_t a, int64_t b) const {
  for (size_t k = 0; k < keys.size(); ++k) {
    int c = compareValues(*keys[k], a, *keys[k], b, order[k].ascending, order[k].nullsFirst);
    if (c) return c;
  }
  return 0;
}

SortExec::SortExec(PhysicalPtr child, std::vector<SortKey> keys, int64_t limit)
    : keys_(std::move(keys)), limit_(limit) {
  output = child->output;
  for (const auto& k : keys_) keyExprs_.push_back(PhysicalExpr::compile(k.expr, child->output));
  children = {std::move(child)};
}

std::string SortExec::describe() const {
  std::string s = limit_ >= 0 ? "TakeOrdered(limit=" + std::to_string(limit_) + ", [" : "Sort [";
  for (size_t i = 0; i < keys_.size(); ++i)
    s += (i ? ", " : "") + keys_[i].expr->toString() + (keys_[i].ascending ? " ASC" : " DESC") +
         (keys_[i].nullsFirst ? " NULLS FIRST" : " NULLS LAST");
  return s + "]" + (limit_ >= 0 ? ")" : "");
}

namespace {
class SortStream : public BatchStream {
 public:
  SortStream(const SortExec& node, const std::vector<PhysicalExprPtr>& keyExprs, StreamPtr in,
             int64_t limit, TaskContext& ctx)
      : node_(node), keyExprs_(keyExprs), in_(std::move(in)), limit_(limit), ctx_(ctx) {}
  BatchPtr next() override {
    if (merging_) return nextMerged();
    if (done_) return nullptr;
    done_ = true;
    MemoryConsumer mem(ctx_.env().memory, ctx_.taskAttemptId(), "sort");
    std::vector<BatchPtr> parts;
    while (BatchPtr b = in_->next()) {
      if (b->numRows == 0) continue;
      parts.push_back(b);
      if (!mem.tryReserve(b->memoryBytes())) {
        // Refused: the rows so far become a sorted run on disk (external merge sort).
        spillRun(sortBatch(concatBatches(parts)));
        parts.clear();
        ctx_.metrics().memoryBytesSpilled += mem.used();
        mem.releaseAll();
        continue;
      }
      // Top-N: compact now and then so that memory stays bounded by the limit.
      if (limit_ >= 0 && parts.size() >= 16) {
        BatchPtr c = sortBatch(concatBatches(parts));
        parts = {c};
        mem.releaseAll();
        mem.tryReserve(c->memoryBytes());
      }
    }
    if (runs_.empty()) {
      if (parts.empty()) return nullptr;
      return sortBatch(concatBatches(parts));
    }
    if (!parts.empty()) spillRun(sortBatch(concatBatches(parts)));
    startMerge();
    return nextMerged();
  }

 private:
  BatchPtr sortBatch(const BatchPtr& all) {
    RowComparator rc;
    for (const auto& k : keyExprs_) rc.keys.push_back(k->eval(*all));
    rc.order = node_.keys();
    std::vector<int32_t> idx(static_cast<size_t>(all->numRows));
    std::iota(idx.begin(), idx.end(), 0);
    auto less = [&](int32_t a, int32_t b) { return rc.compare(a, b) < 0; };
    if (limit_ >= 0 && limit_ < all->numRows) {
      std::partial_sort(idx.begin(), idx.begin() + limit_, idx.end(), less);
      idx.resize(static_cast<size_t>(limit_));
      // partial_sort is not stable; ties keep an arbitrary order, as in Spark.
    } else {
      std::stable_sort(idx.begin(), idx.end(), less);
    }
    return takeBatch(*all, idx.data(), static_cast<int64_t>(idx.size()));
  }

  // A sorted run on disk, written in slices of kRunBatchRows rows.
  static constexpr int64_t kRunBatchRows = 4096;
  void spillRun(const BatchPtr& sorted) {
    auto sp = std::make_unique<BatchSpiller>(ctx_, 1, 0);
    for (int64_t at = 0; at < sorted->numRows; at += kRunBatchRows)
      sp->add(*sliceBatch(*sorted, at, std::min(kRunBatchRows, sorted->numRows - at)), {});
    sp->finish();
    ctx_.metrics().diskBytesSpilled += sp->bytesWritten();
    node_.metrics().spillBytes += sp->bytesWritten();
    runs_.push_back(std::move(sp));
  }

  struct RunCursor {
    StreamPtr stream;
    BatchPtr batch;
    std::vector<ColumnPtr> keys;
    int64_t pos = 0;
  };

  bool advance(RunCursor& c) {
    while (!c.batch || c.pos >= c.batch->numRows) {
      c.batch = c.stream->next();
      c.pos = 0;
      if (!c.batch) return false;
      c.keys.clear();
      for (const auto& k : keyExprs_) c.keys.push_back(k->eval(*c.batch));
    }
    return true;
  }

  void startMerge() {
    merging_ = true;
    for (auto& r : runs_) {
      RunCursor c{r->partition(0), nullptr, {}, 0};
      if (advance(c)) cursors_.push_back(std::move(c));
    }
  }

  int compareCursors(const RunCursor& a, const RunCursor& b) const {
    const auto& order = node_.keys();
    for (size_t k = 0; k < order.size(); ++k) {
      int c = compareValues(*a.keys[k], a.pos, *b.keys[k], b.pos, order[k].ascending,
                            order[k].nullsFirst);
      if (c) return c;
    }
    return 0;
  }

  // k-way merge of the runs, kRunBatchRows rows per output batch.
  BatchPtr nextMerged() {
    if (cursors_.empty() || (limit_ >= 0 && emitted_ >= limit_)) return nullptr;
    auto out = std::make_shared<Batch>();
    for (const auto& a : node_.output) out->columns.push_back(std::make_shared<Column>(a.type));
    while (out->numRows < kRunBatchRows && !cursors_.empty() && (limit_ < 0 || emitted_ < limit_)) {
      size_t best = 0;
      for (size_t i = 1; i < cursors_.size(); ++i)
        if (compareCursors(cursors_[i], cursors_[best]) < 0) best = i;
      RunCursor& c = cursors_[best];
      for (size_t col = 0; col < out->columns.size(); ++col)
        out->columns[col]->appendFrom(*c.batch->columns[col], c.pos);
      ++out->numRows;
      ++emitted_;
      ++c.pos;
      if (!advance(c)) cursors_.erase(cursors_.begin() + static_cast<long>(best));
    }
    return out->numRows ? out : nullptr;
  }

  const SortExec& node_;
  const std::vector<PhysicalExprPtr>& keyExprs_;
  StreamPtr in_;
  int64_t limit_;
  TaskContext& ctx_;
  bool done_ = false;
  bool merging_ = false;
  std::vector<std::unique_ptr<BatchSpiller>> runs_;
  std::vector<RunCursor> cursors_;
  int64_t emitted_ = 0;
};
}  // namespace

StreamPtr SortExec::execute(int partition, TaskContext& ctx) const {
  return instrument(std::make_unique<SortStream>(*this, keyExprs_,
                                                 children[0]->execute(partition, ctx), limit_, ctx),
                    *this);
}

}  // namespace ember::sql
