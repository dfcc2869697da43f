// Narrow transformations: each output partition depends on a few parent partitions
// and is computed in the same task, fused into one pass.
//
// MapPartitionsRDD<T, U, Op> covers map, filter, flatMap, mapPartitions, sample and
// friends; the Op (narrow_ops.h) holds the user's closure and builds the iterator.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/rdd/rdd_impl.h"

namespace ember {

class OneToOneDependency : public NarrowDependency {
 public:
  using NarrowDependency::NarrowDependency;
};

template <class T, class U, class Op>
class MapPartitionsRDD : public RDDImpl<U>, public Registered<MapPartitionsRDD<T, U, Op>, RDDBase> {
 public:
  MapPartitionsRDD(Context* ctx, RDDBase::Info info, RDDImplPtr<T> parent, Op op)
      : RDDImpl<U>(ctx, std::move(info)), parent_(std::move(parent)), op_(std::move(op)) {
    this->setDependencies({std::make_shared<OneToOneDependency>(parent_)});
  }
  std::string className() const override { return "MapPartitionsRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  IterPtr<U> compute(int p, TaskContext& ctx) const override {
    return op_.apply(parent_->iterator(p, ctx), p, ctx, *this);
  }
  void serializePayload(ByteWriter& w, GraphWriter& g) const override {
    g.writeRdd(*parent_);
    op_.serialize(w);
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g) {
    auto parent = g.readRddAs<RDDImpl<T>>();
    Op op = Op::deserialize(r);
    return std::make_shared<MapPartitionsRDD>(nullptr, g.currentInfo(), std::move(parent),
                                              std::move(op));
  }

 private:
  RDDImplPtr<T> parent_;
  Op op_;
};

// union: the partitions of all parents, in order.
class RangeDependency : public NarrowDependency {
 public:
  using NarrowDependency::NarrowDependency;
};

template <class T>
class UnionRDD : public RDDImpl<T>, public Registered<UnionRDD<T>, RDDBase> {
 public:
  UnionRDD(Context* ctx, RDDBase::Info info, std::vector<RDDImplPtr<T>> parents)
      : RDDImpl<T>(ctx, std::move(info)), parents_(std::move(parents)) {
    std::vector<std::shared_ptr<Dependency>> deps;
    for (auto& p : parents_) deps.push_back(std::make_shared<RangeDependency>(p));
    this->setDependencies(std::move(deps));
  }
  std::string className() const override { return "UnionRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  IterPtr<T> compute(int p, TaskContext& ctx) const override {
    for (const auto& parent : parents_) {
      if (p < parent->numPartitions()) return parent->iterator(p, ctx);
      p -= parent->numPartitions();
    }
    throw InternalError("union partition out of range");
  }
  void serializePayload(ByteWriter& w, GraphWriter& g) const override {
    w.writeVarint(parents_.size());
    for (auto& p : parents_) g.writeRdd(*p);
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g) {
    std::vector<RDDImplPtr<T>> parents(r.readVarint());
    for (auto& p : parents) p = g.readRddAs<RDDImpl<T>>();
    return std::make_shared<UnionRDD>(nullptr, g.currentInfo(), std::move(parents));
  }

 private:
  std::vector<RDDImplPtr<T>> parents_;
};

// coalesce without shuffle: output partition i reads a contiguous group of parent
// partitions, so no data moves between tasks.
template <class T>
class CoalescedRDD : public RDDImpl<T>, public Registered<CoalescedRDD<T>, RDDBase> {
 public:
  CoalescedRDD(Context* ctx, RDDBase::Info info, RDDImplPtr<T> parent)
      : RDDImpl<T>(ctx, std::move(info)), parent_(std::move(parent)) {
    this->setDependencies({std::make_shared<NarrowDependency>(parent_)});
  }
  std::string className() const override { return "CoalescedRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  IterPtr<T> compute(int p, TaskContext& ctx) const override {
    int64_t n = parent_->numPartitions(), m = this->numPartitions();
    int lo = static_cast<int>(n * p / m), hi = static_cast<int>(n * (p + 1) / m);
    return std::make_unique<ChainIterator>(parent_, lo, hi, ctx);
  }
  void serializePayload(ByteWriter&, GraphWriter& g) const override { g.writeRdd(*parent_); }
  static std::shared_ptr<RDDBase> deserialize(ByteReader&, GraphReader& g) {
    auto parent = g.readRddAs<RDDImpl<T>>();
    return std::make_shared<CoalescedRDD>(nullptr, g.currentInfo(), std::move(parent));
  }

 private:
  class ChainIterator : public Iterator<T> {
   public:
    ChainIterator(RDDImplPtr<T> parent, int lo, int hi, TaskContext& ctx)
        : parent_(std::move(parent)), next_(lo), hi_(hi), ctx_(ctx) {}
    bool next(T& out) override {
      for (;;) {
        if (cur_ && cur_->next(out)) return true;
        if (next_ >= hi_) return false;
        cur_ = parent_->iterator(next_++, ctx_);
      }
    }

   private:
    RDDImplPtr<T> parent_;
    int next_, hi_;
    TaskContext& ctx_;
    IterPtr<T> cur_;
  };
  RDDImplPtr<T> parent_;
};

// cartesian: partition (i, j) pairs partition i of `a` with partition j of `b`; b's
// partition is materialised once per task.
template <class A, class B>
class CartesianRDD : public RDDImpl<std::pair<A, B>>,
                     public Registered<CartesianRDD<A, B>, RDDBase> {
 public:
  CartesianRDD(Context* ctx, RDDBase::Info info, RDDImplPtr<A> a, RDDImplPtr<B> b)
      : RDDImpl<std::pair<A, B>>(ctx, std::move(info)), a_(std::move(a)), b_(std::move(b)) {
    this->setDependencies({std::make_shared<NarrowDependency>(a_), std::make_shared<NarrowDependency>(b_)});
  }
  std::string className() const override { return "CartesianRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  IterPtr<std::pair<A, B>> compute(int p, TaskContext& ctx) const override {
    int nb = b_->numPartitions();
    auto bs = drain(*b_->iterator(p % nb, ctx));
    return std::make_unique<PairIterator>(a_->iterator(p / nb, ctx), std::move(bs));
  }
  void serializePayload(ByteWriter&, GraphWriter& g) const override {
    g.writeRdd(*a_);
    g.writeRdd(*b_);
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader&, GraphReader& g) {
    auto a = g.readRddAs<RDDImpl<A>>();
    auto b = g.readRddAs<RDDImpl<B>>();
    return std::make_shared<CartesianRDD>(nullptr, g.currentInfo(), std::move(a), std::move(b));
  }

 private:
  class PairIterator : public Iterator<std::pair<A, B>> {
   public:
    PairIterator(IterPtr<A> a, std::vector<B> bs) : a_(std::move(a)), bs_(std::move(bs)) {}
    bool next(std::pair<A, B>& out) override {
      if (bs_.empty()) return false;
      if (!has_ || j_ == bs_.size()) {
        if (!a_->next(cur_)) return false;
        has_ = true;
        j_ = 0;
      }
      out = {cur_, bs_[j_++]};
      return true;
    }

   private:
    IterPtr<A> a_;
    std::vector<B> bs_;
    A cur_{};
    bool has_ = false;
    size_t j_ = 0;
  };
  RDDImplPtr<A> a_;
  RDDImplPtr<B> b_;
};

}  // namespace ember
