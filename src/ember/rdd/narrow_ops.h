// The operations MapPartitionsRDD applies to a partition. Each holds the user's
// closure (shipped with ClosureSerde) and builds an iterator over the parent's
// iterator; user exceptions are annotated with the operation, partition and record.
#pragma once

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <new>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/common/hash.h"
#include "ember/core/closure.h"
#include "ember/core/rdd_base.h"
#include "ember/core/task_context.h"
#include "ember/rdd/iterator.h"

namespace ember {

namespace detail {
// Common state of an operation's iterator.
template <class T, class U>
class OpIterator : public Iterator<U> {
 public:
  OpIterator(IterPtr<T> in, const RDDBase& self, int partition)
      : in_(std::move(in)), self_(self), partition_(partition) {}

 protected:
  template <class Fn>
  decltype(auto) call(Fn&& fn) {
    return callUser(self_.opName().c_str(), self_.callSite(), partition_, record_,
                    std::forward<Fn>(fn));
  }
  IterPtr<T> in_;
  const RDDBase& self_;
  int partition_;
  long long record_ = 0;
  T buf_{};
};

// Whether U() cannot throw (std::pair's default constructor is not declared noexcept).
template <class X>
struct NothrowDefault : std::is_nothrow_default_constructible<X> {};
template <class A, class B>
struct NothrowDefault<std::pair<A, B>>
    : std::bool_constant<NothrowDefault<A>::value && NothrowDefault<B>::value> {};

// Iterates any container returned by user code, moving its elements out.
template <class C, class U>
class ContainerIterator : public Iterator<U> {
 public:
  explicit ContainerIterator(C c) : c_(std::move(c)), it_(std::begin(c_)) {}
  bool next(U& out) override {
    if (it_ == std::end(c_)) return false;
    out = std::move(*it_);
    ++it_;
    return true;
  }

 private:
  C c_;
  decltype(std::begin(std::declval<C&>())) it_;
};

template <class U, class R>
IterPtr<U> toIterator(R&& r) {
  if constexpr (std::is_convertible_v<R, IterPtr<U>>) {
    return std::move(r);
  } else {
    return std::make_unique<ContainerIterator<std::decay_t<R>, U>>(std::forward<R>(r));
  }
}
}  // namespace detail

#define EMBER_OP_SERDE(Op)                                              \
  void serialize(ByteWriter& w) const { ClosureSerde<F>::write(w, f); } \
  static Op deserialize(ByteReader& r) { return Op{ClosureSerde<F>::read(r)}; }

template <class T, class U, class F>
struct MapOp {
  F f;
  class It : public detail::OpIterator<T, U> {
   public:
    It(IterPtr<T> in, const RDDBase& self, int p, const F* f)
        : detail::OpIterator<T, U>(std::move(in), self, p), f_(f) {}
    bool next(U& out) override {
      if (!this->in_->next(this->buf_)) return false;
      ++this->record_;
      produce(this->buf_, out);
      return true;
    }
    size_t nextBatch(U* out, size_t n) override {
      size_t done = 0;
      while (done < n) {
        size_t want = std::min(n - done, kChunk);
        size_t got = this->in_->nextBatch(batch_, want);
        for (size_t i = 0; i < got; ++i) {
          ++this->record_;
          produce(batch_[i], out[done + i]);
        }
        done += got;
        if (got < want) break;
      }
      return done;
    }

   private:
    static constexpr size_t kChunk = 16;
    // out = f(x), with f's result constructed in place rather than move-assigned: a
    // string-keyed pair is then moved once less per record.
    void produce(T& x, U& out) {
      if constexpr (detail::NothrowDefault<U>::value) {
        std::destroy_at(&out);
        try {
          ::new (static_cast<void*>(&out))
              U(this->call([&]() -> U { return (*f_)(std::move(x)); }));
        } catch (...) {
          ::new (static_cast<void*>(&out)) U();  // `out` must stay a live object
          throw;
        }
      } else {
        out = this->call([&]() -> U { return (*f_)(std::move(x)); });
      }
    }
    const F* f_;
    T batch_[kChunk];
  };
  IterPtr<U> apply(IterPtr<T> in, int p, TaskContext&, const RDDBase& self) const {
    return std::make_unique<It>(std::move(in), self, p, &f);
  }
  EMBER_OP_SERDE(MapOp)
};

template <class T, class F>
struct FilterOp {
  F f;
  class It : public detail::OpIterator<T, T> {
   public:
    It(IterPtr<T> in, const RDDBase& self, int p, const F* f)
        : detail::OpIterator<T, T>(std::move(in), self, p), f_(f) {}
    bool next(T& out) override {
      while (this->in_->next(out)) {
        ++this->record_;
        if (this->call([&]() -> bool { return (*f_)(static_cast<const T&>(out)); })) return true;
      }
      return false;
    }

   private:
    const F* f_;
  };
  IterPtr<T> apply(IterPtr<T> in, int p, TaskContext&, const RDDBase& self) const {
    return std::make_unique<It>(std::move(in), self, p, &f);
  }
  EMBER_OP_SERDE(FilterOp)
};

// f: T -> any iterable of U.
template <class T, class U, class F>
struct FlatMapOp {
  F f;
  using C = std::decay_t<std::invoke_result_t<const F&, T>>;
  class It : public detail::OpIterator<T, U> {
   public:
    It(IterPtr<T> in, const RDDBase& self, int p, const F* f)
        : detail::OpIterator<T, U>(std::move(in), self, p), f_(f) {}
    bool next(U& out) override {
      if (!advance()) return false;
      out = std::move(*it_);
      ++it_;
      return true;
    }
    size_t nextBatch(U* out, size_t n) override {
      size_t i = 0;
      while (i < n && advance()) {
        for (auto end = std::end(cur_); i < n && it_ != end; ++i, ++it_) out[i] = std::move(*it_);
      }
      return i;
    }

