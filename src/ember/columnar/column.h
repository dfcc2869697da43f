// Column: one column of a batch, in the Arrow-style layout of types.h: an optional
// validity bitmap (bit i set = row i is valid; no bitmap = no nulls), a values buffer
// (fixed-width types) or offsets + bytes (strings), and children for nested types:
//   List    int32 offsets (length + 1) into one child column of the elements (Arrow list)
//   Map     int32 offsets into two equally long children: keys and values (Arrow stores
//           one struct child; two children keep key lookups a plain column scan)
//   Struct  one child per field, each as long as the struct column (a null struct row
//           has null field rows underneath)
// Offsets always start at 0 (columns are never views into another column's children).
//
// Columns are built by one thread (appends or resize + direct writes through
// mutableValues()) and then shared read-only between operators through ColumnPtr;
// never modify a column that another operator may hold.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "ember/columnar/buffer.h"
#include "ember/columnar/types.h"

namespace ember {

class Column;
using ColumnPtr = std::shared_ptr<Column>;

class Column {
 public:
  explicit Column(DataType type);
  // A column of `length` rows: fixed-width values uninitialised and valid; strings
  // empty and valid.
  static ColumnPtr make(DataType type, int64_t length = 0);
  // `length` rows, all null.
  static ColumnPtr nulls(DataType type, int64_t length);

  const DataType& type() const { return type_; }
  int64_t size() const { return length_; }

  // ---- validity ----
  bool mayHaveNulls() const { return !validity_.empty(); }
  bool isNull(int64_t i) const {
    return !validity_.empty() && !((validity_.as<uint64_t>()[i >> 6] >> (i & 63)) & 1);
  }
  bool isValid(int64_t i) const { return !isNull(i); }
  // Null when the column has no bitmap.
  const uint64_t* validity() const {
    return validity_.empty() ? nullptr : validity_.as<uint64_t>();
  }
  // Creates an all-valid bitmap on first use.
  uint64_t* mutableValidity();
  void setNull(int64_t i) { mutableValidity()[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  void setValid(int64_t i) {
    if (!validity_.empty()) validity_.as<uint64_t>()[i >> 6] |= uint64_t{1} << (i & 63);
  }
  void setValidity(int64_t i, bool valid) { valid ? setValid(i) : setNull(i); }
  int64_t nullCount() const;
  // Drops the bitmap when it has no null bit (cheaper kernels downstream).
  void compactValidity();

  // ---- fixed-width values ----
  template <class T>
  const T* values() const {
    return values_.as<T>();
  }
  template <class T>
  T* mutableValues() {
    return values_.as<T>();
  }
  template <class T>
  T valueAt(int64_t i) const {
    return values_.as<T>()[i];
  }

  // ---- strings ----
  const int32_t* offsets() const { return offsets_.as<int32_t>(); }
  const char* chars() const { return reinterpret_cast<const char*>(chars_.data()); }
  int64_t charsSize() const { return static_cast<int64_t>(chars_.size()); }
  std::string_view stringAt(int64_t i) const {
    const int32_t* o = offsets_.as<int32_t>();
    return {chars() + o[i], static_cast<size_t>(o[i + 1] - o[i])};
  }
  // Raw buffers, for kernels that build strings in place.
  Buffer& offsetsBuffer() { return offsets_; }
  Buffer& charsBuffer() { return chars_; }
  Buffer& valuesBuffer() { return values_; }
  const Buffer& valuesBuffer() const { return values_; }
  Buffer& validityBuffer() { return validity_; }

  // ---- building (appends) ----
  void reserve(int64_t rows, int64_t charBytes = 0);
  template <class T>
  void append(T v) {
    growTo(length_ + 1);
    values_.as<T>()[length_ - 1] = v;
  }
  void appendString(std::string_view s);
  void appendNull();
  // Appends row `i` of `src` (same type). Slow path: per-row; kernels use column_ops.h.
  void appendFrom(const Column& src, int64_t i);
  // Sets the row count: fixed-width values buffer and bitmap follow (new rows valid,
  // values uninitialised). For strings only shrinking or growing with empty strings.
  void resize(int64_t length);

  // ---- adopting ready-made buffers (readers, deserialisation) ----
  // `offsets` holds length + 1 int32 entries, starting at 0 and non-decreasing, the
  // last equal to chars.size() (checked: throws IoError otherwise).
  void adoptStrings(Buffer offsets, Buffer chars, int64_t length);
  // A bitmap of at least (size() + 63) / 64 words; an empty buffer means no nulls.
  void adoptValidity(Buffer bitmap);

  // ---- nested ----
  std::vector<ColumnPtr>& children() { return children_; }
  const std::vector<ColumnPtr>& children() const { return children_; }
  Column& child(size_t i) { return *children_[i]; }
  const Column& child(size_t i) const { return *children_[i]; }
  // List/Map row i holds child rows [listBegin(i), listEnd(i)).
  int32_t listBegin(int64_t i) const { return offsets_.as<int32_t>()[i]; }
  int32_t listEnd(int64_t i) const { return offsets_.as<int32_t>()[i + 1]; }
  // Appends one row built by appending to the children first: List/Map: the elements
  // from the previous row's end to the children's current size; Struct: the children
  // must each hold size() + 1 rows.
  void appendNestedRow();
  // Replaces offsets (List/Map: size length + 1, from 0, non-decreasing, ending at the
  // children's length; empty for Struct) and children (checked: throws IoError).
  void adoptNested(Buffer offsets, std::vector<ColumnPtr> children, int64_t length);

  // Bytes held (for memory accounting).
  int64_t memoryBytes() const;

 private:
  void growTo(int64_t length);
  bool hasOffsets() const {
    return type_.id() == TypeId::String || type_.id() == TypeId::List || type_.id() == TypeId::Map;
  }

  DataType type_;
  int64_t length_ = 0;
  Buffer validity_;  // uint64 words; empty = all valid
  Buffer values_;
  Buffer offsets_;  // strings, lists, maps: int32, length_ + 1 entries
  Buffer chars_;
  std::vector<ColumnPtr> children_;
};

}  // namespace ember
