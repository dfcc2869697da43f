// spark.read: DataFrames over files.
//
//   spark.read().option("header", "true").option("inferSchema", "true").csv("data/*.csv")
//   spark.read().schema("a INT, b STRING").format("json").load("events/")
//   spark.read().parquet("lineitem.parquet")
//
// Options are the format's (see docs/formats.md); the schema is inferred when none is
// given. Paths may be files, directories or globs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ember/sql/dataframe.h"

namespace ember::sql {

class DataFrameReader {
 public:
  explicit DataFrameReader(Session& session) : session_(session) {}
  DataFrameReader& format(const std::string& f);
  DataFrameReader& option(const std::string& key, const std::string& value);
  DataFrameReader& options(const std::map<std::string, std::string>& kv);
  DataFrameReader& schema(const Schema& s);
  DataFrameReader& schema(const std::string& ddl);  // "a INT, b STRING"
  DataFrame load(const std::string& path);
  DataFrame load(const std::vector<std::string>& paths);
  DataFrame csv(const std::string& path) { return format("csv").load(path); }
  DataFrame parquet(const std::string& path) { return format("parquet").load(path); }
  DataFrame json(const std::string& path) { return format("json").load(path); }
  DataFrame text(const std::string& path) { return format("text").load(path); }

 private:
  Session& session_;
  std::string format_ = "parquet";
  std::map<std::string, std::string> options_;
  Schema schema_;
};

}  // namespace ember::sql
