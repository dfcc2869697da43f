// File-format benchmarks of issue 4 through Ember's public SQL/DataFrame API, on TPC-H lineitem
// (the files of ../shared/peers/gen/tpch.js): the same measurements that bench/formats_peers.js
// runs in DuckDB and Polars.
//
//   format_bench [--master local[N]] [--conf k=v]... CSV_FILE PARQUET_FILE WRITE_DIR SCHEMA_SQL
//                REPS [MEASUREMENTS]
//     CSV_FILE      lineitem.csv ('|'-delimited, header line)
//     PARQUET_FILE  lineitem.parquet
//     WRITE_DIR     output directory of parquet_write (deleted before each run, left in place
//                   after the last one for cross-checks)
//     SCHEMA_SQL    ../shared/tpch/schema.sql: the CSV's column types (no inference)
//     MEASUREMENTS  comma-separated subset of csv_scan, parquet_filter_key, parquet_filter_date,
//                   parquet_write (default: all four)
//
//   csv_scan             CREATE TEMPORARY VIEW ... (columns) USING csv; count(*), sum(price)
//   parquet_filter_key   USING parquet; l_orderkey BETWEEN 3000000 AND 3059999 (~1% of the
//                        rows, clustered: row-group statistics can skip the rest)
//   parquet_filter_date  l_shipdate BETWEEN 1995-03-01 AND 1995-03-25 (~1%, spread over every
//                        row group: a full scan of the two columns)
//   parquet_write        spark.read().parquet(PARQUET_FILE).write().option("compression",
//                        "snappy").parquet(WRITE_DIR); the result is the row count and price sum
//                        read back from WRITE_DIR (untimed)
//
// Each measurement: one untimed warm-up, then REPS timed runs (only the warm-up when it took
// more than SLOW seconds, env SLOW, default 30), all in this one process.
// stdout: ember,formats,<measurement>,<threads>,<median s>,<count>;<sum>,<runs ';'-joined>
// stderr: every run and the stages of each timed run. Exit status 1 when a measurement fails
// or its runs disagree.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "bench_util.h"
#include "ember/core/event_bus.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/reader.h"
#include "ember/sql/session.h"
#include "ember/sql/writer.h"

namespace {

const char* const kMeasurements[] = {"csv_scan", "parquet_filter_key", "parquet_filter_date",
                                     "parquet_write"};
const char* const kAggregates = "SELECT count(*) AS n, sum(l_extendedprice) AS s FROM ";


// The column list of `CREATE TABLE lineitem (...)` in schema.sql.
std::string lineitemColumns(const std::string& schemaFile) {
  std::string text = bench::readFile(schemaFile);
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(CREATE TABLE lineitem \(([^;]*)\);)"))) {
    std::cerr << schemaFile << ": no CREATE TABLE lineitem (...);\n";
    std::exit(2);
  }
  return m[1];
}

// "count;sum" of a one-row (n, s) result.
std::string resultOf(const std::vector<ember::Row>& rows) {
  if (rows.size() != 1 || rows[0].size() != 2) return "bad-result";
  return rows[0][0].toString() + ";" + rows[0][1].toString();
}

