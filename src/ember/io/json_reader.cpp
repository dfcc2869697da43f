// JSON reader (simdjson on-demand, values appended straight into columns) and JSON-lines
// writer.
#include <charconv>
#include <unordered_map>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/io/format_internal.h"
#include "ember/io/json_internal.h"
#include "ember/io/output_stream.h"

namespace ember {

namespace {

std::string lowerAscii(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// Appends value v to c; false when v does not fit the column's type.
bool appendJson(od::value v, Column& c, const TextParseOptions& text) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::null) {
    bool isNull = false;
    if (v.is_null().get(isNull) || !isNull) return false;
    c.appendNull();
    return true;
  }
  const DataType& type = c.type();
  if (type.id() == TypeId::String) {
    std::string_view s;
    switch (t) {
      case od::json_type::string:
        if (v.get_string().get(s)) return false;
        break;
      case od::json_type::object:
      case od::json_type::array:
        if (!JsonParser::rawNested(v, t, s)) return false;
        break;
      default: {
        // Numbers and booleans keep their JSON text; validate them first.
        if (t == od::json_type::boolean) {
          bool b;
          if (v.get_bool().get(b)) return false;
          c.appendString(b ? "true" : "false");
          return true;
        }
        double d;
        s = trim(v.raw_json_token());
        if (v.get_double().get(d)) return false;
      }
    }
    c.appendString(trim(s));
    return true;
  }
  switch (type.id()) {
    case TypeId::Boolean: {
      bool b;
      if (t != od::json_type::boolean || v.get_bool().get(b)) return false;
      c.append<uint8_t>(b ? 1 : 0);
      return true;
    }
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64: {
      if (t != od::json_type::number) return false;
      return appendParsed(c, trim(v.raw_json_token()), text);
    }
    case TypeId::Float32:
    case TypeId::Float64:
    case TypeId::Decimal: {
      std::string_view tok;
      if (t == od::json_type::number) {
        double d;
        tok = trim(v.raw_json_token());
        if (v.get_double().get(d)) return false;  // validates the token
      } else if (t == od::json_type::string && !type.isDecimal()) {
        if (v.get_string().get(tok)) return false;  // "NaN", "Infinity" as Spark writes them
        if (tok != "NaN" && tok != "Infinity" && tok != "-Infinity") return false;
      } else {
        return false;
      }
      return appendParsed(c, tok, text);
    }
    case TypeId::Date:
    case TypeId::Timestamp: {
      if (t == od::json_type::number && type.id() == TypeId::Timestamp) {
        int64_t secs;
        if (v.get_int64().get(secs) || secs > INT64_MAX / kMicrosPerSecond ||
            secs < INT64_MIN / kMicrosPerSecond)
          return false;
        c.append<int64_t>(secs * kMicrosPerSecond);
        return true;
      }
      std::string_view s;
      if (t != od::json_type::string || v.get_string().get(s)) return false;
      return appendParsed(c, s, text);
    }
    case TypeId::List: {
      od::array a;
      if (t != od::json_type::array || v.get_array().get(a)) return false;
      for (auto x : a) {  // a failure leaves elements behind: the caller truncates
        od::value ev;
        if (x.get(ev) || !appendJson(ev, c.child(0), text)) return false;
      }
      c.appendNestedRow();
      return true;
    }
    case TypeId::Map:
    case TypeId::Struct: {
      od::object obj;
      if (t != od::json_type::object || v.get_object().get(obj)) return false;
      bool isMap = type.id() == TypeId::Map;
      const auto& fields = type.children();
      std::vector<char> set(isMap ? 0 : fields.size(), 0);
      for (auto f : obj) {
        std::string_view key;
        od::value fv;
        if (f.unescaped_key().get(key) || f.value().get(fv)) return false;
        if (isMap) {
          if (fields[0].type.id() != TypeId::String) return false;
          c.child(0).appendString(key);
          if (!appendJson(fv, c.child(1), text)) return false;
          continue;
        }
        size_t k = 0;
        while (k < fields.size() && fields[k].name != key) ++k;
        if (k == fields.size()) {  // then case-insensitively, as top-level fields
          k = 0;
          while (k < fields.size() && !equalsIgnoreCase(fields[k].name, std::string(key))) ++k;
        }
        if (k == fields.size() || set[k]) {
          od::json_type ft;
          std::string_view raw;
          if (fv.type().get(ft) || ((ft == od::json_type::object || ft == od::json_type::array) &&
                                    !JsonParser::rawNested(fv, ft, raw)))
            return false;
          continue;
        }
        if (!appendJson(fv, c.child(k), text)) return false;
        set[k] = 1;
      }
      for (size_t k = 0; k < set.size(); ++k)
        if (!set[k]) c.child(k).appendNull();
      c.appendNestedRow();
      return true;
    }
    default:
      return false;
  }
}

class JsonReader final : public BatchReader {
 public:
  JsonReader(const FileSplit& split, const Schema& schema, const std::vector<int>& projection,
             const FormatOptions& options, int batchRows)
      : o_(JsonOptions::from(options)),
        schema_(schema),
        projection_(projection),
        records_(split, o_.multiLine),
        batchRows_(batchRows) {
    outOf_.assign(schema.size(), -1);
    for (size_t j = 0; j < projection.size(); ++j) {
      int d = projection[j];
      if (schema.field(static_cast<size_t>(d)).name == o_.corruptColumn) {
        if (schema.field(static_cast<size_t>(d)).type.id() != TypeId::String)
          throw UserError("The corrupt record column " + o_.corruptColumn +
                          " must have type string");
        corruptOut_ = static_cast<int>(j);
      } else {
        outOf_[static_cast<size_t>(d)] = static_cast<int>(j);
      }
    }
    for (size_t i = 0; i < schema.size(); ++i) {
      byName_.emplace(schema.field(i).name, static_cast<int>(i));
      byLowerName_.emplace(lowerAscii(schema.field(i).name), static_cast<int>(i));
    }
  }

