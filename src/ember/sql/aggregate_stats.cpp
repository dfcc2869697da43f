// Statistical aggregates as Spark defines them: corr, covar_pop, covar_samp (co-moments),
// skewness, kurtosis (central moments up to the 4th), max_by/min_by, string_agg, and the exact
// percentile/median (all values of a group kept; Spark does the same). Moments merge with
// the pairwise formulas of Chan et al. and Pebay, so partial states from different tasks
// combine exactly as a single pass would. Divisions by zero give NULL (Spark 3's default).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ember/columnar/value.h"
#include "ember/common/errors.h"
#include "ember/common/serde.h"
#include "ember/sql/aggregate_sketches.h"

namespace ember::sql {

namespace {

// States kept as parallel arrays of doubles, one per group; the partial state is those
// arrays as double columns.
class DoubleArraysState : public AggregateState {
 public:
  void resize(int64_t n) override {
    for (auto* v : arrays_) v->resize(static_cast<size_t>(n), 0);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    std::vector<ColumnPtr> out;
    for (const auto* v : arrays_) {
      auto c = Column::make(DataType::float64(), n);
      std::copy(v->begin(), v->begin() + n, c->mutableValues<double>());
      out.push_back(c);
    }
    return out;
  }

 protected:
  explicit DoubleArraysState(std::vector<std::vector<double>*> arrays)
      : arrays_(std::move(arrays)) {}
  DoubleArraysState(const DoubleArraysState&) = delete;
  DoubleArraysState& operator=(const DoubleArraysState&) = delete;

 private:
  std::vector<std::vector<double>*> arrays_;  // members of the derived class
};

// ---- corr / covar_pop / covar_samp ----
class CoMomentsState : public DoubleArraysState {
 public:
  explicit CoMomentsState(StatKind k)
      : DoubleArraysState({&n_, &mx_, &my_, &c2_, &m2x_, &m2y_}), kind_(k) {}
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    const Column &cx = *args[0], &cy = *args[1];
    const double *x = cx.values<double>(), *y = cy.values<double>();
    for (int64_t i = 0; i < rows; ++i) {
      if (cx.isNull(i) || cy.isNull(i)) continue;  // pairs with a NULL are skipped
      size_t k = static_cast<size_t>(g[i]);
      double n = ++n_[k];
      double dx = x[i] - mx_[k], dy = y[i] - my_[k];
      mx_[k] += dx / n;
      my_[k] += dy / n;
      c2_[k] += dx * (y[i] - my_[k]);
      m2x_[k] += dx * (x[i] - mx_[k]);
      m2y_[k] += dy * (y[i] - my_[k]);
    }
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    for (int64_t i = 0; i < rows; ++i) {
      double nb = st[0]->valueAt<double>(i);
      if (nb == 0) continue;
      size_t k = static_cast<size_t>(g[i]);
      double na = n_[k], n = na + nb;
      double dx = st[1]->valueAt<double>(i) - mx_[k], dy = st[2]->valueAt<double>(i) - my_[k];
      double f = na * nb / n;
      c2_[k] += st[3]->valueAt<double>(i) + dx * dy * f;
      m2x_[k] += st[4]->valueAt<double>(i) + dx * dx * f;
      m2y_[k] += st[5]->valueAt<double>(i) + dy * dy * f;
      mx_[k] += dx * nb / n;
      my_[k] += dy * nb / n;
      n_[k] = n;
    }
  }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::float64(), n);
    double* out = c->mutableValues<double>();
    for (int64_t g = 0; g < n; ++g) {
      size_t k = static_cast<size_t>(g);
      double cnt = n_[k], r = 0;
      bool null = cnt == 0;
      if (kind_ == StatKind::CovarPop) {
        r = null ? 0 : c2_[k] / cnt;
      } else if (kind_ == StatKind::CovarSamp) {
        null = cnt < 2;
        r = null ? 0 : c2_[k] / (cnt - 1);
      } else {  // corr
        double den = std::sqrt(m2x_[k] * m2y_[k]);
        null = null || den == 0;
        r = null ? 0 : c2_[k] / den;
      }
      out[g] = r;
      if (null) c->setNull(g);
    }
    return c;
  }

 private:
  StatKind kind_;
  std::vector<double> n_, mx_, my_, c2_, m2x_, m2y_;
};

