// Array functions (Spark's names and NULL rules, ANSI mode off): array, size/cardinality,
// array_contains, element_at, get (the [] subscript), array_position, array_remove,
// array_distinct, array_union/intersect/except, arrays_overlap, sort_array, array_sort,
// array_min/max, array_join, slice, flatten, sequence, array_repeat, split, and the array
// forms of concat and reverse.
//
// Kernels walk the offsets of the argument's list column and append elements with
// Column::appendFrom: per element, but without a Value per element. Set-like functions
// hash the whole element column once and probe per row.
#include <re2/re2.h>

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "ember/columnar/column_ops.h"
#include "ember/columnar/nested_ops.h"
#include "ember/sql/functions_common.h"
#include "ember/sql/lambda.h"

namespace ember::sql::fn {

namespace {

// Functions, not namespace-scope constants: the built-ins may be registered during static
// initialisation (a registerUdf in another translation unit), before such constants are.
DataType kInt() { return DataType::int32(); }
DataType kStrType() { return DataType::string(); }

bool isArray(const DataType& t) { return t.id() == TypeId::List; }

// The array type of argument k, or array<null> for a NULL literal.
DataType arrayArg(const std::string& fn, std::span<const DataType> types, size_t k) {
  if (isArray(types[k])) return types[k];
  if (isNullType(types[k])) return DataType::array(DataType::null());
  bindError(fn,
            "argument " + std::to_string(k + 1) + " must be an array, got " + types[k].toString());
}

// Element type all of `types` (arrays) widen to.
DataType widerElement(const std::string& fn, std::span<const DataType> arrays) {
  DataType e = DataType::null();
  for (const auto& a : arrays) {
    auto w = widerType(e, a.elementType());
    if (!w)
      bindError(fn, "arrays of " + e.toString() + " and " + a.elementType().toString() +
                        " have no common element type");
    e = *w;
  }
  return e;
}

// Rows of a list column: [begin, end) of its element column.
struct ListView {
  const Column& list;
  const Column& elems;
  explicit ListView(const Column& c) : list(c), elems(c.child(0)) {}
  int32_t begin(int64_t i) const { return list.listBegin(i); }
  int32_t end(int64_t i) const { return list.listEnd(i); }
  bool hasNullElement(int64_t i) const {
    if (!elems.mayHaveNulls()) return false;
    for (int32_t j = begin(i); j < end(i); ++j)
      if (elems.isNull(j)) return true;
    return false;
  }
};

// Appends rows to a list column of type `t`: add elements, then row() or null().
class ListBuilder {
 public:
  explicit ListBuilder(const DataType& t) : col_(Column::make(t)) {}
  Column& elems() { return col_->child(0); }
  void add(const Column& src, int64_t j) { col_->child(0).appendFrom(src, j); }
  void row() { col_->appendNestedRow(); }
  void null() { col_->appendNull(); }
  ColumnPtr finish() {
    col_->compactValidity();
    return col_;
  }

 private:
  ColumnPtr col_;
};

// Per-row hash set over an element column hashed once: insert/contains by element index.
class ElementSet {
 public:
  ElementSet(const Column& elems, const uint64_t* hashes) : elems_(elems), hashes_(hashes) {}
  void clear() { buckets_.clear(); }
  // True when an equal element was there already; inserts it otherwise.
  bool insert(int32_t j) {
    auto& b = buckets_[hashes_[j]];
    for (int32_t k : b)
      if (rowsEqual(elems_, k, elems_, j)) return true;
    b.push_back(j);
    return false;
  }
  // Whether an element equal to row `r` of `other` (hash h) is in the set.
  bool contains(const Column& other, int32_t r, uint64_t h) const {
    auto it = buckets_.find(h);
    if (it == buckets_.end()) return false;
    for (int32_t k : it->second)
      if (rowsEqual(elems_, k, other, r)) return true;
    return false;
  }

