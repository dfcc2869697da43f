// percentile_approx(value, percentage [, accuracy]): Greenwald-Khanna quantile summaries
// per group, as Spark's QuantileSummaries: the returned value is one of the input values
// whose rank is within n / accuracy of percentage * n. Summaries merge across tasks, so
// the aggregate runs in two phases like sum or approx_count_distinct.
//
// Values are kept as int64 (integers, dates, timestamps, narrow decimals: their physical
// values, so the result is an exact input value) or double (float, double). New values
// collect in an unsorted buffer and are folded into the summary kBufferSize at a time.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "ember/common/errors.h"
#include "ember/common/serde.h"
#include "ember/sql/aggregate_sketches.h"

namespace ember::sql {

namespace {

constexpr size_t kBufferSize = 50000;
constexpr int64_t kDefaultAccuracy = 10000;  // Spark's default

// Order with NaN above every number, as Spark sorts doubles.
template <class T>
bool lessThan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

template <class T>
struct Summary {
  struct Sample {
    T value;
    int64_t g;      // rank difference to the previous sample
    int64_t delta;  // uncertainty of the rank
  };
  std::vector<Sample> samples;
  std::vector<T> buffer;
  int64_t count = 0;  // values folded into `samples`
  double eps = 0;

  int64_t bytes() const {
    return static_cast<int64_t>(samples.capacity() * sizeof(Sample) +
                                buffer.capacity() * sizeof(T));
  }

  void add(T v, double relativeError) {
    if (eps == 0) eps = relativeError;
    buffer.push_back(v);
    if (buffer.size() >= kBufferSize) flush();
  }

  // Folds the buffer into the samples (GK insert of sorted values), then compresses.
  void flush() {
    if (buffer.empty()) return;
    std::sort(buffer.begin(), buffer.end(), lessThan<T>);
    std::vector<Sample> out;
    out.reserve(samples.size() + buffer.size());
    size_t s = 0;
    for (size_t i = 0; i < buffer.size(); ++i) {
      T v = buffer[i];
      while (s < samples.size() && !lessThan(v, samples[s].value)) out.push_back(samples[s++]);
      bool edge = out.empty() || (s == samples.size() && i + 1 == buffer.size());
      int64_t delta = edge ? 0 : static_cast<int64_t>(std::floor(2 * eps * count));
      out.push_back(Sample{v, 1, delta});
      ++count;
    }
    out.insert(out.end(), samples.begin() + static_cast<long>(s), samples.end());
    buffer.clear();
    buffer.shrink_to_fit();
    samples = compress(out, 2 * eps * static_cast<double>(count));
  }

  // Merges neighbours whose combined rank range stays under the threshold; keeps the
  // first and last samples (minimum and maximum).
  static std::vector<Sample> compress(const std::vector<Sample>& in, double threshold) {
    if (in.size() <= 2) return in;
    std::vector<Sample> rev;
    Sample head = in.back();
    for (size_t i = in.size() - 2; i >= 1; --i) {
      const Sample& s = in[i];
      if (static_cast<double>(s.g + head.g + head.delta) < threshold) {
        head.g += s.g;
      } else {
        rev.push_back(head);
        head = s;
      }
    }
    rev.push_back(head);
    rev.push_back(in.front());
    std::reverse(rev.begin(), rev.end());
    return rev;
  }

  void merge(Summary&& o) {
    flush();
    o.flush();
    if (o.count == 0) return;
    if (count == 0) {
      *this = std::move(o);
      return;
    }
    std::vector<Sample> all;
    all.reserve(samples.size() + o.samples.size());
    std::merge(samples.begin(), samples.end(), o.samples.begin(), o.samples.end(),
               std::back_inserter(all),
               [](const Sample& a, const Sample& b) { return lessThan(a.value, b.value); });
    eps = std::max(eps, o.eps);
    count += o.count;
    samples = compress(all, 2 * eps * static_cast<double>(count));
  }

