// Hash join and nested-loop join.
#include <algorithm>
#include <numeric>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/batch_spill.h"
#include "ember/sql/exec_ops.h"
#include "ember/sql/group_table.h"
#include "ember/sql/optimizer_internal.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {

namespace {
std::vector<Attribute> concatAttrs(const std::vector<Attribute>& a,
                                   const std::vector<Attribute>& b) {
  auto out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Joined batch: left rows li, right rows ri (-1 = NULLs), in output order left, right.
BatchPtr joinRows(const Batch& left, const std::vector<int32_t>& li, const Batch& right,
                  const std::vector<int32_t>& ri, bool includeRight) {
  auto out = std::make_shared<Batch>();
  out->numRows = static_cast<int64_t>(li.size());
  for (const auto& c : left.columns)
    out->columns.push_back(takeColumn(*c, li.data(), out->numRows));
  if (includeRight)
    for (const auto& c : right.columns)
      out->columns.push_back(takeColumn(*c, ri.data(), out->numRows));
  return out;
}
}  // namespace

HashJoinExec::HashJoinExec(PhysicalPtr left, PhysicalPtr right, JoinType type,
                           std::vector<ExprPtr> leftKeys, std::vector<ExprPtr> rightKeys,
                           ExprPtr residual, BuildSide build, bool broadcast,
                           std::vector<Attribute> out)
    : type_(type),
      leftKeys_(std::move(leftKeys)),
      rightKeys_(std::move(rightKeys)),
      residual_(std::move(residual)),
      build_(build),
      broadcast_(broadcast) {
  output = std::move(out);
  for (const auto& k : leftKeys_) leftKeyExprs_.push_back(PhysicalExpr::compile(k, left->output));
  for (const auto& k : rightKeys_)
    rightKeyExprs_.push_back(PhysicalExpr::compile(k, right->output));
  auto both = concatAttrs(left->output, right->output);
  if (residual_) {
    residualExpr_ = PhysicalExpr::compile(residual_, both);
    IdSet read = referencedIds(residual_);
    for (const auto& a : both) residualCols_.push_back(read.count(a.id) > 0);
  }
  // Output columns: left ++ right in order (the usual case), else looked up by id.
  bool identity = output.size() == both.size();
  for (size_t i = 0; identity && i < both.size(); ++i) identity = output[i].id == both[i].id;
  auto nl = static_cast<int32_t>(left->output.size());
  for (size_t i = 0; i < output.size(); ++i) {
    if (identity) {
      auto j = static_cast<int32_t>(i);
      outCols_.emplace_back(j < nl ? 0 : 1, j < nl ? j : j - nl);
      continue;
    }
    auto j = static_cast<int32_t>(
        std::find_if(both.begin(), both.end(),
                     [&](const Attribute& a) { return a.id == output[i].id; }) -
        both.begin());
    EMBER_CHECK(j < static_cast<int32_t>(both.size()),
                "join output column " + output[i].name + " is in neither input");
    outCols_.emplace_back(j < nl ? 0 : 1, j < nl ? j : j - nl);
  }
  children = {std::move(left), std::move(right)};
}

std::string HashJoinExec::describe() const {
  std::string s = broadcast_ ? "BroadcastHashJoin [" : "ShuffledHashJoin [";
  for (size_t i = 0; i < leftKeys_.size(); ++i) s += (i ? ", " : "") + leftKeys_[i]->toString();
  s += "], [";
  for (size_t i = 0; i < rightKeys_.size(); ++i) s += (i ? ", " : "") + rightKeys_[i]->toString();
  s += std::string("], ") + joinTypeName(type_) + ", Build" +
       (build_ == BuildSide::Left ? "Left" : "Right");
  if (residual_) s += ", " + residual_->toString();
  return s;
}

int HashJoinExec::numPartitions() const {
  // The streamed (probe) side decides; a broadcast build side is read whole.
  return children[build_ == BuildSide::Left ? 1 : 0]->numPartitions();
}

class HashJoinStream : public BatchStream {
 public:
  HashJoinStream(const HashJoinExec& node, StreamPtr buildStream, StreamPtr probeStream,
                 TaskContext& ctx, int level = 0)
      : node_(node),
        ctx_(ctx),
        mem_(ctx.env().memory, ctx.taskAttemptId(), "hash join build"),
        level_(level) {
    bool buildLeft = node_.build_ == HashJoinExec::BuildSide::Left;
    const PhysicalNode& buildNode = *node_.children[buildLeft ? 0 : 1];
    probeKeyExprs_ = buildLeft ? &node_.rightKeyExprs_ : &node_.leftKeyExprs_;
    const auto& buildKeyExprs0 = buildLeft ? node_.leftKeyExprs_ : node_.rightKeyExprs_;
    // Build: the whole build partition (or the broadcast), as long as memory allows.
    std::vector<BatchPtr> parts;
    while (BatchPtr b = buildStream->next()) {
      if (b->numRows == 0) continue;
      parts.push_back(b);
      if (mem_.tryReserve(b->memoryBytes()) || node_.broadcast_) continue;
      // Refused: grace hash join. Both sides go to disk partitioned by key and each
      // partition pair is joined on its own (keys never cross partitions, so outer
      // rows are right too).
      if (level_ >= 3)
        throw UserError(
            "the build side of a hash join does not fit in ember.executor.memory even after " +
            std::to_string(level_) +
            " rounds of partitioning (one key has too many rows); raise ember.executor.memory");
      buildSpill_ = std::make_unique<BatchSpiller>(ctx, 16, level_);
      probeSpill_ = std::make_unique<BatchSpiller>(ctx, 16, level_);
      auto spill = [&](BatchSpiller& sp, const Batch& x,
                       const std::vector<PhysicalExprPtr>& keyExprs) {
        std::vector<ColumnPtr> k;
        for (const auto& e : keyExprs) k.push_back(e->eval(x));
        sp.add(x, k);
      };
      for (const auto& x : parts) spill(*buildSpill_, *x, buildKeyExprs0);
      parts.clear();
      mem_.releaseAll();
      while (BatchPtr x = buildStream->next()) spill(*buildSpill_, *x, buildKeyExprs0);
      while (BatchPtr x = probeStream->next()) spill(*probeSpill_, *x, *probeKeyExprs_);
      buildSpill_->finish();
      probeSpill_->finish();
      int64_t bytes = buildSpill_->bytesWritten() + probeSpill_->bytesWritten();
      ctx.metrics().diskBytesSpilled += bytes;
      node_.metrics().spillBytes += bytes;
      return;
    }
    build_ = parts.empty() ? Batch::empty(schemaOf(buildNode.output)) : concatBatches(parts);
    const auto& buildKeyExprs = buildLeft ? node_.leftKeyExprs_ : node_.rightKeyExprs_;
    std::vector<ColumnPtr> keys;
    std::vector<DataType> types;
    for (const auto& k : buildKeyExprs) {
      keys.push_back(k->eval(*build_));
      types.push_back(keys.back()->type());
    }
    table_ = std::make_unique<GroupTable>(types);
    int64_t n = build_->numRows;
    std::vector<int32_t> gid(static_cast<size_t>(n));
    // Rows with a NULL key never match: keep them out of the table.
    std::vector<int32_t> rowsWithKey;
    for (int64_t i = 0; i < n; ++i) {
      bool nullKey = false;
      for (const auto& k : keys) nullKey = nullKey || k->isNull(i);
      if (!nullKey) rowsWithKey.push_back(static_cast<int32_t>(i));
    }
    std::vector<ColumnPtr> nonNull;
    for (const auto& k : keys)
      nonNull.push_back(
          takeColumn(*k, rowsWithKey.data(), static_cast<int64_t>(rowsWithKey.size())));
    std::vector<int32_t> g(rowsWithKey.size());
    if (!rowsWithKey.empty())
      table_->findOrInsert(nonNull, static_cast<int64_t>(rowsWithKey.size()), g.data());
    // Rows of each group contiguous: start_[g] .. start_[g+1] in rows_.
    start_.assign(static_cast<size_t>(table_->size() + 1), 0);
    for (int32_t x : g) ++start_[static_cast<size_t>(x) + 1];
    for (size_t i = 1; i < start_.size(); ++i) start_[i] += start_[i - 1];
    rows_.resize(rowsWithKey.size());
    std::vector<int32_t> fill(start_.begin(), start_.end() - 1);
    for (size_t i = 0; i < rowsWithKey.size(); ++i)
      rows_[static_cast<size_t>(fill[static_cast<size_t>(g[i])]++)] = rowsWithKey[i];
    // Every key at most once (primary-key builds): each probe row matches at most one
    // build row, so output rows follow the probe rows and need no pair expansion.
    uniqueBuild_ = table_->size() == static_cast<int64_t>(rowsWithKey.size());
    JoinType t = node_.type_;
    buildOuter_ = ((t == JoinType::FullOuter || t == JoinType::RightOuter) && !buildLeft) ||
                  ((t == JoinType::LeftOuter || t == JoinType::FullOuter) && buildLeft);
    probeOuter_ = ((t == JoinType::LeftOuter || t == JoinType::FullOuter) && !buildLeft) ||
                  (t == JoinType::RightOuter && buildLeft);
    if (buildOuter_) buildMatched_.assign(static_cast<size_t>(n), 0);
    probe_ = std::move(probeStream);
  }

