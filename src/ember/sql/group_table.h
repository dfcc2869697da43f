// GroupTable: maps key tuples to dense group ids (0, 1, 2, ...) for hash aggregation,
// distinct and hash joins. Keys are stored column-wise (one Column per key, row g =
// group g); lookups hash a whole batch of keys at once and probe an open-addressing
// table of (hash tag, group id) slots. Key comparison is chosen once per batch: typed
// value comparisons for fixed-width and string keys without NULLs (the common case),
// the generic NULL-aware comparison otherwise.
//
// Not thread-safe: one table belongs to one operator instance (one task).
#pragma once

#include <cstdint>
#include <vector>

#include "ember/columnar/column.h"

namespace ember::sql {

class GroupTable {
 public:
  explicit GroupTable(std::vector<DataType> keyTypes);

  // For each of `rows` rows of `keys`, its group id, inserting new groups (NULL keys
  // form their own group, as GROUP BY does).
  void findOrInsert(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds);
  // Lookup only: -1 where the key is absent. With skipNullKeys, rows with any NULL key
  // get -1 (join semantics: NULL never equals).
  void find(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds,
            bool skipNullKeys) const;

  int64_t size() const { return numGroups_; }
  const std::vector<ColumnPtr>& keyColumns() const { return keyCols_; }
  int64_t memoryBytes() const;

 private:
  struct Slot {
    uint32_t tag;   // high 32 bits of the key's hash
    int32_t group;  // -1: empty
  };
  // Compares row `row` of a batch key column with group `group`'s key.
  using KeyEq = bool (*)(const Column& batch, int64_t row, const Column& table, int64_t group);

  void grow();
  void hashKeys(const std::vector<ColumnPtr>& keys, int64_t rows, std::vector<uint64_t>& out) const;
  void comparators(const std::vector<ColumnPtr>& keys, std::vector<KeyEq>& out) const;
  template <class Eq>
  void insertLoop(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds, Eq&& eq);
  template <class Eq>
  void findLoop(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds,
                bool skipNullKeys, const uint64_t* hashes, Eq&& eq) const;

  std::vector<DataType> keyTypes_;
  std::vector<ColumnPtr> keyCols_;
  std::vector<Slot> slots_;
  std::vector<uint64_t> groupHash_;  // full hash of each group's key (for grow())
  uint64_t mask_ = 0;
  int64_t numGroups_ = 0;
  std::vector<uint64_t> hashes_;  // scratch
};

}  // namespace ember::sql
