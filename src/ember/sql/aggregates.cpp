#include "ember/sql/aggregates.h"

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <unordered_set>

#include "ember/columnar/column_ops.h"
#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/sql/aggregate_sketches.h"

namespace ember::sql {

namespace {

// Fixed-width value access independent of storage width (decimals).
int128_t readWide(const Column& c, int64_t i) {
  return c.type().isWideDecimal() ? c.valueAt<int128_t>(i) : c.valueAt<int64_t>(i);
}
void writeWide(Column& c, int64_t i, int128_t v) {
  if (c.type().isWideDecimal())
    c.mutableValues<int128_t>()[i] = v;
  else
    c.mutableValues<int64_t>()[i] = static_cast<int64_t>(v);
}

ColumnPtr withValidity(ColumnPtr c, const std::vector<uint8_t>& has, int64_t n) {
  for (int64_t g = 0; g < n; ++g)
    if (!has[g]) c->setNull(g);
  return c;
}

// ---- sum ----
// In: physical input type; Acc: accumulator (int64 checked, int128 decimals, double).
template <class In, class Acc>
class SumState : public AggregateState {
 public:
  SumState(DataType stateType, DataType resultType)
      : stateType_(std::move(stateType)), resultType_(std::move(resultType)) {}
  void resize(int64_t n) override {
    sum_.resize(n, Acc{});
    has_.resize(n, 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    const Column& c = *args[0];
    bool nulls = c.mayHaveNulls();
    for (int64_t i = 0; i < rows; ++i) {
      if (nulls && c.isNull(i)) continue;
      add(g[i], static_cast<Acc>(value(c, i)));
    }
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& states, int64_t rows) override {
    const Column& c = *states[0];
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      if constexpr (std::is_same_v<Acc, int128_t>)
        add(g[i], readWide(c, i));
      else
        add(g[i], c.valueAt<Acc>(i));
    }
  }
  std::vector<ColumnPtr> partial(int64_t n) const override { return {emit(stateType_, n)}; }
  ColumnPtr result(int64_t n) const override { return emit(resultType_, n); }

 private:
  static In value(const Column& c, int64_t i) {
    if constexpr (std::is_same_v<In, int128_t>)
      return readWide(c, i);
    else
      return c.valueAt<In>(i);
  }
  void add(int32_t g, Acc v) {
    if constexpr (std::is_same_v<Acc, int64_t>) {
      if (__builtin_add_overflow(sum_[g], v, &sum_[g]))
        throw UserError(
            "integer overflow in sum(): the total exceeds the bigint range; cast the "
            "argument to decimal(38,0) or double");
    } else {
      sum_[g] += v;
    }
    has_[g] = 1;
  }
  ColumnPtr emit(const DataType& t, int64_t n) const {
    auto c = Column::make(t, n);
    for (int64_t g = 0; g < n; ++g) {
      if constexpr (std::is_same_v<Acc, int128_t>) {
        if (has_[g] && !fitsPrecision(sum_[g], t.precision()))
          throw UserError("decimal overflow in sum(): the total needs more than " +
                          std::to_string(t.precision()) + " digits");
        writeWide(*c, g, sum_[g]);
      } else {
        c->mutableValues<Acc>()[g] = sum_[g];
      }
    }
    return withValidity(c, has_, n);
  }
  DataType stateType_, resultType_;
  std::vector<Acc> sum_;
  std::vector<uint8_t> has_;
};

// ---- count ----
class CountState : public AggregateState {
 public:
  explicit CountState(bool onlyTrue = false) : onlyTrue_(onlyTrue) {}
  void resize(int64_t n) override { count_.resize(n, 0); }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    for (int64_t i = 0; i < rows; ++i) {
      bool ok = true;
      for (const auto& a : args) ok = ok && !a->isNull(i);
      if (ok && onlyTrue_) ok = args[0]->valueAt<uint8_t>(i) != 0;
      count_[g[i]] += ok;
    }
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& states, int64_t rows) override {
    const int64_t* v = states[0]->values<int64_t>();
    for (int64_t i = 0; i < rows; ++i) count_[g[i]] += v[i];
  }
  std::vector<ColumnPtr> partial(int64_t n) const override { return {result(n)}; }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::int64(), n);
    std::copy(count_.begin(), count_.begin() + n, c->mutableValues<int64_t>());
    return c;
  }

 private:
  bool onlyTrue_;
  std::vector<int64_t> count_;
};

