// The live UI of a real application: REST answers, pages and Prometheus text for a job
// with a shuffle, a failed job and a cached RDD, queried over HTTP; the event log of the
// same run replayed by the history store gives the same REST answers.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ember/ember.h"
#include "ember/ui/event_log.h"
#include "ember/ui/history.h"
#include "ember/ui/ui_plugin.h"

namespace ember::ui {
namespace {

using nlohmann::json;

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    path = std::filesystem::temp_directory_path() /
           ("ember-ui-rest-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

Config uiConfig(const std::string& logDir) {
  ensureUiPluginRegistered();
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.log.level", "error");
  c.set("ember.ui.enabled", "true");
  c.set("ember.ui.port", "0");  // any free port: tests run in parallel
  c.set("ember.eventLog.enabled", "true");
  c.set("ember.eventLog.dir", logDir);
  c.set("ember.app.name", "rest-test");
  c.set("ember.app.apiToken", "s3cret");
  return c;
}

struct Http {
  httplib::Client client;
  explicit Http(int port) : client("127.0.0.1", port) {}
  std::string get(const std::string& path, int expectStatus = 200) {
    auto res = client.Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return "";
    EXPECT_EQ(res->status, expectStatus) << path << ": " << res->body.substr(0, 200);
    return res->body;
  }
  json api(const std::string& path) { return json::parse(get(path)); }
};

// Runs: job 0 (cache + count), job 1 (shuffle: reduceByKey + collect), job 2 (fails).
void runJobs(Context& ctx) {
  auto cached = ctx.parallelize(std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}, 4).cache();
  EXPECT_EQ(cached.count(), 8);
  auto sums = cached.map([](int64_t x) { return std::make_pair(x % 3, x); })
                  .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3)
                  .collectAsMap();
  EXPECT_EQ(sums.size(), 3u);
  EXPECT_THROW(ctx.range(0, 10, 1, 2)
                   .map([](int64_t x) -> int64_t {
                     if (x == 7) throw std::runtime_error("seven is unlucky");
                     return x;
                   })
                   .count(),
               JobFailedError);
  ASSERT_TRUE(ctx.eventBus().waitUntilEmpty(10000));
}

TEST(UiRest, LiveRestPagesAndMetricsOfRealJobs) {
  TempDir logs("live");
  auto ctx = std::make_unique<Context>(uiConfig(logs.path.string()));
  auto port = liveUiPort(ctx->appId());
  ASSERT_TRUE(port.has_value());
  runJobs(*ctx);
  Http http(*port);
  const std::string app = "/api/v1/applications/" + ctx->appId();

  json apps = http.api("/api/v1/applications");
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0]["id"], ctx->appId());
  EXPECT_EQ(apps[0]["name"], "rest-test");
  EXPECT_EQ(apps[0]["attempts"][0]["completed"], false);

  json jobs = http.api(app + "/jobs");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0]["jobId"], 2);  // newest first, as Spark
  EXPECT_EQ(jobs[0]["status"], "FAILED");
  EXPECT_GE(jobs[0]["numFailedTasks"].get<int>(), 1);
  EXPECT_NE(jobs[0]["errorMessage"].get<std::string>().find("seven is unlucky"), std::string::npos);
  EXPECT_EQ(jobs[1]["status"], "SUCCEEDED");
  EXPECT_EQ(jobs[1]["stageIds"].size(), 2u);
  EXPECT_EQ(jobs[1]["numCompletedStages"], 2);
  EXPECT_EQ(jobs[1]["numCompletedTasks"], 7);  // 4 map + 3 reduce tasks
  EXPECT_EQ(http.api(app + "/jobs?status=failed").size(), 1u);
  EXPECT_EQ(http.api(app + "/jobs/1")["jobId"], 1);
  http.get(app + "/jobs/42", 404);

  // The shuffle job's stages: the map stage wrote what the result stage read.
  int mapStage = jobs[1]["stageIds"][0], resultStage = jobs[1]["stageIds"][1];
  json mapAttempt = http.api(app + "/stages/" + std::to_string(mapStage) + "/0");
  json resultAttempt = http.api(app + "/stages/" + std::to_string(resultStage) + "/0");
  EXPECT_EQ(mapAttempt["status"], "COMPLETE");
  EXPECT_EQ(mapAttempt["numCompleteTasks"], 4);
  EXPECT_GT(mapAttempt["shuffleWriteBytes"].get<int64_t>(), 0);
  EXPECT_EQ(mapAttempt["shuffleWriteRecords"], 8);
  EXPECT_EQ(resultAttempt["shuffleReadBytes"], mapAttempt["shuffleWriteBytes"]);
  EXPECT_EQ(mapAttempt["tasks"].size(), 4u);
  json taskList = http.api(app + "/stages/" + std::to_string(resultStage) + "/0/taskList");
  ASSERT_EQ(taskList.size(), 3u);
  EXPECT_EQ(taskList[0]["status"], "SUCCESS");
  EXPECT_TRUE(taskList[0]["taskMetrics"].contains("shuffleReadMetrics"));
  EXPECT_EQ(http.api(app + "/stages/" + std::to_string(mapStage)).size(), 1u);
  EXPECT_EQ(http.api(app + "/stages?status=failed").size(), 1u);

  json execs = http.api(app + "/executors");
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_EQ(execs[0]["id"], "driver");
  EXPECT_EQ(execs[0]["totalCores"], 2);
  EXPECT_GE(execs[0]["failedTasks"].get<int>(), 1);
  EXPECT_EQ(execs[0]["rddBlocks"], 4);
  EXPECT_EQ(execs[0]["maxMemory"], int64_t{1} << 30);  // ember.executor.memory default

  json rdds = http.api(app + "/storage/rdd");
  ASSERT_EQ(rdds.size(), 1u);
  EXPECT_EQ(rdds[0]["numCachedPartitions"], 4);
  EXPECT_EQ(rdds[0]["storageLevel"], "MEMORY_ONLY");
  EXPECT_NE(rdds[0]["name"].get<std::string>().find("parallelize"), std::string::npos);

  std::string env = http.get(app + "/environment");
  EXPECT_NE(env.find("\"ember.master\""), std::string::npos);
  EXPECT_EQ(env.find("s3cret"), std::string::npos) << "secrets are redacted";

  std::string prom = http.get("/metrics/prometheus");
  EXPECT_NE(prom.find("ember_jobs_failed_total{app_id=\"" + ctx->appId() + "\"} 1"),
            std::string::npos)
      << prom;
  EXPECT_NE(prom.find("# TYPE ember_shuffle_write_bytes_total counter"), std::string::npos);

  std::string jobsPage = http.get("/jobs/");
  EXPECT_NE(jobsPage.find("collect at ui_rest_test.cpp"), std::string::npos);
  EXPECT_NE(jobsPage.find("id=\"failed-jobs\""), std::string::npos);
  std::string jobPage = http.get("/jobs/job/?id=1");
  EXPECT_NE(jobPage.find("<svg id=\"dag\""), std::string::npos);
  EXPECT_NE(jobPage.find("reduceByKey"), std::string::npos);
  EXPECT_NE(jobPage.find("class=\"shuffle-edge\""), std::string::npos);
  std::string stagePage =
      http.get("/stages/stage/?id=" + std::to_string(resultStage) + "&attempt=0");
  EXPECT_NE(stagePage.find("<svg id=\"timeline\""), std::string::npos);
  EXPECT_NE(stagePage.find("id=\"summary-metrics\""), std::string::npos);
  for (const char* page : {"/stages/", "/storage/", "/executors/", "/environment/", "/SQL/"})
    http.get(page);
  http.get("/jobs/job/?id=99", 404);
  http.get("/nope", 404);

  ctx.reset();  // stops the server
  httplib::Client after("127.0.0.1", *port);
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/jobs/")) << "the UI server stops with its Context";
}

