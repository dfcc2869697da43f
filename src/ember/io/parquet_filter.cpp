#include "ember/io/parquet_filter.h"

#include <string_view>

#include "ember/common/errors.h"

namespace ember {

namespace {

using Op = ColumnPredicate::Op;

// One loop per operator so the comparison is not re-dispatched per row.
template <class T, class Get>
void narrowTyped(int64_t n, Get get, Op op, const std::vector<T>& lits, uint8_t* keep) {
  if (op == Op::kIn) {
    for (int64_t i = 0; i < n; ++i) {
      if (!keep[i]) continue;
      T v = get(i);
      bool hit = false;
      for (const T& l : lits) hit |= v == l;
      keep[i] = hit;
    }
    return;
  }
  const T lit = lits.at(0);
  auto loop = [&](auto cmp) {
    for (int64_t i = 0; i < n; ++i) keep[i] &= static_cast<uint8_t>(cmp(get(i), lit));
  };
  switch (op) {
    case Op::kEq:
      return loop([](const T& a, const T& b) { return a == b; });
    case Op::kNe:
      return loop([](const T& a, const T& b) { return a != b; });
    case Op::kLt:
      return loop([](const T& a, const T& b) { return a < b; });
    case Op::kLe:
      return loop([](const T& a, const T& b) { return a <= b; });
    case Op::kGt:
      return loop([](const T& a, const T& b) { return a > b; });
    case Op::kGe:
      return loop([](const T& a, const T& b) { return a >= b; });
    default:
      return;  // IS [NOT] NULL: handled by the caller
  }
}

template <class T>
void narrowFixed(const Column& c, const ColumnPredicate& p, uint8_t* keep) {
  std::vector<T> lits;
  for (const auto& v : p.values)
    lits.push_back(static_cast<T>(c.type().id() == TypeId::Decimal ? v.asInt128() : v.asInt64()));
  const T* data = c.values<T>();
  narrowTyped<T>(
      c.size(), [data](int64_t i) { return data[i]; }, p.op, lits, keep);
}

}  // namespace

bool rowFilterSupported(const ColumnPredicate& p, const DataType& t) {
  switch (t.id()) {
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Date:
    case TypeId::Timestamp:
    case TypeId::Decimal:
    case TypeId::String:
      break;
    default:
      return false;
  }
  if (p.op == Op::kIsNull || p.op == Op::kIsNotNull) return true;
  if (p.values.empty() || (p.op != Op::kIn && p.values.size() != 1)) return false;
  for (const auto& v : p.values)
    if (v.isNull() || v.type() != t) return false;
  return true;
}

void narrowRows(const Column& c, const ColumnPredicate& p, std::vector<uint8_t>& keep) {
  EMBER_CHECK(static_cast<int64_t>(keep.size()) == c.size(), "mask size");
  EMBER_CHECK(rowFilterSupported(p, c.type()), p.toString());
  int64_t n = c.size();
  uint8_t* k = keep.data();
  if (p.op == Op::kIsNull || p.op == Op::kIsNotNull) {
    bool wantNull = p.op == Op::kIsNull;
    for (int64_t i = 0; i < n; ++i) k[i] &= static_cast<uint8_t>(c.isNull(i) == wantNull);
    return;
  }
  switch (c.type().id()) {
    case TypeId::Int8:
      narrowFixed<int8_t>(c, p, k);
      break;
    case TypeId::Int16:
      narrowFixed<int16_t>(c, p, k);
      break;
    case TypeId::Int32:
    case TypeId::Date:
      narrowFixed<int32_t>(c, p, k);
      break;
    case TypeId::Int64:
    case TypeId::Timestamp:
      narrowFixed<int64_t>(c, p, k);
      break;
    case TypeId::Decimal:
      if (c.type().isWideDecimal())
        narrowFixed<int128_t>(c, p, k);
      else
        narrowFixed<int64_t>(c, p, k);
      break;
    case TypeId::String: {
      std::vector<std::string_view> lits;
      for (const auto& v : p.values) lits.emplace_back(v.asString());
      narrowTyped<std::string_view>(
          n, [&c](int64_t i) { return c.stringAt(i); }, p.op, lits, k);
      break;
    }
    default:
      EMBER_CHECK(false, c.type().toString());
  }
  // Values under NULL slots are unspecified: a comparison there is never true.
  if (c.mayHaveNulls())
    for (int64_t i = 0; i < n; ++i) k[i] &= static_cast<uint8_t>(c.isValid(i));
}

}  // namespace ember