// ---- avg: state (sum, count) ----
template <class In, class Acc>
class AvgState : public AggregateState {
 public:
  AvgState(DataType sumType, DataType resultType)
      : sumType_(std::move(sumType)), resultType_(std::move(resultType)) {}
  void resize(int64_t n) override {
    sum_.resize(n, Acc{});
    count_.resize(n, 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    const Column& c = *args[0];
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      if constexpr (std::is_same_v<In, int128_t>)
        sum_[g[i]] += readWide(c, i);
      else
        sum_[g[i]] += static_cast<Acc>(c.valueAt<In>(i));
      ++count_[g[i]];
    }
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    for (int64_t i = 0; i < rows; ++i) {
      if constexpr (std::is_same_v<Acc, int128_t>)
        sum_[g[i]] += readWide(*st[0], i);
      else
        sum_[g[i]] += st[0]->valueAt<Acc>(i);
      count_[g[i]] += st[1]->valueAt<int64_t>(i);
    }
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto s = Column::make(sumType_, n);
    auto c = Column::make(DataType::int64(), n);
    for (int64_t g = 0; g < n; ++g) {
      if constexpr (std::is_same_v<Acc, int128_t>)
        writeWide(*s, g, sum_[g]);
      else
        s->mutableValues<Acc>()[g] = sum_[g];
      c->mutableValues<int64_t>()[g] = count_[g];
    }
    return {s, c};
  }
  ColumnPtr result(int64_t n) const override {
    auto r = Column::make(resultType_, n);
    for (int64_t g = 0; g < n; ++g) {
      if (count_[g] == 0) {
        r->setNull(g);
        continue;
      }
      if constexpr (std::is_same_v<Acc, int128_t>) {
        // sum has the input scale; the result has scale + 4: divide with HALF_UP.
        int extra = resultType_.scale() - sumType_.scale();
        int128_t num = sum_[g] * pow10i128(extra) * 2;
        int128_t q = num / count_[g];
        q = q >= 0 ? (q + 1) / 2 : (q - 1) / 2;
        writeWide(*r, g, q);
      } else {
        r->mutableValues<double>()[g] =
            static_cast<double>(sum_[g]) / static_cast<double>(count_[g]);
      }
    }
    return r;
  }

 private:
  DataType sumType_, resultType_;
  std::vector<Acc> sum_;
  std::vector<int64_t> count_;
};

// ---- min / max over fixed-width values ----
template <class T, bool IsMax>
class MinMaxState : public AggregateState {
 public:
  explicit MinMaxState(DataType t) : type_(std::move(t)) {}
  void resize(int64_t n) override {
    v_.resize(n, T{});
    has_.resize(n, 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    fold(g, *args[0], rows);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    fold(g, *st[0], rows);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override { return {result(n)}; }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(type_, n);
    std::copy(v_.begin(), v_.begin() + n, c->mutableValues<T>());
    return withValidity(c, has_, n);
  }

 private:
  void fold(const int32_t* g, const Column& c, int64_t rows) {
    const T* in = c.values<T>();
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      T x = in[i];
      auto& cur = v_[g[i]];
      if (!has_[g[i]] || (IsMax ? x > cur : x < cur)) {
        cur = x;
        has_[g[i]] = 1;
      }
    }
  }
  DataType type_;
  std::vector<T> v_;
  std::vector<uint8_t> has_;
};

