// Small text helpers for user programs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ember {

// ASCII whitespace: space, tab, LF, CR, VT, FF.
inline bool isAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The maximal runs of non-whitespace bytes of `line` (other bytes, UTF-8 included,
// pass through untouched): the words of the word-count examples and benchmark.
inline std::vector<std::string> splitWhitespace(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0, n = line.size();
  while (i < n) {
    while (i < n && isAsciiSpace(line[i])) ++i;
    size_t start = i;
    while (i < n && !isAsciiSpace(line[i])) ++i;
    if (i > start) words.emplace_back(line.substr(start, i - start));
  }
  return words;
}

}  // namespace ember
