// The on-disk output of one shuffle map task: a data file and an index file.
//
// Data file: frame segments for reduce partitions 0..R-1, in order, back to back (an
// empty partition is an empty segment). Index file: R+1 little-endian uint64 offsets
// (partition r is [offsets[r], offsets[r+1]) of the data file; offsets[0] = 0 and
// offsets[R] = data file size) followed by the xxh64 of those offset bytes.
//
// Commit protocol: both files are written under unique temporary names next to their
// final paths and renamed into place by commit(), data first and index last, under a
// process-wide lock so that two attempts of the same map task (a retry, a speculative
// copy) cannot interleave their renames. A reader therefore sees either no output, or a
// complete index whose offsets match the data file; in the short window in which a new
// attempt's data has replaced the old one but its index has not yet, the reader's check
// of offsets against the data file size, and the per-frame magic and checksums, turn a
// mismatch into an IoError (a fetch failure) instead of wrong data. Readers that already
// opened a file keep reading the replaced file (POSIX rename semantics).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ember/shuffle/codec.h"
#include "ember/shuffle/frame_file.h"

namespace ember {

// Used by one thread (the map task).
class ShuffleMapOutputWriter {
 public:
  // Throws IoError if the temporary data file cannot be created (the directory of
  // `dataPath` must exist; DiskManager::shuffleDataPath creates it).
  ShuffleMapOutputWriter(std::string dataPath, std::string indexPath, int numPartitions,
                         Codec codec, int zstdLevel = 1);
  // Without commit(): removes the temporary files; nothing appears at the final paths.
  ~ShuffleMapOutputWriter();
  ShuffleMapOutputWriter(const ShuffleMapOutputWriter&) = delete;
  ShuffleMapOutputWriter& operator=(const ShuffleMapOutputWriter&) = delete;

  // The data file, for writeFrame into the current partition.
  FrameFileWriter& data() { return data_; }

  // Starts partition `reduceId`. Partitions are begun in strictly increasing order;
  // partitions skipped over are empty. Nothing may be written before the first call.
  void beginPartition(int reduceId);
  // Copies a spill file's segment into the current partition without decompressing.
  void appendSegmentFrom(const std::string& spillPath, Segment seg);

  // Finishes the data file, writes the index and renames both into place. Returns the
  // byte size of every partition (R entries). Call at most once.
  std::vector<uint64_t> commit();

  int numPartitions() const { return numPartitions_; }

 private:
  void removeTemps() noexcept;

  std::string dataPath_;
  std::string indexPath_;
  std::string dataTemp_;
  std::string indexTemp_;
  int numPartitions_;
  FrameFileWriter data_;
  std::vector<uint64_t> offsets_;  // offsets_[r] = start of partition r, once begun
  int current_ = -1;
  bool committed_ = false;
};

class ShuffleBlockReader {
 public:
  // Reads and validates the index (size, checksum, offsets starting at 0, monotonic,
  // ending at the data file's size) and returns all R+1 offsets. Throws IoError naming
  // the index file on any problem.
  static std::vector<uint64_t> readIndex(const std::string& dataPath, const std::string& indexPath);
  // The byte range of partition `reduceId` in the data file (e.g. to send it over the
  // network as is). Throws IoError naming the index file if it is invalid or has no
  // such partition.
  static Segment locate(const std::string& dataPath, const std::string& indexPath, int reduceId);
  // A reader of the frames of partition `reduceId`.
  static FrameReader open(const std::string& dataPath, const std::string& indexPath, int reduceId);
};

}  // namespace ember
