// The `ember` command. Subcommands grow with the engine (sql, submit, master, worker,
// history arrive with their layers); today: version, conf.
#include <CLI/CLI.hpp>
#include <iostream>

#include "ember/common/app_args.h"
#include "ember/common/config.h"
#include "ember/common/errors.h"

int main(int argc, char** argv) {
  CLI::App app{"Ember: a distributed data-processing engine (Spark-style RDDs in C++20).\n"
               "Programs link the library (see examples/); this command inspects and will run them.",
               "ember"};
  app.set_version_flag("--version", std::string("ember ") + EMBER_VERSION);
  app.require_subcommand(0, 1);

  auto* conf = app.add_subcommand("conf", "Print the effective configuration: every key, its value "
                                          "and where it came from (default, file, env, --conf)");
  std::vector<std::string> confArgs;
  conf->add_option("--conf", confArgs, "key=value settings, as given to programs")->take_all();
  bool all = false;
  conf->add_flag("--all", all, "also list keys left at their defaults");

  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand(conf)) {
    try {
      std::vector<std::pair<std::string, std::string>> kv;
      for (const auto& s : confArgs) {
        auto eq = s.find('=');
        if (eq == std::string::npos) throw ember::UserError("expected --conf key=value, got '" + s + "'");
        kv.emplace_back(s.substr(0, eq), s.substr(eq + 1));
      }
      ember::Config c = ember::Config::load(kv);
      for (const auto& [key, value, origin] : c.entries(/*redact=*/true)) {
        if (!all && origin == "default") continue;
        std::cout << key << " = " << value << "    # " << origin << "\n";
      }
    } catch (const ember::EmberError& e) {
      std::cerr << "ember conf: " << e.what() << "\n";
      return 1;
    }
    return 0;
  }
  std::cout << app.help();
  return 0;
}
