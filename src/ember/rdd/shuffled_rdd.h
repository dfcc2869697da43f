// The reduce side of shuffles: ShuffledRDD (reduceByKey, groupByKey, sortByKey,
// partitionBy, repartition) and CoGroupedRDD (cogroup and the joins built on it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/rdd/external_aggregator.h"
#include "ember/rdd/external_sorter.h"
#include "ember/rdd/shuffle_dependency.h"
#include "ember/shuffle/remote_shuffle.h"
#include "ember/storage/disk_manager.h"

namespace ember {

// Reads reduce partition `reduceId` from every map output of a shuffle. A missing or
// unreadable map output becomes FetchFailedError, so the scheduler recomputes it.
template <class X>
class ShuffleBlockIterator : public Iterator<X> {
 public:
  ShuffleBlockIterator(TaskContext& ctx, int shuffleId, int numMaps, int reduceId)
      : ctx_(ctx), shuffleId_(shuffleId), numMaps_(numMaps), reduceId_(reduceId) {}
  ~ShuffleBlockIterator() override { finishBlock(); }

  bool next(X& out) override {
    for (;;) {
      if (cur_) {
        bool ok;
        try {
          ok = cur_->next(out);
        } catch (const IoError& e) {
          throw FetchFailedError(shuffleId_, map_ - 1, reduceId_, e.what());
        }
        if (ok) {
          if ((++records_ & 4095) == 0) ctx_.checkInterrupted();
          return true;
        }
        finishBlock();
      }
      if (map_ >= numMaps_) return false;
      openBlock(map_++);
    }
  }

 private:
  void openBlock(int m) {
    // Cluster mode: map outputs are located through the executor's RemoteShuffleReader,
    // and blocks of other executors are copied into a local temporary file first
    // (shuffle/remote_shuffle.h). Local mode reads the driver's tracker and files.
    RemoteShuffleReader* remote = ctx_.env().remoteShuffle;
    std::optional<MapStatus> status;
    try {
      status = remote ? remote->mapStatus(shuffleId_, m)
                      : ctx_.env().mapOutputs->mapStatus(shuffleId_, m);
    } catch (const IoError& e) {
      throw FetchFailedError(shuffleId_, m, reduceId_, e.what());
    }
    if (!status) throw FetchFailedError(shuffleId_, m, reduceId_, "map output is missing");
    if (static_cast<size_t>(reduceId_) < status->partitionSizes.size() &&
        status->partitionSizes[static_cast<size_t>(reduceId_)] == 0)
      return;
    try {
      if (remote && !remote->isLocal(*status)) {
        FetchedBlock b = remote->fetchBlock(*status, shuffleId_, m, reduceId_);
        fetchedPath_ = b.path;
        cur_ = std::make_unique<RecordFrameReader<X>>(b.path, 0, b.length);
        return;
      }
      Segment seg = ShuffleBlockReader::locate(status->dataPath, status->indexPath, reduceId_);
      cur_ = std::make_unique<RecordFrameReader<X>>(status->dataPath, seg.offset, seg.length);
    } catch (const IoError& e) {
      throw FetchFailedError(shuffleId_, m, reduceId_, e.what());
    }
  }
  void finishBlock() {
    if (cur_) {
      ctx_.metrics().shuffleBytesRead += static_cast<int64_t>(cur_->bytesRead());
      ctx_.metrics().shuffleRecordsRead += static_cast<int64_t>(cur_->records());
      cur_.reset();
    }
    if (!fetchedPath_.empty()) {
      try {
        ctx_.env().disk->removeFile(fetchedPath_);
      } catch (const EmberError&) {  // the scratch directory goes with the executor anyway
      }
      fetchedPath_.clear();
    }
  }

  TaskContext& ctx_;
  int shuffleId_, numMaps_, reduceId_;
  int map_ = 0;
  uint64_t records_ = 0;
  std::unique_ptr<RecordFrameReader<X>> cur_;
  std::string fetchedPath_;  // temporary copy of the current remote block, if any
};

// Keeps an owner (a sorter) alive as long as the iterator over its output.
template <class T, class Owner>
class OwningIterator : public Iterator<T> {
 public:
  OwningIterator(std::unique_ptr<Owner> owner, IterPtr<T> it)
      : owner_(std::move(owner)), it_(std::move(it)) {}
  bool next(T& out) override { return it_->next(out); }

