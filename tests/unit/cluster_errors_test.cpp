// Errors explain the cluster: after an executor is lost (its process killed by a signal
// in the middle of a job, which still completes on the other executor), a job whose task
// always fails names the stage, the partition and attempt, the executor, its host and
// the recent executor loss with its reason. The executors are this test binary re-run in
// executor mode (same command line, gtest filter included).
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "cluster_test_link.h"
#include "ember/ember.h"

namespace ember {
namespace {

TEST(ClusterErrors, JobFailureNamesStageTaskExecutorHostAndRecentLosses) {
  Config c;
  c.set("ember.master", "local-cluster[2,1,256]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.task.maxFailures", "2");
  Context ctx(c);
  // Partition 0's first attempt kills its own executor (SIGKILL); the retry runs on the
  // other one and the job completes.
  int64_t n = ctx.range(0, 1000, 1, 4)
                  .mapPartitionsWithIndex([](int p, Iterator<int64_t>& it) {
                    if (p == 0 && TaskContext::current()->attemptNumber() == 0) raise(SIGKILL);
                    std::vector<int64_t> out;
                    int64_t x;
                    while (it.next(x)) out.push_back(x);
                    return out;
                  })
                  .count();
  EXPECT_EQ(n, 1000);
  std::string msg;
  try {
    ctx.range(0, 10, 1, 1)
        .map([](int64_t x) -> int64_t {
          if (x >= 0) throw std::runtime_error("this task always fails");
          return x;
        })
        .count();
    ADD_FAILURE() << "the job did not fail";
  } catch (const JobFailedError& e) {
    msg = e.what();
  }
  for (const char* want :
       {"failed 2 times", "ember.task.maxFailures=2", "Most recent failure: stage ", "partition 0",
        "attempt 1", "executor ", "this task always fails", "host 127.0.0.1",
        "recent executor losses: executor ", "process killed by signal 9 (SIGKILL)"})
    EXPECT_NE(msg.find(want), std::string::npos) << "'" << want << "' not in: " << msg;
}

}  // namespace
}  // namespace ember
