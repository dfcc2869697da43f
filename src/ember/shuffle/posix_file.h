// RAII owner of a POSIX file descriptor with error-checked I/O, shared by the frame and
// shuffle files. Every failure is an IoError that names the path and the OS error.
// Not thread-safe (preadFull alone may be called concurrently on one instance).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ember {

class PosixFile {
 public:
  PosixFile() = default;
  ~PosixFile();
  PosixFile(PosixFile&& other) noexcept;
  PosixFile& operator=(PosixFile&& other) noexcept;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  static PosixFile openForRead(const std::string& path);
  // Creates the file if missing; truncates it unless `append`.
  static PosixFile openForWrite(const std::string& path, bool append);

  bool isOpen() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // Writes all `n` bytes at the current position (retrying short writes and EINTR).
  void writeAll(const char* data, size_t n);
  // Reads up to `n` bytes at `offset`, stopping early only at end of file; returns the
  // number of bytes read.
  size_t preadFull(char* data, size_t n, uint64_t offset) const;
  uint64_t size() const;
  void sync();
  // Closes the descriptor, reporting errors (the destructor ignores them).
  void close();

 private:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// "No such file or directory" etc. for an errno value.
std::string errnoText(int err);

}  // namespace ember
