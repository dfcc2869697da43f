// Ordering in the typed RDD API: sortBy and sortByKey (globally sorted output over
// range partitions, both directions), takeOrdered and top with and without
// comparators.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "rdd_test_util.h"

namespace ember {
namespace {

using testing_rdd::iota64;
using testing_rdd::sorted;

class RddSortTest : public testing_rdd::RddClusterTest {
 protected:
  // Shuffled values 0..n-1, each `dup` times.
  static std::vector<int64_t> shuffled(int64_t n, int dup = 1) {
    std::vector<int64_t> v;
    for (int d = 0; d < dup; ++d)
      for (int64_t i = 0; i < n; ++i) v.push_back(i);
    std::mt19937_64 rng(1234);
    std::shuffle(v.begin(), v.end(), rng);
    return v;
  }
};
EMBER_RDD_CLUSTER_SUITE(RddSortTest);

TEST_P(RddSortTest, SortByAscendingIsGloballySorted) {
  auto in = shuffled(2000, 2);
  auto s = ctx().parallelize(in, 5).sortBy([](const int64_t& x) { return x; }, true, 4);
  EXPECT_EQ(s.getNumPartitions(), 4);
  EXPECT_EQ(s.collect(), sorted(in));
  // Range partitions are roughly balanced.
  auto sizes =
      s.glom().map([](std::vector<int64_t> v) { return static_cast<int64_t>(v.size()); }).collect();
  for (int64_t n : sizes) EXPECT_GT(n, 400) << "partition sizes far from 4000/4";
}

TEST_P(RddSortTest, SortByDescendingIsGloballySorted) {
  auto in = shuffled(1500);
  auto s = ctx().parallelize(in, 3).sortBy(
      [](const int64_t& x) { return x % 100 * 1000 + x / 100; }, false, 5);
  auto got = s.collect();
  auto expected = in;
  std::sort(expected.begin(), expected.end(), [](int64_t a, int64_t b) {
    return a % 100 * 1000 + a / 100 > b % 100 * 1000 + b / 100;
  });
  EXPECT_EQ(got, expected);
  EXPECT_GT(s.getNumPartitions(), 1);
}

TEST_P(RddSortTest, SortByKeyOnStrings) {
  std::vector<std::pair<std::string, int64_t>> in;
  for (int64_t i = 0; i < 500; ++i) in.emplace_back("w" + std::to_string((i * 7919) % 503), i);
  auto rdd = ctx().parallelize(in, 4);
  auto asc = rdd.sortByKey(true, 3).keys().collect();
  std::vector<std::string> keys;
  for (auto& [k, v] : in) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(asc, keys);
  auto desc = rdd.sortByKey(false, 3).keys().collect();
  std::reverse(keys.begin(), keys.end());
  EXPECT_EQ(desc, keys);
  // Values travel with their keys.
  for (auto& [k, v] : rdd.sortByKey().collect())
    EXPECT_EQ(k, "w" + std::to_string((v * 7919) % 503));
}

TEST_P(RddSortTest, SortWithFewDistinctKeysAndEmptyInput) {
  std::vector<std::pair<int64_t, int64_t>> in;
  for (int64_t i = 0; i < 300; ++i) in.emplace_back(i % 2, i);
  auto s = ctx().parallelize(in, 4).sortByKey(true, 6).keys().collect();
  ASSERT_EQ(s.size(), 300u);
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  auto empty = ctx().parallelize(std::vector<std::pair<int64_t, int64_t>>{}, 3).sortByKey(false, 4);
  EXPECT_TRUE(empty.collect().empty());
  auto one = ctx().parallelize(std::vector<int64_t>{5, 1, 3}, 2).sortBy([](const int64_t& x) {
    return -x;
  });
  EXPECT_EQ(one.collect(), (std::vector<int64_t>{5, 3, 1}));
}

TEST_P(RddSortTest, TakeOrderedAndTop) {
  auto in = shuffled(1000);
  auto rdd = ctx().parallelize(in, 6);
  EXPECT_EQ(rdd.takeOrdered(5), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(rdd.top(4), (std::vector<int64_t>{999, 998, 997, 996}));
  EXPECT_EQ(rdd.takeOrdered(3, [](const int64_t& a, const int64_t& b) { return a > b; }),
            (std::vector<int64_t>{999, 998, 997}));
  // top with a comparator: the largest by that order, largest first.
  auto byLastDigit = [](const int64_t& a, const int64_t& b) {
    return std::make_pair(a % 10, a) < std::make_pair(b % 10, b);
  };
  EXPECT_EQ(rdd.top(3, byLastDigit), (std::vector<int64_t>{999, 989, 979}));
  EXPECT_EQ(rdd.takeOrdered(3, byLastDigit), (std::vector<int64_t>{0, 10, 20}));
  EXPECT_EQ(rdd.takeOrdered(0), std::vector<int64_t>{});
  EXPECT_EQ(rdd.top(2000).size(), 1000u);
  EXPECT_EQ(rdd.top(2000), [&] {
    auto v = sorted(in);
    std::reverse(v.begin(), v.end());
    return v;
  }());
  auto words = ctx().parallelize(std::vector<std::string>{"pear", "apple", "fig", "kiwi"}, 3);
  EXPECT_EQ(words.takeOrdered(2), (std::vector<std::string>{"apple", "fig"}));
  EXPECT_EQ(words.top(1), (std::vector<std::string>{"pear"}));
}

TEST_P(RddSortTest, NegativeCountsAreUserErrors) {
  auto rdd = ctx().parallelize(iota64(10), 2);
  EXPECT_THROW(rdd.takeOrdered(-1), UserError);
  EXPECT_THROW(rdd.top(-3), UserError);
  EXPECT_THROW(rdd.top(-3, std::less<int64_t>{}), UserError);
  EXPECT_TRUE(rdd.top(0).empty());
}

}  // namespace
}  // namespace ember
