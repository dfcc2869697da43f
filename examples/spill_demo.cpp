// Spill demo: runs a shuffle over data several times ember.executor.memory and checks
// that it finished with the right answer, spilling instead of running out of memory.
//
//   spill_demo [--master local[N]] [--conf key=value ...] reduce|sort|group N_RECORDS [PARTITIONS]
//
// Records are generated inside the tasks from their index i (nothing is shipped from
// the driver): a 20-byte key and, for sort and group, an 80-byte value.
//   reduce: (key(i mod K), i) with K = N/2 keys, reduceByKey(+)
//   sort:   key(i) + value(i) sorted by the key with sortBy
//   group:  (key(i mod K), value(i)) with K = N/8 keys, groupByKey
// Each result is verified without collecting it: tasks return a per-partition summary
// (count, order, checksum) and the driver compares it with the value computed
// arithmetically from the generator. Prints "OK" (or "WRONG RESULT" and exits 1),
// counts, spilled bytes, time, spill throughput and the peak RSS of this process.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "ember/common/size_estimate.h"
#include "ember/ember.h"
#include "stage_report.h"

namespace {

constexpr size_t kKeyBytes = 20;
constexpr size_t kValueBytes = 80;

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t fnv(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// 20 decimal digits: distinct indexes give distinct keys (splitmix is a bijection).
std::string keyOf(int64_t idx) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020" PRIu64, splitmix(static_cast<uint64_t>(idx)));
  return std::string(buf, kKeyBytes);
}

std::string valueOf(int64_t i) {
  std::string v;
  v.reserve(kValueBytes);
  uint64_t x = static_cast<uint64_t>(i);
  while (v.size() < kValueBytes) {
    x = splitmix(x);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, x);
    v.append(buf, std::min<size_t>(16, kValueBytes - v.size()));
  }
  return v;
}

// What one partition of a result looked like.
struct Summary {
  int64_t partition = -1;
  int64_t records = 0;  // result records (keys, or sorted records)
  int64_t values = 0;   // values inside groups / sum of reduced values
  uint64_t checksum = 0;
  int64_t badGroups = 0;  // groups of the wrong size
  bool sorted = true;
  std::string first, last;

  void serialize(ember::ByteWriter& w) const {
    for (int64_t x : {partition, records, values, static_cast<int64_t>(checksum), badGroups,
                      static_cast<int64_t>(sorted)})
      ember::Serde<int64_t>::write(w, x);
    ember::Serde<std::string>::write(w, first);
    ember::Serde<std::string>::write(w, last);
  }
  static Summary deserialize(ember::ByteReader& r) {
    Summary s;
    s.partition = ember::Serde<int64_t>::read(r);
    s.records = ember::Serde<int64_t>::read(r);
    s.values = ember::Serde<int64_t>::read(r);
    s.checksum = static_cast<uint64_t>(ember::Serde<int64_t>::read(r));
    s.badGroups = ember::Serde<int64_t>::read(r);
    s.sorted = ember::Serde<int64_t>::read(r) != 0;
    s.first = ember::Serde<std::string>::read(r);
    s.last = ember::Serde<std::string>::read(r);
    return s;
  }
};

// Sums the spill metrics of completed stages.
class SpillCounter : public ember::EventListener {
 public:
  void onStageCompleted(const ember::StageCompleted& e) override {
    diskSpilled += e.totals.diskBytesSpilled;
    memorySpilled += e.totals.memoryBytesSpilled;
  }
  std::atomic<int64_t> diskSpilled{0}, memorySpilled{0};
};

int64_t peakRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;  // KiB on Linux
}

struct Expected {
  int64_t records = 0, values = 0;
  uint64_t checksum = 0;
  int64_t estimatedBytes = 0;  // in-memory size of the shuffled data, as the engine estimates it
};

