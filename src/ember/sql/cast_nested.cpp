// Casts of nested values (Spark's rules): an array/map/struct casts to another of the same
// shape when each element/key/value/field casts; any nested value casts to a string in
// Spark's text form ("[1, null]", "{a -> 1}", "{1, x}"). Arrays of different element
// types meet in the array of their wider element type.
#include "ember/sql/functions_common.h"

namespace ember::sql {

namespace fn {

namespace {
// One child of a nested column rebuilt under the parent's offsets and validity.
ColumnPtr rebuild(const Column& c, const DataType& to, std::vector<ColumnPtr> children) {
  auto out = std::make_shared<Column>(to);
  Buffer offs;
  if (to.id() != TypeId::Struct) {
    offs.resize(static_cast<size_t>(c.size() + 1) * sizeof(int32_t));
    for (int64_t i = 0; i <= c.size(); ++i) offs.as<int32_t>()[i] = c.offsets()[i];
  }
  out->adoptNested(std::move(offs), std::move(children), c.size());
  if (c.mayHaveNulls())
    for (int64_t i = 0; i < c.size(); ++i)
      if (c.isNull(i)) out->setNull(i);
  return out;
}
}  // namespace

ColumnPtr castNestedToString(const Column& c) {
  std::vector<ColumnPtr> parts;
  for (const auto& ch : c.children()) parts.push_back(castColumn(ch, DataType::string()));
  const DataType& t = c.type();
  StringBuilder b(c.size(), c.size() * 8);
  std::string s;
  auto item = [&](size_t k, int64_t j) {
    if (parts[k]->isNull(j))
      s += "null";
    else
      s += parts[k]->stringAt(j);
  };
  for (int64_t i = 0; i < c.size(); ++i) {
    if (c.isNull(i)) {
      b.null();
      continue;
    }
    s.clear();
    if (t.id() == TypeId::Struct) {
      s += '{';
      for (size_t k = 0; k < parts.size(); ++k) {
        if (k) s += ", ";
        item(k, i);
      }
      s += '}';
    } else {
      bool list = t.id() == TypeId::List;
      s += list ? '[' : '{';
      for (int32_t j = c.listBegin(i); j < c.listEnd(i); ++j) {
        if (j > c.listBegin(i)) s += ", ";
        item(0, j);
        if (!list) {
          s += " -> ";
          item(1, j);
        }
      }
      s += list ? ']' : '}';
    }
    b.append(s);
  }
  return b.finish();
}

bool canCastNested(const DataType& from, const DataType& to) {
  if (to.id() == TypeId::String) return true;
  if (from.id() != to.id() || from.children().size() != to.children().size()) return false;
  for (size_t k = 0; k < from.children().size(); ++k)
    if (!canCast(from.children()[k].type, to.children()[k].type)) return false;
  return true;
}

ColumnPtr castNested(const ColumnPtr& c, const DataType& to, bool ansi) {
  if (to.id() == TypeId::String) return castNestedToString(*c);
  std::vector<ColumnPtr> children;
  for (size_t k = 0; k < c->children().size(); ++k)
    children.push_back(castColumn(c->children()[k], to.children()[k].type, ansi));
  return rebuild(*c, to, std::move(children));
}

std::optional<DataType> widerNested(const DataType& a, const DataType& b, bool strings) {
  if (a.id() != b.id() || a.children().size() != b.children().size()) return std::nullopt;
  std::vector<Field> fields;
  for (size_t k = 0; k < a.children().size(); ++k) {
    const Field& fa = a.children()[k];
    auto w = strings ? widerType(fa.type, b.children()[k].type)
                     : commonType(fa.type, b.children()[k].type);
    if (!w) return std::nullopt;
    fields.push_back({fa.name, *w, fa.nullable || b.children()[k].nullable});
  }
  if (a.id() == TypeId::List) return DataType::list(fields[0]);
  if (a.id() == TypeId::Map) return DataType::map(fields[0].type, fields[1].type);
  return DataType::structOf(std::move(fields));
}

}  // namespace fn

}  // namespace ember::sql
