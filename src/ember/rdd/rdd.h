// RDD<T>: the typed, lazy, distributed collection users program against, with
// Spark's names. Transformations only record a node; actions (collect, count, ...)
// run a job through the context. Every function passed in is shipped to executors
// under the rules of core/closure.h.
//
// Pair operations (reduceByKey, join, ...) are available when T is std::pair<K, V>.
// Spark's `union` is `union_` here (`union` is a C++ keyword).
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/core/context.h"
#include "ember/rdd/actions.h"
#include "ember/rdd/narrow.h"
#include "ember/rdd/narrow_ops.h"
#include "ember/rdd/shuffled_rdd.h"
#include "ember/rdd/text_format.h"

namespace ember {

template <class T>
struct PairTraits : std::false_type {};
template <class K, class V>
struct PairTraits<std::pair<K, V>> : std::true_type {
  using Key = K;
  using Value = V;
};
template <class T>
concept PairType = PairTraits<T>::value;

namespace detail {
std::string callSiteOf(const std::source_location& loc);
RDDBase::Info makeInfo(Context& ctx, const char* op, int numPartitions, const std::source_location& loc);

// Wrappers holding a user closure F (shippable when F is).
template <class K, class V, class F>
struct MapValuesFn {
  F f;
  auto operator()(std::pair<K, V>&& p) const {
    return std::make_pair(std::move(p.first), f(std::move(p.second)));
  }
  EMBER_WRAPPER_SERDE(MapValuesFn)
};
template <class K, class V, class F>
struct FlatMapValuesFn {
  F f;
  auto operator()(std::pair<K, V>&& p) const {
    using U = std::decay_t<decltype(*std::begin(f(std::move(p.second))))>;
    std::vector<std::pair<K, U>> out;
    for (auto&& u : f(std::move(p.second))) out.emplace_back(p.first, std::move(u));
    return out;
  }
  EMBER_WRAPPER_SERDE(FlatMapValuesFn)
};
template <class T, class F>
struct KeyByFn {
  F f;
  auto operator()(T&& x) const {
    auto k = f(static_cast<const T&>(x));
    return std::make_pair(std::move(k), std::move(x));
  }
  EMBER_WRAPPER_SERDE(KeyByFn)
};
// foldByKey/aggregateByKey: a zero value (trivially copyable or Serde-able) + functions.
template <class U, class F>
struct ZeroSeqFn {  // (U acc, V v) -> U, starting from zero
  U zero;
  F f;
  template <class V>
  U operator()(V&& v) const {
    return f(U(zero), std::forward<V>(v));
  }
};

// The rows of one key's cogroup for inner (false, false), left, right and full outer
// joins. A side that may be missing is a std::optional.
template <class K, class V, class W, bool KeepLeft, bool KeepRight>
struct JoinRows {
  using L = std::conditional_t<KeepRight, std::optional<V>, V>;
  using R = std::conditional_t<KeepLeft, std::optional<W>, W>;
  std::vector<std::pair<K, std::pair<L, R>>> operator()(
      std::pair<K, std::pair<std::vector<V>, std::vector<W>>> g) const {
    std::vector<std::pair<K, std::pair<L, R>>> out;
    auto& vs = g.second.first;
    auto& ws = g.second.second;
    if (vs.empty()) {
      if constexpr (KeepRight)
        for (auto& w : ws) out.emplace_back(g.first, std::make_pair(L(), R(std::move(w))));
    } else if (ws.empty()) {
      if constexpr (KeepLeft)
        for (auto& v : vs) out.emplace_back(g.first, std::make_pair(L(std::move(v)), R()));
    } else {
      out.reserve(vs.size() * ws.size());
      for (auto& v : vs)
        for (auto& w : ws) out.emplace_back(g.first, std::make_pair(L(v), R(w)));
    }
    return out;
  }
};

template <class T>
class RepartitionKeyIterator : public Iterator<std::pair<int64_t, T>> {
 public:
  RepartitionKeyIterator(Iterator<T>& in, int partition, int n)
      : in_(in), next_(static_cast<int64_t>(mix64(static_cast<uint64_t>(partition)) % static_cast<uint64_t>(n))) {}
  bool next(std::pair<int64_t, T>& out) override {
    if (!in_.next(out.second)) return false;
    out.first = next_++;
    return true;
  }

