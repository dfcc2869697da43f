#include "ember/common/config.h"

#include <algorithm>
#include <charconv>
#include <mutex>

#include "ember/common/config_internal.h"
#include "ember/common/errors.h"

namespace ember {
namespace {

// Built-in keys. Keep docs/configuration.md in sync with this table.
std::vector<ConfigEntry> builtinKeys() {
  return {
      {"ember.master", "local[*]", "Where to run: local, local[N] or local[*]."},
      {"ember.app.name", "ember-app", "Name of the application, shown in logs and the UI."},
      {"ember.executor.memory", "1g",
       "Memory budget of an executor for execution and storage (spill when exceeded)."},
      {"ember.memory.storageFraction", "0.5",
       "Fraction of the executor memory that cached blocks keep safe from eviction by "
       "execution."},
      {"ember.executor.cores", "", "Task slots per executor; empty = from the master URL."},
      {"ember.default.parallelism", "",
       "Default number of partitions of shuffles and parallelize; empty = number of task "
       "slots."},
      {"ember.task.maxFailures", "4", "Attempts of a task before its job is aborted."},
      {"ember.driver.maxResultSize", "1g",
       "Limit of the total size of results an action brings to the driver."},
      {"ember.local.dir", "/tmp", "Directory for shuffle files and spills."},
      {"ember.shuffle.compress", "true", "Compress shuffle output."},
      {"ember.shuffle.compression.codec", "lz4", "Shuffle compression codec: lz4, zstd or none."},
      {"ember.shuffle.zstd.level", "1", "Compression level when the codec is zstd."},
      {"ember.shuffle.file.buffer", "64k", "Buffer size of each shuffle output stream."},
      {"ember.files.maxPartitionBytes", "128m",
       "Largest number of bytes of input files packed into one partition."},
      {"ember.ui.showConsoleProgress", "true", "Show the progress bar of stages on stderr."},
      {"ember.ui.consoleProgress.updateInterval", "200ms",
       "How often the console progress bar is redrawn."},
      {"ember.checkpoint.dir", "", "Directory for RDD checkpoints; empty = none set."},
      {"ember.log.level", "warn", "Log level: error, warn, info or debug."},
      {"ember.test.serializeTasks", "false",
       "Serialise every task through the closure registry even in local mode (what cluster "
       "mode does)."},
      {"ember.scheduler.listenerbus.eventqueue.capacity", "100000",
       "Capacity of the event bus queue; when full, posting threads wait for the listeners "
       "(events are dropped only past 4x this when a listener is blocked for 2 s)."},
  };
}

struct Registry {
  std::mutex mu;
  std::map<std::string, ConfigEntry> keys;
  std::vector<std::string> reservedEnv{"EMBER_HOME", "EMBER_CONF_DIR", "EMBER_SOURCE_DIR"};
};

// Function-local static: registerKey may be called from other layers' static
// initialisers, whose order relative to this file's statics is unspecified.
Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry;
    for (auto& e : builtinKeys()) reg->keys.emplace(e.key, e);
    return reg;
  }();
  return *r;
}

bool validKeyChars(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

constexpr std::string_view kUserPrefix = "ember.app.";

}  // namespace

namespace config_internal {

std::vector<std::string> reservedEnvNames() {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<std::string> out = r.reservedEnv;
  for (const auto& [key, entry] : r.keys) out.push_back(Config::envName(key));
  return out;
}

}  // namespace config_internal

void Config::registerKey(ConfigEntry entry) {
  EMBER_CHECK(
      entry.key.starts_with("ember.") && validKeyChars(entry.key),
      "configuration key '" + entry.key + "' must start with 'ember.' and use [A-Za-z0-9._-]");
  auto& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.keys.find(entry.key);
  if (it != r.keys.end()) {
    EMBER_CHECK(it->second.defaultValue == entry.defaultValue,
                "configuration key '" + entry.key + "' registered twice with defaults '" +
                    it->second.defaultValue + "' and '" + entry.defaultValue + "'");
    return;
  }
  r.keys.emplace(entry.key, std::move(entry));
}

std::vector<ConfigEntry> Config::knownKeys() {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<ConfigEntry> out;
  out.reserve(r.keys.size());
  for (const auto& [key, entry] : r.keys) out.push_back(entry);
  return out;  // std::map iteration order: already sorted by key
}

bool Config::isKnownKey(std::string_view key) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  return r.keys.count(std::string(key)) > 0;
}

void Config::registerReservedEnv(std::string name) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  if (std::find(r.reservedEnv.begin(), r.reservedEnv.end(), name) == r.reservedEnv.end()) {
    r.reservedEnv.push_back(std::move(name));
  }
}

std::string Config::envName(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c == '.') {
      c = '_';
    } else if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

void Config::set(const std::string& key, std::string value) {
  apply(key, std::move(value), "code");
}

