#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>

#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ember_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // load() logs every unknown key; keep the test output readable.
    levelBefore_ = logLevel();
    setLogLevel(LogLevel::Error);
  }
  void TearDown() override {
    setLogLevel(levelBefore_);
    fs::remove_all(dir_);
  }

  std::string writeFile(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

  // Expects `f` to throw ConfigError whose message contains every one of `parts`.
  template <class F>
  void expectConfigError(F f, std::initializer_list<std::string> parts) {
    try {
      f();
      ADD_FAILURE() << "expected ConfigError";
    } catch (const ConfigError& e) {
      for (const auto& p : parts) {
        EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
            << "message '" << e.what() << "' lacks '" << p << "'";
      }
    }
  }

  fs::path dir_;
  Env emptyEnv_;
  LogLevel levelBefore_ = LogLevel::Warn;
};

TEST_F(ConfigTest, DefaultsApplyWhenNothingIsSet) {
  Config c = Config::load({}, &emptyEnv_, "");
  EXPECT_EQ(c.get("ember.master"), "local[*]");
  EXPECT_EQ(c.origin("ember.master"), "default");
  EXPECT_FALSE(c.getOptional("ember.master").has_value());
  EXPECT_EQ(c.getBytes("ember.executor.memory"), int64_t{1} << 30);
  EXPECT_EQ(c.getInt("ember.task.maxFailures"), 4);
  EXPECT_DOUBLE_EQ(c.getDouble("ember.memory.storageFraction"), 0.5);
  EXPECT_TRUE(c.getBool("ember.shuffle.compress"));
  EXPECT_EQ(c.getDurationMs("ember.ui.consoleProgress.updateInterval"), 200);
  EXPECT_EQ(c.getBytes("ember.shuffle.file.buffer"), 64 * 1024);
  EXPECT_EQ(c.get("ember.executor.cores"), "");
  EXPECT_TRUE(c.unknownKeyWarnings().empty());
}

TEST_F(ConfigTest, EachLayerOverridesTheOneBelow) {
  std::string file = writeFile("ember-defaults.conf",
                               "ember.executor.memory 2g\n"
                               "ember.task.maxFailures=5\n"
                               "ember.local.dir /file\n"
                               "ember.app.name from-file\n");
  Env env{
      {"EMBER_TASK_MAXFAILURES", "6"}, {"EMBER_LOCAL_DIR", "/env"}, {"EMBER_APP_NAME", "from-env"}};
  Config c =
      Config::load({{"ember.local.dir", "/cli"}, {"ember.app.name", "from-cli"}}, &env, file);
  c.set("ember.app.name", "from-code");

  EXPECT_EQ(c.get("ember.shuffle.zstd.level"), "1");
  EXPECT_EQ(c.origin("ember.shuffle.zstd.level"), "default");
  EXPECT_EQ(c.get("ember.executor.memory"), "2g");  // file over default
  EXPECT_EQ(c.origin("ember.executor.memory"), "file " + file + ":1");
  EXPECT_EQ(c.getInt("ember.task.maxFailures"), 6);  // env over file
  EXPECT_EQ(c.origin("ember.task.maxFailures"), "env EMBER_TASK_MAXFAILURES");
  EXPECT_EQ(c.get("ember.local.dir"), "/cli");  // --conf over env
  EXPECT_EQ(c.origin("ember.local.dir"), "--conf");
  EXPECT_EQ(c.get("ember.app.name"), "from-code");  // code over --conf
  EXPECT_EQ(c.origin("ember.app.name"), "code");
  EXPECT_EQ(c.getOptional("ember.local.dir"), "/cli");
}