  // The value at `q` (0..1); the summary must be flushed and non-empty.
  T query(double q) const {
    if (q <= eps) return samples.front().value;
    if (q >= 1 - eps) return samples.back().value;
    int64_t target = 0;
    for (const auto& s : samples) target = std::max(target, s.g + s.delta);
    target /= 2;
    auto rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count)));
    int64_t minRank = 0;
    for (size_t i = 0; i + 1 < samples.size(); ++i) {
      minRank += samples[i].g;
      int64_t maxRank = minRank + samples[i].delta;
      if (maxRank - target <= rank && rank <= minRank + target) return samples[i].value;
    }
    return samples.back().value;
  }

  void write(ByteWriter& w, double percentage) const {
    w.writeRaw(percentage);
    w.writeRaw(eps);
    w.writeRaw(count);
    w.writeRaw(static_cast<int64_t>(samples.size()));
    for (const auto& s : samples) {
      w.writeRaw(s.value);
      w.writeRaw(s.g);
      w.writeRaw(s.delta);
    }
  }

  static Summary read(ByteReader& r, double* percentage) {
    Summary s;
    *percentage = r.readRaw<double>();
    s.eps = r.readRaw<double>();
    s.count = r.readRaw<int64_t>();
    auto n = r.readRaw<int64_t>();
    if (n < 0 || s.count < 0 || !(s.eps > 0))
      throw InternalError("corrupt percentile_approx state");
    s.samples.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      Sample x;
      x.value = r.readRaw<T>();
      x.g = r.readRaw<int64_t>();
      x.delta = r.readRaw<int64_t>();
      s.samples.push_back(x);
    }
    return s;
  }
};

// The physical value of row i as the summary's number type.
template <class T>
T valueOf(const Column& c, int64_t i) {
  switch (c.type().id()) {
    case TypeId::Int8:
      return static_cast<T>(c.valueAt<int8_t>(i));
    case TypeId::Int16:
      return static_cast<T>(c.valueAt<int16_t>(i));
    case TypeId::Int32:
    case TypeId::Date:
      return static_cast<T>(c.valueAt<int32_t>(i));
    case TypeId::Int64:
    case TypeId::Timestamp:
    case TypeId::Decimal:
      return static_cast<T>(c.valueAt<int64_t>(i));
    case TypeId::Float32:
      return static_cast<T>(c.valueAt<float>(i));
    case TypeId::Float64:
      return static_cast<T>(c.valueAt<double>(i));
    default:
      throw InternalError("percentile_approx over " + c.type().toString());
  }
}

template <class T>
void store(Column& c, int64_t i, T v) {
  switch (c.type().id()) {
    case TypeId::Int8:
      c.mutableValues<int8_t>()[i] = static_cast<int8_t>(v);
      break;
    case TypeId::Int16:
      c.mutableValues<int16_t>()[i] = static_cast<int16_t>(v);
      break;
    case TypeId::Int32:
    case TypeId::Date:
      c.mutableValues<int32_t>()[i] = static_cast<int32_t>(v);
      break;
    case TypeId::Int64:
    case TypeId::Timestamp:
    case TypeId::Decimal:
      c.mutableValues<int64_t>()[i] = static_cast<int64_t>(v);
      break;
    case TypeId::Float32:
      c.mutableValues<float>()[i] = static_cast<float>(v);
      break;
    default:
      c.mutableValues<double>()[i] = static_cast<double>(v);
  }
}

template <class T>
class QuantileState : public AggregateState {
 public:
  QuantileState(DataType type, bool multiple) : type_(std::move(type)), multiple_(multiple) {}

  void resize(int64_t n) override { groups_.resize(static_cast<size_t>(n)); }

