// Error model of Ember (see docs/design/errors.md).
//
// Inside the engine, failures travel as C++ exceptions derived from EmberError; the
// scheduler catches them at task boundaries and turns them into task-failure reports,
// so the thrown type decides what happens next:
//   UserError        bad input or misuse; message says what was wrong and what to do
//   ConfigError      a configuration key or value is invalid
//   InternalError    a broken invariant inside Ember (a bug), prints what was compared
//   FetchFailedError a shuffle block could not be read: the map output is recomputed
//   TaskKilledError  the task was cancelled (job cancelled, or a speculative copy won)
//   JobFailedError   thrown to the caller of an action once a job is aborted
#pragma once

#include <stdexcept>
#include <string>

namespace ember {

class EmberError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `deterministic`: another attempt of the task would fail the same way (bad data, a bad
// query), so the scheduler fails the job at once instead of retrying. User code that
// throws something else inside an operation is wrapped non-deterministically (it may be a
// transient failure, as Spark assumes).
class UserError : public EmberError {
 public:
  explicit UserError(const std::string& what, bool deterministic = true)
      : EmberError(what), deterministic_(deterministic) {}
  bool deterministic() const { return deterministic_; }

 private:
  bool deterministic_;
};

class ConfigError : public UserError {
 public:
  explicit ConfigError(const std::string& what) : UserError(what) {}
};

class InternalError : public EmberError {
 public:
  using EmberError::EmberError;
};

class IoError : public EmberError {
 public:
  using EmberError::EmberError;
};

class TaskKilledError : public EmberError {
 public:
  using EmberError::EmberError;
};

class JobFailedError : public EmberError {
 public:
  using EmberError::EmberError;
};

// A reduce task could not read the output of map task `mapId` of shuffle `shuffleId`.
class FetchFailedError : public EmberError {
 public:
  FetchFailedError(int shuffleId, int mapId, int reduceId, const std::string& why)
      : EmberError("fetch failed: shuffle " + std::to_string(shuffleId) + ", map " +
                   std::to_string(mapId) + ", reduce " + std::to_string(reduceId) + ": " + why),
        shuffleId(shuffleId),
        mapId(mapId),
        reduceId(reduceId) {}
  int shuffleId;
  int mapId;
  int reduceId;
};

// Throws InternalError naming the failed condition and location. For invariants only;
// user-facing problems throw UserError with an actionable message.
[[noreturn]] void throwInternal(const char* cond, const char* file, int line,
                                const std::string& detail);

#define EMBER_CHECK(cond, detail)                                             \
  do {                                                                        \
    if (!(cond)) ::ember::throwInternal(#cond, __FILE__, __LINE__, (detail)); \
  } while (0)

}  // namespace ember
