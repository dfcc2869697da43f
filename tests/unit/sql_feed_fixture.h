// Shared fixture of the sql_feed_*_test.cpp files: a local[2] session whose warehouse
// and feeds live in a fresh temporary directory per test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/feed.h"
#include "ember/sql/reader.h"
#include "ember/sql/session.h"
#include "ember/sql/writer.h"

namespace ember::sql {

class FeedTest : public ::testing::Test {
 protected:
  FeedTest() : ctx_(conf()), spark_(ctx_) {
    dir_ = std::filesystem::temp_directory_path() /
           ("ember-feed-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    spark_.setConf("ember.sql.warehouse.dir", (dir_ / "warehouse").string());
    spark_.range(0, 1000).createOrReplaceTempView("nums");  // SQL has no range() in FROM
  }
  ~FeedTest() override { std::filesystem::remove_all(dir_); }

 public:
  // local[2], no UI, no task retries.
  static Config conf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    c.set("ember.task.maxFailures", "1");
    return c;
  }

 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // Rows id, v = "v<id>" for id in [from, to).
  DataFrame rows(int64_t from, int64_t to) {
    using namespace functions;
    // One partition: each write of rows() makes one data file (tests count files).
    return spark_.range(from, to, 1, 1).select(
        {col("id"), as(call("concat", {lit("v"), castTo(col("id"), "string")}), "v")});
  }
  // The first column of every row as int64, sorted.
  static std::vector<int64_t> ids(const DataFrame& df) {
    std::vector<int64_t> out;
    for (const auto& r : df.collect()) out.push_back(r[0].isNull() ? -1 : r[0].asInt64());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<int64_t> range(int64_t from, int64_t to) {
    std::vector<int64_t> out;
    for (int64_t i = from; i < to; ++i) out.push_back(i);
    return out;
  }
  // Runs `f` and returns the UserError's message ("" if it did not throw one).
  template <typename F>
  static std::string userError(F&& f) {
    try {
      f();
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }

  Context ctx_;
  Session spark_;
  std::filesystem::path dir_;
};

}  // namespace ember::sql
