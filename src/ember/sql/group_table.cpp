#include "ember/sql/group_table.h"

#include "ember/columnar/column_ops.h"

namespace ember::sql {

GroupTable::GroupTable(std::vector<DataType> keyTypes) : keyTypes_(std::move(keyTypes)) {
  for (const auto& t : keyTypes_) keyCols_.push_back(std::make_shared<Column>(t));
  slots_.assign(1024, -1);
  slotHash_.assign(1024, 0);
  mask_ = 1023;
}

int64_t GroupTable::memoryBytes() const {
  int64_t b = static_cast<int64_t>(slots_.capacity() * (sizeof(int32_t) + sizeof(uint64_t)));
  for (const auto& c : keyCols_) b += c->memoryBytes();
  return b;
}

bool GroupTable::keysEqual(const std::vector<ColumnPtr>& keys, int64_t row, int32_t group) const {
  for (size_t k = 0; k < keys.size(); ++k)
    if (!rowsEqual(*keyCols_[k], group, *keys[k], row)) return false;
  return true;
}

void GroupTable::grow() {
  size_t cap = slots_.size() * 2;
  std::vector<int32_t> slots(cap, -1);
  std::vector<uint64_t> hashes(cap, 0);
  uint64_t mask = cap - 1;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i] < 0) continue;
    uint64_t h = slotHash_[i];
    size_t pos = h & mask;
    while (slots[pos] >= 0) pos = (pos + 1) & mask;
    slots[pos] = slots_[i];
    hashes[pos] = h;
  }
  slots_ = std::move(slots);
  slotHash_ = std::move(hashes);
  mask_ = mask;
}

void GroupTable::findOrInsert(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds) {
  if (keys.empty()) {
    if (numGroups_ == 0) numGroups_ = 1;  // the global group
    std::fill(groupIds, groupIds + rows, 0);
    return;
  }
  hashes_.resize(static_cast<size_t>(rows));
  hashColumn(*keys[0], hashes_.data(), false);
  for (size_t k = 1; k < keys.size(); ++k) hashColumn(*keys[k], hashes_.data(), true);
  for (int64_t i = 0; i < rows; ++i) {
    if (static_cast<uint64_t>(numGroups_ + 1) * 2 > slots_.size()) grow();
    uint64_t h = hashes_[static_cast<size_t>(i)];
    size_t pos = h & mask_;
    for (;;) {
      int32_t g = slots_[pos];
      if (g < 0) {
        g = static_cast<int32_t>(numGroups_++);
        slots_[pos] = g;
        slotHash_[pos] = h;
        for (size_t k = 0; k < keys.size(); ++k) keyCols_[k]->appendFrom(*keys[k], i);
        groupIds[i] = g;
        break;
      }
      if (slotHash_[pos] == h && keysEqual(keys, i, g)) {
        groupIds[i] = g;
        break;
      }
      pos = (pos + 1) & mask_;
    }
  }
}

void GroupTable::find(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds,
                      bool skipNullKeys) const {
  std::vector<uint64_t> hashes(static_cast<size_t>(rows));
  hashColumn(*keys[0], hashes.data(), false);
  for (size_t k = 1; k < keys.size(); ++k) hashColumn(*keys[k], hashes.data(), true);
  for (int64_t i = 0; i < rows; ++i) {
    groupIds[i] = -1;
    if (skipNullKeys) {
      bool nullKey = false;
      for (const auto& k : keys) nullKey = nullKey || k->isNull(i);
      if (nullKey) continue;
    }
    uint64_t h = hashes[static_cast<size_t>(i)];
    size_t pos = h & mask_;
    for (;;) {
      int32_t g = slots_[pos];
      if (g < 0) break;
      if (slotHash_[pos] == h && keysEqual(keys, i, g)) {
        groupIds[i] = g;
        break;
      }
      pos = (pos + 1) & mask_;
    }
  }
}

}  // namespace ember::sql
