// The JSON format (JSON lines; multiLine=true: a file holding one object or an array of
// objects), read with simdjson's on-demand parser straight into columns. Inference as
// Spark: fields sorted by name, integers bigint, fractions double (decimal with
// prefersDecimal), strings string, objects struct, arrays array; conflicting nested
// types fall back to string (the value's JSON text).
#include <algorithm>
#include <map>
#include <unordered_map>

#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/io/format_internal.h"
#include "ember/io/json_internal.h"
#include "ember/io/output_stream.h"

namespace ember {

namespace {

DataType mergeJson(const DataType& a, const DataType& b);

// The type of one JSON value: objects are structs of their fields (sorted by name),
// arrays are arrays of their elements' merged type (Spark). ok=false: malformed.
DataType inferValue(od::value v, const JsonOptions& o, bool& ok) {
  od::json_type t;
  if (v.type().get(t)) {
    ok = false;
    return DataType::string();
  }
  switch (t) {
    case od::json_type::null:
      return DataType::null();
    case od::json_type::boolean:
      return DataType::boolean();
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) ok = false;  // validates escapes
      return DataType::string();
    }
    case od::json_type::number: {
      std::string_view tok = trim(v.raw_json_token());
      int64_t i;
      if (parseInt64Text(tok, i)) return DataType::int64();
      DataType d = inferTextType(tok, o.text, o.prefersDecimal);
      return d.isDecimal() || d.id() == TypeId::Float64 ? d : DataType::float64();
    }
    case od::json_type::array: {
      od::array a;
      if (v.get_array().get(a)) {
        ok = false;
        return DataType::string();
      }
      DataType e = DataType::null();
      for (auto x : a) {
        od::value ev;
        if (x.get(ev)) {
          ok = false;
          break;
        }
        e = mergeJson(e, inferValue(ev, o, ok));
        if (!ok) break;
      }
      return DataType::array(e);
    }
    case od::json_type::object: {
      od::object obj;
      if (v.get_object().get(obj)) {
        ok = false;
        return DataType::string();
      }
      std::map<std::string, DataType> fields;
      for (auto f : obj) {
        std::string_view key;
        od::value fv;
        if (f.unescaped_key().get(key) || f.value().get(fv)) {
          ok = false;
          break;
        }
        DataType ft = inferValue(fv, o, ok);
        if (!ok) break;
        auto [it, fresh] = fields.emplace(std::string(key), ft);
        if (!fresh) it->second = mergeJson(it->second, ft);
      }
      std::vector<Field> out;
      for (auto& [k, ft] : fields) out.push_back({k, ft, true});
      return DataType::structOf(std::move(out));
    }
  }
  return DataType::string();
}

DataType mergeJson(const DataType& a, const DataType& b) {
  if (a.id() == TypeId::Null) return b;
  if (b.id() == TypeId::Null || a == b) return a;
  if (a.id() == TypeId::List && b.id() == TypeId::List)
    return DataType::array(mergeJson(a.elementType(), b.elementType()));
  if (a.id() == TypeId::Struct && b.id() == TypeId::Struct) {
    std::map<std::string, DataType> fields;
    for (const auto* s : {&a, &b})
      for (const auto& f : s->children()) {
        auto [it, fresh] = fields.emplace(f.name, f.type);
        if (!fresh) it->second = mergeJson(it->second, f.type);
      }
    std::vector<Field> out;
    for (auto& [k, t] : fields) out.push_back({k, t, true});
    return DataType::structOf(std::move(out));
  }
  if (!a.isNumeric() || !b.isNumeric()) return DataType::string();
  if (a.id() == TypeId::Float64 || b.id() == TypeId::Float64) return DataType::float64();
  if (a.isDecimal() && b.isDecimal()) return mergeInferredTypes(a, b);
  const DataType& d = a.isDecimal() ? a : b;  // decimal and bigint
  int intDigits = std::max(d.precision() - d.scale(), 19);
  if (intDigits + d.scale() > 38) return DataType::float64();
  return DataType::decimal(intDigits + d.scale(), d.scale());
}

