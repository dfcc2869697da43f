// Writing query results to files (df.write, CREATE TABLE AS SELECT, INSERT,
// INSERT OVERWRITE DIRECTORY).
//
// Every write is a job whose tasks write one part file each into a staging directory
// (io/output_commit.h); the driver then commits:
//   error / errorifexists (default)  fails if the target exists
//   ignore                           does nothing if the target exists
//   overwrite                        the old directory is moved aside, the new one
//                                    renamed into place, the old one removed; a query that
//                                    reads the target it overwrites is safe, because
//                                    every task has finished reading before the swap
//   append                           part files are moved into the existing directory
// A failed or killed job leaves the target as it was.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ember/sql/dataframe.h"

namespace ember::sql {

class DataFrameWriter {
 public:
  explicit DataFrameWriter(DataFrame df);
  DataFrameWriter& format(const std::string& f);
  // error | errorifexists | append | overwrite | ignore
  DataFrameWriter& mode(const std::string& m);
  DataFrameWriter& option(const std::string& key, const std::string& value);
  DataFrameWriter& options(const std::map<std::string, std::string>& kv);
  // Hive-style output: one directory level per column (`year=2024/month=5/part-...`);
  // the files hold the other columns. Reading the directory back restores them
  // (io/partitioning.h). Spark's name and behaviour.
  DataFrameWriter& partitionBy(std::vector<std::string> columns);
  void save(const std::string& path);
  void csv(const std::string& path) { format("csv").save(path); }
  void parquet(const std::string& path) { format("parquet").save(path); }
  void json(const std::string& path) { format("json").save(path); }

 private:
  DataFrame df_;
  std::string format_ = "parquet";
  std::string mode_ = "error";
  std::map<std::string, std::string> options_;
  std::vector<std::string> partitionBy_;
};

// Writes `df` to `path` (see the modes above); returns the number of rows written.
int64_t writeFiles(const DataFrame& df, const std::string& format, const std::string& path,
                   const std::string& mode, const std::map<std::string, std::string>& options,
                   const std::vector<std::string>& partitionBy = {});

}  // namespace ember::sql