TEST(UiRest, ReplayedEventLogAnswersLikeTheLiveUi) {
  TempDir logs("replay");
  auto ctx = std::make_unique<Context>(uiConfig(logs.path.string()));
  runJobs(*ctx);
  const std::string appId = ctx->appId();
  Http http(*liveUiPort(appId));
  const std::string app = "/api/v1/applications/" + appId;
  std::vector<std::string> paths{"/jobs",   "/jobs/0",    "/jobs/1",       "/jobs/2",
                                 "/stages", "/executors", "/allexecutors", "/environment"};
  for (int st = 0; st < 4; ++st) {
    paths.push_back("/stages/" + std::to_string(st) + "/0");
    paths.push_back("/stages/" + std::to_string(st) + "/0/taskList?length=100");
    paths.push_back("/stages/" + std::to_string(st) + "/0/taskSummary");
  }
  std::map<std::string, std::string> live;
  for (const auto& p : paths) live[p] = http.get(app + p);
  ctx.reset();

  ASSERT_TRUE(std::filesystem::exists(logs.path / appId));
  EXPECT_FALSE(std::filesystem::exists(logs.path / (appId + ".inprogress")));
  HistorySource history(logs.path.string(), RetentionLimits{});
  ASSERT_EQ(history.appIds(), std::vector<std::string>{appId});
  UiServer server(std::make_shared<HistorySource>(logs.path.string(), RetentionLimits{}));
  int port = server.start("127.0.0.1", 0, 0);
  Http replay(port);
  for (const auto& p : paths) {
    if (p.find("executors") == std::string::npos) {
      EXPECT_EQ(live[p], replay.get(app + p)) << p;
      continue;
    }
    // Cached blocks are known only live (the block manager is asked, not the events).
    json a = json::parse(live[p]), b = replay.api(app + p);
    for (json* x : {&a, &b})
      for (auto& e : *x)
        for (const char* k : {"rddBlocks", "memoryUsed", "diskUsed"}) e.erase(k);
    EXPECT_EQ(a, b) << p;
  }
  json apps = replay.api("/api/v1/applications");
  EXPECT_EQ(apps[0]["attempts"][0]["completed"], true);
  EXPECT_NE(replay.get("/").find(appId), std::string::npos);
  EXPECT_NE(replay.get("/history/" + appId + "/jobs/job/?id=1").find("<svg id=\"dag\""),
            std::string::npos);
  replay.get("/history/nope/jobs/", 404);
}

