#include "ember/sql/session.h"

#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/io/file_format.h"
#include "ember/io/file_listing.h"
#include "ember/io/partitioning.h"
#include "ember/sql/analyzer.h"
#include "ember/sql/cache_manager.h"
#include "ember/sql/catalog.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/parser.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/reader.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

namespace {
const bool kKeysRegistered = [] {
  Config::registerKey(
      {"ember.sql.shuffle.partitions", "8",
       "Partitions of the shuffles of DataFrame and SQL queries (joins, aggregations)."});
  Config::registerKey(
      {"ember.sql.autoBroadcastJoinThreshold", "10m",
       "Largest estimated size of a join side that is broadcast to every task instead of "
       "shuffled; -1 disables broadcast joins."});
  Config::registerKey(
      {"ember.sql.files.maxPartitionBytes", "128m",
       "Largest number of bytes of input files packed into one partition of a scan."});
  Config::registerKey({"ember.sql.batchSize", "4096", "Rows per columnar batch read from files."});
  Config::registerKey(
      {"ember.sql.sort.rangePartitionMinBytes", "64m",
       "ORDER BY over an input estimated at least this large sorts in parallel: rows are "
       "range-partitioned by sampled bounds into ember.sql.shuffle.partitions partitions; "
       "smaller inputs sort in one partition."});
  Config::registerKey(
      {"ember.sql.warehouse.dir", "ember-warehouse",
       "Directory of tables created without a LOCATION (CREATE TABLE t USING fmt AS ...)."});
  return true;
}();

}  // namespace

Session::Session(Context& ctx)
    : ctx_(ctx),
      catalog_(std::make_unique<Catalog>()),
      cacheManager_(std::make_unique<CacheManager>(ctx)) {
  (void)kKeysRegistered;
  // A cached table dropped from the catalog (UNCACHE, a write to its files) frees its
  // blocks.
  catalog_->setCacheDroppedListener(
      [this](const PlanPtr& plan) { cacheManager_->uncache(plan.get()); });
}
Session::~Session() = default;

Catalog& Session::catalog() { return *catalog_; }
CacheManager& Session::cacheManager() { return *cacheManager_; }
void Session::clearCache() {
  catalog_->clearCachedTables();
  cacheManager_->clear();
}

std::string Session::getConf(const std::string& key) const {
  {
    std::lock_guard lock(confMutex_);
    auto it = conf_.find(key);
    if (it != conf_.end()) return it->second;
  }
  return ctx_.conf().get(key);
}

void Session::setConf(const std::string& key, const std::string& value) {
  std::lock_guard lock(confMutex_);
  conf_[key] = value;
}

std::map<std::string, std::string> Session::allConf() const {
  std::map<std::string, std::string> all;
  for (const auto& [k, v, origin] : ctx_.conf().entries(true)) all[k] = v;
  std::lock_guard lock(confMutex_);
  for (const auto& [k, v] : conf_) all[k] = v;
  return all;
}

PlanPtr Session::analyzePlan(const PlanPtr& plan, const std::string& sqlText) {
  AnalyzerContext actx;
  actx.catalog = catalog_.get();
  actx.cache = cacheManager_.get();
  actx.sqlText = sqlText;
  actx.fileSchema = [](const FileSource& src) { return fileSourceSchema(src); };
  return analyze(plan, actx);
}

DataFrameReader Session::read() { return DataFrameReader(*this); }

DataFrame Session::table(const std::string& name) {
  auto rel = std::make_shared<LogicalPlan>();
  rel->kind = PlanKind::UnresolvedRelation;
  rel->name = {name};
  return DataFrame(this, analyzePlan(rel, ""));
}

DataFrame Session::createDataFrame(const std::vector<Row>& rows, const Schema& schema) {
  return DataFrame(this, localRelation(rows, schema));
}

