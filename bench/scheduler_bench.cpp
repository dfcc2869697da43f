// Scheduler overhead benchmark: jobs made of many tasks that do (almost) nothing, so the
// time is what the DAG scheduler, task scheduler, executor and event bus spend per task.
//
//   scheduler_bench [--master local[N]] [--conf k=v ...] [REPS=3] [TASKS...=10000 100000]
//
// For each task count T, two jobs:
//   empty  parallelize(empty vector, T slices).count()   every task has no records
//   range  range(0, T, 1, T).count()                      every task yields one number
// Each runs REPS times after a 1,000-task warm-up; prints one CSV line per job:
//   ember,scheduler,<kind>_<T>,local[N],<threads>,<median seconds>,<microseconds per task>
// Exit status 1 if a count is wrong.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"
#include "ember/ember.h"

namespace {

int64_t runJob(ember::Context& ctx, const std::string& kind, int tasks) {
  if (kind == "empty") return ctx.parallelize(std::vector<int64_t>{}, tasks).count();
  return ctx.range(0, tasks, 1, tasks).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "[REPS [TASKS...]]";
  std::vector<std::string> args;
  auto ctx = bench::makeContext(argc, argv, usage, &args);
  const int reps = args.empty() ? 3 : std::stoi(args[0]);
  std::vector<int> sizes;
  for (size_t i = 1; i < args.size(); ++i) sizes.push_back(std::stoi(args[i]));
  if (sizes.empty()) sizes = {10000, 100000};
  if (reps < 1) {
    std::cerr << ember::appArgsUsage(argv[0], usage);
    return 2;
  }
  try {
    runJob(*ctx, "empty", 1000);  // warm-up: threads started, allocator pools filled
    for (int tasks : sizes) {
      for (const std::string kind : {"empty", "range"}) {
        const int64_t expected = kind == "empty" ? 0 : tasks;
        std::vector<double> times;
        for (int r = 0; r < reps; ++r) {
          auto t0 = std::chrono::steady_clock::now();
          int64_t n = runJob(*ctx, kind, tasks);
          times.push_back(bench::secondsSince(t0));
          std::fprintf(stderr, "scheduler_bench %s %s_%d run %d: %.3f s\n", ctx->master().c_str(),
                       kind.c_str(), tasks, r + 1, times.back());
          if (n != expected) {
            std::fprintf(stderr, "scheduler_bench: %s_%d counted %lld, expected %lld\n",
                         kind.c_str(), tasks, static_cast<long long>(n),
                         static_cast<long long>(expected));
            return 1;
          }
        }
        double s = bench::median(times);
        std::printf("ember,scheduler,%s_%d,%s,%d,%.3f,%.2f\n", kind.c_str(), tasks,
                    ctx->master().c_str(), bench::slotsOf(ctx->master()), s, s * 1e6 / tasks);
        std::fflush(stdout);
      }
    }
  } catch (const ember::EmberError& e) {
    std::cerr << "scheduler_bench failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
