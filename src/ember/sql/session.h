// The entry point of the DataFrame/SQL API (Spark's SparkSession).
//
//   auto ctx = ember::Context::fromArgs(argc, argv);
//   ember::sql::Session spark(*ctx);
//   auto df = spark.read().option("header", "true").csv("people.csv");
//   df.filter("age > 21").groupBy("city").agg({count("*")}).show();
//   spark.sql("SELECT city, count(*) FROM people GROUP BY 1").show();
//
// A Session owns the catalog of temporary views and the SQL configuration
// (ember.sql.* keys, seeded from the context's Config, changeable with SET). Queries run
// as jobs on the context's scheduler. Thread-safe: several threads may run queries.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/columnar/value.h"
#include "ember/sql/logical_plan.h"

namespace ember {
class Context;
}

namespace ember::sql {

class DataFrame;
class DataFrameReader;
class Catalog;

class CacheManager;

class Session {
 public:
  explicit Session(Context& ctx);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one statement. Queries return their lazy result; DDL/DML run at once and
  // return an empty (or status) DataFrame, as Spark's spark.sql does.
  DataFrame sql(const std::string& text);
  DataFrameReader read();
  DataFrame table(const std::string& name);
  // A DataFrame of in-memory rows with the given schema ("a INT, b STRING" or Schema).
  DataFrame createDataFrame(const std::vector<Row>& rows, const Schema& schema);
  DataFrame range(int64_t start, int64_t end, int64_t step = 1, int numPartitions = 0);

  Catalog& catalog();
  Context& context() { return ctx_; }
  // Cached DataFrames and tables (df.cache(), CACHE TABLE); clearCache() drops all.
  CacheManager& cacheManager();
  void clearCache();

  // ember.sql.* settings (and any key): session-local, seeded from the context.
  std::string getConf(const std::string& key) const;
  void setConf(const std::string& key, const std::string& value);
  std::map<std::string, std::string> allConf() const;

  // Resolves a plan against this session's catalog (errors point into `sqlText`).
  PlanPtr analyzePlan(const PlanPtr& plan, const std::string& sqlText);

 private:
  Context& ctx_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<CacheManager> cacheManager_;
  mutable std::mutex confMutex_;
  std::map<std::string, std::string> conf_;
};

}  // namespace ember::sql
