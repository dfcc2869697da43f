// A growable, 64-byte-aligned byte buffer: the storage of column values, offsets and
// validity bitmaps. Move-only; growth doubles the capacity (amortised O(1) appends).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace ember {

class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t size) { resize(size); }
  ~Buffer() { std::free(data_); }
  Buffer(Buffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      capacity_ = std::exchange(o.capacity_, 0);
    }
    return *this;
  }
  Buffer(const Buffer& o) { *this = o; }
  Buffer& operator=(const Buffer& o) {
    if (this != &o) {
      resize(0);
      append(o.data_, o.size_);
    }
    return *this;
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }

  template <class T>
  T* as() {
    return reinterpret_cast<T*>(data_);
  }
  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(data_);
  }

  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = capacity_ ? capacity_ : 64;
    while (cap < n) cap *= 2;
    void* p = std::aligned_alloc(64, (cap + 63) / 64 * 64);
    if (!p) throw std::bad_alloc();
    if (size_) std::memcpy(p, data_, size_);
    std::free(data_);
    data_ = static_cast<uint8_t*>(p);
    capacity_ = cap;
  }
  // New bytes are uninitialised.
  void resize(size_t n) {
    reserve(n);
    size_ = n;
  }
  // New bytes are set to `fill`.
  void resize(size_t n, uint8_t fill) {
    size_t old = size_;
    resize(n);
    if (n > old) std::memset(data_ + old, fill, n - old);
  }
  void append(const void* p, size_t n) {
    if (n == 0) return;
    reserve(size_ + n);
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  void clear() { size_ = 0; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace ember
