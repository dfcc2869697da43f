// Small text helpers for user programs.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ember {

// ASCII whitespace: space, tab, LF, CR, VT, FF.
inline bool isAsciiSpace(char c) {
  constexpr uint64_t kSpaces = (uint64_t{1} << ' ') | (uint64_t{1} << '\t') |
                               (uint64_t{1} << '\n') | (uint64_t{1} << '\r') |
                               (uint64_t{1} << '\v') | (uint64_t{1} << '\f');
  auto u = static_cast<unsigned char>(c);
  return u <= ' ' && ((kSpaces >> u) & 1) != 0;
}

namespace detail {
// Bit i is set when p[i] is ASCII whitespace, for the 64 bytes at p (all readable).
inline uint64_t spaceMask64(const char* p) {
#if defined(__SSE2__)
  uint64_t m = 0;
  const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), four = _mm_set1_epi8(4);
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    __m128i ctl = _mm_sub_epi8(v, tab);                  // \t \n \v \f \r -> 0..4
    ctl = _mm_cmpeq_epi8(_mm_min_epu8(ctl, four), ctl);  // unsigned <= 4
    __m128i ws = _mm_or_si128(ctl, _mm_cmpeq_epi8(v, space));
    m |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(ws))) << (16 * i);
  }
  return m;
#else
  uint64_t m = 0;
  for (int i = 0; i < 64; ++i) m |= static_cast<uint64_t>(isAsciiSpace(p[i])) << i;
  return m;
#endif
}
// The same for the n <= 64 bytes at p; the bits from n up are set (whitespace).
inline uint64_t spaceMask(const char* p, size_t n) {
  if (n == 64) return spaceMask64(p);
  char buf[64];
  std::memset(buf, ' ', sizeof buf);
  std::memcpy(buf, p, n);
  return spaceMask64(buf);
}
}  // namespace detail

// The maximal runs of non-whitespace bytes of `line` (other bytes, UTF-8 included,
// pass through untouched): the words of the word-count examples and benchmark.
//
// Finds the words with bit masks of 64 bytes at a time (a byte loop branches
// unpredictably at every word boundary), counts them first so that the vector is
// allocated once (growing it moved every word ~1.2 more times and cost ~5 allocations
// per line of a dozen words), then builds the strings.
inline std::vector<std::string> splitWhitespace(std::string_view line) {
  const char* p = line.data();
  size_t n = line.size();
  size_t count = 0;
  uint64_t carry = 1;  // whether the byte before the block is whitespace (or the start)
  for (size_t b = 0; b < n; b += 64) {
    uint64_t ws = detail::spaceMask(p + b, std::min<size_t>(64, n - b));
    count += static_cast<size_t>(std::popcount(~ws & ((ws << 1) | carry)));
    carry = ws >> 63;
  }
  std::vector<std::string> words;
  words.reserve(count);
  carry = 1;
  bool inWord = false;
  size_t start = 0;
  for (size_t b = 0; b < n; b += 64) {
    uint64_t ws = detail::spaceMask(p + b, std::min<size_t>(64, n - b));
    uint64_t prev = (ws << 1) | carry;  // bit i: byte i-1 is whitespace
    uint64_t starts = ~ws & prev, ends = ws & ~prev;
    carry = ws >> 63;
    // Starts and ends alternate in bit order.
    for (;;) {
      if (!inWord) {
        if (starts == 0) break;
        start = b + static_cast<size_t>(std::countr_zero(starts));
        starts &= starts - 1;
        inWord = true;
      } else {
        if (ends == 0) break;
        size_t end = b + static_cast<size_t>(std::countr_zero(ends));
        ends &= ends - 1;
        words.emplace_back(p + start, end - start);
        inWord = false;
      }
    }
  }
  if (inWord) words.emplace_back(p + start, n - start);
  return words;
}

}  // namespace ember
