// The Parquet format: footer-based schema, splits by row group, a reader with projection
// and row-group pruning from statistics, and the writer (parquet_writer.cpp).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/io/format_internal.h"
#include "ember/io/parquet_column_reader.h"
#include "ember/io/parquet_filter.h"
#include "ember/io/parquet_meta.h"

namespace ember {

std::unique_ptr<BatchWriter> makeParquetWriter(const std::string& path, const Schema& schema,
                                               const FormatOptions& options);
int parquetCodecOf(const FormatOptions& options);

namespace {

// Whether row group `g` lies in the split: listed, or (no list) its midpoint falls in the
// byte range, as Spark assigns row groups to byte-range splits.
bool inSplit(const FileSplit& s, const ParquetRowGroup& g, int index) {
  if (!s.rowGroups.empty())
    return std::find(s.rowGroups.begin(), s.rowGroups.end(), index) != s.rowGroups.end();
  if (g.columns.empty()) return s.start == 0;
  int64_t begin = g.columns.front().start();
  const ParquetChunk& last = g.columns.back();
  int64_t end = last.start() + last.totalCompressed;
  uint64_t mid = static_cast<uint64_t>(begin + (end - begin) / 2);
  return mid >= s.start && mid < s.start + s.length;
}

class ParquetReader final : public BatchReader {
 public:
  ParquetReader(const FileSplit& split, const Schema& schema, std::vector<int> projection,
                const std::vector<ColumnPredicate>& filters, int batchRows)
      : path_(split.path),
        metaPtr_(cachedParquetFooter(split.path)),
        meta_(*metaPtr_),
        schema_(schema),
        projection_(std::move(projection)),
        batchRows_(batchRows) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError("Cannot open Parquet file " + path_ + ": " + std::strerror(errno));
    // Data-schema column -> file column (by name; -1: absent from this file, read as nulls).
    fileIndex_.assign(schema.size(), -1);
    for (size_t i = 0; i < schema.size(); ++i)
      for (size_t c = 0; c < meta_.columns.size(); ++c)
        if (equalsIgnoreCase(meta_.columns[c].name, schema.field(i).name)) {
          const ParquetColumn& pc = meta_.columns[c];
          if (pc.type != schema.field(i).type)
            throw UserError("Parquet file " + path_ + " has column " + pc.name + " of type " +
                            pc.type.toString() + ", but the table schema says " +
                            schema.field(i).type.toString() +
                            " (files with different schemas must be read separately or with a "
                            "matching schema)");
          fileIndex_[i] = static_cast<int>(c);
          break;
        }
    for (int g = 0; g < static_cast<int>(meta_.rowGroups.size()); ++g) {
      const ParquetRowGroup& rg = meta_.rowGroups[static_cast<size_t>(g)];
      if (!inSplit(split, rg, g)) continue;
      if (g >= 0 && !mayMatch(rg, filters)) {
        skipped_ += rg.numRows;
        continue;
      }
      groups_.push_back(g);
    }
    // Late materialisation: predicates the reader can evaluate exactly per row.
    for (const auto& p : filters) {
      if (p.column < 0 || static_cast<size_t>(p.column) >= fileIndex_.size()) continue;
      int fc = fileIndex_[static_cast<size_t>(p.column)];
      if (fc >= 0 && rowFilterSupported(p, meta_.columns[static_cast<size_t>(fc)].type))
        rowFilters_.push_back({fc, p});
    }
  }
  ~ParquetReader() override {
    if (fd_ >= 0) ::close(fd_);
  }

  BatchPtr next() override {
    while (offset_ >= groupRows_) {
      if (nextGroup_ >= groups_.size()) return nullptr;
      loadGroup(groups_[nextGroup_++]);  // may leave no rows: all filtered out
      offset_ = 0;
    }
    int64_t n = std::min<int64_t>(batchRows_, groupRows_ - offset_);
    std::vector<ColumnPtr> cols;
    for (auto& c : current_)
      cols.push_back(offset_ == 0 && n == c->size() ? c : sliceColumn(*c, offset_, n));
    offset_ += n;
    return std::make_shared<Batch>(std::move(cols), n);
  }
  int64_t rowsSkipped() const override { return skipped_; }

