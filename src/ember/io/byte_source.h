// Sequential byte streams over an input file: plain (from an offset), gzip or zstd.
// Internal to the io layer; LineReader builds lines on top of them.
//
// One ByteSource is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ember {

enum class Compression { kNone, kGzip, kZstd };

// By file name, as Hadoop picks codecs: ".gz" is gzip, ".zst" is zstd, anything else plain.
Compression compressionOf(std::string_view path);

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n (> 0) bytes of the (decompressed) stream into buf. Returns 0 only at the end
  // of the data. Throws IoError naming the file and the byte offset on read errors and on
  // corrupt or truncated compressed data.
  virtual size_t read(char* buf, size_t n) = 0;
  // Bytes of the file consumed so far (compressed bytes for gzip and zstd).
  virtual uint64_t fileBytesConsumed() const = 0;
};

// Opens `path`. For kNone the stream starts at byte `offset`; compressed streams always start
// at the beginning of the file (they cannot be entered in the middle), so offset must be 0.
// Throws IoError if the file cannot be opened.
std::unique_ptr<ByteSource> openByteSource(const std::string& path, Compression compression,
                                           uint64_t offset);

}  // namespace ember
