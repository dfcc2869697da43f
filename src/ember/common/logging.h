// Logging: one line per message on stderr,
//   2026-11-22 01:02:03.456 WARN [thread-name] message
// in local time. Messages use fmt format strings, checked at compile time; the level is
// checked before anything is formatted, so a disabled logDebug costs one atomic load.
//
// The initial level comes from the environment variable EMBER_LOG_LEVEL (error, warn, info,
// debug), else warn. The session applies `ember.log.level` with
// setLogLevel(parseLogLevel(conf.get("ember.log.level"))).
//
// Threading: every function is thread-safe. Each line is written with a single write(2),
// so lines from concurrent threads never interleave. Thread names are per thread
// (setThreadName); unnamed threads print as "main" (the process's initial thread) or
// "thread-<tid>".
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>

namespace ember {

enum class LogLevel { Error, Warn, Info, Debug };

void setLogLevel(LogLevel level);
LogLevel logLevel();
// Case-insensitive "error", "warn" (or "warning"), "info", "debug"; else ConfigError.
LogLevel parseLogLevel(std::string_view text);
const char* logLevelName(LogLevel level);  // "ERROR", "WARN", "INFO", "DEBUG"

// Names the calling thread in log lines (e.g. "executor-task-3").
void setThreadName(std::string name);
const std::string& threadName();

bool logEnabled(LogLevel level);

namespace detail {
void logFormatted(LogLevel level, fmt::string_view format, fmt::format_args args);
}  // namespace detail

template <class... A>
void logError(fmt::format_string<A...> format, A&&... args) {
  if (logEnabled(LogLevel::Error)) {
    detail::logFormatted(LogLevel::Error, format, fmt::make_format_args(args...));
  }
}

template <class... A>
void logWarn(fmt::format_string<A...> format, A&&... args) {
  if (logEnabled(LogLevel::Warn)) {
    detail::logFormatted(LogLevel::Warn, format, fmt::make_format_args(args...));
  }
}

template <class... A>
void logInfo(fmt::format_string<A...> format, A&&... args) {
  if (logEnabled(LogLevel::Info)) {
    detail::logFormatted(LogLevel::Info, format, fmt::make_format_args(args...));
  }
}

template <class... A>
void logDebug(fmt::format_string<A...> format, A&&... args) {
  if (logEnabled(LogLevel::Debug)) {
    detail::logFormatted(LogLevel::Debug, format, fmt::make_format_args(args...));
  }
}

}  // namespace ember
