// More of Spark's string and misc functions: digests (sha1/sha, sha2, crc32; OpenSSL and
// zlib), encodings (base64/unbase64, hex/unhex, bin, conv), translate, levenshtein,
// soundex, substring_index, format_number. Strings stand in for Spark's binary type
// (Ember has none): base64/sha*/crc32 take a string's bytes, unbase64/unhex return them.
#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "ember/columnar/decimal.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

// Functions, not namespace-scope constants: the built-ins may be registered during static
// initialisation (a registerUdf in another translation unit), before such constants are.
DataType kStr() { return DataType::string(); }
DataType kInt() { return DataType::int32(); }
DataType kLong() { return DataType::int64(); }

void appendHex(std::string& out, const unsigned char* p, size_t n, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (size_t k = 0; k < n; ++k) {
    out += digits[p[k] >> 4];
    out += digits[p[k] & 15];
  }
}

// ---- digests ----
std::string digestHex(const EVP_MD* md, std::string_view s) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(s.data(), s.size(), buf, &len, md, nullptr) != 1)
    throw InternalError("OpenSSL digest failed");
  std::string out;
  appendHex(out, buf, len, false);
  return out;
}

ColumnPtr sha1Kernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    b.append(digestHex(EVP_sha1(), a.str(0, i)));
  });
}

// sha2(str, bits): bits 224, 256 (or 0), 384, 512; NULL for any other length (Spark).
ColumnPtr sha2Kernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    int32_t bits = a.val<int32_t>(1, i);
    const EVP_MD* md = bits == 224                ? EVP_sha224()
                       : bits == 256 || bits == 0 ? EVP_sha256()
                       : bits == 384              ? EVP_sha384()
                       : bits == 512              ? EVP_sha512()
                                                  : nullptr;
    if (!md) return b.null();
    b.append(digestHex(md, a.str(0, i)));
  });
}

ColumnPtr crc32Kernel(std::span<const ColumnPtr> args, int64_t rows) {
  return fixedRows<int64_t>(kLong(), args, rows, [](const RowArgs& a, int64_t i, int64_t& o) {
    std::string_view s = a.str(0, i);
    uLong c = crc32(0L, Z_NULL, 0);
    o = static_cast<int64_t>(
        crc32(c, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
    return true;
  });
}

// ---- base64 ----
ColumnPtr base64Kernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(s.data()),
                            static_cast<int>(s.size()));
    out.resize(static_cast<size_t>(n));
    b.append(out);
  });
}

// NULL for text that is not base64 (Spark's non-ANSI unbase64 is lenient too).
ColumnPtr unbase64Kernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string in;
    for (char c : a.str(0, i))
      if (!std::isspace(static_cast<unsigned char>(c))) in += c;
    if (in.size() % 4) in.append(4 - in.size() % 4, '=');
    std::string out(in.size() / 4 * 3 + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0) return b.null();
    size_t pad = 0;
    for (size_t k = in.size(); k > 0 && in[k - 1] == '=' && pad < 2; --k) ++pad;
    out.resize(static_cast<size_t>(n) - pad);
    b.append(out);
  });
}

// ---- hex / unhex / bin / conv ----
BoundFunction bindHex(std::span<const DataType> types, std::span<const std::optional<Value>>) {
  checkArity("hex", types, 1, 1);
  if (types[0].isInteger()) {
    return {kStr(), true, {kLong()}, [](std::span<const ColumnPtr> args, int64_t rows) {
              return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
                auto v = static_cast<uint64_t>(a.val<int64_t>(0, i));  // two's complement
                char buf[17];
                int n = 0;
                do {
                  buf[16 - n++] = "0123456789ABCDEF"[v & 15];
                  v >>= 4;
                } while (v);
                b.append(std::string_view(buf + 17 - n, static_cast<size_t>(n)));
              });
            }};
  }
  if (!implicitlyCastable(types[0], kStr()))
    bindError("hex", "expects an integer or a string, got " + types[0].toString());
  return {kStr(), true, {kStr()}, [](std::span<const ColumnPtr> args, int64_t rows) {
            return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
              std::string out;
              std::string_view s = a.str(0, i);
              appendHex(out, reinterpret_cast<const unsigned char*>(s.data()), s.size(), true);
              b.append(out);
            });
          }};
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ColumnPtr unhexKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    std::string out;
    size_t k = s.size() % 2;  // an odd length reads as if a leading 0 were there (Spark)
    if (k) {
      if (hexDigit(s[0]) < 0) return b.null();
      out += static_cast<char>(hexDigit(s[0]));
    }
    for (; k < s.size(); k += 2) {
      int hi = hexDigit(s[k]), lo = hexDigit(s[k + 1]);
      if (hi < 0 || lo < 0) return b.null();
      out += static_cast<char>(hi * 16 + lo);
    }
    b.append(out);
  });
}