 private:
  Iterator<T>& in_;
  int64_t next_;
};
}  // namespace detail

template <class T>
class RDD {
 public:
  using value_type = T;
  using Loc = std::source_location;

  RDD() = default;
  explicit RDD(RDDImplPtr<T> impl) : impl_(std::move(impl)) {}

  const RDDImplPtr<T>& impl() const { return impl_; }
  Context& context() const { return *impl_->context(); }
  int id() const { return impl_->id(); }
  int getNumPartitions() const { return impl_->numPartitions(); }
  std::string toDebugString() const { return impl_->toDebugString(); }
  // Spark's setName is not here yet; the op name and call site identify nodes.

  // ---------------------------------------------------------------- narrow
  template <class F>
  auto map(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using U = std::decay_t<std::invoke_result_t<const F&, T>>;
    return narrow<U>(MapOp<T, U, F>{std::move(f)}, "map", loc);
  }
  template <class F>
  RDD<T> filter(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    return narrow<T>(FilterOp<T, F>{std::move(f)}, "filter", loc);
  }
  // f: T -> an iterable (vector, list, ...) of U.
  template <class F>
  auto flatMap(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using C = std::decay_t<std::invoke_result_t<const F&, T>>;
    using U = std::decay_t<decltype(*std::begin(std::declval<C&>()))>;
    return narrow<U>(FlatMapOp<T, U, F>{std::move(f)}, "flatMap", loc);
  }
  // f(Iterator<T>&) -> IterPtr<U> or an iterable of U.
  template <class F>
  auto mapPartitions(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using R = std::decay_t<std::invoke_result_t<const F&, Iterator<T>&>>;
    using U = typename ResultElement<R>::type;
    return narrow<U>(MapPartitionsOp<T, U, F, false>{std::move(f)}, "mapPartitions", loc);
  }
  // f(int partition, Iterator<T>&) -> IterPtr<U> or an iterable of U.
  template <class F>
  auto mapPartitionsWithIndex(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using R = std::decay_t<std::invoke_result_t<const F&, int, Iterator<T>&>>;
    using U = typename ResultElement<R>::type;
    return narrow<U>(MapPartitionsOp<T, U, F, true>{std::move(f)}, "mapPartitionsWithIndex", loc);
  }
  // Seeded: the same seed gives the same sample on every run and cluster shape with
  // the same partitioning.
  RDD<T> sample(bool withReplacement, double fraction, uint64_t seed = 42,
                Loc loc = Loc::current()) const {
    if (fraction < 0 || (!withReplacement && fraction > 1))
      throw UserError("sample: fraction must be in [0, 1] without replacement (>= 0 with), got " +
                      std::to_string(fraction));
    return narrow<T>(SampleOp<T>{withReplacement, fraction, seed}, "sample", loc);
  }
  template <class F>
  auto keyBy(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using K = std::decay_t<std::invoke_result_t<const F&, const T&>>;
    using W = detail::KeyByFn<T, F>;
    return narrow<std::pair<K, T>>(MapOp<T, std::pair<K, T>, W>{W{std::move(f)}}, "keyBy", loc);
  }
  RDD<T> union_(const RDD<T>& other, Loc loc = Loc::current()) const {
    return context().union_(std::vector<RDD<T>>{*this, other}, loc);
  }
  template <class U>
  RDD<std::pair<T, U>> cartesian(const RDD<U>& other, Loc loc = Loc::current()) const {
    Context& ctx = context();
    auto info = detail::makeInfo(ctx, "cartesian", getNumPartitions() * other.getNumPartitions(), loc);
    return RDD<std::pair<T, U>>(std::make_shared<CartesianRDD<T, U>>(&ctx, info, impl_, other.impl()));
  }
  RDD<T> coalesce(int numPartitions, bool shuffle = false, Loc loc = Loc::current()) const {
    if (numPartitions < 1) throw UserError("coalesce: numPartitions must be at least 1");
    if (shuffle) return repartition(numPartitions, loc);
    Context& ctx = context();
    int n = std::min(numPartitions, getNumPartitions());
    return RDD<T>(std::make_shared<CoalescedRDD<T>>(&ctx, detail::makeInfo(ctx, "coalesce", n, loc), impl_));
  }
  RDD<T> repartition(int numPartitions, Loc loc = Loc::current()) const {
    if (numPartitions < 1) throw UserError("repartition: numPartitions must be at least 1");
    int n = numPartitions;
    auto keyed = narrow<std::pair<int64_t, T>>(
        MapPartitionsOp<T, std::pair<int64_t, T>, RepartitionKeys, true>{RepartitionKeys{n}},
        "repartition", loc);
    auto part = std::make_shared<ModuloPartitioner>(n);
    return RDD<std::pair<int64_t, T>>::template shuffle<int64_t, T, T>(
               keyed.impl(), part, nullptr, false, KeyOrdering::None, "repartition", loc)
        .values(loc);
  }
  RDD<std::pair<T, int64_t>> zipWithIndex(Loc loc = Loc::current()) const {
    std::vector<int64_t> counts = partitionCounts(loc);
    std::vector<int64_t> offsets(counts.size(), 0);
    for (size_t i = 1; i < counts.size(); ++i) offsets[i] = offsets[i - 1] + counts[i - 1];
    return narrow<std::pair<T, int64_t>>(ZipWithIndexOp<T>{std::move(offsets)}, "zipWithIndex", loc);
  }
  RDD<std::vector<T>> glom(Loc loc = Loc::current()) const {
    return mapPartitions([](Iterator<T>& it) { return std::vector<std::vector<T>>{drain(it)}; }, loc);
  }

