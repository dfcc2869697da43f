// Cluster-path benchmarks (docs/cluster.md); one measurement per process, so that the
// executors of local-cluster (this binary re-run in executor mode) have nothing to do
// before their Context:
//
//   cluster_bench --master M [--conf k=v ...] shuffle MB [REPS=3]
//       range -> (key, 100-byte incompressible payload) -> partitionBy(P) -> sum of
//       payload bytes; prints the job's median time, the shuffle bytes (compressed, as
//       on the wire) and the read side's rate: shuffle bytes read per second of the
//       reduce stage's wall time (fetch, decompress, deserialise; the map side spends
//       most of its time making the payload):
//       ember,cluster,shuffle_<MB>m,<master>,<median s>,<shuffle MB>,<read GB/s>
//   cluster_bench --master M tasks N [REPS=3]
//       parallelize(empty, N slices).count(): empty tasks per second through the scheduler
//       and (in cluster mode) the RPCs:
//       ember,cluster,tasks_<N>,<master>,<median s>,<tasks per second>
//   cluster_bench --master local-cluster[E,C,M] recover
//       a 24-task map stage whose partition 0 kills its own executor (SIGKILL) halfway
//       through; prints the job's time, the same job's time without the loss, and the
//       difference (the cost of recovering):
//       ember,cluster,recover,<master>,<s with loss>,<s without>,<recovery s>
// Every run goes to stderr. Exit status 1 when a result is wrong.
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "ember/ember.h"

namespace {

using Row = std::pair<int64_t, std::string>;

// Wall time and shuffle bytes read of the last completed stage that read a shuffle.
class ReduceStage : public ember::EventListener {
 public:
  void onStageSubmitted(const ember::StageSubmitted& e) override {
    std::lock_guard lock(mutex_);
    submitted_[e.stageId] = e.time;
  }
  void onStageCompleted(const ember::StageCompleted& e) override {
    std::lock_guard lock(mutex_);
    if (e.totals.shuffleBytesRead == 0) return;
    seconds_ = static_cast<double>(e.time - submitted_[e.stageId]) / 1e3;
    bytes_ = e.totals.shuffleBytesRead;
  }
  double gbPerSecond() const {
    std::lock_guard lock(mutex_);
    return seconds_ > 0 ? static_cast<double>(bytes_) / 1073741824.0 / seconds_ : 0;
  }