   private:
    // Makes it_ point at a record, calling f on further inputs as needed; false at the end.
    bool advance() {
      while (!has_ || it_ == std::end(cur_)) {
        if (!this->in_->next(this->buf_)) return false;
        ++this->record_;
        cur_ = this->call([&]() -> C { return (*f_)(std::move(this->buf_)); });
        it_ = std::begin(cur_);
        has_ = true;
      }
      return true;
    }
    const F* f_;
    C cur_{};
    decltype(std::begin(std::declval<C&>())) it_{};
    bool has_ = false;
  };
  IterPtr<U> apply(IterPtr<T> in, int p, TaskContext&, const RDDBase& self) const {
    return std::make_unique<It>(std::move(in), self, p, &f);
  }
  EMBER_OP_SERDE(FlatMapOp)
};

// f(Iterator<T>&) or f(int partition, Iterator<T>&) -> IterPtr<U> or an iterable of U.
template <class T, class U, class F, bool WithIndex>
struct MapPartitionsOp {
  F f;
  IterPtr<U> apply(IterPtr<T> in, int p, TaskContext&, const RDDBase& self) const {
    auto holder = std::shared_ptr<Iterator<T>>(std::move(in));
    auto run = [&]() -> IterPtr<U> {
      if constexpr (WithIndex) {
        return detail::toIterator<U>(f(p, *holder));
      } else {
        return detail::toIterator<U>(f(*holder));
      }
    };
    IterPtr<U> out = callUser(self.opName().c_str(), self.callSite(), p, 0, run);
    // The result may pull lazily from the input: keep the input alive with it.
    return std::make_unique<KeepAlive>(std::move(out), std::move(holder));
  }
  class KeepAlive : public Iterator<U> {
   public:
    KeepAlive(IterPtr<U> out, std::shared_ptr<Iterator<T>> in)
        : out_(std::move(out)), in_(std::move(in)) {}
    bool next(U& x) override { return out_->next(x); }

   private:
    IterPtr<U> out_;
    std::shared_ptr<Iterator<T>> in_;
  };
  EMBER_OP_SERDE(MapPartitionsOp)
};

// Seeded, reproducible sampling: the generator of partition p is seeded from (seed, p).
template <class T>
struct SampleOp {
  bool withReplacement = false;
  double fraction = 0;
  uint64_t seed = 0;
  class It : public Iterator<T> {
   public:
    It(IterPtr<T> in, const SampleOp& op, int p)
        : in_(std::move(in)), op_(op), rng_(hashCombine(op.seed, static_cast<uint64_t>(p))) {}
    bool next(T& out) override {
      if (copies_ > 0) {
        --copies_;
        out = cur_;
        return true;
      }
      while (in_->next(cur_)) {
        if (op_.withReplacement) {
          std::poisson_distribution<int> poisson(op_.fraction);
          int k = poisson(rng_);
          if (k == 0) continue;
          copies_ = k - 1;
          out = cur_;
          return true;
        }
        if (uniform_(rng_) < op_.fraction) {
          out = std::move(cur_);
          return true;
        }
      }
      return false;
    }

   private:
    IterPtr<T> in_;
    const SampleOp& op_;
    std::mt19937_64 rng_;
    std::uniform_real_distribution<double> uniform_{0.0, 1.0};
    T cur_{};
    int copies_ = 0;
  };
  IterPtr<T> apply(IterPtr<T> in, int p, TaskContext&, const RDDBase&) const {
    return std::make_unique<It>(std::move(in), *this, p);
  }
  void serialize(ByteWriter& w) const {
    w.writeRaw(withReplacement);
    w.writeRaw(fraction);
    w.writeRaw(seed);
  }
  static SampleOp deserialize(ByteReader& r) {
    SampleOp op;
    op.withReplacement = r.readRaw<bool>();
    op.fraction = r.readRaw<double>();
    op.seed = r.readRaw<uint64_t>();
    return op;
  }
};

// zipWithIndex: partition p starts at offsets[p] (counted by a job beforehand).
template <class T>
struct ZipWithIndexOp {
  std::vector<int64_t> offsets;
  class It : public Iterator<std::pair<T, int64_t>> {
   public:
    It(IterPtr<T> in, int64_t start) : in_(std::move(in)), next_(start) {}
    bool next(std::pair<T, int64_t>& out) override {
      if (!in_->next(out.first)) return false;
      out.second = next_++;
      return true;
    }

   private:
    IterPtr<T> in_;
    int64_t next_;
  };
  IterPtr<std::pair<T, int64_t>> apply(IterPtr<T> in, int p, TaskContext&, const RDDBase&) const {
    return std::make_unique<It>(std::move(in), offsets[static_cast<size_t>(p)]);
  }
  void serialize(ByteWriter& w) const { Serde<std::vector<int64_t>>::write(w, offsets); }
  static ZipWithIndexOp deserialize(ByteReader& r) {
    return ZipWithIndexOp{Serde<std::vector<int64_t>>::read(r)};
  }
};

}  // namespace ember
