// Job functions: what a result task runs on its partition for an action. The
// partition's result crosses to the driver as bytes (Serde<R>), which is what
// ember.driver.maxResultSize counts.
#pragma once

#include <memory>
#include <type_traits>

#include "ember/core/closure.h"
#include "ember/core/registry.h"
#include "ember/rdd/rdd_impl.h"

namespace ember {

// Act: a shippable callable (Iterator<T>&, TaskContext&) -> R.
template <class T, class Act>
class JobFunction : public JobFunctionBase, public Registered<JobFunction<T, Act>, JobFunctionBase> {
 public:
  using R = std::invoke_result_t<const Act&, Iterator<T>&, TaskContext&>;
  explicit JobFunction(Act act) : act_(std::move(act)) {}

  std::string run(RDDBase& rdd, int partition, TaskContext& ctx) const override {
    auto* typed = dynamic_cast<RDDImpl<T>*>(&rdd);
    EMBER_CHECK(typed != nullptr, "job function applied to an RDD of another element type");
    auto it = typed->iterator(partition, ctx);
    if constexpr (std::is_void_v<R>) {
      act_(*it, ctx);
      return {};
    } else {
      return serializeToString<R>(act_(*it, ctx));
    }
  }
  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter& w, GraphWriter&) const override { ClosureSerde<Act>::write(w, act_); }
  static std::shared_ptr<JobFunctionBase> deserialize(ByteReader& r, GraphReader&) {
    return std::make_shared<JobFunction>(ClosureSerde<Act>::read(r));
  }

 private:
  Act act_;
};

template <class T, class Act>
std::shared_ptr<JobFunctionBase> makeJobFunction(Act act) {
  EMBER_CHECK_CLOSURE(Act);
  return std::make_shared<JobFunction<T, Act>>(std::move(act));
}

}  // namespace ember