TEST(UiRest, SqlTabRendersPostedExecutions) {
  TempDir logs("sql");
  auto ctx = std::make_unique<Context>(uiConfig(logs.path.string()));
  ctx->eventBus().post(SqlExecutionStart{
      3,
      "SELECT k, count(*) FROM t GROUP BY k",
      {{0, "Scan csv", "t.csv"}, {1, "HashAggregate", "keys=[k]"}, {2, "Exchange", "hash(k)"}},
      {{0, 1}, {1, 2}},
      1000});
  ctx->eventBus().post(
      SqlExecutionEnd{3, true, "", {{0, 1000, 5000000, 0, 0}, {1, 10, 2000000, 4096, 512}}, 2000});
  ASSERT_TRUE(ctx->eventBus().waitUntilEmpty(5000));
  Http http(*liveUiPort(ctx->appId()));
  json q = http.api("/api/v1/applications/" + ctx->appId() + "/sql/3");
  EXPECT_EQ(q["status"], "COMPLETED");
  ASSERT_EQ(q["nodes"].size(), 3u);
  EXPECT_EQ(q["nodes"][1]["nodeName"], "HashAggregate");
  EXPECT_EQ(q["nodes"][1]["metrics"][0]["value"], "10");
  EXPECT_EQ(q["edges"].size(), 2u);
  EXPECT_NE(http.get("/SQL/").find("GROUP BY k"), std::string::npos);
  std::string page = http.get("/SQL/execution/?id=3");
  EXPECT_NE(page.find("<svg id=\"plan\""), std::string::npos);
  EXPECT_NE(page.find("id=\"plan-node-1\""), std::string::npos);
  EXPECT_NE(page.find("rows: 1000"), std::string::npos);
}

