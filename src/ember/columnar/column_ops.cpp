#include "ember/columnar/column_ops.h"

#include <cstring>
#include <limits>

#include "ember/columnar/nested_ops.h"
#include "ember/common/errors.h"
#include "ember/common/hash.h"

namespace ember {

namespace {
template <class T>
void takeFixed(const Column& src, Column& dst, const int32_t* idx, int64_t n) {
  const T* in = src.values<T>();
  T* out = dst.mutableValues<T>();
  for (int64_t i = 0; i < n; ++i) out[i] = idx[i] >= 0 ? in[idx[i]] : T{};
}

template <class F>
void dispatchWidth(int width, F&& f) {
  switch (width) {
    case 1:
      f(uint8_t{});
      break;
    case 2:
      f(uint16_t{});
      break;
    case 4:
      f(uint32_t{});
      break;
    case 8:
      f(uint64_t{});
      break;
    case 16:
      f(int128_t{});
      break;
    default:
      EMBER_CHECK(false, "unsupported value width " + std::to_string(width));
  }
}

// Strings idx[0..n) of c (-1: empty) built straight into offset and character buffers:
// one pass for the offsets, one memcpy per value (appendString per row re-checks and
// re-grows three buffers per row).
ColumnPtr takeStrings(const Column& c, const int32_t* idx, int64_t n) {
  const int32_t* o = c.offsets();
  const char* chars = c.chars();
  Buffer offs(static_cast<size_t>(n + 1) * sizeof(int32_t));
  int32_t* no = offs.as<int32_t>();
  int64_t bytes = 0;
  no[0] = 0;
  for (int64_t i = 0; i < n; ++i) {
    int32_t r = idx[i];
    if (r >= 0) bytes += o[r + 1] - o[r];
    if (bytes > INT32_MAX)
      throw UserError("a string column of one batch exceeds 2 GiB; use smaller batches");
    no[i + 1] = static_cast<int32_t>(bytes);
  }
  Buffer out(static_cast<size_t>(bytes));
  char* dst = reinterpret_cast<char*>(out.data());
  for (int64_t i = 0; i < n; ++i) {
    int32_t r = idx[i];
    // Empty strings are skipped: with no bytes at all `dst` is null (memcpy's UB).
    if (r >= 0 && no[i + 1] > no[i])
      std::memcpy(dst + no[i], chars + o[r], static_cast<size_t>(no[i + 1] - no[i]));
  }
  auto col = std::make_shared<Column>(c.type());
  col->adoptStrings(std::move(offs), std::move(out), n);
  return col;
}
}  // namespace

ColumnPtr takeColumn(const Column& c, const int32_t* idx, int64_t n) {
  const DataType& t = c.type();
  if (t.isNested()) return takeNested(c, idx, n);
  bool outer = false;
  for (int64_t i = 0; i < n && !outer; ++i) outer = idx[i] < 0;
  ColumnPtr out;
  if (t.id() == TypeId::String) {
    out = takeStrings(c, idx, n);
  } else if (t.id() == TypeId::Null) {
    return Column::nulls(t, n);
  } else {
    out = Column::make(t, n);
    dispatchWidth(t.fixedWidth(), [&](auto tag) { takeFixed<decltype(tag)>(c, *out, idx, n); });
  }
  if (c.mayHaveNulls() || outer) {
    uint64_t* v = out->mutableValidity();
    for (int64_t i = 0; i < n; ++i) {
      bool valid = idx[i] >= 0 && c.isValid(idx[i]);
      if (!valid) v[i >> 6] &= ~(uint64_t{1} << (i & 63));
    }
  }
  for (const auto& child : c.children()) out->children().push_back(takeColumn(*child, idx, n));
  return out;
}

BatchPtr takeBatch(const Batch& b, const int32_t* idx, int64_t n) {
  auto out = std::make_shared<Batch>();
  out->numRows = n;
  for (const auto& c : b.columns) out->columns.push_back(takeColumn(*c, idx, n));
  return out;
}

std::vector<int32_t> selectionFromMask(const Column& mask) {
  std::vector<int32_t> sel;
  int64_t n = mask.size();
  sel.reserve(static_cast<size_t>(n));
  const uint8_t* m = mask.values<uint8_t>();
  if (mask.type().id() == TypeId::Null) return sel;
  if (!mask.mayHaveNulls()) {
    for (int64_t i = 0; i < n; ++i)
      if (m[i]) sel.push_back(static_cast<int32_t>(i));
  } else {
    for (int64_t i = 0; i < n; ++i)
      if (m[i] && mask.isValid(i)) sel.push_back(static_cast<int32_t>(i));
  }
  return sel;
}

BatchPtr filterBatch(const Batch& b, const Column& mask) {
  auto sel = selectionFromMask(mask);
  if (static_cast<int64_t>(sel.size()) == b.numRows) return std::make_shared<Batch>(b);
  return takeBatch(b, sel.data(), static_cast<int64_t>(sel.size()));
}

ColumnPtr sliceColumn(const Column& c, int64_t offset, int64_t length) {
  const DataType& t = c.type();
  int w = t.fixedWidth();
  if (!c.children().empty() || (w == 0 && t.id() != TypeId::String)) {
    std::vector<int32_t> idx(static_cast<size_t>(length));
    for (int64_t i = 0; i < length; ++i) idx[i] = static_cast<int32_t>(offset + i);
    return takeColumn(c, idx.data(), length);
  }
  // Contiguous rows: memcpy of values (strings: shifted offsets and one memcpy of chars).
  ColumnPtr out;
  if (t.id() == TypeId::String) {
    const int32_t* o = c.offsets() + offset;
    Buffer offs(static_cast<size_t>(length + 1) * sizeof(int32_t));
    int32_t* no = offs.as<int32_t>();
    for (int64_t i = 0; i <= length; ++i) no[i] = o[i] - o[0];
    Buffer chars;
    chars.append(c.chars() + o[0], static_cast<size_t>(o[length] - o[0]));
    out = std::make_shared<Column>(t);
    out->adoptStrings(std::move(offs), std::move(chars), length);
  } else {
    out = Column::make(t, length);
    if (length)
      std::memcpy(out->valuesBuffer().data(), c.valuesBuffer().data() + offset * w,
                  static_cast<size_t>(length * w));
  }
  if (c.mayHaveNulls()) {
    uint64_t* v = out->mutableValidity();
    for (int64_t i = 0; i < length; ++i)
      if (c.isNull(offset + i)) v[i >> 6] &= ~(uint64_t{1} << (i & 63));
    out->compactValidity();
  }
  return out;
}

BatchPtr sliceBatch(const Batch& b, int64_t offset, int64_t length) {
  auto out = std::make_shared<Batch>();
  out->numRows = length;
  for (const auto& c : b.columns) out->columns.push_back(sliceColumn(*c, offset, length));
  return out;
}

ColumnPtr concatColumns(const std::vector<ColumnPtr>& parts) {
  EMBER_CHECK(!parts.empty(), "concatColumns of nothing");
  if (parts.size() == 1) return parts[0];
  const DataType& t = parts[0]->type();
  if (t.isNested()) return concatNested(parts);
  int64_t rows = 0, bytes = 0;
  bool nulls = false;
  for (const auto& p : parts) {
    rows += p->size();
    if (t.id() == TypeId::String) bytes += p->charsSize();
    nulls |= p->mayHaveNulls();
  }
  ColumnPtr out;
  if (t.id() == TypeId::String) {
    if (bytes > INT32_MAX)
      throw UserError("a string column of one batch exceeds 2 GiB; use smaller batches");
    Buffer offs(static_cast<size_t>(rows + 1) * sizeof(int32_t));
    Buffer chars;
    chars.reserve(static_cast<size_t>(bytes));
    int32_t* no = offs.as<int32_t>();
    no[0] = 0;
    int64_t at = 0;
    for (const auto& p : parts) {
      const int32_t* o = p->offsets();
      int32_t base = static_cast<int32_t>(chars.size()) - o[0];
      for (int64_t i = 0; i < p->size(); ++i) no[at + i + 1] = base + o[i + 1];
      chars.append(p->chars() + o[0], static_cast<size_t>(o[p->size()] - o[0]));
      at += p->size();
    }
    out = std::make_shared<Column>(t);
    out->adoptStrings(std::move(offs), std::move(chars), rows);
  } else {
    out = Column::make(t, rows);
    int w = t.fixedWidth();
    int64_t at = 0;
    for (const auto& p : parts) {
      if (w && p->size() > 0)
        std::memcpy(out->valuesBuffer().data() + at * w, p->valuesBuffer().data(),
                    static_cast<size_t>(p->size() * w));
      at += p->size();
    }
  }
  if (nulls) {
    int64_t at = 0;
    for (const auto& p : parts) {
      if (p->mayHaveNulls())
        for (int64_t i = 0; i < p->size(); ++i)
          if (p->isNull(i)) out->setNull(at + i);
      at += p->size();
    }
  }
  return out;
}

BatchPtr concatBatches(const std::vector<BatchPtr>& parts) {
  EMBER_CHECK(!parts.empty(), "concatBatches of nothing");
  if (parts.size() == 1) return parts[0];
  auto out = std::make_shared<Batch>();
  for (const auto& p : parts) out->numRows += p->numRows;
  for (size_t c = 0; c < parts[0]->columns.size(); ++c) {
    std::vector<ColumnPtr> cols;
    for (const auto& p : parts) cols.push_back(p->columns[c]);
    out->columns.push_back(concatColumns(cols));
  }
  return out;
}

namespace {
constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;

template <class T>
void hashFixed(const Column& c, uint64_t* h, bool combine) {
  const T* v = c.values<T>();
  int64_t n = c.size();
  for (int64_t i = 0; i < n; ++i) {
    uint64_t x;
    if constexpr (sizeof(T) == 16) {
      x = mix64(static_cast<uint64_t>(v[i]) ^ mix64(static_cast<uint64_t>(v[i] >> 64)));
    } else {
      x = mix64(static_cast<uint64_t>(v[i]));
    }
    h[i] = combine ? hashCombine(h[i], x) : x;
  }
}
}  // namespace

void hashColumn(const Column& c, uint64_t* h, bool combine) {
  const DataType& t = c.type();
  int64_t n = c.size();
  // A null row's value bits are unspecified, so its hash is fixed afterwards from the
  // hash it had before this column.
  std::vector<std::pair<int64_t, uint64_t>> nullRows;
  if (c.mayHaveNulls())
    for (int64_t i = 0; i < n; ++i)
      if (c.isNull(i)) nullRows.emplace_back(i, combine ? h[i] : 0);
  if (t.id() == TypeId::String) {
    for (int64_t i = 0; i < n; ++i) {
      auto s = c.stringAt(i);
      uint64_t x = hashShortBytes(s.data(), s.size());
      h[i] = combine ? hashCombine(h[i], x) : x;
    }
  } else if (t.id() == TypeId::Float64) {
    // -0.0 and 0.0 are equal, so they must hash alike; all NaNs are one group.
    const double* v = c.values<double>();
    for (int64_t i = 0; i < n; ++i) {
      double d =
          v[i] == 0.0 ? 0.0 : (v[i] != v[i] ? std::numeric_limits<double>::quiet_NaN() : v[i]);
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      uint64_t x = mix64(bits);
      h[i] = combine ? hashCombine(h[i], x) : x;
    }
  } else if (t.id() == TypeId::Float32) {
    const float* v = c.values<float>();
    for (int64_t i = 0; i < n; ++i) {
      double d = v[i] == 0.0f ? 0.0 : static_cast<double>(v[i]);
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      uint64_t x = mix64(bits);
      h[i] = combine ? hashCombine(h[i], x) : x;
    }
  } else if (t.id() == TypeId::Null) {
    for (int64_t i = 0; i < n; ++i) h[i] = combine ? hashCombine(h[i], kNullHash) : kNullHash;
    return;
  } else if (t.isNested()) {
    std::vector<uint64_t> x(static_cast<size_t>(n));
    nestedRowHashes(c, x.data());
    for (int64_t i = 0; i < n; ++i) h[i] = combine ? hashCombine(h[i], x[i]) : x[i];
  } else {
    switch (t.fixedWidth()) {
      case 1:
        hashFixed<int8_t>(c, h, combine);
        break;
      case 2:
        hashFixed<int16_t>(c, h, combine);
        break;
      case 4:
        hashFixed<int32_t>(c, h, combine);
        break;
      case 8:
        hashFixed<int64_t>(c, h, combine);
        break;
      case 16:
        hashFixed<int128_t>(c, h, combine);
        break;
      default:
        EMBER_CHECK(false, "cannot hash a " + t.toString() + " column");
    }
  }
  for (auto [i, prev] : nullRows) h[i] = combine ? hashCombine(prev, kNullHash) : kNullHash;
}

bool rowsEqual(const Column& a, int64_t i, const Column& b, int64_t j) {
  bool an = a.isNull(i), bn = b.isNull(j);
  if (an || bn) return an && bn;
  switch (a.type().id()) {
    case TypeId::String:
      return a.stringAt(i) == b.stringAt(j);
    case TypeId::Float64:
      return a.valueAt<double>(i) == b.valueAt<double>(j) ||
             (a.valueAt<double>(i) != a.valueAt<double>(i) &&
              b.valueAt<double>(j) != b.valueAt<double>(j));
    case TypeId::Float32:
      return a.valueAt<float>(i) == b.valueAt<float>(j);
    case TypeId::Null:
      return true;
    case TypeId::List:
    case TypeId::Map:
    case TypeId::Struct:
      return nestedRowsEqual(a, i, b, j);
    default: {
      int w = a.type().fixedWidth();
      return std::memcmp(a.valuesBuffer().data() + i * w, b.valuesBuffer().data() + j * w,
                         static_cast<size_t>(w)) == 0;
    }
  }
}

}  // namespace ember