  void update(const int32_t* g, const std::vector<ColumnPtr>& args, int64_t rows) override {
    if (rows == 0) return;
    if (percentages_.empty()) {  // constants, checked by the analyzer
      const Column& p = *args[1];
      if (!multiple_) {
        percentages_ = {p.isNull(0) ? 0.5 : p.valueAt<double>(0)};
      } else if (!p.isNull(0)) {
        const Column& e = p.child(0);
        for (int32_t j = p.listBegin(0); j < p.listEnd(0); ++j)
          percentages_.push_back(e.isNull(j) ? 0.5 : e.valueAt<double>(j));
      }
      int64_t accuracy =
          args.size() > 2 && !args[2]->isNull(0) ? args[2]->valueAt<int64_t>(0) : kDefaultAccuracy;
      eps_ = 1.0 / static_cast<double>(accuracy);
    }
    const Column& c = *args[0];
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i)) continue;
      auto& s = groups_[static_cast<size_t>(g[i])];
      int64_t before = s.bytes();
      s.add(valueOf<T>(c, i), eps_);
      bytes_ += s.bytes() - before;
    }
  }

  void merge(const int32_t* g, const std::vector<ColumnPtr>& states, int64_t rows) override {
    const Column& c = *states[0];
    for (int64_t i = 0; i < rows; ++i) {
      if (c.isNull(i) || c.stringAt(i).empty()) continue;
      ByteReader r(c.stringAt(i));
      // The partial state carries the percentages (a merging task has no arguments).
      size_t k = r.readVarint();
      if (k > r.remaining() / 8) throw IoError("corrupt percentile_approx state");
      percentages_.resize(k);
      for (auto& p : percentages_) p = r.readRaw<double>();
      double unused = 0;
      Summary<T> other = Summary<T>::read(r, &unused);
      auto& s = groups_[static_cast<size_t>(g[i])];
      int64_t before = s.bytes();
      s.merge(std::move(other));
      bytes_ += s.bytes() - before;
    }
  }

  std::vector<ColumnPtr> partial(int64_t n) const override {
    auto c = std::make_shared<Column>(DataType::string());
    for (int64_t i = 0; i < n; ++i) {
      auto& s = const_cast<Summary<T>&>(groups_[static_cast<size_t>(i)]);
      s.flush();
      if (s.count == 0) {
        c->appendString({});
        continue;
      }
      std::string bytes;
      ByteWriter w(&bytes);
      w.writeVarint(percentages_.size());
      for (double p : percentages_) w.writeRaw(p);
      s.write(w, 0);
      c->appendString(bytes);
    }
    return {c};
  }

  ColumnPtr result(int64_t n) const override {
    size_t k = multiple_ ? percentages_.size() : 1;
    auto c = Column::make(type_, n * static_cast<int64_t>(k));
    for (int64_t i = 0; i < n; ++i) {
      auto& s = const_cast<Summary<T>&>(groups_[static_cast<size_t>(i)]);
      s.flush();
      for (size_t q = 0; q < k; ++q) {
        int64_t at = i * static_cast<int64_t>(k) + static_cast<int64_t>(q);
        if (s.count == 0)
          c->setNull(at);
        else
          store<T>(*c, at, s.query(percentages_.empty() ? 0.5 : percentages_[q]));
      }
    }
    if (!multiple_) return c;
    // One array of k quantiles per group; NULL for a group without values.
    Buffer offs(static_cast<size_t>(n + 1) * sizeof(int32_t));
    for (int64_t i = 0; i <= n; ++i)
      offs.as<int32_t>()[i] = static_cast<int32_t>(i * static_cast<int64_t>(k));
    auto list = std::make_shared<Column>(DataType::array(type_));
    list->adoptNested(std::move(offs), {c}, n);
    for (int64_t i = 0; i < n; ++i)
      if (groups_[static_cast<size_t>(i)].count == 0) list->setNull(i);
    return list;
  }

  int64_t extraBytes() const override { return bytes_; }

 private:
  DataType type_;
  bool multiple_;
  std::vector<double> percentages_;  // empty until the first update or merge
  double eps_ = 1.0 / kDefaultAccuracy;
  std::vector<Summary<T>> groups_;
  int64_t bytes_ = 0;
};

}  // namespace

void checkPercentileParameters(double percentage, int64_t accuracy) {
  if (!(percentage >= 0 && percentage <= 1))
    throw UserError("percentile_approx: the percentage must be between 0.0 and 1.0, got " +
                    std::to_string(percentage));
  if (accuracy <= 0 || accuracy > 2147483647)
    throw UserError("percentile_approx: the accuracy must be a positive integer (at most " +
                    std::to_string(2147483647) + "), got " + std::to_string(accuracy));
}

bool percentileSupports(const DataType& t) {
  switch (t.id()) {
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Float32:
    case TypeId::Float64:
    case TypeId::Date:
    case TypeId::Timestamp:
      return true;
    case TypeId::Decimal:
      return !t.isWideDecimal();
    default:
      return false;
  }
}

std::unique_ptr<AggregateState> newQuantileState(const DataType& valueType, bool multiple) {
  if (valueType.id() == TypeId::Float32 || valueType.id() == TypeId::Float64)
    return std::make_unique<QuantileState<double>>(valueType, multiple);
  return std::make_unique<QuantileState<int64_t>>(valueType, multiple);
}

}  // namespace ember::sql
