// Boolean logic with SQL three-valued logic (and, or, not), NULL tests, and the
// conditional functions (case, if, coalesce, ifnull/nvl, nullif, nvl2).
#include <algorithm>

#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

ColumnPtr chooseRows(const DataType& t, std::span<const ColumnPtr> sources, const int32_t* sel,
                     int64_t rows) {
  if (t.id() == TypeId::Null) return Column::nulls(t, rows);
  if (t.id() == TypeId::String) {
    StringBuilder b(rows, sources.empty() ? 0 : sources[0]->charsSize());
    for (int64_t i = 0; i < rows; ++i) {
      if (sel[i] < 0 || sources[sel[i]]->isNull(i))
        b.null();
      else
        b.append(sources[sel[i]]->stringAt(i));
    }
    return b.finish();
  }
  if (t.isNested()) {
    auto out = Column::make(t);
    for (int64_t i = 0; i < rows; ++i) {
      if (sel[i] < 0)
        out->appendNull();
      else
        out->appendFrom(*sources[sel[i]], i);
    }
    out->compactValidity();
    return out;
  }
  ColumnPtr out = Column::make(t, rows);
  uint64_t* valid = out->mutableValidity();
  visitFixed(t, [&](auto tag) {
    using T = decltype(tag);
    T* o = out->mutableValues<T>();
    for (int64_t i = 0; i < rows; ++i) {
      if (sel[i] < 0 || sources[sel[i]]->isNull(i)) {
        o[i] = T{};
        clearBit(valid, i);
      } else {
        o[i] = sources[sel[i]]->values<T>()[i];
      }
    }
  });
  out->compactValidity();
  return out;
}

namespace {

// AND: false wins over NULL; OR: true wins over NULL. Values under NULL rows may be
// garbage, so each output is derived only from the valid inputs.
template <bool And>
ColumnPtr andOr(std::span<const ColumnPtr> args, int64_t rows) {
  const Column &a = *args[0], &b = *args[1];
  ColumnPtr out = Column::make(DataType::boolean(), rows);
  const uint8_t *x = a.values<uint8_t>(), *y = b.values<uint8_t>();
  uint8_t* o = out->mutableValues<uint8_t>();
  const uint64_t *va = a.validity(), *vb = b.validity();
  if (!va && !vb) {
    for (int64_t i = 0; i < rows; ++i) o[i] = And ? (x[i] & y[i]) : (x[i] | y[i]);
    return out;
  }
  uint64_t* v = out->mutableValidity();
  for (int64_t i = 0; i < rows; ++i) {
    bool ka = bitSet(va, i), kb = bitSet(vb, i);
    bool xa = ka && x[i], xb = kb && y[i];
    if (And) {
      bool known = (ka && kb) || (ka && !xa) || (kb && !xb);
      o[i] = xa && xb;
      if (!known) clearBit(v, i);
    } else {
      bool known = (ka && kb) || xa || xb;
      o[i] = xa || xb;
      if (!known) clearBit(v, i);
    }
  }
  out->compactValidity();
  return out;
}

ColumnPtr notKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return mapUnary<uint8_t, uint8_t>(args[0], DataType::boolean(), rows,
                                    [](uint8_t x) { return x == 0; });
}

template <bool WantNull>
ColumnPtr nullTest(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = Column::make(DataType::boolean(), rows);
  uint8_t* o = out->mutableValues<uint8_t>();
  const uint64_t* v = args[0]->validity();
  for (int64_t i = 0; i < rows; ++i) o[i] = bitSet(v, i) != WantNull;
  return out;
}

ScalarFunction boolFn(std::string name, std::string usage, size_t arity, ScalarKernel k) {
  ScalarFunction f;
  f.name = name;
  f.usage = std::move(usage);
  f.bind = [name, arity, k](std::span<const DataType> types,
                            std::span<const std::optional<Value>>) {
    checkArity(name, types, arity, arity);
    for (const auto& t : types)
      if (t.id() != TypeId::Boolean && !isNullType(t))
        bindError(name, "expects boolean arguments, got " + typeList(types));
    return BoundFunction{DataType::boolean(), true,
                         std::vector<DataType>(arity, DataType::boolean()), k};
  };
  return f;
}