// Types never seen with a value (always null, empty arrays) become string, as Spark.
DataType settle(const DataType& t) {
  if (t.id() == TypeId::Null) return DataType::string();
  if (t.id() == TypeId::List) return DataType::array(settle(t.elementType()));
  if (t.id() == TypeId::Struct) {
    std::vector<Field> out;
    for (const auto& f : t.children()) out.push_back({f.name, settle(f.type), true});
    return DataType::structOf(std::move(out));
  }
  return t;
}

}  // namespace

// Defined in json_reader.cpp.
std::unique_ptr<BatchReader> makeJsonReader(const FileSplit& split, const Schema& schema,
                                            const std::vector<int>& projection,
                                            const FormatOptions& options, int batchRows);
std::unique_ptr<BatchWriter> makeJsonWriter(const std::string& path, const Schema& schema,
                                            const FormatOptions& options);

namespace {

class JsonFormat final : public FileFormat {
 public:
  std::string name() const override { return "json"; }

  Schema inferSchema(const std::vector<std::string>& files,
                     const FormatOptions& options) const override {
    if (files.empty()) throw UserError("Unable to infer schema for JSON: no input files");
    JsonOptions o = JsonOptions::from(options);
    std::unordered_map<std::string, DataType> types;
    // The current record's (key, type) pairs, merged into `types` only when the whole
    // record is well-formed; strings reused across records.
    std::vector<std::pair<std::string, DataType>> seen;
    bool sawCorrupt = false;
    JsonParser parser;
    double step = 1.0 / o.samplingRatio, nextPick = 0;
    uint64_t index = 0;
    for (const auto& path : files) {
      uint64_t size = fileSizeOf(path);
      JsonRecords recs(FileSplit{path, 0, size, size, {}}, o.multiLine);
      std::string_view rec;
      while (recs.next(rec)) {
        if (static_cast<double>(index++) < nextPick) continue;
        nextPick += step;
        od::document doc;
        od::object obj;
        bool ok = !parser.iterate(rec, doc) && !doc.get_object().get(obj);
        size_t nSeen = 0;
        if (ok) {
          for (auto field : obj) {
            std::string_view key;
            od::value v;
            if (field.unescaped_key().get(key) || field.value().get(v)) {
              ok = false;
              break;
            }
            DataType t = inferValue(v, o, ok);  // consumes (validates) nested values
            if (!ok) break;
            if (nSeen == seen.size()) seen.emplace_back();
            seen[nSeen].first.assign(key);
            seen[nSeen++].second = t;
          }
          if (ok && !JsonParser::spansRecord(doc, rec)) ok = false;
        }
        if (!ok) {
          if (o.mode == ParseMode::kFailFast)
            throw IoError("Malformed JSON record in " + recs.where() +
                          " (mode FAILFAST): " + std::string(rec.substr(0, 100)));
          sawCorrupt = true;
          continue;
        }
        for (size_t i = 0; i < nSeen; ++i) {
          auto it = types.find(seen[i].first);
          if (it == types.end())
            types.emplace(seen[i].first, seen[i].second);
          else
            it->second = mergeJson(it->second, seen[i].second);
        }
      }
    }
    std::vector<Field> fields;
    for (auto& [k, t] : std::map<std::string, DataType>(types.begin(), types.end()))
      fields.push_back(Field{k, settle(t), true});
    // As Spark: malformed records seen in PERMISSIVE mode add the corrupt-record column.
    if (sawCorrupt && o.mode == ParseMode::kPermissive && !o.corruptColumn.empty() &&
        !types.count(o.corruptColumn))
      fields.push_back(Field{o.corruptColumn, DataType::string(), true});
    return Schema(std::move(fields));
  }

  std::unique_ptr<BatchReader> open(const FileSplit& split, const Schema& schema,
                                    const std::vector<int>& projection,
                                    const std::vector<ColumnPredicate>&,
                                    const FormatOptions& options, int batchRows) const override {
    checkProjection(schema, projection);
    return makeJsonReader(split, schema, projection, options, std::max(1, batchRows));
  }

  std::unique_ptr<BatchWriter> createWriter(const std::string& path, const Schema& schema,
                                            const FormatOptions& options) const override {
    return makeJsonWriter(path, schema, options);
  }

  std::string fileExtension(const FormatOptions& options) const override {
    return ".json" + compressionExtension(textCompressionOf(options.getString("compression", "")));
  }
};

}  // namespace

const FileFormat& jsonFileFormat() {
  static const JsonFormat f;
  return f;
}

}  // namespace ember