template <bool IsMax>
class StringMinMaxState : public AggregateState {
 public:
  void resize(int64_t n) override {
    v_.resize(n);
    has_.resize(n, 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    fold(g, *args[0], rows);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    fold(g, *st[0], rows);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override { return {result(n)}; }
  ColumnPtr result(int64_t n) const override {
    auto c = std::make_shared<Column>(DataType::string());
    for (int64_t g = 0; g < n; ++g) has_[g] ? c->appendString(v_[g]) : c->appendNull();
    return c;
  }
  int64_t extraBytes() const override { return bytes_; }

 private:
  void fold(const int32_t* g, const Column& c, int64_t rows) {
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      auto x = c.stringAt(i);
      auto& cur = v_[g[i]];
      if (!has_[g[i]] || (IsMax ? x > cur : x < cur)) {
        bytes_ += static_cast<int64_t>(x.size()) - static_cast<int64_t>(cur.size());
        cur.assign(x);
        has_[g[i]] = 1;
      }
    }
  }
  std::vector<std::string> v_;
  std::vector<uint8_t> has_;
  int64_t bytes_ = 0;
};

// ---- variance family: state (n, mean, m2), Chan et al. parallel merge ----
class MomentsState : public AggregateState {
 public:
  enum Kind { VarSamp, VarPop, StddevSamp, StddevPop };
  explicit MomentsState(Kind k) : kind_(k) {}
  void resize(int64_t n) override {
    n_.resize(n, 0);
    mean_.resize(n, 0);
    m2_.resize(n, 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    const Column& c = *args[0];
    const double* x = c.values<double>();
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      int32_t k = g[i];
      n_[k] += 1;
      double d = x[i] - mean_[k];
      mean_[k] += d / n_[k];
      m2_[k] += d * (x[i] - mean_[k]);
    }
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    for (int64_t i = 0; i < rows; ++i) {
      double nb = st[0]->valueAt<double>(i);
      if (nb == 0) continue;
      int32_t k = g[i];
      double na = n_[k], n = na + nb;
      double d = st[1]->valueAt<double>(i) - mean_[k];
      mean_[k] += d * nb / n;
      m2_[k] += st[2]->valueAt<double>(i) + d * d * na * nb / n;
      n_[k] = n;
    }
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    std::vector<ColumnPtr> out;
    for (auto* v : {&n_, &mean_, &m2_}) {
      auto c = Column::make(DataType::float64(), n);
      std::copy(v->begin(), v->begin() + n, c->mutableValues<double>());
      out.push_back(c);
    }
    return out;
  }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::float64(), n);
    for (int64_t g = 0; g < n; ++g) {
      bool samp = kind_ == VarSamp || kind_ == StddevSamp;
      if (n_[g] == 0 || (samp && n_[g] < 2)) {
        c->setNull(g);  // Spark: NULL for an empty group and for a sample of one
        c->mutableValues<double>()[g] = 0;
        continue;
      }
      double var = m2_[g] / (samp ? n_[g] - 1 : n_[g]);
      c->mutableValues<double>()[g] =
          (kind_ == StddevSamp || kind_ == StddevPop) ? std::sqrt(var) : var;
    }
    return c;
  }

 private:
  Kind kind_;
  std::vector<double> n_, mean_, m2_;
};

// ---- first / last: state (value, set) ----
template <bool Last>
class FirstLastState : public AggregateState {
 public:
  explicit FirstLastState(DataType t) : type_(std::move(t)) {}
  void resize(int64_t n) override { idx_.resize(n, -1); }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    // first(x, true) / first(x) IGNORE NULLS: NULL values are skipped (a checked constant).
    bool ignoreNulls =
        args.size() > 1 && rows > 0 && !args[1]->isNull(0) && args[1]->valueAt<uint8_t>(0) != 0;
    fold(g, args[0], nullptr, rows, ignoreNulls);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& st, int64_t rows) override {
    fold(g, st[0], st[1].get(), rows, false);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto set = Column::make(DataType::boolean(), n);
    for (int64_t g = 0; g < n; ++g) set->mutableValues<uint8_t>()[g] = idx_[g] >= 0;
    return {result(n), set};
  }
  ColumnPtr result(int64_t n) const override {
    auto c = std::make_shared<Column>(type_);
    c->reserve(n);
    for (int64_t g = 0; g < n; ++g) {
      if (idx_[g] < 0)
        c->appendNull();
      else
        c->appendFrom(*values_, idx_[g]);
    }
    return c;
  }
  int64_t extraBytes() const override { return values_ ? values_->memoryBytes() : 0; }

 private:
  void fold(const int32_t* g, const ColumnPtr& v, const Column* set, int64_t rows,
            bool ignoreNulls) {
    if (!values_) values_ = std::make_shared<Column>(type_);
    for (int64_t i = 0; i < rows; ++i) {
      if (set && !set->valueAt<uint8_t>(i)) continue;
      if (ignoreNulls && v->isNull(i)) continue;
      int32_t k = g[i];
      if (idx_[k] >= 0 && !Last) continue;
      idx_[k] = static_cast<int32_t>(values_->size());
      values_->appendFrom(*v, i);
    }
  }
  DataType type_;
  std::vector<int32_t> idx_;
  ColumnPtr values_;  // kept values (last: every overwrite appends; fine for one task)
};

