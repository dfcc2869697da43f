// The "text" format: one string column ("value") per line, as spark.read.text.
#include "ember/common/errors.h"
#include "ember/io/byte_source.h"
#include "ember/io/format_internal.h"
#include "ember/io/output_stream.h"
#include "ember/io/text_input.h"

namespace ember {

namespace {

class TextReader final : public BatchReader {
 public:
  TextReader(const FileSplit& s, bool produce, int batchRows)
      : lines_(TextSplit{s.path, s.start, s.length, s.fileSize,
                         compressionOf(s.path) != Compression::kNone}),
        produce_(produce),
        batchRows_(batchRows) {}

  BatchPtr next() override {
    auto col = Column::make(DataType::string());
    int64_t rows = 0;
    std::string_view line;
    while (rows < batchRows_ && lines_.next(line)) {
      if (produce_) col->appendString(line);
      ++rows;
    }
    if (rows == 0) return nullptr;
    std::vector<ColumnPtr> cols;
    if (produce_) cols.push_back(col);
    return std::make_shared<Batch>(std::move(cols), rows);
  }

 private:
  LineReader lines_;
  bool produce_;
  int batchRows_;
};

class TextWriter final : public BatchWriter {
 public:
  TextWriter(const std::string& path, Compression c) : out_(path, c) {}
  void write(const Batch& b) override {
    if (b.numColumns() != 1 || b.column(0).type().id() != TypeId::String)
      throw UserError("The text format writes exactly one string column");
    const Column& c = b.column(0);
    for (int64_t i = 0; i < b.numRows; ++i) {
      if (!c.isNull(i)) out_.write(c.stringAt(i));
      out_.write("\n", 1);
    }
  }
  void close() override { out_.close(); }
  uint64_t bytesWritten() const override { return out_.fileBytes(); }

 private:
  OutputStream out_;
};

class TextFormat final : public FileFormat {
 public:
  std::string name() const override { return "text"; }
  Schema inferSchema(const std::vector<std::string>& files, const FormatOptions&) const override {
    if (files.empty()) throw UserError("Unable to infer schema for text: no input files");
    return Schema({Field{"value", DataType::string(), true}});
  }
  std::vector<FileSplit> planSplits(const std::vector<std::string>& files, const FormatOptions&,
                                    uint64_t target) const override {
    return byteRangeSplits(files, target, false);
  }
  std::unique_ptr<BatchReader> open(const FileSplit& split, const Schema& schema,
                                    const std::vector<int>& projection,
                                    const std::vector<ColumnPredicate>&, const FormatOptions&,
                                    int batchRows) const override {
    checkProjection(schema, projection);
    if (schema.size() != 1 || schema.field(0).type.id() != TypeId::String)
      throw UserError("The text format has one string column, not (" + schema.toString() + ")");
    return std::make_unique<TextReader>(split, !projection.empty(), std::max(1, batchRows));
  }
  std::unique_ptr<BatchWriter> createWriter(const std::string& path, const Schema& schema,
                                            const FormatOptions& options) const override {
    if (schema.size() != 1 || schema.field(0).type.id() != TypeId::String)
      throw UserError("The text format writes exactly one string column, not (" +
                      schema.toString() + ")");
    return std::make_unique<TextWriter>(path,
                                        textCompressionOf(options.getString("compression", "")));
  }
  std::string fileExtension(const FormatOptions& options) const override {
    return ".txt" + compressionExtension(textCompressionOf(options.getString("compression", "")));
  }
};

}  // namespace

const FileFormat& textFileFormat() {
  static const TextFormat f;
  return f;
}

}  // namespace ember
