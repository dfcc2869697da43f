// Frame files: the byte container of spill files and shuffle data files.
//
// A frame is one independently compressed chunk:
//   uint32 magic 'EMBF' | uint8 codec | uint32 rawLength | uint32 storedLength |
//   uint32 xxh32(stored bytes) | stored bytes
// (17-byte header, little-endian, no padding). The codec is per frame: a frame that does
// not shrink is stored with Codec::None, and frames of different codecs may share a file.
// The typed layer above fills a buffer with whole serialised records and calls
// writeFrame when it is large (~64 KiB), always at a record boundary, so a record never
// crosses frames and each frame can be decoded on its own.
//
// A segment is a run of consecutive frames, addressed by {offset, length} in the file:
// one reduce partition of a shuffle file, or one sorted run of a spill file.
//
// Threading: a FrameFileWriter or FrameReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ember/shuffle/codec.h"
#include "ember/shuffle/posix_file.h"

namespace ember {

struct Segment {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool operator==(const Segment&) const = default;
};

inline constexpr uint32_t kFrameMagic = 0x46424D45;  // bytes 'E' 'M' 'B' 'F' little-endian
inline constexpr size_t kFrameHeaderSize = 17;
// Upper bound for one frame's raw size; a corrupt header cannot make a reader allocate
// more than this.
inline constexpr uint32_t kMaxFrameRawLength = 1u << 30;

class FrameFileWriter {
 public:
  // Opens `path` for writing (truncating it, or appending when `append`; segment offsets
  // are always file offsets). Throws IoError if the file cannot be opened.
  FrameFileWriter(std::string path, Codec codec, int zstdLevel = 1, bool append = false);
  // Flushes buffered frames best effort (errors ignored); call close() to see errors.
  ~FrameFileWriter();
  FrameFileWriter(const FrameFileWriter&) = delete;
  FrameFileWriter& operator=(const FrameFileWriter&) = delete;

  // Compresses `raw` (may be empty; at most kMaxFrameRawLength bytes) and appends it as
  // one frame. Writes go through a 256 KiB buffer; large frames are written directly.
  void writeFrame(std::string_view raw);

  // Starts a segment at the current position; endSegment returns the frames written
  // (or copied with copySegment) since. Segments do not nest.
  void beginSegment();
  Segment endSegment();

  // File offset at which the next frame will start.
  uint64_t position() const { return position_; }
  // Bytes this writer has added to the file (headers included).
  uint64_t bytesWritten() const { return position_ - startPosition_; }

  // Flushes buffered bytes, optionally fsyncs, and closes the file (idempotent). The
  // writer cannot be written to afterwards.
  void close(bool fsync = false);

  const std::string& path() const { return path_; }
  Codec codec() const { return compressor_.codec(); }

 private:
  friend void copySegment(const std::string& srcPath, Segment seg, FrameFileWriter& dst);
  // Appends one already-encoded frame (header + stored bytes).
  void appendFrame(std::string_view header, std::string_view stored);
  void flushBuffer();

  std::string path_;
  PosixFile file_;
  Compressor compressor_;
  std::string buffer_;   // pending bytes, written at position_ - buffer_.size()
  std::string scratch_;  // compression output, reused across frames
  uint64_t startPosition_ = 0;
  uint64_t position_ = 0;
  std::optional<uint64_t> segmentStart_;
};

class FrameReader {
 public:
  // Reads the frames of [offset, offset + length) of `path`. Throws IoError if the file
  // cannot be opened.
  FrameReader(std::string path, uint64_t offset, uint64_t length);
  FrameReader(FrameReader&&) noexcept = default;
  FrameReader& operator=(FrameReader&&) noexcept = default;

  // Decompresses the next frame into `out` (its previous contents are replaced; its
  // capacity is reused). Returns false at the end of the segment. Throws IoError naming
  // the file and the offset of the bad frame on a short read, bad magic or codec, checksum
  // mismatch, decompression error, or a frame extending past the segment.
  bool nextFrame(std::string& out);

  // Bytes of the segment consumed so far (frame headers included).
  uint64_t bytesRead() const { return next_ - segmentStart_; }
  const std::string& path() const { return path_; }

 private:
  friend void copySegment(const std::string& srcPath, Segment seg, FrameFileWriter& dst);
  struct RawFrame {
    uint64_t offset;  // of the header in the file
    Codec codec;
    uint32_t rawLength;
    std::string_view header;  // views into buffer_, valid until the next call
    std::string_view stored;
  };
  // Reads and validates the next frame (checksum included) without decompressing it.
  bool nextRawFrame(RawFrame& frame);
  // Makes at least `n` bytes from `next_` available in buffer_.
  void fill(size_t n, uint64_t frameOffset);
  [[noreturn]] void fail(uint64_t frameOffset, const std::string& what) const;

  std::string path_;
  PosixFile file_;
  uint64_t segmentStart_;
  uint64_t segmentEnd_;
  uint64_t next_;       // file offset of the next frame
  std::string buffer_;  // file bytes [next_ - bufferPos_ ... ) as read ahead
  size_t bufferPos_ = 0;
  size_t bufferLen_ = 0;
  Decompressor decompressor_;
};

// Copies the frames of `seg` of `srcPath` into `dst` at its current position (inside its
// current segment, if one is open), without decompressing them. Each frame's header and
// checksum are verified on the way, so a corrupt spill file fails the map task that reads
// it instead of the reduce tasks later. Throws IoError like FrameReader.
void copySegment(const std::string& srcPath, Segment seg, FrameFileWriter& dst);

}  // namespace ember