ColumnPtr binKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    auto v = static_cast<uint64_t>(a.val<int64_t>(0, i));
    std::string out;
    do {
      out += static_cast<char>('0' + (v & 1));
      v >>= 1;
    } while (v);
    std::reverse(out.begin(), out.end());
    b.append(out);
  });
}

// conv(num, fromBase, toBase): bases 2..36; a negative toBase prints signed values; the
// digits read are the longest valid prefix; NULL for bad bases or no digits (Spark).
ColumnPtr convKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    int from = a.val<int32_t>(1, i), to = a.val<int32_t>(2, i);
    if (from < 2 || from > 36 || std::abs(to) < 2 || std::abs(to) > 36) return b.null();
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    bool negative = !s.empty() && s.front() == '-';
    if (negative) s.remove_prefix(1);
    uint64_t v = 0;
    size_t used = 0;
    for (char c : s) {
      int d = std::isdigit(static_cast<unsigned char>(c))
                  ? c - '0'
                  : (std::isalpha(static_cast<unsigned char>(c))
                         ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                         : 99);
      if (d >= from) break;
      // Overflow saturates at 2^64 - 1, as Spark's unsigned arithmetic does.
      if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(from))
        v = UINT64_MAX;
      else
        v = v * static_cast<uint64_t>(from) + static_cast<uint64_t>(d);
      ++used;
    }
    if (used == 0) return b.null();
    if (negative) v = static_cast<uint64_t>(-static_cast<int64_t>(v));
    bool signedOut = to < 0 && static_cast<int64_t>(v) < 0;
    if (signedOut) v = static_cast<uint64_t>(-static_cast<int64_t>(v));
    std::string out;
    auto base = static_cast<uint64_t>(std::abs(to));
    do {
      out += "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % base];
      v /= base;
    } while (v);
    if (signedOut) out += '-';
    std::reverse(out.begin(), out.end());
    b.append(out);
  });
}

// ---- translate(str, from, to): characters of `from` become the character at the same
// position of `to`, or are removed when `to` is shorter ----
ColumnPtr translateKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i), f = a.str(1, i), t = a.str(2, i);
    std::vector<uint32_t> from, to;
    for (size_t k = 0; k < f.size();) from.push_back(decodeUtf8(f, k));
    for (size_t k = 0; k < t.size();) to.push_back(decodeUtf8(t, k));
    std::string out;
    for (size_t k = 0; k < s.size();) {
      uint32_t cp = decodeUtf8(s, k);
      auto at = std::find(from.begin(), from.end(), cp);
      if (at == from.end()) {
        encodeUtf8(cp, out);
      } else {
        auto idx = static_cast<size_t>(at - from.begin());
        if (idx < to.size()) encodeUtf8(to[idx], out);
      }
    }
    b.append(out);
  });
}

// ---- levenshtein(a, b[, threshold]): edit distance in characters; -1 above threshold ----
ColumnPtr levenshteinKernel(std::span<const ColumnPtr> args, int64_t rows) {
  bool capped = args.size() == 3;
  return fixedRows<int32_t>(kInt(), args, rows, [capped](const RowArgs& a, int64_t i, int32_t& o) {
    std::string_view x = a.str(0, i), y = a.str(1, i);
    std::vector<uint32_t> p, q;
    for (size_t k = 0; k < x.size();) p.push_back(decodeUtf8(x, k));
    for (size_t k = 0; k < y.size();) q.push_back(decodeUtf8(y, k));
    std::vector<int32_t> prev(q.size() + 1), cur(q.size() + 1);
    for (size_t j = 0; j <= q.size(); ++j) prev[j] = static_cast<int32_t>(j);
    for (size_t r = 1; r <= p.size(); ++r) {
      cur[0] = static_cast<int32_t>(r);
      for (size_t j = 1; j <= q.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (p[r - 1] != q[j - 1])});
      std::swap(prev, cur);
    }
    o = prev[q.size()];
    if (capped && o > a.val<int32_t>(2, i)) o = -1;
    return true;
  });
}

// ---- soundex(str): American Soundex of the first letter and following consonants;
// a string not starting with a letter comes back unchanged (Spark) ----
ColumnPtr soundexKernel(std::span<const ColumnPtr> args, int64_t rows) {
  static const char* kCodes = "01230120022455012623010202";  // a..z
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i);
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return b.append(s);
    std::string out(1, static_cast<char>(std::toupper(static_cast<unsigned char>(s[0]))));
    char last = kCodes[std::tolower(static_cast<unsigned char>(s[0])) - 'a'];
    for (size_t k = 1; k < s.size() && out.size() < 4; ++k) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
      if (c < 'a' || c > 'z') {
        last = '0';
        continue;
      }
      char code = kCodes[c - 'a'];
      if (c == 'h' || c == 'w') continue;  // do not separate equal codes
      if (code != '0' && code != last) out += code;
      last = code;
    }
    out.resize(4, '0');
    b.append(out);
  });
}

