// FlatMap<K, V>: the hash table of Ember's aggregations (map-side combine, reduce-side
// hash aggregation, cogroup).
//
// Why not std::unordered_map: its node per entry costs an allocation and a dependent
// cache miss per probe, and aggregation is dominated by those misses. FlatMap is open
// addressing with linear probing over slots that hold the full 64-bit hash and the
// entry inline, so a lookup is one cache miss (usually), which callers overlap by
// prefetching a batch of slots before looking them up (ShuffleDependency::
// writeCombined). The full hash makes growth rehash-free and rejects almost all
// non-matching slots without touching the key. Slot arrays of 4 MiB and more are
// mapped 2 MiB-aligned and advised as transparent huge pages: a table of a million keys spans
// ~48 MiB, and with 4 KiB pages nearly every cold probe also missed the TLB.
// K and V must be default-constructible.
//
// Memory accounting (for spilling callers): growthBytes() tells, before an insertion,
// how many bytes the table would allocate for it, while the old slot array is still
// held; compactSlots() hands the entries out in place, without a second copy.
//
// Not thread-safe; one per task.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/common/hash.h"
#include "ember/common/size_estimate.h"

namespace ember {

template <class K, class V, class H = Hasher<K>>
class FlatMap {
 public:
  using Entry = std::pair<K, V>;
  // hash == 0 marks an empty slot.
  struct Slot {
    uint64_t hash = 0;
    Entry entry{};
  };

  FlatMap() { reset(kMinSlots); }
  ~FlatMap() { release(); }
  FlatMap(const FlatMap&) = delete;
  FlatMap& operator=(const FlatMap&) = delete;
  FlatMap(FlatMap&& o) noexcept { swap(o); }
  FlatMap& operator=(FlatMap&& o) noexcept {
    if (this != &o) {
      release();
      swap(o);
    }
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Never 0: 0 marks an empty slot.
  static uint64_t hash(const K& key) { return H{}(key) | 1; }

  void prefetchSlot(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }

  V* find(const K& key) {
    uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) return nullptr;
      if (s.hash == h && keyEquals(s.entry.first, key)) return &s.entry.second;
    }
  }

