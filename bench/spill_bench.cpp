// Spill benchmark: shuffles whose data are several times the executor memory budget, so
// the map-side buffers, the reduce-side sorter and the aggregation map must spill.
//
//   spill_bench [--master local[N]] [--conf ember.executor.memory=64m ...]
//               [RECORDS=3500000] [PAYLOAD_BYTES=100] [MAP_TASKS=8]
//
// Records are generated inside the map tasks from range(0, RECORDS): a pseudo-random
// int64 key and a PAYLOAD_BYTES string (~RECORDS * (PAYLOAD_BYTES + 16) bytes in all;
// the defaults give ~406 MB, about 6x the 64m budget that this program uses unless
// --conf ember.executor.memory says otherwise).
//   sortBy       records sorted by key; checks count, global order and a key checksum
//   reduceByKey  (PAYLOAD_BYTES string of i mod RECORDS/2, 1): every key twice; checks
//                RECORDS/2 keys and a value sum of RECORDS
// A listener sums StageCompleted totals. One CSV line per job:
//   ember,spill,<job>,local[N],<threads>,<seconds>,<input MB>,<disk spilled MB>,
//   <memory spilled MB>,<spill MB/s = disk spilled / seconds>
// Exit status 1 if a check fails.
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "ember/ember.h"

namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string payload(uint64_t seed, int bytes) {
  std::string s(static_cast<size_t>(bytes), 'a');
  uint64_t h = seed;
  for (int i = 0; i < bytes; ++i) {
    if (i % 8 == 0) h = mix(h + static_cast<uint64_t>(i));
    s[static_cast<size_t>(i)] = static_cast<char>('a' + (h >> (8 * (i % 8))) % 26);
  }
  return s;
}

int64_t keyOf(int64_t i) { return static_cast<int64_t>(mix(static_cast<uint64_t>(i)) >> 1); }

struct Gen {  // range index -> (key, payload)
  int payloadBytes;
  std::pair<int64_t, std::string> operator()(int64_t i) const {
    return {keyOf(i), payload(static_cast<uint64_t>(i), payloadBytes)};
  }
};

struct GenPair {  // range index -> (payload of i mod distinct, 1)
  int payloadBytes;
  int64_t distinct;
  std::pair<std::string, int64_t> operator()(int64_t i) const {
    return {payload(static_cast<uint64_t>(i % distinct), payloadBytes), 1};
  }
};

struct Result {
  double seconds;
  ember::TaskMetrics totals;
};

template <class F>
Result timed(ember::Context& ctx, bench::StageTotals& stages, F job) {
  ctx.eventBus().waitUntilEmpty(10000);
  stages.reset();
  auto t0 = std::chrono::steady_clock::now();
  job();
  double s = bench::secondsSince(t0);
  ctx.eventBus().waitUntilEmpty(10000);
  return {s, stages.totals()};
}

