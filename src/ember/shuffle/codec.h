// Compression codecs of shuffle and spill frames.
//
// Compressor and Decompressor hold reusable library contexts (zstd's are large to
// create), so keep one per writer/reader rather than one per frame. Neither is
// thread-safe; use one instance per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace ember {

// The value is stored in frame headers: never renumber.
enum class Codec : uint8_t { None = 0, Lz4 = 1, Zstd = 2 };

// "none", "lz4" or "zstd" (case-insensitive). Throws ConfigError listing the valid names.
Codec parseCodec(std::string_view name);
std::string_view codecName(Codec codec);
// True for the values above; frame readers use it to reject corrupt headers.
bool isValidCodec(uint8_t value);

class Compressor {
 public:
  // `zstdLevel` is used by Codec::Zstd only (1 = fast, up to ZSTD_maxCLevel()).
  explicit Compressor(Codec codec, int zstdLevel = 1);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Codec codec() const { return codec_; }

  // Compresses `raw` into `out` (overwritten) and returns the codec used. Returns
  // Codec::None without touching `out` when compression would not make the data
  // smaller (incompressible or tiny input): the caller then stores `raw` as is.
  Codec compress(std::string_view raw, std::string& out);

 private:
  Codec codec_;
  int zstdLevel_;
  ZSTD_CCtx_s* zstd_ = nullptr;
};

class Decompressor {
 public:
  Decompressor() = default;
  ~Decompressor();
  Decompressor(Decompressor&& other) noexcept : zstd_(other.zstd_) { other.zstd_ = nullptr; }
  Decompressor& operator=(Decompressor&& other) noexcept;
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Decompresses `stored` (written with `codec`) into `out`, which ends up exactly
  // `rawLength` bytes long. Throws IoError (without file context) on corrupt input or a
  // length mismatch.
  void decompress(Codec codec, std::string_view stored, uint32_t rawLength, std::string& out);

 private:
  ZSTD_DCtx_s* zstd_ = nullptr;
};

}  // namespace ember
