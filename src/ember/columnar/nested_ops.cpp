#include "ember/columnar/nested_ops.h"

#include <cmath>
#include <cstring>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/common/hash.h"

namespace ember {

namespace {
// Validity of a gather: row i is null when idx[i] < 0 or the source row is null.
void takeValidity(const Column& c, const int32_t* idx, int64_t n, Column& out) {
  bool any = c.mayHaveNulls();
  for (int64_t i = 0; i < n && !any; ++i) any = idx[i] < 0;
  if (!any) return;
  for (int64_t i = 0; i < n; ++i)
    if (idx[i] < 0 || c.isNull(idx[i])) out.setNull(i);
}

template <class T>
int cmp3(T x, T y) {
  return x < y ? -1 : (y < x ? 1 : 0);
}

int compareDouble(double x, double y) {
  bool xn = std::isnan(x), yn = std::isnan(y);
  if (xn || yn) return xn == yn ? 0 : (xn ? 1 : -1);
  return cmp3(x, y);
}
}  // namespace

ColumnPtr takeNested(const Column& c, const int32_t* idx, int64_t n) {
  const DataType& t = c.type();
  auto out = std::make_shared<Column>(t);
  std::vector<ColumnPtr> children;
  Buffer offsets;
  if (t.id() == TypeId::Struct) {
    for (const auto& ch : c.children()) children.push_back(takeColumn(*ch, idx, n));
  } else {
    offsets.resize(static_cast<size_t>(n + 1) * sizeof(int32_t));
    int32_t* o = offsets.as<int32_t>();
    o[0] = 0;
    int64_t total = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (idx[i] >= 0) total += c.listEnd(idx[i]) - c.listBegin(idx[i]);
      if (total > INT32_MAX)
        throw UserError("an array or map column of one batch exceeds 2^31 elements");
      o[i + 1] = static_cast<int32_t>(total);
    }
    std::vector<int32_t> elems;
    elems.reserve(static_cast<size_t>(total));
    for (int64_t i = 0; i < n; ++i)
      if (idx[i] >= 0)
        for (int32_t j = c.listBegin(idx[i]); j < c.listEnd(idx[i]); ++j) elems.push_back(j);
    for (const auto& ch : c.children())
      children.push_back(takeColumn(*ch, elems.data(), static_cast<int64_t>(elems.size())));
  }
  out->adoptNested(std::move(offsets), std::move(children), n);
  takeValidity(c, idx, n, *out);
  return out;
}

ColumnPtr concatNested(const std::vector<ColumnPtr>& parts) {
  const DataType& t = parts[0]->type();
  int64_t rows = 0;
  for (const auto& p : parts) rows += p->size();
  std::vector<ColumnPtr> children;
  for (size_t k = 0; k < t.children().size(); ++k) {
    std::vector<ColumnPtr> kids;
    for (const auto& p : parts) kids.push_back(p->children()[k]);
    children.push_back(concatColumns(kids));
  }
  Buffer offsets;
  if (t.id() != TypeId::Struct) {
    offsets.resize(static_cast<size_t>(rows + 1) * sizeof(int32_t));
    int32_t* o = offsets.as<int32_t>();
    o[0] = 0;
    int64_t at = 0, base = 0;
    for (const auto& p : parts) {
      for (int64_t i = 0; i < p->size(); ++i) {
        if (base + p->listEnd(i) > INT32_MAX)
          throw UserError("an array or map column of one batch exceeds 2^31 elements");
        o[at + i + 1] = static_cast<int32_t>(base + p->listEnd(i));
      }
      at += p->size();
      base += p->size() ? p->listEnd(p->size() - 1) : 0;
    }
  }
  auto out = std::make_shared<Column>(t);
  out->adoptNested(std::move(offsets), std::move(children), rows);
  int64_t at = 0;
  for (const auto& p : parts) {
    if (p->mayHaveNulls())
      for (int64_t i = 0; i < p->size(); ++i)
        if (p->isNull(i)) out->setNull(at + i);
    at += p->size();
  }
  return out;
}

