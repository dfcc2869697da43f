#include "ember/rdd/sources.h"

#include <limits>

namespace ember {

RangeRDD::RangeRDD(Context* ctx, RDDBase::Info info, int64_t start, int64_t end, int64_t step)
    : RDDImpl<int64_t>(ctx, std::move(info)), start_(start), end_(end), step_(step) {
  if (step == 0) throw UserError("range: step must not be 0");
  if ((step > 0 && end <= start) || (step < 0 && end >= start)) {
    count_ = 0;
  } else {
    // Number of values start, start+step, ... strictly before end (in unsigned
    // arithmetic: the span of two int64 values always fits in uint64).
    uint64_t span = step > 0 ? static_cast<uint64_t>(end) - static_cast<uint64_t>(start)
                             : static_cast<uint64_t>(start) - static_cast<uint64_t>(end);
    uint64_t st = step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
    uint64_t count = span / st + (span % st != 0);
    if (count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      throw UserError("range(" + std::to_string(start) + ", " + std::to_string(end) + ", " +
                      std::to_string(step) + ") has more than 2^63-1 elements; use a larger step "
                      "or split it into several ranges");
    count_ = static_cast<int64_t>(count);
  }
}

namespace {
class RangeIterator : public Iterator<int64_t> {
 public:
  RangeIterator(int64_t first, int64_t step, int64_t n) : next_(first), step_(step), left_(n) {}
  bool next(int64_t& out) override {
    if (left_ == 0) return false;
    out = next_;
    // Modular: the step after the last value may leave int64 (which must not be UB).
    next_ = static_cast<int64_t>(static_cast<uint64_t>(next_) + static_cast<uint64_t>(step_));
    --left_;
    return true;
  }

 private:
  int64_t next_, step_, left_;
};

class LineIterator : public Iterator<std::string> {
 public:
  LineIterator(const TextSplit& split, TaskContext& ctx) : reader_(split), ctx_(ctx) {}
  ~LineIterator() override { ctx_.metrics().bytesRead += static_cast<int64_t>(reader_.bytesRead()); }
  bool next(std::string& out) override {
    std::string_view line;
    if (!reader_.next(line)) return false;
    out.assign(line.data(), line.size());
    ++ctx_.metrics().recordsRead;
    return true;
  }

 private:
  LineReader reader_;
  TaskContext& ctx_;
};
}  // namespace

IterPtr<int64_t> RangeRDD::compute(int p, TaskContext& ctx) const {
  int64_t n = numPartitions();
  // floor(count * i / n) without the product overflowing: count = q * n + r.
  auto bound = [&](int64_t i) { return count_ / n * i + count_ % n * i / n; };
  int64_t lo = bound(p), hi = bound(p + 1);
  ctx.metrics().recordsRead += hi - lo;
  // start + lo * step is a value of the range, but lo * step alone may not fit in int64.
  auto first = static_cast<int64_t>(static_cast<uint64_t>(start_) +
                                    static_cast<uint64_t>(lo) * static_cast<uint64_t>(step_));
  return std::make_unique<RangeIterator>(first, step_, hi - lo);
}

void RangeRDD::serializePayload(ByteWriter& w, GraphWriter&) const {
  w.writeRaw(start_);
  w.writeRaw(end_);
  w.writeRaw(step_);
}

std::shared_ptr<RDDBase> RangeRDD::deserialize(ByteReader& r, GraphReader& g) {
  auto start = r.readRaw<int64_t>();
  auto end = r.readRaw<int64_t>();
  auto step = r.readRaw<int64_t>();
  return std::make_shared<RangeRDD>(nullptr, g.currentInfo(), start, end, step);
}

TextFileRDD::TextFileRDD(Context* ctx, RDDBase::Info info, std::vector<TextSplit> splits)
    : RDDImpl<std::string>(ctx, std::move(info)), splits_(std::move(splits)) {}

IterPtr<std::string> TextFileRDD::compute(int p, TaskContext& ctx) const {
  return std::make_unique<LineIterator>(splits_[static_cast<size_t>(p)], ctx);
}

void TextFileRDD::serializePayload(ByteWriter& w, GraphWriter&) const {
  w.writeVarint(splits_.size());
  for (const auto& s : splits_) s.serialize(w);
}

std::shared_ptr<RDDBase> TextFileRDD::deserialize(ByteReader& r, GraphReader& g) {
  std::vector<TextSplit> splits(r.readVarint());
  for (auto& s : splits) s = TextSplit::deserialize(r);
  return std::make_shared<TextFileRDD>(nullptr, g.currentInfo(), std::move(splits));
}

}  // namespace ember
