#include "ember/sql/generators.h"

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"

namespace ember::sql {

namespace {
struct Kind {
  bool position = false;
  bool outer = false;
  bool isInline = false;
};

Kind kindOf(const std::string& name) {
  Kind k;
  std::string base = name;
  if (base.ends_with("_outer")) {
    k.outer = true;
    base.resize(base.size() - 6);
  }
  k.position = base == "posexplode";
  k.isInline = base == "inline";
  return k;
}

// Fields of a struct column, with NULL struct rows made NULL in every field.
std::vector<ColumnPtr> structFields(const Column& s) {
  std::vector<ColumnPtr> out;
  std::vector<int32_t> idx;
  if (s.mayHaveNulls()) {
    idx.resize(static_cast<size_t>(s.size()));
    for (int64_t i = 0; i < s.size(); ++i)
      idx[static_cast<size_t>(i)] = s.isNull(i) ? -1 : static_cast<int32_t>(i);
  }
  for (const auto& f : s.children())
    out.push_back(idx.empty() ? f : takeColumn(*f, idx.data(), s.size()));
  return out;
}
}  // namespace

bool isGeneratorName(const std::string& n) {
  return n == "explode" || n == "explode_outer" || n == "posexplode" || n == "posexplode_outer" ||
         n == "inline" || n == "inline_outer";
}

std::vector<Field> generatorFields(const std::string& name, const DataType& arg) {
  Kind k = kindOf(name);
  std::vector<Field> out;
  if (k.position) out.push_back({"pos", DataType::int32(), false});
  if (k.isInline) {
    if (arg.id() != TypeId::List || arg.elementType().id() != TypeId::Struct)
      throw UserError(name + "() expects an array of structs, got " + arg.toString());
    for (const auto& f : arg.elementType().children()) out.push_back({f.name, f.type, true});
    return out;
  }
  if (arg.id() == TypeId::List) {
    out.push_back({"col", arg.elementType(), true});
  } else if (arg.id() == TypeId::Map) {
    out.push_back({"key", arg.children()[0].type, k.outer});
    out.push_back({"value", arg.children()[1].type, true});
  } else {
    throw UserError(name + "() expects an array or a map, got " + arg.toString());
  }
  if (k.outer && k.position) out[0].nullable = true;
  return out;
}

GeneratedRows runGenerator(const std::string& name, const Column& arg) {
  Kind k = kindOf(name);
  GeneratedRows g;
  std::vector<int32_t> elem, pos;
  for (int64_t i = 0; i < arg.size(); ++i) {
    int32_t b = arg.isNull(i) ? 0 : arg.listBegin(i), e = arg.isNull(i) ? 0 : arg.listEnd(i);
    if (b == e && k.outer) {
      g.inputRow.push_back(static_cast<int32_t>(i));
      elem.push_back(-1);
      pos.push_back(-1);
    }
    for (int32_t j = b; j < e; ++j) {
      g.inputRow.push_back(static_cast<int32_t>(i));
      elem.push_back(j);
      pos.push_back(j - b);
    }
  }
  auto n = static_cast<int64_t>(elem.size());
  if (k.position) {
    auto p = Column::make(DataType::int32(), n);
    for (int64_t r = 0; r < n; ++r) {
      p->mutableValues<int32_t>()[r] = std::max(pos[static_cast<size_t>(r)], 0);
      if (pos[static_cast<size_t>(r)] < 0) p->setNull(r);
    }
    g.columns.push_back(p);
  }
  if (k.isInline) {
    auto structs = takeColumn(arg.child(0), elem.data(), n);
    for (auto& f : structFields(*structs)) g.columns.push_back(f);
  } else {
    for (const auto& child : arg.children())
      g.columns.push_back(takeColumn(*child, elem.data(), n));
  }
  return g;
}

}  // namespace ember::sql
