#include "ember/shuffle/codec.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "ember/common/errors.h"

namespace ember {

Codec parseCodec(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "none") return Codec::None;
  if (lower == "lz4") return Codec::Lz4;
  if (lower == "zstd") return Codec::Zstd;
  throw ConfigError("unknown compression codec '" + std::string(name) +
                    "'; valid codecs are: none, lz4, zstd");
}

std::string_view codecName(Codec codec) {
  switch (codec) {
    case Codec::None:
      return "none";
    case Codec::Lz4:
      return "lz4";
    case Codec::Zstd:
      return "zstd";
  }
  return "unknown";
}

bool isValidCodec(uint8_t value) { return value <= static_cast<uint8_t>(Codec::Zstd); }

Compressor::Compressor(Codec codec, int zstdLevel) : codec_(codec), zstdLevel_(zstdLevel) {
  EMBER_CHECK(isValidCodec(static_cast<uint8_t>(codec)),
              "codec value " + std::to_string(static_cast<int>(codec)));
  if (codec_ == Codec::Zstd) {
    zstdLevel_ = std::clamp(zstdLevel, ZSTD_minCLevel(), ZSTD_maxCLevel());
    zstd_ = ZSTD_createCCtx();
    if (zstd_ == nullptr) throw std::bad_alloc();
  }
}

Compressor::~Compressor() { ZSTD_freeCCtx(zstd_); }

Codec Compressor::compress(std::string_view raw, std::string& out) {
  // Anything that does not shrink is stored raw: reading it back is then a plain copy.
  if (codec_ == Codec::None || raw.empty()) return Codec::None;
  if (codec_ == Codec::Lz4) {
    EMBER_CHECK(raw.size() <= LZ4_MAX_INPUT_SIZE, "lz4 input of " + std::to_string(raw.size()));
    out.resize(LZ4_compressBound(static_cast<int>(raw.size())));
    int n = LZ4_compress_default(raw.data(), out.data(), static_cast<int>(raw.size()),
                                 static_cast<int>(out.size()));
    if (n <= 0 || static_cast<size_t>(n) >= raw.size()) return Codec::None;
    out.resize(n);
    return Codec::Lz4;
  }
  out.resize(ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compressCCtx(zstd_, out.data(), out.size(), raw.data(), raw.size(), zstdLevel_);
  if (ZSTD_isError(n) || n >= raw.size()) return Codec::None;
  out.resize(n);
  return Codec::Zstd;
}

Decompressor::~Decompressor() { ZSTD_freeDCtx(zstd_); }

Decompressor& Decompressor::operator=(Decompressor&& other) noexcept {
  if (this != &other) {
    ZSTD_freeDCtx(zstd_);
    zstd_ = other.zstd_;
    other.zstd_ = nullptr;
  }
  return *this;
}

void Decompressor::decompress(Codec codec, std::string_view stored, uint32_t rawLength,
                              std::string& out) {
  out.resize(rawLength);
  switch (codec) {
    case Codec::None:
      if (stored.size() != rawLength) {
        throw IoError("uncompressed frame of " + std::to_string(stored.size()) +
                      " bytes but header says " + std::to_string(rawLength));
      }
      std::copy(stored.begin(), stored.end(), out.begin());
      return;
    case Codec::Lz4: {
      if (stored.size() > INT_MAX || rawLength > INT_MAX) throw IoError("lz4 frame too large");
      int n = LZ4_decompress_safe(stored.data(), out.data(), static_cast<int>(stored.size()),
                                  static_cast<int>(rawLength));
      if (n < 0) throw IoError("lz4 decompression failed (corrupt data)");
      if (static_cast<uint32_t>(n) != rawLength) {
        throw IoError("lz4 frame decompressed to " + std::to_string(n) + " bytes but header says " +
                      std::to_string(rawLength));
      }
      return;
    }
    case Codec::Zstd: {
      if (zstd_ == nullptr) {
        zstd_ = ZSTD_createDCtx();
        if (zstd_ == nullptr) throw std::bad_alloc();
      }
      size_t n = ZSTD_decompressDCtx(zstd_, out.data(), out.size(), stored.data(), stored.size());
      if (ZSTD_isError(n)) {
        throw IoError(std::string("zstd decompression failed: ") + ZSTD_getErrorName(n));
      }
      if (n != rawLength) {
        throw IoError("zstd frame decompressed to " + std::to_string(n) +
                      " bytes but header says " + std::to_string(rawLength));
      }
      return;
    }
  }
  throw IoError("unknown codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace ember
