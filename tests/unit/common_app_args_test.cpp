#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ember/common/app_args.h"
#include "ember/common/errors.h"

namespace ember {
namespace {

AppArgs parse(std::vector<const char*> args) {
  args.insert(args.begin(), "prog");
  return parseAppArgs(static_cast<int>(args.size()), args.data());
}

std::string errorOf(std::vector<const char*> args) {
  try {
    parse(std::move(args));
  } catch (const UserError& e) {
    return e.what();
  }
  return "<no error>";
}

using Conf = std::vector<std::pair<std::string, std::string>>;

TEST(AppArgsTest, NoArguments) {
  AppArgs a = parse({});
  EXPECT_EQ(a.master, "");
  EXPECT_TRUE(a.conf.empty());
  EXPECT_TRUE(a.positional.empty());
  EXPECT_FALSE(a.help);
}

TEST(AppArgsTest, OptionsInBothFormsMixedWithPositionals) {
  AppArgs a = parse({"in.txt", "--master", "local[2]", "--conf", "ember.a.b=1", "out",
                     "--conf=ember.c=x=y", "--name=job", "--conf", "ember.empty="});
  EXPECT_EQ(a.master, "local[2]");
  EXPECT_EQ(
      a.conf,
      (Conf{
          {"ember.a.b", "1"}, {"ember.c", "x=y"}, {"ember.app.name", "job"}, {"ember.empty", ""}}));
  EXPECT_EQ(a.positional, (std::vector<std::string>{"in.txt", "out"}));
  EXPECT_EQ(parse({"--master=local[*]"}).master, "local[*]");
  EXPECT_EQ(parse({"--name", "n"}).conf, (Conf{{"ember.app.name", "n"}}));
}

TEST(AppArgsTest, HelpAndDoubleDash) {
  EXPECT_TRUE(parse({"-h"}).help);
  EXPECT_TRUE(parse({"x", "--help"}).help);
  AppArgs a = parse({"--master", "local", "--", "--iterations", "10", "-h", "--conf"});
  EXPECT_FALSE(a.help);
  EXPECT_EQ(a.master, "local");
  EXPECT_EQ(a.positional, (std::vector<std::string>{"--iterations", "10", "-h", "--conf"}));
  // Single-dash words are data (a negative number, stdin).
  EXPECT_EQ(parse({"-5", "-"}).positional, (std::vector<std::string>{"-5", "-"}));
}

TEST(AppArgsTest, Errors) {
  EXPECT_EQ(errorOf({"--conf", "foo"}), "expected --conf key=value, got 'foo'");
  EXPECT_EQ(errorOf({"--conf=foo"}), "expected --conf key=value, got 'foo'");
  EXPECT_NE(errorOf({"--conf", "=v"}).find("key is empty"), std::string::npos);
  std::string unknown = errorOf({"--iterations", "3"});
  EXPECT_NE(unknown.find("unknown option '--iterations'"), std::string::npos) << unknown;
  EXPECT_NE(errorOf({"--verbose=1"}).find("'--verbose'"), std::string::npos);
  EXPECT_NE(errorOf({"--master"}).find("--master needs a value"), std::string::npos);
  EXPECT_NE(errorOf({"--master", "--conf", "a=b"}).find("--master needs a value"),
            std::string::npos);
  EXPECT_NE(errorOf({"--conf"}).find("--conf needs a value"), std::string::npos);
  EXPECT_NE(errorOf({"--master="}).find("non-empty"), std::string::npos);
}

TEST(AppArgsTest, ConfigFromArgsPutsMasterAboveConf) {
  AppArgs a = parse({"--conf", "ember.master=local[1]", "--master", "local[3]", "--conf",
                     "ember.task.maxFailures=7"});
  Config c = configFromArgs(a);
  EXPECT_EQ(c.get("ember.master"), "local[3]");
  EXPECT_EQ(c.origin("ember.master"), "--conf");
  EXPECT_EQ(c.getInt("ember.task.maxFailures"), 7);
  EXPECT_EQ(c.origin("ember.task.maxFailures"), "--conf");
  Config d = configFromArgs(parse({"--conf", "ember.master=local[1]"}));
  EXPECT_EQ(d.get("ember.master"), "local[1]");
}

TEST(AppArgsTest, UsageListsTheOptions) {
  std::string u = appArgsUsage("wordcount", "<input> <output>");
  EXPECT_EQ(u.rfind("usage: wordcount [options] <input> <output>\n", 0), 0u) << u;
  for (const char* opt : {"--master", "--conf key=value", "--name", "--help"}) {
    EXPECT_NE(u.find(opt), std::string::npos) << opt;
  }
}

}  // namespace
}  // namespace ember