void Config::apply(const std::string& key, std::string value, std::string origin) {
  warnIfUnknown(key, origin);
  settings_[key] = Setting{std::move(value), std::move(origin)};
}

void Config::addWarning(const std::string& id, std::string message) {
  if (std::find(warnedIds_.begin(), warnedIds_.end(), id) != warnedIds_.end()) return;
  warnedIds_.push_back(id);
  warnings_.push_back(std::move(message));
}

void Config::warnIfUnknown(const std::string& key, const std::string& origin) {
  if (key.starts_with(kUserPrefix) || isKnownKey(key)) return;
  std::vector<std::string> names;
  for (auto& e : knownKeys()) names.push_back(e.key);
  std::string msg = "unknown configuration key '" + key + "' (from " + origin + ")";
  std::optional<std::string> suggestion;
  if (key.starts_with("ember.")) {
    suggestion = config_internal::closestMatch(key, names);
  } else {
    msg += ": not an Ember property (Ember keys start with 'ember.')";
    // Most likely a key of another system (spark.executor.memory) or a missing prefix
    // (executor.memory): compare with the prefix put right.
    auto dot = key.find('.');
    suggestion = config_internal::closestMatch("ember." + key, names);
    if (!suggestion && dot != std::string::npos) {
      suggestion = config_internal::closestMatch("ember." + key.substr(dot + 1), names);
    }
  }
  if (suggestion) msg += "; did you mean '" + *suggestion + "'?";
  addWarning(key, std::move(msg));
}

std::optional<std::string> Config::getOptional(const std::string& key) const {
  auto it = settings_.find(key);
  if (it == settings_.end()) return std::nullopt;
  return it->second.value;
}

std::string Config::get(const std::string& key) const {
  auto it = settings_.find(key);
  if (it != settings_.end()) return it->second.value;
  auto& r = registry();
  std::lock_guard lock(r.mu);
  auto k = r.keys.find(key);
  if (k == r.keys.end()) {
    throw ConfigError("unknown configuration key '" + key +
                      "': it is not registered and has no value (see docs/configuration.md "
                      "for the known keys)");
  }
  return k->second.defaultValue;
}

std::string Config::origin(const std::string& key) const {
  auto it = settings_.find(key);
  if (it != settings_.end()) return it->second.origin;
  if (!isKnownKey(key)) {
    throw ConfigError("unknown configuration key '" + key +
                      "': it is not registered and has "
                      "no value");
  }
  return "default";
}

void Config::throwBadValue(const std::string& key, const std::string& value,
                           std::string_view expected) const {
  throw ConfigError("invalid value '" + value + "' for configuration key '" + key + "' (from " +
                    origin(key) + "): expected " + std::string(expected));
}

int64_t Config::getInt(const std::string& key) const {
  std::string v = get(key);
  auto t = config_internal::trim(v);
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    throwBadValue(key, v, "an integer such as 4");
  }
  return out;
}

double Config::getDouble(const std::string& key) const {
  std::string v = get(key);
  auto t = config_internal::trim(v);
  double out = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    throwBadValue(key, v, "a number such as 0.5");
  }
  return out;
}

bool Config::getBool(const std::string& key) const {
  std::string v = get(key);
  auto b = parseBoolValue(v);
  if (!b) throwBadValue(key, v, "true or false (also 1/0, yes/no)");
  return *b;
}

int64_t Config::getBytes(const std::string& key) const {
  std::string v = get(key);
  auto b = parseByteSize(v);
  if (!b) throwBadValue(key, v, "a size such as 512 (bytes), 64k, 100m, 1g or 2t");
  return *b;
}

int64_t Config::getDurationMs(const std::string& key) const {
  std::string v = get(key);
  auto d = parseDurationMs(v);
  if (!d) throwBadValue(key, v, "a duration such as 100ms, 5s, 2min or 1h (plain number = ms)");
  return *d;
}

bool Config::isSensitiveKey(std::string_view key) {
  std::string k = config_internal::toLower(key);
  for (std::string_view word : {"secret", "password", "token"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string Config::redacted(const std::string& key) const {
  std::string v = get(key);
  return isSensitiveKey(key) ? std::string(kRedacted) : v;
}

std::vector<std::tuple<std::string, std::string, std::string>> Config::entries(bool redact) const {
  std::map<std::string, std::pair<std::string, std::string>> all;
  for (auto& e : knownKeys()) all[e.key] = {e.defaultValue, "default"};
  for (const auto& [key, s] : settings_) all[key] = {s.value, s.origin};
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  out.reserve(all.size());
  for (auto& [key, vo] : all) {
    std::string value = redact && isSensitiveKey(key) ? std::string(kRedacted) : vo.first;
    out.emplace_back(key, std::move(value), vo.second);
  }
  return out;
}

std::string Config::toString() const {
  std::string out;
  for (auto& [key, value, origin] : entries(/*redact=*/true)) {
    out += key + " = " + value + "  (" + origin + ")\n";
  }
  return out;
}

}  // namespace ember
