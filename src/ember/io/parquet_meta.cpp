#include "ember/io/parquet_meta.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/io/format_internal.h"
#include "ember/io/thrift_compact.h"

namespace ember {

namespace {

// ConvertedType values used here.
enum Converted {
  kUtf8 = 0,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTsMillis = 9,
  kTsMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kJson = 19
};

ParquetColumn columnOf(const TValue& e, const std::string& path) {
  ParquetColumn c;
  c.name = std::string(e.binField(4));
  if (!e.field(1))
    throw IoError("corrupt Parquet schema in " + path + ": column " + c.name + " has no type");
  c.physical = static_cast<int>(e.intField(1, 0));
  c.typeLength = static_cast<int>(e.intField(2, 0));
  int rep = static_cast<int>(e.intField(3, 0));
  if (rep == 2)
    throw UserError("Parquet column " + c.name + " in " + path +
                    " is repeated (a list); Ember reads flat schemas only");
  c.optional = rep == 1;
  int conv = static_cast<int>(e.intField(6, -1));
  int scale = static_cast<int>(e.intField(7, 0)), precision = static_cast<int>(e.intField(8, 0));
  const TValue* lt = e.field(10);
  auto ltIs = [&](int16_t id) { return lt && lt->field(id); };
  bool isDecimal = conv == kDecimal || ltIs(5);
  if (ltIs(5)) {
    const TValue& d = *lt->field(5);
    scale = static_cast<int>(d.intField(1, 0));
    precision = static_cast<int>(d.intField(2, 0));
  }
  auto bad = [&](const std::string& what) {
    return UserError("Parquet column " + c.name + " in " + path + ": " + what);
  };
  if (isDecimal) {
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision)
      throw bad("decimal(" + std::to_string(precision) + "," + std::to_string(scale) +
                ") is outside Ember's decimal range (precision 1..38)");
    if (c.physical != pq::kInt32 && c.physical != pq::kInt64 && c.physical != pq::kByteArray &&
        c.physical != pq::kFixed)
      throw IoError("corrupt Parquet schema in " + path + ": decimal column " + c.name +
                    " has physical type " + std::to_string(c.physical));
    c.type = DataType::decimal(precision, scale);
    return c;
  }
  int bitWidth = 0;
  bool isSigned = true;
  if (ltIs(10)) {
    bitWidth = static_cast<int>(lt->field(10)->intField(1, 0));
    isSigned = lt->field(10)->intField(2, 1) != 0;
  } else if (conv >= kUint8 && conv <= kUint64) {
    bitWidth = 8 << (conv - kUint8), isSigned = false;
  } else if (conv == kInt8 || conv == kInt16) {
    bitWidth = conv == kInt8 ? 8 : 16;
  }
  switch (c.physical) {
    case pq::kBoolean:
      c.type = DataType::boolean();
      break;
    case pq::kInt32:
      if (conv == kDate || ltIs(6))
        c.type = DataType::date();
      else if (bitWidth == 8)
        c.type = isSigned ? DataType::int8() : DataType::int16();
      else if (bitWidth == 16)
        c.type = isSigned ? DataType::int16() : DataType::int32();
      else if (bitWidth == 32 && !isSigned)
        c.type = DataType::int64();
      else
        c.type = DataType::int32();
      c.unsignedInt = !isSigned;
      break;
    case pq::kInt64:
      if (conv == kTsMillis || conv == kTsMicros || ltIs(8)) {
        c.type = DataType::timestamp();
        c.timeUnit = conv == kTsMillis ? 0 : 1;
        if (ltIs(8)) {
          const TValue* unit = lt->field(8)->field(2);
          c.timeUnit = unit && unit->field(1) ? 0 : unit && unit->field(3) ? 2 : 1;
        }
      } else if (bitWidth == 64 && !isSigned) {
        c.type = DataType::decimal(20, 0);
        c.unsignedInt = true;
      } else {
        c.type = DataType::int64();
      }
      break;
    case pq::kInt96:
      c.type = DataType::timestamp();
      c.timeUnit = 3;
      break;
    case pq::kFloat:
      c.type = DataType::float32();
      break;
    case pq::kDouble:
      c.type = DataType::float64();
      break;
    case pq::kByteArray:
      c.type = DataType::string();
      break;
    case pq::kFixed:
      if (c.typeLength <= 0)
        throw IoError("corrupt Parquet schema in " + path + ": column " + c.name +
                      " has no type_length");
      c.type = DataType::string();
      break;
    default:
      throw IoError("corrupt Parquet schema in " + path + ": column " + c.name +
                    " has unknown physical type " + std::to_string(c.physical));
  }
  return c;
}

ParquetStats statsOf(const TValue* s, const ParquetColumn& col) {
  ParquetStats st;
  if (!s) return st;
  st.nullCount = s->intField(3, -1);
  if (s->field(5) && s->field(6)) {
    st.max = std::string(s->binField(5));
    st.min = std::string(s->binField(6));
  } else if (s->field(1) && s->field(2) && col.physical != pq::kByteArray &&
             col.physical != pq::kFixed && !col.unsignedInt) {
    // The deprecated min/max used signed comparison, which is right for these types.
    st.max = std::string(s->binField(1));
    st.min = std::string(s->binField(2));
  }
  return st;
}

}  // namespace

