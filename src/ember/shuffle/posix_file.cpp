#include "ember/shuffle/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ember/common/errors.h"

namespace ember {

std::string errnoText(int err) { return std::strerror(err); }

PosixFile::~PosixFile() {
  if (fd_ >= 0) ::close(fd_);
}

PosixFile::PosixFile(PosixFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

PosixFile& PosixFile::operator=(PosixFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

PosixFile PosixFile::openForRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open '" + path + "' for reading: " + errnoText(errno));
  return PosixFile(fd, path);
}

PosixFile PosixFile::openForWrite(const std::string& path, bool append) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) throw IoError("cannot open '" + path + "' for writing: " + errnoText(errno));
  return PosixFile(fd, path);
}

void PosixFile::writeAll(const char* data, size_t n) {
  EMBER_CHECK(fd_ >= 0, "write to closed file " + path_);
  while (n > 0) {
    ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write to '" + path_ + "': " + errnoText(errno) +
                    " (check free space in ember.local.dir)");
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

size_t PosixFile::preadFull(char* data, size_t n, uint64_t offset) const {
  EMBER_CHECK(fd_ >= 0, "read from closed file " + path_);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, data + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot read '" + path_ + "' at offset " + std::to_string(offset + done) +
                    ": " + errnoText(errno));
    }
    if (r == 0) break;  // end of file
    done += static_cast<size_t>(r);
  }
  return done;
}

uint64_t PosixFile::size() const {
  EMBER_CHECK(fd_ >= 0, "size of closed file " + path_);
  struct stat st;
  if (::fstat(fd_, &st) != 0) throw IoError("cannot stat '" + path_ + "': " + errnoText(errno));
  return static_cast<uint64_t>(st.st_size);
}

void PosixFile::sync() {
  EMBER_CHECK(fd_ >= 0, "sync of closed file " + path_);
  if (::fsync(fd_) != 0) throw IoError("cannot fsync '" + path_ + "': " + errnoText(errno));
}

void PosixFile::close() {
  if (fd_ < 0) return;
  int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) throw IoError("cannot close '" + path_ + "': " + errnoText(errno));
}

}  // namespace ember
