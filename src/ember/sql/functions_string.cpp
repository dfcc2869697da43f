// String functions, part 1: case mapping, length, substring, trimming, concatenation,
// replace, split_part. Positions and lengths count UTF-8 characters (code points), as
// Spark counts Java chars for BMP text.
#include <clocale>
#include <cstring>
#include <cwctype>

#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

// Functions, not namespace-scope constants: the built-ins may be registered during static
// initialisation (a registerUdf in another translation unit), before such constants are.
DataType kStr() { return DataType::string(); }
DataType kInt() { return DataType::int32(); }

// Decodes one code point at s[i] (advancing i); invalid bytes decode as themselves.
}  // namespace

uint32_t decodeUtf8(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (n && i + static_cast<size_t>(n) >= s.size()) n = 0;
  uint32_t cp = n == 0 ? c : c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<size_t>(n) + 1;
  return cp;
}

void encodeUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// glibc's C.UTF-8 locale carries the Unicode case tables; the process locale is left
// alone (other code may depend on "C").
locale_t utf8Locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return l ? l : newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr));
  }();
  return loc;
}

}  // namespace

uint32_t toUpperCp(uint32_t cp) {
  return static_cast<uint32_t>(towupper_l(static_cast<wint_t>(cp), utf8Locale()));
}
uint32_t toLowerCp(uint32_t cp) {
  return static_cast<uint32_t>(towlower_l(static_cast<wint_t>(cp), utf8Locale()));
}

namespace {

template <bool Upper>
void mapCase(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = decodeUtf8(s, i);
    encodeUtf8(Upper ? toUpperCp(cp) : toLowerCp(cp), out);
  }
}

// upper/lower: when the whole batch is ASCII, one pass over the character buffer
// (offsets and validity are copied unchanged); otherwise per row with Unicode tables.
template <bool Upper>
ColumnPtr caseKernel(std::span<const ColumnPtr> args, int64_t rows) {
  const Column& c = *args[0];
  const unsigned char* p = reinterpret_cast<const unsigned char*>(c.chars());
  int64_t n = c.charsSize();
  unsigned char any = 0;
  for (int64_t i = 0; i < n; ++i) any |= p[i];
  if (!(any & 0x80)) {
    Buffer chars(static_cast<size_t>(n));
    unsigned char* o = chars.data();
    for (int64_t i = 0; i < n; ++i) {
      unsigned char ch = p[i];
      bool flip = Upper ? (ch >= 'a' && ch <= 'z') : (ch >= 'A' && ch <= 'Z');
      o[i] = static_cast<unsigned char>(ch ^ (flip ? 0x20 : 0));
    }
    Buffer offsets;
    offsets.append(c.offsets(), static_cast<size_t>(rows + 1) * sizeof(int32_t));
    auto out = std::make_shared<Column>(kStr());
    out->adoptStrings(std::move(offsets), std::move(chars), rows);
    if (c.validity()) {
      Buffer v;
      v.append(c.validity(), static_cast<size_t>(bitmapWords(rows)) * 8);
      out->adoptValidity(std::move(v));
    }
    return out;
  }
  std::string tmp;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    mapCase<Upper>(a.str(0, i), tmp);
    b.append(tmp);
  });
}

ColumnPtr lengthKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = makeResult(kInt(), args, rows);
  int32_t* o = out->mutableValues<int32_t>();
  const Column& c = *args[0];
  for (int64_t i = 0; i < rows; ++i) o[i] = static_cast<int32_t>(utf8Length(c.stringAt(i)));
  return out;
}

ColumnPtr octetLengthKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = makeResult(kInt(), args, rows);
  int32_t* o = out->mutableValues<int32_t>();
  const int32_t* off = args[0]->offsets();
  for (int64_t i = 0; i < rows; ++i) o[i] = off[i + 1] - off[i];
  return out;
}

// Spark's substring: pos 1-based; 0 acts as 1; negative counts from the end; the
// window [start, start + len) is clipped to the string.
std::string_view substringOf(std::string_view s, int64_t pos, int64_t len) {
  bool ascii = true;
  for (char ch : s) ascii &= static_cast<unsigned char>(ch) < 0x80;
  int64_t n = ascii ? static_cast<int64_t>(s.size()) : utf8Length(s);
  int64_t start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  int64_t end = len > INT32_MAX ? INT64_MAX / 2 : start + len;
  start = std::max<int64_t>(start, 0);
  end = std::min(end, n);
  if (end <= start) return {};
  if (ascii) return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
  size_t b = utf8Offset(s, start), e = utf8Offset(s, end);
  return s.substr(b, e - b);
}

