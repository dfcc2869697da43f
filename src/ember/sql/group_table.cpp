#include "ember/sql/group_table.h"

#include <bit>
#include <cstring>

#include "ember/columnar/column_ops.h"

namespace ember::sql {

namespace {

constexpr size_t kInitialSlots = 1024;

// Slot position from the hash's high bits: the shuffle partitions rows by hash % R, so
// the low bits of all keys of one partition may be equal (R even) and would crowd into
// a fraction of the slots.
inline size_t slotOf(uint64_t h, int shift) { return static_cast<size_t>(h >> shift); }
inline uint32_t tagOf(uint64_t h) { return static_cast<uint32_t>(h); }

template <class T>
bool eqFixed(const Column& a, int64_t i, const Column& b, int64_t j) {
  return a.values<T>()[i] == b.values<T>()[j];
}

bool eqString(const Column& a, int64_t i, const Column& b, int64_t j) {
  const int32_t* ao = a.offsets();
  const int32_t* bo = b.offsets();
  int32_t n = ao[i + 1] - ao[i];
  return n == bo[j + 1] - bo[j] &&
         std::memcmp(a.chars() + ao[i], b.chars() + bo[j], static_cast<size_t>(n)) == 0;
}

bool isFloat(const DataType& t) { return t.id() == TypeId::Float32 || t.id() == TypeId::Float64; }

}  // namespace

GroupTable::GroupTable(std::vector<DataType> keyTypes) : keyTypes_(std::move(keyTypes)) {
  for (const auto& t : keyTypes_) keyCols_.push_back(std::make_shared<Column>(t));
  slots_.assign(kInitialSlots, Slot{0, -1});
  mask_ = kInitialSlots - 1;
}

int64_t GroupTable::memoryBytes() const {
  int64_t b = static_cast<int64_t>(slots_.capacity() * sizeof(Slot) +
                                   groupHash_.capacity() * sizeof(uint64_t));
  for (const auto& c : keyCols_) b += c->memoryBytes();
  return b;
}

void GroupTable::grow() {
  size_t cap = slots_.size() * 2;
  std::vector<Slot> slots(cap, Slot{0, -1});
  int shift = 64 - std::countr_zero(cap);
  uint64_t mask = cap - 1;
  for (int64_t g = 0; g < numGroups_; ++g) {
    uint64_t h = groupHash_[static_cast<size_t>(g)];
    size_t pos = slotOf(h, shift);
    while (slots[pos].group >= 0) pos = (pos + 1) & mask;
    slots[pos] = Slot{tagOf(h), static_cast<int32_t>(g)};
  }
  slots_ = std::move(slots);
  mask_ = mask;
}

void GroupTable::hashKeys(const std::vector<ColumnPtr>& keys, int64_t rows,
                          std::vector<uint64_t>& out) const {
  out.resize(static_cast<size_t>(rows));
  hashColumn(*keys[0], out.data(), false);
  for (size_t k = 1; k < keys.size(); ++k) hashColumn(*keys[k], out.data(), true);
}

// Per key: a typed comparison when neither the batch column nor the table's keys hold
// NULLs (a NULL group's value bits are zeros, which a typed comparison would match).
void GroupTable::comparators(const std::vector<ColumnPtr>& keys, std::vector<KeyEq>& out) const {
  out.clear();
  for (size_t k = 0; k < keys.size(); ++k) {
    const Column& c = *keys[k];
    KeyEq eq = &rowsEqual;
    if (!c.mayHaveNulls() && !keyCols_[k]->mayHaveNulls() && !isFloat(c.type())) {
      if (c.type().id() == TypeId::String) {
        eq = &eqString;
      } else {
        switch (c.type().fixedWidth()) {
          case 1:
            eq = &eqFixed<uint8_t>;
            break;
          case 2:
            eq = &eqFixed<uint16_t>;
            break;
          case 4:
            eq = &eqFixed<uint32_t>;
            break;
          case 8:
            eq = &eqFixed<uint64_t>;
            break;
          case 16:
            eq = &eqFixed<int128_t>;
            break;
          default:
            break;
        }
      }
    }
    out.push_back(eq);
  }
}

template <class Eq>
void GroupTable::insertLoop(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds,
                            Eq&& eq) {
  const uint64_t* hashes = hashes_.data();
  for (int64_t i = 0; i < rows; ++i) {
    if (static_cast<uint64_t>(numGroups_ + 1) * 2 > slots_.size()) grow();
    uint64_t h = hashes[i];
    uint32_t tag = tagOf(h);
    size_t pos = slotOf(h, 64 - std::countr_zero(slots_.size()));
    Slot* slots = slots_.data();
    for (;;) {
      int32_t g = slots[pos].group;
      if (g < 0) {
        g = static_cast<int32_t>(numGroups_++);
        slots[pos] = Slot{tag, g};
        groupHash_.push_back(h);
        for (size_t k = 0; k < keys.size(); ++k) keyCols_[k]->appendFrom(*keys[k], i);
        groupIds[i] = g;
        break;
      }
      if (slots[pos].tag == tag && eq(i, g)) {
        groupIds[i] = g;
        break;
      }
      pos = (pos + 1) & mask_;
    }
  }
}

template <class Eq>
void GroupTable::findLoop(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds,
                          bool skipNullKeys, const uint64_t* hashes, Eq&& eq) const {
  int shift = 64 - std::countr_zero(slots_.size());
  const Slot* slots = slots_.data();
  bool checkNulls = false;
  if (skipNullKeys)
    for (const auto& k : keys) checkNulls = checkNulls || k->mayHaveNulls();
  for (int64_t i = 0; i < rows; ++i) {
    groupIds[i] = -1;
    if (checkNulls) {
      bool nullKey = false;
      for (const auto& k : keys) nullKey = nullKey || k->isNull(i);
      if (nullKey) continue;
    }
    uint64_t h = hashes[i];
    uint32_t tag = tagOf(h);
    size_t pos = slotOf(h, shift);
    for (;;) {
      int32_t g = slots[pos].group;
      if (g < 0) break;
      if (slots[pos].tag == tag && eq(i, g)) {
        groupIds[i] = g;
        break;
      }
      pos = (pos + 1) & mask_;
    }
  }
}

void GroupTable::findOrInsert(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds) {
  if (keys.empty()) {
    if (numGroups_ == 0) numGroups_ = 1;  // the global group
    std::fill(groupIds, groupIds + rows, 0);
    return;
  }
  hashKeys(keys, rows, hashes_);
  std::vector<KeyEq> eqs;
  comparators(keys, eqs);
  // The table's key columns grow while inserting: compare through the columns, not
  // through cached value pointers.
  if (keys.size() == 1) {
    const Column& in = *keys[0];
    Column& table = *keyCols_[0];
    KeyEq e = eqs[0];
    if (e == &eqFixed<uint32_t>)
      return insertLoop(keys, rows, groupIds,
                        [&](int64_t i, int32_t g) { return eqFixed<uint32_t>(in, i, table, g); });
    if (e == &eqFixed<uint64_t>)
      return insertLoop(keys, rows, groupIds,
                        [&](int64_t i, int32_t g) { return eqFixed<uint64_t>(in, i, table, g); });
    if (e == &eqString)
      return insertLoop(keys, rows, groupIds,
                        [&](int64_t i, int32_t g) { return eqString(in, i, table, g); });
  }
  insertLoop(keys, rows, groupIds, [&](int64_t i, int32_t g) {
    for (size_t k = 0; k < keys.size(); ++k)
      if (!eqs[k](*keys[k], i, *keyCols_[k], g)) return false;
    return true;
  });
}

void GroupTable::find(const std::vector<ColumnPtr>& keys, int64_t rows, int32_t* groupIds,
                      bool skipNullKeys) const {
  std::vector<uint64_t> hashes;
  hashKeys(keys, rows, hashes);
  std::vector<KeyEq> eqs;
  comparators(keys, eqs);
  if (keys.size() == 1) {
    const Column& in = *keys[0];
    const Column& table = *keyCols_[0];
    KeyEq e = eqs[0];
    if (e == &eqFixed<uint32_t>) {
      const uint32_t* a = in.values<uint32_t>();
      const uint32_t* b = table.values<uint32_t>();
      return findLoop(keys, rows, groupIds, skipNullKeys, hashes.data(),
                      [&](int64_t i, int32_t g) { return a[i] == b[g]; });
    }
    if (e == &eqFixed<uint64_t>) {
      const uint64_t* a = in.values<uint64_t>();
      const uint64_t* b = table.values<uint64_t>();
      return findLoop(keys, rows, groupIds, skipNullKeys, hashes.data(),
                      [&](int64_t i, int32_t g) { return a[i] == b[g]; });
    }
    if (e == &eqString)
      return findLoop(keys, rows, groupIds, skipNullKeys, hashes.data(),
                      [&](int64_t i, int32_t g) { return eqString(in, i, table, g); });
  }
  findLoop(keys, rows, groupIds, skipNullKeys, hashes.data(), [&](int64_t i, int32_t g) {
    for (size_t k = 0; k < keys.size(); ++k)
      if (!eqs[k](*keys[k], i, *keyCols_[k], g)) return false;
    return true;
  });
}

}  // namespace ember::sql