  BatchPtr next() override {
    std::vector<ColumnPtr> cols;
    for (int d : projection_) {
      cols.push_back(Column::make(schema_.field(static_cast<size_t>(d)).type));
      cols.back()->reserve(batchRows_);
    }
    int64_t rows = 0;
    std::string_view rec;
    std::vector<char> seen(projection_.size());
    while (rows < batchRows_ && records_.next(rec)) {
      std::fill(seen.begin(), seen.end(), 0);
      std::string why = parseInto(rec, cols, seen);
      if (why.empty()) {
        for (size_t j = 0; j < cols.size(); ++j)
          if (!seen[j] && static_cast<int>(j) != corruptOut_) cols[j]->appendNull();
        if (corruptOut_ >= 0) cols[static_cast<size_t>(corruptOut_)]->appendNull();
        ++rows;
        continue;
      }
      if (o_.mode == ParseMode::kFailFast)
        throw IoError(
            "Malformed JSON record in " + records_.where() + ": " + why +
            " (mode FAILFAST; use mode PERMISSIVE or DROPMALFORMED to read past bad records)");
      // Roll back the partial row (resetting null bits resize() leaves behind).
      for (auto& c : cols) {
        int64_t had = c->size();
        c->resize(rows);
        if (c->mayHaveNulls())
          for (int64_t i = rows; i < had; ++i) c->setValid(i);
      }
      if (o_.mode == ParseMode::kDropMalformed) continue;
      for (size_t j = 0; j < cols.size(); ++j) {
        if (static_cast<int>(j) == corruptOut_)
          cols[j]->appendString(rec);
        else
          cols[j]->appendNull();
      }
      ++rows;
    }
    if (rows == 0) return nullptr;
    for (auto& c : cols) c->compactValidity();
    return std::make_shared<Batch>(std::move(cols), rows);
  }

 private:
  // Fills the projected fields present in the record; returns why it is malformed or "".
  std::string parseInto(std::string_view rec, std::vector<ColumnPtr>& cols,
                        std::vector<char>& seen) {
    od::document doc;
    od::object obj;
    if (parser_.iterate(rec, doc) || doc.get_object().get(obj)) return "not a JSON object";
    for (auto field : obj) {
      std::string_view key;
      od::value v;
      if (field.unescaped_key().get(key) || field.value().get(v)) return "invalid JSON";
      auto it = byName_.find(std::string(key));
      int d = -1;
      if (it != byName_.end())
        d = it->second;
      else if (auto lt = byLowerName_.find(lowerAscii(key)); lt != byLowerName_.end())
        d = lt->second;
      int out = d >= 0 ? outOf_[static_cast<size_t>(d)] : -1;
      if (out < 0 || seen[static_cast<size_t>(out)]) {
        // Not projected (or a duplicate key): still validated by skipping it.
        od::json_type t;
        if (v.type().get(t)) return "invalid JSON";
        std::string_view raw;
        if ((t == od::json_type::object || t == od::json_type::array) &&
            !JsonParser::rawNested(v, t, raw))
          return "invalid JSON";
        continue;
      }
      if (!appendJson(v, *cols[static_cast<size_t>(out)], o_.text))
        return "field " + std::string(key) + " is not a valid " +
               cols[static_cast<size_t>(out)]->type().toString();
      seen[static_cast<size_t>(out)] = 1;
    }
    if (!JsonParser::spansRecord(doc, rec)) return "text after the JSON object";
    return "";
  }

