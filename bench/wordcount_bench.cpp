// Word count benchmark: the whole pipeline Ember users write, timed from the file to the
// (word, count) table on the driver.
//
//   wordcount_bench [--master local[N]] [--conf k=v ...] INPUT [REPS=3 [EXPECT_DISTINCT
//   EXPECT_TOTAL]]
//
// textFile -> flatMap (split on ASCII whitespace) -> map (w, 1) -> reduceByKey(+) -> collect().
// Runs the job REPS times in one Context (the input is then in the page cache, as for the
// peers; as the peers' scripts do, a first run longer than 30 s is not repeated), checks that every
// run gives the same distinct and total word counts (and the expected ones when given), and prints
// one CSV line:
//   ember,wordcount,local[N],<threads>,<median seconds>,<distinct>,<total>
// Every run's time and its stages go to stderr. Exit status 1 when the counts disagree.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "ember/common/text.h"
#include "ember/ember.h"

namespace {


constexpr double kSlowSeconds = 30;  // the peers' SLOW

struct Counts {
  int64_t distinct = 0;
  int64_t total = 0;
};

Counts runOnce(ember::Context& ctx, const std::string& input) {
  auto counts = ctx.textFile(input)
                    .flatMap([](const std::string& line) { return ember::splitWhitespace(line); })
                    .map([](std::string w) { return std::make_pair(std::move(w), int64_t{1}); })
                    .reduceByKey([](int64_t a, int64_t b) { return a + b; })
                    .collect();
  Counts c;
  c.distinct = static_cast<int64_t>(counts.size());
  for (const auto& wc : counts) c.total += wc.second;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "INPUT [REPS [EXPECT_DISTINCT EXPECT_TOTAL]]";
  std::vector<std::string> args;
  auto ctx = bench::makeContext(argc, argv, usage, &args);
  if (args.empty() || args.size() == 3 || args.size() > 4) {
    std::cerr << ember::appArgsUsage(argv[0], usage);
    return 2;
  }
  const std::string input = args[0];
  const int reps = args.size() > 1 ? std::stoi(args[1]) : 3;
  const int64_t expectDistinct = args.size() == 4 ? std::stoll(args[2]) : -1;
  const int64_t expectTotal = args.size() == 4 ? std::stoll(args[3]) : -1;
  if (reps < 1) {
    std::cerr << "REPS must be at least 1\n";
    return 2;
  }

  auto stageLog = std::make_shared<bench::StageLog>();
  ctx->addListener(stageLog);
  std::vector<double> times;
  Counts first;
  try {
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      Counts c = runOnce(*ctx, input);
      double s = bench::secondsSince(t0);
      times.push_back(s);
      std::fprintf(stderr, "wordcount_bench %s run %d: %.3f s, %lld distinct, %lld words\n",
                   ctx->master().c_str(), r + 1, s, static_cast<long long>(c.distinct),
                   static_cast<long long>(c.total));
      ctx->eventBus().waitUntilEmpty(10000);
      std::fputs(stageLog->take().c_str(), stderr);
      if (r == 0) first = c;
      if (c.distinct != first.distinct || c.total != first.total) {
        std::fprintf(stderr, "wordcount_bench: run %d disagrees with run 1\n", r + 1);
        return 1;
      }
      if (times.front() > kSlowSeconds) break;
    }
  } catch (const ember::EmberError& e) {
    std::cerr << "wordcount_bench failed: " << e.what() << "\n";
    return 1;
  }
  bool ok = (expectDistinct < 0 || first.distinct == expectDistinct) &&
            (expectTotal < 0 || first.total == expectTotal);
  if (!ok) {
    std::fprintf(stderr, "wordcount_bench: expected %lld distinct / %lld words, got %lld / %lld\n",
                 static_cast<long long>(expectDistinct), static_cast<long long>(expectTotal),
                 static_cast<long long>(first.distinct), static_cast<long long>(first.total));
  }
  std::printf("ember,wordcount,%s,%d,%.3f,%lld,%lld\n", ctx->master().c_str(),
              bench::slotsOf(ctx->master()), bench::median(times),
              static_cast<long long>(first.distinct), static_cast<long long>(first.total));
  return ok ? 0 : 1;
}