  // ---------------------------------------------------------------- wide
  RDD<T> distinct(int numPartitions = 0, Loc loc = Loc::current()) const {
    return map([](T x) { return std::make_pair(std::move(x), Unit{}); }, loc)
        .reduceByKey([](Unit a, Unit) { return a; }, numPartitions, loc)
        .keys(loc);
  }
  template <class F>
  auto groupBy(F f, int numPartitions = 0, Loc loc = Loc::current()) const {
    return keyBy(std::move(f), loc).groupByKey(numPartitions, loc);
  }
  template <class F>
  RDD<T> sortBy(F f, bool ascending = true, int numPartitions = 0, Loc loc = Loc::current()) const {
    return keyBy(std::move(f), loc).sortByKey(ascending, numPartitions, loc).values(loc);
  }

  // ---------------------------------------------------------------- pairs
  template <class F, class U = T>
    requires PairType<U>
  RDD<T> reduceByKey(F f, int numPartitions = 0, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    auto agg = std::make_shared<ReduceAggregator<V, F>>(std::move(f));
    return shuffle<K, V, V>(impl_, hashPartitioner<K>(numPartitions), agg, true, KeyOrdering::None,
                            "reduceByKey", loc);
  }
  template <class U = T>
    requires PairType<U>
  auto groupByKey(int numPartitions = 0, Loc loc = Loc::current()) const {
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    auto agg = std::make_shared<GroupAggregator<V>>();
    return shuffle<K, V, std::vector<V>>(impl_, hashPartitioner<K>(numPartitions), agg, false,
                                         KeyOrdering::None, "groupByKey", loc);
  }
  // create(V) -> C, mergeValue(C, V) -> C, mergeCombiners(C, C) -> C.
  template <class F1, class F2, class F3, class U = T>
    requires PairType<U>
  auto combineByKey(F1 create, F2 mergeValue, F3 mergeCombiners, int numPartitions = 0,
                    Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F1);
    EMBER_CHECK_CLOSURE(F2);
    EMBER_CHECK_CLOSURE(F3);
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    using C = std::decay_t<std::invoke_result_t<const F1&, V>>;
    auto agg = std::make_shared<FnAggregator<V, C, F1, F2, F3>>(std::move(create), std::move(mergeValue),
                                                                std::move(mergeCombiners));
    return shuffle<K, V, C>(impl_, hashPartitioner<K>(numPartitions), agg, true, KeyOrdering::None,
                            "combineByKey", loc);
  }
  // seqOp(C, V) -> C starting from `zero` per key, combOp(C, C) -> C. `zero` must be
  // trivially copyable (it travels inside the closure).
  template <class C, class F1, class F2, class U = T>
    requires PairType<U>
  auto aggregateByKey(C zero, F1 seqOp, F2 combOp, int numPartitions = 0, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F1);
    EMBER_CHECK_CLOSURE(F2);
    static_assert(std::is_trivially_copyable_v<C>,
                  "Ember: aggregateByKey's zero value travels inside the closure; use a "
                  "trivially copyable type, or combineByKey for other combiners");
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    auto create = detail::ZeroSeqFn<C, F1>{zero, seqOp};
    auto agg = std::make_shared<FnAggregator<V, C, decltype(create), F1, F2>>(create, std::move(seqOp),
                                                                              std::move(combOp));
    return shuffle<K, V, C>(impl_, hashPartitioner<K>(numPartitions), agg, true, KeyOrdering::None,
                            "aggregateByKey", loc);
  }
  template <class F, class U = T>
    requires PairType<U>
  RDD<T> foldByKey(typename PairTraits<U>::Value zero, F f, int numPartitions = 0,
                   Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    static_assert(std::is_trivially_copyable_v<V>,
                  "Ember: foldByKey's zero value travels inside the closure; use reduceByKey "
                  "or combineByKey for non-trivially-copyable values");
    auto create = detail::ZeroSeqFn<V, F>{zero, f};
    auto agg = std::make_shared<FnAggregator<V, V, decltype(create), F, F>>(create, f, f);
    return shuffle<K, V, V>(impl_, hashPartitioner<K>(numPartitions), agg, true, KeyOrdering::None,
                            "foldByKey", loc);
  }
  template <class F, class U = T>
    requires PairType<U>
  auto mapValues(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    using W = detail::MapValuesFn<K, V, F>;
    using Out = std::decay_t<std::invoke_result_t<const W&, std::pair<K, V>&&>>;
    return narrow<Out>(MapOp<T, Out, W>{W{std::move(f)}}, "mapValues", loc);
  }
  template <class F, class U = T>
    requires PairType<U>
  auto flatMapValues(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    using W = detail::FlatMapValuesFn<K, V, F>;
    using C = std::decay_t<std::invoke_result_t<const W&, std::pair<K, V>&&>>;
    using Out = typename C::value_type;
    return narrow<Out>(FlatMapOp<T, Out, W>{W{std::move(f)}}, "flatMapValues", loc);
  }
  template <class U = T>
    requires PairType<U>
  auto keys(Loc loc = Loc::current()) const {
    using K = typename PairTraits<U>::Key;
    auto f = [](T p) { return std::move(p.first); };
    return narrow<K>(MapOp<T, K, decltype(f)>{f}, "keys", loc);
  }
  template <class U = T>
    requires PairType<U>
  auto values(Loc loc = Loc::current()) const {
    using V = typename PairTraits<U>::Value;
    auto f = [](T p) { return std::move(p.second); };
    return narrow<V>(MapOp<T, V, decltype(f)>{f}, "values", loc);
  }
  // Range-partitions by key (bounds from a sample: runs a small job now, as Spark
  // does) and sorts each partition, spilling if needed.
  template <class U = T>
    requires PairType<U>
  RDD<T> sortByKey(bool ascending = true, int numPartitions = 0, Loc loc = Loc::current()) const {
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    int n = numPartitions > 0 ? numPartitions : getNumPartitions();
    auto bounds = sampleRangeBounds<K>(n, loc);
    auto part = std::make_shared<RangePartitioner<K>>(std::move(bounds), ascending);
    return shuffle<K, V, V>(impl_, part, nullptr, false,
                            ascending ? KeyOrdering::Ascending : KeyOrdering::Descending, "sortByKey", loc);
  }
  template <class U = T>
    requires PairType<U>
  RDD<T> partitionBy(int numPartitions, Loc loc = Loc::current()) const {
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    if (numPartitions < 1) throw UserError("partitionBy: numPartitions must be at least 1");
    return shuffle<K, V, V>(impl_, std::make_shared<HashPartitioner<K>>(numPartitions), nullptr, false,
                            KeyOrdering::None, "partitionBy", loc);
  }
  template <class W, class U = T>
    requires PairType<U>
  auto cogroup(const RDD<std::pair<typename PairTraits<U>::Key, W>>& other, int numPartitions = 0,
               Loc loc = Loc::current()) const {
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    Context& ctx = context();
    int n = numPartitions > 0 ? numPartitions
                              : std::max({ctx.defaultParallelism(), getNumPartitions(), other.getNumPartitions()});
    auto part = std::make_shared<HashPartitioner<K>>(n);
    auto a = std::make_shared<ShuffleDependency<K, V, V>>(impl_, ctx.newShuffleId(), getNumPartitions(), part,
                                                          nullptr, false, KeyOrdering::None);
    auto b = std::make_shared<ShuffleDependency<K, W, W>>(other.impl(), ctx.newShuffleId(),
                                                          other.getNumPartitions(), part, nullptr, false,
                                                          KeyOrdering::None);
    using Out = typename CoGroupedRDD<K, V, W>::Out;
    auto rdd = std::make_shared<CoGroupedRDD<K, V, W>>(&ctx, detail::makeInfo(ctx, "cogroup", n, loc), a, b);
    ctx.trackShuffle(*rdd, a->shuffleId());
    ctx.trackShuffle(*rdd, b->shuffleId());
    return RDD<Out>(std::move(rdd));
  }
  // Joins emit (key, (left, right)) for each matching pair of values; the outer joins
  // also keep keys missing on one side, with std::nullopt there (Spark's Option).
  template <class W, class U = T>
    requires PairType<U>
  auto join(const RDD<std::pair<typename PairTraits<U>::Key, W>>& other, int numPartitions = 0,
            Loc loc = Loc::current()) const {
    return joinImpl<W, false, false>(other, numPartitions, loc);
  }
  template <class W, class U = T>
    requires PairType<U>
  auto leftOuterJoin(const RDD<std::pair<typename PairTraits<U>::Key, W>>& other, int numPartitions = 0,
                     Loc loc = Loc::current()) const {
    return joinImpl<W, true, false>(other, numPartitions, loc);
  }
  template <class W, class U = T>
    requires PairType<U>
  auto rightOuterJoin(const RDD<std::pair<typename PairTraits<U>::Key, W>>& other, int numPartitions = 0,
                      Loc loc = Loc::current()) const {
    return joinImpl<W, false, true>(other, numPartitions, loc);
  }
  template <class W, class U = T>
    requires PairType<U>
  auto fullOuterJoin(const RDD<std::pair<typename PairTraits<U>::Key, W>>& other, int numPartitions = 0,
                     Loc loc = Loc::current()) const {
    return joinImpl<W, true, true>(other, numPartitions, loc);
  }

  // ---------------------------------------------------------------- persistence
  // As in Spark, a level once set can only be changed after unpersist().
  RDD<T>& persist(StorageLevel level = StorageLevel::MemoryOnly) {
    StorageLevel current = impl_->storageLevel();
    if (current != StorageLevel::None && current != level)
      throw UserError(std::string("cannot change the storage level of RDD ") + std::to_string(id()) +
                      " (created at " + impl_->callSite() + ") from " + storageLevelName(current) +
                      " to " + storageLevelName(level) + "; call unpersist() first");
    impl_->setStorageLevel(level);
    return *this;
  }
  RDD<T>& cache() { return persist(StorageLevel::MemoryOnly); }
  RDD<T>& unpersist() {
    impl_->setStorageLevel(StorageLevel::None);
    context().blockManager().removeRdd(id());
    return *this;
  }
  // Saves the partitions to the checkpoint directory after the next action and cuts
  // the lineage there.
  void checkpoint() {
    if (context().checkpointDir().empty())
      throw UserError("checkpoint directory has not been set: call ctx.setCheckpointDir(dir) "
                      "or set ember.checkpoint.dir");
    impl_->markForCheckpoint();
  }
  bool isCheckpointed() const { return !impl_->checkpointDir().empty(); }

  // ---------------------------------------------------------------- actions
  std::vector<T> collect(Loc loc = Loc::current()) const {
    std::vector<std::vector<T>> parts(static_cast<size_t>(getNumPartitions()));
    auto act = [](Iterator<T>& it, TaskContext&) { return drain(it); };
    runAll<std::vector<T>>(act, "collect", loc, [&](int p, std::vector<T>&& v) { parts[static_cast<size_t>(p)] = std::move(v); });
    std::vector<T> out;
    for (auto& v : parts) out.insert(out.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
    return out;
  }
  int64_t count(Loc loc = Loc::current()) const {
    int64_t total = 0;
    auto act = [](Iterator<T>& it, TaskContext&) {
      int64_t n = 0;
      T x;
      while (it.next(x)) ++n;
      return n;
    };
    runAll<int64_t>(act, "count", loc, [&](int, int64_t n) { total += n; });
    return total;
  }
  // Scans as few partitions as it can: one, then more while too few records came back.
  std::vector<T> take(int64_t n, Loc loc = Loc::current()) const {
    std::vector<T> out;
    int total = getNumPartitions(), scanned = 0;
    while (static_cast<int64_t>(out.size()) < n && scanned < total) {
      int numToScan = 1;
      if (scanned > 0)
        numToScan = out.empty() ? scanned * 4
                                : std::clamp(static_cast<int>(1.5 * n * scanned / out.size()) - scanned, 1, scanned * 4);
      std::vector<int> parts;
      for (int p = scanned; p < std::min(total, scanned + numToScan); ++p) parts.push_back(p);
      int64_t left = n - static_cast<int64_t>(out.size());
      std::map<int, std::vector<T>> got;
      auto act = TakeAction{left};
      run<std::vector<T>>(act, parts, "take", loc, [&](int p, std::vector<T>&& v) { got[p] = std::move(v); });
      for (auto& [p, v] : got)
        for (auto& x : v)
          if (static_cast<int64_t>(out.size()) < n) out.push_back(std::move(x));
      scanned += static_cast<int>(parts.size());
    }
    return out;
  }
  T first(Loc loc = Loc::current()) const {
    auto v = take(1, loc);
    if (v.empty()) throw UserError("first() on an empty RDD (created at " + impl_->callSite() + ")");
    return std::move(v[0]);
  }
  // The n smallest records by operator< (or by `less`), in order.
  std::vector<T> takeOrdered(int64_t n, Loc loc = Loc::current()) const {
    return boundedSort(n, std::less<T>{}, "takeOrdered", loc);
  }
  template <class Less>
  std::vector<T> takeOrdered(int64_t n, Less less, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(Less);
    return boundedSort(n, less, "takeOrdered", loc);
  }
  // The n largest records by operator< (or by `less`), largest first.
  std::vector<T> top(int64_t n, Loc loc = Loc::current()) const {
    return boundedSort(n, std::greater<T>{}, "top", loc);
  }
  template <class Less>
  std::vector<T> top(int64_t n, Less less, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(Less);
    return boundedSort(n, Reversed<Less>{less}, "top", loc);
  }

  template <class F>
  T reduce(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    std::optional<T> acc;
    run<std::optional<T>>(ReduceAction<F>{std::move(f)}, allPartitions(), "reduce", loc, [&](int, std::optional<T>&& v) {
      if (!v) return;
      acc = acc ? f(std::move(*acc), std::move(*v)) : std::move(*v);
    });
    if (!acc) throw UserError("reduce() on an empty RDD (created at " + impl_->callSite() + "); use fold() with a zero value");
    return std::move(*acc);
  }
  // zero must be trivially copyable: it travels inside the closure.
  template <class F>
  T fold(T zero, F f, Loc loc = Loc::current()) const {
    return aggregate(zero, f, f, loc);
  }
  template <class U, class F1, class F2>
  U aggregate(U zero, F1 seqOp, F2 combOp, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F1);
    EMBER_CHECK_CLOSURE(F2);
    static_assert(std::is_trivially_copyable_v<U>,
                  "Ember: the zero value of fold/aggregate travels inside the closure and must be "
                  "trivially copyable; use mapPartitions + collect for other accumulators");
    U acc = zero;
    run<U>(AggregateAction<U, F1>{zero, std::move(seqOp)}, allPartitions(), "aggregate", loc,
           [&](int, U&& v) { acc = combOp(std::move(acc), std::move(v)); });
    return acc;
  }
  template <class F>
  void foreach(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    run<bool>(ForeachAction<F>{std::move(f)}, allPartitions(), "foreach", loc, [](int, bool) {});
  }
  template <class F>
  void foreachPartition(F f, Loc loc = Loc::current()) const {
    EMBER_CHECK_CLOSURE(F);
    run<bool>(ForeachPartitionAction<F>{std::move(f)}, allPartitions(), "foreachPartition", loc, [](int, bool) {});
  }
  std::map<T, int64_t> countByValue(Loc loc = Loc::current()) const {
    auto counts = map([](T x) { return std::make_pair(std::move(x), int64_t{1}); }, loc)
                      .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 0, loc)
                      .collect(loc);
    return std::map<T, int64_t>(counts.begin(), counts.end());
  }
  template <class U = T>
    requires PairType<U>
  auto countByKey(Loc loc = Loc::current()) const {
    return keys(loc).countByValue(loc);
  }
  template <class U = T>
    requires PairType<U>
  auto collectAsMap(Loc loc = Loc::current()) const {
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    std::map<K, V> m;
    for (auto& [k, v] : collect(loc)) m[std::move(k)] = std::move(v);
    return m;
  }
  // One part file per partition (part-00000, ...) plus _SUCCESS, written atomically:
  // the directory appears complete or not at all.
  void saveAsTextFile(const std::string& path, Loc loc = Loc::current()) const;

  // ---------------------------------------------------------------- internals
  template <class K, class V, class C>
  static RDD<std::pair<K, C>> shuffle(RDDImplPtr<std::pair<K, V>> parent, std::shared_ptr<const Partitioner<K>> part,
                                      std::shared_ptr<const Aggregator<V, C>> agg, bool mapSideCombine,
                                      KeyOrdering ordering, const char* op, const Loc& loc) {
    Context& ctx = *parent->context();
    auto dep = std::make_shared<ShuffleDependency<K, V, C>>(parent, ctx.newShuffleId(), parent->numPartitions(),
                                                            part, std::move(agg), mapSideCombine, ordering);
    auto info = detail::makeInfo(ctx, op, part->numPartitions(), loc);
    auto rdd = std::make_shared<ShuffledRDD<K, V, C>>(&ctx, info, dep);
    ctx.trackShuffle(*rdd, dep->shuffleId());
    return RDD<std::pair<K, C>>(std::move(rdd));
  }

 private:
  template <class R>
  struct ResultElement {
    using type = std::decay_t<decltype(*std::begin(std::declval<R&>()))>;
  };
  template <class U>
  struct ResultElement<IterPtr<U>> {
    using type = U;
  };

  struct RepartitionKeys {
    int n;
    IterPtr<std::pair<int64_t, T>> operator()(int p, Iterator<T>& it) const {
      return std::make_unique<detail::RepartitionKeyIterator<T>>(it, p, n);
    }
  };
  struct TakeAction {
    int64_t limit;
    std::vector<T> operator()(Iterator<T>& it, TaskContext&) const {
      std::vector<T> out;
      T x;
      while (static_cast<int64_t>(out.size()) < limit && it.next(x)) out.push_back(std::move(x));
      return out;
    }
  };
  template <class F>
  struct ReduceAction {
    F f;
    std::optional<T> operator()(Iterator<T>& it, TaskContext&) const {
      T x;
      if (!it.next(x)) return std::nullopt;
      T acc = std::move(x);
      while (it.next(x)) acc = f(std::move(acc), std::move(x));
      return acc;
    }
    EMBER_WRAPPER_SERDE(ReduceAction)
  };
  template <class U, class F>
  struct AggregateAction {
    U zero;
    F f;
    U operator()(Iterator<T>& it, TaskContext&) const {
      U acc = zero;
      T x;
      while (it.next(x)) acc = f(std::move(acc), std::move(x));
      return acc;
    }
  };
  template <class F>
  struct ForeachAction {
    F f;
    bool operator()(Iterator<T>& it, TaskContext&) const {
      T x;
      while (it.next(x)) f(x);
      return true;
    }
    EMBER_WRAPPER_SERDE(ForeachAction)
  };
  template <class F>
  struct ForeachPartitionAction {
    F f;
    bool operator()(Iterator<T>& it, TaskContext&) const {
      f(it);
      return true;
    }
    EMBER_WRAPPER_SERDE(ForeachPartitionAction)
  };
  template <class Less>
  struct Reversed {
    Less less;
    bool operator()(const T& a, const T& b) const { return less(b, a); }
  };
  template <class Less>
  struct BoundedSortAction {
    int64_t n;
    Less better;
    std::vector<T> operator()(Iterator<T>& it, TaskContext&) const {
      std::vector<T> heap;  // keeps the n best, worst on top
      T x;
      while (it.next(x)) {
        if (static_cast<int64_t>(heap.size()) < n) {
          heap.push_back(std::move(x));
          std::push_heap(heap.begin(), heap.end(), better);
        } else if (n > 0 && better(x, heap.front())) {
          std::pop_heap(heap.begin(), heap.end(), better);
          heap.back() = std::move(x);
          std::push_heap(heap.begin(), heap.end(), better);
        }
      }
      std::sort(heap.begin(), heap.end(), better);
      return heap;
    }
  };

  template <class Less>
  std::vector<T> boundedSort(int64_t n, Less better, const char* op, const Loc& loc) const {
    if (n < 0) throw UserError(std::string(op) + "(n): n must not be negative, got " + std::to_string(n));
    std::vector<T> all;
    run<std::vector<T>>(BoundedSortAction<Less>{n, better}, allPartitions(), op, loc,
                        [&](int, std::vector<T>&& v) { all.insert(all.end(), v.begin(), v.end()); });
    std::stable_sort(all.begin(), all.end(), better);
    if (static_cast<int64_t>(all.size()) > n) all.resize(static_cast<size_t>(n));
    return all;
  }

  std::vector<int> allPartitions() const {
    std::vector<int> p(static_cast<size_t>(getNumPartitions()));
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<int>(i);
    return p;
  }

  std::vector<int64_t> partitionCounts(const Loc& loc) const {
    std::vector<int64_t> counts(static_cast<size_t>(getNumPartitions()), 0);
    auto act = [](Iterator<T>& it, TaskContext&) {
      int64_t n = 0;
      T x;
      while (it.next(x)) ++n;
      return n;
    };
    runAll<int64_t>(act, "zipWithIndex", loc, [&](int p, int64_t n) { counts[static_cast<size_t>(p)] = n; });
    return counts;
  }

  template <class W, bool KeepLeft, bool KeepRight, class U = T>
  auto joinImpl(const RDD<std::pair<typename PairTraits<U>::Key, W>>& other, int numPartitions,
                const Loc& loc) const {
    using K = typename PairTraits<U>::Key;
    using V = typename PairTraits<U>::Value;
    return cogroup(other, numPartitions, loc).flatMap(detail::JoinRows<K, V, W, KeepLeft, KeepRight>{}, loc);
  }

  template <class K>
  std::vector<K> sampleRangeBounds(int n, const Loc& loc) const;

  template <class K>
  std::shared_ptr<const Partitioner<K>> hashPartitioner(int numPartitions) const {
    int n = numPartitions > 0 ? numPartitions : std::max(context().defaultParallelism(), getNumPartitions());
    return std::make_shared<HashPartitioner<K>>(n);
  }

  template <class U, class Op>
  RDD<U> narrow(Op op, const char* name, const Loc& loc) const {
    Context& ctx = context();
    auto info = detail::makeInfo(ctx, name, getNumPartitions(), loc);
    return RDD<U>(std::make_shared<MapPartitionsRDD<T, U, Op>>(&ctx, info, impl_, std::move(op)));
  }

  template <class R, class Act, class H>
  void run(Act act, const std::vector<int>& parts, const char* op, const Loc& loc, H&& handle) const {
    auto func = makeJobFunction<T>(std::move(act));
    context().runJob(impl_, func, parts,
                     [&](int p, std::string_view bytes) { handle(p, deserializeFromString<R>(bytes)); },
                     std::string(op) + " at " + detail::callSiteOf(loc));
  }
  template <class R, class Act, class H>
  void runAll(Act act, const char* op, const Loc& loc, H&& handle) const {
    run<R>(std::move(act), allPartitions(), op, loc, std::forward<H>(handle));
  }

  template <class U>
  friend class RDD;
  RDDImplPtr<T> impl_;
};

}  // namespace ember

#include "ember/rdd/rdd_inl.h"
