// `ember submit --master ember://HOST:PORT [--num-executors N --executor-cores C
// --executor-memory M --conf k=v] APP [ARGS]`: runs the application APP (its driver runs
// here, in this process; "client" deploy mode) on a standalone cluster, whose workers
// start its executors from the same binary. APP must be at the same path on the workers.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "commands.h"
#include "ember/cluster/standalone.h"
#include "ember/common/errors.h"

namespace {
struct SubmitArgs {
  std::string master, executorMemory;
  int numExecutors = 0, executorCores = 0;
  std::vector<std::string> conf;
  std::vector<std::string> app;  // APP [ARGS]
};

int runSubmit(const SubmitArgs& a) {
  ember::cluster::parseMasterUrl(a.master);  // fail early on a malformed URL
  if (a.app.empty()) throw ember::UserError("ember submit: which application? (APP [ARGS])");
  std::vector<std::string> args{a.app[0], "--master", a.master};
  auto conf = [&](const std::string& kv) {
    args.push_back("--conf");
    args.push_back(kv);
  };
  if (a.numExecutors > 0) conf("ember.executor.instances=" + std::to_string(a.numExecutors));
  if (a.executorCores > 0) conf("ember.executor.cores=" + std::to_string(a.executorCores));
  if (!a.executorMemory.empty()) conf("ember.executor.memory=" + a.executorMemory);
  for (const auto& kv : a.conf) conf(kv);
  args.insert(args.end(), a.app.begin() + 1, a.app.end());
  std::cerr << "ember submit: running " << a.app[0] << " on " << a.master
            << "; the driver's output is here, each executor's stdout and stderr are in its "
               "worker's log directory (printed below as executors start)\n";
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  execv(a.app[0].c_str(), argv.data());
  throw ember::UserError("cannot run " + a.app[0] + ": " + std::strerror(errno));
}

ember::cli::Command kSubmit{
    "submit", "Run an application on a standalone cluster (its driver runs here)",
    [](CLI::App& sub) {
      auto a = std::make_shared<SubmitArgs>();
      sub.add_option("--master", a->master, "the master, ember://HOST:PORT")->required();
      sub.add_option("--num-executors", a->numExecutors,
                     "executors to start (ember.executor.instances)");
      sub.add_option("--executor-cores", a->executorCores,
                     "task slots per executor (ember.executor.cores)");
      sub.add_option("--executor-memory", a->executorMemory,
                     "memory per executor, e.g. 2g (ember.executor.memory)");
      // One value per --conf, so that `--conf k=v APP` leaves APP alone.
      sub.add_option("--conf", a->conf, "key=value setting passed to the application (repeatable)")
          ->allow_extra_args(false);
      // Everything from APP on belongs to the application: remaining() after parsing.
      sub.prefix_command();
      sub.footer("APP [ARGS]: the application's binary and its arguments");
      return [a, s = &sub] {
        a->app = s->remaining();
        return runSubmit(*a);
      };
    }};
}  // namespace