 private:
  const Column& elems_;
  const uint64_t* hashes_;
  std::unordered_map<uint64_t, std::vector<int32_t>> buckets_;
};

bool anyNullAt(std::span<const ColumnPtr> args, int64_t i) {
  for (const auto& a : args)
    if (a->isNull(i)) return true;
  return false;
}

std::vector<uint64_t> elementHashes(const Column& elems) {
  std::vector<uint64_t> h(static_cast<size_t>(elems.size()));
  hashColumn(elems, h.data(), false);
  return h;
}

using Types = std::span<const DataType>;
using Lits = std::span<const std::optional<Value>>;

// ---- array(e1, e2, ...) ----
BoundFunction bindArray(Types types, Lits) {
  DataType e = DataType::null();
  for (const auto& t : types) {
    auto w = widerType(e, t);
    if (!w)
      bindError("array", "elements of types " + e.toString() + " and " + t.toString() +
                             " have no common type");
    e = *w;
  }
  DataType result = DataType::array(e);
  return {result, false, std::vector<DataType>(types.size(), e),
          [result](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(result);
            for (int64_t i = 0; i < rows; ++i) {
              for (const auto& a : args) b.add(*a, i);
              b.row();
            }
            return b.finish();
          }};
}

// ---- size(array | map): -1 for NULL (Spark's legacy sizeOfNull default) ----
BoundFunction bindSize(Types types, Lits) {
  checkArity("size", types, 1, 1);
  const DataType& t = types[0];
  if (!isArray(t) && t.id() != TypeId::Map && !isNullType(t))
    bindError("size", "expects an array or a map, got " + t.toString());
  return {kInt(), false, {t}, [](std::span<const ColumnPtr> args, int64_t rows) {
            auto out = Column::make(kInt(), rows);
            int32_t* o = out->mutableValues<int32_t>();
            const Column& c = *args[0];
            bool typed = c.type().isNested();
            for (int64_t i = 0; i < rows; ++i)
              o[i] = c.isNull(i) || !typed ? -1 : c.listEnd(i) - c.listBegin(i);
            return out;
          }};
}

// (array, value) functions: the value and the elements meet in their common type.
std::pair<DataType, DataType> arrayAndValue(const std::string& fn, Types types) {
  checkArity(fn, types, 2, 2);
  DataType a = arrayArg(fn, types, 0);
  auto e = commonType(a.elementType(), types[1]);
  if (!e)
    bindError(fn, "the value's type " + types[1].toString() +
                      " does not match the elements' type " + a.elementType().toString());
  return {DataType::array(*e), *e};
}

// 1-based position of the first element of row i equal to v's row i (NULL elements never
// match), 0 if none.
int64_t findElement(const ListView& a, const Column& v, int64_t i) {
  for (int32_t j = a.begin(i); j < a.end(i); ++j)
    if (!a.elems.isNull(j) && rowsEqual(a.elems, j, v, i)) return j - a.begin(i) + 1;
  return 0;
}

// ---- array_contains(arr, v): NULL when not found but the array holds a NULL ----
BoundFunction bindContains(Types types, Lits) {
  auto [at, et] = arrayAndValue("array_contains", types);
  return {DataType::boolean(), true, {at, et}, [](std::span<const ColumnPtr> args, int64_t rows) {
            auto out = makeResult(DataType::boolean(), args, rows);
            uint8_t* o = out->mutableValues<uint8_t>();
            ListView a(*args[0]);
            for (int64_t i = 0; i < rows; ++i) {
              o[i] = !out->isNull(i) && findElement(a, *args[1], i) > 0;
              if (!out->isNull(i) && !o[i] && a.hasNullElement(i)) out->setNull(i);
            }
            return out;
          }};
}

// ---- array_position(arr, v): 1-based index of the first match, 0 if none ----
BoundFunction bindPosition(Types types, Lits) {
  auto [at, et] = arrayAndValue("array_position", types);
  return {DataType::int64(), true, {at, et}, [](std::span<const ColumnPtr> args, int64_t rows) {
            auto out = makeResult(DataType::int64(), args, rows);
            int64_t* o = out->mutableValues<int64_t>();
            ListView a(*args[0]);
            for (int64_t i = 0; i < rows; ++i)
              o[i] = out->isNull(i) ? 0 : findElement(a, *args[1], i);
            return out;
          }};
}

// ---- array_remove(arr, v): every element equal to v dropped (NULL elements stay) ----
BoundFunction bindRemove(Types types, Lits) {
  auto [at, et] = arrayAndValue("array_remove", types);
  return {at, true, {at, et}, [at](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(at);
            ListView a(*args[0]);
            for (int64_t i = 0; i < rows; ++i) {
              if (args[0]->isNull(i) || args[1]->isNull(i)) {
                b.null();
                continue;
              }
              for (int32_t j = a.begin(i); j < a.end(i); ++j)
                if (a.elems.isNull(j) || !rowsEqual(a.elems, j, *args[1], i)) b.add(a.elems, j);
              b.row();
            }
            return b.finish();
          }};
}

// ---- element_at(arr, i) (1-based, negative from the end) and get(arr, i) (0-based) ----
ColumnPtr arrayAt(std::span<const ColumnPtr> args, int64_t rows, bool oneBased) {
  ListView a(*args[0]);
  const Column& idx = *args[1];
  auto out = Column::make(a.elems.type());
  for (int64_t i = 0; i < rows; ++i) {
    if (args[0]->isNull(i) || idx.isNull(i)) {
      out->appendNull();
      continue;
    }
    int64_t k = idx.valueAt<int32_t>(i), n = a.end(i) - a.begin(i);
    if (oneBased && k == 0)
      throw UserError("element_at: SQL array indices start at 1; got index 0");
    int64_t at = oneBased ? (k > 0 ? k - 1 : n + k) : k;
    if (at < 0 || at >= n)
      out->appendNull();
    else
      out->appendFrom(a.elems, a.begin(i) + at);
  }
  return out;
}

ColumnPtr mapLookup(std::span<const ColumnPtr> args, int64_t rows) {
  const Column& m = *args[0];
  const Column& keys = m.child(0);
  auto out = Column::make(m.child(1).type());
  for (int64_t i = 0; i < rows; ++i) {
    int64_t found = -1;
    if (!m.isNull(i) && !args[1]->isNull(i))
      for (int32_t j = m.listBegin(i); j < m.listEnd(i) && found < 0; ++j)
        if (rowsEqual(keys, j, *args[1], i)) found = j;
    if (found < 0)
      out->appendNull();
    else
      out->appendFrom(m.child(1), found);
  }
  return out;
}

decltype(ScalarFunction::bind) bindAt(const std::string& fn, bool oneBased) {
  return [fn, oneBased](Types types, Lits) -> BoundFunction {
    checkArity(fn, types, 2, 2);
    if (types[0].id() == TypeId::Map) {
      auto k = commonType(types[0].children()[0].type, types[1]);
      if (!k || *k != types[0].children()[0].type)
        bindError(fn, "the key's type " + types[1].toString() + " does not match the map's keys " +
                          types[0].children()[0].type.toString());
      return {types[0].children()[1].type, true, {types[0], *k}, mapLookup};
    }
    DataType a = arrayArg(fn, types, 0);
    if (!types[1].isInteger() && !isNullType(types[1]))
      bindError(fn, "the index must be an integer, got " + types[1].toString());
    return {a.elementType(),
            true,
            {a, kInt()},
            [oneBased](std::span<const ColumnPtr> args, int64_t rows) {
              return arrayAt(args, rows, oneBased);
            }};
  };
}

// ---- array_distinct / array_union / array_intersect / array_except ----
enum class SetOp { Distinct, Union, Intersect, Except };

BoundFunction bindSetOp(const std::string& fn, SetOp op, Types types) {
  size_t n = op == SetOp::Distinct ? 1 : 2;
  checkArity(fn, types, n, n);
  std::vector<DataType> arrays;
  for (size_t k = 0; k < n; ++k) arrays.push_back(arrayArg(fn, types, k));
  DataType at = DataType::array(widerElement(fn, arrays));
  return {at, true, std::vector<DataType>(n, at),
          [at, op](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(at);
            // One element column holding both sides so that one set serves both.
            std::vector<ColumnPtr> parts;
            for (const auto& a : args) parts.push_back(a->children()[0]);
            ColumnPtr all = concatColumns(parts);
            int32_t shift = static_cast<int32_t>(args[0]->child(0).size());
            auto h = elementHashes(*all);
            ElementSet seen(*all, h.data()), other(*all, h.data());
            for (int64_t i = 0; i < rows; ++i) {
              if (anyNullAt(args, i)) {
                b.null();
                continue;
              }
              seen.clear();
              const Column& l = *args[0];
              if (op == SetOp::Intersect || op == SetOp::Except) {
                other.clear();
                for (int32_t j = args[1]->listBegin(i); j < args[1]->listEnd(i); ++j)
                  other.insert(j + shift);
              }
              for (int32_t j = l.listBegin(i); j < l.listEnd(i); ++j) {
                bool inOther = op == SetOp::Intersect || op == SetOp::Except
                                   ? other.contains(*all, j, h[static_cast<size_t>(j)])
                                   : false;
                if (op == SetOp::Intersect && !inOther) continue;
                if (op == SetOp::Except && inOther) continue;
                if (!seen.insert(j)) b.add(*all, j);
              }
              if (op == SetOp::Union)
                for (int32_t j = args[1]->listBegin(i); j < args[1]->listEnd(i); ++j)
                  if (!seen.insert(j + shift)) b.add(*all, j + shift);
              b.row();
            }
            return b.finish();
          }};
}

// ---- arrays_overlap(a, b): true on a common non-null element; NULL if none but a NULL ----
BoundFunction bindOverlap(Types types, Lits) {
  checkArity("arrays_overlap", types, 2, 2);
  std::vector<DataType> arrays = {arrayArg("arrays_overlap", types, 0),
                                  arrayArg("arrays_overlap", types, 1)};
  DataType at = DataType::array(widerElement("arrays_overlap", arrays));
  return {DataType::boolean(), true, {at, at}, [](std::span<const ColumnPtr> args, int64_t rows) {
            auto out = makeResult(DataType::boolean(), args, rows);
            uint8_t* o = out->mutableValues<uint8_t>();
            ListView a(*args[0]), b(*args[1]);
            for (int64_t i = 0; i < rows; ++i) {
              o[i] = 0;
              if (out->isNull(i)) continue;
              for (int32_t j = a.begin(i); j < a.end(i) && !o[i]; ++j)
                for (int32_t k = b.begin(i); k < b.end(i) && !o[i]; ++k)
                  o[i] =
                      !a.elems.isNull(j) && !b.elems.isNull(k) && rowsEqual(a.elems, j, b.elems, k);
              if (!o[i] && (a.hasNullElement(i) || b.hasNullElement(i)) && a.end(i) > a.begin(i) &&
                  b.end(i) > b.begin(i))
                out->setNull(i);
            }
            return out;
          }};
}

// ---- sort_array(arr[, asc]) (NULLs first ascending, last descending), array_sort(arr)
// (ascending, NULLs last) ----
ColumnPtr sortLists(const Column& c, const DataType& at, bool asc, bool nullsLast) {
  ListBuilder b(at);
  ListView a(c);
  std::vector<int32_t> order;
  for (int64_t i = 0; i < c.size(); ++i) {
    if (c.isNull(i)) {
      b.null();
      continue;
    }
    order.resize(static_cast<size_t>(a.end(i) - a.begin(i)));
    std::iota(order.begin(), order.end(), a.begin(i));
    std::stable_sort(order.begin(), order.end(), [&](int32_t x, int32_t y) {
      bool xn = a.elems.isNull(x), yn = a.elems.isNull(y);
      if (xn || yn) return xn != yn && (xn != nullsLast);
      int r = compareRows(a.elems, x, a.elems, y);
      return asc ? r < 0 : r > 0;
    });
    for (int32_t j : order) b.add(a.elems, j);
    b.row();
  }
  return b.finish();
}

BoundFunction bindSortArray(Types types, Lits lits) {
  checkArity("sort_array", types, 1, 2);
  DataType at = arrayArg("sort_array", types, 0);
  bool asc = true;
  if (types.size() == 2) {
    if (types[1].id() != TypeId::Boolean || !lits[1] || lits[1]->isNull())
      bindError("sort_array", "the second argument must be a boolean literal (ascending)");
    asc = lits[1]->asBool();
  }
  std::vector<DataType> args(types.begin(), types.end());
  args[0] = at;
  return {at, true, args, [at, asc](std::span<const ColumnPtr> a, int64_t) {
            return sortLists(*a[0], at, asc, !asc);
          }};
}

BoundFunction bindArraySort(Types types, Lits) {
  checkArity("array_sort", types, 1, 1);
  DataType at = arrayArg("array_sort", types, 0);
  return {at, true, {at}, [at](std::span<const ColumnPtr> a, int64_t) {
            return sortLists(*a[0], at, true, true);
          }};
}

// ---- array_min / array_max: NULL elements skipped; NULL for an empty array ----
decltype(ScalarFunction::bind) bindMinMax(const std::string& fn, bool max) {
  return [fn, max](Types types, Lits) -> BoundFunction {
    checkArity(fn, types, 1, 1);
    DataType at = arrayArg(fn, types, 0);
    return {at.elementType(), true, {at}, [max](std::span<const ColumnPtr> args, int64_t rows) {
              ListView a(*args[0]);
              auto out = Column::make(a.elems.type());
              for (int64_t i = 0; i < rows; ++i) {
                int32_t best = -1;
                if (!args[0]->isNull(i))
                  for (int32_t j = a.begin(i); j < a.end(i); ++j) {
                    if (a.elems.isNull(j)) continue;
                    int r = best < 0 ? 0 : compareRows(a.elems, j, a.elems, best);
                    if (best < 0 || (max ? r > 0 : r < 0)) best = j;
                  }
                if (best < 0)
                  out->appendNull();
                else
                  out->appendFrom(a.elems, best);
              }
              return out;
            }};
  };
}

// ---- array_join(arr, delim[, nullReplacement]) ----
BoundFunction bindJoin(Types types, Lits) {
  checkArity("array_join", types, 2, 3);
  DataType at = arrayArg("array_join", types, 0);
  if (at.elementType().isNested())
    bindError("array_join", "expects an array of atomic values, got " + at.toString());
  // (sized up front: GCC 12 -O2 warns falsely about push_back after a list initialiser)
  std::vector<DataType> args(types.size(), kStrType());
  args[0] = at;
  return {kStrType(), true, args, [](std::span<const ColumnPtr> a, int64_t rows) {
            ListView l(*a[0]);
            ColumnPtr strs = castColumn(l.list.children()[0], kStrType());
            bool replace = a.size() == 3;
            return stringRows(a, rows, [&](const RowArgs& r, int64_t i, StringBuilder& b) {
              std::string s;
              bool first = true;
              for (int32_t j = l.begin(i); j < l.end(i); ++j) {
                if (strs->isNull(j) && !replace) continue;
                if (!first) s += r.str(1, i);
                first = false;
                s += strs->isNull(j) ? r.str(2, i) : strs->stringAt(j);
              }
              b.append(s);
            });
          }};
}

// ---- slice(arr, start, length): start 1-based (negative from the end) ----
BoundFunction bindSlice(Types types, Lits) {
  checkArity("slice", types, 3, 3);
  DataType at = arrayArg("slice", types, 0);
  for (size_t k = 1; k < 3; ++k)
    if (!types[k].isInteger() && !isNullType(types[k]))
      bindError("slice", "start and length must be integers, got " + types[k].toString());
  return {at, true, {at, kInt(), kInt()}, [at](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(at);
            ListView a(*args[0]);
            for (int64_t i = 0; i < rows; ++i) {
              if (args[0]->isNull(i) || args[1]->isNull(i) || args[2]->isNull(i)) {
                b.null();
                continue;
              }
              int64_t start = args[1]->valueAt<int32_t>(i), len = args[2]->valueAt<int32_t>(i);
              int64_t n = a.end(i) - a.begin(i);
              if (start == 0) throw UserError("slice: SQL array indices start at 1; got start 0");
              if (len < 0)
                throw UserError("slice: the length must be at least 0; got " + std::to_string(len));
              int64_t from = start > 0 ? start - 1 : n + start;
              if (from < 0) from = n;  // before the first element: empty (Spark)
              for (int64_t k = from; k < std::min(n, from + len); ++k)
                b.add(a.elems, a.begin(i) + k);
              b.row();
            }
            return b.finish();
          }};
}

// ---- flatten(array<array<T>>): NULL if any inner array is NULL ----
BoundFunction bindFlatten(Types types, Lits) {
  checkArity("flatten", types, 1, 1);
  DataType at = arrayArg("flatten", types, 0);
  if (!isArray(at.elementType()))
    bindError("flatten", "expects an array of arrays, got " + at.toString());
  DataType result = at.elementType();
  return {result, true, {at}, [result](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(result);
            ListView outer(*args[0]);
            ListView inner(outer.elems);
            for (int64_t i = 0; i < rows; ++i) {
              bool isNull = args[0]->isNull(i);
              for (int32_t j = outer.begin(i); j < outer.end(i) && !isNull; ++j)
                isNull = outer.elems.isNull(j);
              if (isNull) {
                b.null();
                continue;
              }
              for (int32_t j = outer.begin(i); j < outer.end(i); ++j)
                for (int32_t k = inner.begin(j); k < inner.end(j); ++k) b.add(inner.elems, k);
              b.row();
            }
            return b.finish();
          }};
}

// ---- sequence(start, stop[, step]) over integers ----
constexpr int64_t kMaxSequence = 10'000'000;

BoundFunction bindSequence(Types types, Lits) {
  checkArity("sequence", types, 2, 3);
  DataType e = DataType::null();
  for (const auto& t : types) {
    if (!t.isInteger() && !isNullType(t))
      bindError("sequence",
                "expects integer arguments (start, stop[, step]), got " + typeList(types));
    e = *commonType(e, t);
  }
  if (isNullType(e)) e = kInt();
  DataType result = DataType::array(e);
  return {result, true, std::vector<DataType>(types.size(), DataType::int64()),
          [result](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(result);
            for (int64_t i = 0; i < rows; ++i) {
              if (anyNullAt(args, i)) {
                b.null();
                continue;
              }
              int64_t start = args[0]->valueAt<int64_t>(i), stop = args[1]->valueAt<int64_t>(i);
              int64_t step =
                  args.size() == 3 ? args[2]->valueAt<int64_t>(i) : (stop >= start ? 1 : -1);
              if (step == 0 || (stop > start && step < 0) || (stop < start && step > 0))
                throw UserError("sequence(" + std::to_string(start) + ", " + std::to_string(stop) +
                                ", " + std::to_string(step) +
                                "): the step must be non-zero and go from start towards stop");
              int128_t count = (static_cast<int128_t>(stop) - start) / step + 1;
              if (count > kMaxSequence)
                throw UserError("sequence: " + std::to_string(static_cast<int64_t>(count)) +
                                " elements exceed the limit of " + std::to_string(kMaxSequence));
              Column& out = b.elems();
              for (int128_t k = 0; k < count; ++k) {
                auto v = static_cast<int64_t>(start + k * step);
                switch (out.type().id()) {
                  case TypeId::Int8:
                    out.append<int8_t>(static_cast<int8_t>(v));
                    break;
                  case TypeId::Int16:
                    out.append<int16_t>(static_cast<int16_t>(v));
                    break;
                  case TypeId::Int32:
                    out.append<int32_t>(static_cast<int32_t>(v));
                    break;
                  default:
                    out.append<int64_t>(v);
                }
              }
              b.row();
            }
            return b.finish();
          }};
}

// ---- array_repeat(element, count) ----
BoundFunction bindRepeat(Types types, Lits) {
  checkArity("array_repeat", types, 2, 2);
  if (!types[1].isInteger() && !isNullType(types[1]))
    bindError("array_repeat", "the count must be an integer, got " + types[1].toString());
  DataType result = DataType::array(types[0]);
  return {
      result, true, {types[0], kInt()}, [result](std::span<const ColumnPtr> args, int64_t rows) {
        ListBuilder b(result);
        for (int64_t i = 0; i < rows; ++i) {
          if (args[1]->isNull(i)) {
            b.null();
            continue;
          }
          int32_t n = args[1]->valueAt<int32_t>(i);
          if (n > kMaxSequence)
            throw UserError("array_repeat: a count of " + std::to_string(n) +
                            " exceeds the limit of " + std::to_string(kMaxSequence));
          for (int32_t k = 0; k < n; ++k) b.add(*args[0], i);
          b.row();
        }
        return b.finish();
      }};
}

// ---- split(str, regex[, limit]): Java's String.split with a negative limit (trailing
// empty strings kept); limit > 0 caps the number of parts ----
void splitInto(std::string_view s, const RE2& re, int64_t limit, Column& out) {
  size_t pos = 0, from = 0;
  int64_t parts = 0;
  re2::StringPiece m;
  while ((limit <= 0 || parts + 1 < limit) && from <= s.size() &&
         re.Match(re2::StringPiece(s.data(), s.size()), from, s.size(), RE2::UNANCHORED, &m, 1)) {
    size_t mb = static_cast<size_t>(m.data() - s.data()), me = mb + m.size();
    if (m.empty()) {
      if (mb >= s.size()) break;
      size_t next = mb + 1;
      while (next < s.size() && (static_cast<uint8_t>(s[next]) & 0xC0) == 0x80) ++next;
      if (mb == 0) {  // a zero-width match at the start yields no leading empty part
        from = next;
        continue;
      }
      out.appendString(s.substr(pos, mb - pos));
      pos = mb;
      from = next;
    } else {
      out.appendString(s.substr(pos, mb - pos));
      pos = from = me;
    }
    ++parts;
  }
  out.appendString(s.substr(pos));
}

std::shared_ptr<const RE2> compileSplit(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, o);
  if (!re->ok())
    throw UserError("split: invalid regular expression '" + pattern + "': " + re->error());
  return re;
}

BoundFunction bindSplit(Types types, Lits lits) {
  checkArity("split", types, 2, 3);
  for (size_t k = 0; k < 2; ++k)
    if (!implicitlyCastable(types[k], kStrType()))
      bindError("split", "expects (str, regex[, limit]) with strings, got " + typeList(types));
  std::shared_ptr<const RE2> fixed;
  if (lits[1] && !lits[1]->isNull()) fixed = compileSplit(lits[1]->asString());
  std::vector<DataType> args(types.size(), kStrType());
  if (types.size() == 3) args[2] = kInt();
  DataType result = DataType::array(kStrType());
  return {result, true, args, [fixed, result](std::span<const ColumnPtr> a, int64_t rows) {
            ListBuilder b(result);
            RowArgs r(a);
            std::shared_ptr<const RE2> re = fixed;
            std::string last;
            for (int64_t i = 0; i < rows; ++i) {
              if (r.anyNull(i)) {
                b.null();
                continue;
              }
              if (!fixed && (!re || last != r.str(1, i))) {
                last = std::string(r.str(1, i));
                re = compileSplit(last);
              }
              int64_t limit = a.size() == 3 ? r.val<int32_t>(2, i) : -1;
              splitInto(r.str(0, i), *re, limit, b.elems());
              b.row();
            }
            return b.finish();
          }};
}

// ---- concat(arrays...) and reverse(array) (the string forms stay as they were) ----
BoundFunction bindConcatArrays(Types types) {
  std::vector<DataType> arrays;
  for (size_t k = 0; k < types.size(); ++k) arrays.push_back(arrayArg("concat", types, k));
  DataType at = DataType::array(widerElement("concat", arrays));
  return {at, true, std::vector<DataType>(types.size(), at),
          [at](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(at);
            for (int64_t i = 0; i < rows; ++i) {
              if (anyNullAt(args, i)) {
                b.null();
                continue;
              }
              for (const auto& a : args)
                for (int32_t j = a->listBegin(i); j < a->listEnd(i); ++j) b.add(a->child(0), j);
              b.row();
            }
            return b.finish();
          }};
}

BoundFunction bindReverseArray(const DataType& at) {
  return {at, true, {at}, [at](std::span<const ColumnPtr> args, int64_t rows) {
            ListBuilder b(at);
            ListView a(*args[0]);
            for (int64_t i = 0; i < rows; ++i) {
              if (args[0]->isNull(i)) {
                b.null();
                continue;
              }
              for (int32_t j = a.end(i) - 1; j >= a.begin(i); --j) b.add(a.elems, j);
              b.row();
            }
            return b.finish();
          }};
}

// Wraps a registered string function so that array arguments take the array form.
void overloadForArrays(FunctionRegistry& r, const std::string& name,
                       std::function<BoundFunction(Types)> arrayBind) {
  const ScalarFunction* old = r.find(name);
  EMBER_CHECK(old != nullptr, "no function " + name + " to overload");
  ScalarFunction f = *old;
  auto stringBind = f.bind;
  f.usage += " / " + name + "(arrays...) - the array form";
  f.bind = [stringBind, arrayBind](Types types, Lits lits) {
    bool anyArray = std::any_of(types.begin(), types.end(), isArray);
    return anyArray ? arrayBind(types) : stringBind(types, lits);
  };
  r.add(std::move(f));
}

}  // namespace

