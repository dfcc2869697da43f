#include "ember/sql/catalog.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "ember/common/errors.h"

namespace ember::sql {

namespace {
size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::vector<std::string> closestNames(const std::string& name,
                                      const std::vector<std::string>& candidates, size_t max) {
  std::string n = toLowerAscii(name);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    std::string lc = toLowerAscii(c);
    size_t d = editDistance(n, lc);
    bool related = lc.find(n) != std::string::npos || n.find(lc) != std::string::npos;
    if (d <= std::max<size_t>(2, n.size() / 3) || related) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [d, c] : scored) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    if (out.size() == max) break;
  }
  return out;
}

void Catalog::createTempView(const std::string& name, PlanPtr plan, bool replace) {
  std::lock_guard lock(mutex_);
  auto key = toLowerAscii(name);
  if (!replace && views_.count(key))
    throw UserError("temporary view '" + name +
                    "' already exists; use CREATE OR REPLACE TEMPORARY VIEW (or "
                    "createOrReplaceTempView) to replace it");
  views_[key] = {name, std::move(plan)};
}

void Catalog::registerTable(const std::string& name, TableInfo info, PlanPtr scan) {
  std::lock_guard lock(mutex_);
  views_[toLowerAscii(name)] = {name, std::move(scan)};
  tables_[toLowerAscii(name)] = std::move(info);
}

std::optional<TableInfo> Catalog::tableInfo(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = tables_.find(toLowerAscii(name));
  if (it == tables_.end()) return std::nullopt;
  return it->second;
}

PlanPtr Catalog::lookup(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (auto c = cached_.find(toLowerAscii(name)); c != cached_.end()) return c->second;
  auto it = views_.find(toLowerAscii(name));
  return it == views_.end() ? nullptr : it->second.second;
}

void Catalog::cacheTable(const std::string& name, PlanPtr plan) {
  PlanPtr old;
  {
    std::lock_guard lock(mutex_);
    auto& slot = cached_[toLowerAscii(name)];
    old = std::exchange(slot, std::move(plan));
  }
  if (old && cacheDropped_) cacheDropped_(old);
}

// Removes cached entries under the lock and tells the listener outside it.
template <class Pred>
static std::vector<PlanPtr> takeCached(std::map<std::string, PlanPtr>& cached, Pred pred) {
  std::vector<PlanPtr> out;
  for (auto it = cached.begin(); it != cached.end();) {
    if (pred(it->first)) {
      out.push_back(it->second);
      it = cached.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

bool Catalog::uncacheTable(const std::string& name) {
  std::vector<PlanPtr> dropped;
  {
    std::lock_guard lock(mutex_);
    std::string key = toLowerAscii(name);
    dropped = takeCached(cached_, [&](const std::string& n) { return n == key; });
  }
  for (const auto& p : dropped)
    if (cacheDropped_) cacheDropped_(p);
  return !dropped.empty();
}

void Catalog::invalidateCachesOf(const std::string& location) {
  std::vector<PlanPtr> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped = takeCached(cached_, [&](const std::string& n) {
      auto t = tables_.find(n);
      return t != tables_.end() && t->second.location == location;
    });
  }
  for (const auto& p : dropped)
    if (cacheDropped_) cacheDropped_(p);
}

void Catalog::clearCachedTables() {
  std::vector<PlanPtr> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped = takeCached(cached_, [](const std::string&) { return true; });
  }
  for (const auto& p : dropped)
    if (cacheDropped_) cacheDropped_(p);
}

bool Catalog::dropTempView(const std::string& name) {
  uncacheTable(name);
  std::lock_guard lock(mutex_);
  tables_.erase(toLowerAscii(name));
  return views_.erase(toLowerAscii(name)) > 0;
}

std::vector<std::string> Catalog::listViews() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [k, v] : views_) out.push_back(v.first);
  return out;
}

std::vector<std::string> Catalog::suggest(const std::string& name) const {
  return closestNames(name, listViews());
}

}  // namespace ember::sql