void nestedRowHashes(const Column& c, uint64_t* out) {
  int64_t n = c.size();
  if (c.type().id() == TypeId::Struct) {
    for (int64_t i = 0; i < n; ++i) out[i] = 0x51ed270b27e5a3c9ULL;
    for (const auto& ch : c.children()) hashColumn(*ch, out, true);
    return;
  }
  std::vector<std::vector<uint64_t>> elemHashes;
  for (const auto& ch : c.children()) {
    elemHashes.emplace_back(static_cast<size_t>(ch->size()));
    hashColumn(*ch, elemHashes.back().data(), false);
  }
  for (int64_t i = 0; i < n; ++i) {
    uint64_t h = mix64(static_cast<uint64_t>(c.listEnd(i) - c.listBegin(i)));
    for (int32_t j = c.listBegin(i); j < c.listEnd(i); ++j)
      for (const auto& eh : elemHashes) h = hashCombine(h, eh[static_cast<size_t>(j)]);
    out[i] = h;
  }
}

bool nestedRowsEqual(const Column& a, int64_t i, const Column& b, int64_t j) {
  if (a.type().id() == TypeId::Struct) {
    for (size_t k = 0; k < a.children().size(); ++k)
      if (!rowsEqual(a.child(k), i, b.child(k), j)) return false;
    return true;
  }
  int32_t n = a.listEnd(i) - a.listBegin(i);
  if (n != b.listEnd(j) - b.listBegin(j)) return false;
  for (int32_t e = 0; e < n; ++e)
    for (size_t k = 0; k < a.children().size(); ++k)
      if (!rowsEqual(a.child(k), a.listBegin(i) + e, b.child(k), b.listBegin(j) + e)) return false;
  return true;
}

int compareRows(const Column& a, int64_t i, const Column& b, int64_t j) {
  bool an = a.isNull(i), bn = b.isNull(j);
  if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
  const DataType& t = a.type();
  switch (t.id()) {
    case TypeId::Null:
      return 0;
    case TypeId::Boolean:
      return cmp3(a.valueAt<uint8_t>(i), b.valueAt<uint8_t>(j));
    case TypeId::Int8:
      return cmp3(a.valueAt<int8_t>(i), b.valueAt<int8_t>(j));
    case TypeId::Int16:
      return cmp3(a.valueAt<int16_t>(i), b.valueAt<int16_t>(j));
    case TypeId::Int32:
    case TypeId::Date:
      return cmp3(a.valueAt<int32_t>(i), b.valueAt<int32_t>(j));
    case TypeId::Int64:
    case TypeId::Timestamp:
      return cmp3(a.valueAt<int64_t>(i), b.valueAt<int64_t>(j));
    case TypeId::Float32:
      return compareDouble(a.valueAt<float>(i), b.valueAt<float>(j));
    case TypeId::Float64:
      return compareDouble(a.valueAt<double>(i), b.valueAt<double>(j));
    case TypeId::Decimal:
      if (t.isWideDecimal()) return cmp3(a.valueAt<int128_t>(i), b.valueAt<int128_t>(j));
      return cmp3(a.valueAt<int64_t>(i), b.valueAt<int64_t>(j));
    case TypeId::String: {
      int c = a.stringAt(i).compare(b.stringAt(j));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::Struct:
      for (size_t k = 0; k < a.children().size(); ++k)
        if (int c = compareRows(a.child(k), i, b.child(k), j)) return c;
      return 0;
    case TypeId::List:
    case TypeId::Map: {
      int32_t na = a.listEnd(i) - a.listBegin(i), nb = b.listEnd(j) - b.listBegin(j);
      for (int32_t e = 0; e < std::min(na, nb); ++e)
        for (size_t k = 0; k < a.children().size(); ++k)
          if (int c = compareRows(a.child(k), a.listBegin(i) + e, b.child(k), b.listBegin(j) + e))
            return c;
      return cmp3(na, nb);
    }
  }
  return 0;
}

}  // namespace ember
