// Narrow transformations and sources of the typed RDD API: laziness, parallelize,
// range, map/filter/flatMap/mapPartitions, sample, union, cartesian, coalesce,
// repartition, zipWithIndex, glom. Each result is compared with the in-memory
// computation.
#include <gtest/gtest.h>

#include <limits>
#include <set>

#include "rdd_test_util.h"

namespace ember {
namespace {

using testing_rdd::iota64;
using testing_rdd::sorted;

class RddTransformTest : public testing_rdd::RddClusterTest {};
EMBER_RDD_CLUSTER_SUITE(RddTransformTest);

TEST_P(RddTransformTest, BuildingTransformationsRunsNoJob) {
  auto a = ctx().parallelize(iota64(100), 4);
  auto b = ctx().range(0, 50, 1, 3);
  auto pairs = a.map([](int64_t x) {
                  return std::make_pair(x % 7, x);
                }).filter([](const std::pair<int64_t, int64_t>& p) { return p.second > 3; });
  auto other = b.keyBy([](int64_t x) { return x % 7; });
  auto built = pairs.reduceByKey([](int64_t x, int64_t y) { return x + y; })
                   .join(other.groupByKey().mapValues(
                       [](std::vector<int64_t> v) { return static_cast<int64_t>(v.size()); }));
  auto more = a.union_(b).distinct().coalesce(2).repartition(5).flatMap([](int64_t x) {
    return std::vector<int64_t>{x, x};
  });
  auto cart = a.cartesian(b).sample(false, 0.5, 7);
  (void)cart;
  EXPECT_EQ(events().jobs(), 0);

  EXPECT_EQ(more.count(), 2 * 100);
  EXPECT_EQ(events().jobs(), 1);
  EXPECT_EQ(built.count(), 7);
  EXPECT_EQ(events().jobs(), 2);
}

TEST_P(RddTransformTest, SortByKeySamplesOnceAtConstructionLikeSpark) {
  auto pairs =
      ctx().parallelize(iota64(100), 4).map([](int64_t x) { return std::make_pair(x, x); });
  auto one = pairs.sortByKey(true, 1);  // a single partition needs no range bounds
  EXPECT_EQ(events().jobs(), 0);
  auto three = pairs.sortByKey(true, 3);
  EXPECT_EQ(events().jobs(), 1);
  (void)one;
  (void)three;
}

TEST_P(RddTransformTest, ParallelizeKeepsOrderAndSlicesEvenly) {
  auto rdd = ctx().parallelize(iota64(10), 3);
  EXPECT_EQ(rdd.getNumPartitions(), 3);
  EXPECT_EQ(rdd.collect(), iota64(10));
  auto parts = rdd.glom().collect();
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(parts[1], (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(parts[2], (std::vector<int64_t>{6, 7, 8, 9}));
}

TEST_P(RddTransformTest, ParallelizeWithMoreSlicesThanElements) {
  auto rdd = ctx().parallelize(std::vector<std::string>{"a", "b", "c"}, 7);
  EXPECT_EQ(rdd.getNumPartitions(), 7);
  EXPECT_EQ(rdd.collect(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(rdd.count(), 3);
  auto parts = rdd.glom().collect();
  ASSERT_EQ(parts.size(), 7u);
  int empty = 0;
  for (auto& p : parts) empty += p.empty();
  EXPECT_EQ(empty, 4);
  // The default number of slices is the default parallelism.
  EXPECT_EQ(ctx().parallelize(iota64(5)).getNumPartitions(), ctx().defaultParallelism());
}

TEST_P(RddTransformTest, RangeWithPositiveNegativeAndEmptySteps) {
  EXPECT_EQ(ctx().range(0, 10, 3, 2).collect(), (std::vector<int64_t>{0, 3, 6, 9}));
  EXPECT_EQ(ctx().range(10, 0, -3, 3).collect(), (std::vector<int64_t>{10, 7, 4, 1}));
  EXPECT_EQ(ctx().range(-5, -11, -2, 4).collect(), (std::vector<int64_t>{-5, -7, -9}));
  EXPECT_EQ(ctx().range(0, 1000, 1, 7).collect(), iota64(1000));
  EXPECT_EQ(ctx().range(0, 1000, 1, 7).count(), 1000);
  EXPECT_TRUE(ctx().range(5, 5, 1, 3).collect().empty());
  EXPECT_TRUE(ctx().range(5, 0, 1, 3).collect().empty());
  EXPECT_TRUE(ctx().range(0, 5, -1, 3).collect().empty());
  EXPECT_EQ(ctx().range(0, 5, 1, 3).getNumPartitions(), 3);
  EXPECT_THROW(ctx().range(0, 5, 0), UserError);
}

TEST_P(RddTransformTest, RangeNearTheLimitsOfInt64) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(ctx().range(kMax - 10, kMax, 4, 2).collect(),
            (std::vector<int64_t>{kMax - 10, kMax - 6, kMax - 2}));
  EXPECT_EQ(ctx().range(kMin + 10, kMin, -4, 2).collect(),
            (std::vector<int64_t>{kMin + 10, kMin + 6, kMin + 2}));
  // A huge range: each partition starts at floor(count * p / n), without overflow.
  auto firsts = ctx()
                    .range(0, kMax, 1, 4)
                    .mapPartitions([](Iterator<int64_t>& it) {
                      int64_t x;
                      return it.next(x) ? std::vector<int64_t>{x} : std::vector<int64_t>{};
                    })
                    .collect();
  std::vector<int64_t> expected;
  for (int64_t p = 0; p < 4; ++p) expected.push_back(kMax / 4 * p + kMax % 4 * p / 4);
  EXPECT_EQ(firsts, expected);
  EXPECT_EQ(ctx().range(0, kMax, 1, 4).take(3), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_THROW(ctx().range(kMin, kMax), UserError) << "2^64-1 elements do not fit a count";
  // Large steps: start + index * step stays exact.
  EXPECT_EQ(ctx().range(kMin, kMax, kMax / 2, 3).collect(),
            (std::vector<int64_t>{kMin, kMin + kMax / 2, kMin + 2 * (kMax / 2),
                                  kMin + 2 * (kMax / 2) + kMax / 2,
                                  kMin + 2 * (kMax / 2) + 2 * (kMax / 2)}));
}

TEST_P(RddTransformTest, MapFilterFlatMapKeyBy) {
  auto base = ctx().parallelize(iota64(200), 5);
  std::vector<int64_t> expMap, expFilter, expFlat;
  for (int64_t x : iota64(200)) {
    expMap.push_back(x * x + 1);
    if (x % 3 == 0) expFilter.push_back(x);
    for (int64_t i = 0; i < x % 4; ++i) expFlat.push_back(x * 10 + i);
  }
  EXPECT_EQ(base.map([](int64_t x) { return x * x + 1; }).collect(), expMap);
  EXPECT_EQ(base.filter([](int64_t x) { return x % 3 == 0; }).collect(), expFilter);
  EXPECT_EQ(base.flatMap([](int64_t x) {
                  std::vector<int64_t> v;
                  for (int64_t i = 0; i < x % 4; ++i) v.push_back(x * 10 + i);
                  return v;
                })
                .collect(),
            expFlat);
  // map may change the element type.
  auto strs = base.map([](int64_t x) { return std::to_string(x); }).collect();
  ASSERT_EQ(strs.size(), 200u);
  EXPECT_EQ(strs[123], "123");
  auto keyed = ctx()
                   .parallelize(std::vector<std::string>{"apple", "fig", "kiwi"}, 2)
                   .keyBy([](const std::string& s) { return static_cast<int64_t>(s.size()); })
                   .collect();
  EXPECT_EQ(keyed,
            (std::vector<std::pair<int64_t, std::string>>{{5, "apple"}, {3, "fig"}, {4, "kiwi"}}));
}

TEST_P(RddTransformTest, MapPartitionsAndWithIndex) {
  auto base = ctx().parallelize(iota64(100), 4);
  auto sums = base.mapPartitions([](Iterator<int64_t>& it) {
                    int64_t s = 0, x;
                    while (it.next(x)) s += x;
                    return std::vector<int64_t>{s};
                  })
                  .collect();
  // Slices are contiguous: [0,25), [25,50), ...
  EXPECT_EQ(sums, (std::vector<int64_t>{300, 925, 1550, 2175}));

  auto tagged = base.mapPartitionsWithIndex([](int p, Iterator<int64_t>& it) {
                      std::vector<std::pair<int, int64_t>> out;
                      int64_t x;
                      while (it.next(x)) out.emplace_back(p, x);
                      return out;
                    })
                    .collect();
  ASSERT_EQ(tagged.size(), 100u);
  for (auto& [p, x] : tagged) EXPECT_EQ(p, x / 25) << x;
}

TEST_P(RddTransformTest, SampleIsReproducibleAndNearTheFraction) {
  auto base = ctx().range(0, 10000, 1, 4);
  auto s1 = base.sample(false, 0.3, 11).collect();
  auto s2 = base.sample(false, 0.3, 11).collect();
  auto s3 = base.sample(false, 0.3, 12).collect();
  EXPECT_EQ(s1, s2);
  EXPECT_NE(s1, s3);
  EXPECT_NEAR(static_cast<double>(s1.size()), 3000.0, 300.0);
  EXPECT_EQ(std::set<int64_t>(s1.begin(), s1.end()).size(), s1.size())
      << "no duplicates without replacement";
  EXPECT_TRUE(std::is_sorted(s1.begin(), s1.end()));
  EXPECT_TRUE(base.sample(false, 0.0, 1).collect().empty());
  EXPECT_EQ(base.sample(false, 1.0, 1).count(), 10000);

  auto r1 = base.sample(true, 2.0, 5).collect();
  EXPECT_EQ(r1, base.sample(true, 2.0, 5).collect());
  EXPECT_NEAR(static_cast<double>(r1.size()), 20000.0, 800.0);
  std::map<int64_t, int> copies;
  for (int64_t x : r1) {
    ASSERT_TRUE(x >= 0 && x < 10000);
    ++copies[x];
  }
  int maxCopies = 0;
  for (auto& [x, c] : copies) maxCopies = std::max(maxCopies, c);
  EXPECT_GE(maxCopies, 4) << "Poisson(2) sampling should repeat some records several times";

  EXPECT_TRUE(base.sample(true, 0.0, 3).collect().empty());
  EXPECT_THROW(base.sample(false, 1.5), UserError);
  EXPECT_THROW(base.sample(true, -0.1), UserError);
}

TEST_P(RddTransformTest, UnionConcatenatesPartitionsInOrder) {
  auto a = ctx().parallelize(std::vector<int64_t>{1, 2, 3}, 2);
  auto b = ctx().parallelize(std::vector<int64_t>{3, 4}, 3);
  auto u = a.union_(b);
  EXPECT_EQ(u.getNumPartitions(), 5);
  EXPECT_EQ(u.collect(), (std::vector<int64_t>{1, 2, 3, 3, 4}));
  auto many = ctx().union_(std::vector<RDD<int64_t>>{a, b, a});
  EXPECT_EQ(many.count(), 8);
  EXPECT_EQ(many.getNumPartitions(), 7);
  EXPECT_THROW(ctx().union_(std::vector<RDD<int64_t>>{}), UserError);
}

TEST_P(RddTransformTest, CartesianPairsEveryElement) {
  auto a = ctx().parallelize(std::vector<int64_t>{1, 2, 3}, 2);
  auto b = ctx().parallelize(std::vector<std::string>{"x", "y"}, 2);
  auto c = a.cartesian(b);
  EXPECT_EQ(c.getNumPartitions(), 4);
  std::vector<std::pair<int64_t, std::string>> expected;
  for (int64_t x : {1, 2, 3})
    for (std::string y : {"x", "y"}) expected.emplace_back(x, y);
  EXPECT_EQ(sorted(c.collect()), expected);
  auto empty = ctx().parallelize(std::vector<std::string>{}, 2);
  EXPECT_EQ(a.cartesian(empty).count(), 0);
}

TEST_P(RddTransformTest, CoalesceMergesPartitionsWithoutShuffle) {
  auto base = ctx().parallelize(iota64(100), 8);
  auto c = base.coalesce(3);
  EXPECT_EQ(c.getNumPartitions(), 3);
  EXPECT_EQ(c.collect(), iota64(100)) << "coalesce keeps the order of contiguous partitions";
  EXPECT_EQ(c.toDebugString().find("+-("), std::string::npos) << c.toDebugString();
  auto sizes =
      c.glom().map([](std::vector<int64_t> v) { return static_cast<int64_t>(v.size()); }).collect();
  EXPECT_EQ(sizes.size(), 3u);
  for (int64_t s : sizes) EXPECT_GT(s, 0);
  // The job runs in a single stage.
  int before = events().stages();
  c.count();
  EXPECT_EQ(events().stages() - before, 1);
  // Asking for more partitions without shuffle keeps the current number.
  EXPECT_EQ(base.coalesce(20).getNumPartitions(), 8);
  EXPECT_EQ(base.coalesce(20).count(), 100);
  EXPECT_THROW(base.coalesce(0), UserError);
  // With shuffle it may grow.
  auto grown = base.coalesce(12, true);
  EXPECT_EQ(grown.getNumPartitions(), 12);
  EXPECT_EQ(sorted(grown.collect()), iota64(100));
}

TEST_P(RddTransformTest, RepartitionBalancesSkewedInput) {
  // 4 input partitions with very different sizes (one is empty).
  std::vector<int64_t> data = iota64(1000);
  auto skewed = ctx().parallelize(data, 4).filter([](int64_t x) { return x < 250 || x >= 600; });
  auto r = skewed.repartition(7);
  EXPECT_EQ(r.getNumPartitions(), 7);
  std::vector<int64_t> expected;
  for (int64_t x : data)
    if (x < 250 || x >= 600) expected.push_back(x);
  EXPECT_EQ(sorted(r.collect()), expected);
  auto sizes =
      r.glom().map([](std::vector<int64_t> v) { return static_cast<int64_t>(v.size()); }).collect();
  ASSERT_EQ(sizes.size(), 7u);
  auto [mn, mx] = std::minmax_element(sizes.begin(), sizes.end());
  EXPECT_LE(*mx - *mn, 4) << "each input partition spreads round-robin";
  EXPECT_NE(r.toDebugString().find("+-("), std::string::npos) << r.toDebugString();
  EXPECT_THROW(skewed.repartition(0), UserError);
}

TEST_P(RddTransformTest, ZipWithIndexNumbersInPartitionOrder) {
  // Uneven partitions, some empty.
  auto base =
      ctx().parallelize(iota64(50, 100), 6).filter([](int64_t x) { return x < 110 || x >= 130; });
  auto z = base.zipWithIndex().collect();
  auto plain = base.collect();
  ASSERT_EQ(z.size(), plain.size());
  for (size_t i = 0; i < z.size(); ++i) {
    EXPECT_EQ(z[i].first, plain[i]);
    EXPECT_EQ(z[i].second, static_cast<int64_t>(i));
  }
  EXPECT_TRUE(ctx().parallelize(std::vector<int64_t>{}, 3).zipWithIndex().collect().empty());
}

TEST_P(RddTransformTest, GlomReturnsOneVectorPerPartition) {
  auto parts = ctx().range(0, 10, 1, 4).glom().collect();
  ASSERT_EQ(parts.size(), 4u);
  std::vector<int64_t> flat;
  for (auto& p : parts) flat.insert(flat.end(), p.begin(), p.end());
  EXPECT_EQ(flat, iota64(10));
  EXPECT_EQ(parts[0], (std::vector<int64_t>{0, 1}));
}

// Not parameterised: compares engines with each other.
TEST(RddSampleAcrossClustersTest, SameSeedSameSampleOnEveryEngine) {
  std::vector<std::vector<int64_t>> results;
  for (auto [master, ser] :
       {std::pair<const char*, bool>{"local[1]", false}, {"local[3]", false}, {"local[2]", true}}) {
    auto ctx = testing_rdd::makeContext(master, ser);
    results.push_back(ctx->range(0, 5000, 1, 6).sample(false, 0.1, 99).collect());
    results.push_back(ctx->range(0, 5000, 1, 6).sample(true, 0.5, 99).collect());
  }
  EXPECT_FALSE(results[0].empty());
  for (size_t i = 2; i < results.size(); ++i) EXPECT_EQ(results[i], results[i % 2]) << i;
}

}  // namespace
}  // namespace ember
