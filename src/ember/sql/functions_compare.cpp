// Comparisons (= <> < <= > >= <=>), IN lists, greatest/least. Operands are coerced to
// commonType (Spark's comparison coercion: string vs date compares as dates, string vs
// number as the number's type). Floats order NaN above everything and NaN = NaN, as
// Spark does; strings compare bytewise (UTF-8 code point order).
#include <algorithm>
#include <cmath>

#include "ember/columnar/nested_ops.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

template <class T>
inline bool eqT(T x, T y) {
  if constexpr (kIsFloat<T>)
    return x == y || (std::isnan(x) && std::isnan(y));
  else
    return x == y;
}
template <class T>
inline bool ltT(T x, T y) {
  if constexpr (kIsFloat<T>)
    return x < y || (!std::isnan(x) && std::isnan(y));
  else
    return x < y;
}

template <class T>
inline bool apply(CmpOp op, T x, T y) {
  switch (op) {
    case CmpOp::Eq:
    case CmpOp::NullSafeEq:
      return eqT(x, y);
    case CmpOp::Ne:
      return !eqT(x, y);
    case CmpOp::Lt:
      return ltT(x, y);
    case CmpOp::Le:
      return !ltT(y, x);
    case CmpOp::Gt:
      return ltT(y, x);
    default:
      return !ltT(x, y);
  }
}

// One loop per operator, so the switch is outside the hot loop.
template <CmpOp Op, class T>
void cmpLoop(const T* x, const T* y, uint8_t* o, int64_t rows) {
  for (int64_t i = 0; i < rows; ++i) o[i] = apply(Op, x[i], y[i]);
}

template <CmpOp Op>
void cmpStrings(const Column& a, const Column& b, uint8_t* o, int64_t rows) {
  for (int64_t i = 0; i < rows; ++i) o[i] = apply(Op, a.stringAt(i), b.stringAt(i));
}

template <CmpOp Op>
void cmpDispatch(const Column& a, const Column& b, uint8_t* o, int64_t rows) {
  if (a.type().id() == TypeId::String) return cmpStrings<Op>(a, b, o, rows);
  visitFixed(a.type(), [&](auto tag) {
    using T = decltype(tag);
    cmpLoop<Op, T>(a.values<T>(), b.values<T>(), o, rows);
  });
}

}  // namespace

ColumnPtr compareColumns(CmpOp op, const ColumnPtr& a, const ColumnPtr& b, int64_t rows) {
  ColumnPtr out = Column::make(DataType::boolean(), rows);
  uint8_t* o = out->mutableValues<uint8_t>();
  if (a->type().isNested()) {
    // Arrays and structs: element-wise order (nested_ops.h); NULL elements compare equal.
    for (int64_t i = 0; i < rows; ++i) {
      bool an = a->isNull(i), bn = b->isNull(i);
      if (an || bn) {
        o[i] = op == CmpOp::NullSafeEq && an && bn;
        continue;
      }
      int c = compareRows(*a, i, *b, i);
      o[i] = op == CmpOp::Eq || op == CmpOp::NullSafeEq ? c == 0
             : op == CmpOp::Ne                          ? c != 0
             : op == CmpOp::Lt                          ? c < 0
             : op == CmpOp::Le                          ? c <= 0
             : op == CmpOp::Gt                          ? c > 0
                                                        : c >= 0;
    }
    if (op != CmpOp::NullSafeEq) propagateNulls(*out, {a.get(), b.get()}, rows);
    return out;
  }
  if (a->type().id() == TypeId::Null) {
    std::fill(o, o + rows, op == CmpOp::NullSafeEq && b->type().id() == TypeId::Null);
  } else {
    switch (op) {
      case CmpOp::Eq:
      case CmpOp::NullSafeEq:
        cmpDispatch<CmpOp::Eq>(*a, *b, o, rows);
        break;
      case CmpOp::Ne:
        cmpDispatch<CmpOp::Ne>(*a, *b, o, rows);
        break;
      case CmpOp::Lt:
        cmpDispatch<CmpOp::Lt>(*a, *b, o, rows);
        break;
      case CmpOp::Le:
        cmpDispatch<CmpOp::Le>(*a, *b, o, rows);
        break;
      case CmpOp::Gt:
        cmpDispatch<CmpOp::Gt>(*a, *b, o, rows);
        break;
      case CmpOp::Ge:
        cmpDispatch<CmpOp::Ge>(*a, *b, o, rows);
        break;
    }
  }
  if (op != CmpOp::NullSafeEq) {
    propagateNulls(*out, {a.get(), b.get()}, rows);
    return out;
  }
  // <=>: NULL <=> NULL is true, NULL <=> x false; never NULL.
  const uint64_t *va = a->validity(), *vb = b->validity();
  if (va || vb)
    for (int64_t i = 0; i < rows; ++i) {
      bool x = bitSet(va, i), y = bitSet(vb, i);
      if (!x || !y) o[i] = !x && !y;
    }
  return out;
}