 private:
  bool mayMatch(const ParquetRowGroup& rg, const std::vector<ColumnPredicate>& filters) const {
    for (const auto& p : filters) {
      if (p.column < 0 || static_cast<size_t>(p.column) >= fileIndex_.size()) continue;
      int fc = fileIndex_[static_cast<size_t>(p.column)];
      if (fc < 0) {  // absent column: all nulls
        if (p.op != ColumnPredicate::Op::kIsNull) return false;
        continue;
      }
      const ParquetColumn& col = meta_.columns[static_cast<size_t>(fc)];
      const ParquetStats& st = rg.columns[static_cast<size_t>(fc)].stats;
      Value mn = statValue(col, st.min), mx = statValue(col, st.max);
      // Strings compare bytewise only when the writer declared type-defined order.
      if (col.type.id() == TypeId::String && !meta_.typeDefinedOrder) mn = mx = Value();
      if (!rangeMayMatch(p, mn, mx, st.nullCount, rg.numRows)) return false;
    }
    return true;
  }

  // Decodes row group g's projected columns into current_. With row filters, the filter
  // columns are decoded first and the others only for the rows that pass them: the
  // engine re-applies every filter, so dropping rows here is only an optimisation.
  void loadGroup(int g) {
    const ParquetRowGroup& rg = meta_.rowGroups[static_cast<size_t>(g)];
    current_.clear();
    groupRows_ = 0;
    std::vector<ColumnPtr> full(meta_.columns.size());  // by file column, decoded whole
    std::vector<int32_t> sel;
    bool selective = false;
    if (!rowFilters_.empty()) {
      keep_.assign(static_cast<size_t>(rg.numRows), 1);
      for (const auto& [fc, pred] : rowFilters_) {
        ColumnPtr& c = full[static_cast<size_t>(fc)];
        if (!c) c = readChunk(g, fc, nullptr);
        narrowRows(*c, pred, keep_);
      }
      for (int64_t i = 0; i < rg.numRows; ++i)
        if (keep_[static_cast<size_t>(i)]) sel.push_back(static_cast<int32_t>(i));
      skipped_ += rg.numRows - static_cast<int64_t>(sel.size());
      if (sel.empty()) return;
      selective = static_cast<int64_t>(sel.size()) < rg.numRows;
    }
    const std::vector<int32_t>* selection = selective ? &sel : nullptr;
    int64_t rows = selective ? static_cast<int64_t>(sel.size()) : rg.numRows;
    for (int d : projection_) {
      int fc = fileIndex_[static_cast<size_t>(d)];
      const DataType& t = schema_.field(static_cast<size_t>(d)).type;
      if (fc < 0) {
        current_.push_back(Column::nulls(t, rows));
        continue;
      }
      const ColumnPtr& done = full[static_cast<size_t>(fc)];
      if (done)
        current_.push_back(selective ? takeColumn(*done, sel.data(), rows) : done);
      else
        current_.push_back(readChunk(g, fc, selection));
    }
    groupRows_ = rows;
  }

  ColumnPtr readChunk(int g, int fc, const std::vector<int32_t>* selection) {
    const ParquetRowGroup& rg = meta_.rowGroups[static_cast<size_t>(g)];
    const ParquetColumn& col = meta_.columns[static_cast<size_t>(fc)];
    const ParquetChunk& ch = rg.columns[static_cast<size_t>(fc)];
    std::string ctx = "file " + path_ + ", row group " + std::to_string(g) + ", column " + col.name;
    // The buffer only grows: resizing it down and up for every chunk zero-filled it again.
    size_t len = static_cast<size_t>(ch.totalCompressed);
    if (buf_.size() < len) buf_.resize(len);
    size_t got = 0;
    while (got < len) {
      ssize_t r = ::pread(fd_, buf_.data() + got, len - got,
                          static_cast<off_t>(ch.start() + static_cast<int64_t>(got)));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        throw IoError(
            "Cannot read " + ctx + " at byte " +
            std::to_string(ch.start() + static_cast<int64_t>(got)) +
            (r < 0 ? std::string(": ") + std::strerror(errno) : ": unexpected end of file"));
      got += static_cast<size_t>(r);
    }
    return decodeColumnChunk(reinterpret_cast<const uint8_t*>(buf_.data()), len, ch.start(), col,
                             ch, rg.numRows, ctx, selection);
  }

