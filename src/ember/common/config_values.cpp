// Value parsers of the configuration and the "did you mean" suggestion.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ember/common/config.h"
#include "ember/common/config_internal.h"

namespace ember {
namespace config_internal {

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the
// commonest typo ("memroy").
size_t editDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// Splits "64kb" into (64, "kb"); nullopt unless it is digits then letters.
std::optional<std::pair<int64_t, std::string>> numberAndUnit(std::string_view text) {
  std::string_view t = trim(text);
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || ptr == t.data() || n < 0) return std::nullopt;
  std::string unit = toLower(trim(std::string_view(ptr, t.data() + t.size() - ptr)));
  if (!std::all_of(unit.begin(), unit.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return std::nullopt;
  }
  return std::make_pair(n, unit);
}

std::optional<int64_t> scaled(int64_t n, int64_t factor) {
  if (n > std::numeric_limits<int64_t>::max() / factor) return std::nullopt;
  return n * factor;
}

}  // namespace

std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::string w = toLower(word);
  std::optional<std::string> best;
  size_t bestDistance = std::numeric_limits<size_t>::max();
  for (const auto& c : candidates) {
    size_t d = editDistance(w, toLower(c));
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  // A few edits, more for long keys: close enough to be a typo, far enough that an
  // unrelated key is not offered.
  size_t limit = std::max<size_t>(2, w.size() / 6);
  if (!best || bestDistance > limit) return std::nullopt;
  return best;
}

}  // namespace config_internal

std::optional<int64_t> parseByteSize(std::string_view text) {
  auto nu = config_internal::numberAndUnit(text);
  if (!nu) return std::nullopt;
  const auto& [n, unit] = *nu;
  static const std::pair<std::string_view, int64_t> kUnits[] = {
      {"", 1},
      {"b", 1},
      {"k", int64_t{1} << 10},
      {"kb", int64_t{1} << 10},
      {"m", int64_t{1} << 20},
      {"mb", int64_t{1} << 20},
      {"g", int64_t{1} << 30},
      {"gb", int64_t{1} << 30},
      {"t", int64_t{1} << 40},
      {"tb", int64_t{1} << 40},
      {"p", int64_t{1} << 50},
      {"pb", int64_t{1} << 50},
  };
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return config_internal::scaled(n, factor);
  }
  return std::nullopt;
}

std::optional<int64_t> parseDurationMs(std::string_view text) {
  auto nu = config_internal::numberAndUnit(text);
  if (!nu) return std::nullopt;
  const auto& [n, unit] = *nu;
  static const std::pair<std::string_view, int64_t> kUnits[] = {
      {"", 1},
      {"ms", 1},
      {"s", 1000},
      {"m", 60 * 1000},
      {"min", 60 * 1000},
      {"h", 3600 * 1000},
      {"d", 24 * 3600 * 1000},
  };
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return config_internal::scaled(n, factor);
  }
  return std::nullopt;
}

std::optional<bool> parseBoolValue(std::string_view text) {
  std::string t = config_internal::toLower(config_internal::trim(text));
  if (t == "true" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "no") return false;
  return std::nullopt;
}

}  // namespace ember
