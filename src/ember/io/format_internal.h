// Internals shared by the file formats of file_format.h (not part of the public API).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/io/file_format.h"

namespace ember {

const FileFormat& csvFileFormat();
const FileFormat& textFileFormat();
const FileFormat& parquetFileFormat();
const FileFormat& jsonFileFormat();

// Size of a regular file; IoError naming it when it cannot be stat'ed.
uint64_t fileSizeOf(const std::string& path);

// Byte-range splits with text_input.h's rule (compressed files whole); `whole` forces
// one split per file (multiLine records may contain newlines).
std::vector<FileSplit> byteRangeSplits(const std::vector<std::string>& files,
                                       uint64_t targetSplitBytes, bool whole);

// Validates a projection against the schema (UserError naming the bad index).
void checkProjection(const Schema& schema, const std::vector<int>& projection);

// The schema of `projection`.
Schema projectSchema(const Schema& schema, const std::vector<int>& projection);

// Creates the missing parent directories of `path` (IoError on failure).
void createParentDirs(const std::string& path);

// Three-way comparison of two non-null values of the same type (numbers by value,
// strings bytewise); used for statistics-based pruning.
int compareValues(const Value& a, const Value& b);

// Whether a value range [min, max] with `nullCount` nulls of `rows` rows may hold a row
// satisfying `p`. min/max may be null (unknown): then only null tests can prune. Literals
// of a type that does not compare with the column's (the planner should have cast them)
// and NaN-sensitive float comparisons never prune. nullCount < 0 means unknown.
bool rangeMayMatch(const ColumnPredicate& p, const Value& min, const Value& max, int64_t nullCount,
                   int64_t rows);

}  // namespace ember
