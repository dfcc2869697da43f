#include "ember/cluster/process_launcher.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/common/errors.h"
#include "ember/common/logging.h"

extern char** environ;

namespace ember::cluster {

namespace {
std::string describeExit(int status) {
  if (WIFEXITED(status)) return fmt::format("process exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return fmt::format("process killed by signal {} (SIG{})", sig, name ? name : "?");
  }
  return "process ended";
}
}  // namespace

ProcessSpec selfProcessSpec() {
  ProcessSpec s;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    throw IoError("cannot find this program's binary (/proc/self/exe) to start executors");
  s.exe.assign(buf, static_cast<size_t>(n));
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    s.argv.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  if (s.argv.empty()) s.argv.push_back(s.exe);
  return s;
}

ProcessLauncher::~ProcessLauncher() { stopAll(0); }

void ProcessLauncher::launch(const std::string& executorId, const std::string& driverUrl,
                             std::function<void(const std::string& reason)> onExit) {
  // The environment of the child: ours, minus executor variables we may have inherited,
  // plus the ones that make it an executor of this driver.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "EMBER_EXECUTOR_", 15) != 0) env.emplace_back(*e);
  env.push_back(std::string(kEnvDriverUrl) + "=" + driverUrl);
  env.push_back(std::string(kEnvExecutorId) + "=" + executorId);
  env.push_back(std::string(kEnvSlots) + "=" + std::to_string(spec_.slots));
  env.push_back(std::string(kEnvMemoryMb) + "=" + std::to_string(spec_.memoryMb));
  if (!spec_.secret.empty()) env.push_back(std::string(kEnvSecret) + "=" + spec_.secret);
  if (spec_.dieWithParent)
    env.push_back(std::string(kEnvParentPid) + "=" + std::to_string(getpid()));
  for (auto& [k, v] : spec_.extraEnv) env.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec_.argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  // The executor's stdout joins its stderr (the driver's stderr): what tasks print is
  // visible, and the driver's stdout carries only the application's output.
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  std::string out, err;
  if (spec_.logDir.empty()) {
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
  } else {
    std::string dir = spec_.logDir + "/" + executorId;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError("cannot create executor log directory " + dir + ": " + ec.message());
    out = dir + "/stdout";
    err = dir + "/stderr";
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  pid_t pid = -1;
  int rc = posix_spawn(&pid, spec_.exe.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw IoError(
        fmt::format("cannot start executor {} ({}): {}", executorId, spec_.exe, std::strerror(rc)));
  logInfo("started executor {} as process {}", executorId, pid);
  std::lock_guard lock(mutex_);
  Child& c = children_[executorId];
  c.pid = pid;
  c.waiter = std::thread([this, executorId, pid, onExit = std::move(onExit)] {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string reason = describeExit(status);
    {
      std::lock_guard lock(mutex_);
      children_[executorId].exited = true;
      children_[executorId].exitReason = reason;
    }
    exited_.notify_all();
    // Also while stopping: a worker gives the executor's cores back here.
    onExit(reason);
  });
}

void ProcessLauncher::kill(const std::string& executorId) {
  std::lock_guard lock(mutex_);
  auto it = children_.find(executorId);
  if (it != children_.end() && !it->second.exited) ::kill(it->second.pid, SIGKILL);
}

std::string ProcessLauncher::exitReason(const std::string& executorId, int64_t waitMs) {
  std::unique_lock lock(mutex_);
  auto it = children_.find(executorId);
  if (it == children_.end()) return {};
  const Child& c = it->second;
  exited_.wait_for(lock, std::chrono::milliseconds(waitMs), [&] { return c.exited; });
  return c.exited ? c.exitReason : std::string();
}

int ProcessLauncher::pidOf(const std::string& executorId) const {
  std::lock_guard lock(mutex_);
  auto it = children_.find(executorId);
  return it == children_.end() || it->second.exited ? -1 : it->second.pid;
}

void ProcessLauncher::stopAll(int64_t graceMs) {
  std::unique_lock lock(mutex_);
  auto allExited = [&] {
    for (auto& [id, c] : children_)
      if (!c.exited) return false;
    return true;
  };
  exited_.wait_for(lock, std::chrono::milliseconds(graceMs), allExited);
  for (auto& [id, c] : children_)
    if (!c.exited) ::kill(c.pid, SIGKILL);
  std::vector<std::thread> waiters;
  for (auto& [id, c] : children_)
    if (c.waiter.joinable()) waiters.push_back(std::move(c.waiter));
  lock.unlock();
  for (auto& t : waiters) t.join();
}

}  // namespace ember::cluster
