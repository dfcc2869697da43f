// Jobs whose output must not depend on where they run: the end-to-end tests of cluster
// mode (tests/e2e/cluster_*.sh) run them on local[N] and on local-cluster[E,C,M] and
// compare. Every mode prints its result sorted, so the output is deterministic.
//
//   cluster_check [--master M] [--conf k=v ...] wordcount FILE
//   cluster_check ... join N             join of two generated pair RDDs, every row
//   cluster_check ... heavy N P SLEEPMS  three shuffles over N records in P partitions,
//                                        each map task sleeping SLEEPMS (to be killed in
//                                        the middle), a broadcast and an accumulator;
//                                        prints a digest
//   cluster_check ... fail               a task that always throws
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "ember/common/text.h"
#include "ember/ember.h"

namespace {

using KV = std::pair<int64_t, int64_t>;

int wordcount(ember::Context& ctx, const std::string& path) {
  auto counts = ctx.textFile(path)
                    .flatMap([](const std::string& line) { return ember::splitWhitespace(line); })
                    .map([](std::string w) { return std::make_pair(std::move(w), int64_t{1}); })
                    .reduceByKey([](int64_t a, int64_t b) { return a + b; })
                    .collect();
  std::sort(counts.begin(), counts.end());
  for (const auto& [w, n] : counts) std::cout << w << "\t" << n << "\n";
  return 0;
}

int join(ember::Context& ctx, int64_t n) {
  auto left = ctx.range(0, n).map([](int64_t x) { return KV{x % 1000, x}; });
  auto right = ctx.range(0, 2000, 1, 3).map([](int64_t y) {
    return std::make_pair(y % 1000, std::to_string(y));
  });
  auto rows = left.join(right)
                  .map([](std::pair<int64_t, std::pair<int64_t, std::string>> r) {
                    return std::to_string(r.first) + "\t" + std::to_string(r.second.first) + "\t" +
                           r.second.second;
                  })
                  .collect();
  std::sort(rows.begin(), rows.end());
  for (const auto& r : rows) std::cout << r << "\n";
  return 0;
}

int heavy(ember::Context& ctx, int64_t n, int parts, int64_t sleepMs) {
  std::vector<int64_t> weights(101);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int64_t>(i * 7 + 1);
  auto bc = ctx.broadcast(weights);
  auto seen = ctx.accumulator<int64_t>(0);
  auto pairs = ctx.range(0, n, 1, parts)
                   .mapPartitionsWithIndex([sleepMs, seen](int, ember::Iterator<int64_t>& it) {
                     std::this_thread::sleep_for(std::chrono::milliseconds(sleepMs));
                     std::vector<KV> out;
                     int64_t x;
                     while (it.next(x)) out.push_back({(x * 7919) % 5003, x});
                     seen.add(static_cast<int64_t>(out.size()));
                     return out;
                   });
  auto sums = pairs.reduceByKey([](int64_t a, int64_t b) { return a + b; }, parts);
  auto grouped = sums.map([sleepMs](KV kv) {
                       if (kv.first == 0)
                         std::this_thread::sleep_for(std::chrono::milliseconds(sleepMs));
                       return KV{kv.first % 101, kv.second};
                     })
                     .groupByKey(parts);
  auto weighted = grouped.map([bc](std::pair<int64_t, std::vector<int64_t>> g) {
    int64_t s = 0;
    for (int64_t v : g.second) s = (s + v % 1000003) % 1000003;
    return KV{g.first, s * bc.value()[static_cast<size_t>(g.first)]};
  });
  auto counts = pairs.map([](KV kv) {
                       return KV{kv.first % 101, 1};
                     })
                    .reduceByKey([](int64_t a, int64_t b) { return a + b; }, parts);
  auto rows = weighted.join(counts).collect();
  std::sort(rows.begin(), rows.end());
  int64_t digest = 0;
  for (const auto& [k, vw] : rows) {
    digest = (digest * 31 + k * 1000003 + vw.first + vw.second) % 1000000007;
    std::cout << k << "\t" << vw.first << "\t" << vw.second << "\n";
  }
  std::cout << "rows " << rows.size() << " digest " << digest << "\n";
  // Retried tasks do not count twice: accumulators merge successful attempts only.
  std::cout << "records seen at least " << (seen.value() >= n ? "n" : "fewer than n") << "\n";
  return 0;
}

int fail(ember::Context& ctx) {
  ctx.range(0, 10, 1, 2)
      .map([](int64_t x) -> int64_t {
        if (x >= 0) throw std::runtime_error("this task always fails");
        return x;
      })
      .count();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto ctx =
        ember::Context::fromArgs(argc, argv, "wordcount FILE | join N | heavy N P SLEEPMS | fail");
    const auto& a = ctx->args();
    if (a.size() == 2 && a[0] == "wordcount") return wordcount(*ctx, a[1]);
    if (a.size() == 2 && a[0] == "join") return join(*ctx, std::stoll(a[1]));
    if (a.size() == 4 && a[0] == "heavy")
      return heavy(*ctx, std::stoll(a[1]), std::stoi(a[2]), std::stoll(a[3]));
    if (a.size() == 1 && a[0] == "fail") return fail(*ctx);
  } catch (const ember::EmberError& e) {
    std::cerr << "cluster_check failed: " << e.what() << "\n";
    return 1;
  }
  std::cerr
      << "usage: cluster_check [options] wordcount FILE | join N | heavy N P SLEEPMS | fail\n";
  return 2;
}
