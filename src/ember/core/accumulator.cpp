#include "ember/core/accumulator.h"

namespace ember {

AccumulatorRegistry& AccumulatorRegistry::global() {
  static AccumulatorRegistry r;
  return r;
}

int64_t AccumulatorRegistry::add(std::unique_ptr<AccumulatorState> state) {
  std::lock_guard lock(mutex_);
  int64_t id = nextId_++;
  states_[id] = std::move(state);
  return id;
}

void AccumulatorRegistry::merge(int64_t id, std::string_view partialBytes) {
  std::lock_guard lock(mutex_);
  auto it = states_.find(id);
  if (it != states_.end()) it->second->merge(partialBytes);
}

}  // namespace ember
