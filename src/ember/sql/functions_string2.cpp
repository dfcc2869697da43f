// String functions, part 2: searching (instr, locate/position, starts_with, ends_with,
// contains), padding, reverse, repeat, initcap, left, right, ascii, chr, md5.
#include <array>
#include <cstring>

#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

// Functions, not namespace-scope constants: the built-ins may be registered during static
// initialisation (a registerUdf in another translation unit), before such constants are.
DataType kStr() { return DataType::string(); }
DataType kInt() { return DataType::int32(); }
DataType kBool() { return DataType::boolean(); }

// 1-based character position of `sub` in `s` at or after character `from` (1-based);
// 0 when absent. An empty `sub` is found at `from`.
int32_t findChars(std::string_view s, std::string_view sub, int64_t from) {
  if (from < 1) return 0;
  size_t start = utf8Offset(s, from - 1);
  if (start == s.size() && utf8Length(s) < from - 1) return 0;
  size_t at = s.find(sub, start);
  if (at == std::string_view::npos) return 0;
  return static_cast<int32_t>(utf8Length(s.substr(0, at)) + 1);
}

ColumnPtr instrKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return fixedRows<int32_t>(kInt(), args, rows, [](const RowArgs& a, int64_t i, int32_t& o) {
    o = findChars(a.str(0, i), a.str(1, i), 1);
    return true;
  });
}

// locate(substr, str[, pos]) and position(substr, str[, pos]).
ColumnPtr locateKernel(std::span<const ColumnPtr> args, int64_t rows) {
  bool hasPos = args.size() == 3;
  return fixedRows<int32_t>(kInt(), args, rows, [hasPos](const RowArgs& a, int64_t i, int32_t& o) {
    o = findChars(a.str(1, i), a.str(0, i), hasPos ? a.val<int32_t>(2, i) : 1);
    return true;
  });
}

template <int Which>  // 0 starts_with, 1 ends_with, 2 contains
ColumnPtr searchKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = makeResult(kBool(), args, rows);
  uint8_t* o = out->mutableValues<uint8_t>();
  const Column &s = *args[0], &p = *args[1];
  for (int64_t i = 0; i < rows; ++i) {
    std::string_view x = s.stringAt(i), y = p.stringAt(i);
    o[i] = Which == 0   ? x.starts_with(y)
           : Which == 1 ? x.ends_with(y)
                        : x.find(y) != std::string_view::npos;
  }
  return out;
}

// lpad/rpad(str, len[, pad]): pads to len characters with pad repeated; a longer str is
// cut to len characters; an empty pad leaves a shorter str unchanged (Spark).
template <bool Left>
ColumnPtr padKernel(std::span<const ColumnPtr> args, int64_t rows) {
  bool hasPad = args.size() == 3;
  std::string tmp;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    int64_t len = a.val<int32_t>(1, i);
    std::string_view pad = hasPad ? a.str(2, i) : std::string_view(" ");
    if (len <= 0) return b.append("");
    int64_t n = utf8Length(s);
    if (n >= len) return b.append(s.substr(0, utf8Offset(s, len)));
    if (pad.empty()) return b.append(s);
    int64_t need = len - n, padChars = utf8Length(pad);
    tmp.clear();
    if (!Left) tmp.append(s);
    for (int64_t k = 0; k < need / padChars; ++k) tmp.append(pad);
    tmp.append(pad.substr(0, utf8Offset(pad, need % padChars)));
    if (Left) tmp.append(s);
    b.append(tmp);
  });
}

ColumnPtr reverseKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    char* p = b.extend(static_cast<int64_t>(s.size()));
    size_t w = s.size();
    for (size_t k = 0; k < s.size();) {
      size_t st = k;
      decodeUtf8(s, k);
      w -= k - st;
      std::memcpy(p + w, s.data() + st, k - st);
    }
    b.commit(static_cast<int64_t>(s.size()));
  });
}

ColumnPtr repeatKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    int64_t n = std::max<int64_t>(a.val<int32_t>(1, i), 0);
    int64_t len = n * static_cast<int64_t>(s.size());
    if (len > INT32_MAX)
      throw UserError("repeat: the result would be " + std::to_string(len) +
                      " bytes, more than a string can hold (2 GiB)");
    char* p = b.extend(len);
    for (int64_t k = 0; k < n; ++k)
      std::memcpy(p + k * static_cast<int64_t>(s.size()), s.data(), s.size());
    b.commit(len);
  });
}

// initcap: every word (split on spaces) with its first letter upper case and the rest
// lower case, as Spark's initcap.
ColumnPtr initcapKernel(std::span<const ColumnPtr> args, int64_t rows) {
  std::string tmp;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    tmp.clear();
    bool start = true;
    for (size_t k = 0; k < s.size();) {
      uint32_t cp = decodeUtf8(s, k);
      encodeUtf8(start ? toUpperCp(cp) : toLowerCp(cp), tmp);
      start = cp == ' ';
    }
    b.append(tmp);
  });
}

template <bool Left>
ColumnPtr leftRightKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    int64_t n = a.val<int32_t>(1, i);
    if (n <= 0) return b.append("");
    if (Left) return b.append(s.substr(0, utf8Offset(s, n)));
    int64_t len = utf8Length(s);
    b.append(n >= len ? s : s.substr(utf8Offset(s, len - n)));
  });
}

