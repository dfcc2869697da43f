#include "ember/io/thrift_compact.h"

#include <cstring>

#include "ember/common/errors.h"

namespace ember {

namespace {

constexpr int kMaxDepth = 32;

class Decoder {
 public:
  Decoder(const uint8_t* p, size_t n, const std::string& ctx)
      : b_(p), p_(p), e_(p + n), ctx_(ctx) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw IoError(ctx_ + ": corrupt Thrift metadata at byte " + std::to_string(p_ - b_) + ": " +
                  why);
  }
  uint8_t byte() {
    if (p_ >= e_) fail("unexpected end of data");
    return *p_++;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte();
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint too long");
  }
  int64_t zigzag() {
    uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  size_t remaining() const { return static_cast<size_t>(e_ - p_); }
  size_t consumed() const { return static_cast<size_t>(p_ - b_); }

  TValue value(TType t, int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    TValue v;
    v.type = t;
    switch (t) {
      case TType::kTrue:
        v.i = 1;
        break;
      case TType::kFalse:
        v.i = 0;
        break;
      case TType::kByte:
        v.i = static_cast<int8_t>(byte());
        break;
      case TType::kI16:
      case TType::kI32:
      case TType::kI64:
        v.i = zigzag();
        break;
      case TType::kDouble:
        if (remaining() < 8) fail("truncated double");
        std::memcpy(&v.d, p_, 8);
        p_ += 8;
        break;
      case TType::kBinary: {
        uint64_t n = varint();
        if (n > remaining()) fail("binary length " + std::to_string(n) + " beyond the data");
        v.bin = std::string_view(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        break;
      }
      case TType::kList:
      case TType::kSet: {
        uint8_t h = byte();
        uint64_t n = h >> 4;
        if (n == 15) n = varint();
        TType et = static_cast<TType>(h & 0x0F);
        if (n > remaining()) fail("list size " + std::to_string(n) + " beyond the data");
        v.elems.reserve(n);
        for (uint64_t k = 0; k < n; ++k) {
          if (et == TType::kTrue || et == TType::kFalse) {  // list bools are one byte each
            TValue b;
            b.type = TType::kTrue;
            b.i = byte() == 1;
            v.elems.push_back(std::move(b));
          } else {
            v.elems.push_back(value(et, depth + 1));
          }
        }
        break;
      }
      case TType::kMap: {
        uint64_t n = varint();
        if (n == 0) break;
        uint8_t kv = byte();
        if (n > remaining()) fail("map size beyond the data");
        for (uint64_t k = 0; k < n; ++k) {
          v.elems.push_back(value(static_cast<TType>(kv >> 4), depth + 1));
          v.elems.push_back(value(static_cast<TType>(kv & 0x0F), depth + 1));
        }
        break;
      }
      case TType::kStruct: {
        int16_t last = 0;
        for (;;) {
          uint8_t h = byte();
          TType ft = static_cast<TType>(h & 0x0F);
          if (ft == TType::kStop) break;
          int16_t id =
              (h >> 4) ? static_cast<int16_t>(last + (h >> 4)) : static_cast<int16_t>(zigzag());
          last = id;
          v.fieldIds.push_back(id);
          v.fields.push_back(value(ft, depth + 1));
        }
        break;
      }
      default:
        fail("unknown type " + std::to_string(static_cast<int>(t)));
    }
    return v;
  }

 private:
  const uint8_t* b_;
  const uint8_t* p_;
  const uint8_t* e_;
  const std::string& ctx_;
};

}  // namespace

const TValue* TValue::field(int16_t id) const {
  for (size_t i = 0; i < fieldIds.size(); ++i)
    if (fieldIds[i] == id) return &fields[i];
  return nullptr;
}

int64_t TValue::intField(int16_t id, int64_t dflt) const {
  const TValue* f = field(id);
  if (!f) return dflt;
  if (f->type > TType::kI64 || f->type == TType::kStop)
    throw IoError("corrupt Parquet metadata: field " + std::to_string(id) + " is not an integer");
  return f->i;
}

int64_t TValue::requiredInt(int16_t id, const char* what) const {
  if (!field(id))
    throw IoError(std::string("corrupt Parquet metadata: missing required field ") + what);
  return intField(id, 0);
}

const TValue& TValue::requiredStruct(int16_t id, const char* what) const {
  const TValue* f = field(id);
  if (!f || f->type != TType::kStruct)
    throw IoError(std::string("corrupt Parquet metadata: missing required struct ") + what);
  return *f;
}

const std::vector<TValue>& TValue::requiredList(int16_t id, const char* what) const {
  const TValue* f = field(id);
  if (!f || (f->type != TType::kList && f->type != TType::kSet))
    throw IoError(std::string("corrupt Parquet metadata: missing required list ") + what);
  return f->elems;
}

std::string_view TValue::binField(int16_t id) const {
  const TValue* f = field(id);
  return f && f->type == TType::kBinary ? f->bin : std::string_view();
}

TValue decodeThriftStruct(const uint8_t* data, size_t n, size_t* consumed,
                          const std::string& context) {
  Decoder d(data, n, context);
  TValue v = d.value(TType::kStruct, 0);
  if (consumed) *consumed = d.consumed();
  return v;
}

// ---------------------------------------------------------------- writer

void ThriftWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ThriftWriter::fieldHeader(int16_t id, TType t) {
  int16_t& last = lastIds_.back();
  int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<int>(t)));
  } else {
    out_->push_back(static_cast<char>(t));
    varint(zigzag(id));
  }
  last = id;
}

void ThriftWriter::fieldI8(int16_t id, int8_t v) {
  fieldHeader(id, TType::kByte);
  out_->push_back(static_cast<char>(v));
}
void ThriftWriter::fieldI32(int16_t id, int32_t v) {
  fieldHeader(id, TType::kI32);
  varint(zigzag(v));
}
void ThriftWriter::fieldI64(int16_t id, int64_t v) {
  fieldHeader(id, TType::kI64);
  varint(zigzag(v));
}
void ThriftWriter::fieldBool(int16_t id, bool v) {
  fieldHeader(id, v ? TType::kTrue : TType::kFalse);
}
void ThriftWriter::fieldBinary(int16_t id, std::string_view v) {
  fieldHeader(id, TType::kBinary);
  varint(v.size());
  out_->append(v);
}
void ThriftWriter::beginStructField(int16_t id) {
  fieldHeader(id, TType::kStruct);
  lastIds_.push_back(0);
}
void ThriftWriter::endStruct() {
  out_->push_back(0);
  lastIds_.pop_back();
}
void ThriftWriter::beginListField(int16_t id, TType elem, size_t size) {
  fieldHeader(id, TType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<size_t>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<int>(elem)));
    varint(size);
  }
}
void ThriftWriter::elemI32(int32_t v) { varint(zigzag(v)); }
void ThriftWriter::elemBinary(std::string_view v) {
  varint(v.size());
  out_->append(v);
}
void ThriftWriter::beginStructElem() { lastIds_.push_back(0); }
void ThriftWriter::finish() { out_->push_back(0); }

}  // namespace ember
