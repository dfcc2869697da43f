// The session's catalog: temporary views (and, later, tables of the `ember` format).
// Names are case-insensitive. Views hold the plan they were defined with; each
// reference re-analyses it, so two references to one view get distinct attribute ids
// (self-joins work).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ember/sql/logical_plan.h"

namespace ember::sql {

// A table: files in a directory, written through a format (CREATE TABLE ... USING).
struct TableInfo {
  std::string format;
  std::string location;
  std::map<std::string, std::string> options;
  Schema schema;
  std::vector<std::string> partitionBy;  // PARTITIONED BY columns (Hive directories)
};

class Catalog {
 public:
  // Registers a table; its scan plan is what queries read (also listed as a view).
  void registerTable(const std::string& name, TableInfo info, PlanPtr scan);
  std::optional<TableInfo> tableInfo(const std::string& name) const;

  // Throws UserError if the view exists and !replace.
  void createTempView(const std::string& name, PlanPtr plan, bool replace);
  // Null if unknown.
  PlanPtr lookup(const std::string& name) const;
  bool dropTempView(const std::string& name);
  // CACHE TABLE name: `plan` (an in-memory copy) answers lookups of `name` until
  // uncacheTable(name) or a write to the table's location (invalidateCachesOf) drops it,
  // so a cached table never hides rows written after it was cached.
  void cacheTable(const std::string& name, PlanPtr plan);
  bool uncacheTable(const std::string& name);
  void invalidateCachesOf(const std::string& location);
  void clearCachedTables();
  // Told about each cached plan that stops answering lookups (its blocks can go). Set
  // once by the session.
  void setCacheDroppedListener(std::function<void(const PlanPtr&)> l) {
    cacheDropped_ = std::move(l);
  }
  std::vector<std::string> listViews() const;
  // Closest names, for "did you mean".
  std::vector<std::string> suggest(const std::string& name) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::string, PlanPtr>> views_;  // lower name -> (name, plan)
  std::map<std::string, TableInfo> tables_;                       // lower name -> table
  std::map<std::string, PlanPtr> cached_;                         // lower name -> cached plan
  std::function<void(const PlanPtr&)> cacheDropped_;
};

// Up to `max` candidates within a small edit distance of `name` (case-insensitive),
// closest first.
std::vector<std::string> closestNames(const std::string& name,
                                      const std::vector<std::string>& candidates, size_t max = 3);

}  // namespace ember::sql
