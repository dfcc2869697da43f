#include "ember/storage/disk_manager.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <system_error>

#include "ember/common/errors.h"

namespace fs = std::filesystem;

namespace ember {
namespace {

std::string randomHex() {
  // random_device is only consulted per directory/file name, never on a hot path.
  static thread_local std::mt19937_64 rng{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                          std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string s(12, '0');
  for (char& c : s) {
    c = kDigits[v & 0xf];
    v >>= 4;
  }
  return s;
}

// App names come from users ("My App/2"); keep the directory name a single safe component.
std::string sanitize(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "app";
  if (out.size() > 64) out.resize(64);
  return out;
}

[[noreturn]] void throwDirError(const std::string& dir, const std::string& why) {
  throw IoError("cannot create local directory '" + dir + "': " + why +
                "; set ember.local.dir to a writable directory with free space");
}

}  // namespace

DiskManager::DiskManager(std::string localDir, std::string appName) {
  if (localDir.empty()) localDir = ".";
  std::error_code ec;
  fs::path base = fs::absolute(localDir, ec);
  if (ec) throwDirError(localDir, ec.message());
  fs::create_directories(base, ec);
  if (ec) throwDirError(base.string(), ec.message());
  std::string stem = "ember-" + sanitize(appName) + "-" + std::to_string(::getpid()) + "-";
  // mkdir (not create_directories) so that an existing directory is an error: the name
  // must be ours alone. A collision of the random part is retried.
  for (int attempt = 0;; ++attempt) {
    std::string dir = (base / (stem + randomHex())).string();
    if (::mkdir(dir.c_str(), 0755) == 0) {
      root_ = dir;
      break;
    }
    int err = errno;
    if (err != EEXIST || attempt >= 10) throwDirError(dir, std::strerror(err));
  }
}

DiskManager::~DiskManager() {
  try {
    cleanup();
  } catch (...) {
    // Destructors must not throw; a leftover directory is harmless and named by pid.
  }
}

void DiskManager::ensureDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);  // safe to race: an existing directory is not an error
  if (ec) throwDirError(dir, ec.message());
}

std::string DiskManager::createTempFile(std::string_view prefix) {
  std::string dir = root_ + "/tmp";
  ensureDir(dir);
  for (int attempt = 0;; ++attempt) {
    std::string path =
        dir + "/" + sanitize(prefix) + "-" + std::to_string(tempCounter_++) + "-" + randomHex();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return path;
    }
    int err = errno;
    if (err != EEXIST || attempt >= 10) {
      throw IoError("cannot create temporary file '" + path + "': " + std::strerror(err) +
                    "; set ember.local.dir to a writable directory with free space");
    }
  }
}

std::string DiskManager::shuffleDir(int shuffleId) {
  return root_ + "/shuffle/" + std::to_string(shuffleId);
}

std::string DiskManager::shuffleDataPath(int shuffleId, int mapId) {
  std::string dir = shuffleDir(shuffleId);
  ensureDir(dir);
  return dir + "/shuffle_" + std::to_string(shuffleId) + "_" + std::to_string(mapId) + ".data";
}

std::string DiskManager::shuffleIndexPath(int shuffleId, int mapId) {
  std::string dir = shuffleDir(shuffleId);
  ensureDir(dir);
  return dir + "/shuffle_" + std::to_string(shuffleId) + "_" + std::to_string(mapId) + ".index";
}

void DiskManager::removeShuffle(int shuffleId) {
  std::error_code ec;
  std::string dir = shuffleDir(shuffleId);
  fs::remove_all(dir, ec);
  if (ec) throw IoError("cannot remove shuffle directory '" + dir + "': " + ec.message());
}

void DiskManager::removeFile(const std::string& path) {
  // Guard against a caller passing a path it did not get from us: this deletes files.
  fs::path rel = fs::path(path).lexically_normal().lexically_relative(root_);
  EMBER_CHECK(!rel.empty() && *rel.begin() != "..",
              "removeFile('" + path + "') outside of the local directory " + root_);
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw IoError("cannot remove file '" + path + "': " + ec.message());
}

uint64_t DiskManager::bytesOnDisk() const {
  uint64_t total = 0;
  std::error_code ec;
  // Files may be created or removed concurrently; skip the ones that vanish under us.
  fs::recursive_directory_iterator it(root_, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fileEc;
    if (it->is_regular_file(fileEc)) {
      uint64_t size = it->file_size(fileEc);
      if (!fileEc) total += size;
    }
  }
  return total;
}

void DiskManager::cleanup() {
  std::lock_guard<std::mutex> lock(cleanupMutex_);
  if (cleanedUp_) return;
  std::error_code ec;
  fs::remove_all(root_, ec);
  if (ec) throw IoError("cannot remove local directory '" + root_ + "': " + ec.message());
  cleanedUp_ = true;
}

}  // namespace ember
