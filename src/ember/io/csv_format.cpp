// The CSV format: reader (straight into columns), sampled schema inference, writer.
#include <algorithm>

#include "ember/common/errors.h"
#include "ember/io/byte_source.h"
#include "ember/io/csv_parse.h"
#include "ember/io/format_internal.h"
#include "ember/io/output_stream.h"

namespace ember {

namespace {

// The data schema's fields that come from CSV fields (all but the corrupt-record
// column), in file order.
struct CsvLayout {
  int corruptIndex = -1;         // data-schema index of the corrupt-record column
  std::vector<int> fieldToData;  // CSV field k -> data-schema index
};

CsvLayout layoutOf(const Schema& schema, const CsvOptions& o) {
  CsvLayout l;
  for (size_t i = 0; i < schema.size(); ++i) {
    const Field& f = schema.field(i);
    if (!o.corruptColumn.empty() && f.name == o.corruptColumn) {
      if (f.type.id() != TypeId::String)
        throw UserError("The corrupt record column " + f.name + " must have type string");
      l.corruptIndex = static_cast<int>(i);
    } else {
      l.fieldToData.push_back(static_cast<int>(i));
    }
  }
  return l;
}

class CsvReader final : public BatchReader {
 public:
  CsvReader(const FileSplit& split, const Schema& schema, const std::vector<int>& projection,
            CsvOptions o, int batchRows)
      : o_(std::move(o)),
        schema_(schema),
        layout_(layoutOf(schema, o_)),
        records_(split, o_),
        splitter_(o_),
        batchRows_(batchRows),
        projection_(projection) {
    // For each CSV field, the output column it feeds (-1: not projected).
    fieldOut_.assign(layout_.fieldToData.size(), -1);
    for (size_t j = 0; j < projection.size(); ++j) {
      int d = projection[j];
      if (d == layout_.corruptIndex) corruptOut_ = static_cast<int>(j);
      for (size_t k = 0; k < layout_.fieldToData.size(); ++k)
        if (layout_.fieldToData[k] == d) fieldOut_[k] = static_cast<int>(j);
    }
  }

  BatchPtr next() override {
    std::vector<ColumnPtr> cols;
    cols.reserve(projection_.size());
    for (int d : projection_) {
      auto c = Column::make(schema_.field(static_cast<size_t>(d)).type);
      c->reserve(batchRows_);
      cols.push_back(std::move(c));
    }
    int64_t rows = 0;
    std::string_view rec;
    std::vector<std::string_view>& fields = fields_;
    const size_t nFields = layout_.fieldToData.size();
    while (rows < batchRows_ && records_.next(rec)) {
      int bad = splitter_.split(rec, fields);
      const char* why = bad >= 0 ? "unterminated quote or text after a closing quote" : nullptr;
      if (!why && fields.size() != nFields) {
        why = fields.size() < nFields ? "too few fields" : "too many fields";
        bad = static_cast<int>(std::min(fields.size(), nFields));
      }
      size_t n = std::min(fields.size(), nFields);
      for (size_t k = 0; k < nFields; ++k) {
        int out = fieldOut_[k];
        if (out < 0) continue;
        Column& c = *cols[static_cast<size_t>(out)];
        if (k >= n) {
          c.appendNull();
          continue;
        }
        std::string_view f = fields[k];
        if (f == o_.nullValue) {
          c.appendNull();
        } else if (!appendParsed(c, f, o_.text)) {
          c.appendNull();
          if (!why) {
            why = "cannot parse the value";
            bad = static_cast<int>(k);
          }
        }
      }
      if (why) {
        if (o_.mode == ParseMode::kFailFast) fail(why, bad, fields);
        if (o_.mode == ParseMode::kDropMalformed) {
          // Column::resize keeps the dropped rows' null bits and append() does not
          // reset them, so the dropped positions are made valid again explicitly.
          for (auto& c : cols) {
            int64_t had = c->size();
            c->resize(rows);
            if (c->mayHaveNulls())
              for (int64_t i = rows; i < had; ++i) c->setValid(i);
          }
          continue;
        }
      }
      if (corruptOut_ >= 0) {
        Column& c = *cols[static_cast<size_t>(corruptOut_)];
        if (why)
          c.appendString(rec);
        else
          c.appendNull();
      }
      ++rows;
    }
    if (rows == 0) return nullptr;
    for (auto& c : cols) c->compactValidity();
    return std::make_shared<Batch>(std::move(cols), rows);
  }

