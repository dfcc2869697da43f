// Per-file column statistics for the feed log (min, max and null count per column).
#include <cmath>
#include <nlohmann/json.hpp>

#include "ember/sql/feed_internal.h"

using Json = nlohmann::json;

namespace ember::sql {

namespace {
// Running min/max/null count of one column, for the log's per-file stats.
struct ColumnStats {
  bool supported = false;
  bool any = false;
  Value min, max;
  int64_t nulls = 0;
};

int compareValues(const Value& a, const Value& b) {
  switch (a.type().id()) {
    case TypeId::Float32:
    case TypeId::Float64: {
      double x = a.asDouble(), y = b.asDouble();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::Decimal:
      return a.asInt128() < b.asInt128() ? -1 : (a.asInt128() > b.asInt128() ? 1 : 0);
    case TypeId::String:
      return a.asString().compare(b.asString());
    default:
      return a.asInt64() < b.asInt64() ? -1 : (a.asInt64() > b.asInt64() ? 1 : 0);
  }
}

bool statsSupported(const DataType& t) {
  switch (t.id()) {
    case TypeId::Boolean:
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
    case TypeId::Float32:
    case TypeId::Float64:
    case TypeId::Decimal:
    case TypeId::String:
    case TypeId::Date:
    case TypeId::Timestamp:
      return true;
    default:
      return false;
  }
}

Json statJson(const Value& v) {
  switch (v.type().id()) {
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
      return v.asInt64();
    case TypeId::Float32:
    case TypeId::Float64:
      return std::isfinite(v.asDouble()) ? Json(v.asDouble()) : Json(v.toString());
    case TypeId::Boolean:
      return v.asBool();
    case TypeId::String:
      return v.asString();
    default:
      return v.toString();
  }
}

}  // namespace

struct FeedFileStats::Impl {
  Schema schema;
  std::vector<ColumnStats> columns;
};

FeedFileStats::FeedFileStats(const Schema& schema) : impl_(std::make_unique<Impl>()) {
  impl_->schema = schema;
  impl_->columns.resize(schema.size());
  for (size_t c = 0; c < schema.size(); ++c)
    impl_->columns[c].supported = statsSupported(schema.field(c).type);
}
FeedFileStats::~FeedFileStats() = default;

void FeedFileStats::add(const Batch& b) {
  for (size_t c = 0; c < impl_->columns.size(); ++c) {
    ColumnStats& s = impl_->columns[c];
    const Column& column = *b.columns[c];
    s.nulls += column.nullCount();
    if (!s.supported) continue;
    for (int64_t r = 0; r < b.numRows; ++r) {
      if (column.isNull(r)) continue;
      Value v = Value::fromColumn(column, r);
      if (!s.any || compareValues(v, s.min) < 0) s.min = v;
      if (!s.any || compareValues(v, s.max) > 0) s.max = v;
      s.any = true;
    }
  }
}

std::string FeedFileStats::toJson() const {
  Json st = Json::object();
  for (size_t c = 0; c < impl_->columns.size(); ++c) {
    const ColumnStats& s = impl_->columns[c];
    Json one = {{"nullCount", s.nulls}};
    if (s.any) {
      one["min"] = statJson(s.min);
      one["max"] = statJson(s.max);
    }
    st[impl_->schema.field(c).name] = one;
  }
  return st.dump();
}

}  // namespace ember::sql