// ---- bool_and / bool_or ----
template <bool IsAnd>
class BoolState : public AggregateState {
 public:
  void resize(int64_t n) override {
    v_.resize(n, IsAnd ? 1 : 0);
    has_.resize(n, 0);
  }
  void update(const int32_t* g, const std::vector<ColumnPtr>& a, int64_t rows) override {
    fold(g, *a[0], rows);
  }
  void merge(const int32_t* g, const std::vector<ColumnPtr>& s, int64_t rows) override {
    fold(g, *s[0], rows);
  }
  std::vector<ColumnPtr> partial(int64_t n) const override { return {result(n)}; }
  ColumnPtr result(int64_t n) const override {
    auto c = Column::make(DataType::boolean(), n);
    std::copy(v_.begin(), v_.begin() + n, c->mutableValues<uint8_t>());
    return withValidity(c, has_, n);
  }

 private:
  void fold(const int32_t* g, const Column& c, int64_t rows) {
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      uint8_t x = c.valueAt<uint8_t>(i) != 0;
      v_[g[i]] = IsAnd ? (v_[g[i]] & x) : (v_[g[i]] | x);
      has_[g[i]] = 1;
    }
  }
  std::vector<uint8_t> v_, has_;
};

// ---- DISTINCT wrapper: de-duplicates argument tuples per group, then feeds the inner
// aggregate. One phase only (no merge). ----
class DistinctState : public AggregateState {
 public:
  explicit DistinctState(std::unique_ptr<AggregateState> inner) : inner_(std::move(inner)) {}
  void resize(int64_t n) override { inner_->resize(n); }
  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    std::vector<int32_t> keepRows, keepGroups;
    std::string key;
    for (int64_t i = 0; i < rows; ++i) {
      key.assign(reinterpret_cast<const char*>(&g[i]), sizeof(int32_t));
      bool anyNull = false;
      for (const auto& a : args) {
        if (a->isNull(i)) {
          anyNull = true;
          break;
        }
        appendKey(*a, i, key);
      }
      if (anyNull) continue;  // aggregates over DISTINCT ignore NULLs
      if (seen_.insert(key).second) {
        bytes_ += static_cast<int64_t>(key.size()) + 32;
        keepRows.push_back(static_cast<int32_t>(i));
        keepGroups.push_back(g[i]);
      }
    }
    if (keepRows.empty()) return;
    std::vector<ColumnPtr> taken;
    for (const auto& a : args)
      taken.push_back(takeColumn(*a, keepRows.data(), static_cast<int64_t>(keepRows.size())));
    inner_->update(keepGroups.data(), taken, static_cast<int64_t>(keepRows.size()));
  }
  void merge(const int32_t*, const std::vector<ColumnPtr>&, int64_t) override {
    EMBER_CHECK(false, "DISTINCT aggregates run in one phase and are never merged");
  }
  std::vector<ColumnPtr> partial(int64_t) const override {
    EMBER_CHECK(false, "DISTINCT aggregates run in one phase and have no partial state");
    return {};
  }
  ColumnPtr result(int64_t n) const override { return inner_->result(n); }
  int64_t extraBytes() const override { return bytes_ + inner_->extraBytes(); }

 private:
  static void appendKey(const Column& c, int64_t i, std::string& key) {
    if (c.type().id() == TypeId::String) {
      auto s = c.stringAt(i);
      uint32_t n = static_cast<uint32_t>(s.size());
      key.append(reinterpret_cast<const char*>(&n), 4);
      key.append(s);
    } else {
      int w = c.type().fixedWidth();
      key.append(reinterpret_cast<const char*>(c.valuesBuffer().data()) + i * w,
                 static_cast<size_t>(w));
    }
  }
  std::unique_ptr<AggregateState> inner_;
  std::unordered_set<std::string> seen_;
  int64_t bytes_ = 0;
};