  // Finds `key`, or inserts (key, make()) — `make` runs only on insertion.
  // Returns the value and whether it was inserted. Pointers stay valid until the next
  // insertion. May grow the table first (see growthBytes()).
  template <class Make>
  std::pair<V*, bool> findOrInsert(K&& key, Make&& make) {
    return findOrInsert(std::move(key), hash(key), std::forward<Make>(make));
  }
  // The same with hash(key) already computed.
  template <class Make>
  std::pair<V*, bool> findOrInsert(K&& key, uint64_t h, Make&& make) {
    if (needsGrowth()) grow();
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s.entry.first = std::move(key);
        s.entry.second = make();
        s.hash = h;  // after make(): an exception leaves the slot empty
        ++size_;
        return {&s.entry.second, true};
      }
      if (s.hash == h && keyEquals(s.entry.first, key)) return {&s.entry.second, false};
    }
  }

  // Bytes the next findOrInsert() would allocate for a bigger slot array (0 if it will
  // not grow). During the growth the old array (tableBytes()) is still allocated; it is
  // freed right after.
  int64_t growthBytes() const { return needsGrowth() ? slotBytes(cap_ * 2) : 0; }

  // Makes room for n entries in all (one allocation instead of a series of growth
  // steps when the caller can tell the final size); keeps the entries.
  void reserve(size_t n) {
    size_t cap = slotsFor(n);
    if (cap > cap_ && !compacted_) rehash(cap);
  }
  // tableBytes() after reserve(n) on an empty table.
  static int64_t bytesFor(size_t n) { return slotBytes(slotsFor(n)); }

  // Bytes held by the table itself, not counting heap memory owned by keys and values.
  int64_t tableBytes() const { return slotBytes(cap_); }
  size_t capacity() const { return cap_; }

  // Calls f(Entry&) for every entry.
  template <class F>
  void forEach(F&& f) {
    for (size_t i = 0; i < cap_; ++i)
      if (slots_[i].hash != 0) f(slots_[i].entry);
  }

  // Moves the occupied slots to the front of the slot array and returns them, so that
  // callers can reorder, write out or move out the entries without copying the table.
  // The table must not be used for lookups afterwards until clear().
  std::span<Slot> compactSlots() {
    size_t n = 0;
    for (size_t i = 0; i < cap_; ++i) {
      if (slots_[i].hash == 0) continue;
      if (i != n) {
        slots_[n].hash = slots_[i].hash;
        slots_[n].entry = std::move(slots_[i].entry);
        slots_[i].hash = 0;
      }
      ++n;
    }
    compacted_ = true;
    return {slots_, n};
  }

  // Empties the table and frees its memory but for a minimal slot array.
  void clear() {
    release();
    reset(kMinSlots);
  }

  // Moves the entries out and leaves an empty table that holds almost no memory. Needs
  // memory for a second copy of the entries; spilling callers use compactSlots().
  std::vector<Entry> takeEntries() {
    std::vector<Entry> out;
    out.reserve(size_);
    for (auto& s : compactSlots()) out.push_back(std::move(s.entry));
    clear();
    return out;
  }

  // Key equality; strings of up to 16 bytes are compared with two word loads instead
  // of an out-of-line memcmp (most keys are short words).
  static bool keyEquals(const K& a, const K& b) {
    if constexpr (std::is_same_v<K, std::string>) {
      size_t n = a.size();
      if (n != b.size()) return false;
      const char* p = a.data();
      const char* q = b.data();
      if (n >= 8) {
        if (n > 16) return std::memcmp(p, q, n) == 0;
        uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, p, 8);
        std::memcpy(&b0, q, 8);
        std::memcpy(&a1, p + n - 8, 8);
        std::memcpy(&b1, q + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
      }
      if (n >= 4) {
        uint32_t a0, a1, b0, b1;
        std::memcpy(&a0, p, 4);
        std::memcpy(&b0, q, 4);
        std::memcpy(&a1, p + n - 4, 4);
        std::memcpy(&b1, q + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
      }
      for (size_t i = 0; i < n; ++i)
        if (p[i] != q[i]) return false;
      return true;
    } else {
      return a == b;
    }
  }

 private:
  static constexpr size_t kMinSlots = 16;
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kHugeThreshold = size_t{4} << 20;

  // The smallest power of two that holds n entries under the load factor.
  static size_t slotsFor(size_t n) {
    size_t cap = kMinSlots;
    while (n * 10 > cap * 7) cap *= 2;
    return cap;
  }

  bool needsGrowth() const { return !compacted_ && (size_ + 1) * 10 > cap_ * 7; }  // load <= 0.7

  static size_t allocBytes(size_t n) {
    size_t bytes = n * sizeof(Slot);
    return bytes >= kHugeThreshold ? (bytes + kHugePage - 1) & ~(kHugePage - 1) : bytes;
  }
  static int64_t slotBytes(size_t n) {
    size_t b = allocBytes(n);
    return b >= kHugeThreshold ? static_cast<int64_t>(b) : mallocBytes(b);
  }

  // Big arrays are mapped directly (and unmapped on free, so a spilled table's memory
  // returns to the system at once instead of staying in a malloc arena), 2 MiB-aligned
  // so that the kernel can back them with huge pages.
  static Slot* allocate(size_t n) {
    size_t bytes = allocBytes(n);
    void* p = nullptr;
    if (bytes >= kHugeThreshold) {
      void* m = ::mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) throw std::bad_alloc();
      auto base = reinterpret_cast<uintptr_t>(m);
      uintptr_t aligned = (base + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
      if (aligned > base) ::munmap(m, aligned - base);
      size_t tail = base + bytes + kHugePage - (aligned + bytes);
      if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + bytes), tail);
      p = reinterpret_cast<void*>(aligned);
      ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure is harmless
    } else {
      p = std::malloc(bytes);
      if (!p) throw std::bad_alloc();
    }
    Slot* s = static_cast<Slot*>(p);
    try {
      std::uninitialized_value_construct_n(s, n);
    } catch (...) {
      freeBytes(p, bytes);
      throw;
    }
    return s;
  }
  static void freeBytes(void* p, size_t bytes) {
    if (bytes >= kHugeThreshold) {
      ::munmap(p, bytes);
    } else {
      std::free(p);
    }
  }
  static void deallocate(Slot* s, size_t n) {
    if (!s) return;
    std::destroy_n(s, n);
    freeBytes(s, allocBytes(n));
  }

  void reset(size_t n) {
    slots_ = allocate(n);
    cap_ = n;
    mask_ = n - 1;
    size_ = 0;
    compacted_ = false;
  }
  void release() {
    deallocate(slots_, cap_);
    slots_ = nullptr;
    cap_ = mask_ = size_ = 0;
  }
  void swap(FlatMap& o) noexcept {
    std::swap(slots_, o.slots_);
    std::swap(cap_, o.cap_);
    std::swap(mask_, o.mask_);
    std::swap(size_, o.size_);
    std::swap(compacted_, o.compacted_);
  }

  void grow() { rehash(cap_ * 2); }

  void rehash(size_t newCap) {
    size_t oldCap = cap_;
    Slot* old = slots_;
    slots_ = allocate(newCap);
    cap_ = newCap;
    mask_ = cap_ - 1;
    for (size_t j = 0; j < oldCap; ++j) {
      Slot& s = old[j];
      if (s.hash == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].hash != 0) i = (i + 1) & mask_;
      slots_[i].hash = s.hash;
      slots_[i].entry = std::move(s.entry);
    }
    deallocate(old, oldCap);
  }

  Slot* slots_ = nullptr;
  size_t cap_ = 0;
  size_t mask_ = 0;
  size_t size_ = 0;
  bool compacted_ = false;
};

}  // namespace ember