ColumnPtr asciiKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return fixedRows<int32_t>(kInt(), args, rows, [](const RowArgs& a, int64_t i, int32_t& o) {
    std::string_view s = a.str(0, i);
    size_t k = 0;
    o = s.empty() ? 0 : static_cast<int32_t>(decodeUtf8(s, k));
    return true;
  });
}

// chr(n): the character with code point n % 256 (Spark); '' for negative n.
ColumnPtr chrKernel(std::span<const ColumnPtr> args, int64_t rows) {
  std::string tmp;
  return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
    int64_t n = a.val<int64_t>(0, i);
    tmp.clear();
    if (n >= 0) encodeUtf8(static_cast<uint32_t>(n % 256), tmp);
    b.append(tmp);
  });
}

// MD5 (RFC 1321), hex-encoded; small enough to keep Ember free of a crypto dependency.
std::array<uint8_t, 16> md5(std::string_view msg) {
  static const uint32_t kK[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
      0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
      0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
      0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
      0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
      0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
      0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
      0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
      0xeb86d391};
  static const int kR[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                             5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                             4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                             6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  std::string m(msg);
  uint64_t bits = static_cast<uint64_t>(msg.size()) * 8;
  m += static_cast<char>(0x80);
  while (m.size() % 64 != 56) m += '\0';
  for (int k = 0; k < 8; ++k) m += static_cast<char>((bits >> (8 * k)) & 0xFF);
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[16];
    for (int k = 0; k < 16; ++k) {
      const auto* p = reinterpret_cast<const uint8_t*>(m.data() + off + 4 * k);
      w[k] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int k = 0; k < 64; ++k) {
      uint32_t f;
      int g;
      if (k < 16)
        f = (b & c) | (~b & d), g = k;
      else if (k < 32)
        f = (d & b) | (~d & c), g = (5 * k + 1) % 16;
      else if (k < 48)
        f = b ^ c ^ d, g = (3 * k + 5) % 16;
      else
        f = c ^ (b | ~d), g = (7 * k) % 16;
      uint32_t t = d;
      d = c;
      c = b;
      uint32_t x = a + f + kK[k] + w[g];
      b = b + ((x << kR[k]) | (x >> (32 - kR[k])));
      a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  }
  std::array<uint8_t, 16> out;
  for (int k = 0; k < 16; ++k) out[static_cast<size_t>(k)] = (h[k / 4] >> (8 * (k % 4))) & 0xFF;
  return out;
}

ColumnPtr md5Kernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    auto d = md5(a.str(0, i));
    char* p = b.extend(32);
    static const char* kHex = "0123456789abcdef";
    for (size_t k = 0; k < 16; ++k) {
      p[2 * k] = kHex[d[k] >> 4];
      p[2 * k + 1] = kHex[d[k] & 15];
    }
    b.commit(32);
  });
}

}  // namespace

void registerStrings2(FunctionRegistry& r) {
  r.add(fixedFunction("instr", {}, "instr(str, substr) - 1-based position of substr, 0 if none",
                      {kStr(), kStr()}, kInt(), instrKernel));
  r.add(fixedFunction("locate", {"position"},
                      "locate(substr, str[, pos]) - 1-based position of substr at or after pos",
                      {kStr(), kStr(), kInt()}, kInt(), locateKernel, 2));
  r.add(fixedFunction("starts_with", {"startswith"}, "starts_with(str, prefix)", {kStr(), kStr()},
                      kBool(), searchKernel<0>));
  r.add(fixedFunction("ends_with", {"endswith"}, "ends_with(str, suffix)", {kStr(), kStr()},
                      kBool(), searchKernel<1>));
  r.add(fixedFunction("contains", {}, "contains(str, sub)", {kStr(), kStr()}, kBool(),
                      searchKernel<2>));
  r.add(fixedFunction("lpad", {}, "lpad(str, len[, pad]) - left-padded (or cut) to len characters",
                      {kStr(), kInt(), kStr()}, kStr(), padKernel<true>, 2));
  r.add(fixedFunction("rpad", {}, "rpad(str, len[, pad]) - right-padded (or cut) to len characters",
                      {kStr(), kInt(), kStr()}, kStr(), padKernel<false>, 2));
  r.add(fixedFunction("reverse", {}, "reverse(str) - the characters in reverse order", {kStr()},
                      kStr(), reverseKernel));
  r.add(fixedFunction("repeat", {}, "repeat(str, n) - str repeated n times", {kStr(), kInt()},
                      kStr(), repeatKernel));
  r.add(fixedFunction("initcap", {}, "initcap(str) - each word capitalised", {kStr()}, kStr(),
                      initcapKernel));
  r.add(fixedFunction("left", {}, "left(str, n) - the first n characters", {kStr(), kInt()}, kStr(),
                      leftRightKernel<true>));
  r.add(fixedFunction("right", {}, "right(str, n) - the last n characters", {kStr(), kInt()},
                      kStr(), leftRightKernel<false>));
  r.add(fixedFunction("ascii", {}, "ascii(str) - the code point of the first character", {kStr()},
                      kInt(), asciiKernel));
  r.add(fixedFunction("chr", {"char"}, "chr(n) - the character with code point n % 256",
                      {DataType::int64()}, kStr(), chrKernel));
  r.add(fixedFunction("md5", {}, "md5(str) - the MD5 digest as 32 hex digits", {kStr()}, kStr(),
                      md5Kernel));
}

}  // namespace ember::sql::fn
