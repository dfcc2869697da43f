// The executor's scratch space on local disk: spill files and shuffle outputs.
//
// One DiskManager per executor process (or per application in local mode) owns a fresh
// directory `<localDir>/ember-<appName>-<pid>-<random hex>`, created by the constructor
// and removed recursively by the destructor or cleanup(). Nothing Ember writes to local
// disk lives outside it, so removing it is the whole cleanup after a job, a crash of a
// previous run never collides with this one, and tests can check that everything was
// released with bytesOnDisk().
//
// Layout under root():
//   tmp/<prefix>-<n>-<hex>                          createTempFile (spill files, ...)
//   shuffle/<shuffleId>/shuffle_<s>_<m>.data|.index shuffle outputs of map task m
//
// Threading: every method may be called concurrently from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace ember {

class DiskManager {
 public:
  // Creates `localDir` if needed and a fresh application directory inside it. Throws
  // IoError naming the directory and the OS error when either cannot be created.
  DiskManager(std::string localDir, std::string appName);
  // Removes root() and everything below it; errors are ignored (best effort).
  ~DiskManager();

  DiskManager(const DiskManager&) = delete;
  DiskManager& operator=(const DiskManager&) = delete;

  // The application directory (absolute path, without trailing slash).
  const std::string& root() const { return root_; }

  // Creates a new empty file with a unique name under root()/tmp and returns its path.
  // `prefix` (e.g. "spill") becomes part of the name for readability.
  std::string createTempFile(std::string_view prefix);

  // Where map task `mapId` of shuffle `shuffleId` keeps its output. The directory
  // root()/shuffle/<shuffleId> is created; the files themselves are not.
  std::string shuffleDataPath(int shuffleId, int mapId);
  std::string shuffleIndexPath(int shuffleId, int mapId);

  // Deletes all files of one shuffle (no-op if it has none).
  void removeShuffle(int shuffleId);
  // Deletes one file under root() (no-op if it does not exist). Throws IoError if the
  // file exists but cannot be removed; InternalError if `path` is outside root().
  void removeFile(const std::string& path);

  // Total size in bytes of the regular files under root().
  uint64_t bytesOnDisk() const;

  // Removes root() recursively now (idempotent). Afterwards the DiskManager must not be
  // used to create files; throws IoError if removal fails.
  void cleanup();

 private:
  std::string shuffleDir(int shuffleId);
  void ensureDir(const std::string& dir);

  std::string root_;
  std::atomic<uint64_t> tempCounter_{0};
  std::mutex cleanupMutex_;
  bool cleanedUp_ = false;
};

}  // namespace ember
