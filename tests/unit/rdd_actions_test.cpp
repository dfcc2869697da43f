// Actions of the typed RDD API: collect, count, take/first, reduce, fold, aggregate,
// foreach/foreachPartition, on normal and empty RDDs; how many tasks take() runs;
// broadcast variables and accumulators inside tasks; errors from user code; and
// toDebugString.
#include <gtest/gtest.h>

#include <stdexcept>

#include "rdd_test_util.h"

namespace ember {
namespace {

using testing_rdd::iota64;
using testing_rdd::sorted;

class RddActionsTest : public testing_rdd::RddClusterTest {};
EMBER_RDD_CLUSTER_SUITE(RddActionsTest);

struct SumCount {
  int64_t sum;
  int64_t count;
};

TEST_P(RddActionsTest, ReduceFoldAggregate) {
  auto rdd = ctx().parallelize(iota64(101), 4);
  EXPECT_EQ(rdd.reduce([](int64_t a, int64_t b) { return a + b; }), 5050);
  EXPECT_EQ(rdd.reduce([](int64_t a, int64_t b) { return std::max(a, b); }), 100);
  EXPECT_EQ(rdd.fold(0, [](int64_t a, int64_t b) { return a + b; }), 5050);
  // As in Spark, the zero is folded into every partition and once more on the driver.
  EXPECT_EQ(rdd.fold(1, [](int64_t a, int64_t b) { return a + b; }), 5050 + 4 + 1);
  auto sc = rdd.aggregate(
      SumCount{0, 0},
      [](SumCount c, int64_t x) {
        return SumCount{c.sum + x, c.count + 1};
      },
      [](SumCount a, SumCount b) {
        return SumCount{a.sum + b.sum, a.count + b.count};
      });
  EXPECT_EQ(sc.sum, 5050);
  EXPECT_EQ(sc.count, 101);
  auto one = ctx().parallelize(std::vector<std::string>{"only"}, 3);
  EXPECT_EQ(one.reduce([](std::string a, std::string b) { return a + b; }), "only");
}

TEST_P(RddActionsTest, EveryActionOnAnEmptyRdd) {
  for (auto empty : {ctx().parallelize(std::vector<int64_t>{}, 3), ctx().range(4, 4, 1, 2),
                     ctx().parallelize(iota64(10), 2).filter([](int64_t) { return false; })}) {
    EXPECT_TRUE(empty.collect().empty());
    EXPECT_EQ(empty.count(), 0);
    EXPECT_TRUE(empty.take(5).empty());
    EXPECT_THROW(empty.first(), UserError);
    EXPECT_THROW(empty.reduce([](int64_t a, int64_t b) { return a + b; }), UserError);
    EXPECT_EQ(empty.fold(0, [](int64_t a, int64_t b) { return a + b; }), 0);
    EXPECT_EQ(empty.aggregate(
                  int64_t{7}, [](int64_t a, int64_t b) { return a + b; },
                  [](int64_t a, int64_t b) { return std::max(a, b); }),
              7);
    EXPECT_TRUE(empty.takeOrdered(3).empty());
    EXPECT_TRUE(empty.top(3).empty());
    EXPECT_TRUE(empty.countByValue().empty());
    EXPECT_TRUE(empty.distinct().collect().empty());
    EXPECT_TRUE(empty.map([](int64_t x) { return std::make_pair(x, x); }).collectAsMap().empty());
    EXPECT_TRUE(empty.glom().collect().size() == static_cast<size_t>(empty.getNumPartitions()));
    auto acc = ctx().accumulator<int64_t>(0);
    empty.foreach ([acc](const int64_t&) { acc.add(1); });
    EXPECT_EQ(acc.value(), 0);
  }
  try {
    ctx().parallelize(std::vector<int64_t>{}, 2).reduce([](int64_t a, int64_t b) { return a + b; });
    FAIL() << "reduce on an empty RDD must throw";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("fold"), std::string::npos)
        << "suggests fold(): " << e.what();
    EXPECT_NE(std::string(e.what()).find("rdd_actions_test.cpp"), std::string::npos) << e.what();
  }
}

TEST_P(RddActionsTest, TakeAcrossManyPartitions) {
  // Only the last 4 of 20 partitions hold records (80..99).
  auto rdd = ctx().parallelize(iota64(100), 20).filter([](int64_t x) { return x >= 80; });
  EXPECT_EQ(rdd.take(10), iota64(10, 80));
  EXPECT_EQ(rdd.take(100), iota64(20, 80));
  EXPECT_TRUE(rdd.take(0).empty());
  EXPECT_EQ(rdd.first(), 80);
  auto all = ctx().parallelize(iota64(1000), 13);
  EXPECT_EQ(all.take(777), iota64(777));
}

TEST_P(RddActionsTest, TakeOneScansOnlyTheFirstPartition) {
  auto rdd = ctx().parallelize(iota64(100), 10).map([](int64_t x) { return x * 2; });
  int before = events().tasks();
  EXPECT_EQ(rdd.take(1), (std::vector<int64_t>{0}));
  EXPECT_EQ(events().tasks() - before, 1);
  before = events().tasks();
  EXPECT_EQ(rdd.first(), 0);
  EXPECT_EQ(events().tasks() - before, 1);
  // take(15) needs partitions 0 and 1: the first job scans 1, the second a few more.
  before = events().tasks();
  EXPECT_EQ(rdd.take(15).size(), 15u);
  int used = events().tasks() - before;
  EXPECT_GE(used, 2);
  EXPECT_LT(used, 10);
}

TEST_P(RddActionsTest, ForeachAndForeachPartitionRunOnEveryRecord) {
  auto rdd = ctx().parallelize(iota64(500), 7);
  auto sum = ctx().accumulator<int64_t>(0);
  rdd.foreach ([sum](const int64_t& x) { sum.add(x); });
  EXPECT_EQ(sum.value(), 499 * 500 / 2);
  auto parts = ctx().accumulator<int64_t>(0);
  auto records = ctx().accumulator<int64_t>(0);
  rdd.foreachPartition([parts, records](Iterator<int64_t>& it) {
    parts.add(1);
    int64_t x;
    while (it.next(x)) records.add(1);
  });
  EXPECT_EQ(parts.value(), 7);
  EXPECT_EQ(records.value(), 500);
}

TEST_P(RddActionsTest, BroadcastValueIsReadInsideMap) {
  std::map<std::string, int64_t> table{{"one", 1}, {"two", 2}, {"three", 3}};
  auto b = ctx().broadcast(table);
  auto words = ctx().parallelize(std::vector<std::string>{"two", "three", "one", "zero", "two"}, 3);
  auto got = words
                 .map([b](std::string w) {
                   auto it = b.value().find(w);
                   return it == b.value().end() ? int64_t{-1} : it->second;
                 })
                 .collect();
  EXPECT_EQ(got, (std::vector<int64_t>{2, 3, 1, -1, 2}));
  EXPECT_EQ(b.value(), table);
  auto big = ctx().broadcast(iota64(10000));
  auto sums = ctx().parallelize(iota64(4), 4).map([big](int64_t i) {
    return big.value()[static_cast<size_t>(i * 1000)];
  });
  EXPECT_EQ(sums.collect(), (std::vector<int64_t>{0, 1000, 2000, 3000}));
}

TEST_P(RddActionsTest, AccumulatorsCountOncePerSuccessfulTask) {
  auto acc = ctx().accumulator<int64_t>(0);
  auto rdd = ctx().parallelize(iota64(300), 6).map([acc](int64_t x) {
    acc.add(1);
    return x;
  });
  EXPECT_EQ(rdd.count(), 300);
  EXPECT_EQ(acc.value(), 300);

  // Partition 2's first attempt counts its records, then fails; only the retry counts.
  auto acc2 = ctx().accumulator<int64_t>(0);
  auto flaky = ctx().parallelize(iota64(300), 6).map([acc2](int64_t x) {
    acc2.add(1);
    TaskContext* tc = TaskContext::current();
    if (tc->partitionId() == 2 && tc->attemptNumber() == 0 && x % 50 == 49)
      throw std::runtime_error("transient failure");
    return x;
  });
  EXPECT_EQ(flaky.reduce([](int64_t a, int64_t b) { return a + b; }), 299 * 300 / 2);
  EXPECT_EQ(acc2.value(), 300);
  // Driver-side adds go straight to the value.
  acc2.add(5);
  EXPECT_EQ(acc2.value(), 305);
}

TEST_P(RddActionsTest, UserErrorInMapNamesOperationPartitionAndMessage) {
  auto rdd = ctx().parallelize(iota64(100), 4);  // partition 2 holds 50..74
  // clang-format off
  const int line = __LINE__; auto bad = rdd.map([](int64_t x) { if (x == 57) throw std::runtime_error("cannot handle 57"); return x; });
  // clang-format on
  try {
    bad.collect();
    FAIL() << "collect must fail";
  } catch (const JobFailedError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("map at rdd_actions_test.cpp:" + std::to_string(line)), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("partition 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("cannot handle 57"), std::string::npos) << msg;
  }
  // The context stays usable.
  EXPECT_EQ(rdd.count(), 100);
}

TEST_P(RddActionsTest, ToDebugStringShowsShuffleBoundaryAndCallSites) {
  auto words = ctx().parallelize(std::vector<std::string>{"a", "b", "a"}, 2);
  auto counts = words.map([](std::string w) { return std::make_pair(w, int64_t{1}); })
                    .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3)
                    .filter([](const std::pair<std::string, int64_t>& p) { return p.second > 1; });
  std::string s = counts.toDebugString();
  EXPECT_NE(s.find("+-("), std::string::npos) << s;
  EXPECT_NE(s.find("reduceByKey at rdd_actions_test.cpp:"), std::string::npos) << s;
  EXPECT_NE(s.find("map at rdd_actions_test.cpp:"), std::string::npos) << s;
  EXPECT_NE(s.find("parallelize at rdd_actions_test.cpp:"), std::string::npos) << s;
  EXPECT_LT(s.find("(3) "), s.find("+-(2)")) << "result side has 3 partitions, map side 2:\n" << s;
  auto narrowOnly = words.map([](std::string w) { return w + "!"; });
  EXPECT_EQ(narrowOnly.toDebugString().find("+-("), std::string::npos)
      << narrowOnly.toDebugString();
  EXPECT_EQ(counts.collect(), (std::vector<std::pair<std::string, int64_t>>{{"a", 2}}));
}

TEST_P(RddActionsTest, CountByValueMatchesMap) {
  std::vector<std::string> in;
  std::map<std::string, int64_t> expected;
  for (int i = 0; i < 400; ++i) {
    in.push_back(std::to_string(i % 9 * (i % 5)));
    ++expected[in.back()];
  }
  EXPECT_EQ(ctx().parallelize(in, 6).countByValue(), expected);
}

}  // namespace
}  // namespace ember
