#include "ember/io/parquet_encoding.h"

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "ember/common/errors.h"

namespace ember {

namespace {

[[noreturn]] void corrupt(const std::string& why) { throw IoError(why); }

uint64_t readVarint(const uint8_t*& p, const uint8_t* e) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= e) corrupt("truncated varint in encoded values");
    uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  corrupt("varint too long in encoded values");
}

// Value i of a little-endian bit-packed run of `width`-bit values (width <= 64); the
// caller guarantees the run holds it.
inline uint64_t unpackAt(const uint8_t* base, int64_t i, int width) {
  if (width == 0) return 0;
  uint64_t bit = static_cast<uint64_t>(i) * static_cast<uint64_t>(width);
  const uint8_t* b = base + (bit >> 3);
  int shift = static_cast<int>(bit & 7);
  int bytes = (shift + width + 7) / 8;  // <= 9
  uint64_t lo = 0;
  std::memcpy(&lo, b, std::min(bytes, 8));
  uint64_t v = lo >> shift;
  if (bytes == 9) v |= static_cast<uint64_t>(b[8]) << (64 - shift);
  return width == 64 ? v : v & ((uint64_t{1} << width) - 1);
}

}  // namespace

int bitWidthOf(uint64_t maxValue) {
  int w = 0;
  while (maxValue) ++w, maxValue >>= 1;
  return w;
}

RleDecoder::RleDecoder(const uint8_t* p, size_t n, int bitWidth)
    : p_(p), e_(p + n), bitWidth_(bitWidth) {
  if (bitWidth < 0 || bitWidth > 32)
    corrupt("RLE bit width " + std::to_string(bitWidth) + " out of range");
}

bool RleDecoder::nextRun() {
  if (p_ >= e_) return false;
  uint64_t h = readVarint(p_, e_);
  if (h & 1) {
    uint64_t groups = h >> 1;  // each group: 8 values of bitWidth bits = bitWidth bytes
    uint64_t avail = static_cast<uint64_t>(e_ - p_);
    if (groups == 0) corrupt("empty bit-packed run");
    if (bitWidth_ == 0) {
      groups = std::min<uint64_t>(groups, uint64_t{1} << 40);
    } else if (groups > avail / static_cast<uint64_t>(bitWidth_)) {
      // A last bit-packed run may be cut short by a writer; keep what is there.
      groups = avail / static_cast<uint64_t>(bitWidth_);
      if (groups == 0) corrupt("truncated bit-packed run");
    }
    packed_ = p_;
    packedBytes_ = groups * static_cast<uint64_t>(bitWidth_);
    packedLeft_ = static_cast<int64_t>(groups * 8);
    packedIndex_ = 0;
    p_ += groups * static_cast<uint64_t>(bitWidth_);
  } else {
    rleLeft_ = static_cast<int64_t>(h >> 1);
    int bytes = (bitWidth_ + 7) / 8;
    if (bytes > e_ - p_) corrupt("truncated RLE run");
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(p_[i]) << (8 * i);
    p_ += bytes;
    rleValue_ = v;
    if (rleLeft_ == 0) return nextRun();
  }
  return true;
}

void RleDecoder::decode(uint32_t* out, int64_t count) {
  while (count > 0) {
    if (rleLeft_ == 0 && packedLeft_ == 0 && !nextRun())
      corrupt("RLE/bit-packed data ends " + std::to_string(count) + " values early");
    if (rleLeft_ > 0) {
      int64_t k = std::min(rleLeft_, count);
      std::fill(out, out + k, rleValue_);
      out += k, count -= k, rleLeft_ -= k;
    } else {
      int64_t k = std::min(packedLeft_, count);
      // Widths <= 32 at a bit shift <= 7 fit one 8-byte load, wherever 8 bytes remain in
      // the run; values near its end take the byte-exact path.
      const uint64_t w = static_cast<uint64_t>(bitWidth_);
      const uint64_t mask = (uint64_t{1} << w) - 1;
      int64_t i = 0;
      if (w > 0) {
        for (; i < k; ++i) {
          uint64_t bit = static_cast<uint64_t>(packedIndex_ + i) * w;
          if ((bit >> 3) + 8 > packedBytes_) break;
          uint64_t lo;
          std::memcpy(&lo, packed_ + (bit >> 3), 8);
          *out++ = static_cast<uint32_t>((lo >> (bit & 7)) & mask);
        }
      }
      for (; i < k; ++i)
        *out++ = static_cast<uint32_t>(unpackAt(packed_, packedIndex_ + i, bitWidth_));
      packedIndex_ += k, packedLeft_ -= k, count -= k;
    }
  }
}

