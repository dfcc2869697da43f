// The Storage, Executors, Environment and SQL pages, and the page router.
#include <fmt/format.h>

#include <charconv>

#include "ember/ui/pages.h"

namespace ember::ui {

namespace {

std::optional<int64_t> intParam(const Query& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string storagePage(const AppState& s, const PageBase& b, const StorageBlocks& blocks) {
  Json rdds = storageJson(s, blocks);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : rdds) {
    rows.push_back(
        {fmt::format("<td data-v=\"{}\">{}</td>", r["id"].get<int>(), r["id"].get<int>()),
         fmt::format("<a href=\"{}/storage/rdd/?id={}\">{}</a>", b.base, r["id"].get<int>(),
                     esc(r["name"].get<std::string>())),
         esc(r["storageLevel"].get<std::string>()),
         std::to_string(r["numCachedPartitions"].get<int>()),
         fmt::format("{:.0f}%", 100.0 * r["numCachedPartitions"].get<int>() /
                                    std::max(1, r["numPartitions"].get<int>())),
         fmtBytes(r["memoryUsed"].get<int64_t>()), fmtBytes(r["diskUsed"].get<int64_t>())});
  }
  std::string body =
      b.history ? "<p>Cached data is known only while the application runs.</p>" : "";
  body += "<h2>RDDs</h2>" + table("rdds",
                                  {"ID", "RDD Name", "Storage Level", "Cached Partitions",
                                   "Fraction Cached", "Size in Memory", "Size on Disk"},
                                  rows);
  return pageFrame(s, b, "storage", "Storage", body, false);
}

static std::optional<std::string> rddPage(const AppState& s, const PageBase& b, int64_t id,
                                          const StorageBlocks& blocks) {
  Json rdds = storageJson(s, blocks);
  for (const auto& r : rdds) {
    if (r["id"].get<int64_t>() != id) continue;
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : r["partitions"])
      rows.push_back({esc(p["blockName"].get<std::string>()),
                      esc(p["storageLevel"].get<std::string>()),
                      fmtBytes(p["memoryUsed"].get<int64_t>()),
                      fmtBytes(p["diskUsed"].get<int64_t>()), "driver"});
    std::string body =
        table("blocks",
              {"Block Name", "Storage Level", "Size in Memory", "Size on Disk", "Executors"}, rows);
    return pageFrame(s, b, "storage", "RDD Storage Info for " + r["name"].get<std::string>(), body,
                     false);
  }
  return std::nullopt;
}

std::string executorsPage(const AppState& s, const PageBase& b, const StorageBlocks& blocks) {
  Json all = restAnswer(s, "allexecutors", {}, blocks).value_or(Json::array());
  std::vector<std::vector<std::string>> rows;
  for (const auto& x : all) {
    rows.push_back(
        {esc(x["id"].get<std::string>()), esc(x["hostPort"].get<std::string>()),
         x["isActive"].get<bool>() ? statusBadge("ACTIVE") : statusBadge("REMOVED"),
         std::to_string(x["rddBlocks"].get<int>()),
         fmtBytes(x["memoryUsed"].get<int64_t>()) + " / " + fmtBytes(x["maxMemory"].get<int64_t>()),
         fmtBytes(x["diskUsed"].get<int64_t>()), std::to_string(x["totalCores"].get<int>()),
         std::to_string(x["activeTasks"].get<int>()), std::to_string(x["failedTasks"].get<int>()),
         std::to_string(x["completedTasks"].get<int>()), std::to_string(x["totalTasks"].get<int>()),
         fmtDuration(x["totalDuration"].get<int64_t>()),
         fmtBytes(x["totalInputBytes"].get<int64_t>()),
         fmtBytes(x["totalShuffleRead"].get<int64_t>()),
         fmtBytes(x["totalShuffleWrite"].get<int64_t>()),
         fmtBytes(x["memoryBytesSpilled"].get<int64_t>() + x["diskBytesSpilled"].get<int64_t>())});
  }
  std::string body =
      table("executors",
            {"Executor ID", "Address", "Status", "RDD Blocks", "Storage Memory", "Disk Used",
             "Cores", "Active Tasks", "Failed Tasks", "Complete Tasks", "Total Tasks", "Task Time",
             "Input", "Shuffle Read", "Shuffle Write", "Spill"},
            rows);
  return pageFrame(s, b, "executors", "Executors", body, s.live() && s.hasRunningJobs());
}

std::string environmentPage(const AppState& s, const PageBase& b) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [k, v] : s.environment) rows.push_back({esc(k), esc(v)});
  std::string body = fmt::format("<h2>Runtime Information</h2>{}<h2>Ember Properties</h2>{}",
                                 table("runtime", {"Name", "Value"},
                                       {{"Application", esc(s.appName)},
                                        {"Application Id", esc(s.appId)},
                                        {"Master", esc(s.master)}}),
                                 table("properties", {"Name", "Value"}, rows));
  return pageFrame(s, b, "environment", "Environment", body, false);
}