namespace {

BoundFunction bindCompare(CmpOp op, const std::string& name, std::span<const DataType> types) {
  checkArity(name, types, 2, 2);
  std::optional<DataType> t = commonType(types[0], types[1]);
  if (!t || t->id() == TypeId::Map)
    bindError(name, "cannot compare " + types[0].toString() + " with " + types[1].toString());
  DataType ct = isNullType(*t) ? DataType::boolean() : *t;
  return {DataType::boolean(),
          op == CmpOp::NullSafeEq ? false : true,
          {ct, ct},
          [op](std::span<const ColumnPtr> args, int64_t rows) {
            return compareColumns(op, args[0], args[1], rows);
          }};
}

ScalarFunction comparison(CmpOp op, std::string name, std::string usage) {
  ScalarFunction f;
  f.name = name;
  f.usage = std::move(usage);
  f.bind = [op, name](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    return bindCompare(op, name, types);
  };
  return f;
}

// value IN (list...): true on a match; else NULL if the value or any list item is NULL.
// Each list argument is compared with a column-wide equality loop, ORing the matches
// and tracking NULLs, so the cost is rows x list with no per-row dispatch.
ColumnPtr inKernel(std::span<const ColumnPtr> args, int64_t rows) {
  const ColumnPtr& v = args[0];
  ColumnPtr out = Column::make(DataType::boolean(), rows);
  uint8_t* o = out->mutableValues<uint8_t>();
  std::fill(o, o + rows, 0);
  std::vector<uint8_t> sawNull(static_cast<size_t>(rows), 0);
  for (size_t k = 1; k < args.size(); ++k) {
    ColumnPtr eq = compareColumns(CmpOp::Eq, v, args[k], rows);
    const uint8_t* e = eq->values<uint8_t>();
    const uint64_t* ev = eq->validity();
    const uint64_t* lv = args[k]->validity();
    for (int64_t i = 0; i < rows; ++i) {
      o[i] |= e[i] & static_cast<uint8_t>(bitSet(ev, i));
      sawNull[static_cast<size_t>(i)] |= !bitSet(lv, i);
    }
  }
  const uint64_t* vv = v->validity();
  for (int64_t i = 0; i < rows; ++i)
    if (!bitSet(vv, i) || (!o[i] && sawNull[static_cast<size_t>(i)]))
      clearBit(out->mutableValidity(), i);
  return out;
}

// IN over a long list of literals: the list (row 0 of each constant column) is sorted
// once per batch and every row is a binary search instead of one pass per item.
template <class T>
void inSortedFixed(std::span<const ColumnPtr> args, int64_t rows, uint8_t* o, bool& listNull) {
  std::vector<T> list;
  for (size_t k = 1; k < args.size(); ++k) {
    if (args[k]->isNull(0))
      listNull = true;
    else
      list.push_back(args[k]->values<T>()[0]);
  }
  auto lt = [](T a, T b) { return ltT(a, b); };
  std::sort(list.begin(), list.end(), lt);
  const T* x = args[0]->values<T>();
  for (int64_t i = 0; i < rows; ++i) o[i] = std::binary_search(list.begin(), list.end(), x[i], lt);
}

ColumnPtr inSortedKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = Column::make(DataType::boolean(), rows);
  if (rows == 0) return out;
  uint8_t* o = out->mutableValues<uint8_t>();
  bool listNull = false;
  if (args[0]->type().id() == TypeId::String) {
    std::vector<std::string_view> list;
    for (size_t k = 1; k < args.size(); ++k) {
      if (args[k]->isNull(0))
        listNull = true;
      else
        list.push_back(args[k]->stringAt(0));
    }
    std::sort(list.begin(), list.end());
    for (int64_t i = 0; i < rows; ++i)
      o[i] = std::binary_search(list.begin(), list.end(), args[0]->stringAt(i));
  } else {
    visitFixed(args[0]->type(),
               [&](auto tag) { inSortedFixed<decltype(tag)>(args, rows, o, listNull); });
  }
  const uint64_t* vv = args[0]->validity();
  for (int64_t i = 0; i < rows; ++i)
    if (!bitSet(vv, i) || (!o[i] && listNull)) clearBit(out->mutableValidity(), i);
  return out;
}

