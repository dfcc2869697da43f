#include "ember/io/parquet_column_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/columnar/column_ops.h"
#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/io/parquet_encoding.h"
#include "ember/io/thrift_compact.h"

namespace ember {

namespace {

[[noreturn]] void corrupt(const std::string& why) { throw IoError(why); }

constexpr int64_t kUnixEpochJulianDay = 2440588;
constexpr int64_t kMaxPageValues = int64_t{1} << 26;

int physWidth(const ParquetColumn& c) {
  switch (c.physical) {
    case pq::kInt32:
    case pq::kFloat:
      return 4;
    case pq::kInt64:
    case pq::kDouble:
      return 8;
    case pq::kInt96:
      return 12;
    case pq::kFixed:
      return c.typeLength;
    default:
      return 0;
  }
}

int128_t bigEndian(const uint8_t* b, size_t n) {
  if (n == 0) return 0;
  if (n > 16) corrupt("decimal of " + std::to_string(n) + " bytes exceeds 16");
  int128_t v = static_cast<int8_t>(b[0]);
  for (size_t i = 1; i < n; ++i) v = v * 256 + b[i];
  return v;
}

void appendDecimal(Column& out, int128_t v) {
  if (!fitsPrecision(v, out.type().precision()))
    corrupt("decimal value exceeds the column's precision " +
            std::to_string(out.type().precision()));
  if (out.type().isWideDecimal())
    out.append<int128_t>(v);
  else
    out.append<int64_t>(static_cast<int64_t>(v));
}

// Appends `count` plain fixed-width physical values at p (count * physWidth bytes).
void appendFixed(const uint8_t* p, int64_t count, const ParquetColumn& c, Column& out) {
  const DataType& t = out.type();
  int64_t base = out.size();
  switch (c.physical) {
    case pq::kInt32: {
      if (t.id() == TypeId::Int32 || t.id() == TypeId::Date) {
        out.resize(base + count);
        if (count)
          std::memcpy(out.mutableValues<int32_t>() + base, p, static_cast<size_t>(count) * 4);
        return;
      }
      for (int64_t i = 0; i < count; ++i) {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        switch (t.id()) {
          case TypeId::Int8:
            out.append<int8_t>(static_cast<int8_t>(v));
            break;
          case TypeId::Int16:
            out.append<int16_t>(c.unsignedInt ? static_cast<int16_t>(static_cast<uint8_t>(v))
                                              : static_cast<int16_t>(v));
            break;
          case TypeId::Int32:
            out.append<int32_t>(static_cast<uint16_t>(v));
            break;  // unsigned 16
          case TypeId::Int64:
            out.append<int64_t>(static_cast<uint32_t>(v));
            break;  // unsigned 32
          case TypeId::Decimal:
            appendDecimal(out, v);
            break;
          default:
            corrupt("INT32 data for a " + t.toString() + " column");
        }
      }
      return;
    }
    case pq::kInt64: {
      if (t.id() == TypeId::Int64 || (t.id() == TypeId::Timestamp && c.timeUnit == 1) ||
          (t.isDecimal() && !t.isWideDecimal() && !c.unsignedInt)) {
        out.resize(base + count);
        if (count)
          std::memcpy(out.mutableValues<int64_t>() + base, p, static_cast<size_t>(count) * 8);
        if (t.isDecimal())
          for (int64_t i = 0; i < count; ++i)
            if (!fitsPrecision(out.valueAt<int64_t>(base + i), t.precision()))
              corrupt("decimal value exceeds the column's precision");
        return;
      }
      for (int64_t i = 0; i < count; ++i) {
        int64_t v;
        std::memcpy(&v, p + 8 * i, 8);
        if (t.id() == TypeId::Timestamp) {
          // Wrapping multiplication: out-of-range millis give garbage values, not UB.
          out.append<int64_t>(
              c.timeUnit == 0 ? static_cast<int64_t>(static_cast<uint64_t>(v) * 1000u) : v / 1000);
        } else if (c.unsignedInt) {
          appendDecimal(out, static_cast<uint64_t>(v));
        } else {
          appendDecimal(out, v);
        }
      }
      return;
    }
    case pq::kInt96:
      for (int64_t i = 0; i < count; ++i) {
        int64_t nanos;
        int32_t julian;
        std::memcpy(&nanos, p + 12 * i, 8);
        std::memcpy(&julian, p + 12 * i + 8, 4);
        out.append<int64_t>(static_cast<int64_t>(
            static_cast<uint64_t>((julian - kUnixEpochJulianDay) * 86400LL * 1000000LL) +
            static_cast<uint64_t>(nanos / 1000)));
      }
      return;
    case pq::kFloat:
    case pq::kDouble: {
      int w = c.physical == pq::kFloat ? 4 : 8;
      out.resize(base + count);
      if (count)
        std::memcpy(out.valuesBuffer().data() + base * w, p, static_cast<size_t>(count * w));
      return;
    }
    case pq::kFixed:
      for (int64_t i = 0; i < count; ++i) {
        const uint8_t* v = p + static_cast<int64_t>(c.typeLength) * i;
        if (t.isDecimal())
          appendDecimal(out, bigEndian(v, static_cast<size_t>(c.typeLength)));
        else
          out.appendString({reinterpret_cast<const char*>(v), static_cast<size_t>(c.typeLength)});
      }
      return;
    default:
      corrupt("unexpected physical type");
  }
}

void appendBinary(std::string_view s, Column& out) {
  if (out.type().isDecimal())
    appendDecimal(out, bigEndian(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  else
    out.appendString(s);
}

// Appends dict[idx[i]] for i < n (indices already checked; the dictionary has no nulls).
void gatherAppend(const Column& dict, const uint32_t* idx, int64_t n, Column& out) {
  if (dict.type().id() == TypeId::String) {
    // Offsets first, then one memcpy per value into the grown character buffer.
    const int32_t* d = dict.offsets();
    int64_t base = out.size();
    out.resize(base + n);
    int32_t* o = out.offsetsBuffer().as<int32_t>() + base;
    int64_t end = o[0];
    for (int64_t i = 0; i < n; ++i) {
      end += d[idx[i] + 1] - d[idx[i]];
      if (end > INT32_MAX)
        throw UserError("a string column of one row group exceeds 2 GiB; write smaller row groups");
      o[i + 1] = static_cast<int32_t>(end);
    }
    Buffer& chars = out.charsBuffer();
    chars.resize(static_cast<size_t>(end));
    char* dst = reinterpret_cast<char*>(chars.data());
    const char* src = dict.chars();
    for (int64_t i = 0; i < n; ++i)
      if (o[i + 1] > o[i])  // empty values: dst may be null
        std::memcpy(dst + o[i], src + d[idx[i]], static_cast<size_t>(o[i + 1] - o[i]));
    return;
  }
  size_t w = static_cast<size_t>(dict.type().fixedWidth());
  int64_t base = out.size();
  out.resize(base + n);
  uint8_t* dst = out.valuesBuffer().data() + static_cast<size_t>(base) * w;
  const uint8_t* src = dict.valuesBuffer().data();
  auto gather = [&](auto tag) {  // typed copies (a memcpy call per value is slow)
    using T = decltype(tag);
    T* d = reinterpret_cast<T*>(dst);
    const T* s = reinterpret_cast<const T*>(src);
    for (int64_t i = 0; i < n; ++i) d[i] = s[idx[i]];
  };
  switch (w) {
    case 1:
      return gather(uint8_t{});
    case 2:
      return gather(uint16_t{});
    case 4:
      return gather(uint32_t{});
    case 8:
      return gather(uint64_t{});
    default:
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(dst + static_cast<size_t>(i) * w, src + idx[i] * w, w);
  }
}

// PLAIN values: `count` values from [p, e).
void decodePlain(const uint8_t* p, const uint8_t* e, int64_t count, const ParquetColumn& c,
                 Column& out) {
  size_t avail = static_cast<size_t>(e - p);
  if (c.physical == pq::kBoolean) {
    if (static_cast<size_t>((count + 7) / 8) > avail) corrupt("truncated PLAIN booleans");
    for (int64_t i = 0; i < count; ++i) out.append<uint8_t>((p[i >> 3] >> (i & 7)) & 1);
    return;
  }
  if (c.physical == pq::kByteArray && out.type().id() == TypeId::String) {
    // Lengths and offsets in a first pass, the characters in a second.
    int64_t base = out.size();
    out.resize(base + count);
    int32_t* o = out.offsetsBuffer().as<int32_t>() + base;
    int64_t end = o[0];
    const uint8_t* q = p;
    for (int64_t i = 0; i < count; ++i) {
      if (e - q < 4) corrupt("truncated PLAIN byte array length");
      uint32_t len;
      std::memcpy(&len, q, 4);
      q += 4;
      if (len > static_cast<size_t>(e - q))
        corrupt("PLAIN byte array of " + std::to_string(len) + " bytes beyond the page");
      q += len;
      end += len;
      if (end > INT32_MAX)
        throw UserError("a string column of one row group exceeds 2 GiB; write smaller row groups");
      o[i + 1] = static_cast<int32_t>(end);
    }
    Buffer& chars = out.charsBuffer();
    chars.resize(static_cast<size_t>(end));
    char* dst = reinterpret_cast<char*>(chars.data());
    for (int64_t i = 0; i < count; ++i) {
      size_t len = static_cast<size_t>(o[i + 1] - o[i]);
      if (len > 0) std::memcpy(dst + o[i], p + 4, len);  // empty values: dst may be null
      p += 4 + len;
    }
    return;
  }
  if (c.physical == pq::kByteArray) {
    for (int64_t i = 0; i < count; ++i) {
      if (e - p < 4) corrupt("truncated PLAIN byte array length");
      uint32_t len;
      std::memcpy(&len, p, 4);
      p += 4;
      if (len > static_cast<size_t>(e - p))
        corrupt("PLAIN byte array of " + std::to_string(len) + " bytes beyond the page");
      appendBinary({reinterpret_cast<const char*>(p), len}, out);
      p += len;
    }
    return;
  }
  int w = physWidth(c);
  if (count < 0 || static_cast<uint64_t>(count) * static_cast<uint64_t>(w) > avail)
    corrupt("PLAIN page holds fewer than " + std::to_string(count) + " values");
  appendFixed(p, count, c, out);
}

void decodeDeltaLengths(const uint8_t*& p, const uint8_t* e, int64_t count,
                        std::vector<int64_t>& lens) {
  const uint8_t* end = nullptr;
  deltaBinaryDecode(p, static_cast<size_t>(e - p), count, lens, &end);
  p = end;
}

void decodeValues(int encoding, const uint8_t* p, const uint8_t* e, int64_t count,
                  const ParquetColumn& c, const Column* dict, Column& out) {
  switch (encoding) {
    case pq::kPlain:
      return decodePlain(p, e, count, c, out);
    case pq::kPlainDictionary:
    case pq::kRleDictionary: {
      if (!dict) corrupt("dictionary-encoded page without a dictionary page");
      if (count == 0) return;
      if (p >= e) corrupt("empty dictionary-index data");
      int width = *p++;
      std::vector<uint32_t> idx(static_cast<size_t>(count));
      RleDecoder(p, static_cast<size_t>(e - p), width).decode(idx.data(), count);
      for (uint32_t i : idx)
        if (i >= static_cast<uint64_t>(dict->size()))
          corrupt("dictionary index " + std::to_string(i) + " beyond the dictionary of " +
                  std::to_string(dict->size()));
      gatherAppend(*dict, idx.data(), count, out);
      return;
    }
    case pq::kRle: {
      if (c.physical != pq::kBoolean) corrupt("RLE encoding for a non-boolean column");
      if (e - p < 4) corrupt("truncated RLE boolean length");
      uint32_t len;
      std::memcpy(&len, p, 4);
      p += 4;
      if (len > static_cast<size_t>(e - p)) corrupt("RLE boolean data beyond the page");
      std::vector<uint32_t> v(static_cast<size_t>(count));
      RleDecoder(p, len, 1).decode(v.data(), count);
      for (uint32_t b : v) out.append<uint8_t>(b ? 1 : 0);
      return;
    }
    case pq::kDeltaBinaryPacked: {
      if (c.physical != pq::kInt32 && c.physical != pq::kInt64)
        corrupt("DELTA_BINARY_PACKED for a non-integer column");
      std::vector<int64_t> v;
      const uint8_t* end;
      deltaBinaryDecode(p, static_cast<size_t>(e - p), count, v, &end);
      if (static_cast<int64_t>(v.size()) < count)
        corrupt("DELTA_BINARY_PACKED holds too few values");
      std::string buf(static_cast<size_t>(count) * (c.physical == pq::kInt32 ? 4 : 8), '\0');
      for (int64_t i = 0; i < count; ++i) {
        if (c.physical == pq::kInt32) {
          int32_t x = static_cast<int32_t>(v[static_cast<size_t>(i)]);
          std::memcpy(buf.data() + 4 * i, &x, 4);
        } else {
          std::memcpy(buf.data() + 8 * i, &v[static_cast<size_t>(i)], 8);
        }
      }
      appendFixed(reinterpret_cast<const uint8_t*>(buf.data()), count, c, out);
      return;
    }
    case pq::kDeltaLengthByteArray:
    case pq::kDeltaByteArray: {
      if (c.physical != pq::kByteArray && c.physical != pq::kFixed)
        corrupt("DELTA byte-array encoding for a non-binary column");
      std::vector<int64_t> prefix, lens;
      if (encoding == pq::kDeltaByteArray) decodeDeltaLengths(p, e, count, prefix);
      decodeDeltaLengths(p, e, count, lens);
      if (static_cast<int64_t>(lens.size()) < count ||
          (encoding == pq::kDeltaByteArray && static_cast<int64_t>(prefix.size()) < count))
        corrupt("DELTA byte-array page holds too few values");
      std::string prev, cur;
      for (int64_t i = 0; i < count; ++i) {
        int64_t len = lens[static_cast<size_t>(i)];
        if (len < 0 || len > e - p) corrupt("DELTA byte-array value beyond the page");
        std::string_view suffix(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
        p += len;
        if (encoding == pq::kDeltaLengthByteArray) {
          appendBinary(suffix, out);
          continue;
        }
        int64_t pre = prefix[static_cast<size_t>(i)];
        if (pre < 0 || static_cast<size_t>(pre) > prev.size())
          corrupt("DELTA_BYTE_ARRAY prefix longer than the previous value");
        cur.assign(prev, 0, static_cast<size_t>(pre));
        cur.append(suffix);
        appendBinary(cur, out);
        prev.swap(cur);
      }
      return;
    }
    case pq::kByteStreamSplit: {
      int w = physWidth(c);
      if (w == 0) corrupt("BYTE_STREAM_SPLIT for a variable-width column");
      if (static_cast<uint64_t>(count) * static_cast<uint64_t>(w) > static_cast<uint64_t>(e - p))
        corrupt("truncated BYTE_STREAM_SPLIT data");
      std::string buf(static_cast<size_t>(count * w), '\0');
      for (int64_t i = 0; i < count; ++i)
        for (int k = 0; k < w; ++k)
          buf[static_cast<size_t>(i * w + k)] = static_cast<char>(p[k * count + i]);
      appendFixed(reinterpret_cast<const uint8_t*>(buf.data()), count, c, out);
      return;
    }
    default:
      throw UserError("Parquet encoding " + std::to_string(encoding) +
                      " is not supported by Ember");
  }
}

// Selected values of a page without NULLs: sel[0..k) are page-local row indices
// (ascending). Handles PLAIN fixed-width and dictionary pages by gathering only those
// values (no full decode); returns false for other encodings (the caller decodes the
// page and gathers afterwards).
bool decodeSelected(int encoding, const uint8_t* p, const uint8_t* e, int64_t count,
                    const ParquetColumn& c, const Column* dict, const int32_t* sel, int64_t k,
                    Column& out) {
  if (encoding == pq::kPlain) {
    int w = physWidth(c);
    if (w <= 0 || c.physical == pq::kBoolean) return false;
    if (count < 0 ||
        static_cast<uint64_t>(count) * static_cast<uint64_t>(w) > static_cast<uint64_t>(e - p))
      corrupt("PLAIN page holds fewer than " + std::to_string(count) + " values");
    std::string buf(static_cast<size_t>(k) * static_cast<size_t>(w), '\0');
    auto gather = [&](auto tag) {  // typed copies (a memcpy call per value is slow)
      using T = decltype(tag);
      T* d = reinterpret_cast<T*>(buf.data());
      for (int64_t i = 0; i < k; ++i)
        std::memcpy(d + i, p + static_cast<size_t>(sel[i]) * sizeof(T), sizeof(T));
    };
    if (w == 4)
      gather(uint32_t{});
    else if (w == 8)
      gather(uint64_t{});
    else
      for (int64_t i = 0; i < k; ++i)
        std::memcpy(buf.data() + static_cast<size_t>(i) * static_cast<size_t>(w),
                    p + static_cast<size_t>(sel[i]) * static_cast<size_t>(w),
                    static_cast<size_t>(w));
    appendFixed(reinterpret_cast<const uint8_t*>(buf.data()), k, c, out);
    return true;
  }
  if (encoding != pq::kPlainDictionary && encoding != pq::kRleDictionary) return false;
  if (!dict) corrupt("dictionary-encoded page without a dictionary page");
  if (count == 0) return true;
  if (p >= e) corrupt("empty dictionary-index data");
  int width = *p++;
  std::vector<uint32_t> idx(static_cast<size_t>(count));
  RleDecoder(p, static_cast<size_t>(e - p), width).decode(idx.data(), count);
  for (int64_t i = 0; i < k; ++i) {
    uint32_t x = idx[static_cast<size_t>(sel[i])];
    if (x >= static_cast<uint64_t>(dict->size()))
      corrupt("dictionary index " + std::to_string(x) + " beyond the dictionary of " +
              std::to_string(dict->size()));
    idx[static_cast<size_t>(i)] = x;  // i <= sel[i]: compacts in place
  }
  gatherAppend(*dict, idx.data(), k, out);
  return true;
}

// Appends a page's non-null values `vals` to out with NULLs where the definition level
// is 0.
void appendWithNulls(const Column& vals, const std::vector<uint32_t>& defs, Column& out) {
  int64_t n = static_cast<int64_t>(defs.size()), k = 0;
  if (vals.type().id() == TypeId::String) {
    for (int64_t i = 0; i < n; ++i) {
      if (defs[static_cast<size_t>(i)])
        out.appendString(vals.stringAt(k++));
      else
        out.appendNull();
    }
    return;
  }
  size_t w = static_cast<size_t>(vals.type().fixedWidth());
  int64_t base = out.size();
  out.resize(base + n);
  uint8_t* dst = out.valuesBuffer().data() + static_cast<size_t>(base) * w;
  const uint8_t* src = vals.valuesBuffer().data();
  for (int64_t i = 0; i < n; ++i) {
    if (defs[static_cast<size_t>(i)]) {
      std::memcpy(dst + static_cast<size_t>(i) * w, src + static_cast<size_t>(k++) * w, w);
    } else {
      std::memset(dst + static_cast<size_t>(i) * w, 0, w);
      out.setNull(base + i);
    }
  }
}

}  // namespace

ColumnPtr decodeColumnChunk(const uint8_t* bytes, size_t n, int64_t fileOffset,
                            const ParquetColumn& col, const ParquetChunk& chunk, int64_t numRows,
                            const std::string& context, const std::vector<int32_t>* selection) {
  // Pages append straight into the chunk's column (no per-page columns to concatenate).
  ColumnPtr out = Column::make(col.type);
  if (!selection) out->reserve(std::min<int64_t>(numRows, int64_t{1} << 20));  // may be corrupt
  ColumnPtr dict;
  int64_t rows = 0;
  size_t pos = 0;
  // Reused by every chunk this thread decodes: it only grows (see decompressPage).
  thread_local std::string page;
  std::vector<uint32_t> defs;
  // With a selection: the selected rows of each page, concatenated at the end.
  std::vector<ColumnPtr> parts;
  std::vector<int32_t> local;
  size_t selAt = 0;
  try {
    while (rows < numRows) {
      if (pos >= n)
        corrupt("the column chunk ends after " + std::to_string(rows) + " of " +
                std::to_string(numRows) + " rows");
      size_t hdrLen = 0;
      TValue h = decodeThriftStruct(bytes + pos, n - pos, &hdrLen, "page header");
      int type = static_cast<int>(h.requiredInt(1, "PageHeader.type"));
      int64_t usize = h.requiredInt(2, "PageHeader.uncompressed_page_size");
      int64_t csize = h.requiredInt(3, "PageHeader.compressed_page_size");
      if (usize < 0 || csize < 0 || static_cast<uint64_t>(csize) > n - pos - hdrLen)
        corrupt("page of " + std::to_string(csize) + " bytes at byte " +
                std::to_string(fileOffset + static_cast<int64_t>(pos)) +
                " extends past the column chunk");
      const uint8_t* body = bytes + pos + hdrLen;
      size_t pageStart = pos;
      pos += hdrLen + static_cast<size_t>(csize);
      try {
        if (type == pq::kDictionaryPage) {
          const TValue& d = h.requiredStruct(7, "dictionary_page_header");
          int64_t nv = d.requiredInt(1, "DictionaryPageHeader.num_values");
          int enc = static_cast<int>(d.requiredInt(2, "DictionaryPageHeader.encoding"));
          if (enc != pq::kPlain && enc != pq::kPlainDictionary)
            corrupt("dictionary page encoding " + std::to_string(enc) + " is not PLAIN");
          decompressPage(chunk.codec, body, static_cast<size_t>(csize), static_cast<size_t>(usize),
                         page);
          if (nv < 0 || static_cast<uint64_t>(nv) > static_cast<uint64_t>(usize) * 8 + 1)
            corrupt("implausible dictionary size");
          auto dc = std::make_shared<Column>(col.type);
          auto* pb = reinterpret_cast<const uint8_t*>(page.data());
          decodePlain(pb, pb + usize, nv, col, *dc);
          dict = dc;
          continue;
        }
        if (type != pq::kDataPage && type != pq::kDataPageV2) continue;  // index pages: skip
        bool v2 = type == pq::kDataPageV2;
        const TValue& d = h.requiredStruct(v2 ? 8 : 5, "data_page_header");
        int64_t numValues = d.requiredInt(1, "num_values");
        int enc = static_cast<int>(d.requiredInt(v2 ? 4 : 2, "encoding"));
        if (numValues < 0 || numValues > numRows - rows)
          corrupt("page holds " + std::to_string(numValues) +
                  " values, more than the rows left in the row group");
        // Writers cut pages far smaller; the bound keeps corrupt counts from allocating
        // gigabytes for a few bytes of run-length data.
        if (numValues > kMaxPageValues)
          corrupt("page claims " + std::to_string(numValues) + " values (more than " +
                  std::to_string(kMaxPageValues) + ")");
        size_t selFrom = selAt;
        if (selection) {
          while (selAt < selection->size() && (*selection)[selAt] < rows + numValues) ++selAt;
          if (selAt == selFrom) {  // no selected row here: not even decompressed
            rows += numValues;
            continue;
          }
        }
        int64_t selCount = static_cast<int64_t>(selAt - selFrom);
        bool partial = selection && selCount < numValues;
        ColumnPtr pageCol = selection ? Column::make(col.type) : out;
        const uint8_t* p;
        const uint8_t* e;
        defs.clear();
        if (!v2) {
          decompressPage(chunk.codec, body, static_cast<size_t>(csize), static_cast<size_t>(usize),
                         page);
          p = reinterpret_cast<const uint8_t*>(page.data());
          e = p + usize;
          if (col.optional) {
            if (d.intField(3, pq::kRle) != pq::kRle)
              throw UserError("Parquet BIT_PACKED definition levels are not supported");
            if (e - p < 4) corrupt("truncated definition levels");
            uint32_t len;
            std::memcpy(&len, p, 4);
            p += 4;
            if (len > static_cast<size_t>(e - p)) corrupt("definition levels beyond the page");
            defs.resize(static_cast<size_t>(numValues));
            RleDecoder(p, len, 1).decode(defs.data(), numValues);
            p += len;
          }
        } else {
          int64_t repLen = d.requiredInt(6, "repetition_levels_byte_length");
          int64_t defLen = d.requiredInt(5, "definition_levels_byte_length");
          if (repLen < 0 || defLen < 0 || repLen + defLen > csize || repLen + defLen > usize)
            corrupt("level lengths exceed the page");
          if (col.optional) {
            defs.resize(static_cast<size_t>(numValues));
            RleDecoder(body + repLen, static_cast<size_t>(defLen), 1)
                .decode(defs.data(), numValues);
          }
          size_t lv = static_cast<size_t>(repLen + defLen);
          bool compressed = d.intField(7, 1) != 0;
          decompressPage(compressed ? chunk.codec : 0, body + lv, static_cast<size_t>(csize) - lv,
                         static_cast<size_t>(usize) - lv, page);
          p = reinterpret_cast<const uint8_t*>(page.data());
          e = p + (static_cast<size_t>(usize) - lv);
        }
        int64_t nonNull = numValues;
        if (!defs.empty()) {
          nonNull = 0;
          for (uint32_t x : defs) nonNull += x != 0;
        }
        if (partial) {
          local.resize(static_cast<size_t>(selCount));
          for (int64_t i = 0; i < selCount; ++i)
            local[static_cast<size_t>(i)] =
                static_cast<int32_t>((*selection)[selFrom + static_cast<size_t>(i)] - rows);
        }
        if (partial && nonNull == numValues &&
            decodeSelected(enc, p, e, numValues, col, dict.get(), local.data(), selCount,
                           *pageCol)) {
          partial = false;  // already only the selected rows
        } else if (nonNull == numValues) {
          int64_t before = pageCol->size();
          decodeValues(enc, p, e, nonNull, col, dict.get(), *pageCol);
          if (pageCol->size() - before != nonNull)
            corrupt("decoded " + std::to_string(pageCol->size() - before) + " values, expected " +
                    std::to_string(nonNull));
        } else {
          Column vals(col.type);
          decodeValues(enc, p, e, nonNull, col, dict.get(), vals);
          if (vals.size() != nonNull)
            corrupt("decoded " + std::to_string(vals.size()) + " values, expected " +
                    std::to_string(nonNull));
          appendWithNulls(vals, defs, *pageCol);
        }
        if (selection) {
          pageCol->compactValidity();
          parts.push_back(partial ? takeColumn(*pageCol, local.data(), selCount) : pageCol);
        }
        rows += numValues;
      } catch (const IoError& err) {
        throw IoError(std::string(err.what()) + " (page at byte " +
                      std::to_string(fileOffset + static_cast<int64_t>(pageStart)) + ")");
      }
    }
  } catch (const IoError& err) {
    throw IoError("Corrupt Parquet data in " + context + ": " + err.what());
  } catch (const UserError& err) {
    throw UserError("Cannot read Parquet " + context + ": " + err.what());
  }
  if (selection) {
    if (parts.empty()) return Column::make(col.type);
    return parts.size() == 1 ? parts[0] : concatColumns(parts);
  }
  out->compactValidity();
  return out;
}

}  // namespace ember