 private:
  std::unique_ptr<Owner> owner_;
  IterPtr<T> it_;
};

template <class K, class V, class C>
class ShuffledRDD : public RDDImpl<std::pair<K, C>>,
                    public Registered<ShuffledRDD<K, V, C>, RDDBase> {
 public:
  using Dep = ShuffleDependency<K, V, C>;

  ShuffledRDD(Context* ctx, RDDBase::Info info, std::shared_ptr<Dep> dep)
      : RDDImpl<std::pair<K, C>>(ctx, std::move(info)), dep_(std::move(dep)) {
    this->setDependencies({dep_});
  }
  std::string className() const override { return "ShuffledRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  const Dep& dependency() const { return *dep_; }

  IterPtr<std::pair<K, C>> compute(int p, TaskContext& ctx) const override {
    const Agg* agg = dep_->aggregator();
    if (agg) {
      auto mergeCombiners = [agg](C& c, C&& o) { agg->mergeCombiners(c, std::move(o)); };
      using ExtAgg = ExternalAggregator<K, C, decltype(mergeCombiners)>;
      auto ext = std::make_unique<ExtAgg>(ctx, mergeCombiners);
      if (dep_->mapSideCombine()) {
        ShuffleBlockIterator<std::pair<K, C>> in(ctx, dep_->shuffleId(), dep_->numMapPartitions(),
                                                 p);
        ext->insertAll(
            in, [](C&& c) { return std::move(c); },
            [agg](C& c, C&& o) { agg->mergeCombiners(c, std::move(o)); });
      } else {
        ShuffleBlockIterator<std::pair<K, V>> in(ctx, dep_->shuffleId(), dep_->numMapPartitions(),
                                                 p);
        ext->insertAll(
            in, [agg](V&& v) { return agg->createCombiner(std::move(v)); },
            [agg](C& c, V&& v) { agg->mergeValue(c, std::move(v)); });
      }
      return ExtAgg::finish(std::move(ext));
    }
    if constexpr (std::is_same_v<V, C>) {
      auto in = std::make_unique<ShuffleBlockIterator<std::pair<K, V>>>(
          ctx, dep_->shuffleId(), dep_->numMapPartitions(), p);
      if (dep_->ordering() == KeyOrdering::None) return in;
      bool asc = dep_->ordering() == KeyOrdering::Ascending;
      auto less = [asc](const std::pair<K, V>& a, const std::pair<K, V>& b) {
        return asc ? a.first < b.first : b.first < a.first;
      };
      using Sorter = ExternalSorter<std::pair<K, V>, decltype(less)>;
      auto sorter = std::make_unique<Sorter>(ctx, less);
      std::pair<K, V> rec;
      while (in->next(rec)) sorter->insert(std::move(rec));
      auto out = sorter->result();
      return std::make_unique<OwningIterator<std::pair<K, V>, Sorter>>(std::move(sorter),
                                                                       std::move(out));
    } else {
      throw InternalError("ShuffledRDD without aggregator must have C == V");
    }
  }

  void serializePayload(ByteWriter& w, GraphWriter&) const override { dep_->writeFields(w); }
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g) {
    auto dep = Dep::readFields(r, g, nullptr);
    return std::make_shared<ShuffledRDD>(nullptr, g.currentInfo(), std::move(dep));
  }

 private:
  using Agg = Aggregator<V, C>;
  std::shared_ptr<Dep> dep_;
};

// cogroup of two pair RDDs shuffled with the same partitioner: for each key, the
// values from each side.
template <class K, class V, class W>
class CoGroupedRDD : public RDDImpl<std::pair<K, std::pair<std::vector<V>, std::vector<W>>>>,
                     public Registered<CoGroupedRDD<K, V, W>, RDDBase> {
 public:
  using Groups = std::pair<std::vector<V>, std::vector<W>>;
  using Out = std::pair<K, Groups>;
  using DepA = ShuffleDependency<K, V, V>;
  using DepB = ShuffleDependency<K, W, W>;

  CoGroupedRDD(Context* ctx, RDDBase::Info info, std::shared_ptr<DepA> a, std::shared_ptr<DepB> b)
      : RDDImpl<Out>(ctx, std::move(info)), a_(std::move(a)), b_(std::move(b)) {
    this->setDependencies({a_, b_});
  }
  std::string className() const override { return "CoGroupedRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }

  IterPtr<Out> compute(int p, TaskContext& ctx) const override {
    auto merge = [](Groups& g, Groups&& o) {
      g.first.insert(g.first.end(), std::make_move_iterator(o.first.begin()),
                     std::make_move_iterator(o.first.end()));
      g.second.insert(g.second.end(), std::make_move_iterator(o.second.begin()),
                      std::make_move_iterator(o.second.end()));
    };
    using ExtAgg = ExternalAggregator<K, Groups, decltype(merge)>;
    auto ext = std::make_unique<ExtAgg>(ctx, merge);
    {
      ShuffleBlockIterator<std::pair<K, V>> in(ctx, a_->shuffleId(), a_->numMapPartitions(), p);
      std::pair<K, V> rec;
      while (in.next(rec))
        ext->insert(
            std::move(rec.first),
            [&] {
              Groups g;
              g.first.push_back(std::move(rec.second));
              return g;
            },
            [&](Groups& g) { g.first.push_back(std::move(rec.second)); });
    }
    {
      ShuffleBlockIterator<std::pair<K, W>> in(ctx, b_->shuffleId(), b_->numMapPartitions(), p);
      std::pair<K, W> rec;
      while (in.next(rec))
        ext->insert(
            std::move(rec.first),
            [&] {
              Groups g;
              g.second.push_back(std::move(rec.second));
              return g;
            },
            [&](Groups& g) { g.second.push_back(std::move(rec.second)); });
    }
    return ExtAgg::finish(std::move(ext));
  }

  void serializePayload(ByteWriter& w, GraphWriter&) const override {
    a_->writeFields(w);
    b_->writeFields(w);
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g) {
    auto a = DepA::readFields(r, g, nullptr);
    auto b = DepB::readFields(r, g, nullptr);
    return std::make_shared<CoGroupedRDD>(nullptr, g.currentInfo(), std::move(a), std::move(b));
  }

 private:
  std::shared_ptr<DepA> a_;
  std::shared_ptr<DepB> b_;
};

}  // namespace ember
