// Typed records over frame files: the one on-disk record format of shuffle files,
// spill runs, cached blocks and checkpoints. Records are serialised with Serde<T>
// into a buffer that is cut into a frame (compressed as one unit) at a record
// boundary once it reaches `frameBytes`, so a reader never sees a record split
// across frames.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "ember/common/serde.h"
#include "ember/rdd/iterator.h"
#include "ember/shuffle/frame_file.h"

namespace ember {

template <class T>
class RecordFrameWriter {
 public:
  RecordFrameWriter(FrameFileWriter& out, size_t frameBytes) : out_(out), frameBytes_(frameBytes) {}
  void write(const T& v) {
    Serde<T>::write(w_, v);
    ++records_;
    if (w_.size() >= frameBytes_) flush();
  }
  void flush() {
    if (w_.size() == 0) return;
    out_.writeFrame(w_.buffer());
    w_.buffer().clear();
  }
  uint64_t records() const { return records_; }

 private:
  FrameFileWriter& out_;
  size_t frameBytes_;
  ByteWriter w_;
  uint64_t records_ = 0;
};

// Reads the records of one segment of a frame file.
template <class T>
class RecordFrameReader : public Iterator<T> {
 public:
  RecordFrameReader(std::string path, uint64_t offset, uint64_t length)
      : reader_(std::move(path), offset, length) {}
  bool next(T& out) override {
    while (pos_ >= frame_.size()) {
      if (!reader_.nextFrame(frame_)) return false;
      pos_ = 0;
    }
    ByteReader r(frame_.data() + pos_, frame_.size() - pos_);
    out = Serde<T>::read(r);
    pos_ = static_cast<size_t>(r.position() - frame_.data());
    ++records_;
    return true;
  }
  uint64_t records() const { return records_; }
  uint64_t bytesRead() const { return reader_.bytesRead(); }

 private:
  FrameReader reader_;
  std::string frame_;
  size_t pos_ = 0;
  uint64_t records_ = 0;
};

}  // namespace ember
