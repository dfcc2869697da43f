// The `ember` command. Each subcommand lives in its own apps/cmd_<name>.cpp and
// registers itself through apps/commands.h.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "commands.h"
#include "ember/common/errors.h"

namespace ember::cli {
namespace {
struct Registered {
  std::string name;
  std::string description;
  CommandSetup setup;
};
std::vector<Registered>& commands() {
  static std::vector<Registered> all;
  return all;
}
}  // namespace

Command::Command(std::string name, std::string description, CommandSetup setup) {
  commands().push_back({std::move(name), std::move(description), std::move(setup)});
}
}  // namespace ember::cli

int main(int argc, char** argv) {
  CLI::App app{"Ember: a distributed data-processing engine (Spark-style RDDs, DataFrames and SQL "
               "in C++20).\nPrograms link the library (see examples/); this command runs SQL, "
               "clusters and tools.",
               "ember"};
  app.set_version_flag("--version", std::string("ember ") + EMBER_VERSION);
  app.require_subcommand(0, 1);

  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (auto& c : ember::cli::commands()) {
    auto* sub = app.add_subcommand(c.name, c.description);
    runners.emplace_back(sub, c.setup(*sub));
  }
  CLI11_PARSE(app, argc, argv);

  for (auto& [sub, run] : runners) {
    if (!app.got_subcommand(sub)) continue;
    try {
      return run();
    } catch (const ember::EmberError& e) {
      std::cerr << "ember " << sub->get_name() << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cout << app.help();
  return 0;
}
