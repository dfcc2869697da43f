#include "ember/core/task_input.h"

#include <fmt/format.h>

namespace ember {

namespace {
struct LastInput {
  std::string file;
  uint64_t splitStart = 0;
  int64_t firstRow = 0;
  int64_t rows = 0;
  bool set = false;
};
thread_local LastInput last;
}  // namespace

void noteTaskInput(const std::string& file, uint64_t splitStart, int64_t firstRow, int64_t rows) {
  if (last.file != file) last.file = file;  // no allocation per batch for the same file
  last.splitStart = splitStart;
  last.firstRow = firstRow;
  last.rows = rows;
  last.set = true;
}

void clearTaskInput() { last.set = false; }

std::string describeTaskInput() {
  if (!last.set) return {};
  return fmt::format("file {}, rows {} to {} of the split at byte {}", last.file, last.firstRow + 1,
                     last.firstRow + last.rows, last.splitStart);
}

std::string taskInputFile() { return last.set ? last.file : std::string(); }

}  // namespace ember
