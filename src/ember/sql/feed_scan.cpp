// Reading feeds: a feed reference (path, optional version or timestamp) becomes a
// Parquet scan of exactly one snapshot's data files. Because data files are immutable
// and only VACUUM deletes them, the resolved plan keeps reading the same snapshot
// whatever commits happen meanwhile (this is what makes INSERT OVERWRITE of a feed the
// query reads safe).
#include <filesystem>
#include <functional>

#include "ember/common/errors.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/session_internal.h"

namespace fs = std::filesystem;

namespace ember::sql {

std::string feedCanonicalPath(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

namespace {
// Splits "dir@v12" / "dir@20261122100000000" (Delta's path syntax) when `dir` is a feed
// and the whole string is not.
bool splitTimeTravelPath(const std::string& spec, std::string& dir, std::string& key,
                         std::string& value) {
  size_t at = spec.rfind('@');
  if (at == std::string::npos || FeedLog(spec).exists()) return false;
  std::string suffix = spec.substr(at + 1);
  if (suffix.empty()) return false;
  bool digits = true;
  for (size_t i = (suffix[0] == 'v' || suffix[0] == 'V') ? 1 : 0; i < suffix.size(); ++i)
    digits = digits && std::isdigit(static_cast<unsigned char>(suffix[i]));
  if (!digits || suffix.size() < 2) return false;
  dir = spec.substr(0, at);
  if (suffix[0] == 'v' || suffix[0] == 'V') {
    key = "versionasof";
    value = suffix.substr(1);
    return true;
  }
  if (suffix.size() != 17)
    throw UserError("time travel path " + spec +
                    ": expected @v<version> or @yyyyMMddHHmmssSSS after the feed path");
  key = "timestampasof";
  value = suffix.substr(0, 4) + "-" + suffix.substr(4, 2) + "-" + suffix.substr(6, 2) + " " +
          suffix.substr(8, 2) + ":" + suffix.substr(10, 2) + ":" + suffix.substr(12, 2) + "." +
          suffix.substr(14, 3);
  return true;
}

int64_t parseVersion(const std::string& text) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw UserError("versionAsOf must be a version number (0, 1, ...), not '" + text + "'");
}
}  // namespace

bool splitFeedTimeTravelName(const std::string& name, std::string& base, std::string& key,
                             std::string& value) {
  size_t at = name.rfind("@ts=");
  if (at != std::string::npos && at > 0) {
    base = name.substr(0, at);
    key = "timestampasof";
    value = name.substr(at + 4);
    return true;
  }
  at = name.rfind("@v");
  if (at == std::string::npos || at == 0 || at + 2 >= name.size()) return false;
  for (size_t i = at + 2; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  base = name.substr(0, at);
  key = "versionasof";
  value = name.substr(at + 2);
  return true;
}

PlanPtr resolveFeedScan(const FileSource& src) {
  if (src.paths.size() != 1)
    throw UserError("a feed is read from exactly one path (the feed directory), got " +
                    std::to_string(src.paths.size()));
  std::map<std::string, std::string> options = src.options;
  std::string dir = src.paths[0], key, value;
  if (splitTimeTravelPath(src.paths[0], dir, key, value)) {
    if (options.count("versionasof") || options.count("timestampasof"))
      throw UserError("feed " + src.paths[0] + ": give the version either in the path or as " +
                      "versionAsOf / timestampAsOf, not both");
    options[key] = value;
  }
  if (options.count("versionasof") && options.count("timestampasof"))
    throw UserError("feed " + dir + ": give versionAsOf or timestampAsOf, not both");
  FeedLog log(dir);
  FeedSnapshot snap;
  if (auto v = options.find("versionasof"); v != options.end())
    snap = log.snapshotAt(parseVersion(v->second));
  else if (auto t = options.find("timestampasof"); t != options.end())
    snap = log.snapshotAtTimestamp(parseFeedTimestamp(t->second));
  else
    snap = log.latest();
  if (src.hasUserSchema && src.userSchema.size() > 0 && !(src.userSchema == snap.schema))
    throw UserError("feed " + dir + " has schema " + snap.schema.toString() +
                    "; a feed cannot be read with another schema (" + src.userSchema.toString() +
                    ")");
  std::string canonical = feedCanonicalPath(dir);
  if (snap.files.empty()) return localRelation({}, snap.schema);
  std::vector<std::string> files;
  for (const auto& [p, f] : snap.files) files.push_back(canonical + "/" + p);
  std::map<std::string, std::string> scanOptions;
  for (const auto& [k, v] : options)
    if (k != "path" && k != "versionasof" && k != "timestampasof") scanOptions[k] = v;
  scanOptions[kFeedPathOption] = canonical;
  scanOptions[kFeedVersionOption] = std::to_string(snap.version);
  return fileScan("parquet", files, scanOptions, &snap.schema);
}

PlanPtr feedScanRef(const std::string& path, const std::map<std::string, std::string>& options) {
  auto src = std::make_shared<FileSource>();
  src->format = "feed";
  src->paths = {path};
  for (const auto& [k, v] : options) src->options[toLowerAscii(k)] = v;
  auto p = std::make_shared<LogicalPlan>();
  p->kind = PlanKind::FileScan;
  p->source = src;
  return p;
}

int64_t feedVersionReadBy(const PlanPtr& plan, const std::string& canonicalPath) {
  if (!plan) return -1;
  if (plan->kind == PlanKind::FileScan && plan->source) {
    const auto& o = plan->source->options;
    auto p = o.find(kFeedPathOption);
    auto v = o.find(kFeedVersionOption);
    if (p != o.end() && v != o.end() && p->second == canonicalPath) return std::stoll(v->second);
    if (isFeedFormat(plan->source->format) && !plan->source->paths.empty() &&
        feedCanonicalPath(plan->source->paths[0]) == canonicalPath)
      return FeedLog(canonicalPath).latestVersion();
  }
  int64_t found = -1;
  for (const auto& c : plan->children) found = std::max(found, feedVersionReadBy(c, canonicalPath));
  std::function<void(const ExprPtr&)> scanExpr = [&](const ExprPtr& e) {
    if (!e) return;
    if (e->subquery) found = std::max(found, feedVersionReadBy(e->subquery, canonicalPath));
    for (const auto& a : e->args) scanExpr(a);
  };
  auto scanExprs = [&](const std::vector<ExprPtr>& exprs) {
    for (const auto& e : exprs) scanExpr(e);
  };
  scanExprs(plan->exprs);
  for (const auto& [n, cte] : plan->ctes)
    found = std::max(found, feedVersionReadBy(cte, canonicalPath));
  return found;
}

}  // namespace ember::sql
