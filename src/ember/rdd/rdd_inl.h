// Out-of-line templates of rdd.h that need both Context and RDD complete:
// Context's typed creation functions, saveAsTextFile, range-bound sampling and
// checkpoint writing.
#pragma once

#include <random>

#include "ember/io/file_listing.h"
#include "ember/io/output_commit.h"
#include "ember/rdd/sources.h"

namespace ember {

template <class T>
RDD<T> Context::parallelize(std::vector<T> data, int numSlices, std::source_location loc) {
  static_assert(Serializable<T>, "Ember: parallelize needs a Serde<T> for the element type");
  int n = numSlices > 0 ? numSlices : defaultParallelism();
  auto slices = std::make_shared<std::vector<std::vector<T>>>(static_cast<size_t>(n));
  size_t total = data.size();
  for (int i = 0; i < n; ++i) {
    size_t lo = total * static_cast<size_t>(i) / static_cast<size_t>(n);
    size_t hi = total * static_cast<size_t>(i + 1) / static_cast<size_t>(n);
    auto& s = (*slices)[static_cast<size_t>(i)];
    s.assign(std::make_move_iterator(data.begin() + static_cast<std::ptrdiff_t>(lo)),
             std::make_move_iterator(data.begin() + static_cast<std::ptrdiff_t>(hi)));
  }
  auto info = detail::makeInfo(*this, "parallelize", n, loc);
  return RDD<T>(std::make_shared<ParallelCollectionRDD<T>>(this, info, std::move(slices)));
}

template <class T>
RDD<T> Context::union_(const std::vector<RDD<T>>& rdds, std::source_location loc) {
  if (rdds.empty()) throw UserError("union_ needs at least one RDD");
  std::vector<RDDImplPtr<T>> parents;
  int n = 0;
  for (const auto& r : rdds) {
    parents.push_back(r.impl());
    n += r.getNumPartitions();
  }
  auto info = detail::makeInfo(*this, "union", n, loc);
  return RDD<T>(std::make_shared<UnionRDD<T>>(this, info, std::move(parents)));
}

template <class T>
Broadcast<T> Context::broadcast(T value) {
  std::string bytes = serializeToString(value);
  auto driverValue = std::make_shared<const T>(std::move(value));
  return Broadcast<T>(BroadcastManager::global().add(std::move(bytes), driverValue));
}

template <class T, class Op>
Accumulator<T, Op> Context::accumulator(T initial) {
  return Accumulator<T, Op>::create(std::move(initial));
}

namespace detail {
// Writes a partition as text lines into the committer's staging area.
template <class T>
struct SaveTextAction {
  DirectoryOutputCommitter committer;
  bool operator()(Iterator<T>& it, TaskContext& ctx) const {
    DirectoryOutputCommitter c = committer;
    std::string path = c.taskAttemptPath(ctx.partitionId(), ctx.attemptNumber());
    TextPartWriter out(path);
    std::string line;
    T x;
    int64_t n = 0;
    while (it.next(x)) {
      line.clear();
      appendText(line, x);
      out.writeLine(line);
      if ((++n & 4095) == 0) ctx.checkInterrupted();
    }
    out.close();
    ctx.metrics().recordsWritten += n;
    ctx.metrics().bytesWritten += static_cast<int64_t>(out.bytesWritten());
    c.commitTask(ctx.partitionId(), ctx.attemptNumber());
    return true;
  }
  void serialize(ByteWriter& w) const { committer.serialize(w); }
  static SaveTextAction deserialize(ByteReader& r) {
    return SaveTextAction{DirectoryOutputCommitter::deserialize(r)};
  }
};

// Writes a partition to the checkpoint directory.
template <class T>
struct CheckpointAction {
  std::string dir;
  bool operator()(Iterator<T>& it, TaskContext& ctx) const {
    std::string final = RDDImpl<T>::checkpointFile(dir, ctx.partitionId());
    std::string tmp = final + ".tmp-" + std::to_string(ctx.taskAttemptId());
    RDDImpl<T>::writeFrameFile(tmp, it, ctx.env());
    if (std::rename(tmp.c_str(), final.c_str()) != 0)
      throw IoError("cannot move checkpoint file into place: " + final);
    return true;
  }
  void serialize(ByteWriter& w) const { w.writeString(dir); }
  static CheckpointAction deserialize(ByteReader& r) { return CheckpointAction{r.readString()}; }
};

template <class K>
struct SampleKeysAction {
  int64_t perPartition;
  uint64_t seed;
  // (number of records, reservoir sample of keys)
  std::pair<int64_t, std::vector<K>> operator()(Iterator<K>& it, TaskContext& ctx) const {
    std::mt19937_64 rng(hashCombine(seed, static_cast<uint64_t>(ctx.partitionId())));
    std::vector<K> sample;
    int64_t n = 0;
    K k;
    while (it.next(k)) {
      if (static_cast<int64_t>(sample.size()) < perPartition) {
        sample.push_back(std::move(k));
      } else {
        std::uniform_int_distribution<int64_t> d(0, n);
        int64_t j = d(rng);
        if (j < perPartition) sample[static_cast<size_t>(j)] = std::move(k);
      }
      ++n;
    }
    return {n, std::move(sample)};
  }
};
}  // namespace detail

template <class T>
void RDD<T>::saveAsTextFile(const std::string& path, Loc loc) const {
  DirectoryOutputCommitter committer(path, context().appId() + "-rdd" + std::to_string(id()));
  committer.setupJob();
  try {
    run<bool>(detail::SaveTextAction<T>{committer}, allPartitions(), "saveAsTextFile", loc, [](int, bool) {});
  } catch (...) {
    committer.abortJob();
    throw;
  }
  committer.commitJob();
}

// Spark's RangePartitioner.sketch + determineBounds: sample each partition, weight
// each sampled key by (partition size / sample size), cut at equal weight.
template <class T>
template <class K>
std::vector<K> RDD<T>::sampleRangeBounds(int n, const Loc& loc) const {
  if (n <= 1) return {};
  int64_t sampleSize = std::min<int64_t>(20LL * n, 1'000'000);
  int64_t perPartition = (3 * sampleSize + getNumPartitions() - 1) / std::max(1, getNumPartitions());
  auto keysRdd = this->template keys<T>(loc);
  std::vector<std::pair<K, double>> weighted;
  double totalWeight = 0;
  keysRdd.template runAll<std::pair<int64_t, std::vector<K>>>(
      detail::SampleKeysAction<K>{perPartition, 0x5eed}, "sortByKey", loc,
      [&](int, std::pair<int64_t, std::vector<K>>&& r) {
        if (r.second.empty()) return;
        double w = static_cast<double>(r.first) / static_cast<double>(r.second.size());
        for (auto& k : r.second) weighted.emplace_back(std::move(k), w);
        totalWeight += w * static_cast<double>(r.second.size());
      });
  std::sort(weighted.begin(), weighted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<K> bounds;
  double step = totalWeight / n, cum = 0, target = step;
  for (size_t i = 0; i < weighted.size() && static_cast<int>(bounds.size()) < n - 1; ++i) {
    cum += weighted[i].second;
    if (cum >= target) {
      if (bounds.empty() || bounds.back() < weighted[i].first) {
        bounds.push_back(weighted[i].first);
        target += step;
      }
    }
  }
  return bounds;
}

template <class T>
void RDDImpl<T>::doCheckpoint(Context& ctx) {
  std::string dir = ctx.checkpointDir() + "/rdd-" + std::to_string(this->id());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create checkpoint directory " + dir + ": " + ec.message());
  auto self = std::static_pointer_cast<RDDImpl<T>>(this->shared_from_this());
  RDD<T> rdd(self);
  std::vector<int> parts(static_cast<size_t>(this->numPartitions()));
  for (size_t i = 0; i < parts.size(); ++i) parts[i] = static_cast<int>(i);
  auto func = makeJobFunction<T>(detail::CheckpointAction<T>{dir});
  ctx.runJob(self, func, parts, [](int, std::string_view) {}, "checkpoint at " + this->callSite());
  this->setCheckpointed(dir);
}

}  // namespace ember
