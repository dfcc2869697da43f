#include "ember/io/partitioning.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"

namespace fs = std::filesystem;

namespace ember {

namespace {

bool hidden(const std::string& name) { return !name.empty() && (name[0] == '.' || name[0] == '_'); }

// "k=v" -> (k, v); nullopt if the name is not of that form.
std::optional<std::pair<std::string, std::string>> splitKeyValue(const std::string& name) {
  auto eq = name.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  return std::make_pair(name.substr(0, eq), name.substr(eq + 1));
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexDigit(s[i + 1]) >= 0 && hexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(hexDigit(s[i + 1]) * 16 + hexDigit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Characters Hive/Spark escape in partition directory names.
bool needsEscape(unsigned char c) {
  return c < 0x20 || c == 0x7f || c == '"' || c == '#' || c == '%' || c == '\'' || c == '*' ||
         c == '/' || c == ':' || c == '=' || c == '?' || c == '\\' || c == '{' || c == '[' ||
         c == ']' || c == '^';
}

std::string escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (needsEscape(c)) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

template <class T>
bool parsesAs(const std::string& s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parsesAsDouble(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

DataType inferType(const std::vector<const std::string*>& values) {
  auto all = [&](auto pred) {
    return std::all_of(values.begin(), values.end(),
                       [&](const std::string* v) { return pred(*v); });
  };
  if (values.empty()) return DataType::string();
  if (all(parsesAs<int32_t>)) return DataType::int32();
  if (all(parsesAs<int64_t>)) return DataType::int64();
  if (all(parsesAsDouble)) return DataType::float64();
  if (all([](const std::string& s) { return parseDate(s).has_value(); })) return DataType::date();
  if (all([](const std::string& s) { return parseTimestamp(s).has_value(); }))
    return DataType::timestamp();
  return DataType::string();
}

struct Walk {
  const std::string& root;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> files;
  std::string firstLeaf;  // a leaf directory, for error messages
  std::vector<std::string> keys;

  void visit(const fs::path& dir, std::vector<std::pair<std::string, std::string>>& kv) {
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e);
    if (ec) throw IoError("cannot list directory " + dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path() < b.path(); });
    for (const auto& e : entries) {
      std::string name = e.path().filename().string();
      if (hidden(name)) continue;
      if (e.is_directory()) {
        auto pair = splitKeyValue(name);
        if (!pair)
          throw UserError("partitioned directory " + root + " holds a directory '" +
                          e.path().string() +
                          "' that is not of the form key=value; read a single partition "
                          "by its full path or move the directory away");
        kv.push_back(*pair);
        visit(e.path(), kv);
        kv.pop_back();
      } else if (e.is_regular_file()) {
        std::vector<std::string> k;
        for (const auto& [key, v] : kv) k.push_back(key);
        if (files.empty()) {
          keys = k;
          firstLeaf = dir.string();
        } else if (k != keys) {
          throw UserError("conflicting partition directories in " + root + ": " + firstLeaf +
                          " and " + dir.string() +
                          " use different partition columns; every file must sit under "
                          "the same key=value levels");
        }
        files.emplace_back(e.path().lexically_normal().string(), kv);
      }
    }
  }
};

bool hasPartitionSubdir(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (!hidden(name) && e.is_directory() && splitKeyValue(name)) return true;
  }
  return false;
}

}  // namespace

PartitionedFiles listPartitionedFiles(const std::vector<std::string>& paths,
                                      const FormatOptions& options) {
  PartitionedFiles out;
  std::vector<std::vector<std::pair<std::string, std::string>>> kvs;
  std::vector<std::string> keys;
  bool anyPartitioned = false, anyPlain = false;
  for (const auto& spec : paths) {
    std::string p = spec.rfind("file:", 0) == 0 ? spec.substr(5) : spec;
    std::error_code ec;
    bool isGlob = p.find_first_of("*?[{") != std::string::npos;
    if (!isGlob && fs::is_directory(p, ec) && hasPartitionSubdir(p)) {
      std::string root = fs::absolute(p).lexically_normal().string();
      Walk w{root, {}, {}, {}};
      std::vector<std::pair<std::string, std::string>> kv;
      w.visit(root, kv);
      if (anyPartitioned && w.keys != keys && !w.files.empty())
        throw UserError("the paths read together are partitioned by different columns");
      if (!w.files.empty()) keys = w.keys;
      anyPartitioned = true;
      for (auto& [file, fkv] : w.files) {
        out.files.push_back({file, static_cast<uint64_t>(fs::file_size(file, ec))});
        kvs.push_back(fkv);
      }
      continue;
    }
    for (auto& f : listInputFiles(spec)) {
      out.files.push_back(f);
      kvs.emplace_back();
      anyPlain = true;
    }
  }
  if (!anyPartitioned) return out;
  if (anyPlain) throw UserError("partitioned and unpartitioned paths cannot be read together");
  // Types from all values of each key.
  bool infer = options.getBool("partitionColumnTypeInference", true);
  out.values.resize(out.files.size());
  for (size_t k = 0; k < keys.size(); ++k) {
    std::vector<const std::string*> seen;
    for (size_t f = 0; f < out.files.size(); ++f) {
      std::string raw = kvs[f][k].second;
      if (raw == kHiveDefaultPartition) {
        out.values[f].push_back(std::nullopt);
      } else {
        out.values[f].push_back(unescape(raw));
      }
    }
    for (size_t f = 0; f < out.files.size(); ++f)
      if (out.values[f][k]) seen.push_back(&*out.values[f][k]);
    out.partitionFields.push_back(
        Field{keys[k], infer ? inferType(seen) : DataType::string(), true});
  }
  return out;
}

Value partitionValue(const std::optional<std::string>& text, const DataType& type,
                     const std::string& column) {
  if (!text) return Value::null(type);
  const std::string& s = *text;
  auto bad = [&]() {
    return UserError("partition value '" + s + "' of column " + column + " is not a valid " +
                     type.toString() + "; declare the column as string in the schema");
  };
  switch (type.id()) {
    case TypeId::String:
      return Value::string(s);
    case TypeId::Int32: {
      int32_t v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size()) throw bad();
      return Value::int32(v);
    }
    case TypeId::Int64: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size()) throw bad();
      return Value::int64(v);
    }
    case TypeId::Float64: {
      if (!parsesAsDouble(s)) throw bad();
      return Value::float64(std::strtod(s.c_str(), nullptr));
    }
    case TypeId::Date: {
      auto d = parseDate(s);
      if (!d) throw bad();
      return Value::date(*d);
    }
    case TypeId::Timestamp: {
      auto t = parseTimestamp(s);
      if (!t) throw bad();
      return Value::timestamp(*t);
    }
    default:
      throw UserError("partition column " + column + " has type " + type.toString() +
                      ", which partition directories do not support; use int, bigint, double, "
                      "date, timestamp or string");
  }
}

std::string partitionPath(const std::vector<std::string>& names, const std::vector<Value>& values) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += '/';
    out += escape(names[i]) + "=";
    std::string v = values[i].isNull() ? std::string() : values[i].toString();
    out += values[i].isNull() || v.empty() ? std::string(kHiveDefaultPartition) : escape(v);
  }
  return out;
}

}  // namespace ember