  struct RowFilter {
    int fileColumn;
    ColumnPredicate pred;
  };

  std::string path_;
  std::shared_ptr<const ParquetFileMeta> metaPtr_;  // shared with the footer cache
  const ParquetFileMeta& meta_;
  Schema schema_;
  std::vector<int> projection_;
  int batchRows_;
  int fd_ = -1;
  std::vector<int> fileIndex_;
  std::vector<int> groups_;
  size_t nextGroup_ = 0;
  std::vector<ColumnPtr> current_;
  int64_t groupRows_ = 0;
  int64_t offset_ = 0;
  int64_t skipped_ = 0;
  std::string buf_;
  std::vector<RowFilter> rowFilters_;
  std::vector<uint8_t> keep_;
};

class ParquetFormat final : public FileFormat {
 public:
  std::string name() const override { return "parquet"; }

  Schema inferSchema(const std::vector<std::string>& files, const FormatOptions&) const override {
    if (files.empty()) throw UserError("Unable to infer schema for Parquet: no input files");
    Schema first = cachedParquetFooter(files[0])->schema();
    for (size_t i = 1; i < files.size(); ++i) {
      Schema s = cachedParquetFooter(files[i])->schema();
      if (s.size() != first.size())
        throw UserError("Parquet files have different schemas: " + files[0] + " (" +
                        first.toString() + ") and " + files[i] + " (" + s.toString() + ")");
      for (size_t c = 0; c < s.size(); ++c)
        if (!equalsIgnoreCase(s.field(c).name, first.field(c).name) ||
            s.field(c).type != first.field(c).type)
          throw UserError("Parquet files have different schemas: " + files[0] + " (" +
                          first.toString() + ") and " + files[i] + " (" + s.toString() + ")");
    }
    // Spark reads every Parquet column as nullable.
    std::vector<Field> f = first.fields();
    for (auto& x : f) x.nullable = true;
    return Schema(std::move(f));
  }

  std::vector<FileSplit> planSplits(const std::vector<std::string>& files, const FormatOptions&,
                                    uint64_t target) const override {
    std::vector<FileSplit> out;
    for (const auto& path : files) {
      uint64_t size = fileSizeOf(path);
      std::shared_ptr<const ParquetFileMeta> footer = cachedParquetFooter(path);
      const ParquetFileMeta& m = *footer;
      FileSplit cur{path, 0, 0, size, {}};
      uint64_t bytes = 0;
      for (int g = 0; g < static_cast<int>(m.rowGroups.size()); ++g) {
        uint64_t gb = 0;
        for (const auto& c : m.rowGroups[static_cast<size_t>(g)].columns)
          gb += static_cast<uint64_t>(c.totalCompressed);
        if (!cur.rowGroups.empty() && bytes + gb > target) {
          out.push_back(cur);
          cur.rowGroups.clear();
          bytes = 0;
        }
        cur.rowGroups.push_back(g);
        bytes += gb;
        cur.length = bytes;
      }
      if (!cur.rowGroups.empty()) out.push_back(cur);
    }
    return out;
  }

  std::unique_ptr<BatchReader> open(const FileSplit& split, const Schema& schema,
                                    const std::vector<int>& projection,
                                    const std::vector<ColumnPredicate>& filters,
                                    const FormatOptions&, int batchRows) const override {
    checkProjection(schema, projection);
    return std::make_unique<ParquetReader>(split, schema, projection, filters,
                                           std::max(1, batchRows));
  }

  std::unique_ptr<BatchWriter> createWriter(const std::string& path, const Schema& schema,
                                            const FormatOptions& options) const override {
    return makeParquetWriter(path, schema, options);
  }

  std::string fileExtension(const FormatOptions& options) const override {
    switch (parquetCodecOf(options)) {
      case 1:
        return ".snappy.parquet";
      case 2:
        return ".gz.parquet";
      case 6:
        return ".zstd.parquet";
      default:
        return ".parquet";
    }
  }
};

}  // namespace

const FileFormat& parquetFileFormat() {
  static const ParquetFormat f;
  return f;
}

}  // namespace ember