TEST_F(ConfigTest, EnvironmentNamesUpperCaseWithUnderscores) {
  EXPECT_EQ(Config::envName("ember.executor.memory"), "EMBER_EXECUTOR_MEMORY");
  EXPECT_EQ(Config::envName("ember.driver.maxResultSize"), "EMBER_DRIVER_MAXRESULTSIZE");
  Env env{{"EMBER_DRIVER_MAXRESULTSIZE", "2g"},
          {"EMBER_LOG_LEVEL", "debug"},
          {"EMBER_HOME", "/nonexistent"},
          {"EMBER_SOURCE_DIR", "/src"},
          {"PATH", "/bin"}};
  Config c = Config::load({}, &env, "");
  EXPECT_EQ(c.getBytes("ember.driver.maxResultSize"), int64_t{2} << 30);
  EXPECT_EQ(c.get("ember.log.level"), "debug");
  EXPECT_EQ(c.origin("ember.log.level"), "env EMBER_LOG_LEVEL");
  EXPECT_TRUE(c.unknownKeyWarnings().empty()) << c.unknownKeyWarnings().front();
}

TEST_F(ConfigTest, UnknownEnvironmentVariableIsReportedWithSuggestion) {
  Env env{{"EMBER_EXECUTOR_MEMROY", "2g"}, {"EMBER_NO_SUCH_THING_AT_ALL", "1"}};
  Config c = Config::load({}, &env, "");
  ASSERT_EQ(c.unknownKeyWarnings().size(), 2u);
  const auto& w = c.unknownKeyWarnings();
  auto memroy = std::find_if(w.begin(), w.end(), [](const std::string& s) {
    return s.find("EMBER_EXECUTOR_MEMROY") != std::string::npos;
  });
  ASSERT_NE(memroy, w.end());
  EXPECT_NE(memroy->find("did you mean 'EMBER_EXECUTOR_MEMORY'?"), std::string::npos) << *memroy;
  EXPECT_EQ(c.get("ember.executor.memory"), "1g");
}

TEST_F(ConfigTest, FileIsFoundThroughConfDirThenHome) {
  writeFile("confdir/ember-defaults.conf", "ember.app.name from-conf-dir\n");
  writeFile("home/conf/ember-defaults.conf", "ember.app.name from-home\n");
  Env both{{"EMBER_CONF_DIR", (dir_ / "confdir").string()},
           {"EMBER_HOME", (dir_ / "home").string()}};
  EXPECT_EQ(Config::load({}, &both).get("ember.app.name"), "from-conf-dir");
  Env home{{"EMBER_HOME", (dir_ / "home").string()}};
  EXPECT_EQ(Config::load({}, &home).get("ember.app.name"), "from-home");
  Env missing{{"EMBER_CONF_DIR", (dir_ / "nothing-here").string()}};
  EXPECT_NO_THROW(Config::load({}, &missing));
  expectConfigError([&] { Config::load({}, &emptyEnv_, (dir_ / "absent.conf").string()); },
                    {"absent.conf", "does not exist"});
}

TEST_F(ConfigTest, FileFormatAcceptsCommentsBlanksAndBothSeparators) {
  std::string file = writeFile("a.conf",
                               "# a comment\n"
                               "\n"
                               "   ember.master   local[2]  \n"
                               "ember.local.dir = /data/with space\n"
                               "ember.checkpoint.dir=\n"
                               "\t# indented comment\n"
                               "ember.app.name=first\n"
                               "ember.app.name=second\n");
  Config c = Config::load({}, &emptyEnv_, file);
  EXPECT_EQ(c.get("ember.master"), "local[2]");
  EXPECT_EQ(c.get("ember.local.dir"), "/data/with space");
  EXPECT_EQ(c.getOptional("ember.checkpoint.dir"), "");
  EXPECT_EQ(c.get("ember.app.name"), "second");
  EXPECT_EQ(c.origin("ember.app.name"), "file " + file + ":8");
}

TEST_F(ConfigTest, MalformedFileLineNamesFileAndLine) {
  std::string noValue = writeFile("novalue.conf", "# ok\nember.master local\nember.local.dir\n");
  expectConfigError([&] { Config::load({}, &emptyEnv_, noValue); },
                    {noValue + ":3", "ember.local.dir", "has no value"});
  std::string badKey = writeFile("badkey.conf", "ember.master: local\n");
  expectConfigError([&] { Config::load({}, &emptyEnv_, badKey); },
                    {badKey + ":1", "invalid character ':'"});
  std::string noKey = writeFile("nokey.conf", "\n\n= value\n");
  expectConfigError([&] { Config::load({}, &emptyEnv_, noKey); }, {noKey + ":3", "no key"});
}

