// A buffered output file with optional gzip or zstd compression, for the format writers.
// Creates missing parent directories and truncates an existing file. Throws IoError naming
// the file on any failure. close() flushes and finishes the compressed stream; destroying an
// unclosed stream closes the file without finishing it (a failed task's partial file).
// One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ember/io/byte_source.h"

namespace ember {

class OutputStream {
 public:
  OutputStream(std::string path, Compression compression);
  ~OutputStream();
  OutputStream(const OutputStream&) = delete;
  OutputStream& operator=(const OutputStream&) = delete;

  void write(const void* p, size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  void close();
  // Uncompressed bytes accepted so far.
  uint64_t position() const { return position_; }
  // Bytes in the file after close() (compressed size); before, bytes flushed so far.
  uint64_t fileBytes() const { return fileBytes_; }
  const std::string& path() const { return path_; }

 private:
  void flushBuffer();
  void writeFile(const char* p, size_t n);

  struct Codec;
  std::string path_;
  Compression compression_;
  int fd_ = -1;
  std::string buf_;
  std::unique_ptr<Codec> codec_;
  uint64_t position_ = 0;
  uint64_t fileBytes_ = 0;
};

// "gzip"/"gz" -> kGzip, "zstd"/"zst" -> kZstd, "none"/"uncompressed"/"" -> kNone; UserError
// otherwise (for the text formats' `compression` option).
Compression textCompressionOf(const std::string& option);
// ".gz", ".zst" or "".
std::string compressionExtension(Compression c);

}  // namespace ember
