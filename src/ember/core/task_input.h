// The input a task read last, so that an error raised while processing data can say
// where the data came from ("file /data/x.csv, rows 8193 to 12288 of the split at byte
// 0"). Scans note each batch they hand on; the executor clears the note when a task
// starts and appends it to the task's failure. Thread-local: a task runs on one thread.
#pragma once

#include <cstdint>
#include <string>

namespace ember {

// `rows` rows starting at `firstRow` (0-based, counted within the split) were read from
// the split of `file` that starts at byte `splitStart`.
void noteTaskInput(const std::string& file, uint64_t splitStart, int64_t firstRow, int64_t rows);
void clearTaskInput();
// "file F, rows A to B of the split at byte S" (1-based rows), or "" when nothing was noted.
std::string describeTaskInput();
// The file of the last noted input, or "" when nothing was noted.
std::string taskInputFile();

}  // namespace ember