TEST_F(ConfigTest, SizesParse) {
  EXPECT_EQ(parseByteSize("512"), 512);
  EXPECT_EQ(parseByteSize("0"), 0);
  EXPECT_EQ(parseByteSize("10b"), 10);
  EXPECT_EQ(parseByteSize("64k"), 64 * 1024);
  EXPECT_EQ(parseByteSize("64KB"), 64 * 1024);
  EXPECT_EQ(parseByteSize("100m"), int64_t{100} << 20);
  EXPECT_EQ(parseByteSize("1G"), int64_t{1} << 30);
  EXPECT_EQ(parseByteSize(" 2t "), int64_t{2} << 40);
  EXPECT_EQ(parseByteSize("3 gb"), int64_t{3} << 30);
  for (const char* bad : {"", "k", "-1", "1.5g", "12q", "1gbb", "g1", "99999999999p"}) {
    EXPECT_FALSE(parseByteSize(bad).has_value()) << bad;
  }
}

TEST_F(ConfigTest, DurationsParse) {
  EXPECT_EQ(parseDurationMs("250"), 250);
  EXPECT_EQ(parseDurationMs("100ms"), 100);
  EXPECT_EQ(parseDurationMs("5s"), 5000);
  EXPECT_EQ(parseDurationMs("2min"), 120000);
  EXPECT_EQ(parseDurationMs("2m"), 120000);
  EXPECT_EQ(parseDurationMs("1H"), 3600000);
  EXPECT_EQ(parseDurationMs("1d"), 86400000);
  for (const char* bad : {"", "ms", "5 sec", "1.5s", "-3s", "5x"}) {
    EXPECT_FALSE(parseDurationMs(bad).has_value()) << bad;
  }
}

TEST_F(ConfigTest, BadValuesNameKeyValueOriginAndExpectedForm) {
  Config c = Config::load({{"ember.executor.memory", "lots"},
                           {"ember.ui.consoleProgress.updateInterval", "soon"},
                           {"ember.shuffle.compress", "maybe"},
                           {"ember.task.maxFailures", "4x"},
                           {"ember.memory.storageFraction", "half"}},
                          &emptyEnv_, "");
  expectConfigError([&] { c.getBytes("ember.executor.memory"); },
                    {"'lots'", "ember.executor.memory", "--conf", "64k"});
  expectConfigError([&] { c.getDurationMs("ember.ui.consoleProgress.updateInterval"); },
                    {"'soon'", "ember.ui.consoleProgress.updateInterval", "100ms"});
  expectConfigError([&] { c.getBool("ember.shuffle.compress"); }, {"'maybe'", "true or false"});
  expectConfigError([&] { c.getInt("ember.task.maxFailures"); }, {"'4x'", "integer"});
  expectConfigError([&] { c.getDouble("ember.memory.storageFraction"); }, {"'half'", "number"});
  // The origin in the message follows the value.
  Env env{{"EMBER_EXECUTOR_MEMORY", "plenty"}};
  Config e = Config::load({}, &env, "");
  expectConfigError([&] { e.getBytes("ember.executor.memory"); }, {"env EMBER_EXECUTOR_MEMORY"});
  // Empty values (no default) are not numbers either.
  expectConfigError([&] { e.getInt("ember.executor.cores"); }, {"ember.executor.cores"});
}

TEST_F(ConfigTest, BoolsAcceptCommonSpellings) {
  Config c;
  for (const char* t : {"true", "TRUE", "1", "yes", "Yes"}) {
    c.set("ember.shuffle.compress", t);
    EXPECT_TRUE(c.getBool("ember.shuffle.compress")) << t;
  }
  for (const char* f : {"false", "False", "0", "no", "NO"}) {
    c.set("ember.shuffle.compress", f);
    EXPECT_FALSE(c.getBool("ember.shuffle.compress")) << f;
  }
}

