#include "ember/io/text_input.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "ember/common/errors.h"
#include "ember/io/byte_source.h"

namespace ember {

void TextSplit::serialize(ByteWriter& w) const {
  w.writeString(path);
  w.writeVarint(start);
  w.writeVarint(length);
  w.writeVarint(fileSize);
  w.writeRaw<uint8_t>(compressed ? 1 : 0);
}

TextSplit TextSplit::deserialize(ByteReader& r) {
  TextSplit s;
  s.path = r.readString();
  s.start = r.readVarint();
  s.length = r.readVarint();
  s.fileSize = r.readVarint();
  s.compressed = r.readRaw<uint8_t>() != 0;
  return s;
}

std::vector<TextSplit> computeTextSplits(const std::vector<InputFile>& files, int minPartitions,
                                         uint64_t maxSplitBytes) {
  // Hadoop's slop: a remainder of up to 10% of a split is folded into the last split.
  constexpr double kSplitSlop = 1.1;
  uint64_t total = 0;
  for (const auto& f : files) total += f.size;
  uint64_t goal = total / static_cast<uint64_t>(std::max(1, minPartitions));
  uint64_t splitSize = std::max<uint64_t>(1, std::min(goal, maxSplitBytes));

  std::vector<TextSplit> out;
  for (const auto& f : files) {
    bool compressed = compressionOf(f.path) != Compression::kNone;
    if (compressed || f.size == 0) {
      out.push_back({f.path, 0, f.size, f.size, compressed});
      continue;
    }
    uint64_t remaining = f.size;
    while (static_cast<double>(remaining) / static_cast<double>(splitSize) > kSplitSlop) {
      out.push_back({f.path, f.size - remaining, splitSize, f.size, false});
      remaining -= splitSize;
    }
    if (remaining != 0) out.push_back({f.path, f.size - remaining, remaining, f.size, false});
  }
  return out;
}

LineReader::LineReader(const TextSplit& split) : LineReader(split, kDefaultBufferSize) {}

LineReader::LineReader(const TextSplit& split, size_t bufferSize)
    : start_(split.start), compressed_(split.compressed) {
  EMBER_CHECK(bufferSize > 0, "LineReader buffer size must be positive");
  Compression codec = split.compressed ? compressionOf(split.path) : Compression::kNone;
  // A split marked compressed whose name has no known codec suffix cannot be decoded.
  if (split.compressed && codec == Compression::kNone)
    throw IoError("Cannot read " + split.path + " at byte 0: unknown compression (expected .gz " +
                  "or .zst)");
  if (compressed_) {
    EMBER_CHECK(split.start == 0, "compressed split of " + split.path + " starts at byte " +
                                      std::to_string(split.start));
    end_ = std::numeric_limits<uint64_t>::max();  // read the whole stream
    cap_ = bufferSize;
  } else {
    end_ = split.start + split.length;
    // Small files do not need a 1 MiB buffer; many tiny splits stay cheap.
    uint64_t rest = split.fileSize > split.start ? split.fileSize - split.start : 0;
    cap_ = static_cast<size_t>(std::min<uint64_t>(bufferSize, std::max<uint64_t>(rest + 1, 65536)));
  }
  source_ = openByteSource(split.path, codec, compressed_ ? 0 : split.start);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
  bufStreamOffset_ = compressed_ ? 0 : split.start;
  if (!compressed_ && split.start > 0) skipFirstLine();
}

LineReader::~LineReader() = default;

bool LineReader::fill() {
  bufStreamOffset_ += len_;
  pos_ = 0;
  len_ = source_->read(buf_.get(), cap_);
  return len_ > 0;
}

void LineReader::skipFirstLine() {
  for (;;) {
    if (pos_ == len_ && !fill()) {
      done_ = true;
      return;
    }
    const char* b = buf_.get() + pos_;
    const void* nl = std::memchr(b, '\n', len_ - pos_);
    if (nl != nullptr) {
      pos_ += static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
      return;
    }
    pos_ = len_;
  }
}

bool LineReader::next(std::string_view& line) {
  if (done_) return false;
  if (streamPos() > end_) {
    done_ = true;
    return false;
  }
  bool carrying = false;
  for (;;) {
    if (pos_ == len_ && !fill()) {
      done_ = true;
      if (!carrying) return false;  // the previous line ended exactly at end of file
      line = carry_;                // last line without '\n'
      break;
    }
    const char* b = buf_.get() + pos_;
    size_t avail = len_ - pos_;
    const void* nl = std::memchr(b, '\n', avail);
    if (nl != nullptr) {
      size_t n = static_cast<size_t>(static_cast<const char*>(nl) - b);
      pos_ += n + 1;
      if (carrying) {
        carry_.append(b, n);
        line = carry_;
      } else {
        line = std::string_view(b, n);  // the common case: no copy
      }
      break;
    }
    if (!carrying) {
      carry_.clear();
      carrying = true;
    }
    carry_.append(b, avail);
    pos_ = len_;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++lines_;
  return true;
}

uint64_t LineReader::bytesRead() const {
  return compressed_ ? source_->fileBytesConsumed() : streamPos() - start_;
}

}  // namespace ember
