// RDDImpl<T>: the typed RDD node. compute() produces a partition's records;
// iterator() adds caching (persist) and checkpointing around it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ember/common/size_estimate.h"
#include "ember/core/block_manager.h"
#include "ember/core/executor_env.h"
#include "ember/core/registry.h"
#include "ember/core/task_context.h"
#include "ember/rdd/iterator.h"
#include "ember/rdd/record_io.h"

namespace ember {

template <class T>
class CheckpointRDD;

template <class T>
class RDDImpl : public RDDBase {
 public:
  using value_type = T;
  using RDDBase::RDDBase;

  virtual IterPtr<T> compute(int partition, TaskContext& ctx) const = 0;

  IterPtr<T> iterator(int partition, TaskContext& ctx) const {
    std::string cp = checkpointDir();
    if (!cp.empty()) return readFrameFile(checkpointFile(cp, partition));
    if (storageLevel() != StorageLevel::None) return cachedIterator(partition, ctx);
    return compute(partition, ctx);
  }

  const char* checkpointTypeKey() const override;
  void doCheckpoint(Context& ctx) override;  // rdd_inl.h

  static std::string checkpointFile(const std::string& dir, int partition) {
    return dir + "/part-" + std::to_string(partition);
  }
  static IterPtr<T> readFrameFile(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) throw IoError("cannot read " + path + ": " + ec.message());
    return std::make_unique<RecordFrameReader<T>>(path, 0, size);
  }
  // Writes all records of `it` to a single-segment frame file; returns bytes written.
  static int64_t writeFrameFile(const std::string& path, Iterator<T>& it, const ExecutorEnv& env) {
    FrameFileWriter out(path, env.shuffleCodec, env.zstdLevel);
    out.beginSegment();
    RecordFrameWriter<T> w(out, env.frameBytes);
    T x;
    while (it.next(x)) w.write(x);
    w.flush();
    out.endSegment();
    out.close();
    return static_cast<int64_t>(out.bytesWritten());
  }

 private:
  IterPtr<T> cachedIterator(int partition, TaskContext& ctx) const {
    ExecutorEnv& env = ctx.env();
    BlockManager* bm = env.blocks;
    BlockId id{this->id(), partition};
    if (auto m = bm->getMemory(id))
      return std::make_unique<SharedVectorIterator<T>>(std::static_pointer_cast<const std::vector<T>>(m));
    if (auto path = bm->getDiskPath(id)) return readFrameFile(*path);

    StorageLevel level = storageLevel();
    auto it = compute(partition, ctx);
    if (level == StorageLevel::DiskOnly) {
      std::string path = bm->newDiskPath(id);
      int64_t n = writeFrameFile(path, *it, env);
      bm->commitDisk(id, level, path, n);
      return readFrameFile(path);
    }
    auto data = std::make_shared<std::vector<T>>();
    int64_t bytes = 0;
    T x;
    while (it->next(x)) {
      bytes += SizeEstimate<T>::heap(x);
      data->push_back(std::move(x));
    }
    bytes += estimateSize(*data);
    const ExecutorEnv* envp = &env;
    auto toDisk = [data, envp](const std::string& path) {
      SharedVectorIterator<T> vi(data);
      return writeFrameFile(path, vi, *envp);
    };
    if (bm->putMemory(id, level, data, bytes, toDisk))
      return std::make_unique<SharedVectorIterator<T>>(data);
    if (level == StorageLevel::MemoryAndDisk) {
      std::string path = bm->newDiskPath(id);
      int64_t n = toDisk(path);
      bm->commitDisk(id, level, path, n);
    }
    return std::make_unique<VectorIterator<T>>(std::move(*data));
  }
};

template <class T>
using RDDImplPtr = std::shared_ptr<RDDImpl<T>>;

// The node that replaces a checkpointed RDD when it is shipped: reads the files.
template <class T>
class CheckpointRDD : public RDDImpl<T>, public Registered<CheckpointRDD<T>, RDDBase> {
 public:
  using RDDImpl<T>::RDDImpl;
  std::string className() const override { return "ReliableCheckpointRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  void serializePayload(ByteWriter&, GraphWriter&) const override {}
  IterPtr<T> compute(int partition, TaskContext&) const override {
    return RDDImpl<T>::readFrameFile(RDDImpl<T>::checkpointFile(this->checkpointDir(), partition));
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader&, GraphReader& g) {
    return std::make_shared<CheckpointRDD<T>>(nullptr, g.currentInfo());
  }
};

template <class T>
const char* RDDImpl<T>::checkpointTypeKey() const {
  return CheckpointRDD<T>::registeredKey();
}

}  // namespace ember