// greatest/least: NULLs are skipped; NULL only when every argument is NULL (Spark).
template <class T, bool Greatest>
void pickLoop(std::span<const ColumnPtr> args, T* o, uint64_t* valid, int64_t rows) {
  for (int64_t i = 0; i < rows; ++i) {
    bool have = false;
    for (const auto& c : args) {
      if (c->isNull(i)) continue;
      T x = c->values<T>()[i];
      if (!have || (Greatest ? ltT(o[i], x) : ltT(x, o[i]))) o[i] = x;
      have = true;
    }
    if (!have) clearBit(valid, i);
  }
}

template <bool Greatest>
ColumnPtr pickKernel(const DataType& t, std::span<const ColumnPtr> args, int64_t rows) {
  if (t.id() == TypeId::String) {
    StringBuilder b(rows, args[0]->charsSize());
    for (int64_t i = 0; i < rows; ++i) {
      const Column* best = nullptr;
      for (const auto& c : args)
        if (c->isValid(i) && (!best || (Greatest ? best->stringAt(i) < c->stringAt(i)
                                                 : c->stringAt(i) < best->stringAt(i))))
          best = c.get();
      best ? b.append(best->stringAt(i)) : b.null();
    }
    return b.finish();
  }
  ColumnPtr out = Column::make(t, rows);
  uint64_t* valid = out->mutableValidity();
  visitFixed(t, [&](auto tag) {
    using T = decltype(tag);
    pickLoop<T, Greatest>(args, out->mutableValues<T>(), valid, rows);
  });
  out->compactValidity();
  return out;
}

template <bool Greatest>
ScalarFunction pick(std::string name) {
  ScalarFunction f;
  f.name = name;
  f.usage =
      name + "(a, b, ...) - the " + (Greatest ? "largest" : "smallest") + " non-NULL argument";
  f.bind = [name](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    checkArity(name, types, 2, SIZE_MAX);
    DataType t = types[0];
    for (size_t i = 1; i < types.size(); ++i) {
      auto w = widerType(t, types[i]);
      if (!w) bindError(name, "arguments have no common type: " + typeList(types));
      t = *w;
    }
    if (t.isNested()) bindError(name, "cannot order " + t.toString());
    if (isNullType(t))  // every argument is an untyped NULL: so is the answer
      return BoundFunction{
          t, true, std::vector<DataType>(types.size(), t),
          [t](std::span<const ColumnPtr>, int64_t rows) { return Column::nulls(t, rows); }};
    return BoundFunction{t, true, std::vector<DataType>(types.size(), t),
                         [t](std::span<const ColumnPtr> args, int64_t rows) {
                           return pickKernel<Greatest>(t, args, rows);
                         }};
  };
  return f;
}

}  // namespace

void registerComparison(FunctionRegistry& r) {
  r.add(comparison(CmpOp::Eq, "=", "a = b - equality (NULL if either is NULL)"));
  r.add(comparison(CmpOp::Ne, "<>", "a <> b - inequality"));
  r.add(comparison(CmpOp::Lt, "<", "a < b"));
  r.add(comparison(CmpOp::Le, "<=", "a <= b"));
  r.add(comparison(CmpOp::Gt, ">", "a > b"));
  r.add(comparison(CmpOp::Ge, ">=", "a >= b"));
  r.add(comparison(CmpOp::NullSafeEq, "<=>", "a <=> b - null-safe equality (never NULL)"));
  if (const ScalarFunction* ne = r.find("<>")) {
    ScalarFunction alias = *ne;
    alias.name = "!=";
    r.add(alias);
  }
  ScalarFunction in;
  in.name = "in";
  in.usage = "value IN (v1, v2, ...) - whether value equals one of the list";
  in.bind = [](std::span<const DataType> types, std::span<const std::optional<Value>> lits) {
    checkArity("in", types, 2, SIZE_MAX);
    // Long all-literal lists take the sorted-probe kernel (a literal arrives as a
    // constant column, so its row 0 is its value).
    bool allLiteral = types.size() > 7;
    for (size_t i = 1; i < lits.size() && allLiteral; ++i) allLiteral = lits[i].has_value();
    DataType t = types[0];
    for (size_t i = 1; i < types.size(); ++i) {
      auto c = commonType(t, types[i]);
      if (!c)
        bindError("in", "cannot compare " + types[0].toString() + " with list item " +
                            types[i].toString());
      t = *c;
    }
    if (isNullType(t)) t = DataType::boolean();
    return BoundFunction{DataType::boolean(), true, std::vector<DataType>(types.size(), t),
                         allLiteral ? ScalarKernel(inSortedKernel) : ScalarKernel(inKernel)};
  };
  r.add(in);
  r.add(pick<true>("greatest"));
  r.add(pick<false>("least"));
}

}  // namespace ember::sql::fn
