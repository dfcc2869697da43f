// How values of one key combine (Spark's Aggregator): createCombiner turns the first
// value into a combiner, mergeValue folds another value in, mergeCombiners merges two
// partial combiners (from map-side combining or spilled runs).
#pragma once

#include <memory>

#include "ember/core/closure.h"
#include "ember/core/registry.h"

namespace ember {

template <class V, class C>
class Aggregator {
 public:
  virtual ~Aggregator() = default;
  virtual C createCombiner(V&& v) const = 0;
  virtual void mergeValue(C& c, V&& v) const = 0;
  virtual void mergeCombiners(C& c, C&& other) const = 0;
  virtual const char* typeKey() const = 0;
  virtual void serialize(ByteWriter& w) const = 0;

  static std::shared_ptr<Aggregator<V, C>> read(ByteReader& r, GraphReader& g) {
    std::string key = r.readString();
    return Registry<Aggregator<V, C>>::create(key, r, g);
  }
  void write(ByteWriter& w) const {
    w.writeString(typeKey());
    serialize(w);
  }
};

// Spark's functional form: create(V) -> C, mergeValue(C, V) -> C, mergeCombiners(C, C) -> C.
template <class V, class C, class F1, class F2, class F3>
class FnAggregator : public Aggregator<V, C>,
                     public Registered<FnAggregator<V, C, F1, F2, F3>, Aggregator<V, C>> {
 public:
  FnAggregator(F1 create, F2 mergeValue, F3 mergeCombiners)
      : create_(std::move(create)), mergeValue_(std::move(mergeValue)), mergeCombiners_(std::move(mergeCombiners)) {}
  C createCombiner(V&& v) const override { return create_(std::move(v)); }
  void mergeValue(C& c, V&& v) const override { c = mergeValue_(std::move(c), std::move(v)); }
  void mergeCombiners(C& c, C&& o) const override { c = mergeCombiners_(std::move(c), std::move(o)); }
  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter& w) const override {
    ClosureSerde<F1>::write(w, create_);
    ClosureSerde<F2>::write(w, mergeValue_);
    ClosureSerde<F3>::write(w, mergeCombiners_);
  }
  static std::shared_ptr<Aggregator<V, C>> deserialize(ByteReader& r, GraphReader&) {
    F1 a = ClosureSerde<F1>::read(r);
    F2 b = ClosureSerde<F2>::read(r);
    F3 c = ClosureSerde<F3>::read(r);
    return std::make_shared<FnAggregator>(std::move(a), std::move(b), std::move(c));
  }

 private:
  F1 create_;
  F2 mergeValue_;
  F3 mergeCombiners_;
};

// reduceByKey(f): C = V; the combiner is the running reduction. One closure, applied
// in place, so a sum over a hash-map entry costs no extra copies.
template <class V, class F>
class ReduceAggregator : public Aggregator<V, V>, public Registered<ReduceAggregator<V, F>, Aggregator<V, V>> {
 public:
  explicit ReduceAggregator(F f) : f_(std::move(f)) {}
  V createCombiner(V&& v) const override { return std::move(v); }
  void mergeValue(V& c, V&& v) const override { c = f_(std::move(c), std::move(v)); }
  void mergeCombiners(V& c, V&& o) const override { c = f_(std::move(c), std::move(o)); }
  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter& w) const override { ClosureSerde<F>::write(w, f_); }
  static std::shared_ptr<Aggregator<V, V>> deserialize(ByteReader& r, GraphReader&) {
    return std::make_shared<ReduceAggregator>(ClosureSerde<F>::read(r));
  }

 private:
  F f_;
};

// groupByKey: C = vector<V>; no map-side combining (it would not shrink the data).
template <class V>
class GroupAggregator : public Aggregator<V, std::vector<V>>,
                        public Registered<GroupAggregator<V>, Aggregator<V, std::vector<V>>> {
 public:
  std::vector<V> createCombiner(V&& v) const override {
    std::vector<V> c;
    c.push_back(std::move(v));
    return c;
  }
  void mergeValue(std::vector<V>& c, V&& v) const override { c.push_back(std::move(v)); }
  void mergeCombiners(std::vector<V>& c, std::vector<V>&& o) const override {
    c.insert(c.end(), std::make_move_iterator(o.begin()), std::make_move_iterator(o.end()));
  }
  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter&) const override {}
  static std::shared_ptr<Aggregator<V, std::vector<V>>> deserialize(ByteReader&, GraphReader&) {
    return std::make_shared<GroupAggregator<V>>();
  }
};

}  // namespace ember