ColumnPtr substringKernel(std::span<const ColumnPtr> args, int64_t rows) {
  bool hasLen = args.size() == 3;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    int64_t len = hasLen ? a.val<int32_t>(2, i) : INT64_MAX;
    b.append(substringOf(a.str(0, i), a.val<int32_t>(1, i), len));
  });
}

// trim(str[, chars]): removes the given characters (default: spaces) from the ends.
template <bool Left, bool Right>
ColumnPtr trimKernel(std::span<const ColumnPtr> args, int64_t rows) {
  bool custom = args.size() == 2;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    if (!custom) {
      size_t lo = 0, hi = s.size();
      if (Left)
        while (lo < hi && s[lo] == ' ') ++lo;
      if (Right)
        while (hi > lo && s[hi - 1] == ' ') --hi;
      b.append(s.substr(lo, hi - lo));
      return;
    }
    std::string_view set = a.str(1, i);
    std::vector<uint32_t> cps;
    for (size_t k = 0; k < set.size();) cps.push_back(decodeUtf8(set, k));
    auto inSet = [&](uint32_t cp) { return std::find(cps.begin(), cps.end(), cp) != cps.end(); };
    size_t lo = 0, hi = s.size();
    if (Left)
      while (lo < hi) {
        size_t k = lo;
        if (!inSet(decodeUtf8(s, k))) break;
        lo = k;
      }
    if (Right)
      while (hi > lo) {
        size_t st = hi - 1;
        while (st > lo && (static_cast<unsigned char>(s[st]) & 0xC0) == 0x80) --st;
        size_t k = st;
        if (!inSet(decodeUtf8(s, k))) break;
        hi = st;
      }
    b.append(s.substr(lo, hi - lo));
  });
}

ColumnPtr concatKernel(std::span<const ColumnPtr> args, int64_t rows) {
  int64_t hint = 0;
  for (const auto& c : args) hint += c->charsSize();
  RowArgs a(args);
  StringBuilder b(rows, hint);
  for (int64_t i = 0; i < rows; ++i) {
    if (a.anyNull(i)) {
      b.null();
      continue;
    }
    int64_t len = 0;
    for (size_t k = 0; k < args.size(); ++k) len += static_cast<int64_t>(a.str(k, i).size());
    char* p = b.extend(len);
    for (size_t k = 0; k < args.size(); ++k) {
      std::string_view s = a.str(k, i);
      if (!s.empty()) std::memcpy(p, s.data(), s.size());
      p += s.size();
    }
    b.commit(len);
  }
  return b.finish();
}

// concat_ws(sep, ...): NULL arguments are skipped; NULL only if sep is NULL.
ColumnPtr concatWsKernel(std::span<const ColumnPtr> args, int64_t rows) {
  StringBuilder b(rows, args.size() > 1 ? args[1]->charsSize() * 2 : 0);
  std::string tmp;
  for (int64_t i = 0; i < rows; ++i) {
    if (args[0]->isNull(i)) {
      b.null();
      continue;
    }
    std::string_view sep = args[0]->stringAt(i);
    tmp.clear();
    bool first = true;
    for (size_t k = 1; k < args.size(); ++k) {
      if (args[k]->isNull(i)) continue;
      if (!first) tmp += sep;
      tmp += args[k]->stringAt(i);
      first = false;
    }
    b.append(tmp);
  }
  return b.finish();
}

ColumnPtr replaceKernel(std::span<const ColumnPtr> args, int64_t rows) {
  std::string tmp;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i), from = a.str(1, i);
    std::string_view to = args.size() == 3 ? a.str(2, i) : std::string_view();
    if (from.empty()) return b.append(s);
    tmp.clear();
    size_t pos = 0;
    for (size_t at; (at = s.find(from, pos)) != std::string_view::npos; pos = at + from.size()) {
      tmp.append(s.substr(pos, at - pos));
      tmp.append(to);
    }
    tmp.append(s.substr(pos));
    b.append(tmp);
  });
}

