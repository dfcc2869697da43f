#include "ember/common/logging.h"

#include <fmt/format.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>

#include "ember/common/errors.h"

namespace ember {
namespace {

std::optional<LogLevel> tryParse(std::string_view text) {
  std::string t;
  for (char c : text) t += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (t == "error") return LogLevel::Error;
  if (t == "warn" || t == "warning") return LogLevel::Warn;
  if (t == "info") return LogLevel::Info;
  if (t == "debug") return LogLevel::Debug;
  return std::nullopt;
}

// Read once, on first use, so that logging from static initialisers already honours
// EMBER_LOG_LEVEL. A bad value cannot throw here (any log call could be the first), so it
// falls back to warn and says so.
std::atomic<int>& levelVar() {
  static std::atomic<int> level = [] {
    const char* env = std::getenv("EMBER_LOG_LEVEL");
    if (env == nullptr || *env == '\0') return static_cast<int>(LogLevel::Warn);
    if (auto l = tryParse(env)) return static_cast<int>(*l);
    std::string msg = fmt::format(
        "ember: ignoring EMBER_LOG_LEVEL='{}': expected error, warn, info or debug\n", env);
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg.data(), msg.size());
    return static_cast<int>(LogLevel::Warn);
  }();
  return level;
}

thread_local std::string tlsThreadName;

void writeAll(const std::string& line) {
  // One write per line keeps lines whole; the mutex also orders them between our own
  // threads when the kernel would split a large write to a pipe.
  static std::mutex mu;
  std::lock_guard lock(mu);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stderr is gone; nothing sensible left to report to
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void setLogLevel(LogLevel level) {
  levelVar().store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel logLevel() { return static_cast<LogLevel>(levelVar().load(std::memory_order_relaxed)); }

bool logEnabled(LogLevel level) {
  return static_cast<int>(level) <= levelVar().load(std::memory_order_relaxed);
}

LogLevel parseLogLevel(std::string_view text) {
  if (auto l = tryParse(text)) return *l;
  throw ConfigError("invalid log level '" + std::string(text) +
                    "': expected error, warn, info or debug");
}

const char* logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::Error:
      return "ERROR";
    case LogLevel::Warn:
      return "WARN";
    case LogLevel::Info:
      return "INFO";
    case LogLevel::Debug:
      return "DEBUG";
  }
  return "?";
}

void setThreadName(std::string name) { tlsThreadName = std::move(name); }

const std::string& threadName() {
  if (tlsThreadName.empty()) {
    pid_t tid = ::gettid();
    tlsThreadName = tid == ::getpid() ? "main" : "thread-" + std::to_string(tid);
  }
  return tlsThreadName;
}

namespace detail {

void logFormatted(LogLevel level, fmt::string_view format, fmt::format_args args) {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  std::tm tm{};
  ::localtime_r(&tv.tv_sec, &tm);
  char stamp[32];
  size_t len = std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  std::string line =
      fmt::format("{}.{:03d} {} [{}] ", std::string_view(stamp, len),
                  static_cast<int>(tv.tv_usec / 1000), logLevelName(level), threadName());
  fmt::vformat_to(std::back_inserter(line), format, args);
  line += '\n';
  writeAll(line);
}

}  // namespace detail
}  // namespace ember