DataFrame Session::range(int64_t start, int64_t end, int64_t step, int numPartitions) {
  if (step == 0) throw UserError("range step must not be 0");
  if (numPartitions < 0) throw UserError("range numPartitions must not be negative");
  // Generated lazily by the tasks (RangeExec): range(0, 1e10) costs no driver memory.
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::Range;
  p->rangeStart = start;
  p->rangeEnd = end;
  p->rangeStep = step;
  p->rangePartitions = numPartitions;
  p->output = {{"id", DataType::int64(), false, newAttributeId(), {}}};
  p->resolved = true;
  return DataFrame(this, p);
}

DataFrame Session::sql(const std::string& text) {
  Statement st = parseStatement(text);
  return runStatement(*this, st, text);
}

// Rows -> a resolved LocalRelation.
PlanPtr localRelation(const std::vector<Row>& rows, const Schema& schema) {
  auto b = std::make_shared<Batch>();
  for (const auto& f : schema.fields()) b->columns.push_back(std::make_shared<Column>(f.type));
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != schema.size())
      throw UserError("row " + std::to_string(r) + " has " + std::to_string(rows[r].size()) +
                      " values but the schema has " + std::to_string(schema.size()) + " columns");
    for (size_t c = 0; c < schema.size(); ++c) {
      const Value& v = rows[r][c];
      if (!v.isNull() && v.type() != schema.field(c).type &&
          !(v.type().isNumeric() && schema.field(c).type.isNumeric()) &&
          schema.field(c).type.id() != TypeId::String)
        throw UserError("row " + std::to_string(r) + ", column " + schema.field(c).name +
                        ": value " + v.toString() + " of type " + v.type().toString() +
                        " does not fit " + schema.field(c).type.toString());
      v.appendTo(*b->columns[c]);
    }
  }
  b->numRows = static_cast<int64_t>(rows.size());
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::LocalRelation;
  p->rows = {b};
  for (const auto& f : schema.fields())
    p->output.push_back({f.name, f.type, f.nullable, newAttributeId(), {}});
  p->resolved = true;
  return p;
}

Schema fileSourceSchema(const FileSource& src) {
  if (src.hasUserSchema) return src.userSchema;
  if (src.paths.empty())
    throw UserError("a " + src.format + " source needs a path (OPTIONS (path '...') or read()." +
                    src.format + "(path))");
  FormatOptions opts;
  for (const auto& [k, v] : src.options) opts.set(k, v);
  // Hive-partitioned directories: the files' columns, then the partition columns.
  PartitionedFiles listing = listPartitionedFiles(src.paths, opts);
  std::vector<std::string> files;
  for (const auto& f : listing.files) files.push_back(f.path);
  if (files.empty() && !listing.partitionFields.empty())
    throw UserError("partitioned directory " + src.paths[0] + " holds no data files");
  Schema data = FileFormat::forName(src.format).inferSchema(files, opts);
  if (listing.partitionFields.empty()) return data;
  std::vector<Field> fields = data.fields();
  for (const auto& f : listing.partitionFields) {
    if (data.indexOf(f.name) >= 0)
      throw UserError("column " + f.name + " of " + src.paths[0] +
                      " is both in the data files and a partition directory (" + f.name +
                      "=...); rename one of them");
    fields.push_back(f);
  }
  return Schema(std::move(fields));
}

PlanPtr fileScan(const std::string& format, std::vector<std::string> paths,
                 std::map<std::string, std::string> options, const Schema* schema) {
  auto src = std::make_shared<FileSource>();
  src->format = toLowerAscii(format);
  src->paths = std::move(paths);
  for (auto& [k, v] : options) src->options[toLowerAscii(k)] = v;
  if (src->paths.empty()) {
    auto it = src->options.find("path");
    if (it != src->options.end()) src->paths = {it->second};
  }
  if (schema && schema->size() > 0) {
    src->userSchema = *schema;
    src->hasUserSchema = true;
  } else {
    src->userSchema = fileSourceSchema(*src);
    src->hasUserSchema = true;
  }
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::FileScan;
  p->source = src;
  for (const auto& f : src->userSchema.fields())
    p->output.push_back({f.name, f.type, true, newAttributeId(), {}});
  p->resolved = true;
  return p;
}

}  // namespace ember::sql
