#include "ember/io/file_format.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/io/byte_source.h"
#include "ember/io/file_listing.h"
#include "ember/io/format_internal.h"
#include "ember/io/text_input.h"

namespace ember {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void badOption(const std::string& key, const std::string& value, const char* want) {
  throw UserError("Invalid value '" + value + "' for option '" + key + "': expected " + want);
}

}  // namespace

// ---------------------------------------------------------------- FormatOptions

FormatOptions::FormatOptions(std::initializer_list<std::pair<const std::string, std::string>> kv) {
  for (const auto& [k, v] : kv) set(k, v);
}

FormatOptions& FormatOptions::set(const std::string& key, std::string value) {
  kv_[lower(key)] = std::move(value);
  return *this;
}

bool FormatOptions::contains(const std::string& key) const { return kv_.count(lower(key)) > 0; }

std::optional<std::string> FormatOptions::get(const std::string& key) const {
  auto it = kv_.find(lower(key));
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

std::string FormatOptions::getString(const std::string& key, const std::string& dflt) const {
  auto v = get(key);
  return v ? *v : dflt;
}

bool FormatOptions::getBool(const std::string& key, bool dflt) const {
  auto v = get(key);
  if (!v) return dflt;
  std::string l = lower(*v);
  if (l == "true") return true;
  if (l == "false") return false;
  badOption(key, *v, "true or false");
}

int64_t FormatOptions::getInt(const std::string& key, int64_t dflt) const {
  auto v = get(key);
  if (!v) return dflt;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) badOption(key, *v, "an integer");
  return out;
}

double FormatOptions::getDouble(const std::string& key, double dflt) const {
  auto v = get(key);
  if (!v) return dflt;
  double out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) badOption(key, *v, "a number");
  return out;
}

char FormatOptions::getChar(const std::string& key, char dflt) const {
  auto v = get(key);
  if (!v) return dflt;
  const std::string& s = *v;
  if (s.empty()) return '\0';
  if (s.size() == 1) return s[0];
  if (s == "\\t") return '\t';
  if (s == "\\n") return '\n';
  if (s == "\\r") return '\r';
  if (s == "\\\\") return '\\';
  if (s == "\\0") return '\0';
  if (s.size() == 6 && s[0] == '\\' && s[1] == 'u') {
    unsigned code = 0;
    auto [p, ec] = std::from_chars(s.data() + 2, s.data() + 6, code, 16);
    if (ec == std::errc() && p == s.data() + 6 && code < 128) return static_cast<char>(code);
  }
  badOption(key, s, "a single (ASCII) character such as ',' or '\\t'");
}

void FormatOptions::serialize(ByteWriter& w) const { Serde<decltype(kv_)>::write(w, kv_); }

FormatOptions FormatOptions::deserialize(ByteReader& r) {
  FormatOptions o;
  o.kv_ = Serde<decltype(kv_)>::read(r);
  return o;
}

ParseMode parseModeOf(const FormatOptions& options) {
  std::string m = lower(options.getString("mode", "PERMISSIVE"));
  if (m == "permissive") return ParseMode::kPermissive;
  if (m == "dropmalformed") return ParseMode::kDropMalformed;
  if (m == "failfast") return ParseMode::kFailFast;
  badOption("mode", options.getString("mode", ""), "PERMISSIVE, DROPMALFORMED or FAILFAST");
}

// ---------------------------------------------------------------- splits, predicates

void FileSplit::serialize(ByteWriter& w) const {
  w.writeString(path);
  w.writeVarint(start);
  w.writeVarint(length);
  w.writeVarint(fileSize);
  Serde<std::vector<int>>::write(w, rowGroups);
}

FileSplit FileSplit::deserialize(ByteReader& r) {
  FileSplit s;
  s.path = r.readString();
  s.start = r.readVarint();
  s.length = r.readVarint();
  s.fileSize = r.readVarint();
  s.rowGroups = Serde<std::vector<int>>::read(r);
  return s;
}

std::string ColumnPredicate::toString() const {
  static const char* kOps[] = {"=", "!=", "<", "<=", ">", ">=", "IS NULL", "IS NOT NULL", "IN"};
  // Appends rather than operator+ chains: GCC 12 at -O3 reports a false -Wrestrict on those.
  std::string s = "#";
  s.append(std::to_string(column)).append(" ").append(kOps[static_cast<int>(op)]);
  if (op == Op::kIn) {
    s.append(" (");
    for (size_t i = 0; i < values.size(); ++i) s.append(i ? ", " : "").append(values[i].toSql());
    s.append(")");
  } else if (!values.empty()) {
    s.append(" ").append(values[0].toSql());
  }
  return s;
}

void ColumnPredicate::serialize(ByteWriter& w) const {
  w.writeVarint(static_cast<uint64_t>(column));
  w.writeRaw<uint8_t>(static_cast<uint8_t>(op));
  w.writeVarint(values.size());
  for (const auto& v : values) v.serialize(w);
}

ColumnPredicate ColumnPredicate::deserialize(ByteReader& r) {
  ColumnPredicate p;
  p.column = static_cast<int>(r.readVarint());
  uint8_t op = r.readRaw<uint8_t>();
  if (op > static_cast<uint8_t>(Op::kIn)) throw IoError("corrupt ColumnPredicate");
  p.op = static_cast<Op>(op);
  size_t n = r.readVarint();
  for (size_t i = 0; i < n; ++i) p.values.push_back(Value::deserialize(r));
  return p;
}

