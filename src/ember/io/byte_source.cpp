#include "ember/io/byte_source.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "ember/common/errors.h"

namespace ember {

namespace {

constexpr size_t kCompressedInputBuffer = 1 << 20;

[[noreturn]] void throwIo(const std::string& what, const std::string& path, uint64_t offset,
                          const std::string& why) {
  throw IoError(what + " " + path + " at byte " + std::to_string(offset) + ": " + why);
}

int openForRead(const std::string& path, uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throwIo("Cannot open input file", path, offset, std::strerror(errno));
  // Tells the kernel to read ahead aggressively; advisory, so failure is ignored.
  (void)::posix_fadvise(fd, static_cast<off_t>(offset), 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

// Plain file read with pread from a moving offset (no shared file position, so the same file
// can be read by several splits of one process at once).
class PlainSource final : public ByteSource {
 public:
  PlainSource(std::string path, uint64_t offset)
      : path_(std::move(path)), fd_(openForRead(path_, offset)), start_(offset), pos_(offset) {}
  ~PlainSource() override { ::close(fd_); }

  size_t read(char* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(pos_));
      if (got >= 0) {
        pos_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno != EINTR) throwIo("Read error in", path_, pos_, std::strerror(errno));
    }
  }
  uint64_t fileBytesConsumed() const override { return pos_ - start_; }

 private:
  std::string path_;
  int fd_;
  uint64_t start_;
  uint64_t pos_;
};

// gzread decodes concatenated gzip members (as written by `cat a.gz b.gz`) as one stream.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::string path) : path_(std::move(path)) {
    int fd = openForRead(path_, 0);
    gz_ = ::gzdopen(fd, "rb");
    if (gz_ == nullptr) {
      ::close(fd);
      throwIo("Cannot open gzip input", path_, 0, "out of memory");
    }
    ::gzbuffer(gz_, kCompressedInputBuffer);
  }
  ~GzipSource() override { ::gzclose(gz_); }

  size_t read(char* buf, size_t n) override {
    int got = ::gzread(gz_, buf, static_cast<unsigned>(std::min<size_t>(n, INT_MAX)));
    if (got < 0) fail("Corrupt gzip data in");
    if (got == 0) {
      // zlib treats a truncated stream as a soft error (Z_BUF_ERROR) so that growing files
      // can be followed; for a finished input file it means the data was cut short.
      int err = Z_OK;
      ::gzerror(gz_, &err);
      if (err == Z_BUF_ERROR) fail("Truncated gzip data in");
      if (err != Z_OK) fail("Corrupt gzip data in");
    } else if (!checkedDirect_) {
      // Without this, zlib would pass a non-gzip file through unchanged ("transparent" mode).
      checkedDirect_ = true;
      if (::gzdirect(gz_)) throwIo("Not gzip data:", path_, 0, "bad magic number");
    }
    return static_cast<size_t>(got);
  }
  uint64_t fileBytesConsumed() const override { return static_cast<uint64_t>(::gzoffset(gz_)); }

 private:
  [[noreturn]] void fail(const char* what) {
    int err = Z_OK;
    const char* msg = ::gzerror(gz_, &err);
    throwIo(what, path_, fileBytesConsumed(),
            std::string(msg != nullptr ? msg : "unknown error") + " (after " +
                std::to_string(::gztell(gz_)) + " decompressed bytes)");
  }

  std::string path_;
  gzFile gz_ = nullptr;
  bool checkedDirect_ = false;
};

// ZSTD_decompressStream continues into the next frame by itself, so concatenated frames and
// skippable frames are handled.
class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::string path)
      : path_(std::move(path)), fd_(openForRead(path_, 0)), inBuf_(kCompressedInputBuffer) {
    dctx_ = ::ZSTD_createDCtx();
    if (dctx_ == nullptr) {
      ::close(fd_);
      throwIo("Cannot open zstd input", path_, 0, "out of memory");
    }
  }
  ~ZstdSource() override {
    ::ZSTD_freeDCtx(dctx_);
    ::close(fd_);
  }

  size_t read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (in_.pos == in_.size && !eof_) refill();
      if (in_.pos == in_.size && eof_) {
        if (pending_ == 0) return 0;
        // The decoder may still hold output; if it produces none, the last frame is cut short.
        decompress(out);
        if (out.pos == 0) throwIo("Truncated zstd data in", path_, readBytes_, "incomplete frame");
        break;
      }
      decompress(out);
    }
    return out.pos;
  }
  uint64_t fileBytesConsumed() const override { return readBytes_ - (in_.size - in_.pos); }

 private:
  void refill() {
    for (;;) {
      ssize_t got = ::read(fd_, inBuf_.data(), inBuf_.size());
      if (got >= 0) {
        in_ = {inBuf_.data(), static_cast<size_t>(got), 0};
        readBytes_ += static_cast<uint64_t>(got);
        eof_ = got == 0;
        return;
      }
      if (errno != EINTR) throwIo("Read error in", path_, readBytes_, std::strerror(errno));
    }
  }
  void decompress(ZSTD_outBuffer& out) {
    size_t r = ::ZSTD_decompressStream(dctx_, &out, &in_);
    if (::ZSTD_isError(r))
      throwIo("Corrupt zstd data in", path_, fileBytesConsumed(), ::ZSTD_getErrorName(r));
    pending_ = r;  // 0 exactly when a frame is complete and fully flushed
  }

  std::string path_;
  int fd_;
  std::vector<char> inBuf_;
  ZSTD_DCtx* dctx_ = nullptr;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  uint64_t readBytes_ = 0;
  size_t pending_ = 0;
  bool eof_ = false;
};

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Compression compressionOf(std::string_view path) {
  if (endsWith(path, ".gz")) return Compression::kGzip;
  if (endsWith(path, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

std::unique_ptr<ByteSource> openByteSource(const std::string& path, Compression compression,
                                           uint64_t offset) {
  EMBER_CHECK(compression == Compression::kNone || offset == 0,
              "compressed input " + path + " opened at offset " + std::to_string(offset));
  switch (compression) {
    case Compression::kGzip:
      return std::make_unique<GzipSource>(path);
    case Compression::kZstd:
      return std::make_unique<ZstdSource>(path);
    case Compression::kNone:
      break;
  }
  return std::make_unique<PlainSource>(path, offset);
}

}  // namespace ember
