// `ember conf`: the effective configuration and where each value came from.
#include <iostream>
#include <memory>

#include "commands.h"
#include "ember/common/config.h"
#include "ember/common/errors.h"

namespace {
struct ConfOptions {
  std::vector<std::string> conf;
  bool all = false;
};

int runConf(const ConfOptions& o) {
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& s : o.conf) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw ember::UserError("expected --conf key=value, got '" + s + "'");
    kv.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  ember::Config c = ember::Config::load(kv);
  for (const auto& [key, value, origin] : c.entries(/*redact=*/true)) {
    if (!o.all && origin == "default") continue;
    std::cout << key << " = " << value << "    # " << origin << "\n";
  }
  return 0;
}

ember::cli::Command kConf{
    "conf",
    "Print the effective configuration: every key, its value and where it came from (default, "
    "file, env, --conf)",
    [](CLI::App& sub) {
      auto o = std::make_shared<ConfOptions>();
      sub.add_option("--conf", o->conf, "key=value settings, as given to programs")->take_all();
      sub.add_flag("--all", o->all, "also list keys left at their defaults");
      return [o] { return runConf(*o); };
    }};
}  // namespace