// ---- skewness / kurtosis ----
class HigherMomentsState : public DoubleArraysState {
 public:
  explicit HigherMomentsState(StatKind k)
      : DoubleArraysState({&n_, &mean_, &m2_, &m3_, &m4_}), kind_(k) {}
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    const Column& c = *args[0];
    const double* x = c.values<double>();
    for (int64_t i = 0; i < rows; ++i)
      if (!c.isNull(i)) add(static_cast<size_t>(g[i]), 1, x[i], 0, 0, 0);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    for (int64_t i = 0; i < rows; ++i) {
      double nb = st[0]->valueAt<double>(i);
      if (nb != 0)
        add(static_cast<size_t>(g[i]), nb, st[1]->valueAt<double>(i), st[2]->valueAt<double>(i),
            st[3]->valueAt<double>(i), st[4]->valueAt<double>(i));
    }
  }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::float64(), n);
    double* out = c->mutableValues<double>();
    for (int64_t g = 0; g < n; ++g) {
      size_t k = static_cast<size_t>(g);
      double cnt = n_[k], m2 = m2_[k];
      if (cnt == 0 || m2 == 0) {
        out[g] = 0;
        c->setNull(g);
        continue;
      }
      out[g] = kind_ == StatKind::Skewness ? std::sqrt(cnt) * m3_[k] / std::pow(m2, 1.5)
                                           : cnt * m4_[k] / (m2 * m2) - 3.0;
    }
    return c;
  }

 private:
  // Combines group k with a set of nb values of mean mb and central sums m2b..m4b (Pebay).
  void add(size_t k, double nb, double mb, double m2b, double m3b, double m4b) {
    double na = n_[k], n = na + nb;
    double d = mb - mean_[k], d2 = d * d;
    double m2a = m2_[k], m3a = m3_[k];
    m4_[k] += m4b + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n) +
              6 * d2 * (na * na * m2b + nb * nb * m2a) / (n * n) +
              4 * d * (na * m3b - nb * m3a) / n;
    m3_[k] += m3b + d * d2 * na * nb * (na - nb) / (n * n) + 3 * d * (na * m2b - nb * m2a) / n;
    m2_[k] += m2b + d2 * na * nb / n;
    mean_[k] += d * nb / n;
    n_[k] = n;
  }
  StatKind kind_;
  std::vector<double> n_, mean_, m2_, m3_, m4_;
};

// ---- max_by / min_by: the value at the row with the largest / smallest ordering key ----
int compareScalars(const Value& a, const Value& b) {
  switch (a.type().id()) {
    case TypeId::Float32:
    case TypeId::Float64: {
      double x = a.asDouble(), y = b.asDouble();
      return x < y ? -1 : (y < x ? 1 : 0);
    }
    case TypeId::String:
      return a.asString().compare(b.asString());
    default: {
      int128_t x = a.asInt128(), y = b.asInt128();
      return x < y ? -1 : (y < x ? 1 : 0);
    }
  }
}

class ByState : public AggregateState {
 public:
  ByState(DataType valueType, DataType ordType, bool max)
      : valueType_(std::move(valueType)), ordType_(std::move(ordType)), max_(max) {}
  void resize(int64_t n) override {
    values_.resize(static_cast<size_t>(n), Value::null(valueType_));
    ords_.resize(static_cast<size_t>(n), Value::null(ordType_));
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    fold(g, *args[0], *args[1], rows);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    fold(g, *st[0], *st[1], rows);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto v = std::make_shared<Column>(valueType_), o = std::make_shared<Column>(ordType_);
    for (int64_t g = 0; g < n; ++g) {
      values_[static_cast<size_t>(g)].appendTo(*v);
      ords_[static_cast<size_t>(g)].appendTo(*o);
    }
    return {v, o};
  }
  ColumnPtr result(int64_t n) const override { return partial(n)[0]; }

 private:
  void fold(const int32_t* g, const Column& v, const Column& o, int64_t rows) {
    for (int64_t i = 0; i < rows; ++i) {
      if (o.isNull(i)) continue;  // rows without an ordering key never win (Spark)
      size_t k = static_cast<size_t>(g[i]);
      Value ord = Value::fromColumn(o, i);
      if (!ords_[k].isNull()) {
        int c = compareScalars(ord, ords_[k]);
        if (max_ ? c <= 0 : c >= 0) continue;
      }
      ords_[k] = std::move(ord);
      values_[k] = Value::fromColumn(v, i);
    }
  }
  DataType valueType_, ordType_;
  bool max_;
  std::vector<Value> values_, ords_;
};

