// splitWhitespace: the bit-mask word splitter agrees with a byte-by-byte definition of
// "maximal runs of non-whitespace bytes" on every byte value, line length and block
// boundary.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ember/common/text.h"

namespace ember {
namespace {

std::vector<std::string> byteByByte(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : line) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (!space) {
      cur += c;
    } else if (!cur.empty()) {
      words.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

TEST(SplitWhitespace, Basics) {
  EXPECT_EQ(splitWhitespace(""), std::vector<std::string>{});
  EXPECT_EQ(splitWhitespace(" \t\r\n\v\f "), std::vector<std::string>{});
  EXPECT_EQ(splitWhitespace("a"), std::vector<std::string>{"a"});
  EXPECT_EQ(splitWhitespace("  héllo\tworld\r\n"), (std::vector<std::string>{"héllo", "world"}));
  EXPECT_EQ(splitWhitespace(std::string("a\0b c", 5)),
            (std::vector<std::string>{std::string("a\0b", 3), "c"}));
}

TEST(SplitWhitespace, EveryByteValueIsClassifiedLikeIsAsciiSpace) {
  for (int c = 0; c < 256; ++c) {
    std::string s = std::string("x") + static_cast<char>(c) + "y";
    EXPECT_EQ(splitWhitespace(s), byteByByte(s)) << c;
    EXPECT_EQ(splitWhitespace(s).size() == 2, isAsciiSpace(static_cast<char>(c))) << c;
  }
}

TEST(SplitWhitespace, WordsAcrossBlockBoundariesAndRandomLines) {
  // Words that end or start exactly at multiples of 64 bytes, and lines of 63-65 bytes.
  for (size_t len = 1; len <= 200; ++len) {
    std::string s(len, 'w');
    for (size_t pos : {size_t{63}, size_t{64}, size_t{127}, size_t{128}})
      if (pos < len) s[pos] = ' ';
    EXPECT_EQ(splitWhitespace(s), byteByByte(s)) << len;
  }
  std::mt19937 rng(11);
  const std::string alphabet =
      std::string(" \t\n\r\v\f", 6) + "ab\xc3\xa9\x01\x7f\x80\xff\x08\x0e\x1f!";
  for (int it = 0; it < 20000; ++it) {
    std::string s(rng() % 300, 'x');
    bool sparse = rng() % 2 == 0;
    for (auto& c : s) c = sparse ? (rng() % 6 == 0 ? ' ' : 'a') : alphabet[rng() % alphabet.size()];
    ASSERT_EQ(splitWhitespace(s), byteByByte(s)) << s;
  }
}

}  // namespace
}  // namespace ember
