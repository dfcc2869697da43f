#include "ember/sql/exec_generate.h"

#include <algorithm>

#include "ember/columnar/column_ops.h"
#include "ember/sql/generators.h"

namespace ember::sql {

GenerateExec::GenerateExec(PhysicalPtr child, ExprPtr generator, std::vector<Attribute> generated,
                           int batchRows)
    : generator_(std::move(generator)),
      generated_(std::move(generated)),
      batchRows_(std::max(batchRows, 1)) {
  output = child->output;
  output.insert(output.end(), generated_.begin(), generated_.end());
  arg_ = PhysicalExpr::compile(generator_->args.at(0), child->output);
  children = {std::move(child)};
}

std::string GenerateExec::describe() const {
  std::string cols;
  for (const auto& a : generated_)
    cols += (cols.empty() ? "" : ", ") + a.name + "#" + std::to_string(a.id);
  return "Generate " + generator_->toString() + ", [" + cols + "]";
}

namespace {
class GenerateStream : public BatchStream {
 public:
  GenerateStream(StreamPtr in, const PhysicalExpr& arg, std::string name, int batchRows)
      : in_(std::move(in)), arg_(arg), name_(std::move(name)), batchRows_(batchRows) {}

  BatchPtr next() override {
    while (true) {
      if (pending_ && at_ < pending_->numRows) {
        // An input batch that exploded into many rows goes out in pieces.
        int64_t n = std::min<int64_t>(batchRows_, pending_->numRows - at_);
        BatchPtr out =
            at_ == 0 && n == pending_->numRows ? pending_ : sliceBatch(*pending_, at_, n);
        at_ += n;
        return out;
      }
      BatchPtr b = in_->next();
      if (!b) return nullptr;
      if (b->numRows == 0) continue;
      ColumnPtr arg = arg_.eval(*b);
      GeneratedRows g = runGenerator(name_, *arg);
      auto rows = static_cast<int64_t>(g.inputRow.size());
      if (rows == 0) continue;
      pending_ = takeBatch(*b, g.inputRow.data(), rows);
      for (auto& c : g.columns) pending_->columns.push_back(std::move(c));
      at_ = 0;
    }
  }

 private:
  StreamPtr in_;
  const PhysicalExpr& arg_;
  std::string name_;
  int batchRows_;
  BatchPtr pending_;
  int64_t at_ = 0;
};
}  // namespace

StreamPtr GenerateExec::execute(int partition, TaskContext& ctx) const {
  return instrument(std::make_unique<GenerateStream>(children[0]->execute(partition, ctx), *arg_,
                                                     generator_->name, batchRows_),
                    *this);
}

}  // namespace ember::sql
