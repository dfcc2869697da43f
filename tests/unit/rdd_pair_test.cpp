// Pair operations of the typed RDD API: reduceByKey, groupByKey, combineByKey,
// aggregateByKey, foldByKey, partitionBy, mapValues/flatMapValues/keys/values,
// countByKey/countByValue/collectAsMap, distinct, groupBy, cogroup and the joins.
// Results are compared with std::map computations, ignoring order where Spark does.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "rdd_test_util.h"

namespace ember {
namespace {

using testing_rdd::iota64;
using testing_rdd::sorted;
using KV = std::pair<std::string, int64_t>;

class RddPairTest : public testing_rdd::RddClusterTest {
 protected:
  // 600 records over 17 keys with very different frequencies.
  static std::vector<KV> data() {
    std::vector<KV> v;
    for (int64_t i = 0; i < 600; ++i) v.emplace_back("k" + std::to_string((i * i) % 17), i);
    return v;
  }
  RDD<KV> pairs(int slices = 5) { return ctx().parallelize(data(), slices); }
  static std::map<std::string, std::vector<int64_t>> groups() {
    std::map<std::string, std::vector<int64_t>> g;
    for (auto& [k, v] : data()) g[k].push_back(v);
    return g;
  }
};
EMBER_RDD_CLUSTER_SUITE(RddPairTest);

TEST_P(RddPairTest, ReduceByKeyMatchesMap) {
  std::map<std::string, int64_t> expected;
  for (auto& [k, v] : groups())
    for (int64_t x : v) expected[k] += x * 3;
  auto r = pairs()
               .mapValues([](int64_t v) { return v * 3; })
               .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 4);
  EXPECT_EQ(r.getNumPartitions(), 4);
  auto got = r.collect();
  EXPECT_EQ(got.size(), expected.size()) << "one record per key";
  EXPECT_EQ((std::map<std::string, int64_t>(got.begin(), got.end())), expected);
  // Default partition count: max(default parallelism, parent partitions).
  EXPECT_EQ(pairs(7).reduceByKey([](int64_t a, int64_t b) { return a + b; }).getNumPartitions(),
            std::max(7, ctx().defaultParallelism()));
}

TEST_P(RddPairTest, GroupByKeyKeepsEveryValue) {
  auto got = pairs().groupByKey(3).collect();
  auto expected = groups();
  ASSERT_EQ(got.size(), expected.size());
  for (auto& [k, vs] : got) EXPECT_EQ(sorted(vs), expected.at(k)) << k;
}

struct SumCount {
  int64_t sum;
  int64_t count;
};

TEST_P(RddPairTest, CombineByKeyComputesAverages) {
  auto got = pairs()
                 .combineByKey([](int64_t v) { return std::make_pair(v, int64_t{1}); },
                               [](std::pair<int64_t, int64_t> c, int64_t v) {
                                 return std::make_pair(c.first + v, c.second + 1);
                               },
                               [](std::pair<int64_t, int64_t> a, std::pair<int64_t, int64_t> b) {
                                 return std::make_pair(a.first + b.first, a.second + b.second);
                               },
                               2)
                 .collectAsMap();
  auto expected = groups();
  ASSERT_EQ(got.size(), expected.size());
  for (auto& [k, vs] : expected) {
    int64_t s = 0;
    for (int64_t x : vs) s += x;
    EXPECT_EQ(got.at(k), std::make_pair(s, static_cast<int64_t>(vs.size()))) << k;
  }
}

TEST_P(RddPairTest, AggregateByKeyWithAnotherCombinerType) {
  auto got = pairs()
                 .aggregateByKey(
                     SumCount{0, 0},
                     [](SumCount c, int64_t v) {
                       return SumCount{c.sum + v, c.count + 1};
                     },
                     [](SumCount a, SumCount b) {
                       return SumCount{a.sum + b.sum, a.count + b.count};
                     })
                 .collect();
  auto expected = groups();
  ASSERT_EQ(got.size(), expected.size());
  for (auto& [k, c] : got) {
    const auto& vs = expected.at(k);
    int64_t s = 0;
    for (int64_t x : vs) s += x;
    EXPECT_EQ(c.sum, s) << k;
    EXPECT_EQ(c.count, static_cast<int64_t>(vs.size())) << k;
  }
  // Max per key, zero below every value.
  auto mx = pairs()
                .aggregateByKey(
                    int64_t{-1}, [](int64_t a, int64_t v) { return std::max(a, v); },
                    [](int64_t a, int64_t b) { return std::max(a, b); })
                .collectAsMap();
  for (auto& [k, vs] : expected) EXPECT_EQ(mx.at(k), vs.back()) << k;
}

TEST_P(RddPairTest, FoldByKeyAppliesZeroOncePerKeyAndPartition) {
  auto sums = pairs().foldByKey(0, [](int64_t a, int64_t b) { return a + b; }).collectAsMap();
  auto expected = groups();
  for (auto& [k, vs] : expected) {
    int64_t s = 0;
    for (int64_t x : vs) s += x;
    EXPECT_EQ(sums.at(k), s) << k;
  }
  // As in Spark, a non-neutral zero is folded in once per key per map partition.
  auto one = ctx().parallelize(std::vector<KV>{{"a", 1}, {"a", 2}, {"b", 5}}, 1);
  auto got = one.foldByKey(100, [](int64_t a, int64_t b) { return a + b; }).collectAsMap();
  EXPECT_EQ(got, (std::map<std::string, int64_t>{{"a", 103}, {"b", 105}}));
}

TEST_P(RddPairTest, PartitionByPutsEachKeyInOnePartition) {
  auto p = pairs(3).partitionBy(6);
  EXPECT_EQ(p.getNumPartitions(), 6);
  auto tagged = p.mapPartitionsWithIndex([](int part, Iterator<KV>& it) {
                   std::vector<std::pair<std::string, int>> out;
                   KV kv;
                   while (it.next(kv)) out.emplace_back(kv.first, part);
                   return out;
                 }).collect();
  EXPECT_EQ(tagged.size(), data().size());
  std::map<std::string, std::set<int>> where;
  std::set<int> used;
  for (auto& [k, part] : tagged) {
    where[k].insert(part);
    used.insert(part);
  }
  for (auto& [k, parts] : where) EXPECT_EQ(parts.size(), 1u) << k << " is in several partitions";
  EXPECT_GE(used.size(), 3u) << "17 keys should spread over several of 6 partitions";
  EXPECT_EQ(sorted(p.collect()), sorted(data()));
  EXPECT_THROW(pairs().partitionBy(0), UserError);
}

TEST_P(RddPairTest, ValueAndKeyProjections) {
  auto small = ctx().parallelize(std::vector<KV>{{"a", 1}, {"b", 2}, {"a", 3}}, 2);
  EXPECT_EQ(small.keys().collect(), (std::vector<std::string>{"a", "b", "a"}));
  EXPECT_EQ(small.values().collect(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(small.mapValues([](int64_t v) { return std::to_string(v * 2); }).collect(),
            (std::vector<std::pair<std::string, std::string>>{{"a", "2"}, {"b", "4"}, {"a", "6"}}));
  EXPECT_EQ(small.flatMapValues([](int64_t v) { return iota64(v); }).collect(),
            (std::vector<KV>{{"a", 0}, {"b", 0}, {"b", 1}, {"a", 0}, {"a", 1}, {"a", 2}}));
}

TEST_P(RddPairTest, CountByKeyCountByValueCollectAsMap) {
  std::map<std::string, int64_t> expected;
  for (auto& [k, v] : data()) ++expected[k];
  EXPECT_EQ(pairs().countByKey(), expected);
  EXPECT_EQ(pairs().keys().countByValue(), expected);
  auto words = ctx().parallelize(std::vector<std::string>{"x", "y", "x", "z", "x"}, 3);
  EXPECT_EQ(words.countByValue(), (std::map<std::string, int64_t>{{"x", 3}, {"y", 1}, {"z", 1}}));
  // collectAsMap keeps one value per key (the last one collected).
  auto m = ctx().parallelize(std::vector<KV>{{"a", 1}, {"b", 2}, {"a", 3}}, 1).collectAsMap();
  EXPECT_EQ(m, (std::map<std::string, int64_t>{{"a", 3}, {"b", 2}}));
}

TEST_P(RddPairTest, DistinctAndGroupBy) {
  std::vector<int64_t> in;
  for (int64_t i = 0; i < 500; ++i) in.push_back((i * 37) % 61);
  auto d = ctx().parallelize(in, 4).distinct(3);
  EXPECT_EQ(d.getNumPartitions(), 3);
  EXPECT_EQ(sorted(d.collect()), iota64(61));
  auto strs = ctx().parallelize(std::vector<std::string>{"b", "a", "b", "", "a", ""}, 3).distinct();
  EXPECT_EQ(sorted(strs.collect()), (std::vector<std::string>{"", "a", "b"}));

  auto g =
      ctx().parallelize(iota64(30), 4).groupBy([](const int64_t& x) { return x % 4; }, 2).collect();
  ASSERT_EQ(g.size(), 4u);
  for (auto& [k, vs] : g) {
    std::vector<int64_t> expected;
    for (int64_t x = k; x < 30; x += 4) expected.push_back(x);
    EXPECT_EQ(sorted(vs), expected) << k;
  }
}

TEST_P(RddPairTest, JoinsWithDuplicateAndOneSidedKeys) {
  using L = std::pair<int64_t, std::string>;
  using R = std::pair<int64_t, char>;
  auto left = ctx().parallelize(std::vector<L>{{1, "a"}, {1, "b"}, {2, "c"}, {3, "d"}}, 2);
  auto right = ctx().parallelize(std::vector<R>{{1, 'x'}, {3, 'z'}, {1, 'y'}, {4, 'w'}}, 3);

  using J = std::pair<int64_t, std::pair<std::string, char>>;
  EXPECT_EQ(
      sorted(left.join(right).collect()),
      (std::vector<J>{
          {1, {"a", 'x'}}, {1, {"a", 'y'}}, {1, {"b", 'x'}}, {1, {"b", 'y'}}, {3, {"d", 'z'}}}));

  using LO = std::pair<int64_t, std::pair<std::string, std::optional<char>>>;
  EXPECT_EQ(sorted(left.leftOuterJoin(right).collect()), (std::vector<LO>{{1, {"a", 'x'}},
                                                                          {1, {"a", 'y'}},
                                                                          {1, {"b", 'x'}},
                                                                          {1, {"b", 'y'}},
                                                                          {2, {"c", std::nullopt}},
                                                                          {3, {"d", 'z'}}}));

  using RO = std::pair<int64_t, std::pair<std::optional<std::string>, char>>;
  EXPECT_EQ(sorted(left.rightOuterJoin(right).collect()),
            (std::vector<RO>{{1, {"a", 'x'}},
                             {1, {"a", 'y'}},
                             {1, {"b", 'x'}},
                             {1, {"b", 'y'}},
                             {3, {"d", 'z'}},
                             {4, {std::nullopt, 'w'}}}));

  using FO = std::pair<int64_t, std::pair<std::optional<std::string>, std::optional<char>>>;
  EXPECT_EQ(sorted(left.fullOuterJoin(right, 4).collect()),
            (std::vector<FO>{{1, {"a", 'x'}},
                             {1, {"a", 'y'}},
                             {1, {"b", 'x'}},
                             {1, {"b", 'y'}},
                             {2, {"c", std::nullopt}},
                             {3, {"d", 'z'}},
                             {4, {std::nullopt, 'w'}}}));
  EXPECT_EQ(left.join(right, 5).getNumPartitions(), 5);
  EXPECT_EQ(left.join(right.filter([](const R&) { return false; })).count(), 0);
}

TEST_P(RddPairTest, JoinMatchesNestedLoopOnLargerData) {
  std::vector<std::pair<int64_t, int64_t>> a, b;
  for (int64_t i = 0; i < 300; ++i) a.emplace_back(i % 23, i);
  for (int64_t i = 0; i < 200; ++i) b.emplace_back((i * 7) % 31, -i);
  std::vector<std::pair<int64_t, std::pair<int64_t, int64_t>>> expected;
  for (auto& [k, v] : a)
    for (auto& [k2, w] : b)
      if (k == k2) expected.push_back({k, {v, w}});
  auto got = ctx().parallelize(a, 4).join(ctx().parallelize(b, 3)).collect();
  EXPECT_EQ(sorted(got), sorted(expected));
}

TEST_P(RddPairTest, SelfJoinAndUnionWithItself) {
  auto small = ctx().parallelize(std::vector<KV>{{"a", 1}, {"a", 2}, {"b", 3}}, 2);
  using J = std::pair<std::string, std::pair<int64_t, int64_t>>;
  EXPECT_EQ(
      sorted(small.join(small).collect()),
      (std::vector<J>{{"a", {1, 1}}, {"a", {1, 2}}, {"a", {2, 1}}, {"a", {2, 2}}, {"b", {3, 3}}}));
  auto twice =
      small.union_(small).reduceByKey([](int64_t a, int64_t b) { return a + b; }).collectAsMap();
  EXPECT_EQ(twice, (std::map<std::string, int64_t>{{"a", 6}, {"b", 6}}));
}

TEST_P(RddPairTest, CogroupGathersBothSides) {
  using L = std::pair<std::string, int64_t>;
  using R = std::pair<std::string, std::string>;
  auto left = ctx().parallelize(std::vector<L>{{"a", 1}, {"b", 2}, {"a", 3}}, 2);
  auto right = ctx().parallelize(std::vector<R>{{"a", "x"}, {"c", "y"}}, 2);
  auto got = left.cogroup(right).collect();
  std::map<std::string, std::pair<std::vector<int64_t>, std::vector<std::string>>> m;
  for (auto& [k, g] : got) {
    EXPECT_EQ(m.count(k), 0u) << "key " << k << " appears twice";
    m[k] = {sorted(g.first), g.second};
  }
  using G = std::pair<std::vector<int64_t>, std::vector<std::string>>;
  EXPECT_EQ(m, (std::map<std::string, G>{
                   {"a", G{{1, 3}, {"x"}}}, {"b", G{{2}, {}}}, {"c", G{{}, {"y"}}}}));
}

TEST_P(RddPairTest, ShuffleOutputIsReusedByLaterJobs) {
  auto r = pairs().reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3);
  auto first = sorted(r.collect());
  int stagesBefore = events().stages();
  EXPECT_EQ(sorted(r.collect()), first);
  EXPECT_EQ(events().stages() - stagesBefore, 1) << "the map stage is skipped the second time";
}

}  // namespace
}  // namespace ember
