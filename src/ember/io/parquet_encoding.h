// Parquet value and level encodings (from the Parquet encodings specification) and page
// compression. Decoders never read outside the buffer they are given: truncated or
// corrupt input throws IoError (callers add the file / row group / column context).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ember {

// The RLE / bit-packing hybrid (definition levels, dictionary indices, booleans).
class RleDecoder {
 public:
  RleDecoder(const uint8_t* p, size_t n, int bitWidth);
  // Decodes exactly `count` values into out.
  void decode(uint32_t* out, int64_t count);

 private:
  bool nextRun();
  const uint8_t* p_;
  const uint8_t* e_;
  int bitWidth_;
  int64_t rleLeft_ = 0;  // values left in the current RLE run
  uint32_t rleValue_ = 0;
  int64_t packedLeft_ = 0;  // values left in the current bit-packed run
  const uint8_t* packed_ = nullptr;
  uint64_t packedBytes_ = 0;  // bytes of the current bit-packed run
  int64_t packedIndex_ = 0;
};

// Appends the RLE / bit-packing hybrid encoding of values (each < 2^bitWidth) to out.
void rleEncode(const uint32_t* values, int64_t n, int bitWidth, std::string& out);
int bitWidthOf(uint64_t maxValue);

// DELTA_BINARY_PACKED: decodes all values of the stream at p; *end receives the first
// byte after it. A stream declaring more than maxValues values is corrupt (IoError).
void deltaBinaryDecode(const uint8_t* p, size_t n, int64_t maxValues, std::vector<int64_t>& out,
                       const uint8_t** end);

// Page compression, codec numbers as in parquet.thrift (0 none, 1 snappy, 2 gzip, 6 zstd).
// Throws UserError for codecs Ember lacks (LZO, Brotli, LZ4) and IoError on corrupt data
// or when the result is not exactly `uncompressedSize` bytes. The page is the first
// uncompressedSize bytes of `out`, which only grows (a buffer reused across pages is
// then not zero-filled again for every page).
void decompressPage(int codec, const uint8_t* in, size_t n, size_t uncompressedSize,
                    std::string& out);
void compressPage(int codec, const char* in, size_t n, std::string& out);
const char* codecName(int codec);

}  // namespace ember
