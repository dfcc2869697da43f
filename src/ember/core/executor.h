// Runs tasks on an executor: rebuilds the stage from its shipped form when it has
// one, computes the partition, and reports the outcome. Never throws: every failure
// becomes a TaskResult. Thread-safe; called by every task slot.
#pragma once

#include "ember/core/executor_env.h"
#include "ember/core/task.h"

namespace ember {

class Executor {
 public:
  explicit Executor(ExecutorEnv& env) : env_(env) {}
  TaskResult run(const TaskDescription& task);
  ExecutorEnv& env() { return env_; }

 private:
  ExecutorEnv& env_;
};

}  // namespace ember