 private:
  [[noreturn]] void fail(const char* why, int field, const std::vector<std::string_view>& fields) {
    std::string msg =
        "Malformed CSV record in " + records_.where() + ", column " + std::to_string(field + 1);
    if (static_cast<size_t>(field) < layout_.fieldToData.size()) {
      const Field& f =
          schema_.field(static_cast<size_t>(layout_.fieldToData[static_cast<size_t>(field)]));
      msg += " (" + f.name + ": " + f.type.toString() + ")";
    }
    msg += ": " + std::string(why);
    if (static_cast<size_t>(field) < fields.size())
      msg += " '" + std::string(fields[static_cast<size_t>(field)].substr(0, 100)) + "'";
    msg += " (mode FAILFAST; use mode PERMISSIVE or DROPMALFORMED to read past bad records)";
    throw IoError(msg);
  }

  CsvOptions o_;
  Schema schema_;
  CsvLayout layout_;
  CsvRecordReader records_;
  CsvSplitter splitter_;
  int batchRows_;
  std::vector<int> projection_;
  std::vector<int> fieldOut_;
  int corruptOut_ = -1;
  std::vector<std::string_view> fields_;
};

class CsvWriter final : public BatchWriter {
 public:
  CsvWriter(const std::string& path, const Schema& schema, const FormatOptions& f)
      : o_(CsvOptions::from(f)),
        schema_(schema),
        out_(path, textCompressionOf(f.getString("compression", ""))),
        quoteAll_(f.getBool("quoteAll", false)) {
    if (o_.text.timestampFormat.isIso())
      o_.text.timestampFormat = TemporalFormat::compile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    if (o_.header) {
      line_.clear();
      for (size_t i = 0; i < schema.size(); ++i) {
        if (i) line_ += o_.delimiter;
        appendField(schema.field(i).name, false);
      }
      line_ += '\n';
      out_.write(line_);
    }
  }

  void write(const Batch& b) override {
    if (b.numColumns() != schema_.size())
      throw UserError("CSV writer: batch has " + std::to_string(b.numColumns()) +
                      " columns, schema " + std::to_string(schema_.size()));
    for (int64_t r = 0; r < b.numRows; ++r) {
      line_.clear();
      for (size_t i = 0; i < b.numColumns(); ++i) {
        if (i) line_ += o_.delimiter;
        const Column& c = b.column(i);
        if (c.isNull(r)) {
          line_ += o_.nullValue;
        } else if (c.type().id() == TypeId::String) {
          appendField(c.stringAt(r), true);
        } else {
          cell_.clear();
          formatValueText(c, r, o_.text, cell_);
          appendField(cell_, false);
        }
      }
      line_ += '\n';
      out_.write(line_);
    }
  }
  void close() override { out_.close(); }
  uint64_t bytesWritten() const override { return out_.fileBytes(); }

 private:
  void appendField(std::string_view s, bool isString) {
    // Empty strings are written quoted ("" by default) so that they do not read back
    // as null, as Spark does.
    if (isString && s.empty()) {
      line_ += o_.emptyValue.empty() ? std::string{o_.quote, o_.quote} : o_.emptyValue;
      return;
    }
    bool needs = quoteAll_;
    for (char ch : s)
      if (ch == o_.delimiter || ch == o_.quote || ch == '\n' || ch == '\r' ||
          (ch == o_.escape && o_.escape != '\0')) {
        needs = true;
        break;
      }
    if (!needs && isString && !s.empty() && (s == o_.nullValue || s[0] == o_.comment)) needs = true;
    if (!needs || o_.quote == '\0') {
      line_ += s;
      return;
    }
    line_ += o_.quote;
    for (char ch : s) {
      if (ch == o_.quote || (ch == o_.escape && o_.escape != '\0'))
        line_ += o_.escape != '\0' ? o_.escape : o_.quote;
      line_ += ch;
    }
    line_ += o_.quote;
  }