// ---- percentile / median (exact, interpolated like Spark's percentile) ----
class ExactPercentileState : public AggregateState {
 public:
  explicit ExactPercentileState(double fixed) : percentage_(fixed) {}
  void resize(int64_t n) override { values_.resize(static_cast<size_t>(n)); }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    if (rows == 0) return;
    if (percentage_ < 0) percentage_ = args[1]->valueAt<double>(0);  // a checked constant
    const Column& c = *args[0];
    const double* x = c.values<double>();
    for (int64_t i = 0; i < rows; ++i)
      if (!c.isNull(i) && !std::isnan(x[i])) add(static_cast<size_t>(g[i]), x[i]);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    const Column& c = *st[0];
    for (int64_t i = 0; i < rows; ++i) {
      std::string_view s = c.stringAt(i);
      if (s.size() < sizeof(double)) continue;
      ByteReader r(s);
      percentage_ = r.readRaw<double>();
      size_t k = static_cast<size_t>(g[i]);
      while (!r.atEnd()) add(k, r.readRaw<double>());
    }
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto c = std::make_shared<Column>(DataType::string());
    for (int64_t g = 0; g < n; ++g) {
      const auto& v = values_[static_cast<size_t>(g)];
      if (v.empty()) {
        c->appendString({});
        continue;
      }
      std::string bytes;
      ByteWriter w(&bytes);
      w.writeRaw(percentage_);
      w.writeBytes(v.data(), v.size() * sizeof(double));
      c->appendString(bytes);
    }
    return {c};
  }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::float64(), n);
    double* out = c->mutableValues<double>();
    for (int64_t g = 0; g < n; ++g) {
      auto v = values_[static_cast<size_t>(g)];
      if (v.empty()) {
        out[g] = 0;
        c->setNull(g);
        continue;
      }
      // Position p * (n - 1) between the two nearest ranks, linearly interpolated.
      double pos = percentage_ * static_cast<double>(v.size() - 1);
      auto lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
      std::nth_element(v.begin(), v.begin() + static_cast<long>(lo), v.end());
      double a = v[lo];
      double b = a;
      if (hi != lo) b = *std::min_element(v.begin() + static_cast<long>(lo) + 1, v.end());
      out[g] = a + (pos - static_cast<double>(lo)) * (b - a);
    }
    return c;
  }
  int64_t extraBytes() const override { return bytes_; }

 private:
  void add(size_t k, double x) {
    auto& v = values_[k];
    if (v.size() == v.capacity()) bytes_ += static_cast<int64_t>(v.capacity() * sizeof(double));
    v.push_back(x);
  }
  double percentage_;  // < 0 until the first update or merge
  std::vector<std::vector<double>> values_;
  int64_t bytes_ = 0;
};

// ---- string_agg / listagg(value [, delimiter]): values joined, in no particular order ----
class StringAggState : public AggregateState {
 public:
  void resize(int64_t n) override {
    joined_.resize(static_cast<size_t>(n));
    set_.resize(static_cast<size_t>(n), 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    if (rows > 0 && args.size() > 1 && !args[1]->isNull(0))
      delimiter_ = std::string(args[1]->stringAt(0));  // a checked constant
    fold(g, *args[0], rows);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    for (int64_t i = 0; i < rows && i < 1; ++i)
      if (!st[1]->isNull(i)) delimiter_ = std::string(st[1]->stringAt(i));
    fold(g, *st[0], rows);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto d = std::make_shared<Column>(DataType::string());
    for (int64_t i = 0; i < n; ++i) d->appendString(delimiter_);
    return {result(n), d};
  }
  ColumnPtr result(int64_t n) const override {
    auto c = std::make_shared<Column>(DataType::string());
    for (int64_t i = 0; i < n; ++i) {
      if (set_[static_cast<size_t>(i)])
        c->appendString(joined_[static_cast<size_t>(i)]);
      else
        c->appendNull();
    }
    return c;
  }
  int64_t extraBytes() const override { return bytes_; }

 private:
  void fold(const int32_t* g, const Column& v, int64_t rows) {
    for (int64_t i = 0; i < rows; ++i) {
      if (v.isNull(i)) continue;
      size_t k = static_cast<size_t>(g[i]);
      std::string& s = joined_[k];
      size_t before = s.capacity();
      if (set_[k]) s += delimiter_;
      s += v.stringAt(i);
      set_[k] = 1;
      bytes_ += static_cast<int64_t>(s.capacity() - before);
    }
  }
  std::string delimiter_;
  std::vector<std::string> joined_;
  std::vector<uint8_t> set_;
  int64_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<AggregateState> newStringAggState() { return std::make_unique<StringAggState>(); }

std::unique_ptr<AggregateState> newStatState(StatKind kind) {
  switch (kind) {
    case StatKind::Corr:
    case StatKind::CovarPop:
    case StatKind::CovarSamp:
      return std::make_unique<CoMomentsState>(kind);
    case StatKind::Skewness:
    case StatKind::Kurtosis:
      return std::make_unique<HigherMomentsState>(kind);
  }
  throw InternalError("unknown statistical aggregate");
}

std::unique_ptr<AggregateState> newByState(const DataType& valueType, const DataType& ordType,
                                           bool max) {
  return std::make_unique<ByState>(valueType, ordType, max);
}

std::unique_ptr<AggregateState> newExactPercentileState(double percentage) {
  return std::make_unique<ExactPercentileState>(percentage);
}

}  // namespace ember::sql