ScalarFunction nullTestFn(std::string name, bool wantNull) {
  ScalarFunction f;
  f.name = name;
  f.usage = name + "(x) - whether x is " + (wantNull ? "" : "not ") + "NULL";
  f.bind = [name, wantNull](std::span<const DataType> types,
                            std::span<const std::optional<Value>>) {
    checkArity(name, types, 1, 1);
    ScalarKernel k = wantNull ? ScalarKernel(nullTest<true>) : ScalarKernel(nullTest<false>);
    return BoundFunction{DataType::boolean(), false, {types[0]}, k};
  };
  return f;
}

// The wider type of all `types` (Spark's CASE/COALESCE coercion).
DataType widerOf(const std::string& name, std::span<const DataType> types) {
  DataType t;
  for (const auto& x : types) {
    auto w = widerType(t, x);
    if (!w) bindError(name, "branches have no common type: " + typeList(types));
    t = *w;
  }
  return t;
}

// case(cond1, val1, ..., [else]): each row takes the first branch whose condition is
// true (NULL counts as false).
BoundFunction bindCase(std::span<const DataType> types, std::span<const std::optional<Value>>) {
  checkArity("case", types, 2, SIZE_MAX);
  size_t pairs = types.size() / 2;
  bool hasElse = types.size() % 2 == 1;
  std::vector<DataType> values;
  for (size_t i = 0; i < pairs; ++i) {
    if (types[2 * i].id() != TypeId::Boolean && !isNullType(types[2 * i]))
      bindError("case", "WHEN condition " + std::to_string(i + 1) + " must be boolean, got " +
                            types[2 * i].toString());
    values.push_back(types[2 * i + 1]);
  }
  if (hasElse) values.push_back(types.back());
  DataType t = widerOf("case", values);
  std::vector<DataType> argTypes;
  for (size_t i = 0; i < pairs; ++i) argTypes.insert(argTypes.end(), {DataType::boolean(), t});
  if (hasElse) argTypes.push_back(t);
  ScalarKernel k = [t, pairs, hasElse](std::span<const ColumnPtr> args, int64_t rows) {
    std::vector<int32_t> sel(static_cast<size_t>(rows), hasElse ? static_cast<int32_t>(pairs) : -1);
    std::vector<uint8_t> done(static_cast<size_t>(rows), 0);
    std::vector<ColumnPtr> sources;
    for (size_t p = 0; p < pairs; ++p) {
      const Column& c = *args[2 * p];
      const uint8_t* cv = c.values<uint8_t>();
      const uint64_t* valid = c.validity();
      for (int64_t i = 0; i < rows; ++i) {
        bool take = !done[static_cast<size_t>(i)] && cv[i] && bitSet(valid, i);
        if (take) sel[static_cast<size_t>(i)] = static_cast<int32_t>(p);
        done[static_cast<size_t>(i)] |= take;
      }
      sources.push_back(args[2 * p + 1]);
    }
    if (hasElse) sources.push_back(args.back());
    return chooseRows(t, sources, sel.data(), rows);
  };
  return {t, true, argTypes, k};
}

// coalesce(a, b, ...): the first non-NULL argument.
BoundFunction bindCoalesce(const std::string& name, std::span<const DataType> types, size_t minArgs,
                           size_t maxArgs) {
  checkArity(name, types, minArgs, maxArgs);
  DataType t = widerOf(name, types);
  ScalarKernel k = [t](std::span<const ColumnPtr> args, int64_t rows) {
    std::vector<int32_t> sel(static_cast<size_t>(rows), -1);
    for (size_t a = args.size(); a-- > 0;) {
      const uint64_t* v = args[a]->validity();
      for (int64_t i = 0; i < rows; ++i)
        if (bitSet(v, i)) sel[static_cast<size_t>(i)] = static_cast<int32_t>(a);
    }
    return chooseRows(t, args, sel.data(), rows);
  };
  return {t, true, std::vector<DataType>(types.size(), t), k};
}

template <class Bind>
ScalarFunction conditional(std::string name, std::vector<std::string> aliases, std::string usage,
                           Bind bind) {
  ScalarFunction f;
  f.name = std::move(name);
  f.aliases = std::move(aliases);
  f.usage = std::move(usage);
  f.bind = bind;
  return f;
}

}  // namespace

