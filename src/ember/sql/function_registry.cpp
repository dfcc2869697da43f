#include <algorithm>
#include <cctype>

#include "ember/sql/function.h"
#include "ember/sql/functions_common.h"

namespace ember::sql {

namespace {

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

FunctionRegistry& FunctionRegistry::builtin() {
  // A function-local static: built once, thread-safe initialisation (C++11 magic
  // statics); afterwards only read, except for user registrations made before running.
  static FunctionRegistry* r = [] {
    auto* reg = new FunctionRegistry();
    fn::registerArithmetic(*reg);
    fn::registerComparison(*reg);
    fn::registerLogic(*reg);
    fn::registerConditional(*reg);
    fn::registerLike(*reg);
    fn::registerStrings(*reg);
    fn::registerStrings2(*reg);
    fn::registerDatetime(*reg);
    fn::registerDatetimeFormat(*reg);
    fn::registerMath(*reg);
    fn::registerHash(*reg);
    fn::registerBitwise(*reg);
    fn::registerArrays(*reg);
    fn::registerMapsStructs(*reg);
    fn::registerMisc(*reg);
    return reg;
  }();
  return *r;
}

void FunctionRegistry::add(ScalarFunction f) {
  f.name = toLowerAscii(f.name);
  for (auto& a : f.aliases) a = toLowerAscii(a);
  size_t slot = functions_.size();
  if (const ScalarFunction* old = find(f.name)) {
    slot = static_cast<size_t>(old - functions_.data());
    // Drop the replaced function's aliases so they do not point at the new one.
    std::erase_if(index_, [slot](const auto& e) { return e.second == slot; });
    functions_[slot] = std::move(f);
  } else {
    functions_.push_back(std::move(f));
  }
  const ScalarFunction& added = functions_[slot];
  auto put = [&](const std::string& key) {
    auto it = std::lower_bound(index_.begin(), index_.end(), key,
                               [](const auto& e, const std::string& k) { return e.first < k; });
    if (it != index_.end() && it->first == key)
      it->second = slot;
    else
      index_.insert(it, {key, slot});
  };
  put(added.name);
  for (const auto& a : added.aliases) put(a);
}

const ScalarFunction* FunctionRegistry::find(const std::string& name) const {
  std::string key = toLowerAscii(name);
  auto it = std::lower_bound(index_.begin(), index_.end(), key,
                             [](const auto& e, const std::string& k) { return e.first < k; });
  if (it == index_.end() || it->first != key) return nullptr;
  return &functions_[it->second];
}

std::vector<std::string> FunctionRegistry::suggest(const std::string& name) const {
  std::string key = toLowerAscii(name);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& [n, slot] : index_) {
    (void)slot;
    // Operators ("+", "<=>") are never what a user misspelt.
    if (!std::isalpha(static_cast<unsigned char>(n[0]))) continue;
    size_t d = editDistance(key, n);
    // Accept up to about a third of the name wrong, and names that contain the key.
    size_t limit = std::max<size_t>(2, key.size() / 3);
    if (d <= limit || (key.size() >= 3 && n.find(key) != std::string::npos))
      scored.emplace_back(d, n);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < 3; ++i) out.push_back(scored[i].second);
  return out;
}

std::vector<std::string> FunctionRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& f : functions_) out.push_back(f.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ember::sql