std::vector<Summary> runReduce(ember::Context& ctx, int64_t n, int parts, int64_t keys) {
  return ctx.range(0, n, 1, parts)
      .map([keys](int64_t i) { return std::make_pair(keyOf(i % keys), i); })
      .reduceByKey([](int64_t a, int64_t b) { return a + b; }, parts)
      .mapPartitionsWithIndex([](int p, ember::Iterator<std::pair<std::string, int64_t>>& it) {
        Summary s;
        s.partition = p;
        std::pair<std::string, int64_t> kv;
        while (it.next(kv)) {
          ++s.records;
          s.values += kv.second;
          s.checksum += fnv(kv.first) * static_cast<uint64_t>(kv.second);
        }
        return std::vector<Summary>{s};
      })
      .collect();
}

std::vector<Summary> runSort(ember::Context& ctx, int64_t n, int parts) {
  return ctx.range(0, n, 1, parts)
      .map([](int64_t i) { return keyOf(i) + valueOf(i); })
      .sortBy([](const std::string& r) { return r.substr(0, kKeyBytes); }, true, parts)
      .mapPartitionsWithIndex([](int p, ember::Iterator<std::string>& it) {
        Summary s;
        s.partition = p;
        std::string r, prev;
        while (it.next(r)) {
          if (s.records == 0) s.first = r;
          if (s.records > 0 && r.compare(0, kKeyBytes, prev, 0, kKeyBytes) < 0) s.sorted = false;
          ++s.records;
          s.checksum += fnv(r);
          prev = std::move(r);
        }
        s.last = prev;
        return std::vector<Summary>{s};
      })
      .collect();
}

std::vector<Summary> runGroup(ember::Context& ctx, int64_t n, int parts, int64_t keys) {
  const int64_t perKey = n / keys;
  return ctx.range(0, n, 1, parts)
      .map([keys](int64_t i) { return std::make_pair(keyOf(i % keys), valueOf(i)); })
      .groupByKey(parts)
      .mapPartitionsWithIndex(
          [perKey](int p, ember::Iterator<std::pair<std::string, std::vector<std::string>>>& it) {
            Summary s;
            s.partition = p;
            std::pair<std::string, std::vector<std::string>> g;
            while (it.next(g)) {
              ++s.records;
              s.values += static_cast<int64_t>(g.second.size());
              if (static_cast<int64_t>(g.second.size()) != perKey) ++s.badGroups;
              uint64_t hv = 0;
              for (const auto& v : g.second) hv += fnv(v);
              s.checksum += fnv(g.first) * hv;
            }
            return std::vector<Summary>{s};
          })
      .collect();
}

