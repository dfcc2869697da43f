// TPC-H queries through Ember's SQL engine over Parquet or '|'-delimited CSV files (the
// layout of ../shared/peers/gen/tpch.js: <data>/<table>.parquet, or <data>/<table>.csv with a
// header line).
//
//   tpch_bench [--master local[N]] [--conf k=v]... DATA_DIR QUERY_DIR SCHEMA_SQL REPS QUERIES
//              [ANSWER_DIR]
//     DATA_DIR    <table>.parquet files (used when DATA_DIR/lineitem.parquet exists: views
//                 `USING parquet`, columns and types from the files) or <table>.csv files
//     QUERY_DIR   holds q01.sql .. q22.sql (../shared/tpch/queries)
//     SCHEMA_SQL  CREATE TABLE statements giving each table's columns (../shared/tpch/schema.sql)
//     QUERIES     "all" or a comma-separated list such as 1,3,18
//     ANSWER_DIR  if given, each query's last result goes to ANSWER_DIR/qNN.csv ('|', header)
//
// The eight tables are declared as temporary views exactly as a Spark user would (CSV: with
// the schema's columns); there is no load step, so every run re-reads the files.
// Each query runs once as a warm-up (untimed), then REPS timed runs (only the warm-up is
// kept, as the single timed run, when it took more than SLOW seconds, env SLOW, default 30).
// stdout: peer,workload,query,threads,seconds,rows,runs  (seconds = median; runs ';'-joined)
// stderr: per-run wall and process CPU times and each timed run's stages (name, tasks, wall time,
// records read).
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "bench_util.h"
#include "ember/core/event_bus.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace {


// CPU seconds (user + system) of the whole process so far: steadier than wall time on a
// loaded machine.
double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::vector<int> parseQueries(const std::string& spec) {
  std::vector<int> out;
  if (spec == "all") {
    for (int q = 1; q <= 22; ++q) out.push_back(q);
    return out;
  }
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty() && (item[0] == 'q' || item[0] == 'Q')) item.erase(0, 1);
    int q = std::atoi(item.c_str());
    if (q < 1 || q > 22) {
      std::cerr << "bad query '" << item << "': expected 1..22, a list like 1,3,18, or all\n";
      std::exit(2);
    }
    out.push_back(q);
  }
  return out;
}

void writeAnswer(const std::string& path, const ember::sql::DataFrame& df,
                 const std::vector<ember::Row>& rows) {
  std::ofstream out(path);
  const ember::Schema schema = df.schema();
  const auto& fields = schema.fields();
  for (size_t i = 0; i < fields.size(); ++i) out << (i ? "|" : "") << fields[i].name;
  out << "\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "|" : "") << row[i].toString();
    out << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  auto ctx = bench::makeContext(argc, argv,
                                "DATA_DIR QUERY_DIR SCHEMA_SQL REPS all|1,3,18 [ANSWER_DIR]", &pos);
  if (pos.size() < 5) {
    std::cerr << "usage: " << argv[0]
              << " [--master local[N]] DATA_DIR QUERY_DIR SCHEMA_SQL REPS all|1,3,18 "
                 "[ANSWER_DIR]\n";
    return 2;
  }
  const std::string dataDir = pos[0], queryDir = pos[1];
  const int reps = std::max(1, std::atoi(pos[3].c_str()));
  const std::vector<int> queries = parseQueries(pos[4]);
  const std::string answerDir = pos.size() > 5 ? pos[5] : "";
  const char* slowEnv = std::getenv("SLOW");
  const double slow = slowEnv ? std::atof(slowEnv) : 30.0;
  const int threads = bench::slotsOf(ctx->conf().get("ember.master"));
  const bool parquet = std::filesystem::exists(dataDir + "/lineitem.parquet");
  const std::string workload = std::string(parquet ? "tpch_parquet_" : "tpch_csv_") +
                               std::filesystem::path(dataDir).parent_path().filename().string();
  if (!answerDir.empty()) std::filesystem::create_directories(answerDir);

  ember::sql::Session spark(*ctx);
  auto log = std::make_shared<bench::StageLog>();
  ctx->addListener(log);

  std::string schema = bench::readFile(pos[2]);
  std::regex table(R"(CREATE TABLE (\w+) \(([^;]*)\);)");
  int tables = 0;
  for (std::sregex_iterator it(schema.begin(), schema.end(), table), end; it != end; ++it) {
    std::string name = (*it)[1], cols = (*it)[2];
    if (parquet)
      spark.sql("CREATE TEMPORARY VIEW " + name + " USING parquet OPTIONS (path '" + dataDir + "/" +
                name + ".parquet')");
    else
      spark.sql("CREATE TEMPORARY VIEW " + name + " (" + cols + ") USING csv OPTIONS (path '" +
                dataDir + "/" + name + ".csv', header 'true', delimiter '|')");
    ++tables;
  }
  if (tables != 8) {
    std::cerr << pos[2] << ": expected 8 CREATE TABLE statements, found " << tables << "\n";
    return 2;
  }

  int failed = 0;
  for (int q : queries) {
    char name[8];
    std::snprintf(name, sizeof name, "q%02d", q);
    std::string sql = bench::readFile(queryDir + "/" + name + ".sql");
    std::vector<double> runs;
    size_t nrows = 0;
    try {
      auto t0 = std::chrono::steady_clock::now();
      double c0 = cpuSeconds();
      auto df = spark.sql(sql);
      auto rows = df.collect();
      double warm = bench::secondsSince(t0);
      nrows = rows.size();
      if (!answerDir.empty()) writeAnswer(answerDir + "/" + name + ".csv", df, rows);
      std::cerr << name << " warm-up " << warm << " s (cpu " << cpuSeconds() - c0 << " s), "
                << nrows << " rows\n";
      ctx->eventBus().waitUntilEmpty(10000);
      std::string warmStages = log->take();
      if (warm > slow) {
        runs.push_back(warm);
        std::cerr << warmStages;
      }
      for (int r = 0; r < reps && warm <= slow; ++r) {
        t0 = std::chrono::steady_clock::now();
        c0 = cpuSeconds();
        nrows = spark.sql(sql).collect().size();
        runs.push_back(bench::secondsSince(t0));
        double cpu = cpuSeconds() - c0;
        ctx->eventBus().waitUntilEmpty(10000);
        std::cerr << name << " run " << r + 1 << " " << runs.back() << " s (cpu " << cpu << " s)\n"
                  << log->take();
      }
    } catch (const std::exception& e) {
      std::cerr << name << " FAILED: " << e.what() << "\n";
      std::cout << "ember," << workload << "," << name << "," << threads << ",FAILED,0,"
                << std::endl;
      ++failed;
      continue;
    }
    std::string joined;
    char buf[32];
    for (double r : runs) {
      std::snprintf(buf, sizeof buf, "%s%.3f", joined.empty() ? "" : ";", r);
      joined += buf;
    }
    std::printf("ember,%s,%s,%d,%.3f,%zu,%s\n", workload.c_str(), name, threads,
                bench::median(runs), nrows, joined.c_str());
    std::fflush(stdout);
  }
  return failed ? 1 : 0;
}
