// approx_count_distinct: HyperLogLog (Flajolet et al. 2007) with the small-range
// correction, as Spark's approx_count_distinct(col [, relativeSD]). Each group keeps
// m = 2^p one-byte registers (p from relativeSD: 1.04 / sqrt(m) <= rsd, so the default
// 0.05 gives p = 9, 512 bytes per group); partial states are the registers as bytes, and
// merging takes the register-wise maximum, so the two-phase aggregation is exact with
// respect to a single-pass sketch. Values are hashed by their bytes (XXH3), NULLs skipped.
#include "ember/sql/aggregate_sketches.h"

#include <bit>
#include <cmath>

#include "ember/common/errors.h"
#include "ember/common/hash.h"

namespace ember::sql {

int hyperLogLogPrecision(double rsd) {
  if (!(rsd > 0) || rsd >= 1)
    throw UserError("approx_count_distinct: relativeSD must be in (0, 1), got " +
                    std::to_string(rsd));
  int p = static_cast<int>(std::ceil(2.0 * std::log2(1.106 / rsd)));
  if (p < 4) p = 4;
  if (p > 16)
    throw UserError("approx_count_distinct: relativeSD " + std::to_string(rsd) +
                    " is too small (at most 2^16 registers: use 0.0043 or more)");
  return p;
}

namespace {

uint64_t hashValue(const Column& c, int64_t i) {
  if (c.type().id() == TypeId::String) {
    auto s = c.stringAt(i);
    return hashBytes(s.data(), s.size());
  }
  int w = c.type().fixedWidth();
  return hashBytes(c.valuesBuffer().data() + i * w, static_cast<size_t>(w));
}

class HyperLogLogState : public AggregateState {
 public:
  void resize(int64_t n) override { regs_.resize(static_cast<size_t>(n)); }

  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    if (rows == 0) return;
    if (p_ == 0) {
      double rsd = 0.05;
      if (args.size() > 1 && !args[1]->isNull(0)) rsd = args[1]->valueAt<double>(0);
      p_ = hyperLogLogPrecision(rsd);
    }
    const Column& c = *args[0];
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      uint64_t h = hashValue(c, i);
      auto& r = registersOf(g[i]);
      size_t idx = static_cast<size_t>(h >> (64 - p_));
      uint64_t rest = (h << p_) | (uint64_t{1} << (p_ - 1));  // bounds the rank
      uint8_t rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
      if (rank > r[idx]) r[idx] = rank;
    }
  }

  void merge(const int32_t* g, const std::vector<ColumnPtr>& states, int64_t rows) override {
    const Column& c = *states[0];
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      auto s = c.stringAt(i);
      if (s.empty()) continue;
      if (p_ == 0) p_ = std::countr_zero(s.size());
      EMBER_CHECK(s.size() == (size_t{1} << p_), "approx_count_distinct states of different sizes");
      auto& r = registersOf(g[i]);
      for (size_t j = 0; j < s.size(); ++j) r[j] = std::max(r[j], static_cast<uint8_t>(s[j]));
    }
  }

  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto c = std::make_shared<Column>(DataType::string());
    for (int64_t i = 0; i < n; ++i) {
      const auto& r = regs_[static_cast<size_t>(i)];
      c->appendString(std::string_view(reinterpret_cast<const char*>(r.data()), r.size()));
    }
    return {c};
  }

  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::int64(), n);
    int64_t* out = c->mutableValues<int64_t>();
    for (int64_t i = 0; i < n; ++i) out[i] = estimate(regs_[static_cast<size_t>(i)]);
    return c;
  }

  int64_t extraBytes() const override { return bytes_; }

 private:
  std::vector<uint8_t>& registersOf(int32_t group) {
    auto& r = regs_[static_cast<size_t>(group)];
    if (r.empty()) {
      r.assign(size_t{1} << p_, 0);
      bytes_ += static_cast<int64_t>(r.size());
    }
    return r;
  }

  static int64_t estimate(const std::vector<uint8_t>& r) {
    if (r.empty()) return 0;
    double m = static_cast<double>(r.size());
    double sum = 0;
    int zeros = 0;
    for (uint8_t v : r) {
      sum += std::ldexp(1.0, -v);
      zeros += v == 0;
    }
    double alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / zeros);  // linear counting
    return static_cast<int64_t>(std::llround(e));
  }

  int p_ = 0;  // precision: set by the first update or merged state
  std::vector<std::vector<uint8_t>> regs_;
  int64_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<AggregateState> newHyperLogLogState() {
  return std::make_unique<HyperLogLogState>();
}

}  // namespace ember::sql
