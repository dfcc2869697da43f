// RDDs that read data: a collection from the driver, a numeric range, text files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/io/text_input.h"
#include "ember/rdd/rdd_impl.h"

namespace ember {

// parallelize: the driver's collection cut into slices; each slice ships with the task.
template <class T>
class ParallelCollectionRDD : public RDDImpl<T>, public Registered<ParallelCollectionRDD<T>, RDDBase> {
 public:
  ParallelCollectionRDD(Context* ctx, RDDBase::Info info,
                        std::shared_ptr<const std::vector<std::vector<T>>> slices)
      : RDDImpl<T>(ctx, std::move(info)), slices_(std::move(slices)) {}
  std::string className() const override { return "ParallelCollectionRDD"; }
  const char* typeKey() const override { return this->registeredKey(); }
  IterPtr<T> compute(int p, TaskContext& ctx) const override {
    const auto& s = (*slices_)[static_cast<size_t>(p)];
    ctx.metrics().recordsRead += static_cast<int64_t>(s.size());
    return std::make_unique<SharedSliceIterator>(slices_, &s);
  }
  void serializePayload(ByteWriter& w, GraphWriter&) const override {
    Serde<std::vector<std::vector<T>>>::write(w, *slices_);
  }
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g) {
    auto slices = std::make_shared<const std::vector<std::vector<T>>>(
        Serde<std::vector<std::vector<T>>>::read(r));
    return std::make_shared<ParallelCollectionRDD<T>>(nullptr, g.currentInfo(), std::move(slices));
  }

 private:
  class SharedSliceIterator : public Iterator<T> {
   public:
    SharedSliceIterator(std::shared_ptr<const std::vector<std::vector<T>>> owner,
                        const std::vector<T>* slice)
        : owner_(std::move(owner)), slice_(slice) {}
    bool next(T& out) override {
      if (i_ >= slice_->size()) return false;
      out = (*slice_)[i_++];
      return true;
    }

   private:
    std::shared_ptr<const std::vector<std::vector<T>>> owner_;
    const std::vector<T>* slice_;
    size_t i_ = 0;
  };
  std::shared_ptr<const std::vector<std::vector<T>>> slices_;
};

// range(start, end, step): partition i holds an equal share, computed, not stored.
class RangeRDD : public RDDImpl<int64_t>, public Registered<RangeRDD, RDDBase> {
 public:
  RangeRDD(Context* ctx, RDDBase::Info info, int64_t start, int64_t end, int64_t step);
  std::string className() const override { return "RangeRDD"; }
  const char* typeKey() const override { return registeredKey(); }
  IterPtr<int64_t> compute(int p, TaskContext& ctx) const override;
  void serializePayload(ByteWriter& w, GraphWriter&) const override;
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g);
  int64_t count() const { return count_; }

 private:
  int64_t start_, end_, step_, count_;
};

// textFile: one record per line; byte-range splits, a line is never split.
class TextFileRDD : public RDDImpl<std::string>, public Registered<TextFileRDD, RDDBase> {
 public:
  TextFileRDD(Context* ctx, RDDBase::Info info, std::vector<TextSplit> splits);
  std::string className() const override { return "TextFileRDD"; }
  const char* typeKey() const override { return registeredKey(); }
  IterPtr<std::string> compute(int p, TaskContext& ctx) const override;
  void serializePayload(ByteWriter& w, GraphWriter&) const override;
  static std::shared_ptr<RDDBase> deserialize(ByteReader& r, GraphReader& g);
  const std::vector<TextSplit>& splits() const { return splits_; }

 private:
  std::vector<TextSplit> splits_;
};

}  // namespace ember
