#include "ember/columnar/column.h"

#include <bit>

#include "ember/common/errors.h"

namespace ember {

namespace {
size_t bitmapBytes(int64_t rows) { return static_cast<size_t>((rows + 63) / 64) * 8; }
}  // namespace

Column::Column(DataType type) : type_(std::move(type)) {
  if (hasOffsets()) {
    offsets_.resize(sizeof(int32_t));
    offsets_.as<int32_t>()[0] = 0;
  }
  if (type_.isNested())
    for (const auto& f : type_.children()) children_.push_back(std::make_shared<Column>(f.type));
}

ColumnPtr Column::make(DataType type, int64_t length) {
  auto c = std::make_shared<Column>(std::move(type));
  c->resize(length);
  return c;
}

ColumnPtr Column::nulls(DataType type, int64_t length) {
  auto c = make(std::move(type), length);
  c->mutableValidity();
  std::memset(c->validity_.data(), 0, c->validity_.size());
  return c;
}

uint64_t* Column::mutableValidity() {
  if (validity_.empty()) {
    validity_.resize(std::max<size_t>(bitmapBytes(length_), 8), 0xFF);
  }
  return validity_.as<uint64_t>();
}

int64_t Column::nullCount() const {
  if (validity_.empty()) return 0;
  const uint64_t* w = validity_.as<uint64_t>();
  int64_t full = length_ / 64, valid = 0;
  for (int64_t i = 0; i < full; ++i) valid += std::popcount(w[i]);
  if (length_ % 64) valid += std::popcount(w[full] & ((uint64_t{1} << (length_ % 64)) - 1));
  return length_ - valid;
}

void Column::compactValidity() {
  if (!validity_.empty() && nullCount() == 0) validity_ = Buffer();
}

void Column::reserve(int64_t rows, int64_t charBytes) {
  int w = type_.fixedWidth();
  if (w) values_.reserve(static_cast<size_t>(rows) * w);
  if (hasOffsets()) {
    offsets_.reserve(static_cast<size_t>(rows + 1) * sizeof(int32_t));
    chars_.reserve(static_cast<size_t>(charBytes));
  }
}

void Column::growTo(int64_t length) {
  int w = type_.fixedWidth();
  if (w) values_.resize(static_cast<size_t>(length) * w);
  if (!validity_.empty()) {
    if (bitmapBytes(length) > validity_.size())
      validity_.resize(std::max(bitmapBytes(length), validity_.size() * 2), 0xFF);
    // New rows are valid, also where a shrink left the bits of dropped null rows.
    uint64_t* bits = validity_.as<uint64_t>();
    for (int64_t i = length_; i < length; ++i) bits[i >> 6] |= uint64_t{1} << (i & 63);
  }
  length_ = length;
}

void Column::resize(int64_t length) {
  if (hasOffsets()) {
    int32_t end = length_ ? offsets_.as<int32_t>()[std::min(length, length_)] : 0;
    offsets_.resize(static_cast<size_t>(length + 1) * sizeof(int32_t));
    int32_t* o = offsets_.as<int32_t>();
    for (int64_t i = std::min(length, length_) + 1; i <= length; ++i) o[i] = end;
    if (length < length_) {
      if (type_.id() == TypeId::String) chars_.resize(static_cast<size_t>(end));
      for (auto& c : children_) c->resize(end);
    }
  } else if (type_.id() == TypeId::Struct) {
    for (auto& c : children_) c->resize(length);
  }
  if (length < length_) {
    length_ = length;
    if (int w = type_.fixedWidth()) values_.resize(static_cast<size_t>(length) * w);
    return;
  }
  growTo(length);
}

void Column::appendString(std::string_view s) {
  int64_t end = static_cast<int64_t>(chars_.size()) + static_cast<int64_t>(s.size());
  if (end > INT32_MAX)
    throw UserError("a string column of one batch exceeds 2 GiB; use smaller batches");
  chars_.append(s.data(), s.size());
  offsets_.resize(static_cast<size_t>(length_ + 2) * sizeof(int32_t));
  offsets_.as<int32_t>()[length_ + 1] = static_cast<int32_t>(end);
  growTo(length_ + 1);
}

void Column::appendNull() {
  if (type_.id() == TypeId::String) {
    appendString({});
  } else if (type_.isNested()) {
    if (type_.id() == TypeId::Struct)
      for (auto& c : children_) c->appendNull();
    appendNestedRow();
  } else {
    growTo(length_ + 1);
    int w = type_.fixedWidth();
    if (w) std::memset(values_.data() + (length_ - 1) * w, 0, static_cast<size_t>(w));
  }
  setNull(length_ - 1);
}

void Column::appendFrom(const Column& src, int64_t i) {
  if (src.isNull(i)) {
    appendNull();
    return;
  }
  if (type_.id() == TypeId::String) {
    appendString(src.stringAt(i));
    return;
  }
  if (type_.isNested()) {
    EMBER_CHECK(src.type_.id() == type_.id() && src.children_.size() == children_.size(),
                "appendFrom: incompatible column types " + src.type_.toString() + " -> " +
                    type_.toString());
    if (type_.id() == TypeId::Struct) {
      for (size_t k = 0; k < children_.size(); ++k) children_[k]->appendFrom(*src.children_[k], i);
    } else {
      for (int64_t j = src.listBegin(i); j < src.listEnd(i); ++j)
        for (size_t k = 0; k < children_.size(); ++k)
          children_[k]->appendFrom(*src.children_[k], j);
    }
    appendNestedRow();
    return;
  }
  int w = type_.fixedWidth();
  EMBER_CHECK(
      w > 0 && src.type_.fixedWidth() == w,
      "appendFrom: incompatible column types " + src.type_.toString() + " -> " + type_.toString());
  growTo(length_ + 1);
  std::memcpy(values_.data() + (length_ - 1) * w, src.values_.data() + i * w,
              static_cast<size_t>(w));
}

void Column::adoptStrings(Buffer offsets, Buffer chars, int64_t length) {
  EMBER_CHECK(type_.id() == TypeId::String, "adoptStrings on a " + type_.toString() + " column");
  if (offsets.size() < static_cast<size_t>(length + 1) * sizeof(int32_t))
    throw IoError("corrupt string column: too few offsets");
  const int32_t* o = offsets.as<int32_t>();
  if (o[0] != 0 || static_cast<size_t>(o[length]) != chars.size())
    throw IoError("corrupt string column: offsets do not match the character data");
  for (int64_t i = 0; i < length; ++i)
    if (o[i + 1] < o[i]) throw IoError("corrupt string column: decreasing offsets");
  offsets_ = std::move(offsets);
  chars_ = std::move(chars);
  length_ = length;
  if (!validity_.empty() && bitmapBytes(length) > validity_.size())
    validity_.resize(bitmapBytes(length), 0xFF);
}

void Column::appendNestedRow() {
  EMBER_CHECK(type_.isNested(), "appendNestedRow on a " + type_.toString() + " column");
  if (type_.id() == TypeId::Struct) {
    for (const auto& c : children_)
      EMBER_CHECK(c->size() == length_ + 1, "appendNestedRow: struct fields of unequal length");
  } else {
    int64_t end = children_[0]->size();
    for (const auto& c : children_)
      EMBER_CHECK(c->size() == end, "appendNestedRow: map keys and values of unequal length");
    if (end > INT32_MAX)
      throw UserError(
          "an array or map column of one batch exceeds 2^31 elements; use smaller "
          "batches");
    offsets_.resize(static_cast<size_t>(length_ + 2) * sizeof(int32_t));
    offsets_.as<int32_t>()[length_ + 1] = static_cast<int32_t>(end);
  }
  growTo(length_ + 1);
}

void Column::adoptNested(Buffer offsets, std::vector<ColumnPtr> children, int64_t length) {
  EMBER_CHECK(type_.isNested(), "adoptNested on a " + type_.toString() + " column");
  if (children.size() != type_.children().size())
    throw IoError("corrupt " + type_.toString() + " column: " + std::to_string(children.size()) +
                  " children");
  for (size_t k = 0; k < children.size(); ++k)
    if (children[k]->type() != type_.children()[k].type)
      throw IoError("corrupt " + type_.toString() + " column: child of type " +
                    children[k]->type().toString());
  if (type_.id() == TypeId::Struct) {
    for (const auto& c : children)
      if (c->size() != length) throw IoError("corrupt struct column: field length differs");
  } else {
    if (offsets.size() < static_cast<size_t>(length + 1) * sizeof(int32_t))
      throw IoError("corrupt " + type_.toString() + " column: too few offsets");
    const int32_t* o = offsets.as<int32_t>();
    for (const auto& c : children)
      if (o[0] != 0 || o[length] != c->size())
        throw IoError("corrupt " + type_.toString() + " column: offsets do not match the elements");
    for (int64_t i = 0; i < length; ++i)
      if (o[i + 1] < o[i])
        throw IoError("corrupt " + type_.toString() + " column: decreasing offsets");
    offsets_ = std::move(offsets);
  }
  children_ = std::move(children);
  length_ = length;
  if (!validity_.empty() && bitmapBytes(length) > validity_.size())
    validity_.resize(bitmapBytes(length), 0xFF);
}

void Column::adoptValidity(Buffer bitmap) {
  if (!bitmap.empty() && bitmap.size() < bitmapBytes(length_))
    throw IoError("corrupt column: validity bitmap too short");
  validity_ = std::move(bitmap);
}

int64_t Column::memoryBytes() const {
  int64_t b = static_cast<int64_t>(validity_.capacity() + values_.capacity() + offsets_.capacity() +
                                   chars_.capacity());
  for (const auto& c : children_) b += c->memoryBytes();
  return b + static_cast<int64_t>(sizeof(Column));
}

}  // namespace ember
