// FlatMap<K, V>: the hash table of Ember's aggregations (map-side combine, reduce-side
// hash aggregation, cogroup).
//
// Why not std::unordered_map: its node per entry costs an allocation and a cache miss
// per probe; aggregation is dominated by those misses. FlatMap keeps entries densely
// in a vector (in insertion order) and probes a separate open-addressing index of
// 8-byte slots holding 32 bits of the hash and the entry's position, so a lookup
// touches one slot (usually) and one entry, growth never moves entries, and spilling
// or emitting the result walks a contiguous array.
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

  FlatMap() { resetSlots(16); }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  V* find(const K& key) {
    uint64_t h = H{}(key);
    size_t i = h & mask_;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (;;) {
      uint64_t s = slots_[i];
      if (s == kEmpty) return nullptr;
      if (static_cast<uint32_t>(s >> 32) == tag) {
        Entry& e = entries_[static_cast<size_t>(s & 0xffffffffu)];
        if (e.first == key) return &e.second;
      }
      i = (i + 1) & mask_;
    }
  }

  static uint64_t hash(const K& key) { return H{}(key); }

  // Batched lookups hide memory latency: prefetch the slots of a batch of hashes,
  // then their entries, then look them up (see ShuffleDependency::writeCombined).
  void prefetchSlot(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  void prefetchEntry(uint64_t h) const {
    size_t i = h & mask_;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (int probes = 0; probes < 4; ++probes, i = (i + 1) & mask_) {
      uint64_t s = slots_[i];
      if (s == kEmpty) return;
      if (static_cast<uint32_t>(s >> 32) == tag) {
        __builtin_prefetch(&entries_[static_cast<size_t>(s & 0xffffffffu)]);
        return;
      }
    }
  }

  // Finds `key`, or inserts (key, make()) — `make` runs only on insertion.
  // Returns the value and whether it was inserted.
  template <class Make>
  std::pair<V*, bool> findOrInsert(K&& key, Make&& make) {
    return findOrInsert(std::move(key), H{}(key), std::forward<Make>(make));
  }
  // The same with the key's hash() already computed.
  template <class Make>
  std::pair<V*, bool> findOrInsert(K&& key, uint64_t h, Make&& make) {
    size_t i = h & mask_;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (;;) {
      uint64_t s = slots_[i];
      if (s == kEmpty) break;
      if (static_cast<uint32_t>(s >> 32) == tag) {
        Entry& e = entries_[static_cast<size_t>(s & 0xffffffffu)];
        if (e.first == key) return {&e.second, false};
      }
      i = (i + 1) & mask_;
    }
    slots_[i] = (static_cast<uint64_t>(tag) << 32) | entries_.size();
    entries_.emplace_back(std::move(key), make());
    if (entries_.size() * 2 > slots_.size()) grow();
    return {&entries_.back().second, true};
  }

  // Bytes held by the table itself (entry array and index), not counting the heap
  // memory owned by keys and values.
  int64_t tableBytes() const {
    return mallocBytes(entries_.capacity() * sizeof(Entry)) + mallocBytes(slots_.size() * sizeof(uint64_t));
  }

  std::vector<Entry>& entries() { return entries_; }
  // Takes the entries out and leaves an empty table that holds no memory.
  std::vector<Entry> takeEntries() {
    std::vector<Entry> out = std::move(entries_);
    entries_ = {};
    resetSlots(16);
    return out;
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  void resetSlots(size_t n) {
    slots_.assign(n, kEmpty);
    slots_.shrink_to_fit();
    mask_ = n - 1;
  }

  // Keeps the index at most half full: probes stay short.
  void grow() {
    size_t n = slots_.size() * 2;
    while (entries_.size() * 2 > n) n *= 2;
    resetSlots(n);
    for (size_t idx = 0; idx < entries_.size(); ++idx) {
      uint64_t h = H{}(entries_[idx].first);
      size_t i = h & mask_;
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = (static_cast<uint64_t>(static_cast<uint32_t>(h >> 32)) << 32) | idx;
    }
  }

  std::vector<Entry> entries_;
  std::vector<uint64_t> slots_;
  size_t mask_ = 0;
};

}  // namespace ember
