// Shared fixture of the typed RDD API tests (rdd_*_test.cpp).
//
// RddClusterTest runs each test against three engines: local[1], local[3] and local[2]
// with ember.test.serializeTasks=true (every task is serialised through the closure
// registry, as in cluster mode). EventCounter records scheduler events so tests can
// check how many jobs and tasks an operation ran. TempDir is a scratch directory
// removed at the end of the test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "ember/ember.h"

namespace ember::testing_rdd {

struct Cluster {
  std::string name;  // test-name suffix
  std::string master;
  bool serializeTasks = false;
};

inline void PrintTo(const Cluster& c, std::ostream* os) {
  *os << c.master << (c.serializeTasks ? " with serializeTasks" : "");
}

inline std::unique_ptr<Context> makeContext(const std::string& master,
                                            bool serializeTasks = false) {
  Config c;
  c.set("ember.master", master);
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.log.level", "error");
  if (serializeTasks) c.set("ember.test.serializeTasks", "true");
  return std::make_unique<Context>(c);
}

// Counts scheduler events; read the counters after ctx.eventBus().waitUntilEmpty().
class EventCounter : public EventListener {
 public:
  void onJobStart(const JobStart& e) override {
    std::lock_guard lock(mu_);
    jobs_.push_back(e.callSite);
  }
  void onStageSubmitted(const StageSubmitted& e) override {
    std::lock_guard lock(mu_);
    stages_.push_back(e.name);
  }
  void onTaskStart(const TaskStart&) override { ++tasks_; }
  int jobs() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(jobs_.size());
  }
  std::vector<std::string> jobCallSites() const {
    std::lock_guard lock(mu_);
    return jobs_;
  }
  int stages() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(stages_.size());
  }
  int tasks() const { return tasks_.load(); }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> jobs_;
  std::vector<std::string> stages_;
  std::atomic<int> tasks_{0};
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ember-rdd-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void writeLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& l : lines) out << l << '\n';
}

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline std::vector<int64_t> iota64(int64_t n, int64_t start = 0) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + i;
  return v;
}

// Fixture parameterised over the three engines.
class RddClusterTest : public ::testing::TestWithParam<Cluster> {
 protected:
  void SetUp() override {
    ctx_ = makeContext(GetParam().master, GetParam().serializeTasks);
    events_ = std::make_shared<EventCounter>();
    ctx_->addListener(events_);
  }
  void TearDown() override { ctx_.reset(); }
  Context& ctx() { return *ctx_; }
  // Waits for the event bus to deliver everything posted so far.
  EventCounter& events() {
    EXPECT_TRUE(ctx_->eventBus().waitUntilEmpty(5000));
    return *events_;
  }

  std::unique_ptr<Context> ctx_;
  std::shared_ptr<EventCounter> events_;
};

inline std::string clusterName(const ::testing::TestParamInfo<Cluster>& info) {
  return info.param.name;
}

inline auto allClusters() {
  return ::testing::Values(Cluster{"local1", "local[1]", false},
                           Cluster{"local3", "local[3]", false},
                           Cluster{"local2_serialized", "local[2]", true});
}

}  // namespace ember::testing_rdd

// Instantiates a RddClusterTest subclass over the three engines; test names read
// "<Suite>.<Test>/local1" etc. so that --gtest_filter='Rdd*' selects them.
#define EMBER_RDD_CLUSTER_SUITE(Suite)                                   \
  INSTANTIATE_TEST_SUITE_P(, Suite, ::ember::testing_rdd::allClusters(), \
                           ::ember::testing_rdd::clusterName)
