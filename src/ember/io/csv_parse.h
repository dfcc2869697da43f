// CSV tokenising, internal to the io layer: options, a record reader over a split
// (records = lines, or lines joined while a quote is open when multiLine), and a
// field splitter that unquotes into a scratch buffer only when a record has quotes.
// One thread at a time per object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/io/file_format.h"
#include "ember/io/text_convert.h"
#include "ember/io/text_input.h"

namespace ember {

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';
  char escape = '\\';
  char comment = '\0';
  bool header = false;
  bool multiLine = false;
  bool inferSchema = false;
  bool prefersDecimal = false;
  double samplingRatio = 1.0;
  std::string nullValue;
  std::string emptyValue;  // written for empty strings; default ""
  ParseMode mode = ParseMode::kPermissive;
  std::string corruptColumn = "_corrupt_record";
  TextParseOptions text;
  std::string charset;

  // UserError naming the option for invalid values.
  static CsvOptions from(const FormatOptions& o);
};

// Splits one record into fields. Views point into the record or into the splitter's
// scratch buffer; valid until the next call.
class CsvSplitter {
 public:
  explicit CsvSplitter(const CsvOptions& o) : o_(o) {}
  // Returns -1 when well-formed, else the 0-based index of the field where the record
  // is malformed (unterminated quote, text after a closing quote).
  int split(std::string_view record, std::vector<std::string_view>& fields);

 private:
  const CsvOptions& o_;
  std::string scratch_;
};

// Reads the records of one split. Blank lines and comment lines are skipped; the
// header line is skipped in the split that starts at byte 0 when header=true.
class CsvRecordReader {
 public:
  CsvRecordReader(const FileSplit& split, const CsvOptions& o);
  bool next(std::string_view& record);
  // 1-based line number (within the file when the split starts at 0) of the first line
  // of the last record, and the split's start, for error messages.
  uint64_t recordLine() const { return recordLine_; }
  // "file F, line L" or "file F, line L after byte B" for splits in the middle.
  std::string where() const;
  const std::string& path() const { return path_; }

 private:
  bool quoteOpen(std::string_view s, bool open) const;

  std::string path_;
  uint64_t start_;
  const CsvOptions& o_;
  LineReader lines_;
  std::string joined_;
  uint64_t recordLine_ = 0;
  bool first_ = true;
};

}  // namespace ember
