// Config::load: the config file, the environment and --conf pairs, in that order.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/common/config.h"
#include "ember/common/config_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"

extern char** environ;  // NOLINT: POSIX, declared by no standard header

namespace ember {
namespace {

using Env = std::map<std::string, std::string>;

Env processEnvironment() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::optional<std::string> findConfFile(const Env& env) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  if (auto it = env.find("EMBER_CONF_DIR"); it != env.end() && !it->second.empty()) {
    candidates.push_back(fs::path(it->second) / "ember-defaults.conf");
  }
  if (auto it = env.find("EMBER_HOME"); it != env.end() && !it->second.empty()) {
    candidates.push_back(fs::path(it->second) / "conf" / "ember-defaults.conf");
  }
  candidates.push_back(fs::path("conf") / "ember-defaults.conf");
  for (const auto& p : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return std::nullopt;
}

bool isKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

struct FileLine {
  std::string key;
  std::string value;
  int line;
};

// Parses spark-defaults.conf style: `key value` or `key=value` (spaces around '=' allowed),
// '#' starts a comment line, blank lines are skipped. The value is the rest of the line,
// trimmed; it may be empty only when written as `key=`.
std::vector<FileLine> parseConfFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read configuration file '" + path + "'");
  std::vector<FileLine> out;
  std::string raw;
  int lineNo = 0;
  while (std::getline(in, raw)) {
    ++lineNo;
    std::string_view line = config_internal::trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto malformed = [&](const std::string& why) {
      return ConfigError("malformed line in configuration file " + path + ":" +
                         std::to_string(lineNo) + ": " + why + " (expected 'key value' or " +
                         "'key=value', '#' for comments): '" + std::string(line) + "'");
    };
    size_t k = 0;
    while (k < line.size() && isKeyChar(line[k])) ++k;
    if (k == 0) throw malformed("no key");
    std::string key(line.substr(0, k));
    std::string_view rest = line.substr(k);
    if (!rest.empty() && rest.front() != '=' && rest.front() != ' ' && rest.front() != '\t') {
      throw malformed("invalid character '" + std::string(1, rest.front()) + "' in key");
    }
    std::string_view afterKey = config_internal::trim(rest);
    bool hasEquals = !afterKey.empty() && afterKey.front() == '=';
    if (hasEquals) afterKey = config_internal::trim(afterKey.substr(1));
    if (afterKey.empty() && !hasEquals) throw malformed("key '" + key + "' has no value");
    out.push_back({std::move(key), std::string(afterKey), lineNo});
  }
  return out;
}

}  // namespace

Config Config::load(const std::vector<std::pair<std::string, std::string>>& cliConf, const Env* env,
                    std::optional<std::string> confFile) {
  Env processEnv;
  if (env == nullptr) {
    processEnv = processEnvironment();
    env = &processEnv;
  }
  Config conf;

  // Layer 2: the file.
  std::optional<std::string> path;
  if (confFile && !confFile->empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*confFile, ec)) {
      throw ConfigError("configuration file '" + *confFile + "' does not exist");
    }
    path = *confFile;
  } else if (!confFile) {
    path = findConfFile(*env);
  }
  if (path) {
    for (auto& fl : parseConfFile(*path)) {
      conf.apply(fl.key, std::move(fl.value), "file " + *path + ":" + std::to_string(fl.line));
    }
  }

  // Layer 3: the environment. Looked up from the known keys, since the mapping
  // key -> variable loses case and cannot be inverted.
  for (const auto& e : knownKeys()) {
    std::string name = envName(e.key);
    if (auto it = env->find(name); it != env->end()) conf.apply(e.key, it->second, "env " + name);
  }
  std::vector<std::string> known = config_internal::reservedEnvNames();
  for (const auto& [name, value] : *env) {
    if (!name.starts_with("EMBER_")) continue;
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string msg = "unknown environment variable '" + name +
                      "' (from env): it maps to no Ember configuration key";
    if (auto s = config_internal::closestMatch(name, known)) {
      msg += "; did you mean '" + *s + "'?";
    }
    conf.addWarning(name, std::move(msg));
  }

  // Layer 4: --conf.
  for (const auto& [key, value] : cliConf) conf.apply(key, value, "--conf");

  for (const auto& w : conf.warnings_) logWarn("{}", w);
  return conf;
}

}  // namespace ember
