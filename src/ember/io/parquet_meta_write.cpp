// Encoding FileMetaData for the Parquet writer (field ids from parquet.thrift).
#include "ember/io/parquet_meta.h"
#include "ember/io/thrift_compact.h"

namespace ember {

namespace {

void writeSchemaElement(ThriftWriter& w, const ParquetColumn& c) {
  w.beginStructElem();
  w.fieldI32(1, c.physical);
  if (c.physical == pq::kFixed) w.fieldI32(2, c.typeLength);
  w.fieldI32(3, c.optional ? 1 : 0);
  w.fieldBinary(4, c.name);
  const DataType& t = c.type;
  // ConvertedType (6) for old readers, LogicalType (10) for new ones.
  int converted = -1;
  switch (t.id()) {
    case TypeId::Int8:
      converted = 15;
      break;
    case TypeId::Int16:
      converted = 16;
      break;
    case TypeId::String:
      converted = 0;
      break;
    case TypeId::Date:
      converted = 6;
      break;
    case TypeId::Timestamp:
      converted = 10;
      break;
    case TypeId::Decimal:
      converted = 5;
      break;
    default:
      break;
  }
  if (converted < 0) {
    w.endStruct();
    return;
  }
  w.fieldI32(6, converted);
  if (t.isDecimal()) {
    w.fieldI32(7, t.scale());
    w.fieldI32(8, t.precision());
  }
  w.beginStructField(10);  // LogicalType union
  switch (t.id()) {
    case TypeId::Int8:
    case TypeId::Int16:
      w.beginStructField(10);  // IntType
      w.fieldI8(1, t.id() == TypeId::Int8 ? 8 : 16);
      w.fieldBool(2, true);
      w.endStruct();
      break;
    case TypeId::String:
      w.beginStructField(1);
      w.endStruct();
      break;
    case TypeId::Date:
      w.beginStructField(6);
      w.endStruct();
      break;
    case TypeId::Timestamp:
      w.beginStructField(8);
      w.fieldBool(1, true);   // isAdjustedToUTC
      w.beginStructField(2);  // unit
      w.beginStructField(2);  // MICROS
      w.endStruct();
      w.endStruct();
      w.endStruct();
      break;
    default:  // decimal
      w.beginStructField(5);
      w.fieldI32(1, t.scale());
      w.fieldI32(2, t.precision());
      w.endStruct();
  }
  w.endStruct();  // LogicalType
  w.endStruct();  // SchemaElement
}

void writeChunk(ThriftWriter& w, const ParquetColumn& c, const ParquetChunk& ch) {
  w.beginStructElem();
  w.fieldI64(2, ch.start());
  w.beginStructField(3);
  w.fieldI32(1, ch.physical);
  w.beginListField(2, TType::kI32, ch.encodings.size());
  for (int e : ch.encodings) w.elemI32(e);
  w.beginListField(3, TType::kBinary, 1);
  w.elemBinary(c.name);
  w.fieldI32(4, ch.codec);
  w.fieldI64(5, ch.numValues);
  w.fieldI64(6, ch.totalUncompressed);
  w.fieldI64(7, ch.totalCompressed);
  w.fieldI64(9, ch.dataPageOffset);
  if (ch.dictPageOffset >= 0) w.fieldI64(11, ch.dictPageOffset);
  w.beginStructField(12);
  w.fieldI64(3, ch.stats.nullCount);
  if (ch.stats.max && ch.stats.min) {
    w.fieldBinary(5, *ch.stats.max);
    w.fieldBinary(6, *ch.stats.min);
  }
  w.endStruct();  // Statistics
  w.endStruct();  // ColumnMetaData
  w.endStruct();  // ColumnChunk
}

}  // namespace

std::string encodeFileMeta(const ParquetFileMeta& m) {
  std::string out;
  ThriftWriter w(&out);
  w.fieldI32(1, 1);
  w.beginListField(2, TType::kStruct, m.columns.size() + 1);
  w.beginStructElem();
  w.fieldBinary(4, "schema");
  w.fieldI32(5, static_cast<int32_t>(m.columns.size()));
  w.endStruct();
  for (const auto& c : m.columns) writeSchemaElement(w, c);
  w.fieldI64(3, m.numRows);
  w.beginListField(4, TType::kStruct, m.rowGroups.size());
  for (const auto& g : m.rowGroups) {
    w.beginStructElem();
    w.beginListField(1, TType::kStruct, g.columns.size());
    for (size_t i = 0; i < g.columns.size(); ++i) writeChunk(w, m.columns[i], g.columns[i]);
    w.fieldI64(2, g.totalByteSize);
    w.fieldI64(3, g.numRows);
    w.endStruct();
  }
  w.fieldBinary(6, "Ember parquet writer");
  // TYPE_ORDER for every column: min_value/max_value follow each type's natural order.
  w.beginListField(7, TType::kStruct, m.columns.size());
  for (size_t i = 0; i < m.columns.size(); ++i) {
    w.beginStructElem();
    w.beginStructField(1);
    w.endStruct();
    w.endStruct();
  }
  w.finish();
  return out;
}

}  // namespace ember