// ---- substring_index(str, delim, count): before the count-th delimiter (from the
// right when count < 0) ----
ColumnPtr substringIndexKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    std::string_view s = a.str(0, i), d = a.str(1, i);
    int32_t n = a.val<int32_t>(2, i);
    if (n == 0 || d.empty()) return b.append("");
    if (n > 0) {
      size_t at = 0;
      for (int32_t k = 0; k < n; ++k) {
        size_t f = s.find(d, at);
        if (f == std::string_view::npos) return b.append(s);
        at = f + (k + 1 < n ? d.size() : 0);
        if (k + 1 == n) return b.append(s.substr(0, f));
      }
      return b.append(s);
    }
    size_t end = s.size();
    for (int32_t k = 0; k < -n; ++k) {
      if (end < d.size()) return b.append(s);
      size_t f = s.rfind(d, end - d.size());
      if (f == std::string_view::npos) return b.append(s);
      if (k + 1 == -n) return b.append(s.substr(f + d.size()));
      end = f;
    }
    b.append(s);
  });
}

// ---- format_number(x, d): grouped thousands, d decimals, HALF_EVEN ("1,234.57") ----
ColumnPtr formatNumberKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return stringRows(args, rows, [](const RowArgs& a, int64_t i, StringBuilder& b) {
    double v = a.val<double>(0, i);
    int32_t d = a.val<int32_t>(1, i);
    if (d < 0) return b.null();
    if (!std::isfinite(v)) return b.append(std::isnan(v) ? "NaN" : (v > 0 ? "∞" : "-∞"));
    char buf[400];
    double r = std::nearbyint(v * std::pow(10.0, d)) / std::pow(10.0, d);  // HALF_EVEN
    std::snprintf(buf, sizeof buf, "%.*f", std::min(d, 100), std::fabs(r));
    std::string digits(buf);
    size_t dot = digits.find('.');
    std::string whole = digits.substr(0, dot),
                frac = dot == std::string::npos ? "" : digits.substr(dot);
    std::string grouped;
    for (size_t k = 0; k < whole.size(); ++k) {
      if (k && (whole.size() - k) % 3 == 0) grouped += ',';
      grouped += whole[k];
    }
    b.append((r < 0 ? "-" : "") + grouped + frac);
  });
}

}  // namespace

void registerMisc(FunctionRegistry& r) {
  r.add(fixedFunction("sha1", {"sha"}, "sha1(str) - the SHA-1 digest as 40 hex digits", {kStr()},
                      kStr(), sha1Kernel));
  r.add(fixedFunction("sha2", {},
                      "sha2(str, bits) - the SHA-2 digest (bits 224, 256, 384, 512; 0 = 256) as "
                      "hex digits",
                      {kStr(), kInt()}, kStr(), sha2Kernel));
  r.add(fixedFunction("crc32", {}, "crc32(str) - the CRC-32 checksum as a bigint", {kStr()},
                      kLong(), crc32Kernel));
  r.add(fixedFunction("base64", {}, "base64(str) - the bytes in base64", {kStr()}, kStr(),
                      base64Kernel));
  r.add(fixedFunction("unbase64", {}, "unbase64(str) - decoded base64 (NULL if not base64)",
                      {kStr()}, kStr(), unbase64Kernel));
  ScalarFunction hex;
  hex.name = "hex";
  hex.usage = "hex(x) - an integer (two's complement) or a string's bytes in hex digits";
  hex.bind = bindHex;
  r.add(hex);
  r.add(fixedFunction("unhex", {}, "unhex(str) - the bytes of hex digits (NULL if not hex)",
                      {kStr()}, kStr(), unhexKernel));
  r.add(fixedFunction("bin", {}, "bin(n) - n (two's complement) in binary digits", {kLong()},
                      kStr(), binKernel));
  r.add(fixedFunction("conv", {},
                      "conv(num, fromBase, toBase) - num converted between bases 2..36 "
                      "(negative toBase: signed)",
                      {kStr(), kInt(), kInt()}, kStr(), convKernel));
  r.add(fixedFunction("translate", {},
                      "translate(str, from, to) - each character of from replaced by the one "
                      "at its position in to (removed if to is shorter)",
                      {kStr(), kStr(), kStr()}, kStr(), translateKernel));
  r.add(fixedFunction("levenshtein", {},
                      "levenshtein(a, b[, threshold]) - edit distance (-1 when above threshold)",
                      {kStr(), kStr(), kInt()}, kInt(), levenshteinKernel, 2));
  r.add(fixedFunction("soundex", {}, "soundex(str) - the Soundex code", {kStr()}, kStr(),
                      soundexKernel));
  r.add(fixedFunction("substring_index", {},
                      "substring_index(str, delim, count) - before the count-th delim (count < "
                      "0: after the count-th from the right)",
                      {kStr(), kStr(), kInt()}, kStr(), substringIndexKernel));
  r.add(fixedFunction("format_number", {},
                      "format_number(x, d) - x with grouped thousands and d decimals",
                      {DataType::float64(), kInt()}, kStr(), formatNumberKernel));
}

}  // namespace ember::sql::fn
