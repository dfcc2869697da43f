// Ember's configuration: one object holds every setting (the SparkConf of Ember).
//
// Layers, lowest to highest precedence (a higher layer overrides a lower one):
//   1. built-in defaults        the registered key table (Config::knownKeys())
//   2. config file              ember-defaults.conf, `key value` or `key=value` per line
//   3. environment              EMBER_EXECUTOR_MEMORY for ember.executor.memory
//   4. --conf key=value         command-line arguments (see app_args.h)
//   5. code                     Config::set()
// Every value remembers where it came from (origin()), and every error about a value
// names the key, the value, its origin and the expected form.
//
// Keys: known keys are registered in a process-wide table (built-in ones by config.cpp,
// later layers such as UI and SQL through registerKey()). Keys under `ember.app.` are free
// for applications. Any other key is "unknown": it is still stored and readable, but
// produces a warning (unknownKeyWarnings(), logged by load()) with the closest known key
// as a suggestion, because a misspelt key otherwise silently does nothing.
//
// Threading: Config is a value type. Concurrent const access (get*, origin, entries) is
// safe; set() must not run concurrently with anything else on the same object. The key
// registry is internally synchronised, but keys must be registered before load() for
// their environment variables to be read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace ember {

struct ConfigEntry {
  std::string key;
  std::string defaultValue;  // "" means "no value; the consumer derives one"
  std::string doc;
};

class Config {
 public:
  // Only the built-in defaults (no file, no environment).
  Config() = default;

  // Adds a key to the process-wide table. Registering the same key again with the same
  // default is a no-op (so init functions may run twice); a different default is a bug
  // (InternalError). Keys must start with "ember." and use [A-Za-z0-9._-].
  static void registerKey(ConfigEntry entry);
  // All known keys, sorted by key.
  static std::vector<ConfigEntry> knownKeys();
  static bool isKnownKey(std::string_view key);
  // Environment variables Ember uses for purposes other than a configuration key
  // (EMBER_HOME, EMBER_CONF_DIR, EMBER_SOURCE_DIR are built in); they are not reported
  // as unknown.
  static void registerReservedEnv(std::string name);
  // The environment variable that sets `key`: upper-cased, '.' -> '_'.
  static std::string envName(std::string_view key);

  // Builds a Config from file, environment and --conf pairs (in that order of precedence).
  //  - env: the environment to read; nullptr reads the process environment.
  //  - confFile: a path (must exist, else ConfigError); "" for no file; nullopt searches
  //    $EMBER_CONF_DIR/ember-defaults.conf, $EMBER_HOME/conf/ember-defaults.conf and
  //    ./conf/ember-defaults.conf, taking the first that exists (none is fine).
  // Throws ConfigError for a malformed file line (naming file and line). Unknown keys are
  // not errors: each is logged once at warn level and kept in unknownKeyWarnings().
  static Config load(const std::vector<std::pair<std::string, std::string>>& cliConf,
                     const std::map<std::string, std::string>* env = nullptr,
                     std::optional<std::string> confFile = std::nullopt);

  // Code layer: overrides every other layer. An unknown key adds a warning.
  void set(const std::string& key, std::string value);

  // The value set by a layer above the defaults, or nullopt if only the default applies.
  std::optional<std::string> getOptional(const std::string& key) const;
  // The set value, else the registered default. Unknown and unset key -> ConfigError.
  std::string get(const std::string& key) const;
  // Typed getters over get(); a value of the wrong form -> ConfigError naming key, value,
  // origin and the expected form.
  int64_t getInt(const std::string& key) const;
  double getDouble(const std::string& key) const;
  bool getBool(const std::string& key) const;           // true/false/1/0/yes/no
  int64_t getBytes(const std::string& key) const;       // 512, 64k, 64kb, 100m, 1g, 2t
  int64_t getDurationMs(const std::string& key) const;  // 100ms, 5s, 2min, 1h; plain = ms

  // "default", "file <path>:<line>", "env EMBER_X", "--conf" or "code".
  // Unknown and unset key -> ConfigError.
  std::string origin(const std::string& key) const;

  // One message per unknown key (or unknown EMBER_ environment variable), in the order
  // they were met, each naming its origin and, when one is close, the likely intended key.
  const std::vector<std::string>& unknownKeyWarnings() const { return warnings_; }

  // (key, value, origin) of every known key (with its default if unset) and every set
  // key, sorted by key. With redact, sensitive values read "*********(redacted)".
  std::vector<std::tuple<std::string, std::string, std::string>> entries(bool redact = false) const;
  // get(key), or the redaction marker if the key is sensitive.
  std::string redacted(const std::string& key) const;
  // Keys whose name contains "secret", "password" or "token" (case-insensitive).
  static bool isSensitiveKey(std::string_view key);
  static constexpr std::string_view kRedacted = "*********(redacted)";

  // One `key = value  (origin)` line per entry, redacted; for logs and the UI.
  std::string toString() const;

 private:
  struct Setting {
    std::string value;
    std::string origin;
  };
  void apply(const std::string& key, std::string value, std::string origin);
  void warnIfUnknown(const std::string& key, const std::string& origin);
  void addWarning(const std::string& id, std::string message);
  [[noreturn]] void throwBadValue(const std::string& key, const std::string& value,
                                  std::string_view expected) const;

  std::map<std::string, Setting> settings_;
  std::vector<std::string> warnings_;
  std::vector<std::string> warnedIds_;  // keys/env names already warned about
};

// Value parsers shared with other layers (e.g. SQL options). nullopt if malformed.
// Sizes: a non-negative integer with optional unit b, k/kb, m/mb, g/gb, t/tb, p/pb
// (powers of 1024, case-insensitive). Durations: integer with optional unit ms, s, m/min,
// h, d (case-insensitive); a plain number is milliseconds.
std::optional<int64_t> parseByteSize(std::string_view text);
std::optional<int64_t> parseDurationMs(std::string_view text);
std::optional<bool> parseBoolValue(std::string_view text);

}  // namespace ember
