// Map and struct functions: map(k1, v1, ...), map_from_arrays, map_keys, map_values,
// map_contains_key (element_at/[] on maps live with the array functions), named_struct,
// struct, and get_field (what `s.field` resolves to).
#include "ember/columnar/column_ops.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

using Types = std::span<const DataType>;
using Lits = std::span<const std::optional<Value>>;

DataType widerOf(const std::string& fn, const char* what, Types types, size_t from, size_t step) {
  DataType t = DataType::null();
  for (size_t k = from; k < types.size(); k += step) {
    auto w = widerType(t, types[k]);
    if (!w)
      bindError(fn, std::string(what) + " of types " + t.toString() + " and " +
                        types[k].toString() + " have no common type");
    t = *w;
  }
  return t;
}

// Appends keys/values of one map row, rejecting NULL and duplicate keys (Spark's default
// mapKeyDedupPolicy=EXCEPTION: a silently dropped value is worse than an error).
void appendEntries(Column& out, const Column& keys, const Column& values,
                   std::span<const int64_t> keyRows, std::span<const int64_t> valueRows) {
  for (size_t k = 0; k < keyRows.size(); ++k) {
    if (keys.isNull(keyRows[k])) throw UserError("map: a map key must not be NULL");
    for (size_t e = 0; e < k; ++e)
      if (rowsEqual(keys, keyRows[e], keys, keyRows[k]))
        throw UserError("map: duplicate map key " + Value::fromColumn(keys, keyRows[k]).toSql() +
                        "; map keys must be unique");
  }
  for (size_t k = 0; k < keyRows.size(); ++k) {
    out.child(0).appendFrom(keys, keyRows[k]);
    out.child(1).appendFrom(values, valueRows[k]);
  }
  out.appendNestedRow();
}

BoundFunction bindMap(Types types, Lits) {
  if (types.size() % 2)
    bindError("map", "expects key, value pairs (an even number of arguments), got " +
                         std::to_string(types.size()));
  DataType k = widerOf("map", "keys", types, 0, 2), v = widerOf("map", "values", types, 1, 2);
  if (k.isNested() || (k.id() == TypeId::Null && !types.empty()))
    bindError("map", "map keys must be of an atomic type, got " + k.toString());
  DataType result = DataType::map(k, v);
  std::vector<DataType> args;
  for (size_t i = 0; i < types.size(); ++i) args.push_back(i % 2 ? v : k);
  return {result, false, args, [result](std::span<const ColumnPtr> a, int64_t rows) {
            auto out = Column::make(result);
            for (int64_t i = 0; i < rows; ++i) {
              // Keys and values of one row come from different argument columns: gather
              // them into one column each first.
              auto keys = Column::make(result.children()[0].type);
              auto values = Column::make(result.children()[1].type);
              std::vector<int64_t> at;
              for (size_t k2 = 0; k2 + 1 < a.size(); k2 += 2) {
                keys->appendFrom(*a[k2], i);
                values->appendFrom(*a[k2 + 1], i);
                at.push_back(static_cast<int64_t>(at.size()));
              }
              appendEntries(*out, *keys, *values, at, at);
            }
            return out;
          }};
}

BoundFunction bindMapFromArrays(Types types, Lits) {
  checkArity("map_from_arrays", types, 2, 2);
  for (const auto& t : types)
    if (t.id() != TypeId::List)
      bindError("map_from_arrays", "expects two arrays, got " + typeList(types));
  DataType result = DataType::map(types[0].elementType(), types[1].elementType());
  return {result, true, {types[0], types[1]}, [result](std::span<const ColumnPtr> a, int64_t rows) {
            auto out = Column::make(result);
            std::vector<int64_t> kr, vr;
            for (int64_t i = 0; i < rows; ++i) {
              if (a[0]->isNull(i) || a[1]->isNull(i)) {
                out->appendNull();
                continue;
              }
              if (a[0]->listEnd(i) - a[0]->listBegin(i) != a[1]->listEnd(i) - a[1]->listBegin(i))
                throw UserError("map_from_arrays: the key and value arrays differ in length");
              kr.clear();
              vr.clear();
              for (int32_t j = a[0]->listBegin(i); j < a[0]->listEnd(i); ++j) kr.push_back(j);
              for (int32_t j = a[1]->listBegin(i); j < a[1]->listEnd(i); ++j) vr.push_back(j);
              appendEntries(*out, a[0]->child(0), a[1]->child(0), kr, vr);
            }
            return out;
          }};
}

decltype(ScalarFunction::bind) bindKeysOrValues(const std::string& fn, size_t child) {
  return [fn, child](Types types, Lits) -> BoundFunction {
    checkArity(fn, types, 1, 1);
    if (types[0].id() != TypeId::Map) bindError(fn, "expects a map, got " + types[0].toString());
    DataType result = DataType::array(types[0].children()[child].type);
    return {result, true, {types[0]}, [result, child](std::span<const ColumnPtr> a, int64_t) {
              const Column& m = *a[0];
              auto out = std::make_shared<Column>(result);
              Buffer offs(static_cast<size_t>(m.size() + 1) * sizeof(int32_t));
              for (int64_t i = 0; i <= m.size(); ++i) offs.as<int32_t>()[i] = m.offsets()[i];
              out->adoptNested(std::move(offs), {m.children()[child]}, m.size());
              for (int64_t i = 0; i < m.size(); ++i)
                if (m.isNull(i)) out->setNull(i);
              return out;
            }};
  };
}

