// Command-line arguments every Ember program shares:
//   --master URL | --master=URL       where to run (ember.master)
//   --conf key=value | --conf=key=value  a configuration value (repeatable)
//   --name NAME | --name=NAME         application name (ember.app.name)
//   -h | --help                       print usage
//   --                                ends the options; everything after is positional
// Other arguments are positional and may be mixed with options. Any other argument that
// starts with "--" is a UserError, so program-specific flags go after "--".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ember/common/config.h"

namespace ember {

struct AppArgs {
  std::string master;                                     // empty if not given
  std::vector<std::pair<std::string, std::string>> conf;  // in command-line order
  std::vector<std::string> positional;
  bool help = false;
};

// Parses argv[1..argc); argv[0] is the program name. Throws UserError for an unknown
// option, an option without its value, or a --conf without '='.
AppArgs parseAppArgs(int argc, const char* const* argv);

// Config::load with args.conf (and --master as ember.master, which wins over a
// --conf ember.master) at the --conf layer; file and environment as load() finds them.
Config configFromArgs(const AppArgs& args);

// Usage text of the shared options, headed by "usage: <program> [options] <usageTail>".
std::string appArgsUsage(const std::string& program, const std::string& usageTail);

}  // namespace ember