void rleEncode(const uint32_t* v, int64_t n, int bitWidth, std::string& out) {
  auto varint = [&](uint64_t x) {
    while (x >= 0x80) out.push_back(static_cast<char>(x | 0x80)), x >>= 7;
    out.push_back(static_cast<char>(x));
  };
  int valueBytes = (bitWidth + 7) / 8;
  // Literal values waiting to be bit-packed (a multiple of 8 except at the very end).
  int64_t litStart = 0, litLen = 0;
  auto flushLiterals = [&](bool last) {
    if (litLen == 0) return;
    int64_t groups = (litLen + 7) / 8;
    (void)last;
    varint(static_cast<uint64_t>(groups) << 1 | 1);
    size_t base = out.size();
    out.append(static_cast<size_t>(groups * bitWidth), '\0');
    auto* dst = reinterpret_cast<uint8_t*>(out.data() + base);
    // LSB-first bit packing through a 64-bit accumulator (fewer than 8 bits are pending
    // before each value, so up to 8 + 32 bits are held).
    const uint64_t mask = bitWidth >= 32 ? 0xFFFFFFFFull : (uint64_t{1} << bitWidth) - 1;
    uint64_t acc = 0;
    int bits = 0;
    for (int64_t i = 0; i < litLen; ++i) {
      acc |= (v[litStart + i] & mask) << bits;
      bits += bitWidth;
      while (bits >= 8) {
        *dst++ = static_cast<uint8_t>(acc);
        acc >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) *dst = static_cast<uint8_t>(acc);
    litLen = 0;
  };
  int64_t i = 0;
  while (i < n) {
    int64_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    int64_t run = j - i;
    if (run >= 8) {
      // Pad the literals to a multiple of 8 with values of this run.
      int64_t pad = litLen % 8 ? 8 - litLen % 8 : 0;
      if (litLen == 0) litStart = i;
      litLen += pad, i += pad, run -= pad;
      if (run >= 8) {
        flushLiterals(false);
        varint(static_cast<uint64_t>(run) << 1);
        for (int b = 0; b < valueBytes; ++b)
          out.push_back(static_cast<char>((v[i] >> (8 * b)) & 0xFF));
        i += run;
        continue;
      }
    }
    if (litLen == 0) litStart = i;
    litLen += run;
    i += run;
  }
  flushLiterals(true);
}

void deltaBinaryDecode(const uint8_t* p, size_t n, int64_t maxValues, std::vector<int64_t>& out,
                       const uint8_t** end) {
  const uint8_t* e = p + n;
  uint64_t blockSize = readVarint(p, e);
  uint64_t miniblocks = readVarint(p, e);
  uint64_t total = readVarint(p, e);
  uint64_t zz = readVarint(p, e);
  int64_t value = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
  if (blockSize == 0 || blockSize % 128 || miniblocks == 0 || blockSize % miniblocks ||
      (blockSize / miniblocks) % 32 || blockSize > (1u << 20) || total > (uint64_t{1} << 31))
    corrupt("invalid DELTA_BINARY_PACKED header");
  uint64_t perMini = blockSize / miniblocks;
  out.clear();
  if (total == 0) {
    *end = p;
    return;
  }
  if (total > static_cast<uint64_t>(std::max<int64_t>(maxValues, 0)))
    corrupt("DELTA_BINARY_PACKED stream declares " + std::to_string(total) + " values, the page " +
            std::to_string(maxValues));
  out.reserve(total);
  out.push_back(value);
  while (out.size() < total) {
    uint64_t mz = readVarint(p, e);
    int64_t minDelta = static_cast<int64_t>(mz >> 1) ^ -static_cast<int64_t>(mz & 1);
    if (static_cast<uint64_t>(e - p) < miniblocks) corrupt("truncated DELTA_BINARY_PACKED block");
    const uint8_t* widths = p;
    p += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out.size() < total; ++m) {
      int w = widths[m];
      if (w > 64) corrupt("DELTA_BINARY_PACKED bit width over 64");
      uint64_t bytes = perMini * static_cast<uint64_t>(w) / 8;
      if (bytes > static_cast<uint64_t>(e - p)) corrupt("truncated DELTA_BINARY_PACKED miniblock");
      for (uint64_t k = 0; k < perMini && out.size() < total; ++k) {
        // Wrapping arithmetic, as the encoding specifies.
        value =
            static_cast<int64_t>(static_cast<uint64_t>(value) + static_cast<uint64_t>(minDelta) +
                                 unpackAt(p, static_cast<int64_t>(k), w));
        out.push_back(value);
      }
      p += bytes;
    }
  }
  *end = p;
}