BoundFunction bindMapContainsKey(Types types, Lits) {
  checkArity("map_contains_key", types, 2, 2);
  if (types[0].id() != TypeId::Map)
    bindError("map_contains_key", "expects a map and a key, got " + typeList(types));
  DataType k = types[0].children()[0].type;
  return {DataType::boolean(), true, {types[0], k}, [](std::span<const ColumnPtr> a, int64_t rows) {
            auto out = makeResult(DataType::boolean(), a, rows);
            uint8_t* o = out->mutableValues<uint8_t>();
            for (int64_t i = 0; i < rows; ++i) {
              o[i] = 0;
              if (out->isNull(i)) continue;
              for (int32_t j = a[0]->listBegin(i); j < a[0]->listEnd(i) && !o[i]; ++j)
                o[i] = rowsEqual(a[0]->child(0), j, *a[1], i);
            }
            return out;
          }};
}

ScalarKernel structKernel(DataType result) {
  return [result](std::span<const ColumnPtr> a, int64_t rows) {
    auto out = std::make_shared<Column>(result);
    std::vector<ColumnPtr> children;
    for (size_t k = 0; k < result.children().size(); ++k) {
      // Literal arguments of named_struct (the names) come first in each pair.
      const ColumnPtr& c = a[a.size() == result.children().size() ? k : 2 * k + 1];
      children.push_back(c);
    }
    out->adoptNested({}, std::move(children), rows);
    return out;
  };
}

BoundFunction bindNamedStruct(Types types, Lits lits) {
  if (types.empty() || types.size() % 2)
    bindError("named_struct",
              "expects name, value pairs, got " + std::to_string(types.size()) + " arguments");
  std::vector<Field> fields;
  for (size_t k = 0; k < types.size(); k += 2) {
    if (!lits[k] || lits[k]->isNull() || types[k].id() != TypeId::String)
      bindError("named_struct",
                "argument " + std::to_string(k + 1) + " must be a string literal (a field name)");
    fields.push_back({lits[k]->asString(), types[k + 1], true});
  }
  DataType result = DataType::structOf(std::move(fields));
  return {result, false, std::vector<DataType>(types.begin(), types.end()), structKernel(result)};
}

// struct(a, b, ...): fields col1, col2, ... (the analyzer names them after columns, as
// Spark does, by rewriting to named_struct).
BoundFunction bindStruct(Types types, Lits) {
  if (types.empty()) bindError("struct", "expects at least one argument");
  std::vector<Field> fields;
  for (size_t k = 0; k < types.size(); ++k)
    fields.push_back({"col" + std::to_string(k + 1), types[k], true});
  DataType result = DataType::structOf(std::move(fields));
  return {result, false, std::vector<DataType>(types.begin(), types.end()), structKernel(result)};
}

BoundFunction bindGetField(Types types, Lits lits) {
  checkArity("get_field", types, 2, 2);
  if (types[0].id() != TypeId::Struct || !lits[1] || lits[1]->isNull())
    bindError("get_field", "expects a struct and a field name literal, got " + typeList(types));
  const auto& fields = types[0].children();
  std::string name = lits[1]->asString();
  size_t k = 0;
  while (k < fields.size() && !equalsIgnoreCase(fields[k].name, name)) ++k;
  if (k == fields.size()) {
    std::string names;
    for (const auto& f : fields) names += (names.empty() ? "" : ", ") + f.name;
    bindError("get_field", "the struct has no field '" + name + "'; its fields: " + names);
  }
  return {fields[k].type, true, {types[0], types[1]}, [k](std::span<const ColumnPtr> a, int64_t) {
            const Column& s = *a[0];
            ColumnPtr f = s.children()[k];
            if (!s.mayHaveNulls()) return f;
            // A NULL struct has NULL fields.
            std::vector<int32_t> idx(static_cast<size_t>(s.size()));
            for (int64_t i = 0; i < s.size(); ++i)
              idx[static_cast<size_t>(i)] = s.isNull(i) ? -1 : static_cast<int32_t>(i);
            return takeColumn(*f, idx.data(), s.size());
          }};
}

}  // namespace

void registerMapsStructs(FunctionRegistry& r) {
  r.add(
      withBind("map", {}, "map(k1, v1, k2, v2, ...) - a map (keys unique and not NULL)", bindMap));
  r.add(withBind("map_from_arrays", {}, "map_from_arrays(keys, values) - a map of two arrays",
                 bindMapFromArrays));
  r.add(withBind("map_keys", {}, "map_keys(m) - the keys as an array",
                 bindKeysOrValues("map_keys", 0)));
  r.add(withBind("map_values", {}, "map_values(m) - the values as an array",
                 bindKeysOrValues("map_values", 1)));
  r.add(withBind("map_contains_key", {}, "map_contains_key(m, k) - whether m has key k",
                 bindMapContainsKey));
  r.add(withBind("named_struct", {}, "named_struct(name1, v1, ...) - a struct with named fields",
                 bindNamedStruct));
  r.add(withBind("struct", {}, "struct(v1, v2, ...) - a struct (fields named after columns)",
                 bindStruct));
  r.add(
      withBind("get_field", {}, "get_field(s, name) / s.name - a field of a struct", bindGetField));
}

}  // namespace ember::sql::fn
