#include "ember/shuffle/frame_file.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "ember/common/errors.h"

namespace ember {
namespace {

// Headers are memcpy'd in host order; executors share one architecture (serde.h) and the
// documented format is little-endian.
static_assert(std::endian::native == std::endian::little, "frame format assumes little-endian");

constexpr size_t kWriteBufferSize = 256 * 1024;
// Read-ahead per reader. A reduce task merging M sorted map outputs holds M readers, so
// this stays modest; it is capped further by the segment length for small segments.
constexpr size_t kReadChunk = 128 * 1024;

void encodeHeader(char* out, Codec codec, uint32_t rawLength, std::string_view stored) {
  uint32_t magic = kFrameMagic;
  auto codecByte = static_cast<uint8_t>(codec);
  auto storedLength = static_cast<uint32_t>(stored.size());
  auto checksum = static_cast<uint32_t>(XXH32(stored.data(), stored.size(), 0));
  std::memcpy(out, &magic, 4);
  std::memcpy(out + 4, &codecByte, 1);
  std::memcpy(out + 5, &rawLength, 4);
  std::memcpy(out + 9, &storedLength, 4);
  std::memcpy(out + 13, &checksum, 4);
}

}  // namespace

// ---- FrameFileWriter ----

FrameFileWriter::FrameFileWriter(std::string path, Codec codec, int zstdLevel, bool append)
    : path_(std::move(path)),
      file_(PosixFile::openForWrite(path_, append)),
      compressor_(codec, zstdLevel) {
  startPosition_ = position_ = append ? file_.size() : 0;
  buffer_.reserve(kWriteBufferSize);
}

FrameFileWriter::~FrameFileWriter() {
  try {
    close();
  } catch (...) {
    // Best effort only; a caller that cares about the data calls close() itself.
  }
}

void FrameFileWriter::writeFrame(std::string_view raw) {
  if (raw.size() > kMaxFrameRawLength) {
    throw UserError("frame of " + std::to_string(raw.size()) + " bytes for '" + path_ +
                    "' exceeds the maximum of " + std::to_string(kMaxFrameRawLength) +
                    " bytes; write smaller frames (at record boundaries)");
  }
  Codec used = compressor_.compress(raw, scratch_);
  std::string_view stored = used == Codec::None ? raw : std::string_view(scratch_);
  char header[kFrameHeaderSize];
  encodeHeader(header, used, static_cast<uint32_t>(raw.size()), stored);
  appendFrame(std::string_view(header, kFrameHeaderSize), stored);
}

void FrameFileWriter::appendFrame(std::string_view header, std::string_view stored) {
  EMBER_CHECK(file_.isOpen(), "write to closed frame file " + path_);
  buffer_.append(header);
  if (stored.size() >= kWriteBufferSize) {
    // Copying a large frame through the buffer would only cost a memcpy.
    flushBuffer();
    file_.writeAll(stored.data(), stored.size());
  } else {
    buffer_.append(stored);
    if (buffer_.size() >= kWriteBufferSize) flushBuffer();
  }
  position_ += header.size() + stored.size();
}

void FrameFileWriter::flushBuffer() {
  if (buffer_.empty()) return;
  file_.writeAll(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void FrameFileWriter::beginSegment() {
  EMBER_CHECK(!segmentStart_.has_value(), "beginSegment twice without endSegment on " + path_);
  segmentStart_ = position_;
}

Segment FrameFileWriter::endSegment() {
  EMBER_CHECK(segmentStart_.has_value(), "endSegment without beginSegment on " + path_);
  Segment seg{*segmentStart_, position_ - *segmentStart_};
  segmentStart_.reset();
  return seg;
}

void FrameFileWriter::close(bool fsync) {
  if (!file_.isOpen()) return;
  try {
    flushBuffer();
    if (fsync) file_.sync();
  } catch (...) {
    buffer_.clear();
    file_ = PosixFile();  // closes the descriptor; the file is unusable anyway
    throw;
  }
  file_.close();
}

// ---- FrameReader ----

FrameReader::FrameReader(std::string path, uint64_t offset, uint64_t length)
    : path_(std::move(path)), segmentStart_(offset), segmentEnd_(offset + length), next_(offset) {
  EMBER_CHECK(offset + length >= offset,
              "segment overflows: " + std::to_string(offset) + "+" + std::to_string(length));
  try {
    file_ = PosixFile::openForRead(path_);
  } catch (const IoError& e) {
    fail(offset, e.what());
  }
}

void FrameReader::fail(uint64_t frameOffset, const std::string& what) const {
  throw IoError("corrupt or unreadable frame file '" + path_ + "' at offset " +
                std::to_string(frameOffset) + " (segment " + std::to_string(segmentStart_) + "+" +
                std::to_string(segmentEnd_ - segmentStart_) + "): " + what);
}

void FrameReader::fill(size_t n, uint64_t frameOffset) {
  size_t have = bufferLen_ - bufferPos_;
  if (have >= n) return;
  // Move the unread tail to the front; it is at most one partial frame.
  if (bufferPos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + bufferPos_, have);
    bufferPos_ = 0;
    bufferLen_ = have;
  }
  uint64_t fileCursor = next_ + have;  // callers only fill from a frame start
  uint64_t leftInSegment = segmentEnd_ - fileCursor;
  size_t want =
      std::max(n, static_cast<size_t>(std::min<uint64_t>(kReadChunk, have + leftInSegment)));
  if (buffer_.size() < want) buffer_.resize(want);
  size_t toRead = static_cast<size_t>(std::min<uint64_t>(buffer_.size() - have, leftInSegment));
  size_t got = file_.preadFull(buffer_.data() + have, toRead, fileCursor);
  bufferLen_ = have + got;
  if (bufferLen_ < n) {
    fail(frameOffset, "file is truncated: frame needs " + std::to_string(n) +
                          " bytes but the file ends at offset " + std::to_string(fileCursor + got));
  }
}

bool FrameReader::nextRawFrame(RawFrame& frame) {
  if (next_ >= segmentEnd_) return false;
  uint64_t offset = next_;
  if (segmentEnd_ - offset < kFrameHeaderSize) {
    fail(offset,
         "segment ends " + std::to_string(segmentEnd_ - offset) + " bytes into a frame header");
  }
  fill(kFrameHeaderSize, offset);
  const char* h = buffer_.data() + bufferPos_;
  uint32_t magic, rawLength, storedLength, checksum;
  uint8_t codec;
  std::memcpy(&magic, h, 4);
  std::memcpy(&codec, h + 4, 1);
  std::memcpy(&rawLength, h + 5, 4);
  std::memcpy(&storedLength, h + 9, 4);
  std::memcpy(&checksum, h + 13, 4);
  if (magic != kFrameMagic) fail(offset, "bad frame magic (not an Ember frame)");
  if (!isValidCodec(codec)) fail(offset, "unknown codec " + std::to_string(codec));
  if (rawLength > kMaxFrameRawLength) {
    fail(offset, "frame length " + std::to_string(rawLength) + " exceeds the maximum");
  }
  uint64_t frameEnd = offset + kFrameHeaderSize + storedLength;
  if (frameEnd > segmentEnd_) {
    fail(offset, "frame of " + std::to_string(storedLength) +
                     " bytes extends beyond the segment end at " + std::to_string(segmentEnd_));
  }
  fill(kFrameHeaderSize + storedLength, offset);
  h = buffer_.data() + bufferPos_;  // fill may have moved the bytes
  std::string_view stored(h + kFrameHeaderSize, storedLength);
  if (static_cast<uint32_t>(XXH32(stored.data(), stored.size(), 0)) != checksum) {
    fail(offset, "checksum mismatch");
  }
  frame = RawFrame{offset, static_cast<Codec>(codec), rawLength,
                   std::string_view(h, kFrameHeaderSize), stored};
  bufferPos_ += kFrameHeaderSize + storedLength;
  next_ = frameEnd;
  return true;
}

bool FrameReader::nextFrame(std::string& out) {
  RawFrame frame;
  if (!nextRawFrame(frame)) return false;
  try {
    decompressor_.decompress(frame.codec, frame.stored, frame.rawLength, out);
  } catch (const IoError& e) {
    fail(frame.offset, e.what());
  }
  return true;
}

// ---- copySegment ----

void copySegment(const std::string& srcPath, Segment seg, FrameFileWriter& dst) {
  FrameReader reader(srcPath, seg.offset, seg.length);
  FrameReader::RawFrame frame;
  while (reader.nextRawFrame(frame)) dst.appendFrame(frame.header, frame.stored);
}

}  // namespace ember
