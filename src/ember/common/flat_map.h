// FlatMap<K, V>: the hash table of Ember's aggregations (map-side combine, reduce-side
// hash aggregation, cogroup).
//
// Why not std::unordered_map: its node per entry costs an allocation and a dependent
// cache miss per probe, and aggregation is dominated by those misses. FlatMap is open
// addressing with linear probing over slots that hold the full 64-bit hash and the
// entry inline, so a lookup is one cache miss (usually), which callers overlap by
// prefetching a batch of slots before looking them up (ShuffleDependency::
// writeCombined). The full hash makes growth rehash-free and rejects almost all
// non-matching slots without touching the key. K and V must be default-constructible.
//
// Not thread-safe; one per task.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "ember/common/hash.h"
#include "ember/common/size_estimate.h"

namespace ember {

template <class K, class V, class H = Hasher<K>>
class FlatMap {
 public:
  using Entry = std::pair<K, V>;

  FlatMap() { reset(kMinSlots); }

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
      if (s.hash == h && s.entry.first == key) return &s.entry.second;
    }
  }

  // Finds `key`, or inserts (key, make()) — `make` runs only on insertion.
  // Returns the value and whether it was inserted. Pointers stay valid until the next
  // insertion.
  template <class Make>
  std::pair<V*, bool> findOrInsert(K&& key, Make&& make) {
    return findOrInsert(std::move(key), hash(key), std::forward<Make>(make));
  }
  // The same with hash(key) already computed.
  template <class Make>
  std::pair<V*, bool> findOrInsert(K&& key, uint64_t h, Make&& make) {
    if ((size_ + 1) * 10 > slots_.size() * 7) grow();  // load factor <= 0.7
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.hash == 0) {
        s.hash = h;
        s.entry.first = std::move(key);
        s.entry.second = make();
        ++size_;
        return {&s.entry.second, true};
      }
      if (s.hash == h && s.entry.first == key) return {&s.entry.second, false};
    }
  }

  // Bytes held by the table itself, not counting heap memory owned by keys and values.
  int64_t tableBytes() const { return mallocBytes(slots_.capacity() * sizeof(Slot)); }

  // Calls f(Entry&) for every entry.
  template <class F>
  void forEach(F&& f) {
    for (auto& s : slots_)
      if (s.hash != 0) f(s.entry);
  }

  // Moves the entries out and leaves an empty table that holds almost no memory.
  std::vector<Entry> takeEntries() {
    std::vector<Entry> out;
    out.reserve(size_);
    for (auto& s : slots_)
      if (s.hash != 0) out.push_back(std::move(s.entry));
    reset(kMinSlots);
    return out;
  }

 private:
  static constexpr size_t kMinSlots = 16;
  struct Slot {
    uint64_t hash = 0;
    Entry entry{};
  };

  void reset(size_t n) {
    std::vector<Slot>(n).swap(slots_);
    mask_ = n - 1;
    size_ = 0;
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (auto& s : old) {
      if (s.hash == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].hash != 0) i = (i + 1) & mask_;
      slots_[i].hash = s.hash;
      slots_[i].entry = std::move(s.entry);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace ember
