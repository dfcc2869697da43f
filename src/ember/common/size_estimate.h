// Estimated memory footprint of values, used by spilling operators to charge the
// memory manager. Estimates include heap allocations and allocator overhead, and
// sample the first elements of large containers (O(1) per call), as Spark's
// SizeEstimator does, so that RSS stays within the budget plus a fixed margin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ember {

// Heap bytes of one malloc'd block of n bytes (glibc: 16-byte granularity + header).
inline int64_t mallocBytes(size_t n) { return n == 0 ? 0 : static_cast<int64_t>((n + 8 + 15) & ~size_t(15)); }

template <class T>
struct SizeEstimate {
  // Bytes owned outside sizeof(T).
  static int64_t heap(const T& v) {
    if constexpr (requires { v.estimatedHeapBytes(); }) return v.estimatedHeapBytes();
    return 0;
  }
};

template <>
struct SizeEstimate<std::string> {
  static int64_t heap(const std::string& s) {
    return s.capacity() > 15 ? mallocBytes(s.capacity() + 1) : 0;  // SSO holds 15 chars
  }
};

template <class A, class B>
struct SizeEstimate<std::pair<A, B>> {
  static int64_t heap(const std::pair<A, B>& p) {
    return SizeEstimate<A>::heap(p.first) + SizeEstimate<B>::heap(p.second);
  }
};

template <class... Ts>
struct SizeEstimate<std::tuple<Ts...>> {
  static int64_t heap(const std::tuple<Ts...>& t) {
    return std::apply([](const Ts&... xs) { return (int64_t{0} + ... + SizeEstimate<Ts>::heap(xs)); }, t);
  }
};

template <class T>
struct SizeEstimate<std::optional<T>> {
  static int64_t heap(const std::optional<T>& v) { return v ? SizeEstimate<T>::heap(*v) : 0; }
};

template <class T>
struct SizeEstimate<std::vector<T>> {
  static int64_t heap(const std::vector<T>& v) {
    int64_t bytes = mallocBytes(v.capacity() * sizeof(T));
    if constexpr (!std::is_arithmetic_v<T>) {
      size_t n = v.size(), k = n < 8 ? n : 8;  // sample the first few elements
      int64_t sampled = 0;
      for (size_t i = 0; i < k; ++i) sampled += SizeEstimate<T>::heap(v[i]);
      if (k) bytes += sampled * static_cast<int64_t>(n) / static_cast<int64_t>(k);
    }
    return bytes;
  }
};

template <class T>
int64_t estimateSize(const T& v) {
  return static_cast<int64_t>(sizeof(T)) + SizeEstimate<T>::heap(v);
}

// Per-entry overhead of a node-based hash map (node header, cached hash, bucket slot).
constexpr int64_t kHashEntryOverhead = 48;

}  // namespace ember
