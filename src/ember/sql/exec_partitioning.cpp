#include "ember/sql/exec_partitioning.h"

#include <algorithm>

namespace ember::sql {

CoalesceExec::CoalesceExec(PhysicalPtr child, int numPartitions) {
  output = child->output;
  partitions_ = std::max(1, std::min(numPartitions, child->numPartitions()));
  children = {std::move(child)};
}

std::string CoalesceExec::describe() const { return "Coalesce " + std::to_string(partitions_); }

namespace {
class ConcatStream : public BatchStream {
 public:
  ConcatStream(const PhysicalNode& child, int from, int to, TaskContext& ctx)
      : child_(child), next_(from), to_(to), ctx_(ctx) {}
  BatchPtr next() override {
    while (true) {
      if (!current_) {
        if (next_ >= to_) return nullptr;
        current_ = child_.execute(next_++, ctx_);
      }
      if (BatchPtr b = current_->next()) return b;
      current_.reset();
    }
  }

 private:
  const PhysicalNode& child_;
  int next_, to_;
  TaskContext& ctx_;
  StreamPtr current_;
};
}  // namespace

StreamPtr CoalesceExec::execute(int partition, TaskContext& ctx) const {
  int64_t m = children[0]->numPartitions();
  int from = static_cast<int>(partition * m / partitions_);
  int to = static_cast<int>((partition + 1) * m / partitions_);
  return instrument(std::make_unique<ConcatStream>(*children[0], from, to, ctx), *this);
}

}  // namespace ember::sql
