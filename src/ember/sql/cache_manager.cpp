#include "ember/sql/cache_manager.h"

#include "ember/core/block_manager.h"
#include "ember/core/context.h"

namespace ember::sql {

CacheManager::~CacheManager() { clear(); }

void CacheManager::cache(const PlanPtr& plan, StorageLevel level) {
  if (level == StorageLevel::None) return;
  std::lock_guard lock(mutex_);
  auto& e = entries_[plan.get()];
  if (e) return;
  e = std::make_shared<CachedPlan>();
  e->plan = plan;
  e->level = level;
}

void CacheManager::dropBlocks(CachedPlan& c) {
  std::lock_guard lock(c.mutex);
  if (c.rdd) ctx_.blockManager().removeRdd(c.rdd->id());
  c.rdd.reset();
  c.physical.reset();  // frees the shuffle outputs its exchanges hold
  c.prepared = false;
}

bool CacheManager::uncache(const LogicalPlan* plan) {
  std::shared_ptr<CachedPlan> c;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(plan);
    if (it == entries_.end()) return false;
    c = it->second;
    entries_.erase(it);
  }
  dropBlocks(*c);
  return true;
}

void CacheManager::clear() {
  std::map<const LogicalPlan*, std::shared_ptr<CachedPlan>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(entries_);
  }
  for (auto& [p, c] : all) dropBlocks(*c);
}

std::shared_ptr<CachedPlan> CacheManager::lookup(const LogicalPlan* plan) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(plan);
  return it == entries_.end() ? nullptr : it->second;
}

bool CacheManager::empty() const {
  std::lock_guard lock(mutex_);
  return entries_.empty();
}

PlanPtr CacheManager::useCachedData(const PlanPtr& plan) const {
  if (auto c = lookup(plan.get())) {
    auto r = std::make_shared<LogicalPlan>();
    r->kind = PlanKind::InMemoryRelation;
    r->children = {plan};
    r->output = plan->output;
    r->cache = c;
    r->resolved = true;
    return r;
  }
  std::vector<PlanPtr> kids;
  bool changed = false;
  for (const auto& k : plan->children) {
    kids.push_back(useCachedData(k));
    changed |= kids.back() != k;
  }
  if (!changed) return plan;
  auto n = std::make_shared<LogicalPlan>(*plan);
  n->children = std::move(kids);
  return n;
}

}  // namespace ember::sql
