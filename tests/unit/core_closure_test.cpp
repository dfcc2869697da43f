// Shipping closures and stages: ClosureSerde round trips, jobs run with every task
// serialised (ember.test.serializeTasks), and StagePayload over a diamond lineage
// with a shuffle. (What must NOT compile is in tests/compile_fail/.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "core_scheduler_test_util.h"
#include "ember/core/task_context.h"

namespace ember {
namespace {

using testutil::iota;
using testutil::makeContext;

template <class F>
F roundTrip(const F& f) {
  ByteWriter w;
  ClosureSerde<F>::write(w, f);
  std::string bytes = w.take();
  ByteReader r(bytes);
  F g = ClosureSerde<F>::read(r);
  EXPECT_TRUE(r.atEnd()) << "closure bytes not fully consumed";
  return g;
}

int triple(int x) { return 3 * x; }

std::atomic<int> gPrefixerDeserialized{0};

// A function object with non-trivial state that ships itself.
struct Prefixer {
  std::string prefix;
  std::string operator()(int x) const { return prefix + std::to_string(x); }
  void serialize(ByteWriter& w) const { w.writeString(prefix); }
  static Prefixer deserialize(ByteReader& r) {
    gPrefixerDeserialized++;
    return Prefixer{r.readString()};
  }
};
static_assert(SelfSerializingFunction<Prefixer>);
static_assert(ShippableClosure<Prefixer>);
static_assert(!std::is_trivially_copyable_v<Prefixer>);

TEST(ClosureSerde, CapturingLambdaRoundTrips) {
  int k = 7;
  double offset = 0.5;
  auto f = [k, offset](int x) { return x * k + offset; };
  static_assert(ShippableClosure<decltype(f)>);
  auto g = roundTrip(f);
  EXPECT_DOUBLE_EQ(g(3), 21.5);
  EXPECT_DOUBLE_EQ(g(-1), -6.5);
}

TEST(ClosureSerde, FunctionPointerRoundTrips) {
  int (*f)(int) = &triple;
  auto g = roundTrip(f);
  EXPECT_EQ(g, &triple);
  EXPECT_EQ(g(5), 15);
  // Shipped as an offset, not as the raw address.
  ByteWriter w;
  ClosureSerde<int (*)(int)>::write(w, f);
  std::string bytes = w.take();
  ASSERT_EQ(bytes.size(), sizeof(int64_t));
  int64_t off = 0;
  std::memcpy(&off, bytes.data(), sizeof off);
  EXPECT_NE(off, static_cast<int64_t>(reinterpret_cast<uintptr_t>(f)));
}

TEST(ClosureSerde, SelfSerializingFunctionObjectRoundTrips) {
  Prefixer p{std::string(100, 'p') + "-"};  // longer than any small-string buffer
  auto g = roundTrip(p);
  EXPECT_EQ(g(42), p.prefix + "42");
}

TEST(ClosureSerde, JobsWithSerializedTasksUseEveryClosureKind) {
  auto ctx = makeContext({{"ember.test.serializeTasks", "true"}});
  gPrefixerDeserialized = 0;
  auto strings = ctx->parallelize(iota(10), 3).map(Prefixer{"item-"}).collect();
  ASSERT_EQ(strings.size(), 10u);
  EXPECT_EQ(strings[0], "item-0");
  EXPECT_EQ(strings[9], "item-9");
  // Each of the 3 tasks rebuilt the function object from its bytes.
  EXPECT_GE(gPrefixerDeserialized.load(), 3);

  int k = 5;
  auto scaled =
      ctx->parallelize(iota(10), 3).map([k](int x) { return x * k; }).map(triple).collect();
  std::vector<int> want;
  for (int x = 0; x < 10; ++x) want.push_back(15 * x);
  EXPECT_EQ(scaled, want);

  // Through a shuffle too (map tasks and reduce tasks are both shipped).
  auto sums = ctx->parallelize(iota(100), 4)
                  .map([k](int x) { return std::make_pair(x % k, x); })
                  .reduceByKey([](int a, int b) { return a + b; }, 2)
                  .mapValues(Prefixer{"sum="})
                  .collectAsMap();
  std::map<int, std::string> wantSums;
  for (int r = 0; r < 5; ++r) {
    int s = 0;
    for (int x = r; x < 100; x += 5) s += x;
    wantSums[r] = "sum=" + std::to_string(s);
  }
  EXPECT_EQ(sums, wantSums);
}

// A diamond (one RDD read by both sides of a union) feeding a shuffle.
struct Diamond {
  RDD<int> base, diamond;
  RDD<std::pair<int, int>> reduced;
};
Diamond makeDiamond(Context& ctx) {
  Diamond d;
  d.base = ctx.parallelize(iota(20), 2).map([](int x) { return x * 2; });
  d.diamond = d.base.union_(d.base.map([](int x) { return x + 1; }));
  d.reduced = d.diamond.map([](int x) { return std::make_pair(x % 4, x); })
                  .reduceByKey([](int a, int b) { return a + b; }, 2);
  return d;
}

std::shared_ptr<ShuffleDependencyBase> shuffleDepOf(const RDDBasePtr& rdd) {
  for (const auto& dep : rdd->dependencies())
    if (dep->isShuffle()) return std::static_pointer_cast<ShuffleDependencyBase>(dep);
  return nullptr;
}

TEST(StagePayload, ResultStageWithDiamondRoundTripsAndRuns) {
  auto ctx = makeContext();
  Diamond d = makeDiamond(*ctx);
  StagePayload p;
  p.rdd = d.diamond.impl();
  p.func = makeJobFunction<int>([](Iterator<int>& it, TaskContext&) { return drain(it); });
  std::string bytes = p.serialize();
  auto q = StagePayload::deserialize(bytes);
  ASSERT_TRUE(q->rdd && q->func);
  EXPECT_EQ(q->rdd->id(), d.diamond.id());
  EXPECT_EQ(q->rdd->toDebugString(), d.diamond.toDebugString());
  // Both union branches reach the same rebuilt base node.
  auto deps = q->rdd->dependencies();
  ASSERT_EQ(deps.size(), 2u);
  RDDBasePtr left = deps[0]->rdd();
  RDDBasePtr rightParent = deps[1]->rdd()->dependencies().at(0)->rdd();
  EXPECT_EQ(left->id(), d.base.id());
  EXPECT_EQ(left.get(), rightParent.get()) << "the shared node was duplicated";
  // The base node is written once: a second copy would make the bytes larger.
  StagePayload single;
  single.rdd = d.base.impl();
  single.func = p.func;
  EXPECT_LT(bytes.size(), 2 * single.serialize().size());

  // Run both partitions of the union's left half from the rebuilt stage.
  TaskContext tc(&ctx->env(), 0, 0, 0, 0, 1, nullptr);
  auto part0 = deserializeFromString<std::vector<int>>(q->func->run(*q->rdd, 0, tc));
  std::vector<int> want;
  for (int x = 0; x < 10; ++x) want.push_back(2 * x);
  EXPECT_EQ(part0, want);
  auto part3 = deserializeFromString<std::vector<int>>(q->func->run(*q->rdd, 3, tc));
  want.clear();
  for (int x = 10; x < 20; ++x) want.push_back(2 * x + 1);
  EXPECT_EQ(part3, want);
}

TEST(StagePayload, ShuffleMapStageWithDiamondRoundTripsAndRuns) {
  auto ctx = makeContext();
  Diamond d = makeDiamond(*ctx);
  auto dep = shuffleDepOf(d.reduced.impl());
  ASSERT_TRUE(dep);
  StagePayload p;
  p.rdd = dep->rdd();
  p.shuffleDep = dep;
  auto q = StagePayload::deserialize(p.serialize());
  ASSERT_TRUE(q->shuffleDep && q->rdd);
  EXPECT_EQ(q->shuffleDep->shuffleId(), dep->shuffleId());
  EXPECT_EQ(q->shuffleDep->numMapPartitions(), 4);
  EXPECT_EQ(q->shuffleDep->numReducePartitions(), 2);
  EXPECT_EQ(q->rdd->toDebugString(), dep->rdd()->toDebugString());
  auto unionNode = q->rdd->dependencies().at(0)->rdd();
  auto deps = unionNode->dependencies();
  ASSERT_EQ(deps.size(), 2u);
  EXPECT_EQ(deps[0]->rdd().get(), deps[1]->rdd()->dependencies().at(0)->rdd().get());

  // Run every map task from the rebuilt stage, then the reduce side from the
  // original lineage reads what they wrote.
  MapOutputTracker& tracker = ctx->mapOutputTracker();
  tracker.registerShuffle(dep->shuffleId(), 4);
  for (int m = 0; m < 4; ++m) {
    int64_t taskId = 1000 + m;
    ctx->memoryManager().registerTask(taskId);
    {
      TaskContext tc(&ctx->env(), 0, 0, m, 0, taskId, nullptr);
      MapStatus st = q->shuffleDep->runMapTask(m, tc);
      EXPECT_EQ(st.partitionSizes.size(), 2u);
      tracker.registerMapOutput(dep->shuffleId(), m, st);
    }
    ctx->memoryManager().releaseAllExecution(taskId);
    ctx->memoryManager().unregisterTask(taskId);
  }
  // The scheduler sees the shuffle complete and runs only the result stage.
  auto got = d.reduced.collectAsMap();
  std::map<int, int> want;
  for (int x = 0; x < 20; ++x) {
    want[(2 * x) % 4] += 2 * x;
    want[(2 * x + 1) % 4] += 2 * x + 1;
  }
  EXPECT_EQ(got, want);
}

TEST(StagePayload, WholeJobsAgreeWithAndWithoutSerialization) {
  auto plain = makeContext();
  auto shipped = makeContext({{"ember.test.serializeTasks", "true"}});
  auto a = makeDiamond(*plain).reduced.sortByKey().collect();
  auto b = makeDiamond(*shipped).reduced.sortByKey().collect();
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace ember