TEST_F(ConfigTest, UnknownKeysWarnWithSuggestion) {
  std::string file = writeFile("u.conf", "ember.shufle.compress false\n");
  Config c = Config::load({{"ember.executor.memroy", "2g"},
                           {"spark.executor.memory", "3g"},
                           {"ember.app.myParameter", "42"},
                           {"ember.executor.memroy", "4g"},
                           {"ember.zzzzzz", "1"}},
                          &emptyEnv_, file);
  const auto& w = c.unknownKeyWarnings();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0], "unknown configuration key 'ember.shufle.compress' (from file " + file +
                      ":1); did you mean 'ember.shuffle.compress'?");
  EXPECT_EQ(w[1],
            "unknown configuration key 'ember.executor.memroy' (from --conf); did you mean "
            "'ember.executor.memory'?");
  EXPECT_NE(w[2].find("'spark.executor.memory'"), std::string::npos);
  EXPECT_NE(w[2].find("not an Ember property"), std::string::npos);
  EXPECT_NE(w[2].find("did you mean 'ember.executor.memory'?"), std::string::npos) << w[2];
  EXPECT_NE(w[3].find("'ember.zzzzzz'"), std::string::npos);
  EXPECT_EQ(w[3].find("did you mean"), std::string::npos) << w[3];
  // Unknown keys are kept and readable; ember.app.* is free for applications.
  EXPECT_EQ(c.getInt("ember.app.myParameter"), 42);
  EXPECT_EQ(c.get("ember.executor.memroy"), "4g");
  EXPECT_EQ(c.get("ember.executor.memory"), "1g");
  c.set("ember.execut0r.cores", "2");
  ASSERT_EQ(c.unknownKeyWarnings().size(), 5u);
  EXPECT_NE(c.unknownKeyWarnings()[4].find("(from code)"), std::string::npos);
  expectConfigError([&] { c.get("ember.not.registered"); }, {"ember.not.registered"});
  expectConfigError([&] { c.origin("ember.not.registered"); }, {"ember.not.registered"});
  EXPECT_FALSE(c.getOptional("ember.not.registered").has_value());
}

TEST_F(ConfigTest, LoadLogsEachWarningOnceAtWarnLevel) {
  setLogLevel(LogLevel::Warn);
  ::testing::internal::CaptureStderr();
  Config::load({{"ember.executor.memroy", "2g"}, {"ember.executor.memroy", "3g"}}, &emptyEnv_, "");
  std::string err = ::testing::internal::GetCapturedStderr();
  size_t first = err.find("unknown configuration key 'ember.executor.memroy'");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("unknown configuration key", first + 1), std::string::npos) << err;
  EXPECT_NE(err.find(" WARN ["), std::string::npos) << err;
}

TEST_F(ConfigTest, RegisteredKeysAreKnownWithDefaultsAndEnv) {
  Config::registerKey({"ember.test.registered.sizeKey", "32k", "a key registered by a test"});
  Config::registerKey({"ember.test.registered.sizeKey", "32k", "registering again is fine"});
  EXPECT_THROW(Config::registerKey({"ember.test.registered.sizeKey", "64k", ""}), InternalError);
  EXPECT_THROW(Config::registerKey({"notember.key", "", ""}), InternalError);
  EXPECT_TRUE(Config::isKnownKey("ember.test.registered.sizeKey"));
  Env env{{"EMBER_TEST_REGISTERED_SIZEKEY", "1m"}};
  Config c = Config::load({}, &env, "");
  EXPECT_EQ(c.getBytes("ember.test.registered.sizeKey"), 1 << 20);
  EXPECT_TRUE(c.unknownKeyWarnings().empty());
  auto keys = Config::knownKeys();
  EXPECT_TRUE(
      std::is_sorted(keys.begin(), keys.end(), [](auto& a, auto& b) { return a.key < b.key; }));
  EXPECT_GE(keys.size(), 20u);
}

