#include "ember/io/csv_parse.h"

#include <cstring>

#include "ember/common/errors.h"
#include "ember/io/byte_source.h"

namespace ember {

CsvOptions CsvOptions::from(const FormatOptions& f) {
  CsvOptions o;
  o.delimiter = f.getChar("sep", f.getChar("delimiter", ','));
  if (o.delimiter == '\0' || o.delimiter == '\n' || o.delimiter == '\r')
    throw UserError("Option 'delimiter' must be one character other than a line break");
  o.quote = f.getChar("quote", '"');
  o.escape = f.getChar("escape", '\\');
  o.comment = f.getChar("comment", '\0');
  if (o.quote != '\0' && o.quote == o.delimiter)
    throw UserError("Options 'quote' and 'delimiter' must differ");
  o.header = f.getBool("header", false);
  o.multiLine = f.getBool("multiLine", false);
  o.inferSchema = f.getBool("inferSchema", false);
  o.prefersDecimal = f.getBool("prefersDecimal", false);
  o.samplingRatio = f.getDouble("samplingRatio", 1.0);
  if (!(o.samplingRatio > 0 && o.samplingRatio <= 1))
    throw UserError("Option 'samplingRatio' must be in (0, 1]");
  o.nullValue = f.getString("nullValue", "");
  o.emptyValue = f.getString("emptyValue", "");
  o.mode = parseModeOf(f);
  o.corruptColumn = f.getString("columnNameOfCorruptRecord", "_corrupt_record");
  if (auto d = f.get("dateFormat")) o.text.dateFormat = TemporalFormat::compile(*d);
  if (auto t = f.get("timestampFormat")) o.text.timestampFormat = TemporalFormat::compile(*t);
  std::string cs = f.getString("encoding", f.getString("charset", "UTF-8"));
  for (char& c : cs) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (cs != "UTF-8" && cs != "UTF8" && cs != "US-ASCII")
    throw UserError("Option 'encoding' " + cs + " is not supported: Ember reads UTF-8 only");
  return o;
}

int CsvSplitter::split(std::string_view rec, std::vector<std::string_view>& fields) {
  fields.clear();
  const char d = o_.delimiter, q = o_.quote, esc = o_.escape;
  const char* p = rec.data();
  const char* e = p + rec.size();
  // Fast path: no quote character in the record, so fields are the pieces between
  // delimiters.
  if (q == '\0' || std::memchr(p, q, rec.size()) == nullptr) {
    // A plain loop beats memchr here: fields are short, so call overhead dominates.
    const char* f = p;
    for (; p < e; ++p) {
      if (*p == d) {
        fields.emplace_back(f, static_cast<size_t>(p - f));
        f = p + 1;
      }
    }
    fields.emplace_back(f, static_cast<size_t>(e - f));
    return -1;
  }
  // Unquoted text never grows, so views into scratch_ stay valid.
  scratch_.clear();
  scratch_.reserve(rec.size());
  for (;;) {
    if (p < e && *p == q) {
      ++p;
      size_t from = scratch_.size();
      bool closed = false;
      while (p < e) {
        char c = *p;
        if (c == esc && esc != q && p + 1 < e && (p[1] == q || p[1] == esc)) {
          scratch_ += p[1];
          p += 2;
        } else if (c == q) {
          if (p + 1 < e && p[1] == q) {  // doubled quote (RFC 4180)
            scratch_ += q;
            p += 2;
          } else {
            ++p;
            closed = true;
            break;
          }
        } else {
          scratch_ += c;
          ++p;
        }
      }
      fields.emplace_back(scratch_.data() + from, scratch_.size() - from);
      if (!closed) return static_cast<int>(fields.size() - 1);
      if (p == e) return -1;
      if (*p != d) return static_cast<int>(fields.size() - 1);
      ++p;
      if (p == e) {
        fields.emplace_back();
        return -1;
      }
    } else {
      const char* x = static_cast<const char*>(std::memchr(p, d, static_cast<size_t>(e - p)));
      const char* end = x ? x : e;
      // A quote inside an unquoted field is kept as text (Spark/univocity do the same).
      fields.emplace_back(p, static_cast<size_t>(end - p));
      if (!x) return -1;
      p = x + 1;
      if (p == e) {
        fields.emplace_back();
        return -1;
      }
    }
  }
}

CsvRecordReader::CsvRecordReader(const FileSplit& s, const CsvOptions& o)
    : path_(s.path),
      start_(s.start),
      o_(o),
      lines_(TextSplit{s.path, s.start, s.length, s.fileSize,
                       compressionOf(s.path) != Compression::kNone}) {}

bool CsvRecordReader::quoteOpen(std::string_view s, bool open) const {
  const char q = o_.quote, esc = o_.escape;
  if (q == '\0' || std::memchr(s.data(), q, s.size()) == nullptr) return open;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (open && c == esc && esc != q && i + 1 < s.size() && (s[i + 1] == q || s[i + 1] == esc))
      ++i;
    else if (c == q)
      open = !open;
  }
  return open;
}

bool CsvRecordReader::next(std::string_view& record) {
  std::string_view line;
  for (;;) {
    if (!lines_.next(line)) return false;
    recordLine_ = lines_.lineNumber();
    if (first_) {
      first_ = false;
      // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first field.
      if (start_ == 0 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (o_.header && start_ == 0) continue;
    }
    if (line.empty() || (o_.comment != '\0' && line[0] == o_.comment)) continue;
    break;
  }
  if (o_.multiLine && quoteOpen(line, false)) {
    joined_.assign(line);
    std::string_view more;
    bool open = true;
    while (open && lines_.next(more)) {
      joined_ += '\n';
      joined_ += more;
      open = quoteOpen(more, true);
    }
    record = joined_;
    return true;
  }
  record = line;
  return true;
}

std::string CsvRecordReader::where() const {
  std::string w = "file " + path_ + ", line " + std::to_string(recordLine_);
  if (start_ > 0) w += " of the split starting at byte " + std::to_string(start_);
  return w;
}

}  // namespace ember