void registerLogic(FunctionRegistry& r) {
  r.add(boolFn("and", "a AND b - false if either is false, else NULL if either is NULL", 2,
               andOr<true>));
  r.add(boolFn("or", "a OR b - true if either is true, else NULL if either is NULL", 2,
               andOr<false>));
  r.add(boolFn("not", "NOT a - negation (NULL stays NULL)", 1, notKernel));
  r.add(nullTestFn("isnull", true));
  r.add(nullTestFn("isnotnull", false));
}

void registerConditional(FunctionRegistry& r) {
  using Lits = std::span<const std::optional<Value>>;
  r.add(conditional("case", {}, "CASE WHEN c1 THEN v1 ... [ELSE e] END", bindCase));
  r.add(conditional(
      "coalesce", {}, "coalesce(a, b, ...) - the first non-NULL argument",
      [](std::span<const DataType> t, Lits) { return bindCoalesce("coalesce", t, 1, SIZE_MAX); }));
  r.add(conditional(
      "ifnull", {"nvl"}, "ifnull(a, b) - a unless it is NULL, else b",
      [](std::span<const DataType> t, Lits) { return bindCoalesce("ifnull", t, 2, 2); }));
  r.add(conditional("if", {}, "if(cond, a, b) - a where cond is true, else b",
                    [](std::span<const DataType> types, Lits) {
                      checkArity("if", types, 3, 3);
                      if (types[0].id() != TypeId::Boolean && !isNullType(types[0]))
                        bindError("if",
                                  "the condition must be boolean, got " + types[0].toString());
                      DataType t = widerOf("if", types.subspan(1));
                      ScalarKernel k = [t](std::span<const ColumnPtr> args, int64_t rows) {
                        std::vector<int32_t> sel(static_cast<size_t>(rows));
                        const uint8_t* c = args[0]->values<uint8_t>();
                        const uint64_t* v = args[0]->validity();
                        for (int64_t i = 0; i < rows; ++i)
                          sel[static_cast<size_t>(i)] = c[i] && bitSet(v, i) ? 0 : 1;
                        return chooseRows(t, args.subspan(1), sel.data(), rows);
                      };
                      return BoundFunction{t, true, {DataType::boolean(), t, t}, k};
                    }));
  r.add(conditional("nullif", {}, "nullif(a, b) - NULL if a = b, else a",
                    [](std::span<const DataType> types, Lits) {
                      checkArity("nullif", types, 2, 2);
                      auto t = commonType(types[0], types[1]);
                      if (!t) bindError("nullif", "cannot compare " + typeList(types));
                      DataType ct = *t;
                      ScalarKernel k = [ct](std::span<const ColumnPtr> args, int64_t rows) {
                        ColumnPtr eq = compareColumns(CmpOp::Eq, args[0], args[1], rows);
                        std::vector<int32_t> sel(static_cast<size_t>(rows));
                        const uint8_t* e = eq->values<uint8_t>();
                        const uint64_t* v = eq->validity();
                        for (int64_t i = 0; i < rows; ++i)
                          sel[static_cast<size_t>(i)] = e[i] && bitSet(v, i) ? -1 : 0;
                        return chooseRows(ct, args.subspan(0, 1), sel.data(), rows);
                      };
                      return BoundFunction{ct, true, {ct, ct}, k};
                    }));
  r.add(conditional("nvl2", {}, "nvl2(x, a, b) - a if x is not NULL, else b",
                    [](std::span<const DataType> types, Lits) {
                      checkArity("nvl2", types, 3, 3);
                      DataType t = widerOf("nvl2", types.subspan(1));
                      ScalarKernel k = [t](std::span<const ColumnPtr> args, int64_t rows) {
                        std::vector<int32_t> sel(static_cast<size_t>(rows));
                        const uint64_t* v = args[0]->validity();
                        for (int64_t i = 0; i < rows; ++i)
                          sel[static_cast<size_t>(i)] = bitSet(v, i) ? 0 : 1;
                        return chooseRows(t, args.subspan(1), sel.data(), rows);
                      };
                      return BoundFunction{t, true, {types[0], t, t}, k};
                    }));
}

}  // namespace ember::sql::fn
