// Text file input, as RDD textFile reads it: files are cut into splits (one per partition)
// and each split is read as lines with Hadoop's LineRecordReader rules, so that every line of
// every file is read exactly once, whole, by exactly one split.
//
// Split boundary rule (Hadoop's current LineRecordReader, which Spark uses):
//   - a split with start > 0 first discards the bytes from `start` through the first '\n' at
//     or after `start` (that line belongs to the previous split);
//   - it then returns every line that starts at a position <= start + length. A line that
//     starts exactly at the end of a split therefore belongs to that split, and the next
//     split, whose start is that position, discards it.
// Lines end at '\n'; one '\r' before it is removed (CRLF files); a last line without '\n' is
// returned; bytes are not decoded (UTF-8 or not). Compressed files (.gz, .zst) are one split
// each and are read whole.
//
// Threading: splits are plain values. A LineReader is used by one thread at a time; any
// number of readers may read the same file at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ember/common/serde.h"
#include "ember/io/file_listing.h"

namespace ember {

struct TextSplit {
  std::string path;
  uint64_t start = 0;
  uint64_t length = 0;
  uint64_t fileSize = 0;
  bool compressed = false;

  bool operator==(const TextSplit&) const = default;
  void serialize(ByteWriter& w) const;
  static TextSplit deserialize(ByteReader& r);
};

// Hadoop FileInputFormat's getSplits: goal = totalSize / max(1, minPartitions);
// splitSize = max(1, min(goal, maxSplitBytes)); each plain file is cut into splits of
// splitSize, except that the last split may be up to 10% larger than splitSize rather than
// leaving a tiny tail (SPLIT_SLOP 1.1). A .gz or .zst file is one split; an empty file is one
// empty split. Splits come out in the order of `files`, then by start.
std::vector<TextSplit> computeTextSplits(const std::vector<InputFile>& files, int minPartitions,
                                         uint64_t maxSplitBytes);

class ByteSource;

class LineReader {
 public:
  static constexpr size_t kDefaultBufferSize = size_t{1} << 20;

  // Opens the split's file; throws IoError naming the file if it cannot be opened.
  explicit LineReader(const TextSplit& split);
  // Same, with a read buffer of at most `bufferSize` bytes (tests use tiny buffers to make
  // lines cross buffer boundaries).
  LineReader(const TextSplit& split, size_t bufferSize);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` to the next line of the split and returns true, or returns false at the end.
  // The view is valid until the next call or the reader's destruction. Throws IoError naming
  // the file and byte offset on read errors and corrupt compressed data.
  bool next(std::string_view& line);
  // Bytes of the file this reader has consumed: for plain files, from the split's start to
  // the end of the last line returned (discarded bytes included); for compressed files, the
  // compressed bytes read so far.
  uint64_t bytesRead() const;
  // How many lines next() has returned so far (the 1-based number, within this split, of the
  // last line returned).
  uint64_t lineNumber() const { return lines_; }

 private:
  bool fill();
  void skipFirstLine();
  uint64_t streamPos() const { return bufStreamOffset_ + pos_; }

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t len_ = 0;                // valid bytes in buf_
  size_t pos_ = 0;                // next unread byte in buf_
  uint64_t bufStreamOffset_ = 0;  // offset of buf_[0] in the (decompressed) stream
  uint64_t start_ = 0;
  uint64_t end_ = 0;  // lines starting after this position are not ours
  bool compressed_ = false;
  bool done_ = false;
  uint64_t lines_ = 0;
  std::string carry_;  // a line that crosses a buffer boundary
};

}  // namespace ember
