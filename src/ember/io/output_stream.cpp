#include "ember/io/output_stream.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "ember/common/errors.h"
#include "ember/io/format_internal.h"

namespace ember {

namespace {
constexpr size_t kBufferSize = size_t{256} << 10;
}

struct OutputStream::Codec {
  z_stream z{};
  bool zInit = false;
  ZSTD_CStream* zstd = nullptr;
  std::string out;
  ~Codec() {
    if (zInit) deflateEnd(&z);
    if (zstd) ZSTD_freeCStream(zstd);
  }
};

OutputStream::OutputStream(std::string path, Compression compression)
    : path_(std::move(path)), compression_(compression) {
  createParentDirs(path_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) throw IoError("Cannot create output file " + path_ + ": " + std::strerror(errno));
  buf_.reserve(kBufferSize);
  if (compression_ != Compression::kNone) {
    codec_ = std::make_unique<Codec>();
    codec_->out.resize(kBufferSize);
    if (compression_ == Compression::kGzip) {
      // windowBits 15 + 16: a gzip wrapper, as .gz readers expect.
      if (deflateInit2(&codec_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                       Z_DEFAULT_STRATEGY) != Z_OK)
        throw IoError("Cannot initialise gzip for " + path_);
      codec_->zInit = true;
    } else {
      codec_->zstd = ZSTD_createCStream();
      if (!codec_->zstd || ZSTD_isError(ZSTD_initCStream(codec_->zstd, 3)))
        throw IoError("Cannot initialise zstd for " + path_);
    }
  }
}

OutputStream::~OutputStream() {
  if (fd_ >= 0) ::close(fd_);
}

void OutputStream::write(const void* p, size_t n) {
  EMBER_CHECK(fd_ >= 0, "write on closed output " + path_);
  position_ += n;
  if (buf_.size() + n > kBufferSize) {
    flushBuffer();
    if (n >= kBufferSize) {
      buf_.assign(static_cast<const char*>(p), n);
      flushBuffer();
      return;
    }
  }
  buf_.append(static_cast<const char*>(p), n);
}

void OutputStream::writeFile(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw IoError("Cannot write output file " + path_ + " at byte " + std::to_string(fileBytes_) +
                    ": " + (w < 0 ? std::strerror(errno) : "no progress"));
    p += w;
    n -= static_cast<size_t>(w);
    fileBytes_ += static_cast<uint64_t>(w);
  }
}

void OutputStream::flushBuffer() {
  if (buf_.empty()) return;
  if (compression_ == Compression::kNone) {
    writeFile(buf_.data(), buf_.size());
  } else if (compression_ == Compression::kGzip) {
    z_stream& z = codec_->z;
    z.next_in = reinterpret_cast<Bytef*>(buf_.data());
    z.avail_in = static_cast<uInt>(buf_.size());
    while (z.avail_in > 0) {
      z.next_out = reinterpret_cast<Bytef*>(codec_->out.data());
      z.avail_out = static_cast<uInt>(codec_->out.size());
      if (deflate(&z, Z_NO_FLUSH) == Z_STREAM_ERROR) throw IoError("gzip error writing " + path_);
      writeFile(codec_->out.data(), codec_->out.size() - z.avail_out);
    }
  } else {
    ZSTD_inBuffer in{buf_.data(), buf_.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{codec_->out.data(), codec_->out.size(), 0};
      size_t r = ZSTD_compressStream(codec_->zstd, &out, &in);
      if (ZSTD_isError(r))
        throw IoError("zstd error writing " + path_ + ": " + ZSTD_getErrorName(r));
      writeFile(codec_->out.data(), out.pos);
    }
  }
  buf_.clear();
}

void OutputStream::close() {
  if (fd_ < 0) return;
  try {
    flushBuffer();
    if (compression_ == Compression::kGzip) {
      z_stream& z = codec_->z;
      z.avail_in = 0;
      int r;
      do {
        z.next_out = reinterpret_cast<Bytef*>(codec_->out.data());
        z.avail_out = static_cast<uInt>(codec_->out.size());
        r = deflate(&z, Z_FINISH);
        if (r == Z_STREAM_ERROR) throw IoError("gzip error finishing " + path_);
        writeFile(codec_->out.data(), codec_->out.size() - z.avail_out);
      } while (r != Z_STREAM_END);
    } else if (compression_ == Compression::kZstd) {
      size_t left;
      do {
        ZSTD_outBuffer out{codec_->out.data(), codec_->out.size(), 0};
        left = ZSTD_endStream(codec_->zstd, &out);
        if (ZSTD_isError(left)) throw IoError("zstd error finishing " + path_);
        writeFile(codec_->out.data(), out.pos);
      } while (left != 0);
    }
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0)
    throw IoError("Cannot close output file " + path_ + ": " + std::strerror(errno));
}

Compression textCompressionOf(const std::string& option) {
  std::string o;
  for (char c : option) o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (o.empty() || o == "none" || o == "uncompressed") return Compression::kNone;
  if (o == "gzip" || o == "gz") return Compression::kGzip;
  if (o == "zstd" || o == "zst") return Compression::kZstd;
  throw UserError("Unknown compression '" + option + "': use none, gzip or zstd");
}

std::string compressionExtension(Compression c) {
  return c == Compression::kGzip ? ".gz" : c == Compression::kZstd ? ".zst" : "";
}

}  // namespace ember