// ---- bound functions ----
using StateFactory = std::function<std::unique_ptr<AggregateState>()>;

class BoundAggregate : public AggregateFunction {
 public:
  BoundAggregate(std::string name, DataType result, std::vector<DataType> args,
                 std::vector<DataType> states, bool nullable, StateFactory f)
      : factory_(std::move(f)) {
    name_ = std::move(name);
    resultType_ = std::move(result);
    argTypes_ = std::move(args);
    stateTypes_ = std::move(states);
    nullable_ = nullable;
  }
  std::unique_ptr<AggregateState> newState() const override { return factory_(); }
  void makeDistinct() {
    auto inner = factory_;
    factory_ = [inner] { return std::make_unique<DistinctState>(inner()); };
    stateTypes_.clear();
  }

 private:
  StateFactory factory_;
};

UserError badArgs(const std::string& name, const std::string& expected,
                  const std::vector<DataType>& args) {
  std::string got;
  for (size_t i = 0; i < args.size(); ++i) got += (i ? ", " : "") + args[i].toString();
  return UserError(name + "() expects " + expected + ", got (" + got + ")");
}

template <bool IsMax>
StateFactory minMaxFactory(const DataType& t) {
  switch (t.id()) {
    case TypeId::String:
      return [] { return std::make_unique<StringMinMaxState<IsMax>>(); };
    case TypeId::Boolean:
      return [t] { return std::make_unique<MinMaxState<uint8_t, IsMax>>(t); };
    case TypeId::Int8:
      return [t] { return std::make_unique<MinMaxState<int8_t, IsMax>>(t); };
    case TypeId::Int16:
      return [t] { return std::make_unique<MinMaxState<int16_t, IsMax>>(t); };
    case TypeId::Int32:
    case TypeId::Date:
      return [t] { return std::make_unique<MinMaxState<int32_t, IsMax>>(t); };
    case TypeId::Int64:
    case TypeId::Timestamp:
      return [t] { return std::make_unique<MinMaxState<int64_t, IsMax>>(t); };
    case TypeId::Float32:
      return [t] { return std::make_unique<MinMaxState<float, IsMax>>(t); };
    case TypeId::Float64:
      return [t] { return std::make_unique<MinMaxState<double, IsMax>>(t); };
    case TypeId::Decimal:
      if (t.isWideDecimal())
        return [t] { return std::make_unique<MinMaxState<int128_t, IsMax>>(t); };
      return [t] { return std::make_unique<MinMaxState<int64_t, IsMax>>(t); };
    default:
      return nullptr;
  }
}

