// A small Thrift compact-protocol codec for Parquet metadata (written from the Thrift
// compact protocol specification). Reading decodes into a generic tree (TValue) that
// parquet_meta.cpp maps onto its structs; writing is a streaming ThriftWriter.
// Decoding is bounded (nesting depth, list sizes <= remaining bytes) so that corrupt or
// hostile input throws IoError instead of exhausting the stack or memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {

enum class TType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

struct TValue {
  TType type = TType::kStop;
  int64_t i = 0;              // bool (0/1), byte, i16, i32, i64
  double d = 0;               // double
  std::string_view bin;       // binary/string: a view into the decoded buffer
  std::vector<TValue> elems;  // list, set (maps: key, value, key, ...)
  // Struct fields: ids and values in parallel (a vector of pairs would need TValue complete).
  std::vector<int16_t> fieldIds;
  std::vector<TValue> fields;

  // Struct field by id, or null.
  const TValue* field(int16_t id) const;
  // Integer field (or dflt when absent). Throws IoError if present with a non-int type.
  int64_t intField(int16_t id, int64_t dflt) const;
  // Throws IoError "missing required field <what>" when absent.
  int64_t requiredInt(int16_t id, const char* what) const;
  const TValue& requiredStruct(int16_t id, const char* what) const;
  const std::vector<TValue>& requiredList(int16_t id, const char* what) const;
  std::string_view binField(int16_t id) const;  // "" when absent
};

// Decodes one struct at data[0..n). Sets *consumed to the bytes read. Throws IoError
// with `context` and the offset on malformed input.
TValue decodeThriftStruct(const uint8_t* data, size_t n, size_t* consumed,
                          const std::string& context);

class ThriftWriter {
 public:
  explicit ThriftWriter(std::string* out) : out_(out) {}

  void fieldI8(int16_t id, int8_t v);
  void fieldI32(int16_t id, int32_t v);
  void fieldI64(int16_t id, int64_t v);
  void fieldBool(int16_t id, bool v);
  void fieldBinary(int16_t id, std::string_view v);
  // A nested struct field: call endStruct() after its fields.
  void beginStructField(int16_t id);
  void endStruct();
  // A list field of `size` elements of `elem` type; then write the elements with the
  // element writers below (structs: beginStructElem ... endStruct).
  void beginListField(int16_t id, TType elem, size_t size);
  void elemI32(int32_t v);
  void elemBinary(std::string_view v);
  void beginStructElem();
  // Ends the top-level struct (writes its stop byte).
  void finish();

 private:
  void fieldHeader(int16_t id, TType t);
  void varint(uint64_t v);
  static uint64_t zigzag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }

  std::string* out_;
  std::vector<int16_t> lastIds_{0};
};

}  // namespace ember
