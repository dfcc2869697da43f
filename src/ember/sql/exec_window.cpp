// Window functions: the planner sorts the exchanged partition by (PARTITION BY, ORDER BY)
// keys (SortExec, which spills), then each window expression is computed per window
// partition, one window partition held at a time: ranking functions,
// lag/lead, and aggregates over the whole partition, a running frame, or a bounded
// ROWS frame.
#include <algorithm>
#include <numeric>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/exec_ops.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {

WindowExec::WindowExec(PhysicalPtr child, std::vector<ExprPtr> windowExprs,
                       std::vector<Attribute> out)
    : windowExprs_(std::move(windowExprs)) {
  output = std::move(out);
  children = {std::move(child)};
}

std::string WindowExec::describe() const {
  std::string s = "Window [";
  for (size_t i = 0; i < windowExprs_.size(); ++i)
    s += (i ? ", " : "") + windowExprs_[i]->toString();
  return s + "]";
}

namespace {
struct WindowCalc {
  const Expr& call;  // the WindowCall
  const WindowSpec& spec;
  const std::vector<Attribute>& input;
};

// Rows [b, e) of the sorted batch form one window partition; peers share order keys.
ColumnPtr computeWindow(const Expr& windowCall, const Batch& sorted,
                        const std::vector<Attribute>& input,
                        const std::vector<std::pair<int64_t, int64_t>>& parts,
                        const RowComparator& orderCmp) {
  const Expr& fn = *windowCall.args[0];
  const WindowSpec& spec = *windowCall.window;
  int64_t n = sorted.numRows;
  auto result = std::make_shared<Column>(windowCall.type);
  result->reserve(n);
  auto peersEnd = [&](int64_t i, int64_t e) {
    int64_t j = i + 1;
    while (j < e && orderCmp.compare(i, j) == 0) ++j;
    return j;
  };
  if (fn.kind == ExprKind::Call) {
    const std::string& name = fn.name;
    std::vector<ColumnPtr> args;
    for (const auto& a : fn.args) args.push_back(PhysicalExpr::compile(a, input)->eval(sorted));
    for (auto [b, e] : parts) {
      if (name == "nth_value") {
        // The n-th row (1-based) of each row's frame; NULL when the frame is shorter.
        int64_t nth = fn.args.size() >= 2 ? fn.args[1]->value.asInt64() : 1;
        if (nth < 1)
          throw UserError("nth_value(): the offset must be positive, got " + std::to_string(nth));
        bool whole = spec.orderBy.empty() ||
                     (spec.hasFrame && spec.start.kind == FrameBound::UnboundedPreceding &&
                      spec.end.kind == FrameBound::UnboundedFollowing);
        bool rows = spec.hasFrame && spec.frameType == FrameType::Rows;
        if (!whole && !rows && spec.hasFrame &&
            !(spec.start.kind == FrameBound::UnboundedPreceding &&
              spec.end.kind == FrameBound::CurrentRow))
          throw UserError("RANGE frames with offsets are not supported yet; use ROWS BETWEEN");
        for (int64_t i = b; i < e;) {
          int64_t pe = whole || rows ? i + 1 : peersEnd(i, e);
          for (int64_t k = i; k < pe; ++k) {
            int64_t from = b, to = whole ? e - 1 : pe - 1;
            if (rows && !whole) {
              auto bound = [&](const FrameBound& fb) -> int64_t {
                switch (fb.kind) {
                  case FrameBound::UnboundedPreceding:
                    return b;
                  case FrameBound::Preceding:
                    return k - fb.offset;
                  case FrameBound::CurrentRow:
                    return k;
                  case FrameBound::Following:
                    return k + fb.offset;
                  case FrameBound::UnboundedFollowing:
                    return e - 1;
                }
                return k;
              };
              from = std::max(b, bound(spec.start));
              to = std::min(e - 1, bound(spec.end));
            }
            int64_t at = from + nth - 1;
            if (at <= to)
              result->appendFrom(*args[0], at);
            else
              result->appendNull();
          }
          i = pe;
        }
        continue;
      }
      if (name == "lag" || name == "lead") {
        int64_t off = fn.args.size() >= 2 ? fn.args[1]->value.asInt64() : 1;
        if (name == "lag") off = -off;
        for (int64_t i = b; i < e; ++i) {
          int64_t j = i + off;
          if (j >= b && j < e)
            result->appendFrom(*args[0], j);
          else if (args.size() >= 3)
            result->appendFrom(*args[2], i);
          else
            result->appendNull();
        }
        continue;
      }
      int64_t rank = 1, dense = 1, size = e - b;
      for (int64_t i = b; i < e;) {
        int64_t pe = peersEnd(i, e);
        for (int64_t k = i; k < pe; ++k) {
          int64_t rowNum = k - b + 1;
          if (name == "row_number")
            result->append<int32_t>(static_cast<int32_t>(rowNum));
          else if (name == "rank")
            result->append<int32_t>(static_cast<int32_t>(rank));
          else if (name == "dense_rank")
            result->append<int32_t>(static_cast<int32_t>(dense));
          else if (name == "percent_rank")
            result->append<double>(
                size <= 1 ? 0.0 : static_cast<double>(rank - 1) / static_cast<double>(size - 1));
          else if (name == "cume_dist")
            result->append<double>(static_cast<double>(pe - b) / static_cast<double>(size));
          else if (name == "ntile") {
            int64_t buckets =
                fn.args.empty() ? 1 : std::max<int64_t>(1, fn.args[0]->value.asInt64());
            int64_t idx = rowNum - 1, base = size / buckets, extra = size % buckets;
            int64_t bucket = idx < extra * (base + 1)
                                 ? idx / (base + 1)
                                 : extra + (idx - extra * (base + 1)) / std::max<int64_t>(base, 1);
            result->append<int32_t>(static_cast<int32_t>(bucket + 1));
          } else
            throw UserError("window function " + name + "() is not supported");
        }
        rank += pe - i;
        ++dense;
        i = pe;
      }
    }
    return result;
  }
  // Aggregate over a frame.
  std::vector<ColumnPtr> args;
  std::vector<DataType> types;
  for (const auto& a : fn.args) {
    args.push_back(PhysicalExpr::compile(a, input)->eval(sorted));
    types.push_back(a->type);
  }
  auto agg = bindAggregate(fn.name, types, fn.distinct);
  bool ordered = !spec.orderBy.empty();
  bool whole = !ordered || (spec.hasFrame && spec.start.kind == FrameBound::UnboundedPreceding &&
                            spec.end.kind == FrameBound::UnboundedFollowing);
  bool running = !whole && (!spec.hasFrame || (spec.start.kind == FrameBound::UnboundedPreceding &&
                                               spec.end.kind == FrameBound::CurrentRow));
  bool rangeFrame = !spec.hasFrame || spec.frameType == FrameType::Range;
  auto feed = [&](AggregateState& st, int64_t from, int64_t to) {
    if (to <= from) return;
    std::vector<int32_t> rows(static_cast<size_t>(to - from));
    std::iota(rows.begin(), rows.end(), static_cast<int32_t>(from));
    std::vector<ColumnPtr> sub;
    for (const auto& a : args) sub.push_back(takeColumn(*a, rows.data(), to - from));
    std::vector<int32_t> g(rows.size(), 0);
    st.update(g.data(), sub, to - from);
  };
  for (auto [b, e] : parts) {
    if (whole) {
      auto st = agg->newState();
      st->resize(1);
      feed(*st, b, e);
      auto r = st->result(1);
      for (int64_t i = b; i < e; ++i) result->appendFrom(*r, 0);
    } else if (running) {
      auto st = agg->newState();
      st->resize(1);
      for (int64_t i = b; i < e;) {
        int64_t pe = rangeFrame ? peersEnd(i, e) : i + 1;
        feed(*st, i, pe);
        auto r = st->result(1);
        for (int64_t k = i; k < pe; ++k) result->appendFrom(*r, 0);
        i = pe;
      }
    } else if (spec.frameType != FrameType::Rows) {
      // RANGE frames bounded by UNBOUNDED or CURRENT ROW (the analyzer refuses offsets):
      // CURRENT ROW means the row's peers (same ORDER BY values).
      for (int64_t i = b; i < e;) {
        int64_t pe = peersEnd(i, e);
        int64_t from = spec.start.kind == FrameBound::CurrentRow ? i : b;
        int64_t to = spec.end.kind == FrameBound::CurrentRow ? pe : e;
        if (spec.start.kind == FrameBound::UnboundedFollowing) from = e;
        if (spec.end.kind == FrameBound::UnboundedPreceding) to = b;
        auto st = agg->newState();
        st->resize(1);
        feed(*st, from, to);
        auto r = st->result(1);
        for (int64_t k = i; k < pe; ++k) result->appendFrom(*r, 0);
        i = pe;
      }
    } else {
      for (int64_t i = b; i < e; ++i) {
        auto bound = [&](const FrameBound& fb) -> int64_t {
          switch (fb.kind) {
            case FrameBound::UnboundedPreceding:
              return b;
            case FrameBound::Preceding:
              return i - fb.offset;
            case FrameBound::CurrentRow:
              return i;
            case FrameBound::Following:
              return i + fb.offset;
            case FrameBound::UnboundedFollowing:
              return e - 1;
          }
          return i;
        };
        int64_t from = std::max(b, bound(spec.start)), to = std::min(e - 1, bound(spec.end));
        auto st = agg->newState();
        st->resize(1);
        feed(*st, from, to + 1);
        result->appendFrom(*st->result(1), 0);
      }
    }
  }
  return result;
}

// Streams over the sorted input (SortExec below this operator: it spills), holding the
// rows of the current window partition only: complete partitions are computed and
// emitted as soon as a later partition starts. Without PARTITION BY the whole input is
// one partition and is held at once, as in Spark.
class WindowStream : public BatchStream {
 public:
  WindowStream(const WindowExec& node, const std::vector<ExprPtr>& exprs, StreamPtr in,
               TaskContext& ctx)
      : node_(node),
        exprs_(exprs),
        in_(std::move(in)),
        ctx_(ctx),
        mem_(ctx.env().memory, ctx.taskAttemptId(), "window") {}