  BatchPtr next() override {
    if (buildSpill_) return nextPartitioned();
    for (;;) {
      if (probeDone_) return unmatchedBuild();
      BatchPtr b = probe_->next();
      if (!b) {
        probeDone_ = true;
        continue;
      }
      if (b->numRows == 0) continue;
      BatchPtr out = probe(*b);
      if (out && out->numRows > 0) return out;
    }
  }

 private:
  bool buildLeft() const { return node_.build_ == HashJoinExec::BuildSide::Left; }

  BatchPtr nextPartitioned() {
    for (;;) {
      if (child_) {
        if (BatchPtr b = child_->next()) return b;
        child_.reset();
      }
      if (nextPartition_ >= buildSpill_->numPartitions()) return nullptr;
      int i = nextPartition_++;
      child_ = std::make_unique<HashJoinStream>(node_, buildSpill_->partition(i),
                                                probeSpill_->partition(i), ctx_, level_ + 1);
    }
  }

  BatchPtr probe(const Batch& p) {
    int64_t n = p.numRows;
    std::vector<ColumnPtr> keys;
    for (const auto& k : *probeKeyExprs_) keys.push_back(k->eval(p));
    std::vector<int32_t> g(static_cast<size_t>(n));
    table_->find(keys, n, g.data(), true);
    JoinType t = node_.type_;
    bool semi = t == JoinType::LeftSemi || t == JoinType::LeftAnti;
    if (!node_.residualExpr_ && (semi || uniqueBuild_)) return probeDirect(p, g);
    std::vector<int32_t> pi, bi;
    for (int64_t i = 0; i < n; ++i) {
      if (g[i] < 0) continue;
      for (int32_t k = start_[g[i]]; k < start_[g[i] + 1]; ++k) {
        pi.push_back(static_cast<int32_t>(i));
        bi.push_back(rows_[k]);
      }
    }
    // Residual condition on the candidate pairs.
    if (node_.residualExpr_ && !pi.empty()) {
      auto sel = selectionFromMask(*node_.residualExpr_->eval(*residualPairs(p, pi, bi)));
      std::vector<int32_t> pi2, bi2;
      pi2.reserve(sel.size());
      bi2.reserve(sel.size());
      for (int32_t s : sel) {
        pi2.push_back(pi[s]);
        bi2.push_back(bi[s]);
      }
      pi.swap(pi2);
      bi.swap(bi2);
    }
    if (buildOuter_)
      for (int32_t b : bi) buildMatched_[b] = 1;
    if (semi) {
      // Probe side is the left side here (the planner builds right for semi/anti).
      std::vector<uint8_t> matched(static_cast<size_t>(n), 0);
      for (int32_t i : pi) matched[i] = 1;
      std::vector<int32_t> keep;
      for (int64_t i = 0; i < n; ++i)
        if (matched[i] == (t == JoinType::LeftSemi ? 1 : 0))
          keep.push_back(static_cast<int32_t>(i));
      return emitProbeRows(p, keep);
    }
    if (probeOuter_) {
      std::vector<uint8_t> matched(static_cast<size_t>(n), 0);
      for (int32_t i : pi) matched[i] = 1;
      for (int64_t i = 0; i < n; ++i)
        if (!matched[i]) {
          pi.push_back(static_cast<int32_t>(i));
          bi.push_back(-1);
        }
    }
    if (pi.empty()) return nullptr;
    return emit(p, pi.data(), bi.data(), static_cast<int64_t>(pi.size()));
  }