// corr, covar_*, skewness, kurtosis, max_by, min_by, percentile, median
// (aggregate_stats.cpp); null for other names.
std::shared_ptr<BoundAggregate> bindStatistics(const std::string& name,
                                               const std::vector<DataType>& args) {
  auto d = DataType::float64();
  auto numeric = [&](size_t n) {
    bool ok = args.size() == n;
    for (size_t i = 0; ok && i < n; ++i) ok = args[i].isNumeric() || args[i].id() == TypeId::Null;
    return ok;
  };
  static const std::map<std::string, StatKind> pairs = {{"corr", StatKind::Corr},
                                                        {"covar_pop", StatKind::CovarPop},
                                                        {"covar_samp", StatKind::CovarSamp}};
  if (auto it = pairs.find(name); it != pairs.end()) {
    if (!numeric(2)) throw badArgs(name, "two numeric arguments", args);
    StatKind k = it->second;
    return std::make_shared<BoundAggregate>(name, d, std::vector{d, d}, std::vector<DataType>(6, d),
                                            true, [k] { return newStatState(k); });
  }
  if (name == "skewness" || name == "kurtosis") {
    if (!numeric(1)) throw badArgs(name, "one numeric argument", args);
    StatKind k = name == "skewness" ? StatKind::Skewness : StatKind::Kurtosis;
    return std::make_shared<BoundAggregate>(name, d, std::vector{d}, std::vector<DataType>(5, d),
                                            true, [k] { return newStatState(k); });
  }
  if (name == "max_by" || name == "min_by") {
    if (args.size() != 2 || args[1].id() == TypeId::Boolean || args[1].id() == TypeId::List ||
        args[1].id() == TypeId::Struct || args[1].id() == TypeId::Map)
      throw badArgs(name, "a value and an ordering key of an orderable type", args);
    DataType v = args[0], o = args[1];
    bool max = name == "max_by";
    return std::make_shared<BoundAggregate>(name, v, std::vector{v, o}, std::vector{v, o}, true,
                                            [v, o, max] { return newByState(v, o, max); });
  }
  if (name == "string_agg" || name == "listagg") {
    if (args.empty() || args.size() > 2 ||
        (args.size() == 2 && args[1].id() != TypeId::String && args[1].id() != TypeId::Null))
      throw badArgs(name, "a value and an optional delimiter (a string)", args);
    auto s = DataType::string();
    std::vector<DataType> types(args.size(), s);
    return std::make_shared<BoundAggregate>(name, s, types, std::vector{s, s}, true,
                                            [] { return newStringAggState(); });
  }
  if (name == "median" || name == "percentile") {
    bool median = name == "median";
    if (median ? !numeric(1) : (args.size() != 2 || !numeric(2)))
      throw badArgs(name,
                    median ? "one numeric argument"
                           : "a numeric value and a percentage (a number; arrays of "
                             "percentages are not supported yet)",
                    args);
    std::vector<DataType> types = median ? std::vector{d} : std::vector{d, d};
    double fixed = median ? 0.5 : -1;
    return std::make_shared<BoundAggregate>(name, d, types, std::vector{DataType::string()}, true,
                                            [fixed] { return newExactPercentileState(fixed); });
  }
  return nullptr;
}