// The same numbers, from the generator alone (one record at a time, no collection).
Expected expected(const std::string& mode, int64_t n, int64_t keys) {
  Expected e;
  using Rec = std::pair<std::string, std::string>;
  if (mode == "reduce") {
    e.records = keys;
    for (int64_t i = 0; i < n; ++i) {
      e.values += i;
      e.checksum += fnv(keyOf(i % keys)) * static_cast<uint64_t>(i);
    }
    // Map-side combining holds one hash entry per distinct key of the map task: about
    // one per record, as each key's two records land in different map tasks.
    std::pair<std::string, int64_t> sample(keyOf(0), 0);
    e.estimatedBytes = n * (ember::kHashEntryOverhead + ember::estimateSize(sample.first) + 8);
  } else if (mode == "sort") {
    e.records = n;
    for (int64_t i = 0; i < n; ++i) e.checksum += fnv(keyOf(i) + valueOf(i));
    Rec sample(keyOf(0), keyOf(0) + valueOf(0));
    e.estimatedBytes = n * ember::estimateSize(sample);
  } else {
    e.records = keys;
    e.values = n;
    for (int64_t i = 0; i < n; ++i) e.checksum += fnv(keyOf(i % keys)) * fnv(valueOf(i));
    Rec sample(keyOf(0), valueOf(0));
    e.estimatedBytes = n * ember::estimateSize(sample);
  }
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  auto ctx = ember::Context::fromArgs(argc, argv, "reduce|sort|group N_RECORDS [PARTITIONS]");
  const auto& args = ctx->args();
  auto usage = [] {
    std::cerr << "usage: spill_demo [--master local[N]] [--conf key=value ...] reduce|sort|group "
                 "N_RECORDS [PARTITIONS]\n";
    return 2;
  };
  if (args.size() < 2 || args.size() > 3) return usage();
  const std::string mode = args[0];
  if (mode != "reduce" && mode != "sort" && mode != "group") return usage();
  int64_t n = 0;
  int parts = 2 * ctx->defaultParallelism();
  try {
    n = std::stoll(args[1]);
    if (args.size() == 3) parts = std::stoi(args[2]);
  } catch (const std::exception&) {
    return usage();
  }
  if (n < 8 || parts < 1) return usage();
  const int64_t keys = mode == "reduce" ? n / 2 : n / 8;

  auto counter = std::make_shared<SpillCounter>();
  auto report = std::make_shared<examples::StageReport>();
  ctx->addListener(counter);
  ctx->addListener(report);

  std::vector<Summary> sums;
  auto t0 = std::chrono::steady_clock::now();
  try {
    if (mode == "reduce") sums = runReduce(*ctx, n, parts, keys);
    if (mode == "sort") sums = runSort(*ctx, n, parts);
    if (mode == "group") sums = runGroup(*ctx, n, parts, keys);
  } catch (const ember::EmberError& e) {
    std::cerr << "spill_demo failed: " << e.what() << "\n";
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report->print(ctx->eventBus(), std::cout);

  Expected want = expected(mode, n, keys);
  Summary got;
  std::vector<std::string> problems;
  std::string lastKey;
  int64_t prevPartition = -1;
  for (const auto& s : sums) {
    if (s.partition <= prevPartition) problems.push_back("partition summaries out of order");
    prevPartition = s.partition;
    got.records += s.records;
    got.values += s.values;
    got.checksum += s.checksum;
    got.badGroups += s.badGroups;
    if (mode != "sort" || s.records == 0) continue;
    if (!s.sorted)
      problems.push_back("partition " + std::to_string(s.partition) + " is not sorted");
    if (!lastKey.empty() && s.first.compare(0, kKeyBytes, lastKey) < 0)
      problems.push_back("partition " + std::to_string(s.partition) +
                         " starts before the previous one ends");
    lastKey = s.last.substr(0, kKeyBytes);
  }
  if (got.records != want.records)
    problems.push_back("records " + std::to_string(got.records) +
                       " != " + std::to_string(want.records));
  if (got.values != want.values)
    problems.push_back("values " + std::to_string(got.values) +
                       " != " + std::to_string(want.values));
  if (got.checksum != want.checksum) problems.push_back("checksum mismatch");
  if (got.badGroups != 0)
    problems.push_back(std::to_string(got.badGroups) + " groups of the wrong size");

  ctx->eventBus().waitUntilEmpty(5000);
  int64_t spilled = counter->diskSpilled.load();
  const double mib = 1024.0 * 1024.0;
  std::printf("mode=%s records=%" PRId64 " partitions=%d result_records=%" PRId64 "\n",
              mode.c_str(), n, parts, got.records);
  std::printf("estimated_data_bytes=%" PRId64 " (%.1f MiB) executor_memory=%s\n",
              want.estimatedBytes, static_cast<double>(want.estimatedBytes) / mib,
              ctx->conf().get("ember.executor.memory").c_str());
  std::printf("spilled_bytes=%" PRId64 " memory_bytes_spilled=%" PRId64 "\n", spilled,
              counter->memorySpilled.load());
  std::printf("seconds=%.2f spill_MBps=%.1f\n", seconds,
              static_cast<double>(spilled) / 1e6 / seconds);
  std::printf("peak_rss_kib=%" PRId64 " (%.1f MiB)\n", peakRssKiB(),
              static_cast<double>(peakRssKiB()) / 1024.0);
  if (!problems.empty()) {
    for (const auto& p : problems) std::printf("WRONG RESULT: %s\n", p.c_str());
    return 1;
  }
  std::printf("OK\n");
  return 0;
}