  // No residual, and a semi/anti join or a build side with unique keys: a probe row
  // either has its (single) match or not. Output rows keep the probe order, so the
  // probe columns are passed through uncopied when every row stays.
  BatchPtr probeDirect(const Batch& p, const std::vector<int32_t>& g) {
    int64_t n = p.numRows;
    JoinType t = node_.type_;
    if (t == JoinType::LeftSemi || t == JoinType::LeftAnti) {
      bool want = t == JoinType::LeftSemi;
      std::vector<int32_t> keep;
      keep.reserve(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        if ((g[i] >= 0) == want) keep.push_back(static_cast<int32_t>(i));
      return emitProbeRows(p, keep);
    }
    std::vector<int32_t> bi(static_cast<size_t>(n));
    int64_t matched = 0;
    for (int64_t i = 0; i < n; ++i) {
      int32_t x = g[i];
      bi[i] = x >= 0 ? rows_[start_[x]] : -1;
      matched += x >= 0;
    }
    if (buildOuter_)
      for (int32_t b : bi)
        if (b >= 0) buildMatched_[b] = 1;
    if (probeOuter_ || matched == n) return emit(p, nullptr, bi.data(), n);
    if (matched == 0) return nullptr;
    std::vector<int32_t> pi;
    pi.reserve(static_cast<size_t>(matched));
    for (int64_t i = 0; i < n; ++i)
      if (bi[i] >= 0) {
        bi[pi.size()] = bi[i];
        pi.push_back(static_cast<int32_t>(i));
      }
    return emit(p, pi.data(), bi.data(), matched);
  }

  // The output columns for pairs (probe row pi[k], build row bi[k]); -1 in bi gives
  // NULLs, pi == null means probe rows 0..n-1 (probe columns are shared, not copied).
  BatchPtr emit(const Batch& p, const int32_t* pi, const int32_t* bi, int64_t n) const {
    auto out = std::make_shared<Batch>();
    out->numRows = n;
    uint8_t probeSide = buildLeft() ? 1 : 0;
    for (const auto& [side, idx] : node_.outCols_) {
      if (side == probeSide) {
        const ColumnPtr& c = p.columns[static_cast<size_t>(idx)];
        out->columns.push_back(pi ? takeColumn(*c, pi, n) : c);
      } else {
        out->columns.push_back(takeColumn(*build_->columns[static_cast<size_t>(idx)], bi, n));
      }
    }
    return out;
  }

  // Semi/anti output: the kept probe rows (all of them: the batch itself).
  BatchPtr emitProbeRows(const Batch& p, const std::vector<int32_t>& keep) const {
    auto n = static_cast<int64_t>(keep.size());
    if (n == 0) return nullptr;
    return emit(p, n == p.numRows ? nullptr : keep.data(), nullptr, n);
  }

  // left ++ right columns of the candidate pairs for the residual condition: only the
  // columns it reads are gathered; the others stay the (unread) source columns.
  BatchPtr residualPairs(const Batch& p, const std::vector<int32_t>& pi,
                         const std::vector<int32_t>& bi) const {
    const Batch& l = buildLeft() ? *build_ : p;
    const Batch& r = buildLeft() ? p : *build_;
    const auto& li = buildLeft() ? bi : pi;
    const auto& ri = buildLeft() ? pi : bi;
    auto out = std::make_shared<Batch>();
    out->numRows = static_cast<int64_t>(pi.size());
    size_t k = 0;
    for (const Batch* side : {&l, &r})
      for (const auto& c : side->columns) {
        const auto& idx = side == &l ? li : ri;
        out->columns.push_back(node_.residualCols_[k++] ? takeColumn(*c, idx.data(), out->numRows)
                                                        : c);
      }
    return out;
  }

  // Right/full outer with the build side on the right (or left outer built left): the
  // build rows nothing matched, with NULLs for the probe side.
  BatchPtr unmatchedBuild() {
    if (emittedUnmatched_) return nullptr;
    emittedUnmatched_ = true;
    if (!buildOuter_) return nullptr;
    std::vector<int32_t> bi, pi;
    for (int64_t i = 0; i < build_->numRows; ++i)
      if (!buildMatched_[i]) {
        bi.push_back(static_cast<int32_t>(i));
        pi.push_back(-1);
      }
    if (bi.empty()) return nullptr;
    const PhysicalNode& probeNode = *node_.children[buildLeft() ? 1 : 0];
    BatchPtr emptyProbe = Batch::empty(schemaOf(probeNode.output));
    return emit(*emptyProbe, pi.data(), bi.data(), static_cast<int64_t>(bi.size()));
  }

  const HashJoinExec& node_;
  TaskContext& ctx_;
  MemoryConsumer mem_;
  BatchPtr build_;
  std::unique_ptr<GroupTable> table_;
  std::vector<int32_t> start_, rows_;
  std::vector<uint8_t> buildMatched_;
  StreamPtr probe_;
  const std::vector<PhysicalExprPtr>* probeKeyExprs_ = nullptr;
  bool probeDone_ = false;
  bool emittedUnmatched_ = false;
  bool uniqueBuild_ = false, buildOuter_ = false, probeOuter_ = false;
  int level_;
  std::unique_ptr<BatchSpiller> buildSpill_, probeSpill_;
  std::unique_ptr<HashJoinStream> child_;
  int nextPartition_ = 0;
};

StreamPtr HashJoinExec::execute(int partition, TaskContext& ctx) const {
  bool buildLeft = build_ == BuildSide::Left;
  auto buildStream = children[buildLeft ? 0 : 1]->execute(broadcast_ ? 0 : partition, ctx);
  auto probeStream = children[buildLeft ? 1 : 0]->execute(partition, ctx);
  return instrument(
      std::make_unique<HashJoinStream>(*this, std::move(buildStream), std::move(probeStream), ctx),
      *this);
}

// ---- nested loop ----
NestedLoopJoinExec::NestedLoopJoinExec(PhysicalPtr left, PhysicalPtr right, JoinType type,
                                       ExprPtr condition, std::vector<Attribute> out)
    : type_(type), condition_(std::move(condition)) {
  output = std::move(out);
  if (condition_)
    compiled_ = PhysicalExpr::compile(condition_, concatAttrs(left->output, right->output));
  children = {std::move(left), std::move(right)};
}

std::string NestedLoopJoinExec::describe() const {
  return std::string("BroadcastNestedLoopJoin ") + joinTypeName(type_) +
         (condition_ ? ", " + condition_->toString() : "");
}

namespace {
class NestedLoopStream : public BatchStream {
 public:
  NestedLoopStream(const NestedLoopJoinExec& node, JoinType type, PhysicalExprPtr cond,
                   StreamPtr left, BatchPtr right)
      : node_(node),
        type_(type),
        cond_(std::move(cond)),
        left_(std::move(left)),
        right_(std::move(right)) {}
  BatchPtr next() override {
    while (BatchPtr l = left_->next()) {
      int64_t n = l->numRows, m = right_->numRows;
      std::vector<uint8_t> matched(static_cast<size_t>(n), 0);
      std::vector<BatchPtr> parts;
      // Pairs in chunks of ~64K rows to bound memory.
      int64_t chunk = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, m));
      for (int64_t s = 0; s < n; s += chunk) {
        std::vector<int32_t> li, ri;
        for (int64_t i = s; i < std::min(n, s + chunk); ++i)
          for (int64_t j = 0; j < m; ++j) {
            li.push_back(static_cast<int32_t>(i));
            ri.push_back(static_cast<int32_t>(j));
          }
        if (li.empty()) continue;
        BatchPtr pairs = joinRows(*l, li, *right_, ri, true);
        std::vector<int32_t> sel;
        if (cond_) {
          sel = selectionFromMask(*cond_->eval(*pairs));
        } else {
          sel.resize(li.size());
          std::iota(sel.begin(), sel.end(), 0);
        }
        for (int32_t x : sel) matched[li[x]] = 1;
        if (type_ == JoinType::Inner || type_ == JoinType::Cross || type_ == JoinType::LeftOuter)
          parts.push_back(takeBatch(*pairs, sel.data(), static_cast<int64_t>(sel.size())));
      }
      std::vector<int32_t> keep;
      for (int64_t i = 0; i < n; ++i) {
        bool want =
            type_ == JoinType::LeftSemi
                ? matched[i]
                : (type_ == JoinType::LeftAnti || type_ == JoinType::LeftOuter) && !matched[i];
        if (want) keep.push_back(static_cast<int32_t>(i));
      }
      if (type_ == JoinType::LeftSemi || type_ == JoinType::LeftAnti) {
        if (!keep.empty()) return takeBatch(*l, keep.data(), static_cast<int64_t>(keep.size()));
        continue;
      }
      if (type_ == JoinType::LeftOuter && !keep.empty()) {
        std::vector<int32_t> none(keep.size(), -1);
        parts.push_back(joinRows(*l, keep, *right_, none, true));
      }
      std::vector<BatchPtr> nonEmpty;
      for (auto& p : parts)
        if (p->numRows) nonEmpty.push_back(p);
      if (!nonEmpty.empty()) return concatBatches(nonEmpty);
    }
    return nullptr;
  }

 private:
  const NestedLoopJoinExec& node_;
  JoinType type_;
  PhysicalExprPtr cond_;
  StreamPtr left_;
  BatchPtr right_;
};
}  // namespace

StreamPtr NestedLoopJoinExec::execute(int partition, TaskContext& ctx) const {
  auto rightStream = children[1]->execute(0, ctx);  // broadcast: the whole right side
  BatchPtr right = drainToOne(*rightStream, children[1]->output);
  return instrument(std::make_unique<NestedLoopStream>(*this, type_, compiled_,
                                                       children[0]->execute(partition, ctx), right),
                    *this);
}

}  // namespace ember::sql
