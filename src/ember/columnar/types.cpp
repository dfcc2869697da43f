#include "ember/columnar/types.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ember {

namespace {
const std::vector<Field>& noChildren() {
  static const std::vector<Field> empty;
  return empty;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Splits "a,b<c,d>,e" at top-level commas.
std::vector<std::string> splitTopLevel(const std::string& s, char sep) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == sep && depth == 0) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trim(s.substr(start)));
  return out;
}
}  // namespace

std::string toLowerAscii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool equalsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

DataType DataType::decimal(int precision, int scale) {
  if (precision < 1 || precision > 38)
    throw UserError(
        fmt::format("decimal precision {} is out of range: it must be 1 to 38", precision));
  if (scale < 0 || scale > precision)
    throw UserError(fmt::format("decimal({},{}): the scale must be between 0 and the precision",
                                precision, scale));
  DataType t(TypeId::Decimal);
  t.precision_ = static_cast<uint8_t>(precision);
  t.scale_ = static_cast<uint8_t>(scale);
  return t;
}

DataType DataType::list(Field element) {
  DataType t(TypeId::List);
  t.children_ = std::make_shared<const std::vector<Field>>(std::vector<Field>{std::move(element)});
  return t;
}

DataType DataType::structOf(std::vector<Field> fields) {
  DataType t(TypeId::Struct);
  t.children_ = std::make_shared<const std::vector<Field>>(std::move(fields));
  return t;
}

DataType DataType::map(DataType key, DataType value) {
  DataType t(TypeId::Map);
  t.children_ = std::make_shared<const std::vector<Field>>(
      std::vector<Field>{{"key", std::move(key), false}, {"value", std::move(value), true}});
  return t;
}

const std::vector<Field>& DataType::children() const {
  return children_ ? *children_ : noChildren();
}

DataType DataType::array(DataType element) {
  return list(Field{"element", std::move(element), true});
}

const DataType& DataType::elementType() const { return children().at(0).type; }

bool DataType::isNumeric() const { return isInteger() || isFloating() || isDecimal(); }

int DataType::fixedWidth() const {
  switch (id_) {
    case TypeId::Boolean:
    case TypeId::Int8:
      return 1;
    case TypeId::Int16:
      return 2;
    case TypeId::Int32:
    case TypeId::Float32:
    case TypeId::Date:
      return 4;
    case TypeId::Int64:
    case TypeId::Float64:
    case TypeId::Timestamp:
      return 8;
    case TypeId::Decimal:
      return precision_ > 18 ? 16 : 8;
    default:
      return 0;
  }
}

std::string DataType::toString() const {
  switch (id_) {
    case TypeId::Null:
      return "void";
    case TypeId::Boolean:
      return "boolean";
    case TypeId::Int8:
      return "tinyint";
    case TypeId::Int16:
      return "smallint";
    case TypeId::Int32:
      return "int";
    case TypeId::Int64:
      return "bigint";
    case TypeId::Float32:
      return "float";
    case TypeId::Float64:
      return "double";
    case TypeId::Decimal:
      return fmt::format("decimal({},{})", precision_, scale_);
    case TypeId::String:
      return "string";
    case TypeId::Date:
      return "date";
    case TypeId::Timestamp:
      return "timestamp";
    case TypeId::List:
      return "array<" + children()[0].type.toString() + ">";
    case TypeId::Struct: {
      std::string s = "struct<";
      for (size_t i = 0; i < children().size(); ++i) {
        if (i) s += ",";
        s += children()[i].name + ":" + children()[i].type.toString();
      }
      return s + ">";
    }
    case TypeId::Map:
      return "map<" + children()[0].type.toString() + "," + children()[1].type.toString() + ">";
  }
  return "?";
}