TEST(UiRest, BusyPortMovesOnAndDisabledUiBindsNothing) {
  TempDir logs("ports");
  std::filesystem::create_directories(logs.path / "empty");
  UiServer blocker(
      std::make_shared<HistorySource>((logs.path / "empty").string(), RetentionLimits{}));
  int busy = blocker.start("127.0.0.1", 0, 0);
  Config c = uiConfig(logs.path.string());
  c.set("ember.ui.port", std::to_string(busy));
  c.set("ember.ui.port.maxRetries", "0");
  {
    Context ctx(c);  // no free port in range: runs without a UI
    EXPECT_FALSE(liveUiPort(ctx.appId()).has_value());
    EXPECT_EQ(ctx.parallelize(std::vector<int>{1, 2, 3}).count(), 3);
  }
  c.set("ember.ui.port.maxRetries", "20");
  {
    Context ctx(c);
    auto port = liveUiPort(ctx.appId());
    ASSERT_TRUE(port.has_value());
    EXPECT_GT(*port, busy);
  }
  c.set("ember.ui.enabled", "false");
  c.set("ember.eventLog.enabled", "false");
  Context ctx(c);
  EXPECT_FALSE(liveUiPort(ctx.appId()).has_value());
}

// Released by the test; read by the tasks of the blocked job (a global: closures may
// not capture state, and in local mode tasks run in this process).
std::atomic<bool> gRelease{false};

// While a job runs its pages reload themselves and show it active. With
// EMBER_UI_TEST_HOLD=<file> set, the application also writes its UI port to <file> and
// keeps the job running until the file is deleted (at most 3 minutes): the browser test
// (tests/e2e/ui_browser.sh) drives a real browser against it.
TEST(UiRest, RunningJobIsShownAndPagesRefresh) {
  TempDir logs("running");
  auto ctx = std::make_unique<Context>(uiConfig(logs.path.string()));
  runJobs(*ctx);
  const int port = *liveUiPort(ctx->appId());
  gRelease = false;
  std::thread job([&] {
    ctx->range(0, 4, 1, 4)
        .map([](int64_t x) {
          while (!gRelease) std::this_thread::sleep_for(std::chrono::milliseconds(5));
          return x;
        })
        .count();
  });
  Http http(port);
  const std::string app = "/api/v1/applications/" + ctx->appId();
  json running;
  for (int i = 0; i < 500 && running.empty(); ++i) {
    running = http.api(app + "/jobs?status=running");
    if (running.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(running.size(), 1u);
  for (int i = 0; i < 500 && http.api(app + "/executors")[0]["activeTasks"] != 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(http.api(app + "/executors")[0]["activeTasks"], 2);
  std::string page = http.get("/jobs/");
  EXPECT_NE(page.find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_NE(page.find("id=\"active-jobs\""), std::string::npos);
  json stage = http.api(app + "/stages?status=active");
  ASSERT_EQ(stage.size(), 1u);
  EXPECT_EQ(stage[0]["numActiveTasks"], 2);

  if (const char* hold = std::getenv("EMBER_UI_TEST_HOLD")) {
    std::ofstream(hold) << port << "\n";
    for (int i = 0; i < 1800 && std::filesystem::exists(hold); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  gRelease = true;
  job.join();
  ASSERT_TRUE(ctx->eventBus().waitUntilEmpty(5000));
  EXPECT_EQ(http.get("/jobs/").find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_EQ(http.api(app + "/jobs/3")["status"], "SUCCEEDED");
}

}  // namespace
}  // namespace ember::ui
