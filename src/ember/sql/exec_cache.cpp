#include "ember/sql/exec_cache.h"

#include "ember/common/errors.h"
#include "ember/core/rdd_base.h"
#include "ember/sql/cache_manager.h"
#include "ember/sql/exec_exchange.h"

namespace ember::sql {

InMemoryScanExec::InMemoryScanExec(std::shared_ptr<CachedPlan> cache, std::vector<Attribute> out)
    : cache_(std::move(cache)) {
  output = std::move(out);
  std::lock_guard lock(cache_->mutex);
  EMBER_CHECK(cache_->physical != nullptr, "a cached plan must be planned before it is scanned");
  level_ = cache_->level;
  children = {cache_->physical};
}

InMemoryScanExec::InMemoryScanExec(std::vector<Attribute> out, PhysicalPtr child, int rddId,
                                   StorageLevel level)
    : level_(level) {
  output = std::move(out);
  rdd_ = makeCachedPlanRdd(nullptr, rddId, child, level);
  children = {std::move(child)};
}

std::string InMemoryScanExec::describe() const {
  return std::string("InMemoryTableScan [") + storageLevelName(level_) + "]" +
         (rdd_ ? " rdd " + std::to_string(rdd_->id()) : "");
}

void InMemoryScanExec::prepare(Context& ctx) {
  // The shared child is prepared (its exchanges registered, broadcasts built) once for
  // all queries that read the cache.
  std::lock_guard lock(cache_->mutex);
  if (!cache_->prepared) {
    cache_->physical->prepare(ctx);
    cache_->rdd = makeCachedPlanRdd(&ctx, -1, cache_->physical, cache_->level);
    cache_->prepared = true;
  }
  rdd_ = cache_->rdd;
}

StreamPtr InMemoryScanExec::execute(int partition, TaskContext& ctx) const {
  EMBER_CHECK(rdd_ != nullptr, "InMemoryTableScan executed before prepare()");
  return instrument(cachedPartition(*rdd_, partition, ctx), *this);
}

}  // namespace ember::sql
