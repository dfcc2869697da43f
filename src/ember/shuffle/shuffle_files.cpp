#include "ember/shuffle/shuffle_files.h"

#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>

#include "ember/common/errors.h"
#include "ember/shuffle/posix_file.h"

namespace ember {
namespace {

// Unique per writer even for concurrent attempts of the same map task in one process
// (counter) and across processes sharing a directory (pid + random).
std::string tempSuffix() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t processRandom =
      (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  char buf[64];
  std::snprintf(buf, sizeof(buf), ".tmp-%d-%llx-%llu", static_cast<int>(::getpid()),
                static_cast<unsigned long long>(processRandom & 0xffffffffffULL),
                static_cast<unsigned long long>(counter++));
  return buf;
}

// Serialises the rename pairs of all commits in this process; see the header.
std::mutex& commitMutex() {
  static std::mutex m;
  return m;
}

void renameOrThrow(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw IoError("cannot rename '" + from + "' to '" + to + "': " + errnoText(errno));
  }
}

}  // namespace

// ---- ShuffleMapOutputWriter ----

ShuffleMapOutputWriter::ShuffleMapOutputWriter(std::string dataPath, std::string indexPath,
                                               int numPartitions, Codec codec, int zstdLevel)
    : dataPath_(std::move(dataPath)),
      indexPath_(std::move(indexPath)),
      dataTemp_(dataPath_ + tempSuffix()),
      indexTemp_(indexPath_ + tempSuffix()),
      numPartitions_(numPartitions),
      data_(dataTemp_, codec, zstdLevel),
      offsets_(static_cast<size_t>(numPartitions) + 1, 0) {
  EMBER_CHECK(numPartitions > 0, "numPartitions = " + std::to_string(numPartitions));
}

ShuffleMapOutputWriter::~ShuffleMapOutputWriter() {
  if (!committed_) removeTemps();
}

void ShuffleMapOutputWriter::removeTemps() noexcept {
  try {
    data_.close();
  } catch (...) {
    // The file is being discarded.
  }
  std::remove(dataTemp_.c_str());
  std::remove(indexTemp_.c_str());
}

void ShuffleMapOutputWriter::beginPartition(int reduceId) {
  EMBER_CHECK(!committed_, "beginPartition after commit on " + dataPath_);
  EMBER_CHECK(reduceId > current_ && reduceId < numPartitions_,
              "beginPartition(" + std::to_string(reduceId) + ") after partition " +
                  std::to_string(current_) + " of " + std::to_string(numPartitions_));
  EMBER_CHECK(current_ >= 0 || data_.position() == 0,
              "bytes written before the first partition of " + dataPath_);
  // Partitions current_+1 .. reduceId-1 are skipped: empty, so they start (and end) here.
  for (int r = current_ + 1; r <= reduceId; ++r) offsets_[r] = data_.position();
  current_ = reduceId;
}

void ShuffleMapOutputWriter::appendSegmentFrom(const std::string& spillPath, Segment seg) {
  EMBER_CHECK(current_ >= 0, "appendSegmentFrom before beginPartition on " + dataPath_);
  EMBER_CHECK(!committed_, "appendSegmentFrom after commit on " + dataPath_);
  copySegment(spillPath, seg, data_);
}

std::vector<uint64_t> ShuffleMapOutputWriter::commit() {
  EMBER_CHECK(!committed_, "commit twice on " + dataPath_);
  EMBER_CHECK(current_ >= 0 || data_.position() == 0,
              "bytes written before the first partition of " + dataPath_);
  for (int r = current_ + 1; r <= numPartitions_; ++r) offsets_[r] = data_.position();
  current_ = numPartitions_;
  data_.close();

  std::string index(offsets_.size() * sizeof(uint64_t), '\0');
  std::memcpy(index.data(), offsets_.data(), index.size());  // little-endian host
  uint64_t checksum = XXH64(index.data(), index.size(), 0);
  index.append(reinterpret_cast<const char*>(&checksum), sizeof(checksum));
  PosixFile indexFile = PosixFile::openForWrite(indexTemp_, false);
  indexFile.writeAll(index.data(), index.size());
  indexFile.close();

  {
    std::lock_guard<std::mutex> lock(commitMutex());
    renameOrThrow(dataTemp_, dataPath_);
    renameOrThrow(indexTemp_, indexPath_);  // last: the output is now visible
  }
  committed_ = true;
  std::vector<uint64_t> sizes(numPartitions_);
  for (int r = 0; r < numPartitions_; ++r) sizes[r] = offsets_[r + 1] - offsets_[r];
  return sizes;
}

// ---- ShuffleBlockReader ----

std::vector<uint64_t> ShuffleBlockReader::readIndex(const std::string& dataPath,
                                                    const std::string& indexPath) {
  auto bad = [&](const std::string& why) {
    return IoError("invalid shuffle index file '" + indexPath + "' (data file '" + dataPath +
                   "'): " + why);
  };
  std::string bytes;
  try {
    PosixFile file = PosixFile::openForRead(indexPath);
    bytes.resize(file.size());
    size_t got = file.preadFull(bytes.data(), bytes.size(), 0);
    bytes.resize(got);
  } catch (const IoError& e) {
    throw bad(e.what());
  }
  // At least offsets[0], offsets[1] (one partition) and the checksum.
  if (bytes.size() < 3 * sizeof(uint64_t) || bytes.size() % sizeof(uint64_t) != 0) {
    throw bad("size " + std::to_string(bytes.size()) + " is not (partitions + 2) * 8 bytes");
  }
  size_t offsetBytes = bytes.size() - sizeof(uint64_t);
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + offsetBytes, sizeof(stored));
  if (XXH64(bytes.data(), offsetBytes, 0) != stored) throw bad("checksum mismatch");
  std::vector<uint64_t> offsets(offsetBytes / sizeof(uint64_t));
  std::memcpy(offsets.data(), bytes.data(), offsetBytes);
  if (offsets[0] != 0) throw bad("first offset is " + std::to_string(offsets[0]) + ", not 0");
  for (size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      throw bad("offsets decrease at partition " + std::to_string(i - 1) + ": " +
                std::to_string(offsets[i - 1]) + " > " + std::to_string(offsets[i]));
    }
  }
  uint64_t dataSize;
  try {
    dataSize = PosixFile::openForRead(dataPath).size();
  } catch (const IoError& e) {
    throw bad(e.what());
  }
  // Equality, not just "within": a data file of another attempt (see the header) or a
  // truncated one must not pass.
  if (offsets.back() != dataSize) {
    throw bad("offsets end at " + std::to_string(offsets.back()) + " but the data file has " +
              std::to_string(dataSize) + " bytes");
  }
  return offsets;
}

Segment ShuffleBlockReader::locate(const std::string& dataPath, const std::string& indexPath,
                                   int reduceId) {
  std::vector<uint64_t> offsets = readIndex(dataPath, indexPath);
  int numPartitions = static_cast<int>(offsets.size()) - 1;
  if (reduceId < 0 || reduceId >= numPartitions) {
    throw IoError("shuffle index file '" + indexPath + "' has " + std::to_string(numPartitions) +
                  " partitions; no partition " + std::to_string(reduceId));
  }
  return Segment{offsets[reduceId], offsets[reduceId + 1] - offsets[reduceId]};
}

FrameReader ShuffleBlockReader::open(const std::string& dataPath, const std::string& indexPath,
                                     int reduceId) {
  Segment seg = locate(dataPath, indexPath, reduceId);
  return FrameReader(dataPath, seg.offset, seg.length);
}

}  // namespace ember