Schema ParquetFileMeta::schema() const {
  std::vector<Field> f;
  for (const auto& c : columns) f.push_back(Field{c.name, c.type, c.optional});
  return Schema(std::move(f));
}

ParquetFileMeta decodeFileMeta(const uint8_t* data, size_t n, const std::string& path) {
  TValue root = decodeThriftStruct(data, n, nullptr, "Parquet footer of " + path);
  ParquetFileMeta m;
  try {
    const auto& schema = root.requiredList(2, "FileMetaData.schema");
    if (schema.empty()) throw IoError("empty schema");
    int64_t children = schema[0].intField(5, 0);
    if (children != static_cast<int64_t>(schema.size()) - 1) {
      for (size_t i = 1; i < schema.size(); ++i)
        if (schema[i].intField(5, 0) > 0)
          throw UserError("Parquet column " + std::string(schema[i].binField(4)) + " in " + path +
                          " is nested (a group); Ember reads flat schemas only");
      throw IoError("schema root has " + std::to_string(children) +
                    " children but the schema lists " + std::to_string(schema.size() - 1) +
                    " columns");
    }
    for (size_t i = 1; i < schema.size(); ++i) {
      if (schema[i].intField(5, 0) > 0)
        throw UserError("Parquet column " + std::string(schema[i].binField(4)) + " in " + path +
                        " is nested (a group); Ember reads flat schemas only");
      m.columns.push_back(columnOf(schema[i], path));
    }
    m.numRows = root.requiredInt(3, "FileMetaData.num_rows");
    m.createdBy = std::string(root.binField(6));
    m.typeDefinedOrder = root.field(7) != nullptr;
    for (const TValue& rg : root.requiredList(4, "FileMetaData.row_groups")) {
      ParquetRowGroup g;
      g.numRows = rg.requiredInt(3, "RowGroup.num_rows");
      if (g.numRows < 0 || g.numRows > INT32_MAX)
        throw IoError("row group " + std::to_string(m.rowGroups.size()) + " claims " +
                      std::to_string(g.numRows) + " rows");
      g.totalByteSize = rg.intField(2, 0);
      const auto& cols = rg.requiredList(1, "RowGroup.columns");
      if (cols.size() != m.columns.size())
        throw IoError("row group " + std::to_string(m.rowGroups.size()) + " has " +
                      std::to_string(cols.size()) + " column chunks for " +
                      std::to_string(m.columns.size()) + " columns");
      for (size_t ci = 0; ci < cols.size(); ++ci) {
        if (!cols[ci].binField(1).empty())
          throw UserError("Parquet file " + path + " keeps column data in another file (" +
                          std::string(cols[ci].binField(1)) + "), which Ember does not support");
        const TValue* md = cols[ci].field(3);
        if (!md)
          throw UserError("Parquet file " + path +
                          " has encrypted column metadata, which Ember does not support");
        ParquetChunk ch;
        ch.physical = static_cast<int>(md->requiredInt(1, "ColumnMetaData.type"));
        if (ch.physical != m.columns[ci].physical)
          throw IoError("column chunk of " + m.columns[ci].name + " has physical type " +
                        std::to_string(ch.physical) + ", the schema says " +
                        std::to_string(m.columns[ci].physical));
        for (const TValue& e : md->requiredList(2, "ColumnMetaData.encodings"))
          ch.encodings.push_back(static_cast<int>(e.i));
        ch.codec = static_cast<int>(md->requiredInt(4, "ColumnMetaData.codec"));
        ch.numValues = md->requiredInt(5, "ColumnMetaData.num_values");
        ch.totalUncompressed = md->requiredInt(6, "ColumnMetaData.total_uncompressed_size");
        ch.totalCompressed = md->requiredInt(7, "ColumnMetaData.total_compressed_size");
        ch.dataPageOffset = md->requiredInt(9, "ColumnMetaData.data_page_offset");
        ch.dictPageOffset = md->intField(11, -1);
        ch.stats = statsOf(md->field(12), m.columns[ci]);
        if (ch.totalCompressed < 0 || ch.dataPageOffset < 0 || ch.numValues < 0)
          throw IoError("negative size or offset in the metadata of column " + m.columns[ci].name);
        g.columns.push_back(std::move(ch));
      }
      m.rowGroups.push_back(std::move(g));
    }
  } catch (const IoError& e) {
    std::string msg = e.what();
    if (msg.find(path) == std::string::npos)
      throw IoError("corrupt Parquet footer in " + path + ": " + msg);
    throw;
  }
  return m;
}