DataType DataType::parse(const std::string& text) {
  std::string t = toLowerAscii(trim(text));
  auto bad = [&]() -> UserError {
    return UserError("unknown data type '" + text +
                     "'; expected one of boolean, tinyint, smallint, int, bigint, float, double, "
                     "decimal(p,s), string, date, timestamp");
  };
  auto paren = t.find('(');
  std::string base = trim(paren == std::string::npos ? t : t.substr(0, paren));
  std::vector<int> args;
  if (paren != std::string::npos) {
    if (t.back() != ')') throw bad();
    for (auto& a : splitTopLevel(t.substr(paren + 1, t.size() - paren - 2), ',')) {
      try {
        size_t used = 0;
        args.push_back(std::stoi(a, &used));
        if (used != a.size()) throw bad();
      } catch (const std::logic_error&) {
        throw bad();
      }
    }
  }
  if (base.rfind("array<", 0) == 0 && base.back() == '>')
    return list({"element", parse(base.substr(6, base.size() - 7)), true});
  if (base.rfind("map<", 0) == 0 && base.back() == '>') {
    auto kv = splitTopLevel(base.substr(4, base.size() - 5), ',');
    if (kv.size() != 2) throw bad();
    return map(parse(kv[0]), parse(kv[1]));
  }
  if (base.rfind("struct<", 0) == 0 && base.back() == '>') {
    std::vector<Field> fields;
    for (auto& f : splitTopLevel(base.substr(7, base.size() - 8), ',')) {
      auto colon = f.find(':');
      if (colon == std::string::npos) throw bad();
      fields.push_back({trim(f.substr(0, colon)), parse(f.substr(colon + 1)), true});
    }
    return structOf(std::move(fields));
  }
  if (base == "decimal" || base == "numeric" || base == "dec") {
    if (args.empty()) return decimal(10, 0);  // Spark's default
    if (args.size() == 1) return decimal(args[0], 0);
    if (args.size() == 2) return decimal(args[0], args[1]);
    throw bad();
  }
  if (base == "varchar" || base == "char" || base == "character" || base == "string" ||
      base == "text" || base == "character varying")
    return string();
  if (!args.empty()) throw bad();
  if (base == "boolean" || base == "bool") return boolean();
  if (base == "tinyint" || base == "byte") return int8();
  if (base == "smallint" || base == "short") return int16();
  if (base == "int" || base == "integer" || base == "int4") return int32();
  if (base == "bigint" || base == "long" || base == "int8") return int64();
  if (base == "float" || base == "real" || base == "float4") return float32();
  if (base == "double" || base == "double precision" || base == "float8") return float64();
  if (base == "date") return date();
  if (base == "timestamp" || base == "datetime" || base == "timestamp_ntz" ||
      base == "timestamp_ltz")
    return timestamp();
  if (base == "void" || base == "null") return null();
  throw bad();
}

bool DataType::operator==(const DataType& o) const {
  if (id_ != o.id_ || precision_ != o.precision_ || scale_ != o.scale_) return false;
  return children() == o.children();
}

void DataType::serialize(ByteWriter& w) const {
  w.writeRaw(static_cast<uint8_t>(id_));
  if (id_ == TypeId::Decimal) {
    w.writeRaw(precision_);
    w.writeRaw(scale_);
  }
  if (isNested()) {
    w.writeVarint(children().size());
    for (const auto& f : children()) f.serialize(w);
  }
}

DataType DataType::deserialize(ByteReader& r) {
  auto id = static_cast<TypeId>(r.readRaw<uint8_t>());
  if (id > TypeId::Map) throw IoError("corrupt data type tag " + std::to_string(int(id)));
  if (id == TypeId::Decimal) {
    int p = r.readRaw<uint8_t>();
    int s = r.readRaw<uint8_t>();
    return decimal(p, s);
  }
  DataType t(id);
  if (t.isNested()) {
    std::vector<Field> fields(r.readVarint());
    for (auto& f : fields) f = Field::deserialize(r);
    t.children_ = std::make_shared<const std::vector<Field>>(std::move(fields));
  }
  return t;
}

void Field::serialize(ByteWriter& w) const {
  w.writeString(name);
  type.serialize(w);
  w.writeRaw<uint8_t>(nullable);
}

Field Field::deserialize(ByteReader& r) {
  Field f;
  f.name = r.readString();
  f.type = DataType::deserialize(r);
  f.nullable = r.readRaw<uint8_t>() != 0;
  return f;
}

int Schema::indexOf(const std::string& name) const {
  for (size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].name == name) return static_cast<int>(i);
  for (size_t i = 0; i < fields_.size(); ++i)
    if (equalsIgnoreCase(fields_[i].name, name)) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> n;
  for (const auto& f : fields_) n.push_back(f.name);
  return n;
}

std::string Schema::toString() const {
  std::string s;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) s += ", ";
    s += fields_[i].name + ": " + fields_[i].type.toString();
  }
  return s;
}

std::string Schema::treeString() const {
  std::string s = "root\n";
  for (const auto& f : fields_) {
    std::string t = f.type.toString();
    if (t == "int") t = "integer";
    if (t == "bigint") t = "long";
    s += fmt::format(" |-- {}: {} (nullable = {})\n", f.name, t, f.nullable ? "true" : "false");
  }
  return s;
}

void Schema::serialize(ByteWriter& w) const {
  w.writeVarint(fields_.size());
  for (const auto& f : fields_) f.serialize(w);
}

Schema Schema::deserialize(ByteReader& r) {
  std::vector<Field> fields(r.readVarint());
  for (auto& f : fields) f = Field::deserialize(r);
  return Schema(std::move(fields));
}

}  // namespace ember
