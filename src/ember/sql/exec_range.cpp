// Range partitioning bounds for ORDER BY (Spark's RangePartitioner): a job samples the
// sort keys of every input partition (reservoir sampling, a fixed number of rows per
// partition, each weighted by its partition's row count), the driver sorts the sample
// and cuts it into numPartitions ranges of equal weight. Skew shows up as empty or
// unequal partitions, never as a wrong order.
#include <algorithm>
#include <numeric>
#include <random>

#include "ember/columnar/column_ops.h"
#include "ember/core/context.h"
#include "ember/core/registry.h"
#include "ember/core/task_context.h"
#include "ember/rdd/rdd_impl.h"
#include "ember/sql/exec_exchange.h"
#include "ember/sql/plan_serde.h"

namespace ember::sql {

namespace {

// Result of one task: the partition's row count, then the sampled key rows.
class RangeSampleTask : public JobFunctionBase,
                        public Registered<RangeSampleTask, JobFunctionBase> {
 public:
  RangeSampleTask(std::vector<ExprPtr> keys, std::vector<Attribute> input, int sampleSize)
      : keys_(std::move(keys)), input_(std::move(input)), sampleSize_(sampleSize) {
    for (const auto& k : keys_) compiled_.push_back(PhysicalExpr::compile(k, input_));
  }

  std::string run(RDDBase& rdd, int partition, TaskContext& ctx) const override {
    auto* typed = dynamic_cast<RDDImpl<BatchPtr>*>(&rdd);
    EMBER_CHECK(typed != nullptr, "range sampling over a non-batch RDD");
    std::mt19937_64 rng(0x9e3779b97f4a7c15ULL ^ static_cast<uint64_t>(partition));
    std::vector<std::vector<Value>> sample;
    int64_t seen = 0;
    auto it = typed->iterator(partition, ctx);
    BatchPtr b;
    while (it->next(b)) {
      ctx.checkInterrupted();
      if (b->numRows == 0) continue;
      std::vector<ColumnPtr> cols;
      for (const auto& k : compiled_) cols.push_back(k->eval(*b));
      for (int64_t i = 0; i < b->numRows; ++i, ++seen) {
        size_t slot;
        if (seen < sampleSize_) {
          slot = sample.size();
          sample.emplace_back();
        } else {
          uint64_t j = rng() % static_cast<uint64_t>(seen + 1);
          if (j >= static_cast<uint64_t>(sampleSize_)) continue;
          slot = static_cast<size_t>(j);
        }
        sample[slot].clear();
        for (const auto& c : cols) sample[slot].push_back(Value::fromColumn(*c, i));
      }
    }
    std::string out;
    ByteWriter w(&out);
    w.writeRaw<int64_t>(seen);
    Serde<std::vector<std::vector<Value>>>::write(w, sample);
    return out;
  }

  const char* typeKey() const override { return registeredKey(); }
  void serialize(ByteWriter& w, GraphWriter&) const override {
    w.writeVarint(keys_.size());
    for (const auto& k : keys_) writeExpr(w, k);
    writeAttributes(w, input_);
    w.writeVarint(static_cast<uint64_t>(sampleSize_));
  }
  static std::shared_ptr<JobFunctionBase> deserialize(ByteReader& r, GraphReader&) {
    std::vector<ExprPtr> keys(r.readVarint());
    for (auto& k : keys) k = readExpr(r);
    auto input = readAttributes(r);
    int size = static_cast<int>(r.readVarint());
    return std::make_shared<RangeSampleTask>(std::move(keys), std::move(input), size);
  }

 private:
  std::vector<ExprPtr> keys_;
  std::vector<Attribute> input_;
  int sampleSize_;
  std::vector<PhysicalExprPtr> compiled_;
};

}  // namespace

BatchPtr sampleRangeBounds(Context& ctx, const std::shared_ptr<RDDBase>& input,
                           const std::vector<Attribute>& inputAttrs,
                           const std::vector<SortKey>& order, int numPartitions) {
  std::vector<ExprPtr> keys;
  std::vector<Field> fields;
  for (const auto& o : order) {
    keys.push_back(o.expr);
    fields.push_back(Field{"k" + std::to_string(fields.size()), o.expr->type, true});
  }
  Schema schema(fields);
  int maps = std::max(1, input->numPartitions());
  // About 60 rows per output partition in all, at least 20 per input partition (Spark
  // samples 20 per output partition; more gives evener ranges for a small extra cost).
  int perMap = std::clamp(60 * numPartitions / maps + 1, 20, 1000);
  auto task = std::make_shared<RangeSampleTask>(keys, inputAttrs, perMap);
  std::vector<int> parts(static_cast<size_t>(input->numPartitions()));
  std::iota(parts.begin(), parts.end(), 0);
  std::vector<std::vector<Value>> rows;
  std::vector<double> weights;
  ctx.runJob(
      input, task, parts,
      [&](int, std::string_view bytes) {
        ByteReader r(bytes);
        int64_t seen = r.readRaw<int64_t>();
        auto sample = Serde<std::vector<std::vector<Value>>>::read(r);
        for (auto& row : sample) {
          weights.push_back(static_cast<double>(seen) / static_cast<double>(sample.size()));
          rows.push_back(std::move(row));
        }
      },
      "range partitioning bounds");
  // Sample as key columns, ordered by the sort order.
  std::vector<ColumnPtr> cols;
  for (size_t k = 0; k < fields.size(); ++k) {
    auto c = std::make_shared<Column>(fields[k].type);
    for (const auto& row : rows) row[k].appendTo(*c);
    cols.push_back(c);
  }
  RowComparator cmp{cols, order};
  std::vector<int64_t> idx(rows.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](int64_t a, int64_t b) { return cmp.compare(a, b) < 0; });
  double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<int32_t> picked;
  double acc = 0;
  int next = 1;
  for (size_t i = 0; i < idx.size() && next < numPartitions; ++i) {
    acc += weights[static_cast<size_t>(idx[i])];
    if (acc < total * next / numPartitions) continue;
    // Equal bounds would make an empty range: keep the first of equal keys only.
    if (picked.empty() || cmp.compare(picked.back(), idx[i]) < 0)
      picked.push_back(static_cast<int32_t>(idx[i]));
    ++next;
  }
  Batch sampleBatch(cols, static_cast<int64_t>(rows.size()));
  return takeBatch(sampleBatch, picked.data(), static_cast<int64_t>(picked.size()));
}

}  // namespace ember::sql
