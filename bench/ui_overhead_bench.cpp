// Cost of the web UI and the event log: a job of many tiny tasks with both enabled
// against the same job with both disabled, in fresh Contexts, alternating the two
// configurations so that machine noise hits both alike.
//
//   ui_overhead_bench [--master local[N]] [--conf k=v ...] [REPS=9] [TASKS=100000]
//   ui_overhead_bench listeners [TASKS=100000]
//
// Each measurement: a new Context, a 1,000-task warm-up, then range(0, T, 1, T).count()
// timed (job) and, separately, the job plus waiting until the event bus has delivered
// every event to the UI store and the event log (drained), in wall time and in CPU time
// of the whole process (user + system, every thread: the steadier measure on a loaded
// machine). The configurations alternate in the order off,on,on,off,... (ABBA), so a
// drift of the machine's load hits both alike. Prints CSV lines
//   ember,ui_overhead,<off|on>_<T>,<master>,<threads>,<median job s>,<median drained s>
//   ember,ui_overhead_cpu,<off|on>_<T>,<master>,<threads>,<median cpu s of job+drain>,-
// and the ratios on/off of the medians, and per run the events the bus dropped and the
// posts that waited for room (back-pressure). Exit status 1 if a count is wrong or an
// event was dropped.
//
// `listeners` measures the two listeners alone: the TaskStart/TaskEnd events of one
// stage of T tasks fed straight (in batches, as the bus does) to a UI store and to an event log
// writer, in CPU time per event (the machine's load does not inflate it), then the same events
// posted to an EventBus with both listeners (the posting thread's and the dispatcher's CPU, i.e.
// the whole path a task event takes when the UI is on); prints
//   ember,ui_listener,<store|eventlog|bus>_<T>,-,1,<cpu seconds>,<ns per event>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "ember/ember.h"
#include "ember/ui/app_store.h"
#include "ember/ui/event_log.h"