std::string sqlPage(const AppState& s, const PageBase& b) {
  std::vector<std::vector<std::string>> rows;
  for (auto it = s.sql.rbegin(); it != s.sql.rend(); ++it) {
    const SqlRow& q = it->second;
    int64_t end = q.completionTime > 0 ? q.completionTime : nowOf(s, b);
    std::string jobs;
    for (int j : q.jobIds)
      jobs += fmt::format("<a href=\"{}/jobs/job/?id={}\">{}</a> ", b.base, j, j);
    rows.push_back({std::to_string(q.executionId),
                    fmt::format("<a class=\"sql-link\" href=\"{}/SQL/execution/?id={}\">{}</a>",
                                b.base, q.executionId, esc(q.description)),
                    statusBadge(q.status), esc(fmtDateTime(q.submissionTime)),
                    fmtDuration(std::max<int64_t>(0, end - q.submissionTime)), jobs});
  }
  std::string body = table(
      "sql-executions", {"ID", "Description", "Status", "Submitted", "Duration", "Job IDs"}, rows);
  bool running = false;
  for (const auto& [id, q] : s.sql) running = running || q.status == "RUNNING";
  return pageFrame(s, b, "sql", "SQL", body, s.live() && running);
}

std::optional<std::string> sqlExecutionPage(const AppState& s, const PageBase& b, int64_t id) {
  auto it = s.sql.find(id);
  if (it == s.sql.end()) return std::nullopt;
  const SqlRow& q = it->second;
  std::string body = fmt::format(
      "<div class=\"summary\"><div><b>Status</b>{}</div><div><b>Submitted</b>{}</div>"
      "<div><b>Duration</b>{}</div></div><pre class=\"details\">{}</pre>",
      statusBadge(q.status), esc(fmtDateTime(q.submissionTime)),
      fmtDuration(q.completionTime > 0 ? q.completionTime - q.submissionTime : 0),
      esc(q.description));
  if (!q.error.empty()) body += "<div class=\"error\">" + esc(q.error) + "</div>";
  body += "<h2>Physical Plan</h2><div class=\"graph\">" + sqlPlanSvg(q) + "</div>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : q.nodes) {
    std::vector<std::string> row{std::to_string(n.id), esc(n.name), esc(n.detail), "", "", "", ""};
    for (const auto& m : q.metrics) {
      if (m.nodeId != n.id) continue;
      row[3] = std::to_string(m.rows);
      row[4] = fmtDuration(m.timeNs / 1000000);
      row[5] = fmtBytes(m.peakMemoryBytes);
      row[6] = fmtBytes(m.spillBytes);
    }
    rows.push_back(std::move(row));
  }
  body += table("plan-nodes",
                {"Node", "Operator", "Details", "Rows", "Time", "Peak Memory", "Spill"}, rows);
  return pageFrame(s, b, "sql", fmt::format("Details for Query {}", id), body,
                   s.live() && q.status == "RUNNING");
}

std::optional<std::string> renderPage(const AppState& s, const PageBase& b, const std::string& path,
                                      const Query& query, const StorageBlocks& blocks) {
  std::string p = path;
  if (p.empty() || p.back() != '/') p += '/';
  if (p == "/" || p == "/jobs/") return jobsPage(s, b);
  if (p == "/stages/") return stagesPage(s, b);
  if (p == "/storage/") return storagePage(s, b, blocks);
  if (p == "/executors/") return executorsPage(s, b, blocks);
  if (p == "/environment/") return environmentPage(s, b);
  if (p == "/SQL/" || p == "/sql/") return sqlPage(s, b);
  auto id = intParam(query, "id");
  if (!id) return std::nullopt;
  if (p == "/jobs/job/") return jobPage(s, b, static_cast<int>(*id));
  if (p == "/stages/stage/")
    return stagePage(s, b, static_cast<int>(*id),
                     static_cast<int>(intParam(query, "attempt").value_or(0)));
  if (p == "/storage/rdd/") return rddPage(s, b, *id, blocks);
  if (p == "/SQL/execution/" || p == "/sql/execution/") return sqlExecutionPage(s, b, *id);
  return std::nullopt;
}

}  // namespace ember::ui
