// Errors raised while tasks process data name the input the task was reading.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {

TEST(SqlTaskErrors, AnEvaluationErrorNamesTheFileAndRowsBeingProcessed) {
  Config c;
  c.set("ember.master", "local[1]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.task.maxFailures", "1");
  Context ctx(c);
  Session spark(ctx);
  std::string path = (std::filesystem::temp_directory_path() /
                      ("ember_task_errors_" + std::to_string(::getpid()) + ".csv"))
                         .string();
  {
    std::ofstream out(path);
    out << "id\n1\n2\n3\n";
  }
  spark.sql("CREATE TEMPORARY VIEW nums (id BIGINT) USING csv OPTIONS (path '" + path +
            "', header 'true')");
  std::string msg;
  try {
    spark.sql("SELECT id * 4611686018427387904 FROM nums").collect();
    ADD_FAILURE() << "the query should fail with an overflow";
  } catch (const std::exception& e) {
    msg = e.what();
  }
  std::filesystem::remove(path);
  EXPECT_NE(msg.find("integer overflow"), std::string::npos) << msg;
  EXPECT_NE(msg.find("while processing file " + path + ", rows 1 to 3"), std::string::npos) << msg;
}

}  // namespace
}  // namespace ember::sql