  JsonOptions o_;
  Schema schema_;
  std::vector<int> projection_;
  JsonRecords records_;
  int batchRows_;
  JsonParser parser_;
  std::vector<int> outOf_;
  int corruptOut_ = -1;
  std::unordered_map<std::string, int> byName_, byLowerName_;
};

void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

class JsonWriter final : public BatchWriter {
 public:
  JsonWriter(const std::string& path, const Schema& schema, const FormatOptions& f)
      : o_(JsonOptions::from(f)),
        schema_(schema),
        out_(path, textCompressionOf(f.getString("compression", ""))) {
    if (o_.text.timestampFormat.isIso())
      o_.text.timestampFormat = TemporalFormat::compile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
  }
  void write(const Batch& b) override {
    if (b.numColumns() != schema_.size())
      throw UserError("JSON writer: batch does not match the schema");
    for (int64_t r = 0; r < b.numRows; ++r) {
      line_.assign(1, '{');  // (assigning "{" trips GCC 12's false -Wrestrict at -O3)
      bool first = true;
      for (size_t c = 0; c < b.numColumns(); ++c) {
        const Column& col = b.column(c);
        if (col.isNull(r) && o_.ignoreNullFields) continue;
        if (!first) line_ += ',';
        first = false;
        appendJsonString(line_, schema_.field(c).name);
        line_ += ':';
        appendCell(col, r);
      }
      line_ += "}\n";
      out_.write(line_);
    }
  }
  void close() override { out_.close(); }
  uint64_t bytesWritten() const override { return out_.fileBytes(); }

 private:
  // Arrays as JSON arrays, structs and maps as objects (map keys as strings), as Spark.
  void appendCell(const Column& col, int64_t r) {
    if (col.isNull(r)) {
      line_ += "null";
      return;
    }
    if (col.type().isNested()) return appendNested(col, r);
    TypeId t = col.type().id();
    cell_.clear();
    formatValueText(col, r, o_.text, cell_);
    bool quoted = t == TypeId::String || t == TypeId::Date || t == TypeId::Timestamp ||
                  ((t == TypeId::Float32 || t == TypeId::Float64) &&
                   (cell_ == "NaN" || cell_.find("Infinity") != std::string::npos));
    if (quoted)
      appendJsonString(line_, cell_);
    else
      line_ += cell_;
  }
  void appendNested(const Column& col, int64_t r) {
    TypeId t = col.type().id();
    if (t == TypeId::Struct) {
      line_ += '{';
      for (size_t k = 0; k < col.children().size(); ++k) {
        if (k) line_ += ',';
        appendJsonString(line_, col.type().children()[k].name);
        line_ += ':';
        appendCell(col.child(k), r);
      }
      line_ += '}';
      return;
    }
    line_ += t == TypeId::List ? '[' : '{';
    for (int32_t j = col.listBegin(r); j < col.listEnd(r); ++j) {
      if (j > col.listBegin(r)) line_ += ',';
      if (t == TypeId::Map) {
        std::string key;
        formatValueText(col.child(0), j, o_.text, key);
        appendJsonString(line_, key);
        line_ += ':';
        appendCell(col.child(1), j);
      } else {
        appendCell(col.child(0), j);
      }
    }
    line_ += t == TypeId::List ? ']' : '}';
  }

  JsonOptions o_;
  Schema schema_;
  OutputStream out_;
  std::string line_, cell_;
};

}  // namespace

std::unique_ptr<BatchReader> makeJsonReader(const FileSplit& split, const Schema& schema,
                                            const std::vector<int>& projection,
                                            const FormatOptions& options, int batchRows) {
  return std::make_unique<JsonReader>(split, schema, projection, options, batchRows);
}

std::unique_ptr<BatchWriter> makeJsonWriter(const std::string& path, const Schema& schema,
                                            const FormatOptions& options) {
  return std::make_unique<JsonWriter>(path, schema, options);
}

}  // namespace ember
