// Hashing of keys for shuffles and hash tables. Stable within one binary (the hash
// decides which reduce partition a key goes to, so every executor must agree).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ember {

uint64_t hashBytes(const void* data, size_t n);  // XXH3-64

inline uint64_t mix64(uint64_t x) {  // murmur3 finaliser: spreads integer keys
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t hashCombine(uint64_t a, uint64_t b) { return mix64(a * 31 + b); }

template <class T>
struct Hasher {
  uint64_t operator()(const T& v) const {
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
      return mix64(static_cast<uint64_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      T x = v == T(0) ? T(0) : v;  // -0.0 and 0.0 are equal keys
      uint64_t bits = 0;
      static_assert(sizeof(T) <= sizeof(bits));
      std::memcpy(&bits, &x, sizeof(T));
      return mix64(bits);
    } else {
      return mix64(std::hash<T>{}(v));
    }
  }
};

// Short strings (most keys: words, ids, codes) are hashed inline from two possibly
// overlapping 8-byte loads; longer ones by XXH3.
inline uint64_t hashShortBytes(const char* p, size_t n) {
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<uint8_t>(p[n / 2])) << 8) | static_cast<uint8_t>(p[n - 1]);
  }
  return mix64(a * 0x9e3779b97f4a7c15ULL ^ mix64(b + n));
}

template <>
struct Hasher<std::string> {
  using is_transparent = void;
  uint64_t operator()(std::string_view s) const {
    return s.size() <= 16 ? hashShortBytes(s.data(), s.size()) : hashBytes(s.data(), s.size());
  }
};

template <class A, class B>
struct Hasher<std::pair<A, B>> {
  uint64_t operator()(const std::pair<A, B>& p) const {
    return hashCombine(Hasher<A>{}(p.first), Hasher<B>{}(p.second));
  }
};

template <class... Ts>
struct Hasher<std::tuple<Ts...>> {
  uint64_t operator()(const std::tuple<Ts...>& t) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    std::apply([&](const Ts&... xs) { ((h = hashCombine(h, Hasher<Ts>{}(xs))), ...); }, t);
    return h;
  }
};

}  // namespace ember
