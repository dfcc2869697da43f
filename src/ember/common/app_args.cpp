#include "ember/common/app_args.h"

#include <optional>
#include <string_view>

#include "ember/common/errors.h"

namespace ember {
namespace {

std::pair<std::string, std::string> splitConf(std::string_view kv) {
  auto eq = kv.find('=');
  if (eq == std::string_view::npos) {
    throw UserError("expected --conf key=value, got '" + std::string(kv) + "'");
  }
  if (eq == 0) {
    throw UserError("expected --conf key=value, got '" + std::string(kv) + "' (the key is empty)");
  }
  return {std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1))};
}

}  // namespace

AppArgs parseAppArgs(int argc, const char* const* argv) {
  AppArgs out;
  bool optionsEnded = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (optionsEnded || !arg.starts_with("-")) {
      out.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      optionsEnded = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {  // "-", "-5": data, not options
      out.positional.emplace_back(arg);
      continue;
    }
    // --option=value or --option value.
    std::string_view name = arg;
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (name != "--master" && name != "--conf" && name != "--name") {
      throw UserError("unknown option '" + std::string(name) +
                      "'; Ember programs accept --master, --conf key=value, --name and "
                      "--help (put program-specific options after '--')");
    }
    if (!value) {
      // "--master --conf x=y" forgot the value; do not swallow the next option.
      if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--")) {
        throw UserError("option " + std::string(name) + " needs a value" +
                        (name == "--conf" ? ": --conf key=value" : ""));
      }
      value = std::string_view(argv[++i]);
    }
    if (name == "--master") {
      if (value->empty()) throw UserError("option --master needs a non-empty value");
      out.master = std::string(*value);
    } else if (name == "--name") {
      out.conf.emplace_back("ember.app.name", std::string(*value));
    } else {
      out.conf.push_back(splitConf(*value));
    }
  }
  return out;
}

Config configFromArgs(const AppArgs& args) {
  auto conf = args.conf;
  if (!args.master.empty()) conf.emplace_back("ember.master", args.master);
  return Config::load(conf);
}

std::string appArgsUsage(const std::string& program, const std::string& usageTail) {
  return "usage: " + program + " [options] " + usageTail +
         "\n"
         "options:\n"
         "  --master URL         where to run: local, local[N], local[*] (default local[*])\n"
         "  --conf key=value     set a configuration value (repeatable); see\n"
         "                       docs/configuration.md for the keys\n"
         "  --name NAME          application name\n"
         "  -h, --help           print this help\n"
         "  --                   end of options; the rest are program arguments\n";
}

}  // namespace ember