// split_part(str, delim, n): field n (1-based; negative counts from the end); '' when
// out of range; n = 0 is an error (Spark).
ColumnPtr splitPartKernel(std::span<const ColumnPtr> args, int64_t rows) {
  std::vector<std::string_view> parts;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i), d = a.str(1, i);
    int32_t n = a.val<int32_t>(2, i);
    if (n == 0) throw UserError("split_part: the part number must not be 0");
    parts.clear();
    if (d.empty()) {
      parts.push_back(s);
    } else {
      size_t pos = 0;
      for (size_t at; (at = s.find(d, pos)) != std::string_view::npos; pos = at + d.size())
        parts.push_back(s.substr(pos, at - pos));
      parts.push_back(s.substr(pos));
    }
    int64_t idx = n > 0 ? n - 1 : static_cast<int64_t>(parts.size()) + n;
    if (idx < 0 || idx >= static_cast<int64_t>(parts.size())) return b.append("");
    b.append(parts[static_cast<size_t>(idx)]);
  });
}

ScalarFunction concatFn() {
  ScalarFunction f;
  f.name = "concat";
  f.usage = "concat(s1, s2, ...) / s1 || s2 - the strings joined; NULL if any is NULL";
  f.bind = [](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    for (const auto& t : types)
      if (t.isNested()) bindError("concat", "expects strings, got " + t.toString());
    return BoundFunction{kStr(), true, std::vector<DataType>(types.size(), kStr()),
                         [](std::span<const ColumnPtr> args, int64_t rows) -> ColumnPtr {
                           if (args.empty()) {
                             StringBuilder b(rows, 0);
                             for (int64_t i = 0; i < rows; ++i) b.append("");
                             return b.finish();
                           }
                           return concatKernel(args, rows);
                         }};
  };
  return f;
}

ScalarFunction concatWsFn() {
  ScalarFunction f;
  f.name = "concat_ws";
  f.usage = "concat_ws(sep, s1, s2, ...) - the non-NULL strings joined by sep";
  f.bind = [](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    checkArity("concat_ws", types, 1, SIZE_MAX);
    return BoundFunction{kStr(), true, std::vector<DataType>(types.size(), kStr()), concatWsKernel};
  };
  return f;
}

}  // namespace

void registerStrings(FunctionRegistry& r) {
  r.add(fixedFunction("upper", {"ucase"}, "upper(str) - str in upper case", {kStr()}, kStr(),
                      caseKernel<true>));
  r.add(fixedFunction("lower", {"lcase"}, "lower(str) - str in lower case", {kStr()}, kStr(),
                      caseKernel<false>));
  r.add(fixedFunction("length", {"char_length", "character_length", "len"},
                      "length(str) - the number of characters", {kStr()}, kInt(), lengthKernel));
  r.add(fixedFunction("octet_length", {}, "octet_length(str) - the number of bytes", {kStr()},
                      kInt(), octetLengthKernel));
  r.add(fixedFunction("substring", {"substr"},
                      "substring(str, pos[, len]) - len characters from pos (1-based; negative "
                      "from the end)",
                      {kStr(), kInt(), kInt()}, kStr(), substringKernel, 2));
  r.add(fixedFunction("trim", {"btrim"},
                      "trim(str[, chars]) - str without leading/trailing "
                      "spaces (or chars)",
                      {kStr(), kStr()}, kStr(), trimKernel<true, true>, 1));
  r.add(fixedFunction("ltrim", {}, "ltrim(str[, chars]) - without leading spaces (or chars)",
                      {kStr(), kStr()}, kStr(), trimKernel<true, false>, 1));
  r.add(fixedFunction("rtrim", {}, "rtrim(str[, chars]) - without trailing spaces (or chars)",
                      {kStr(), kStr()}, kStr(), trimKernel<false, true>, 1));
  r.add(concatFn());
  r.add(concatWsFn());
  r.add(fixedFunction("replace", {}, "replace(str, search[, rep]) - every search replaced by rep",
                      {kStr(), kStr(), kStr()}, kStr(), replaceKernel, 2));
  r.add(fixedFunction("split_part", {}, "split_part(str, delim, n) - the n-th field (1-based)",
                      {kStr(), kStr(), kInt()}, kStr(), splitPartKernel));
}

}  // namespace ember::sql::fn