  BatchPtr next() override {
    while (!done_) {
      BatchPtr b = in_->next();
      if (!b) {
        done_ = true;
        if (rows_ == 0) return nullptr;
        BatchPtr all = takeBuffered();
        return compute(*all);
      }
      if (b->numRows == 0) continue;
      buffered_.push_back(b);
      rows_ += b->numRows;
      if (!mem_.tryReserve(b->memoryBytes()) && !warned_) {
        // Window buffers do not spill yet: the partition is kept over the budget.
        warned_ = true;
        logWarn("window partition over the memory budget ({} rows buffered in task {})", rows_,
                ctx_.taskAttemptId());
      }
      if (rows_ < emitAt_) continue;
      BatchPtr all = takeBuffered();
      int64_t last = lastPartitionStart(*all);
      if (last == 0) {  // one partition so far: keep reading (amortised: the bar doubles)
        buffered_ = {all};
        rows_ = all->numRows;
        emitAt_ = 2 * rows_;
        continue;
      }
      BatchPtr tail = sliceBatch(*all, last, all->numRows - last);
      buffered_ = {tail};
      rows_ = tail->numRows;
      emitAt_ = std::max(kEmitRows, 2 * rows_);
      mem_.releaseAll();
      mem_.tryReserve(tail->memoryBytes());
      return compute(*sliceBatch(*all, 0, last));
    }
    return nullptr;
  }