int compareValues(const Value& a, const Value& b) {
  const DataType& t = a.type();
  if (t.id() == TypeId::String || b.type().id() == TypeId::String) {
    int c = a.asString().compare(b.asString());
    return c < 0 ? -1 : c > 0;
  }
  if (t.isFloating() || b.type().isFloating()) {
    double x = a.asDouble(), y = b.asDouble();
    return x < y ? -1 : x > y;
  }
  if (t.isDecimal() || b.type().isDecimal()) {
    int sa = t.isDecimal() ? t.scale() : 0, sb = b.type().isDecimal() ? b.type().scale() : 0;
    int s = std::max(sa, sb);
    int128_t x = a.asInt128() * pow10i128(s - sa), y = b.asInt128() * pow10i128(s - sb);
    return x < y ? -1 : x > y;
  }
  int128_t x = a.asInt128(), y = b.asInt128();
  return x < y ? -1 : x > y;
}

namespace {

// Whether compareValues orders values of these types meaningfully.
bool comparable(const DataType& a, const DataType& b) {
  if (a.isNumeric() && b.isNumeric()) return true;
  return a.id() == b.id() && (a.id() == TypeId::String || a.id() == TypeId::Date ||
                              a.id() == TypeId::Timestamp || a.id() == TypeId::Boolean);
}

}  // namespace

bool rangeMayMatch(const ColumnPredicate& p, const Value& min, const Value& max, int64_t nullCount,
                   int64_t rows) {
  using Op = ColumnPredicate::Op;
  if (p.op == Op::kIsNull) return nullCount != 0 || nullCount < 0;
  if (p.op == Op::kIsNotNull) return nullCount < 0 || nullCount < rows;
  if (nullCount >= 0 && nullCount == rows) return false;  // only nulls: no comparison is true
  if (min.isNull() || max.isNull() || p.values.empty()) return true;
  for (const auto& v : p.values) {
    if (v.isNull()) return p.op == Op::kIn;
    if (!comparable(min.type(), v.type())) return true;  // no pruning on mismatched types
    // Statistics leave NaN out, and NaN sorts above every number in Spark.
    if (v.type().isFloating() && std::isnan(v.asDouble())) return true;
  }
  if (min.type().isFloating() && (p.op == Op::kGt || p.op == Op::kGe || p.op == Op::kNe))
    return true;
  const Value& v = p.values[0];
  switch (p.op) {
    case Op::kEq:
      return compareValues(min, v) <= 0 && compareValues(v, max) <= 0;
    case Op::kNe:
      return !(compareValues(min, v) == 0 && compareValues(max, v) == 0);
    case Op::kLt:
      return compareValues(min, v) < 0;
    case Op::kLe:
      return compareValues(min, v) <= 0;
    case Op::kGt:
      return compareValues(max, v) > 0;
    case Op::kGe:
      return compareValues(max, v) >= 0;
    case Op::kIn:
      for (const auto& x : p.values)
        if (compareValues(min, x) <= 0 && compareValues(x, max) <= 0) return true;
      return false;
    default:
      return true;
  }
}

// ---------------------------------------------------------------- helpers

uint64_t fileSizeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw IoError("Cannot read " + path + ": no such file");
  if (!S_ISREG(st.st_mode)) throw IoError("Cannot read " + path + ": not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

std::vector<FileSplit> byteRangeSplits(const std::vector<std::string>& files,
                                       uint64_t targetSplitBytes, bool whole) {
  std::vector<InputFile> in;
  for (const auto& f : files) in.push_back({f, fileSizeOf(f)});
  std::vector<FileSplit> out;
  if (whole) {
    for (const auto& f : in) out.push_back({f.path, 0, f.size, f.size, {}});
    return out;
  }
  for (const auto& t : computeTextSplits(in, 1, std::max<uint64_t>(1, targetSplitBytes)))
    out.push_back({t.path, t.start, t.length, t.fileSize, {}});
  return out;
}

void checkProjection(const Schema& schema, const std::vector<int>& projection) {
  for (int i : projection)
    if (i < 0 || static_cast<size_t>(i) >= schema.size())
      throw UserError("projection index " + std::to_string(i) + " out of range for schema (" +
                      schema.toString() + ")");
}

Schema projectSchema(const Schema& schema, const std::vector<int>& projection) {
  checkProjection(schema, projection);
  std::vector<Field> fields;
  for (int i : projection) fields.push_back(schema.field(static_cast<size_t>(i)));
  return Schema(std::move(fields));
}

void createParentDirs(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw IoError("Cannot create directory " + parent.string() + ": " + ec.message());
}

// ---------------------------------------------------------------- registry

std::vector<FileSplit> FileFormat::planSplits(const std::vector<std::string>& files,
                                              const FormatOptions& options,
                                              uint64_t targetSplitBytes) const {
  return byteRangeSplits(files, targetSplitBytes, options.getBool("multiLine", false));
}

const FileFormat& FileFormat::forName(std::string_view name) {
  std::string n = lower(name);
  if (n == "csv") return csvFileFormat();
  if (n == "json" || n == "jsonl") return jsonFileFormat();
  if (n == "parquet") return parquetFileFormat();
  if (n == "text" || n == "txt") return textFileFormat();
  throw UserError("Unknown data source format '" + std::string(name) +
                  "': Ember reads and writes csv, json, parquet and text");
}

void FileFormat::checkWriteSchema(const Schema& schema) const {
  if (name() == "json") return;
  for (const auto& f : schema.fields())
    if (f.type.isNested())
      throw UserError("the " + name() + " format cannot store column '" + f.name + "' of type " +
                      f.type.toString() + "; write JSON instead, or convert the column first (" +
                      "e.g. cast(" + f.name + " AS string) or explode it)");
}

}  // namespace ember
