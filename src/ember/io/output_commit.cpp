#include "ember/io/output_commit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ember/common/errors.h"

namespace ember {

namespace fs = std::filesystem;

namespace {

bool pathExists(const std::string& p) {
  struct stat st {};
  // lstat: a dangling symlink still occupies the name.
  return ::lstat(p.c_str(), &st) == 0;
}

void removeTree(const std::string& p) {
  std::error_code ec;
  fs::remove_all(p, ec);
  if (ec) throw IoError("Cannot remove " + p + ": " + ec.message());
}

// rename that refuses to replace an existing target. Plain rename(2) would silently replace an
// empty directory that someone created at the target meanwhile.
int renameNoReplace(const std::string& from, const std::string& to) {
  int rc = ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
  if (rc == 0 || (errno != EINVAL && errno != ENOSYS)) return rc;
  // The file system does not support RENAME_NOREPLACE: check, then rename (a tiny race).
  if (pathExists(to)) {
    errno = EEXIST;
    return -1;
  }
  return ::rename(from.c_str(), to.c_str());
}

}  // namespace

std::string partFileName(int partition) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05d", partition);
  return name;
}

DirectoryOutputCommitter::DirectoryOutputCommitter(std::string outputDir, std::string jobId)
    : outputDir_(std::move(outputDir)), jobId_(std::move(jobId)) {
  while (outputDir_.size() > 1 && outputDir_.back() == '/') outputDir_.pop_back();
  if (outputDir_.empty()) throw UserError("Output path is empty; pass a directory to write to");
  if (outputDir_ == "/" || outputDir_ == "." || outputDir_ == "..")
    throw UserError("Output path '" + outputDir_ + "' is not a new directory; name one");
  EMBER_CHECK(!jobId_.empty() && jobId_.find('/') == std::string::npos,
              "job id '" + jobId_ + "' must be non-empty and contain no '/'");
  stagingDir_ = outputDir_ + ".ember-staging-" + jobId_;
}

std::string DirectoryOutputCommitter::attemptDir(int partition, int attempt) const {
  return stagingDir_ + "/_attempts/" + std::to_string(partition) + "-" + std::to_string(attempt);
}

std::string DirectoryOutputCommitter::taskAttemptPath(int partition, int attempt) const {
  return attemptDir(partition, attempt) + "/" + partFileName(partition);
}

void DirectoryOutputCommitter::setupJob() {
  if (pathExists(outputDir_))
    throw UserError("Output directory " + outputDir_ +
                    " already exists; choose another path or delete it");
  std::error_code ec;
  fs::path parent = fs::path(outputDir_).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw IoError("Cannot create parent directory of " + outputDir_ + ": " + ec.message());
  if (::mkdir(stagingDir_.c_str(), 0777) != 0) {
    if (errno == EEXIST)
      throw UserError("Staging directory " + stagingDir_ +
                      " already exists (left by a crashed job with the same id?); delete it");
    throw IoError("Cannot create staging directory " + stagingDir_ + ": " + std::strerror(errno));
  }
  std::string attempts = stagingDir_ + "/_attempts";
  if (::mkdir(attempts.c_str(), 0777) != 0)
    throw IoError("Cannot create " + attempts + ": " + std::strerror(errno));
}

