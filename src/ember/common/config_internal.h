// Private helpers of the config implementation (config*.cpp); not for other layers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ember::config_internal {

// The candidate closest to `word` by edit distance (case-insensitive, a transposition
// counts as one edit), if it is close enough to be a plausible typo; nullopt otherwise.
std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

// Names of all environment variables that map to a known key, and the reserved ones.
std::vector<std::string> reservedEnvNames();

std::string toLower(std::string_view s);
std::string_view trim(std::string_view s);

}  // namespace ember::config_internal