std::shared_ptr<BoundAggregate> bindPlain(const std::string& name,
                                          const std::vector<DataType>& args) {
  auto one = [&](const char* expected) {
    if (args.size() != 1) throw badArgs(name, expected, args);
    return args[0];
  };
  if (name == "approx_count_distinct") {
    if (args.empty() || args.size() > 2 || (args.size() == 2 && !args[1].isNumeric()))
      throw badArgs(name, "a value and an optional relativeSD (a number)", args);
    std::vector<DataType> types = {args[0]};
    if (args.size() == 2) types.push_back(DataType::float64());
    return std::make_shared<BoundAggregate>(name, DataType::int64(), types,
                                            std::vector{DataType::string()}, false,
                                            [] { return newHyperLogLogState(); });
  }
  if (name == "percentile_approx" || name == "approx_percentile") {
    bool multiple = args.size() >= 2 && args[1].id() == TypeId::List;
    bool pctOk = args.size() >= 2 && (multiple ? args[1].elementType().isNumeric() ||
                                                     args[1].elementType().id() == TypeId::Null
                                               : args[1].isNumeric());
    if (args.size() < 2 || args.size() > 3 || !percentileSupports(args[0]) || !pctOk ||
        (args.size() == 3 && !args[2].isInteger()))
      throw badArgs(name,
                    "a numeric, date or timestamp value, a percentage (a number, or an array "
                    "of numbers) and an optional accuracy (an integer)",
                    args);
    auto d = DataType::float64();
    std::vector<DataType> types(args.size(), DataType::int64());  // accuracy, if given
    types[0] = args[0];
    types[1] = multiple ? DataType::array(d) : d;
    DataType t = args[0];
    return std::make_shared<BoundAggregate>(
        name, multiple ? DataType::array(t) : t, types, std::vector{DataType::string()}, true,
        [t, multiple] { return newQuantileState(t, multiple); });
  }
  if (auto stat = bindStatistics(name, args)) return stat;
  if (name == "collect_list" || name == "collect_set" || name == "array_agg") {
    DataType t = one("one argument");
    DataType res = DataType::array(t);
    bool set = name == "collect_set";
    return std::make_shared<BoundAggregate>(name, res, std::vector{t}, std::vector{res}, false,
                                            [t, set] { return newCollectState(t, set); });
  }
  if (name == "count") {
    return std::make_shared<BoundAggregate>(name, DataType::int64(), args,
                                            std::vector{DataType::int64()}, false,
                                            [] { return std::make_unique<CountState>(); });
  }
  if (name == "count_if") {
    DataType t = one("one boolean argument");
    if (t.id() != TypeId::Boolean && t.id() != TypeId::Null)
      throw badArgs(name, "one boolean argument", args);
    return std::make_shared<BoundAggregate>(
        name, DataType::int64(), std::vector{DataType::boolean()}, std::vector{DataType::int64()},
        false, [] { return std::make_unique<CountState>(true); });
  }
  if (name == "sum") {
    DataType t = one("one numeric argument");
    if (t.isInteger() || t.id() == TypeId::Null)
      return std::make_shared<BoundAggregate>(name, DataType::int64(),
                                              std::vector{DataType::int64()},
                                              std::vector{DataType::int64()}, true, [] {
                                                return std::make_unique<SumState<int64_t, int64_t>>(
                                                    DataType::int64(), DataType::int64());
                                              });
    if (t.isFloating())
      return std::make_shared<BoundAggregate>(name, DataType::float64(),
                                              std::vector{DataType::float64()},
                                              std::vector{DataType::float64()}, true, [] {
                                                return std::make_unique<SumState<double, double>>(
                                                    DataType::float64(), DataType::float64());
                                              });
    if (t.isDecimal()) {
      DataType res = DataType::decimal(std::min(38, t.precision() + 10), t.scale());
      DataType st = DataType::decimal(38, t.scale());
      return std::make_shared<BoundAggregate>(
          name, res, std::vector{t}, std::vector{st}, true,
          [st, res] { return std::make_unique<SumState<int128_t, int128_t>>(st, res); });
    }
    throw badArgs(name, "one numeric argument", args);
  }
  if (name == "avg" || name == "mean") {
    DataType t = one("one numeric argument");
    if (t.isDecimal()) {
      DataType res =
          DataType::decimal(std::min(38, t.precision() + 4), std::min(38, t.scale() + 4));
      DataType st = DataType::decimal(38, t.scale());
      return std::make_shared<BoundAggregate>(
          name, res, std::vector{t}, std::vector{st, DataType::int64()}, true,
          [st, res] { return std::make_unique<AvgState<int128_t, int128_t>>(st, res); });
    }
    if (t.isNumeric() || t.id() == TypeId::Null)
      return std::make_shared<BoundAggregate>(
          name, DataType::float64(), std::vector{DataType::float64()},
          std::vector{DataType::float64(), DataType::int64()}, true, [] {
            return std::make_unique<AvgState<double, double>>(DataType::float64(),
                                                              DataType::float64());
          });
    throw badArgs(name, "one numeric argument", args);
  }
  if (name == "min" || name == "max") {
    DataType t = one("one argument of an orderable type");
    auto f = name == "min" ? minMaxFactory<false>(t) : minMaxFactory<true>(t);
    if (!f) throw badArgs(name, "one argument of an orderable type", args);
    return std::make_shared<BoundAggregate>(name, t, std::vector{t}, std::vector{t}, true, f);
  }
  static const std::map<std::string, MomentsState::Kind> moments = {
      {"stddev", MomentsState::StddevSamp}, {"stddev_samp", MomentsState::StddevSamp},
      {"std", MomentsState::StddevSamp},    {"stddev_pop", MomentsState::StddevPop},
      {"variance", MomentsState::VarSamp},  {"var_samp", MomentsState::VarSamp},
      {"var_pop", MomentsState::VarPop}};
  if (auto it = moments.find(name); it != moments.end()) {
    DataType t = one("one numeric argument");
    if (!t.isNumeric() && t.id() != TypeId::Null) throw badArgs(name, "one numeric argument", args);
    auto kind = it->second;
    auto d = DataType::float64();
    return std::make_shared<BoundAggregate>(
        name, d, std::vector{d}, std::vector{d, d, d}, true,
        [kind] { return std::make_unique<MomentsState>(kind); });
  }
  if (name == "first" || name == "first_value" || name == "last" || name == "last_value" ||
      name == "any_value") {
    if (args.empty() || args.size() > 2) throw badArgs(name, "(value[, ignoreNulls])", args);
    DataType t = args[0];
    bool last = name == "last" || name == "last_value";
    StateFactory f = last
                         ? StateFactory([t] { return std::make_unique<FirstLastState<true>>(t); })
                         : StateFactory([t] { return std::make_unique<FirstLastState<false>>(t); });
    return std::make_shared<BoundAggregate>(name, t, std::vector{t},
                                            std::vector{t, DataType::boolean()}, true, f);
  }
  if (name == "bool_and" || name == "every" || name == "bool_or" || name == "any" ||
      name == "some") {
    DataType t = one("one boolean argument");
    if (t.id() != TypeId::Boolean && t.id() != TypeId::Null)
      throw badArgs(name, "one boolean argument", args);
    bool isAnd = name == "bool_and" || name == "every";
    auto b = DataType::boolean();
    StateFactory f = isAnd ? StateFactory([] { return std::make_unique<BoolState<true>>(); })
                           : StateFactory([] { return std::make_unique<BoolState<false>>(); });
    return std::make_shared<BoundAggregate>(name, b, std::vector{b}, std::vector{b}, true, f);
  }
  return nullptr;
}

