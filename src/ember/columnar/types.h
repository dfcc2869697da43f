// SQL data types and schemas of the columnar engine.
//
// Physical layout of each type in a Column (column.h), Arrow-compatible except where
// noted:
//   Boolean    1 byte per value, 0 or 1 (Arrow packs bits; bytes keep kernels simple
//              and branch-free; converting at an Arrow boundary is one pass)
//   Int8..64   native little-endian integers
//   Float32/64 IEEE floats
//   Decimal    unscaled integer: int64 when precision <= 18, __int128 otherwise
//   String     int32 offsets (length + 1) into one byte buffer (Arrow "utf8")
//   Date       int32 days since 1970-01-01 (Arrow date32)
//   Timestamp  int64 microseconds since the epoch, UTC (Arrow timestamp[us, UTC])
//   Null       no buffers (every value null)
//   List       int32 offsets into a child column of elements (Arrow list)
//   Map        int32 offsets into two child columns, keys and values
//   Struct     one child column per field
// (column.h describes the nested layouts; nested_ops.h has their kernels.)
//
// DataType is a small value type (cheap to copy): nested types share their children.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/common/serde.h"

namespace ember {

// 128-bit integers hold wide decimals (__extension__ silences -Wpedantic: GCC and
// Clang both provide the type).
__extension__ typedef __int128 int128_t;
__extension__ typedef unsigned __int128 uint128_t;

enum class TypeId : uint8_t {
  Null = 0,
  Boolean,
  Int8,
  Int16,
  Int32,
  Int64,
  Float32,
  Float64,
  Decimal,
  String,
  Date,
  Timestamp,
  List,
  Struct,
  Map,
};

struct Field;

class DataType {
 public:
  DataType() = default;  // Null
  static DataType null() { return DataType(TypeId::Null); }
  static DataType boolean() { return DataType(TypeId::Boolean); }
  static DataType int8() { return DataType(TypeId::Int8); }
  static DataType int16() { return DataType(TypeId::Int16); }
  static DataType int32() { return DataType(TypeId::Int32); }
  static DataType int64() { return DataType(TypeId::Int64); }
  static DataType float32() { return DataType(TypeId::Float32); }
  static DataType float64() { return DataType(TypeId::Float64); }
  // Throws UserError unless 1 <= precision <= 38 and 0 <= scale <= precision.
  static DataType decimal(int precision, int scale);
  static DataType string() { return DataType(TypeId::String); }
  static DataType date() { return DataType(TypeId::Date); }
  static DataType timestamp() { return DataType(TypeId::Timestamp); }
  static DataType list(Field element);
  // array<element> with a nullable element field named "element" (Spark's containsNull).
  static DataType array(DataType element);
  // The element type of an array (children()[0].type).
  const DataType& elementType() const;
  static DataType structOf(std::vector<Field> fields);
  static DataType map(DataType key, DataType value);

  TypeId id() const { return id_; }
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  const std::vector<Field>& children() const;

  bool isNumeric() const;  // integers, floats, decimals
  bool isInteger() const { return id_ >= TypeId::Int8 && id_ <= TypeId::Int64; }
  bool isFloating() const { return id_ == TypeId::Float32 || id_ == TypeId::Float64; }
  bool isDecimal() const { return id_ == TypeId::Decimal; }
  bool isNested() const { return id_ >= TypeId::List; }
  // Decimal with precision > 18 is stored as __int128.
  bool isWideDecimal() const { return id_ == TypeId::Decimal && precision_ > 18; }
  // Bytes per value in the values buffer; 0 for String, Null and nested types.
  int fixedWidth() const;

  // Spark's names: "boolean", "tinyint", "smallint", "int", "bigint", "float", "double",
  // "decimal(15,2)", "string", "date", "timestamp", "void", "array<int>",
  // "struct<a:int,b:string>", "map<string,int>".
  std::string toString() const;
  // Parses the names above plus common SQL synonyms (integer, long, real, varchar(n),
  // char(n), text, numeric(p,s), dec, bool, short, byte, datetime). Throws UserError
  // naming the text.
  static DataType parse(const std::string& text);

  bool operator==(const DataType& o) const;
  bool operator!=(const DataType& o) const { return !(*this == o); }

  void serialize(ByteWriter& w) const;
  static DataType deserialize(ByteReader& r);

 private:
  explicit DataType(TypeId id) : id_(id) {}
  TypeId id_ = TypeId::Null;
  uint8_t precision_ = 0;
  uint8_t scale_ = 0;
  std::shared_ptr<const std::vector<Field>> children_;
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;

  bool operator==(const Field& o) const {
    return name == o.name && type == o.type && nullable == o.nullable;
  }
  void serialize(ByteWriter& w) const;
  static Field deserialize(ByteReader& r);
};

// An ordered list of fields. Lookup by name is case-insensitive, as in Spark's default.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_.at(i); }
  // Index of the field named `name` (case-insensitive), or -1.
  int indexOf(const std::string& name) const;
  std::vector<std::string> names() const;
  // "a: int, b: string"
  std::string toString() const;
  // Spark's printSchema tree: "root\n |-- a: integer (nullable = true)\n".
  std::string treeString() const;

  bool operator==(const Schema& o) const { return fields_ == o.fields_; }
  void serialize(ByteWriter& w) const;
  static Schema deserialize(ByteReader& r);

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

// ASCII lower case (identifiers, option keys, format names).
std::string toLowerAscii(std::string s);
// Case-insensitive ASCII comparison (identifiers).
bool equalsIgnoreCase(const std::string& a, const std::string& b);

}  // namespace ember
