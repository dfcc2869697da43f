#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "ember/common/errors.h"
#include "ember/io/parquet_meta.h"

namespace ember {

namespace {

struct FileStamp {
  uint64_t size = 0;
  int64_t mtimeNs = 0;
  uint64_t inode = 0;
  uint64_t device = 0;
  bool operator==(const FileStamp&) const = default;
};

struct Entry {
  FileStamp stamp;
  std::shared_ptr<const ParquetFileMeta> meta;
};

// Bounded by entry count: footers of huge tables are a few MB at most each.
constexpr size_t kMaxEntries = 256;

std::mutex& cacheMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, Entry>& cache() {
  static std::map<std::string, Entry> c;
  return c;
}

}  // namespace

std::shared_ptr<const ParquetFileMeta> cachedParquetFooter(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    throw IoError("Cannot read Parquet file " + path + ": " + std::strerror(errno));
  FileStamp stamp{static_cast<uint64_t>(st.st_size),
                  static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                  static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_dev)};
  {
    std::lock_guard<std::mutex> lock(cacheMutex());
    auto it = cache().find(path);
    if (it != cache().end() && it->second.stamp == stamp) return it->second.meta;
  }
  // Decoded outside the lock: two threads may both decode a new file; either result is
  // the same.
  auto meta = std::make_shared<const ParquetFileMeta>(readParquetFooter(path));
  std::lock_guard<std::mutex> lock(cacheMutex());
  if (cache().size() >= kMaxEntries) cache().clear();
  cache()[path] = Entry{stamp, meta};
  return meta;
}

}  // namespace ember
