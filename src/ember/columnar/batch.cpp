#include "ember/columnar/batch.h"

namespace ember {

BatchPtr Batch::empty(const Schema& schema) {
  auto b = std::make_shared<Batch>();
  for (const auto& f : schema.fields()) b->columns.push_back(Column::make(f.type));
  return b;
}

int64_t Batch::memoryBytes() const {
  int64_t n = 0;
  for (const auto& c : columns) n += c->memoryBytes();
  return n;
}

// Layout: type, length, hasValidity, [bitmap words], then per physical type: values, or
// offsets + chars (offsets rebased to 0), or children.
void serializeColumn(const Column& c, ByteWriter& w) {
  c.type().serialize(w);
  int64_t n = c.size();
  w.writeVarint(static_cast<uint64_t>(n));
  const uint64_t* v = c.validity();
  w.writeRaw<uint8_t>(v != nullptr);
  if (v) w.writeBytes(v, static_cast<size_t>((n + 63) / 64) * 8);
  if (c.type().id() == TypeId::String) {
    const int32_t* o = c.offsets();
    w.writeBytes(o, static_cast<size_t>(n + 1) * sizeof(int32_t));
    w.writeBytes(c.chars() + o[0], static_cast<size_t>(o[n] - o[0]));
  } else if (c.type().id() == TypeId::List || c.type().id() == TypeId::Map) {
    w.writeBytes(c.offsets(), static_cast<size_t>(n + 1) * sizeof(int32_t));
  } else if (int width = c.type().fixedWidth()) {
    w.writeBytes(c.valuesBuffer().data(), static_cast<size_t>(n) * width);
  }
  w.writeVarint(c.children().size());
  for (const auto& child : c.children()) serializeColumn(*child, w);
}

ColumnPtr deserializeColumn(ByteReader& r) {
  DataType type = DataType::deserialize(r);
  auto n = static_cast<int64_t>(r.readVarint());
  if (n < 0 || static_cast<uint64_t>(n) > r.remaining() * 8 + 64)
    throw IoError("corrupt column: implausible length " + std::to_string(n));
  bool variable = type.id() == TypeId::String || type.isNested();
  auto c = Column::make(type, variable ? 0 : n);
  bool hasValidity = r.readRaw<uint8_t>() != 0;
  Buffer validity;
  if (hasValidity) {
    size_t bytes = static_cast<size_t>((n + 63) / 64) * 8;
    validity.resize(std::max<size_t>(bytes, 8), 0xFF);
    r.readBytes(validity.data(), bytes);
  }
  if (type.id() == TypeId::String) {
    Buffer offs(static_cast<size_t>(n + 1) * sizeof(int32_t));
    r.readBytes(offs.data(), offs.size());
    int32_t* o = offs.as<int32_t>();
    int32_t base = o[0];
    for (int64_t i = 0; i <= n; ++i) o[i] -= base;
    if (o[n] < 0) throw IoError("corrupt string column offsets");
    Buffer chars(static_cast<size_t>(o[n]));
    r.readBytes(chars.data(), chars.size());
    c->adoptStrings(std::move(offs), std::move(chars), n);
  } else if (type.isNested()) {
    Buffer offs;
    if (type.id() != TypeId::Struct) {
      offs.resize(static_cast<size_t>(n + 1) * sizeof(int32_t));
      r.readBytes(offs.data(), offs.size());
    }
    size_t nChildren = r.readVarint();
    if (nChildren != type.children().size()) throw IoError("corrupt nested column children");
    std::vector<ColumnPtr> children;
    for (size_t i = 0; i < nChildren; ++i) children.push_back(deserializeColumn(r));
    c->adoptNested(std::move(offs), std::move(children), n);
    if (hasValidity) c->adoptValidity(std::move(validity));
    return c;
  } else if (int width = type.fixedWidth()) {
    r.readBytes(c->valuesBuffer().data(), static_cast<size_t>(n) * width);
  }
  if (hasValidity) c->adoptValidity(std::move(validity));
  if (r.readVarint() != 0) throw IoError("corrupt column: children under a flat type");
  return c;
}

void Batch::serialize(ByteWriter& w) const {
  w.writeVarint(static_cast<uint64_t>(numRows));
  w.writeVarint(columns.size());
  for (const auto& c : columns) serializeColumn(*c, w);
}

BatchPtr Batch::deserialize(ByteReader& r) {
  auto b = std::make_shared<Batch>();
  b->numRows = static_cast<int64_t>(r.readVarint());
  size_t nCols = r.readVarint();
  if (nCols > r.remaining()) throw IoError("corrupt batch: implausible column count");
  for (size_t i = 0; i < nCols; ++i) {
    b->columns.push_back(deserializeColumn(r));
    if (b->columns.back()->size() != b->numRows)
      throw IoError("corrupt batch: column length differs from the row count");
  }
  return b;
}

}  // namespace ember