void print(ember::Context& ctx, const char* job, const Result& r, double inputMb) {
  const double mb = 1024.0 * 1024.0;
  double disk = static_cast<double>(r.totals.diskBytesSpilled) / mb;
  double mem = static_cast<double>(r.totals.memoryBytesSpilled) / mb;
  std::printf("ember,spill,%s,%s,%d,%.3f,%.1f,%.1f,%.1f,%.1f\n", job, ctx.master().c_str(),
              bench::slotsOf(ctx.master()), r.seconds, inputMb, disk, mem, disk / r.seconds);
  std::fprintf(stderr,
               "spill_bench %s %s: %.3f s, shuffle write %.1f MB, shuffle read %.1f MB, "
               "disk spilled %.1f MB, memory spilled %.1f MB, peak execution memory %.1f MB\n",
               ctx.master().c_str(), job, r.seconds,
               static_cast<double>(r.totals.shuffleBytesWritten) / mb,
               static_cast<double>(r.totals.shuffleBytesRead) / mb, disk, mem,
               static_cast<double>(r.totals.peakExecutionMemory) / mb);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "[RECORDS [PAYLOAD_BYTES [MAP_TASKS]]]";
  std::vector<std::string> args;
  // 64m budget unless the command line sets one: a default must not come after --conf.
  std::vector<const char*> argvWithDefault(argv, argv + argc);
  bool memoryGiven = false;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).find("ember.executor.memory") != std::string::npos) memoryGiven = true;
  if (!memoryGiven) {
    argvWithDefault.insert(argvWithDefault.begin() + 1, "ember.executor.memory=64m");
    argvWithDefault.insert(argvWithDefault.begin() + 1, "--conf");
  }
  auto ctx = bench::makeContext(static_cast<int>(argvWithDefault.size()), argvWithDefault.data(),
                                usage, &args);
  const int64_t records = args.size() > 0 ? std::stoll(args[0]) : 3500000;
  const int payloadBytes = args.size() > 1 ? std::stoi(args[1]) : 100;
  const int mapTasks = args.size() > 2 ? std::stoi(args[2]) : 8;
  if (records < 2 || payloadBytes < 1 || mapTasks < 1) {
    std::cerr << ember::appArgsUsage(argv[0], usage);
    return 2;
  }
  auto stages = std::make_shared<bench::StageTotals>();
  ctx->addListener(stages);
  const double inputMb = static_cast<double>(records) * (payloadBytes + 16) / (1024.0 * 1024.0);
  std::fprintf(stderr, "spill_bench: %lld records, %.1f MB, executor memory %s\n",
               static_cast<long long>(records), inputMb,
               ctx->conf().get("ember.executor.memory").c_str());

  try {
    // --- sortBy: per partition [count, first key, last key, in order?, key sum]
    std::vector<int64_t> parts;
    Result sorted = timed(*ctx, *stages, [&] {
      parts = ctx->range(0, records, 1, mapTasks)
                  .map(Gen{payloadBytes})
                  .sortBy([](const std::pair<int64_t, std::string>& r) { return r.first; })
                  .mapPartitions([](ember::Iterator<std::pair<int64_t, std::string>>& it) {
                    std::pair<int64_t, std::string> r;
                    int64_t n = 0, first = 0, last = 0, ordered = 1;
                    uint64_t sum = 0;
                    while (it.next(r)) {
                      if (n == 0) first = r.first;
                      if (n > 0 && r.first < last) ordered = 0;
                      last = r.first;
                      sum += static_cast<uint64_t>(r.first);
                      ++n;
                    }
                    return std::vector<int64_t>{n, first, last, ordered, static_cast<int64_t>(sum)};
                  })
                  .collect();
    });
    int64_t n = 0, prevLast = INT64_MIN;
    uint64_t sum = 0, expectedSum = 0;
    bool ok = true;
    for (size_t p = 0; p + 4 < parts.size(); p += 5) {
      if (parts[p] == 0) continue;
      ok = ok && parts[p + 3] == 1 && parts[p + 1] >= prevLast;
      prevLast = parts[p + 2];
      n += parts[p];
      sum += static_cast<uint64_t>(parts[p + 4]);
    }
    for (int64_t i = 0; i < records; ++i) expectedSum += static_cast<uint64_t>(keyOf(i));
    if (!ok || n != records || sum != expectedSum) {
      std::fprintf(stderr, "spill_bench: sortBy check failed (%lld records, order %s, sum %s)\n",
                   static_cast<long long>(n), ok ? "ok" : "WRONG",
                   sum == expectedSum ? "ok" : "WRONG");
      return 1;
    }
    print(*ctx, "sortBy", sorted, inputMb);

    // --- reduceByKey: per partition [keys, value sum]
    const int64_t distinct = records / 2;
    std::vector<int64_t> agg;
    Result reduced = timed(*ctx, *stages, [&] {
      agg = ctx->range(0, records, 1, mapTasks)
                .map(GenPair{payloadBytes, distinct})
                .reduceByKey([](int64_t a, int64_t b) { return a + b; })
                .mapPartitions([](ember::Iterator<std::pair<std::string, int64_t>>& it) {
                  std::pair<std::string, int64_t> r;
                  int64_t keys = 0, total = 0;
                  while (it.next(r)) {
                    ++keys;
                    total += r.second;
                  }
                  return std::vector<int64_t>{keys, total};
                })
                .collect();
    });
    int64_t keys = 0, total = 0;
    for (size_t p = 0; p + 1 < agg.size(); p += 2) {
      keys += agg[p];
      total += agg[p + 1];
    }
    if (keys != distinct || total != records) {
      std::fprintf(stderr, "spill_bench: reduceByKey check failed (%lld keys, %lld total)\n",
                   static_cast<long long>(keys), static_cast<long long>(total));
      return 1;
    }
    print(*ctx, "reduceByKey", reduced, inputMb);
  } catch (const ember::EmberError& e) {
    std::cerr << "spill_bench failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