 private:
  mutable std::mutex mutex_;
  std::map<int, int64_t> submitted_;
  double seconds_ = 0;
  int64_t bytes_ = 0;
};
constexpr int kPayload = 100;

// Incompressible bytes (xorshift), so that shuffle compression does not shrink them.
std::string payload(int64_t i) {
  std::string s(kPayload, '\0');
  uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

int shuffle(ember::Context& ctx, int64_t mb, int reps) {
  auto totals = std::make_shared<bench::StageTotals>();
  auto reduce = std::make_shared<ReduceStage>();
  ctx.addListener(totals);
  ctx.addListener(reduce);
  const int parts = std::max(2, ctx.defaultParallelism()) * 4;
  const int64_t records = mb * 1048576 / (kPayload + 8);
  std::vector<double> times, rates;
  double shuffleMb = 0;
  for (int r = 0; r < reps; ++r) {
    totals->reset();
    auto t0 = std::chrono::steady_clock::now();
    int64_t bytes = ctx.range(0, records, 1, parts)
                        .map([](int64_t i) {
                          return Row{i, payload(i)};
                        })
                        .partitionBy(parts)
                        .map([](const Row& row) { return static_cast<int64_t>(row.second.size()); })
                        .reduce([](int64_t a, int64_t b) { return a + b; });
    times.push_back(bench::secondsSince(t0));
    ctx.eventBus().waitUntilEmpty(10000);
    shuffleMb = static_cast<double>(totals->totals().shuffleBytesWritten) / 1048576.0;
    rates.push_back(reduce->gbPerSecond());
    std::fprintf(stderr,
                 "cluster_bench %s shuffle %lld MB run %d: %.3f s, %.1f MB shuffled, read at "
                 "%.3f GB/s\n",
                 ctx.master().c_str(), static_cast<long long>(mb), r + 1, times.back(), shuffleMb,
                 rates.back());
    if (bytes != records * kPayload) {
      std::fprintf(stderr, "cluster_bench: shuffled %lld payload bytes, expected %lld\n",
                   static_cast<long long>(bytes), static_cast<long long>(records * kPayload));
      return 1;
    }
  }
  double s = bench::median(times);
  std::printf("ember,cluster,shuffle_%lldm,%s,%.3f,%.1f,%.3f\n", static_cast<long long>(mb),
              ctx.master().c_str(), s, shuffleMb, bench::median(rates));
  return 0;
}

int tasks(ember::Context& ctx, int n, int reps) {
  ctx.parallelize(std::vector<int64_t>{}, 1000).count();  // warm-up
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    int64_t c = ctx.parallelize(std::vector<int64_t>{}, n).count();
    times.push_back(bench::secondsSince(t0));
    std::fprintf(stderr, "cluster_bench %s tasks %d run %d: %.3f s (%.0f tasks/s)\n",
                 ctx.master().c_str(), n, r + 1, times.back(), n / times.back());
    if (c != 0) return 1;
  }
  double s = bench::median(times);
  std::printf("ember,cluster,tasks_%d,%s,%.3f,%.0f\n", n, ctx.master().c_str(), s, n / s);
  return 0;
}

// 24 map tasks of ~50 ms each, then a reduce; with `kill`, partition 0's first attempt
// kills its executor halfway, so its running task and its finished map outputs are lost.
double recoveryJob(ember::Context& ctx, bool kill, int64_t* sum) {
  auto t0 = std::chrono::steady_clock::now();
  *sum = ctx.range(0, 240000, 1, 24)
             .mapPartitionsWithIndex([kill](int p, ember::Iterator<int64_t>& it) {
               std::vector<std::pair<int64_t, int64_t>> out;
               int64_t x;
               while (it.next(x)) out.push_back({x % 1000, x});
               std::this_thread::sleep_for(std::chrono::milliseconds(50));
               if (kill && p == 12 && ember::TaskContext::current()->attemptNumber() == 0)
                 raise(SIGKILL);
               return out;
             })
             .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 4)
             .values()
             .reduce([](int64_t a, int64_t b) { return a + b; });
  return bench::secondsSince(t0);
}

int recover(ember::Context& ctx) {
  int64_t plain = 0, lost = 0;
  recoveryJob(ctx, false, &plain);  // warm-up
  double without = recoveryJob(ctx, false, &plain);
  double with = recoveryJob(ctx, true, &lost);
  const int64_t expected = 240000LL * 239999 / 2;
  std::fprintf(stderr, "cluster_bench %s recover: %.3f s with the loss, %.3f s without\n",
               ctx.master().c_str(), with, without);
  if (plain != expected || lost != expected) {
    std::fprintf(stderr, "cluster_bench: recover sums %lld and %lld, expected %lld\n",
                 static_cast<long long>(plain), static_cast<long long>(lost),
                 static_cast<long long>(expected));
    return 1;
  }
  std::printf("ember,cluster,recover,%s,%.3f,%.3f,%.3f\n", ctx.master().c_str(), with, without,
              with - without);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "shuffle MB [REPS] | tasks N [REPS] | recover";
  std::vector<std::string> args;
  auto ctx = bench::makeContext(argc, argv, usage, &args);
  auto arg = [&](size_t i, int def) { return args.size() > i ? std::stoi(args[i]) : def; };
  try {
    if (args.size() >= 2 && args[0] == "shuffle") return shuffle(*ctx, arg(1, 256), arg(2, 3));
    if (args.size() >= 2 && args[0] == "tasks") return tasks(*ctx, arg(1, 20000), arg(2, 3));
    if (args.size() == 1 && args[0] == "recover") return recover(*ctx);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cluster_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "%s", ember::appArgsUsage(argv[0], usage).c_str());
  return 2;
}