TEST_F(ConfigTest, SensitiveValuesAreRedacted) {
  Config c;
  c.set("ember.authenticate.secret", "hunter2");
  c.set("ember.app.dbPassword", "pw");
  c.set("ember.app.apiToken", "tok");
  c.set("ember.app.visible", "plain");
  EXPECT_EQ(c.get("ember.authenticate.secret"), "hunter2");
  EXPECT_EQ(c.redacted("ember.authenticate.secret"), "*********(redacted)");
  EXPECT_EQ(c.redacted("ember.app.visible"), "plain");
  std::string s = c.toString();
  for (const char* hidden : {"hunter2", "= pw ", "= tok "}) {
    EXPECT_EQ(s.find(hidden), std::string::npos) << hidden << " in\n" << s;
  }
  EXPECT_NE(s.find("ember.app.visible = plain  (code)"), std::string::npos) << s;
  EXPECT_NE(s.find("ember.master = local[*]  (default)"), std::string::npos) << s;
  bool sawSecret = false;
  for (auto& [key, value, origin] : c.entries(/*redact=*/true)) {
    if (key == "ember.app.dbPassword") {
      sawSecret = true;
      EXPECT_EQ(value, "*********(redacted)");
      EXPECT_EQ(origin, "code");
    }
  }
  EXPECT_TRUE(sawSecret);
  for (auto& [key, value, origin] : c.entries()) {
    if (key == "ember.app.dbPassword") {
      EXPECT_EQ(value, "pw");
    }
  }
}

TEST_F(ConfigTest, EntriesAreSortedAndIncludeDefaults) {
  Config c;
  c.set("ember.app.zzz", "1");
  auto e = c.entries();
  EXPECT_TRUE(std::is_sorted(e.begin(), e.end()));
  EXPECT_EQ(e.size(), Config::knownKeys().size() + 1);
}

// docs/configuration.md must list every built-in key with its default.
TEST_F(ConfigTest, DocumentationListsEveryKey) {
  const char* srcDir = std::getenv("EMBER_SOURCE_DIR");
  fs::path root = srcDir != nullptr ? fs::path(srcDir)
                                    : fs::path(__FILE__).parent_path().parent_path().parent_path();
  std::ifstream in(root / "docs" / "configuration.md");
  ASSERT_TRUE(in) << "cannot read " << (root / "docs" / "configuration.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& e : Config::knownKeys()) {
    if (e.key.starts_with("ember.test.registered.")) continue;  // added by a test above
    std::string row = "| `" + e.key + "` | " +
                      (e.defaultValue.empty() ? "(empty)" : "`" + e.defaultValue + "`") + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/configuration.md lacks row " << row;
  }
}

TEST(LoggingTest, ParsesLevelsAndFormatsLines) {
  EXPECT_EQ(parseLogLevel("ERROR"), LogLevel::Error);
  EXPECT_EQ(parseLogLevel("warn"), LogLevel::Warn);
  EXPECT_EQ(parseLogLevel("Info"), LogLevel::Info);
  EXPECT_EQ(parseLogLevel("debug"), LogLevel::Debug);
  EXPECT_THROW(parseLogLevel("verbose"), ConfigError);

  LogLevel before = logLevel();
  setLogLevel(LogLevel::Info);
  ::testing::internal::CaptureStderr();
  std::thread([] {
    setThreadName("worker-7");
    logInfo("hello {} {}", 42, std::string("x"));
    logDebug("hidden {}", 1);
  }).join();
  logError("boom");
  std::string err = ::testing::internal::GetCapturedStderr();
  setLogLevel(before);

  // "2026-11-22 01:02:03.456 INFO [worker-7] hello 42 x"
  auto nl = err.find('\n');
  ASSERT_NE(nl, std::string::npos) << err;
  std::string first = err.substr(0, nl);
  ASSERT_GE(first.size(), 24u) << first;
  EXPECT_EQ(first[4], '-');
  EXPECT_EQ(first[10], ' ');
  EXPECT_EQ(first[19], '.');
  EXPECT_EQ(first.substr(23), " INFO [worker-7] hello 42 x");
  EXPECT_EQ(err.find("hidden"), std::string::npos);
  EXPECT_NE(err.find(" ERROR [main] boom\n"), std::string::npos) << err;
}

}  // namespace
}  // namespace ember