ParquetFileMeta readParquetFooter(const std::string& path) {
  uint64_t size = fileSizeOf(path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("Cannot open Parquet file " + path + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  auto readAt = [&](uint64_t off, size_t n, char* out) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(off + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        throw IoError("Cannot read Parquet file " + path + " at byte " + std::to_string(off + got));
      got += static_cast<size_t>(r);
    }
  };
  if (size < 12)
    throw IoError("Not a Parquet file: " + path + " is only " + std::to_string(size) + " bytes");
  char tail[8];
  readAt(size - 8, 8, tail);
  char head[4];
  readAt(0, 4, head);
  if (std::memcmp(tail + 4, "PAR1", 4) != 0 || std::memcmp(head, "PAR1", 4) != 0) {
    if (std::memcmp(tail + 4, "PARE", 4) == 0)
      throw UserError("Parquet file " + path + " is encrypted, which Ember does not support");
    throw IoError("Not a Parquet file (no PAR1 magic at the start and end): " + path);
  }
  uint32_t len;
  std::memcpy(&len, tail, 4);
  if (len > size - 12)
    throw IoError("corrupt Parquet file " + path + ": footer length " + std::to_string(len) +
                  " exceeds the file size " + std::to_string(size));
  std::string footer(len, '\0');
  readAt(size - 8 - len, len, footer.data());
  ParquetFileMeta m = decodeFileMeta(reinterpret_cast<const uint8_t*>(footer.data()), len, path);
  for (size_t g = 0; g < m.rowGroups.size(); ++g)
    for (size_t c = 0; c < m.rowGroups[g].columns.size(); ++c) {
      const ParquetChunk& ch = m.rowGroups[g].columns[c];
      if (ch.start() < 4 || static_cast<uint64_t>(ch.start() + ch.totalCompressed) > size - 8 - len)
        throw IoError("corrupt Parquet file " + path + ": row group " + std::to_string(g) +
                      ", column " + m.columns[c].name + " lies outside the data area (bytes " +
                      std::to_string(ch.start()) + " + " + std::to_string(ch.totalCompressed) +
                      ")");
    }
  return m;
}

ParquetColumn parquetColumnFor(const Field& f) {
  ParquetColumn c;
  c.name = f.name;
  c.optional = f.nullable;
  c.type = f.type;
  switch (f.type.id()) {
    case TypeId::Boolean:
      c.physical = pq::kBoolean;
      break;
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Date:
    case TypeId::Null:
      c.physical = pq::kInt32;
      break;
    case TypeId::Int64:
    case TypeId::Timestamp:
      c.physical = pq::kInt64;
      break;
    case TypeId::Float32:
      c.physical = pq::kFloat;
      break;
    case TypeId::Float64:
      c.physical = pq::kDouble;
      break;
    case TypeId::String:
      c.physical = pq::kByteArray;
      break;
    case TypeId::Decimal:
      if (f.type.precision() <= 9)
        c.physical = pq::kInt32;
      else if (f.type.precision() <= 18)
        c.physical = pq::kInt64;
      else {
        c.physical = pq::kFixed;
        // Fewest bytes whose signed range holds 10^precision - 1.
        int n = 1;
        while (n < 16 && !(pow10i128(f.type.precision()) - 1 < (int128_t{1} << (8 * n - 1)))) ++n;
        c.typeLength = n;
      }
      break;
    default:
      throw UserError("Cannot write column " + f.name + " of type " + f.type.toString() +
                      " to Parquet");
  }
  return c;
}

namespace {

int128_t bigEndianSigned(std::string_view b) {
  if (b.empty() || b.size() > 16) return 0;
  int128_t v = static_cast<int8_t>(b[0]);
  for (size_t i = 1; i < b.size(); ++i) v = v * 256 + static_cast<uint8_t>(b[i]);
  return v;
}

}  // namespace

Value statValue(const ParquetColumn& c, const std::optional<std::string>& bytes) {
  if (!bytes) return Value();
  const std::string& b = *bytes;
  auto fixed = [&](size_t n) { return b.size() == n; };
  int32_t i32 = 0;
  int64_t i64 = 0;
  if (fixed(4)) std::memcpy(&i32, b.data(), 4);
  if (fixed(8)) std::memcpy(&i64, b.data(), 8);
  switch (c.type.id()) {
    case TypeId::Boolean:
      return fixed(1) ? Value::boolean(b[0] != 0) : Value();
    case TypeId::Int8:
      return fixed(4) ? Value::int8(static_cast<int8_t>(i32)) : Value();
    case TypeId::Int16:
      return fixed(4) ? Value::int16(
                            static_cast<int16_t>(c.unsignedInt ? static_cast<uint8_t>(i32) : i32))
                      : Value();
    case TypeId::Int32:
      return fixed(4) ? Value::int32(c.unsignedInt ? static_cast<uint16_t>(i32) : i32) : Value();
    case TypeId::Int64:
      if (c.physical == pq::kInt32)
        return fixed(4) ? Value::int64(static_cast<uint32_t>(i32)) : Value();
      return fixed(8) ? Value::int64(i64) : Value();
    case TypeId::Date:
      return fixed(4) ? Value::date(i32) : Value();
    case TypeId::Timestamp:
      if (!fixed(8) || c.timeUnit == 3) return Value();
      return Value::timestamp(c.timeUnit == 0 ? i64 * 1000 : c.timeUnit == 2 ? i64 / 1000 : i64);
    case TypeId::Float32: {
      float f;
      if (!fixed(4)) return Value();
      std::memcpy(&f, b.data(), 4);
      return f == f ? Value::float32(f) : Value();
    }
    case TypeId::Float64: {
      double d;
      if (!fixed(8)) return Value();
      std::memcpy(&d, b.data(), 8);
      return d == d ? Value::float64(d) : Value();
    }
    case TypeId::String:
      return c.physical == pq::kByteArray || c.physical == pq::kFixed ? Value::string(b) : Value();
    case TypeId::Decimal: {
      int p = c.type.precision(), s = c.type.scale();
      if (c.unsignedInt)
        return fixed(8) ? Value::decimal(static_cast<uint64_t>(i64), p, s) : Value();
      if (c.physical == pq::kInt32) return fixed(4) ? Value::decimal(i32, p, s) : Value();
      if (c.physical == pq::kInt64) return fixed(8) ? Value::decimal(i64, p, s) : Value();
      if (b.empty() || b.size() > 16) return Value();
      return Value::decimal(bigEndianSigned(b), p, s);
    }
    default:
      return Value();
  }
}

}  // namespace ember
