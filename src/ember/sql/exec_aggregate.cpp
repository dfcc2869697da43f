// Hash aggregation (partial, final, complete). Memory is accounted with the memory
// manager; a partial aggregation that is refused memory emits what it has and starts
// over (its output is merged by the final aggregation anyway).
#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/sql/batch_spill.h"
#include "ember/sql/exec_ops.h"
#include "ember/sql/group_table.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {

HashAggregateExec::HashAggregateExec(PhysicalPtr child, Mode mode, std::vector<ExprPtr> keys,
                                     std::vector<AggSpec> aggs, std::vector<Attribute> out)
    : mode_(mode), keys_(std::move(keys)), aggs_(std::move(aggs)) {
  output = std::move(out);
  if (mode_ != Mode::Final) {
    for (const auto& k : keys_) keyExprs_.push_back(PhysicalExpr::compile(k, child->output));
    for (const auto& a : aggs_) {
      std::vector<PhysicalExprPtr> args;
      for (const auto& e : a.args) args.push_back(PhysicalExpr::compile(e, child->output));
      argExprs_.push_back(std::move(args));
      filterExprs_.push_back(a.filter ? PhysicalExpr::compile(a.filter, child->output) : nullptr);
    }
  }
  children = {std::move(child)};
}

std::string HashAggregateExec::describe() const {
  const char* m = mode_ == Mode::Partial ? "partial" : mode_ == Mode::Final ? "final" : "complete";
  std::string s = std::string("HashAggregate(") + m + ", keys=[";
  for (size_t i = 0; i < keys_.size(); ++i) s += (i ? ", " : "") + keys_[i]->toString();
  s += "], functions=[";
  for (size_t i = 0; i < aggs_.size(); ++i) {
    s += (i ? ", " : "") + aggs_[i].fn->name() + "(";
    for (size_t j = 0; j < aggs_[i].args.size(); ++j)
      s += (j ? ", " : "") + aggs_[i].args[j]->toString();
    s += ")";
  }
  return s + "])";
}

class HashAggregateStream : public BatchStream {
 public:
  HashAggregateStream(const HashAggregateExec& node, StreamPtr in, TaskContext& ctx, int level = 0)
      : node_(node),
        in_(std::move(in)),
        ctx_(ctx),
        mem_(ctx.env().memory, ctx.taskAttemptId(), "hash aggregate"),
        level_(level) {
    reset();
  }

  BatchPtr next() override {
    if (done_) return nextSpilled();
    while (BatchPtr b = in_->next()) {
      if (b->numRows == 0) continue;
      if (spiller_) {
        consumeOrSpill(*b);
        continue;
      }
      consume(*b);
      if (account()) continue;
      if (node_.mode_ == HashAggregateExec::Mode::Partial) {
        // Refused memory: emit the partial groups so far and start again.
        BatchPtr out = emit();
        reset();
        if (out->numRows > 0) return out;
      } else if (!node_.keys_.empty()) {
        // Refused memory: keep the groups we have; rows of new groups go to disk,
        // partitioned by key, and are aggregated partition by partition afterwards.
        if (level_ >= 4)
          throw UserError("hash aggregation still does not fit in ember.executor.memory after " +
                          std::to_string(level_) +
                          " rounds of spilling (one group key may be huge); raise "
                          "ember.executor.memory");
        spiller_ = std::make_unique<BatchSpiller>(ctx_, 16, level_);
      } else {
        throw UserError(
            "a global aggregation needs more memory than ember.executor.memory allows (" +
            std::to_string(mem_.used() >> 20) + " MiB held); raise ember.executor.memory");
      }
    }
    done_ = true;
    if (spiller_) {
      spiller_->finish();
      ctx_.metrics().diskBytesSpilled += spiller_->bytesWritten();
      ctx_.metrics().memoryBytesSpilled += mem_.used();
      node_.metrics().spillBytes += spiller_->bytesWritten();
    }
    // A global aggregate (no keys) outputs one row even over empty input.
    if (table_->size() == 0 && !node_.keys_.empty()) return nextSpilled();
    if (table_->size() == 0) {
      int32_t g;
      table_->findOrInsert({}, 1, &g);
      for (auto& s : states_) s->resize(1);
    }
    BatchPtr out = emit();
    // The in-memory groups are out: release them before the spilled partitions run.
    table_ = std::make_unique<GroupTable>(std::vector<DataType>{});
    states_.clear();
    mem_.releaseAll();
    return out;
  }

 private:
  // After the in-memory groups: each spilled partition aggregated by a nested stream.
  BatchPtr nextSpilled() {
    while (spiller_) {
      if (child_) {
        if (BatchPtr b = child_->next()) return b;
        child_.reset();
      }
      if (nextPartition_ >= spiller_->numPartitions()) {
        spiller_.reset();
        break;
      }
      child_ = std::make_unique<HashAggregateStream>(node_, spiller_->partition(nextPartition_++),
                                                     ctx_, level_ + 1);
    }
    return nullptr;
  }

  std::vector<ColumnPtr> keysOf(const Batch& b) const {
    std::vector<ColumnPtr> keys;
    if (node_.mode_ == HashAggregateExec::Mode::Final) {
      for (size_t k = 0; k < node_.keys_.size(); ++k) keys.push_back(b.columns[k]);
    } else {
      for (const auto& k : node_.keyExprs_) keys.push_back(k->eval(b));
    }
    return keys;
  }