 private:
  static constexpr int64_t kEmitRows = 1 << 16;

  BatchPtr takeBuffered() {
    BatchPtr all = buffered_.size() == 1 ? buffered_[0] : concatBatches(buffered_);
    buffered_.clear();
    rows_ = 0;
    return all;
  }

  RowComparator comparator(const std::vector<ExprPtr>& keys, const Batch& b) const {
    RowComparator c;
    for (const auto& k : keys) {
      c.keys.push_back(PhysicalExpr::compile(k, node_.children[0]->output)->eval(b));
      c.order.push_back(SortKey{k, true, true});
    }
    return c;
  }

  // First row of the last window partition in `b` (0 when `b` holds a single one).
  int64_t lastPartitionStart(const Batch& b) const {
    const WindowSpec& spec = *exprs_[0]->args[0]->window;
    if (spec.partitionBy.empty()) return 0;
    RowComparator part = comparator(spec.partitionBy, b);
    int64_t i = b.numRows - 1;
    while (i > 0 && part.compare(i - 1, b.numRows - 1) == 0) --i;
    return i;
  }

  // Computes the window columns of whole window partitions, sorted.
  BatchPtr compute(const Batch& sorted) const {
    const auto& input = node_.children[0]->output;
    const WindowSpec& spec = *exprs_[0]->args[0]->window;
    RowComparator partCmp = comparator(spec.partitionBy, sorted);
    RowComparator orderCmp;
    for (const auto& o : spec.orderBy) {
      orderCmp.keys.push_back(PhysicalExpr::compile(o.expr, input)->eval(sorted));
      orderCmp.order.push_back(o);
    }
    std::vector<std::pair<int64_t, int64_t>> parts;
    for (int64_t i = 0; i < sorted.numRows;) {
      int64_t j = i + 1;
      while (j < sorted.numRows && partCmp.compare(i, j) == 0) ++j;
      parts.emplace_back(i, j);
      i = j;
    }
    auto out = std::make_shared<Batch>(sorted);
    for (const auto& e : exprs_) {
      const Expr& call = e->kind == ExprKind::Alias ? *e->args[0] : *e;
      out->columns.push_back(computeWindow(call, sorted, input, parts, orderCmp));
    }
    return out;
  }

  const WindowExec& node_;
  const std::vector<ExprPtr>& exprs_;
  StreamPtr in_;
  TaskContext& ctx_;
  MemoryConsumer mem_;
  std::vector<BatchPtr> buffered_;
  int64_t rows_ = 0;
  int64_t emitAt_ = kEmitRows;
  bool done_ = false;
  bool warned_ = false;
};
}  // namespace

StreamPtr WindowExec::execute(int partition, TaskContext& ctx) const {
  return instrument(std::make_unique<WindowStream>(*this, windowExprs_,
                                                   children[0]->execute(partition, ctx), ctx),
                    *this);
}

}  // namespace ember::sql