const std::set<std::string>& aggregateNames() {
  static const std::set<std::string> names = {"count",
                                              "count_if",
                                              "sum",
                                              "avg",
                                              "mean",
                                              "min",
                                              "max",
                                              "stddev",
                                              "stddev_samp",
                                              "std",
                                              "stddev_pop",
                                              "variance",
                                              "var_samp",
                                              "var_pop",
                                              "first",
                                              "first_value",
                                              "last",
                                              "last_value",
                                              "any_value",
                                              "bool_and",
                                              "every",
                                              "bool_or",
                                              "any",
                                              "some",
                                              "collect_list",
                                              "collect_set",
                                              "array_agg",
                                              "approx_count_distinct",
                                              "percentile_approx",
                                              "approx_percentile",
                                              "percentile",
                                              "median",
                                              "corr",
                                              "covar_pop",
                                              "covar_samp",
                                              "skewness",
                                              "kurtosis",
                                              "max_by",
                                              "min_by",
                                              "string_agg",
                                              "listagg"};
  return names;
}

}  // namespace

bool isAggregateFunctionName(const std::string& name) { return aggregateNames().count(name) > 0; }

std::vector<std::string> aggregateFunctionNames() {
  return {aggregateNames().begin(), aggregateNames().end()};
}

AggregateFunctionPtr bindAggregate(const std::string& name, const std::vector<DataType>& args,
                                   bool distinct) {
  auto f = bindPlain(name, args);
  if (!f) {
    if (isAggregateFunctionName(name))
      throw UserError(
          "aggregate function " + name +
          "() is not supported by Ember yet; supported: count, count_if, sum, avg, min, "
          "max, stddev, variance, first, last, bool_and, bool_or, collect_list, collect_set, "
          "approx_count_distinct, "
          "percentile_approx, percentile, median, corr, covar_pop, covar_samp, skewness, "
          "kurtosis, max_by, min_by, string_agg");
    throw UserError("unknown aggregate function " + name + "()");
  }
  if (distinct) {
    if (name == "min" || name == "max" || name == "first" || name == "last")
      return f;  // same result
    f->makeDistinct();
  }
  return f;
}

}  // namespace ember::sql
