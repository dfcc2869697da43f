// The Parquet writer: flat schema, data pages v1 (PLAIN, or RLE_DICTIONARY for strings and
// fixed-width values whose dictionary is small), RLE definition levels, snappy/gzip/zstd/none,
// min/max/null statistics per column chunk, row groups by row count or in-memory size.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/io/file_format.h"
#include "ember/io/format_internal.h"
#include "ember/io/output_stream.h"
#include "ember/io/parquet_dictionary.h"
#include "ember/io/parquet_encoding.h"
#include "ember/io/parquet_meta.h"
#include "ember/io/thrift_compact.h"

namespace ember {

int parquetCodecOf(const FormatOptions& o) {
  std::string c = o.getString("compression", o.getString("parquet.compression", "snappy"));
  for (char& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (c == "none" || c == "uncompressed") return pq::kUncompressed;
  if (c == "snappy") return pq::kSnappy;
  if (c == "gzip") return pq::kGzip;
  if (c == "zstd") return pq::kZstd;
  throw UserError("Unknown Parquet compression '" + c + "': use snappy, zstd, gzip or none");
}

namespace {

constexpr int64_t kSliceRows = 8192;
// Dictionary page limits: parquet-mr's default dictionary page size (1 MiB) for fixed-width
// values; strings keep a larger one (long repeated values gain the most).
constexpr int64_t kMaxFixedDictBytes = int64_t{1} << 20;
constexpr int64_t kMaxStringDictBytes = int64_t{8} << 20;

// Plain bytes of row i (not null) of c as column pc stores it; byte arrays with their
// 4-byte length unless `bare` (statistics).
void plainValue(const Column& c, int64_t i, const ParquetColumn& pc, std::string& out, bool bare) {
  auto raw = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  switch (c.type().id()) {
    case TypeId::Boolean:
      out.push_back(static_cast<char>(c.valueAt<uint8_t>(i)));
      return;
    case TypeId::Int8: {
      int32_t v = c.valueAt<int8_t>(i);
      raw(&v, 4);
      return;
    }
    case TypeId::Int16: {
      int32_t v = c.valueAt<int16_t>(i);
      raw(&v, 4);
      return;
    }
    case TypeId::Int32:
    case TypeId::Date:
      raw(c.values<int32_t>() + i, 4);
      return;
    case TypeId::Int64:
    case TypeId::Timestamp:
      raw(c.values<int64_t>() + i, 8);
      return;
    case TypeId::Float32:
      raw(c.values<float>() + i, 4);
      return;
    case TypeId::Float64:
      raw(c.values<double>() + i, 8);
      return;
    case TypeId::String: {
      std::string_view s = c.stringAt(i);
      if (!bare) {
        uint32_t n = static_cast<uint32_t>(s.size());
        raw(&n, 4);
      }
      out.append(s);
      return;
    }
    case TypeId::Decimal: {
      int128_t v = c.type().isWideDecimal() ? c.valueAt<int128_t>(i) : c.valueAt<int64_t>(i);
      if (pc.physical == pq::kInt32) {
        int32_t x = static_cast<int32_t>(v);
        raw(&x, 4);
        return;
      }
      if (pc.physical == pq::kInt64) {
        int64_t x = static_cast<int64_t>(v);
        raw(&x, 8);
        return;
      }
      for (int b = pc.typeLength - 1; b >= 0; --b)
        out.push_back(static_cast<char>(static_cast<uint8_t>(v >> (8 * b))));
      return;
    }
    default:
      throw UserError("Cannot write a " + c.type().toString() + " column to Parquet");
  }
}

class ParquetWriterImpl final : public BatchWriter {
 public:
  ParquetWriterImpl(const std::string& path, const Schema& schema, const FormatOptions& o)
      : schema_(schema),
        out_(path, Compression::kNone),
        codec_(parquetCodecOf(o)),
        rowGroupRows_(o.getInt("rowGroupRows", 1 << 20)),
        rowGroupBytes_(o.getInt("parquet.block.size", int64_t{128} << 20)),
        dictionary_(o.getBool("parquet.enable.dictionary", o.getBool("dictionary", true))),
        pageBytes_(
            static_cast<size_t>(std::max<int64_t>(1, o.getInt("parquet.page.size", 1 << 20)))) {
    if (rowGroupRows_ < 1 || rowGroupBytes_ < 1)
      throw UserError("Parquet row group size options must be positive");
    for (const auto& f : schema.fields()) meta_.columns.push_back(parquetColumnFor(f));
    pending_.resize(schema.size());
    out_.write("PAR1", 4);
  }

  void write(const Batch& b) override {
    if (b.numColumns() != schema_.size())
      throw UserError("Parquet writer: batch has " + std::to_string(b.numColumns()) +
                      " columns, the schema " + std::to_string(schema_.size()));
    for (size_t c = 0; c < b.numColumns(); ++c)
      if (b.column(c).type() != schema_.field(c).type)
        throw UserError("Parquet writer: column " + schema_.field(c).name + " has type " +
                        b.column(c).type().toString() + ", the schema says " +
                        schema_.field(c).type.toString());
    int64_t off = 0;
    while (off < b.numRows) {
      int64_t n = std::min(b.numRows - off, rowGroupRows_ - pendingRows_);
      for (size_t c = 0; c < b.numColumns(); ++c) {
        ColumnPtr col =
            off == 0 && n == b.numRows ? b.columns[c] : sliceColumn(b.column(c), off, n);
        pendingBytes_ += col->memoryBytes();
        pending_[c].push_back(col);
      }
      pendingRows_ += n;
      off += n;
      if (pendingRows_ >= rowGroupRows_ || pendingBytes_ >= rowGroupBytes_) flushRowGroup();
    }
  }

  void close() override {
    if (closed_) return;
    flushRowGroup();
    std::string footer = encodeFileMeta(meta_);
    out_.write(footer);
    uint32_t len = static_cast<uint32_t>(footer.size());
    out_.write(&len, 4);
    out_.write("PAR1", 4);
    out_.close();
    closed_ = true;
  }
  uint64_t bytesWritten() const override { return out_.position(); }

 private:
  void flushRowGroup() {
    if (pendingRows_ == 0) return;
    ParquetRowGroup g;
    g.numRows = pendingRows_;
    for (size_t c = 0; c < pending_.size(); ++c) {
      g.columns.push_back(writeChunk(meta_.columns[c], pending_[c]));
      g.totalByteSize += g.columns.back().totalUncompressed;
      pending_[c].clear();
    }
    meta_.numRows += pendingRows_;
    meta_.rowGroups.push_back(std::move(g));
    pendingRows_ = 0;
    pendingBytes_ = 0;
  }

  void writePage(int type, int64_t numValues, int encoding, const std::string& body,
                 ParquetChunk& ch) {
    compressPage(codec_, body.data(), body.size(), compressed_);
    std::string hdr;
    ThriftWriter w(&hdr);
    w.fieldI32(1, type);
    w.fieldI32(2, static_cast<int32_t>(body.size()));
    w.fieldI32(3, static_cast<int32_t>(compressed_.size()));
    if (type == pq::kDictionaryPage) {
      w.beginStructField(7);
      w.fieldI32(1, static_cast<int32_t>(numValues));
      w.fieldI32(2, pq::kPlain);
      w.endStruct();
    } else {
      w.beginStructField(5);
      w.fieldI32(1, static_cast<int32_t>(numValues));
      w.fieldI32(2, encoding);
      w.fieldI32(3, pq::kRle);
      w.fieldI32(4, pq::kRle);
      w.endStruct();
    }
    w.finish();
    if (type == pq::kDictionaryPage)
      ch.dictPageOffset = static_cast<int64_t>(out_.position());
    else if (ch.dataPageOffset < 0)
      ch.dataPageOffset = static_cast<int64_t>(out_.position());
    out_.write(hdr);
    out_.write(compressed_);
    ch.totalCompressed += static_cast<int64_t>(hdr.size() + compressed_.size());
    ch.totalUncompressed += static_cast<int64_t>(hdr.size() + body.size());
  }

  ParquetChunk writeChunk(const ParquetColumn& pc, const std::vector<ColumnPtr>& parts) {
    ParquetChunk ch;
    ch.physical = pc.physical;
    ch.codec = codec_;
    ch.dataPageOffset = -1;
    // Statistics: null count and the rows holding the minimum and maximum (for
    // dictionary-encoded strings, the smallest and largest dictionary entries: the same
    // values, found with one comparison per distinct value instead of per row).
    int64_t nulls = 0;
    for (const auto& part : parts) {
      ch.numValues += part->size();
      nulls += part->nullCount();
    }
    ch.stats.nullCount = nulls;
    int bulkWidth = 0;
    switch (pc.type.id()) {
      case TypeId::Int32:
      case TypeId::Date:
      case TypeId::Float32:
        bulkWidth = 4;
        break;
      case TypeId::Int64:
      case TypeId::Timestamp:
      case TypeId::Float64:
        bulkWidth = 8;
        break;
      case TypeId::Decimal:
        bulkWidth = pc.physical == pq::kInt64 ? 8 : 0;
        break;
      default:
        break;
    }
    // Dictionary when it is much smaller than the values: strings, and the fixed-width
    // columns stored as their PLAIN bytes (low-cardinality numbers and dates).
    ParquetDictionary dict;
    bool useDict = false;
    if (dictionary_ && ch.numValues > nulls) {
      if (pc.type.id() == TypeId::String)
        useDict = buildParquetDictionary(parts, 0, kMaxStringDictBytes, dict);
      else if (bulkWidth > 0)
        useDict = buildParquetDictionary(parts, bulkWidth, kMaxFixedDictBytes, dict);
    }
    if (useDict && pc.type.id() == TypeId::String) {
      std::string_view lo, hi;
      for (size_t at = 0; at < dict.page.size();) {
        uint32_t len;
        std::memcpy(&len, dict.page.data() + at, 4);
        std::string_view v(dict.page.data() + at + 4, len);
        if (at == 0 || v < lo) lo = v;
        if (at == 0 || hi < v) hi = v;
        at += 4 + len;
      }
      ch.stats.min = std::string(lo);
      ch.stats.max = std::string(hi);
    } else {
      int minPart = -1, maxPart = -1;
      int64_t minRow = 0, maxRow = 0;
      for (size_t p = 0; p < parts.size(); ++p) {
        const Column& c = *parts[p];
        int64_t lo = -1, hi = -1;
        if (!minMaxRows(c, lo, hi)) continue;
        if (minPart < 0 || lessRows(c, lo, *parts[static_cast<size_t>(minPart)], minRow))
          minPart = static_cast<int>(p), minRow = lo;
        if (maxPart < 0 || lessRows(*parts[static_cast<size_t>(maxPart)], maxRow, c, hi))
          maxPart = static_cast<int>(p), maxRow = hi;
      }
      if (minPart >= 0) {
        std::string a, b;
        plainValue(*parts[static_cast<size_t>(minPart)], minRow, pc, a, true);
        plainValue(*parts[static_cast<size_t>(maxPart)], maxRow, pc, b, true);
        ch.stats.min = a;
        ch.stats.max = b;
      }
    }
    if (useDict) {
      writePage(pq::kDictionaryPage, dict.size, pq::kPlain, dict.page, ch);
      ch.encodings = {pq::kPlain, pq::kRle, pq::kRleDictionary};
    } else {
      ch.encodings = {pq::kPlain, pq::kRle};
    }
    int bitWidth = bitWidthOf(dict.size == 0 ? 0 : static_cast<uint64_t>(dict.size - 1));
    size_t nextIndex = 0;  // into dict.indices
    // Data pages of about pageBytes_.
    std::vector<uint32_t> defs, idx;
    std::vector<uint8_t> bools;
    std::string values, body;
    int64_t pageValues = 0;
    auto flushPage = [&] {
      if (pageValues == 0) return;
      body.clear();
      if (pc.optional) {
        std::string lv;
        rleEncode(defs.data(), static_cast<int64_t>(defs.size()), 1, lv);
        uint32_t n = static_cast<uint32_t>(lv.size());
        body.append(reinterpret_cast<const char*>(&n), 4);
        body += lv;
      }
      if (useDict) {
        body.push_back(static_cast<char>(bitWidth));
        rleEncode(idx.data(), static_cast<int64_t>(idx.size()), bitWidth, body);
      } else if (pc.physical == pq::kBoolean) {
        size_t base = body.size();
        body.append((bools.size() + 7) / 8, '\0');
        for (size_t i = 0; i < bools.size(); ++i)
          if (bools[i]) body[base + i / 8] = static_cast<char>(body[base + i / 8] | (1 << (i % 8)));
      } else {
        body += values;
      }
      writePage(pq::kDataPage, pageValues, useDict ? pq::kRleDictionary : pq::kPlain, body, ch);
      defs.clear(), idx.clear(), bools.clear(), values.clear();
      pageValues = 0;
    };
    for (const auto& part : parts) {
      const Column& c = *part;
      for (int64_t from = 0; from < c.size(); from += kSliceRows) {
        int64_t to = std::min(c.size(), from + kSliceRows);
        if (useDict && !c.mayHaveNulls()) {
          auto at = dict.indices.begin() + static_cast<std::ptrdiff_t>(nextIndex);
          idx.insert(idx.end(), at, at + (to - from));
          nextIndex += static_cast<size_t>(to - from);
          if (pc.optional) defs.insert(defs.end(), static_cast<size_t>(to - from), 1u);
          pageValues += to - from;
          if (idx.size() >= pageBytes_ / 2) flushPage();
          continue;
        }
        if (bulkWidth > 0 && !useDict && !c.mayHaveNulls()) {
          // Ember's storage is the Parquet PLAIN layout: copy the slice.
          values.append(reinterpret_cast<const char*>(c.valuesBuffer().data()) + from * bulkWidth,
                        static_cast<size_t>((to - from) * bulkWidth));
          if (pc.optional) defs.insert(defs.end(), static_cast<size_t>(to - from), 1u);
          pageValues += to - from;
          if (values.size() >= pageBytes_) flushPage();
          continue;
        }
        for (int64_t i = from; i < to; ++i) {
          bool valid = c.isValid(i);
          if (pc.optional)
            defs.push_back(valid ? 1 : 0);
          else if (!valid)
            throw UserError("Parquet writer: null in non-nullable column " + pc.name);
          if (!valid) continue;
          if (useDict)
            idx.push_back(dict.indices[nextIndex++]);
          else if (pc.physical == pq::kBoolean)
            bools.push_back(c.valueAt<uint8_t>(i));
          else
            plainValue(c, i, pc, values, false);
        }
        pageValues += to - from;
        if (values.size() >= pageBytes_ || idx.size() >= pageBytes_ / 2 ||
            bools.size() >= pageBytes_ * 4)
          flushPage();
      }
    }
    flushPage();
    return ch;
  }

  // Rows of the smallest and largest non-null (non-NaN) values of c; false if none.
  template <class T>
  static bool minMaxTyped(const Column& c, int64_t& lo, int64_t& hi) {
    const T* v = c.values<T>();
    bool any = false;
    for (int64_t i = 0; i < c.size(); ++i) {
      if (c.isNull(i)) continue;
      if constexpr (std::is_floating_point_v<T>) {
        if (v[i] != v[i]) continue;
      }
      if (!any) {
        lo = hi = i, any = true;
        continue;
      }
      if (v[i] < v[lo]) lo = i;
      if (v[hi] < v[i]) hi = i;
    }
    return any;
  }

  static bool minMaxRows(const Column& c, int64_t& lo, int64_t& hi) {
    switch (c.type().id()) {
      case TypeId::Boolean:
        return minMaxTyped<uint8_t>(c, lo, hi);
      case TypeId::Int8:
        return minMaxTyped<int8_t>(c, lo, hi);
      case TypeId::Int16:
        return minMaxTyped<int16_t>(c, lo, hi);
      case TypeId::Int32:
      case TypeId::Date:
        return minMaxTyped<int32_t>(c, lo, hi);
      case TypeId::Int64:
      case TypeId::Timestamp:
        return minMaxTyped<int64_t>(c, lo, hi);
      case TypeId::Float32:
        return minMaxTyped<float>(c, lo, hi);
      case TypeId::Float64:
        return minMaxTyped<double>(c, lo, hi);
      case TypeId::Decimal:
        return c.type().isWideDecimal() ? minMaxTyped<int128_t>(c, lo, hi)
                                        : minMaxTyped<int64_t>(c, lo, hi);
      case TypeId::String: {
        bool any = false;
        for (int64_t i = 0; i < c.size(); ++i) {
          if (c.isNull(i)) continue;
          if (!any) {
            lo = hi = i, any = true;
            continue;
          }
          std::string_view x = c.stringAt(i);
          if (x < c.stringAt(lo)) lo = i;
          if (c.stringAt(hi) < x) hi = i;
        }
        return any;
      }
      default:
        return false;
    }
  }

  static bool lessRows(const Column& a, int64_t i, const Column& b, int64_t j) {
    switch (a.type().id()) {
      case TypeId::Boolean:
        return a.valueAt<uint8_t>(i) < b.valueAt<uint8_t>(j);
      case TypeId::Int8:
        return a.valueAt<int8_t>(i) < b.valueAt<int8_t>(j);
      case TypeId::Int16:
        return a.valueAt<int16_t>(i) < b.valueAt<int16_t>(j);
      case TypeId::Int32:
      case TypeId::Date:
        return a.valueAt<int32_t>(i) < b.valueAt<int32_t>(j);
      case TypeId::Int64:
      case TypeId::Timestamp:
        return a.valueAt<int64_t>(i) < b.valueAt<int64_t>(j);
      case TypeId::Float32:
        return a.valueAt<float>(i) < b.valueAt<float>(j);
      case TypeId::Float64:
        return a.valueAt<double>(i) < b.valueAt<double>(j);
      case TypeId::String:
        return a.stringAt(i) < b.stringAt(j);
      case TypeId::Decimal:
        return a.type().isWideDecimal() ? a.valueAt<int128_t>(i) < b.valueAt<int128_t>(j)
                                        : a.valueAt<int64_t>(i) < b.valueAt<int64_t>(j);
      default:
        return false;
    }
  }

  Schema schema_;
  OutputStream out_;
  int codec_;
  int64_t rowGroupRows_;
  int64_t rowGroupBytes_;
  bool dictionary_;
  size_t pageBytes_;  // data page size target (values bytes before compression)
  ParquetFileMeta meta_;
  std::vector<std::vector<ColumnPtr>> pending_;
  int64_t pendingRows_ = 0;
  int64_t pendingBytes_ = 0;
  std::string compressed_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<BatchWriter> makeParquetWriter(const std::string& path, const Schema& schema,
                                               const FormatOptions& options) {
  return std::make_unique<ParquetWriterImpl>(path, schema, options);
}

}  // namespace ember
