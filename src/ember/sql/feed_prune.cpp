// File pruning for MERGE from the log's per-file statistics: a target file whose key
// range [min, max] cannot overlap the source's key range holds no matching row, so MERGE
// neither joins it nor rewrites it.
#include <nlohmann/json.hpp>
#include <numeric>

#include "ember/sql/column.h"
#include "ember/sql/feed_internal.h"

using Json = nlohmann::json;

namespace ember::sql {

namespace {
using namespace functions;

enum class KeyFamily { None, Integer, String };

KeyFamily familyOf(const DataType& t) {
  switch (t.id()) {
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
      return KeyFamily::Integer;
    case TypeId::String:
      return KeyFamily::String;
    default:
      return KeyFamily::None;
  }
}

struct Key {
  std::string target;  // the target column's name as the log's stats spell it
  std::string source;
  KeyFamily family;
};

// Conjuncts `target.a = source.b` (either order) of the condition, over keys of one
// family (integers, or strings).
void equalityKeys(const ExprPtr& e, const Schema& target, const Schema& source,
                  const std::string& targetAlias, const std::string& sourceAlias,
                  std::vector<Key>& out) {
  if (!e || e->kind != ExprKind::Call) return;
  if (e->name == "and" && e->args.size() == 2) {
    for (const auto& a : e->args) equalityKeys(a, target, source, targetAlias, sourceAlias, out);
    return;
  }
  if (e->name != "=" || e->args.size() != 2) return;
  const ExprPtr* t = nullptr;
  const ExprPtr* s = nullptr;
  for (const auto& a : e->args) {
    if (a->kind != ExprKind::ColumnRef || a->qualifier.empty()) return;
    if (equalsIgnoreCase(a->qualifier.back(), targetAlias)) t = &a;
    if (equalsIgnoreCase(a->qualifier.back(), sourceAlias)) s = &a;
  }
  if (!t || !s || t == s) return;
  int ti = target.indexOf((*t)->name), si = source.indexOf((*s)->name);
  if (ti < 0 || si < 0) return;
  KeyFamily f = familyOf(target.field(static_cast<size_t>(ti)).type);
  if (f == KeyFamily::None || f != familyOf(source.field(static_cast<size_t>(si)).type)) return;
  out.push_back(
      {target.field(static_cast<size_t>(ti)).name, source.field(static_cast<size_t>(si)).name, f});
}

// False if the file's [min, max] of the key (from `stats`) cannot contain a value in
// [lo, hi]; true when unknown.
bool mayOverlap(const Json& stats, const Key& k, int64_t rows, const Value& lo, const Value& hi) {
  if (!stats.contains(k.target)) return true;
  const Json& c = stats[k.target];
  if (!c.contains("min") || !c.contains("max"))
    return c.value("nullCount", int64_t{-1}) != rows;  // all NULL: never equal
  try {
    if (k.family == KeyFamily::Integer)
      return !(hi.asInt64() < c["min"].get<int64_t>() || lo.asInt64() > c["max"].get<int64_t>());
    return !(hi.asString() < c["min"].get<std::string>() ||
             lo.asString() > c["max"].get<std::string>());
  } catch (const Json::exception&) {
    return true;  // stats of another shape: no pruning
  }
}
}  // namespace

std::vector<int> feedFilesMatchingKeys(const FeedSnapshot& snap,
                                       const std::vector<std::string>& files,
                                       const DataFrame& source, const std::string& sourceAlias,
                                       const std::string& targetAlias, const ExprPtr& condition) {
  std::vector<int> all(files.size());
  std::iota(all.begin(), all.end(), 0);
  std::vector<Key> keys;
  equalityKeys(condition, snap.schema, source.schema(), targetAlias, sourceAlias, keys);
  if (keys.empty() || files.empty()) return all;
  std::vector<ExprPtr> aggs;
  for (const auto& k : keys) {
    aggs.push_back(min(col(k.source, {sourceAlias})));
    aggs.push_back(max(col(k.source, {sourceAlias})));
  }
  Row range = source.agg(aggs).collect().at(0);  // one job over the source
  std::vector<int> out;
  for (int i : all) {
    const FeedFile& f = snap.files.at(files[static_cast<size_t>(i)]);
    Json stats = Json::parse(f.statsJson.empty() ? "{}" : f.statsJson);
    bool possible = true;
    for (size_t j = 0; j < keys.size() && possible; ++j) {
      const Value& lo = range[2 * j];
      const Value& hi = range[2 * j + 1];
      // No non-NULL source key: nothing can match (NULL = x is never true).
      possible = !lo.isNull() && mayOverlap(stats, keys[j], f.rows, lo, hi);
    }
    if (possible) out.push_back(i);
  }
  return out;
}

}  // namespace ember::sql