namespace {

// CPU seconds (user + system) of every thread of this process so far.
double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

struct Times {
  double job;
  double drained;
  double cpu;  // process CPU seconds from the job's start until drained
  int64_t dropped;
  int64_t blockedPosts;
};

Times measure(const ember::Config& base, bool on, int tasks, const std::string& logDir) {
  ember::Config c = base;
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", on ? "true" : "false");
  c.set("ember.ui.port", "0");
  c.set("ember.eventLog.enabled", on ? "true" : "false");
  c.set("ember.eventLog.dir", logDir);
  ember::Context ctx(c);
  ctx.range(0, 1000, 1, 1000).count();
  ctx.eventBus().waitUntilEmpty(60000);
  const double cpu0 = processCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  int64_t n = ctx.range(0, tasks, 1, tasks).count();
  double job = bench::secondsSince(t0);
  ctx.eventBus().waitUntilEmpty(60000);
  double drained = bench::secondsSince(t0);
  const double cpu = processCpuSeconds() - cpu0;
  if (n != tasks) {
    std::fprintf(stderr, "ui_overhead_bench: counted %lld, expected %d\n",
                 static_cast<long long>(n), tasks);
    std::exit(1);
  }
  return {job, drained, cpu, ctx.eventBus().droppedEvents(), ctx.eventBus().blockedPosts()};
}

// Hands the events to the listener in batches of 256, as the bus's dispatcher does.
void feed(ember::EventListener& l, const std::vector<ember::SchedulerEvent>& events) {
  for (size_t i = 0; i < events.size(); i += 256)
    l.onEvents({events.data() + i, std::min<size_t>(256, events.size() - i)});
}

int runListeners(int tasks, const std::string& logDir) {
  std::vector<ember::SchedulerEvent> events;
  events.push_back(ember::ApplicationStart{"bench", "bench", "local[2]", 1});
  events.push_back(ember::ExecutorAdded{"driver", "localhost", 2, 1});
  events.push_back(ember::JobStart{0, "count", "count", "", {0}, 1, {{0, "count", tasks, {}, {}}}});
  events.push_back(ember::StageSubmitted{0, 0, "count", tasks, {}, "", 1});
  for (int i = 0; i < tasks; ++i) {
    events.push_back(ember::TaskStart{0, 0, i, i, 0, "driver", 2});
    ember::TaskMetrics m;
    m.runTimeNs = 1200;
    m.recordsRead = 1;
    m.resultBytes = 9;
    events.push_back(ember::TaskEnd{0, 0, i, i, 0, "driver", true, "Success", m, 3});
  }
  for (const char* which : {"store", "eventlog", "bus"}) {
    const double c0 = processCpuSeconds();
    if (std::string(which) == "bus") {
      auto store = std::make_shared<ember::ui::AppStore>();
      auto log = std::make_shared<ember::ui::EventLogWriter>(logDir, "bus", false,
                                                             ember::ui::EnvironmentUpdate{});
      ember::EventBus bus(1000000);
      bus.addListener(store);
      bus.addListener(log);
      bus.start();
      for (const auto& e : events) bus.post(e);
      bus.stop();
      log->stop();
    } else if (std::string(which) == "store") {
      ember::ui::AppStore store;  // destroyed inside the timed block: teardown counts
      feed(store, events);
    } else {
      ember::ui::EventLogWriter log(logDir, "listeners", false, {});
      feed(log, events);
      log.stop();
    }
    const double cpu = processCpuSeconds() - c0;
    std::printf("ember,ui_listener,%s_%d,-,1,%.3f,%.0f\n", which, tasks, cpu,
                cpu * 1e9 / static_cast<double>(events.size()));
    std::filesystem::remove_all(logDir);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string logDir =
      (std::filesystem::temp_directory_path() / "ember-ui-overhead-bench").string();
  if (argc >= 2 && std::string(argv[1]) == "listeners")
    return runListeners(argc >= 3 ? std::stoi(argv[2]) : 100000, logDir);
  const std::string usage = "[REPS [TASKS]]";
  std::vector<std::string> args;
  auto probe = bench::makeContext(argc, argv, usage, &args);
  const ember::Config base = probe->conf();
  const std::string master = probe->master();
  probe.reset();
  const int reps = args.empty() ? 9 : std::stoi(args[0]);
  const int tasks = args.size() < 2 ? 100000 : std::stoi(args[1]);
  try {
    std::vector<double> offJob, offAll, offCpu, onJob, onAll, onCpu;
    int64_t dropped = 0;
    for (int r = 0; r < reps; ++r) {
      const bool firstOn = r % 2 == 1;  // off,on | on,off | off,on ...
      for (bool on : {firstOn, !firstOn}) {
        Times t = measure(base, on, tasks, logDir);
        (on ? onJob : offJob).push_back(t.job);
        (on ? onAll : offAll).push_back(t.drained);
        (on ? onCpu : offCpu).push_back(t.cpu);
        dropped += t.dropped;
        std::fprintf(stderr,
                     "ui_overhead_bench %s %s run %d: job %.3f s, drained %.3f s, cpu %.3f s, "
                     "%lld events dropped, %lld posts waited\n",
                     master.c_str(), on ? "on" : "off", r + 1, t.job, t.drained, t.cpu,
                     static_cast<long long>(t.dropped), static_cast<long long>(t.blockedPosts));
      }
    }
    std::filesystem::remove_all(logDir);
    const int slots = bench::slotsOf(master);
    double a = bench::median(offJob), b = bench::median(onJob);
    double c = bench::median(offAll), d = bench::median(onAll);
    std::printf("ember,ui_overhead,off_%d,%s,%d,%.3f,%.3f\n", tasks, master.c_str(), slots, a, c);
    std::printf("ember,ui_overhead,on_%d,%s,%d,%.3f,%.3f\n", tasks, master.c_str(), slots, b, d);
    double e = bench::median(offCpu), f = bench::median(onCpu);
    std::printf("ember,ui_overhead_cpu,off_%d,%s,%d,%.3f,-\n", tasks, master.c_str(), slots, e);
    std::printf("ember,ui_overhead_cpu,on_%d,%s,%d,%.3f,-\n", tasks, master.c_str(), slots, f);
    std::fprintf(stderr, "ui_overhead_bench ratio on/off: job %.3f, drained %.3f, cpu %.3f\n",
                 b / a, d / c, f / e);
    if (dropped > 0) {
      std::fprintf(stderr, "ui_overhead_bench: the event bus dropped %lld events\n",
                   static_cast<long long>(dropped));
      return 1;
    }
  } catch (const ember::EmberError& e) {
    std::fprintf(stderr, "ui_overhead_bench failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