  // Spilling: rows of known groups are folded in memory, the others go to disk.
  void consumeOrSpill(const Batch& b) {
    auto keys = keysOf(b);
    std::vector<int32_t> g(static_cast<size_t>(b.numRows));
    table_->find(keys, b.numRows, g.data(), false);
    std::vector<int32_t> known, unknown;
    for (int64_t i = 0; i < b.numRows; ++i)
      (g[i] >= 0 ? known : unknown).push_back(static_cast<int32_t>(i));
    if (!unknown.empty()) {
      std::vector<ColumnPtr> k;
      for (const auto& c : keys)
        k.push_back(takeColumn(*c, unknown.data(), static_cast<int64_t>(unknown.size())));
      spiller_->add(*takeBatch(b, unknown.data(), static_cast<int64_t>(unknown.size())), k);
    }
    if (!known.empty()) consume(*takeBatch(b, known.data(), static_cast<int64_t>(known.size())));
  }

  void reset() {
    std::vector<DataType> keyTypes;
    size_t nKeys = node_.keys_.size();
    for (size_t k = 0; k < nKeys; ++k) keyTypes.push_back(node_.output[k].type);
    if (node_.mode_ == HashAggregateExec::Mode::Partial) {
      keyTypes.clear();
      for (const auto& k : node_.keys_) keyTypes.push_back(k->type);
    }
    table_ = std::make_unique<GroupTable>(keyTypes);
    states_.clear();
    for (const auto& a : node_.aggs_) states_.push_back(a.fn->newState());
    mem_.releaseAll();
  }

  bool account() {
    int64_t bytes =
        table_->memoryBytes() + table_->size() * 16 * static_cast<int64_t>(states_.size());
    for (const auto& s : states_) bytes += s->extraBytes();
    int64_t delta = bytes - mem_.used();
    return delta <= 0 || mem_.tryReserve(delta);
  }

  void consume(const Batch& b) {
    int64_t n = b.numRows;
    std::vector<ColumnPtr> keys;
    gids_.resize(static_cast<size_t>(n));
    if (node_.mode_ == HashAggregateExec::Mode::Final) {
      size_t nKeys = node_.keys_.size();
      for (size_t k = 0; k < nKeys; ++k) keys.push_back(b.columns[k]);
      table_->findOrInsert(keys, n, gids_.data());
      for (auto& s : states_) s->resize(table_->size());
      size_t col = nKeys;
      for (size_t a = 0; a < states_.size(); ++a) {
        size_t ns = node_.aggs_[a].fn->stateTypes().size();
        std::vector<ColumnPtr> st(b.columns.begin() + static_cast<long>(col),
                                  b.columns.begin() + static_cast<long>(col + ns));
        states_[a]->merge(gids_.data(), st, n);
        col += ns;
      }
      return;
    }
    for (const auto& k : node_.keyExprs_) keys.push_back(k->eval(b));
    table_->findOrInsert(keys, n, gids_.data());
    for (auto& s : states_) s->resize(table_->size());
    for (size_t a = 0; a < states_.size(); ++a) {
      std::vector<ColumnPtr> args;
      for (const auto& e : node_.argExprs_[a]) args.push_back(e->eval(b));
      if (node_.filterExprs_[a]) {
        // FILTER (WHERE c): only rows where c is true reach this aggregate.
        auto sel = selectionFromMask(*node_.filterExprs_[a]->eval(b));
        std::vector<int32_t> g(sel.size());
        for (size_t i = 0; i < sel.size(); ++i) g[i] = gids_[static_cast<size_t>(sel[i])];
        for (auto& c : args) c = takeColumn(*c, sel.data(), static_cast<int64_t>(sel.size()));
        states_[a]->update(g.data(), args, static_cast<int64_t>(sel.size()));
      } else {
        if (args.empty()) args.push_back(constantRowsColumn(n));
        states_[a]->update(gids_.data(), args, n);
      }
    }
  }

  // count(*) has no argument: a column of n non-null placeholders stands for the rows.
  static ColumnPtr constantRowsColumn(int64_t n) {
    auto c = Column::make(DataType::boolean(), n);
    std::memset(c->mutableValues<uint8_t>(), 1, static_cast<size_t>(n));
    return c;
  }

  BatchPtr emit() {
    int64_t n = table_->size();
    auto out = std::make_shared<Batch>();
    out->numRows = n;
    for (const auto& k : table_->keyColumns()) out->columns.push_back(k);
    for (const auto& s : states_) {
      if (node_.mode_ == HashAggregateExec::Mode::Partial) {
        for (auto& c : s->partial(n)) out->columns.push_back(c);
      } else {
        out->columns.push_back(s->result(n));
      }
    }
    ctx_.metrics().peakExecutionMemory = std::max(ctx_.metrics().peakExecutionMemory, mem_.used());
    return out;
  }

  const HashAggregateExec& node_;
  StreamPtr in_;
  TaskContext& ctx_;
  MemoryConsumer mem_;
  std::unique_ptr<GroupTable> table_;
  std::vector<std::unique_ptr<AggregateState>> states_;
  std::vector<int32_t> gids_;
  bool done_ = false;
  int level_;
  std::unique_ptr<BatchSpiller> spiller_;
  std::unique_ptr<HashAggregateStream> child_;
  int nextPartition_ = 0;
};

StreamPtr HashAggregateExec::execute(int partition, TaskContext& ctx) const {
  return instrument(
      std::make_unique<HashAggregateStream>(*this, children[0]->execute(partition, ctx), ctx),
      *this);
}

}  // namespace ember::sql
