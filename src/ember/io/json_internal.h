// JSON internals shared by json_format.cpp (inference, format) and json_reader.cpp
// (reader, writer). Internal to the io layer; one thread per object.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/common/errors.h"
#include "ember/io/byte_source.h"
#include "ember/io/file_format.h"
#include "ember/io/text_convert.h"
#include "ember/io/text_input.h"

namespace ember {

namespace od = simdjson::ondemand;

struct JsonOptions {
  bool multiLine = false;
  bool prefersDecimal = false;
  double samplingRatio = 1.0;
  ParseMode mode = ParseMode::kPermissive;
  std::string corruptColumn = "_corrupt_record";
  TextParseOptions text;
  bool ignoreNullFields = true;

  static JsonOptions from(const FormatOptions& f) {
    JsonOptions o;
    o.multiLine = f.getBool("multiLine", false);
    o.prefersDecimal = f.getBool("prefersDecimal", false);
    o.samplingRatio = f.getDouble("samplingRatio", 1.0);
    if (!(o.samplingRatio > 0 && o.samplingRatio <= 1))
      throw UserError("Option 'samplingRatio' must be in (0, 1]");
    o.mode = parseModeOf(f);
    o.corruptColumn = f.getString("columnNameOfCorruptRecord", "_corrupt_record");
    if (auto d = f.get("dateFormat")) o.text.dateFormat = TemporalFormat::compile(*d);
    if (auto t = f.get("timestampFormat")) o.text.timestampFormat = TemporalFormat::compile(*t);
    o.ignoreNullFields = f.getBool("ignoreNullFields", true);
    return o;
  }
};

inline std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  return s;
}

// Records of one split: lines, or (multiLine) the elements of the file's top-level array.
class JsonRecords {
 public:
  JsonRecords(const FileSplit& s, bool multiLine) : path_(s.path), start_(s.start) {
    if (!multiLine) {
      lines_ = std::make_unique<LineReader>(TextSplit{s.path, s.start, s.length, s.fileSize,
                                                      compressionOf(s.path) != Compression::kNone});
      return;
    }
    auto src = openByteSource(s.path, compressionOf(s.path), 0);
    char buf[1 << 16];
    for (size_t n; (n = src->read(buf, sizeof buf)) > 0;) whole_.append(buf, n);
    std::string_view t = trim(whole_);
    if (t.substr(0, 3) == "\xEF\xBB\xBF") t = trim(t.substr(3));
    while (!t.empty() && (t.front() == '\n' || t.front() == '\r')) t.remove_prefix(1);
    if (!t.empty() && t.front() == '[')
      splitArray(t);
    else if (!t.empty())
      items_.push_back(t);
  }
  // Next record text (blank lines skipped).
  bool next(std::string_view& rec) {
    if (lines_) {
      while (lines_->next(rec)) {
        if (lines_->lineNumber() == 1 && start_ == 0 && rec.substr(0, 3) == "\xEF\xBB\xBF")
          rec.remove_prefix(3);  // UTF-8 byte-order mark
        if (!trim(rec).empty()) return true;
      }
      return false;
    }
    if (item_ >= items_.size()) return false;
    rec = items_[item_++];
    return true;
  }
  std::string where() const {
    if (lines_) {
      std::string w = "file " + path_ + ", line " + std::to_string(lines_->lineNumber());
      if (start_ > 0) w += " of the split starting at byte " + std::to_string(start_);
      return w;
    }
    return "file " + path_ + ", record " + std::to_string(item_);
  }

 private:
  // Cuts a top-level array into its element texts (strings and nesting respected); a
  // malformed array becomes one bad record.
  void splitArray(std::string_view t) {
    int depth = 0;
    bool inString = false;
    size_t begin = 1;
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (inString) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          inString = false;
        continue;
      }
      if (c == '"')
        inString = true;
      else if (c == '[' || c == '{')
        ++depth;
      else if (c == ']' || c == '}') {
        if (--depth == 0) {
          std::string_view e = trim(t.substr(begin, i - begin));
          while (!e.empty() && (e.front() == '\n' || e.front() == '\r')) e.remove_prefix(1);
          if (!e.empty()) items_.push_back(e);
          if (trim(t.substr(i + 1)).find_first_not_of("\r\n") != std::string_view::npos)
            items_.push_back(t.substr(i + 1));
          return;
        }
      } else if (c == ',' && depth == 1) {
        items_.push_back(trim(t.substr(begin, i - begin)));
        begin = i + 1;
      }
    }
    items_.assign(1, t);  // unterminated
  }

  std::string path_;
  uint64_t start_;
  std::unique_ptr<LineReader> lines_;
  std::string whole_;
  std::vector<std::string_view> items_;
  size_t item_ = 0;
};

// Parses records with simdjson (which needs padded input).
class JsonParser {
 public:
  // Whether the document (already iterated) is one object spanning all of rec: the
  // on-demand parser does not notice text after the object by itself.
  static bool spansRecord(od::document& doc, std::string_view rec) {
    od::object o;
    std::string_view raw;
    if (doc.rewind(), doc.get_object().get(o) || o.raw_json().get(raw)) return false;
    return trim(raw).size() == trim(rec).size();
  }
  // Reads a nested object or array completely (validating it); its raw text in raw.
  static bool rawNested(od::value v, od::json_type t, std::string_view& raw) {
    if (t == od::json_type::object) {
      od::object o;
      return !v.get_object().get(o) && !o.raw_json().get(raw);
    }
    od::array a;
    return !v.get_array().get(a) && !a.raw_json().get(raw);
  }
  simdjson::error_code iterate(std::string_view rec, od::document& doc) {
    padded_.assign(rec);
    padded_.append(simdjson::SIMDJSON_PADDING, '\0');
    return parser_.iterate(padded_.data(), rec.size(), padded_.size()).get(doc);
  }

 private:
  od::parser parser_;
  std::string padded_;
};

}  // namespace ember
