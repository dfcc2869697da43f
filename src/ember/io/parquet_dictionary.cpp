#include "ember/io/parquet_dictionary.h"

#include <cstring>
#include <string_view>
#include <unordered_map>

namespace ember {

namespace {

// Gives up once the values seen so far are mostly distinct, after a first sample large
// enough that a column of a few thousand distinct values (dates, prices in cents) is not
// mistaken for a unique one while its first occurrences arrive.
bool mostlyDistinct(int64_t distinct, int64_t seen) { return seen >= 16384 && distinct * 2 > seen; }

// Open-addressing (linear probing) map from a value's bits to its dictionary index:
// std::unordered_map costs a node allocation and a pointer chase per distinct value and
// made numeric dictionaries slower than writing PLAIN.
class BitsIndex {
 public:
  BitsIndex() { rehash(1024); }
  size_t size() const { return size_; }
  // The index of `key`, adding it as entry size() when new (fresh = true).
  uint32_t insert(uint64_t key, bool& fresh) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    size_t i = slotOf(key);
    while (slots_[i] != 0) {
      if (keys_[i] == key) {
        fresh = false;
        return slots_[i] - 1;
      }
      i = (i + 1) & mask_;
    }
    keys_[i] = key;
    slots_[i] = static_cast<uint32_t>(++size_);
    fresh = true;
    return slots_[i] - 1;
  }

 private:
  size_t slotOf(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void rehash(size_t capacity) {
    std::vector<uint64_t> oldKeys = std::move(keys_);
    std::vector<uint32_t> oldSlots = std::move(slots_);
    keys_.assign(capacity, 0);
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    shift_ = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (size_t j = 0; j < oldSlots.size(); ++j) {
      if (oldSlots[j] == 0) continue;
      size_t i = slotOf(oldKeys[j]);
      while (slots_[i] != 0) i = (i + 1) & mask_;
      keys_[i] = oldKeys[j];
      slots_[i] = oldSlots[j];
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<uint32_t> slots_;  // 0: empty, else dictionary index + 1
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

template <class T>
bool buildFixed(const std::vector<ColumnPtr>& parts, int64_t maxBytes, ParquetDictionary& out) {
  BitsIndex index;
  int64_t seen = 0;
  for (const auto& part : parts) {
    const Column& c = *part;
    const T* v = reinterpret_cast<const T*>(c.valuesBuffer().data());
    bool nulls = c.mayHaveNulls();
    for (int64_t i = 0; i < c.size(); ++i) {
      if (nulls && c.isNull(i)) continue;
      ++seen;
      bool fresh;
      uint32_t k = index.insert(static_cast<uint64_t>(v[i]), fresh);
      out.indices.push_back(k);
      if (!fresh) continue;
      out.page.append(reinterpret_cast<const char*>(v + i), sizeof(T));
      if (mostlyDistinct(static_cast<int64_t>(index.size()), seen) ||
          static_cast<int64_t>(out.page.size()) > maxBytes)
        return false;
    }
  }
  out.size = static_cast<int64_t>(index.size());
  return true;
}

bool buildStrings(const std::vector<ColumnPtr>& parts, int64_t maxBytes, ParquetDictionary& out) {
  std::unordered_map<std::string_view, uint32_t> index;
  int64_t seen = 0;
  for (const auto& part : parts) {
    const Column& c = *part;
    bool nulls = c.mayHaveNulls();
    for (int64_t i = 0; i < c.size(); ++i) {
      if (nulls && c.isNull(i)) continue;
      ++seen;
      auto [it, fresh] = index.emplace(c.stringAt(i), static_cast<uint32_t>(index.size()));
      out.indices.push_back(it->second);
      if (!fresh) continue;
      uint32_t n = static_cast<uint32_t>(it->first.size());
      out.page.append(reinterpret_cast<const char*>(&n), 4);
      out.page.append(it->first);
      if (mostlyDistinct(static_cast<int64_t>(index.size()), seen) ||
          static_cast<int64_t>(out.page.size()) > maxBytes)
        return false;
    }
  }
  out.size = static_cast<int64_t>(index.size());
  return true;
}

}  // namespace

bool buildParquetDictionary(const std::vector<ColumnPtr>& parts, int width, int64_t maxBytes,
                            ParquetDictionary& out) {
  out = ParquetDictionary();
  bool ok = width == 4   ? buildFixed<uint32_t>(parts, maxBytes, out)
            : width == 8 ? buildFixed<uint64_t>(parts, maxBytes, out)
            : width == 0 ? buildStrings(parts, maxBytes, out)
                         : false;
  if (!ok) out = ParquetDictionary();
  return ok;
}

}  // namespace ember
