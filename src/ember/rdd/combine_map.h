// CombineMap<K, C>: the hash table of combiners of a spilling aggregation (map-side
// combine, reduce-side hash aggregation), charged to a MemoryConsumer.
//
// What is charged: the slot array, reserved *before* it grows (while the table grows
// the old and the new array are both allocated; charging the difference afterwards,
// as before, let two tasks overshoot the budget by a whole new array each), and the
// heap bytes of keys and combiners as they are inserted or grow. Spilling hands the
// entries out in place (compact()), so a spill needs no second copy of the table.
//
// Protocol, per record:
//   if (!m.reserveGrowth()) spill;     // spill = write m.compact() out, then m.clear()
//   if (!m.add(key, hash, create, update)) spill;
// Not thread-safe; one per task.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "ember/common/flat_map.h"
#include "ember/common/size_estimate.h"
#include "ember/rdd/iterator.h"
#include "ember/rdd/spill.h"
#include "ember/storage/memory_manager.h"

namespace ember {

template <class K, class C>
class CombineMap {
 public:
  using Map = FlatMap<K, C>;
  using Slot = typename Map::Slot;
  // Whether merging can change a combiner's heap size (a vector does, an int does not).
  static constexpr bool kVariableSize = !std::is_trivially_copyable_v<C>;

  explicit CombineMap(MemoryConsumer& mem) : res_(mem) {}

  static uint64_t hash(const K& key) { return Map::hash(key); }
  void prefetch(uint64_t h) const { map_.prefetchSlot(h); }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  // Bytes charged to the consumer for this table.
  int64_t usedBytes() const { return res_.used(); }

  // On an empty table: sizes it for about n entries at once if the memory manager
  // grants that (a task that will hold n keys then skips the growth steps, each of
  // which allocated, zeroed and rehashed a new array). No effect otherwise.
  void presize(size_t n) {
    if (n == 0 || !map_.empty()) return;
    int64_t bytes = Map::bytesFor(n);
    if (bytes <= tableBytes_ || !res_.reserve(bytes)) return;
    map_.reserve(n);
    tableBytes_ = map_.tableBytes();
  }

  // Call before add(). Reserves the bigger slot array if inserting a new key would grow
  // the table; false if the memory manager refused it and the table holds entries (then
  // spill before adding; an empty table grows uncharged, so that work always proceeds).
  bool reserveGrowth() {
    growthReserved_ = false;
    int64_t g = map_.growthBytes();
    if (g == 0) return true;
    growthReserved_ = res_.reserve(g);
    return growthReserved_ || map_.empty();
  }

  // Finds or inserts `key` (hash h = hash(key)): create() makes the combiner of a new
  // key, update(C&) folds the value into an existing one. False if the memory manager
  // refused the bytes this added (the record is in the table all the same): spill now.
  template <class Create, class Update>
  bool add(K&& key, uint64_t h, Create&& create, Update&& update) {
    int64_t keyHeap = SizeEstimate<K>::heap(key);
    auto [c, inserted] = map_.findOrInsert(std::move(key), h, create);
    int64_t t = map_.tableBytes();
    if (t != tableBytes_) {  // grew: the old array is gone
      if (growthReserved_) res_.credit(tableBytes_);
      tableBytes_ = t;
    }
    growthReserved_ = false;
    int64_t delta = 0;
    if (inserted) {
      delta = keyHeap + SizeEstimate<C>::heap(*c);
    } else if constexpr (kVariableSize) {
      int64_t before = SizeEstimate<C>::heap(*c);
      update(*c);
      delta = SizeEstimate<C>::heap(*c) - before;
    } else {
      update(*c);
    }
    return delta <= 0 || res_.reserve(delta);
  }

  // Calls insert(std::pair<K, V>& record, uint64_t hash) for every record of `in`, in
  // order. Records are pulled in batches that are hashed and whose slots are
  // prefetched one batch ahead, so the cache misses of a batch overlap each other and
  // the work of producing the next batch (upstream functions thus run up to two
  // batches ahead of insert()).
  template <class V, class Insert>
  void forEachPrefetched(Iterator<std::pair<K, V>>& in, Insert&& insert) {
    constexpr size_t kBatch = 16;
    std::pair<K, V> recs[2][kBatch];
    uint64_t hashes[2][kBatch];
    auto fetch = [&](int b) {
      size_t got = in.nextBatch(recs[b], kBatch);
      for (size_t i = 0; i < got; ++i) {
        hashes[b][i] = hash(recs[b][i].first);
        map_.prefetchSlot(hashes[b][i]);
      }
      return got;
    };
    int cur = 0;
    size_t got = fetch(cur);
    while (got > 0) {
      size_t next = got == kBatch ? fetch(cur ^ 1) : 0;
      for (size_t i = 0; i < got; ++i) insert(recs[cur][i], hashes[cur][i]);
      cur ^= 1;
      got = next;
    }
  }

  // The entries, moved to the front of the slot array (which may reorder them). The
  // table is unusable until clear().
  std::span<Slot> compact() { return map_.compactSlots(); }
  // Frees the entries and the table and returns the reservation to the manager.
  void clear() {
    map_.clear();
    tableBytes_ = map_.tableBytes();
    growthReserved_ = false;
    res_.releaseAll();
  }

 private:
  Reservation res_;
  Map map_;
  int64_t tableBytes_ = map_.tableBytes();  // the initial tiny array is not charged
  bool growthReserved_ = false;
};

}  // namespace ember
