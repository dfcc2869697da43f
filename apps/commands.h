// Subcommands of the `ember` program register themselves here, one file each
// (apps/cmd_<name>.cpp), so adding a command never edits main().
//
//   static ember::cli::Command kSql{"sql", "Run SQL statements", [](CLI::App& sub) {
//     auto opts = std::make_shared<Options>();
//     sub.add_option(...);
//     return [opts] { return runSql(*opts); };   // the exit code
//   }};
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace ember::cli {

// Declares options on `sub` and returns what runs when the subcommand is chosen.
using CommandSetup = std::function<std::function<int()>(CLI::App& sub)>;

struct Command {
  Command(std::string name, std::string description, CommandSetup setup);
};

}  // namespace ember::cli