void DirectoryOutputCommitter::commitTask(int partition, int attempt) {
  std::string from = taskAttemptPath(partition, attempt);
  std::string to = stagingDir_ + "/" + partFileName(partition);
  // rename(2) replaces an existing part file atomically: readers of the staging dir see the
  // earlier attempt's file or the later one, never a mix.
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (errno == ENOENT)
      throw IoError("Task attempt " + std::to_string(partition) + "." + std::to_string(attempt) +
                    " has no output file " + from + " to commit");
    throw IoError("Cannot commit " + from + " to " + to + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::remove_all(attemptDir(partition, attempt), ec);  // only empty leftovers; best effort
}

std::string DirectoryOutputCommitter::taskAttemptPath(int partition, int attempt,
                                                      const std::string& subdir) const {
  return attemptDir(partition, attempt) + "/" + subdir + "/" + partFileName(partition);
}

void DirectoryOutputCommitter::commitTaskTree(int partition, int attempt) {
  fs::path root = attemptDir(partition, attempt);
  std::error_code ec;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file()) files.push_back(it->path());
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw IoError("Cannot list task output " + root.string() + ": " + ec.message());
  for (const auto& from : files) {
    fs::path to = fs::path(stagingDir_) / from.lexically_relative(root);
    fs::create_directories(to.parent_path(), ec);
    if (::rename(from.c_str(), to.c_str()) != 0)
      throw IoError("Cannot commit " + from.string() + " to " + to.string() + ": " +
                    std::strerror(errno));
  }
  fs::remove_all(root, ec);  // only empty directories are left; best effort
}

void DirectoryOutputCommitter::abortTask(int partition, int attempt) {
  removeTree(attemptDir(partition, attempt));
}

void DirectoryOutputCommitter::commitJob() {
  std::string success = stagingDir_ + "/_SUCCESS";
  int fd = ::open(success.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw IoError("Cannot create " + success + ": " + std::strerror(errno));
  ::close(fd);
  removeTree(stagingDir_ + "/_attempts");
  if (renameNoReplace(stagingDir_, outputDir_) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY)
      throw UserError("Output directory " + outputDir_ +
                      " was created by someone else while the job ran; the job's output is in " +
                      stagingDir_ + ": move it where you want it or delete it");
    throw IoError("Cannot rename " + stagingDir_ + " to " + outputDir_ + ": " +
                  std::strerror(errno));
  }
}

void DirectoryOutputCommitter::abortJob() { removeTree(stagingDir_); }

void DirectoryOutputCommitter::serialize(ByteWriter& w) const {
  w.writeString(outputDir_);
  w.writeString(jobId_);
}

DirectoryOutputCommitter DirectoryOutputCommitter::deserialize(ByteReader& r) {
  std::string dir = r.readString();
  std::string job = r.readString();
  return DirectoryOutputCommitter(std::move(dir), std::move(job));
}

TextPartWriter::TextPartWriter(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw IoError("Cannot create directory for output file " + path_ + ": " + ec.message());
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) throw IoError("Cannot create output file " + path_ + ": " + std::strerror(errno));
  buf_.reserve(kBufferSize);
}

TextPartWriter::~TextPartWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void TextPartWriter::writeLine(std::string_view line) {
  EMBER_CHECK(fd_ >= 0, "writeLine on closed writer of " + path_);
  bytesWritten_ += line.size() + 1;
  if (buf_.size() + line.size() + 1 > kBufferSize) {
    flush();
    // A line longer than the buffer goes straight to the file instead of growing the buffer.
    if (line.size() >= kBufferSize) {
      writeAll(line.data(), line.size());
      line = {};
    }
  }
  buf_.append(line);
  buf_.push_back('\n');
}

void TextPartWriter::flush() {
  if (buf_.empty()) return;
  writeAll(buf_.data(), buf_.size());
  buf_.clear();
}

void TextPartWriter::writeAll(const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      throw IoError("Cannot write output file " + path_ + " at byte " +
                    std::to_string(fileOffset_) + ": " +
                    (w < 0 ? std::strerror(errno) : "no progress"));
    p += w;
    n -= static_cast<size_t>(w);
    fileOffset_ += static_cast<uint64_t>(w);
  }
}

void TextPartWriter::close() {
  if (fd_ < 0) return;
  try {
    flush();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  int fd = fd_;
  fd_ = -1;
  // Network file systems may report write errors (even ENOSPC) only here.
  if (::close(fd) != 0)
    throw IoError("Cannot close output file " + path_ + ": " + std::strerror(errno));
}

}  // namespace ember
