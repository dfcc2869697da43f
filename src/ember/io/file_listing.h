// Resolving the path argument of textFile() and friends into the list of files to read.
//
// A path spec is a comma-separated list (commas inside {...} belong to a brace pattern and do
// not separate elements, as in Hadoop's FileInputFormat). Each element is one of
//   - a regular file: read as is, whatever its name;
//   - a directory: its regular files, not recursive; names starting with '.' or '_' are
//     skipped (Hadoop's hidden-file rule, which keeps _SUCCESS and .crc files out);
//   - a glob pattern (contains * ? [ or {): expanded by glob(3) with brace and tilde
//     expansion; matched directories are expanded as above, matched files starting with
//     '.' or '_' are skipped unless the pattern's last component itself starts with one.
// A leading '~' is expanded in every element; a "file:" scheme prefix is accepted.
//
// Returned paths are absolute and lexically normalised (executors may run in another working
// directory), sorted, without duplicates. Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct InputFile {
  std::string path;
  uint64_t size = 0;

  bool operator==(const InputFile&) const = default;
};

// Throws UserError "Input path does not exist: <path>" for a missing file or directory and
// "Input pattern <p> matches 0 files" for a glob without matches; both name a close existing
// entry of the parent directory when there is one ("did you mean ...?"). An empty spec or
// element, or a non-local scheme (hdfs://, s3://), is a UserError too.
std::vector<InputFile> listInputFiles(std::string_view pathSpec);

// Splits a path spec at top-level commas (not those inside braces). Exposed for tests.
std::vector<std::string> splitPathSpec(std::string_view pathSpec);

}  // namespace ember
