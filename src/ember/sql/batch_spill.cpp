#include "ember/sql/batch_spill.h"

#include "ember/columnar/column_ops.h"
#include "ember/common/hash.h"
#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/rdd/record_io.h"
#include "ember/rdd/spill.h"
#include "ember/shuffle/frame_file.h"

namespace ember::sql {

struct BatchSpiller::Impl {
  std::vector<std::string> paths;
  std::vector<std::unique_ptr<FrameFileWriter>> files;
  std::vector<Segment> segments;
};

BatchSpiller::BatchSpiller(TaskContext& ctx, int numPartitions, int level)
    : impl_(std::make_unique<Impl>()), numPartitions_(numPartitions), level_(level) {
  for (int i = 0; i < numPartitions; ++i) {
    impl_->paths.push_back(newSpillFile(ctx, "sql-spill"));
    impl_->files.push_back(std::make_unique<FrameFileWriter>(
        impl_->paths.back(), ctx.env().shuffleCodec, ctx.env().zstdLevel));
    impl_->files.back()->beginSegment();
  }
}

BatchSpiller::~BatchSpiller() = default;

void BatchSpiller::add(const Batch& b, const std::vector<ColumnPtr>& keys) {
  int64_t n = b.numRows;
  if (n == 0) return;
  std::vector<uint64_t> h(static_cast<size_t>(n), 0);
  for (size_t k = 0; k < keys.size(); ++k) hashColumn(*keys[k], h.data(), k > 0);
  std::vector<std::vector<int32_t>> sel(static_cast<size_t>(numPartitions_));
  uint64_t salt = 0x5bd1e995ULL * static_cast<uint64_t>(level_ + 1);
  for (int64_t i = 0; i < n; ++i)
    sel[mix64(h[static_cast<size_t>(i)] ^ salt) % static_cast<uint64_t>(numPartitions_)].push_back(
        static_cast<int32_t>(i));
  for (int p = 0; p < numPartitions_; ++p) {
    auto& s = sel[static_cast<size_t>(p)];
    if (s.empty()) continue;
    BatchPtr part = takeBatch(b, s.data(), static_cast<int64_t>(s.size()));
    std::string buf;
    ByteWriter w(&buf);
    part->serialize(w);
    impl_->files[static_cast<size_t>(p)]->writeFrame(buf);
    bytes_ += static_cast<int64_t>(buf.size());
  }
}

void BatchSpiller::finish() {
  for (auto& f : impl_->files) {
    impl_->segments.push_back(f->endSegment());
    f->close();
  }
  impl_->files.clear();
}

namespace {
class SpillReadStream : public BatchStream {
 public:
  SpillReadStream(const std::string& path, Segment seg) : reader_(path, seg.offset, seg.length) {}
  BatchPtr next() override {
    if (!reader_.nextFrame(frame_)) return nullptr;
    ByteReader r(frame_);
    return Batch::deserialize(r);
  }

 private:
  FrameReader reader_;
  std::string frame_;
};
}  // namespace

StreamPtr BatchSpiller::partition(int i) const {
  return std::make_unique<SpillReadStream>(impl_->paths[static_cast<size_t>(i)],
                                           impl_->segments[static_cast<size_t>(i)]);
}

}  // namespace ember::sql