  CsvOptions o_;
  Schema schema_;
  OutputStream out_;
  bool quoteAll_;
  std::string line_;
  std::string cell_;
};

// Spark's header names: blank -> _c<i>; duplicates get their index appended.
std::vector<std::string> headerNames(const std::vector<std::string_view>& fields) {
  std::vector<std::string> names;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string n(fields[i]);
    if (n.empty()) n = "_c" + std::to_string(i);
    names.push_back(n);
  }
  std::vector<std::string> out = names;
  for (size_t i = 0; i < names.size(); ++i)
    for (size_t j = 0; j < names.size(); ++j)
      if (i != j && equalsIgnoreCase(names[i], names[j])) out[i] = names[i] + std::to_string(i);
  return out;
}

class CsvFormat final : public FileFormat {
 public:
  std::string name() const override { return "csv"; }

  Schema inferSchema(const std::vector<std::string>& files,
                     const FormatOptions& options) const override {
    if (files.empty()) throw UserError("Unable to infer schema for CSV: no input files");
    CsvOptions o = CsvOptions::from(options);
    std::vector<std::string> names;
    std::vector<DataType> types;
    bool haveNames = false;
    CsvSplitter splitter(o);
    std::vector<std::string_view> fields;
    // Deterministic sampling: every (1/ratio)-th record.
    double step = 1.0 / o.samplingRatio, nextPick = 0;
    uint64_t index = 0;
    for (const auto& path : files) {
      uint64_t size = fileSizeOf(path);
      FileSplit s{path, 0, size, size, {}};
      CsvOptions noHeader = o;
      noHeader.header = false;
      CsvRecordReader rr(s, noHeader);
      std::string_view rec;
      bool firstRecord = true;
      while (rr.next(rec)) {
        splitter.split(rec, fields);
        if (firstRecord) {
          firstRecord = false;
          if (!haveNames) {
            haveNames = true;
            if (o.header) {
              names = headerNames(fields);
            } else {
              for (size_t i = 0; i < fields.size(); ++i) names.push_back("_c" + std::to_string(i));
            }
            types.assign(names.size(), DataType::null());
          }
          if (o.header) continue;
        }
        if (!o.inferSchema) break;
        if (static_cast<double>(index++) < nextPick) continue;
        nextPick += step;
        for (size_t i = 0; i < std::min(fields.size(), types.size()); ++i) {
          if (fields[i] == o.nullValue || types[i].id() == TypeId::String) continue;
          types[i] =
              mergeInferredTypes(types[i], inferTextType(fields[i], o.text, o.prefersDecimal));
        }
      }
      if (!o.inferSchema && haveNames) break;
    }
    if (!haveNames) throw UserError("Unable to infer schema for CSV: the input files are empty");
    std::vector<Field> out;
    for (size_t i = 0; i < names.size(); ++i) {
      DataType t = types[i].id() == TypeId::Null ? DataType::string() : types[i];
      out.push_back(Field{names[i], t, true});
    }
    return Schema(std::move(out));
  }

  std::unique_ptr<BatchReader> open(const FileSplit& split, const Schema& schema,
                                    const std::vector<int>& projection,
                                    const std::vector<ColumnPredicate>&,
                                    const FormatOptions& options, int batchRows) const override {
    checkProjection(schema, projection);
    return std::make_unique<CsvReader>(split, schema, projection, CsvOptions::from(options),
                                       std::max(1, batchRows));
  }

  std::unique_ptr<BatchWriter> createWriter(const std::string& path, const Schema& schema,
                                            const FormatOptions& options) const override {
    return std::make_unique<CsvWriter>(path, schema, options);
  }

  std::string fileExtension(const FormatOptions& options) const override {
    return ".csv" + compressionExtension(textCompressionOf(options.getString("compression", "")));
  }
};

}  // namespace

const FileFormat& csvFileFormat() {
  static const CsvFormat f;
  return f;
}

}  // namespace ember