void registerArrays(FunctionRegistry& r) {
  r.add(withBind("array", {}, "array(e1, e2, ...) - an array of the arguments", bindArray));
  r.add(withBind("size", {"cardinality"}, "size(array | map) - the number of elements; -1 for NULL",
                 bindSize));
  r.add(withBind("array_contains", {},
                 "array_contains(arr, v) - whether arr holds v (NULL if not but arr holds a NULL)",
                 bindContains));
  r.add(withBind("array_position", {},
                 "array_position(arr, v) - the 1-based position of the first v, 0 if none",
                 bindPosition));
  r.add(withBind("array_remove", {}, "array_remove(arr, v) - arr without the elements equal to v",
                 bindRemove));
  r.add(withBind("element_at", {},
                 "element_at(arr, i) - element i (1-based; negative counts from the end; NULL "
                 "when out of range) / element_at(map, key) - the key's value",
                 bindAt("element_at", true)));
  r.add(withBind("get", {},
                 "get(arr, i) / arr[i] - element i (0-based; NULL when out of range) / map[key]",
                 bindAt("get", false)));
  for (auto [name, op] :
       {std::pair{"array_distinct", SetOp::Distinct}, std::pair{"array_union", SetOp::Union},
        std::pair{"array_intersect", SetOp::Intersect}, std::pair{"array_except", SetOp::Except}}) {
    std::string fn = name;
    SetOp o = op;
    r.add(withBind(fn, {},
                   fn + (o == SetOp::Distinct ? "(arr) - arr without duplicates"
                                              : "(a, b) - set operation, without duplicates"),
                   [fn, o](Types t, Lits) { return bindSetOp(fn, o, t); }));
  }
  r.add(withBind("arrays_overlap", {},
                 "arrays_overlap(a, b) - whether a and b share a non-null element", bindOverlap));
  r.add(withBind("sort_array", {},
                 "sort_array(arr[, asc]) - sorted (NULLs first when ascending, last when "
                 "descending)",
                 bindSortArray));
  r.add(
      withBind("array_sort", {}, "array_sort(arr) - sorted ascending, NULLs last", bindArraySort));
  r.add(withBind("array_min", {}, "array_min(arr) - the smallest non-null element",
                 bindMinMax("array_min", false)));
  r.add(withBind("array_max", {}, "array_max(arr) - the largest non-null element",
                 bindMinMax("array_max", true)));
  r.add(withBind("array_join", {},
                 "array_join(arr, delim[, nullReplacement]) - the elements as one string "
                 "(NULLs skipped unless replaced)",
                 bindJoin));
  r.add(withBind("slice", {},
                 "slice(arr, start, length) - length elements from start (1-based; negative "
                 "counts from the end)",
                 bindSlice));
  r.add(withBind("flatten", {}, "flatten(arr of arrays) - the inner arrays concatenated",
                 bindFlatten));
  r.add(withBind("sequence", {},
                 "sequence(start, stop[, step]) - integers from start to stop inclusive",
                 bindSequence));
  r.add(withBind("array_repeat", {}, "array_repeat(e, n) - an array of n copies of e", bindRepeat));
  r.add(withBind("split", {},
                 "split(str, regex[, limit]) - str split around matches of regex (limit > 0: at "
                 "most limit parts)",
                 bindSplit));
  // Higher-order functions: resolved and run by analyzer_lambda.cpp / exec_lambda.cpp; the
  // entries give SHOW FUNCTIONS and DESCRIBE FUNCTION their usage.
  for (const char* name : {"transform", "filter", "exists", "forall", "aggregate", "reduce"}) {
    std::string n = name;
    r.add(withBind(n, {}, higherOrderUsage(n), [n](Types, Lits) -> BoundFunction {
      bindError(n, "needs a lambda argument: " + higherOrderUsage(n));
    }));
  }
  overloadForArrays(r, "concat", bindConcatArrays);
  overloadForArrays(r, "reverse", [](Types t) -> BoundFunction {
    checkArity("reverse", t, 1, 1);
    return bindReverseArray(t[0]);
  });
}

}  // namespace ember::sql::fn