const char* codecName(int codec) {
  static const char* kNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                 "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
  return codec >= 0 && codec < 8 ? kNames[codec] : "unknown";
}

void decompressPage(int codec, const uint8_t* in, size_t n, size_t size, std::string& out) {
  // No real page is this large; the bound keeps a corrupt header from allocating wildly.
  if (size > (size_t{256} << 20))
    corrupt("page of " + std::to_string(size) + " bytes is implausibly large");
  if (out.size() < size) out.resize(size);
  const char* src = reinterpret_cast<const char*>(in);
  switch (codec) {
    case 0:
      if (n != size) corrupt("uncompressed page size mismatch");
      std::memcpy(out.data(), in, n);
      return;
    case 1: {
      size_t len = 0;
      if (snappy_uncompressed_length(src, n, &len) != SNAPPY_OK || len != size)
        corrupt("corrupt snappy page (bad length)");
      if (snappy_uncompress(src, n, out.data(), &len) != SNAPPY_OK || len != size)
        corrupt("corrupt snappy page");
      return;
    }
    case 2: {
      z_stream z{};
      if (inflateInit2(&z, 15 + 32) != Z_OK) corrupt("cannot initialise gzip");
      z.next_in = const_cast<Bytef*>(in);
      z.avail_in = static_cast<uInt>(n);
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(size);
      int r = inflate(&z, Z_FINISH);
      size_t got = size - z.avail_out;
      inflateEnd(&z);
      if (r != Z_STREAM_END || got != size) corrupt("corrupt gzip page");
      return;
    }
    case 6: {
      size_t r = ZSTD_decompress(out.data(), size, src, n);
      if (ZSTD_isError(r) || r != size)
        corrupt(std::string("corrupt zstd page") +
                (ZSTD_isError(r) ? std::string(": ") + ZSTD_getErrorName(r) : ""));
      return;
    }
    case 3:
    case 4:
    case 5:
    case 7:
      throw UserError(std::string("Parquet compression codec ") + codecName(codec) +
                      " is not supported by Ember (use snappy, gzip, zstd or none)");
    default:
      corrupt("unknown compression codec " + std::to_string(codec));
  }
}

void compressPage(int codec, const char* in, size_t n, std::string& out) {
  switch (codec) {
    case 0:
      out.assign(in, n);
      return;
    case 1: {
      size_t len = snappy_max_compressed_length(n);
      out.resize(len);
      if (snappy_compress(in, n, out.data(), &len) != SNAPPY_OK)
        throw IoError("snappy compression failed");
      out.resize(len);
      return;
    }
    case 2: {
      uLongf len = compressBound(static_cast<uLong>(n)) + 32;
      out.resize(len);
      z_stream z{};
      if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
          Z_OK)
        throw IoError("gzip init failed");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
      z.avail_in = static_cast<uInt>(n);
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(len);
      int r = deflate(&z, Z_FINISH);
      size_t got = len - z.avail_out;
      deflateEnd(&z);
      if (r != Z_STREAM_END) throw IoError("gzip compression failed");
      out.resize(got);
      return;
    }
    case 6: {
      size_t len = ZSTD_compressBound(n);
      out.resize(len);
      size_t r = ZSTD_compress(out.data(), len, in, n, 3);
      if (ZSTD_isError(r))
        throw IoError(std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
      out.resize(r);
      return;
    }
    default:
      throw UserError(std::string("Cannot write Parquet compression ") + codecName(codec));
  }
}

}  // namespace ember