// The same count and sums within a relative 1e-9: DOUBLE sums (the Parquet columns) change in
// the last digits with the order of addition, i.e. with the thread count and task timing.
bool allAgree(const std::set<std::string>& results) {
  if (results.empty()) return false;
  auto split = [](const std::string& r) {
    size_t i = r.find(';');
    return std::make_pair(r.substr(0, i), i == std::string::npos ? 0.0 : std::atof(&r[i + 1]));
  };
  auto [n0, s0] = split(*results.begin());
  for (const auto& r : results) {
    auto [n, s] = split(r);
    if (n != n0 || std::abs(s - s0) > 1e-9 * std::max(std::abs(s), std::abs(s0))) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "CSV_FILE PARQUET_FILE WRITE_DIR SCHEMA_SQL REPS [csv_scan,parquet_filter_key,"
      "parquet_filter_date,parquet_write]";
  std::vector<std::string> pos;
  auto ctx = bench::makeContext(argc, argv, usage, &pos);
  if (pos.size() < 5) {
    std::cerr << "usage: " << argv[0] << " [--master local[N]] " << usage << "\n";
    return 2;
  }
  const std::string csvFile = pos[0], parquetFile = pos[1], writeDir = pos[2];
  const int reps = std::max(1, std::atoi(pos[4].c_str()));
  std::vector<std::string> todo;
  if (pos.size() > 5) {
    std::stringstream ss(pos[5]);
    for (std::string m; std::getline(ss, m, ',');) {
      if (std::find(std::begin(kMeasurements), std::end(kMeasurements), m) ==
          std::end(kMeasurements)) {
        std::cerr << "unknown measurement '" << m << "'; expected " << usage << "\n";
        return 2;
      }
      todo.push_back(m);
    }
  } else {
    todo.assign(std::begin(kMeasurements), std::end(kMeasurements));
  }
  const char* slowEnv = std::getenv("SLOW");
  const double slow = slowEnv ? std::atof(slowEnv) : 30.0;
  const int threads = bench::slotsOf(ctx->conf().get("ember.master"));

  ember::sql::Session spark(*ctx);
  auto log = std::make_shared<bench::StageLog>();
  ctx->addListener(log);
  spark.sql("CREATE TEMPORARY VIEW lineitem_csv (" + lineitemColumns(pos[3]) +
            ") USING csv OPTIONS (path '" + csvFile + "', header 'true', delimiter '|')");
  spark.sql("CREATE TEMPORARY VIEW lineitem_parquet USING parquet OPTIONS (path '" + parquetFile +
            "')");

  // Each measurement is a function that runs it once and returns "count;sum".
  auto query = [&](const std::string& sql) {
    return [&spark, sql] { return resultOf(spark.sql(sql).collect()); };
  };
  std::map<std::string, std::function<std::string()>> runners = {
      {"csv_scan", query(std::string(kAggregates) + "lineitem_csv")},
      {"parquet_filter_key",
       query(std::string(kAggregates) +
             "lineitem_parquet WHERE l_orderkey BETWEEN 3000000 AND 3059999")},
      {"parquet_filter_date",
       query(std::string(kAggregates) +
             "lineitem_parquet WHERE l_shipdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-25'")},
      {"parquet_write", [&] {
         spark.read()
             .parquet(parquetFile)
             .write()
             .option("compression", "snappy")
             .parquet(writeDir);
         return std::string();
       }}};

  int failed = 0;
  for (const std::string& name : todo) {
    const bool write = name == "parquet_write";
    std::vector<double> runs;
    std::set<std::string> results;
    try {
      double warm = 0;
      for (int r = -1; r < reps; ++r) {  // r = -1: the warm-up
        if (write) std::filesystem::remove_all(writeDir);
        auto t0 = std::chrono::steady_clock::now();
        std::string result = runners.at(name)();
        double s = bench::secondsSince(t0);
        ctx->eventBus().waitUntilEmpty(10000);
        std::string stages = log->take();
        if (!write) results.insert(result);
        if (r < 0) {
          warm = s;
          std::cerr << name << " local[" << threads << "] warm-up " << s << " s: " << result
                    << "\n";
          if (warm <= slow) continue;
          runs.push_back(warm);
          std::cerr << stages;
          break;
        }
        runs.push_back(s);
        std::cerr << name << " local[" << threads << "] run " << r + 1 << " " << s << " s\n"
                  << stages;
      }
      if (write) {
        results.insert(
            resultOf(spark.sql(std::string(kAggregates) + "parquet.`" + writeDir + "`").collect()));
      }
    } catch (const std::exception& e) {
      std::cerr << name << " FAILED: " << e.what() << "\n";
      std::cout << "ember,formats," << name << "," << threads << ",FAILED,," << std::endl;
      ++failed;
      continue;
    }
    if (!allAgree(results)) {
      std::cerr << name << ": runs disagree (" << results.size() << " different results)\n";
      ++failed;
    }
    std::string joined;
    char buf[32];
    for (double r : runs) {
      std::snprintf(buf, sizeof buf, "%s%.3f", joined.empty() ? "" : ";", r);
      joined += buf;
    }
    std::printf("ember,formats,%s,%d,%.3f,%s,%s\n", name.c_str(), threads, bench::median(runs),
                results.begin()->c_str(), joined.c_str());
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}
