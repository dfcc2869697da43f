// collect_list / array_agg and collect_set: the non-null values of a group as an array
// (collect_set without duplicates). Values of all groups are appended to one element
// column; each group keeps the indices of its elements, so a batch costs one append per
// value and the result is one gather. Order within a group: arrival order (Spark gives no
// order guarantee either).
#include <unordered_map>

#include "ember/columnar/column_ops.h"
#include "ember/common/hash.h"
#include "ember/sql/aggregate_sketches.h"

namespace ember::sql {

namespace {

class CollectState : public AggregateState {
 public:
  CollectState(const DataType& elem, bool set)
      : type_(DataType::array(elem)), elems_(Column::make(elem)), set_(set) {}

  void resize(int64_t n) override { groups_.resize(static_cast<size_t>(n)); }

  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    const Column& v = *args[0];
    std::vector<uint64_t> h;
    if (set_) {
      h.resize(static_cast<size_t>(rows));
      hashColumn(v, h.data(), false);
    }
    for (int64_t i = 0; i < rows; ++i)
      if (!v.isNull(i)) add(g[i], v, i, set_ ? h[static_cast<size_t>(i)] : 0);
  }

  void merge(const int32_t* g, const std::vector<ColumnPtr>& states, int64_t rows) override {
    const Column& lists = *states[0];
    const Column& v = lists.child(0);
    std::vector<uint64_t> h;
    if (set_) {
      h.resize(static_cast<size_t>(v.size()));
      hashColumn(v, h.data(), false);
    }
    for (int64_t i = 0; i < rows; ++i) {
      if (lists.isNull(i)) continue;
      for (int32_t j = lists.listBegin(i); j < lists.listEnd(i); ++j)
        if (!v.isNull(j)) add(g[i], v, j, set_ ? h[static_cast<size_t>(j)] : 0);
    }
  }

  std::vector<ColumnPtr> partial(int64_t n) const override { return {result(n)}; }

  ColumnPtr result(int64_t n) const override {
    std::vector<int32_t> order;
    Buffer offs(static_cast<size_t>(n + 1) * sizeof(int32_t));
    int32_t* o = offs.as<int32_t>();
    o[0] = 0;
    for (int64_t i = 0; i < n; ++i) {
      const auto& idx = groups_[static_cast<size_t>(i)];
      order.insert(order.end(), idx.begin(), idx.end());
      if (order.size() > static_cast<size_t>(INT32_MAX))
        throw UserError("collect_list/collect_set: more than 2^31 values in one task's output");
      o[i + 1] = static_cast<int32_t>(order.size());
    }
    auto out = std::make_shared<Column>(type_);
    out->adoptNested(std::move(offs),
                     {takeColumn(*elems_, order.data(), static_cast<int64_t>(order.size()))}, n);
    return out;
  }

  int64_t extraBytes() const override {
    return elems_->memoryBytes() + static_cast<int64_t>(elems_->size()) * 4 +
           (set_ ? static_cast<int64_t>(seen_.size()) * 32 : 0);
  }

 private:
  void add(int32_t group, const Column& v, int64_t row, uint64_t hash) {
    if (set_) {
      uint64_t key = hashCombine(mix64(static_cast<uint64_t>(group)), hash);
      auto [lo, hi] = seen_.equal_range(key);
      for (auto it = lo; it != hi; ++it)
        if (elemGroup_[static_cast<size_t>(it->second)] == group &&
            rowsEqual(*elems_, it->second, v, row))
          return;
      seen_.emplace(key, static_cast<int32_t>(elems_->size()));
      elemGroup_.push_back(group);
    }
    if (elems_->size() >= INT32_MAX)
      throw UserError("collect_list/collect_set: more than 2^31 values in one task");
    groups_[static_cast<size_t>(group)].push_back(static_cast<int32_t>(elems_->size()));
    elems_->appendFrom(v, row);
  }

  DataType type_;
  ColumnPtr elems_;
  bool set_;
  std::vector<std::vector<int32_t>> groups_;
  std::unordered_multimap<uint64_t, int32_t> seen_;  // collect_set: (group, hash) -> element
  std::vector<int32_t> elemGroup_;                   // collect_set: group of each element
};

}  // namespace

std::unique_ptr<AggregateState> newCollectState(const DataType& elem, bool set) {
  return std::make_unique<CollectState>(elem, set);
}

}  // namespace ember::sql
