// GroupTable: maps key tuples to dense group ids (0, 1, 2, ...) for hash aggregation,
// distinct and hash joins. Keys are stored column-wise (one Column per key, row g =
// group g); lookups hash a whole batch of keys at once and probe an open-addressing
// table of (hash, group id) slots.
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
  void grow();
  bool keysEqual(const std::vector<ColumnPtr>& keys, int64_t row, int32_t group) const;

  std::vector<DataType> keyTypes_;
  std::vector<ColumnPtr> keyCols_;
  std::vector<int32_t> slots_;      // group id or -1
  std::vector<uint64_t> slotHash_;  // full hash of the slot's key
  uint64_t mask_ = 0;
  int64_t numGroups_ = 0;
  std::vector<uint64_t> hashes_;  // scratch
};

}  // namespace ember::sql
