// Shared by the libFuzzer harnesses: the readers take files, so each input is written to
// a per-process temporary file first.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ember/io/file_format.h"

namespace ember::fuzz {

inline std::string inputFile(const uint8_t* data, size_t size, const char* ext) {
  static const std::string path = "/tmp/ember_fuzz_" + std::to_string(::getpid()) + ext;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

// Reads every split of `path` with all columns (and with none: the count-only path);
// returns the rows read. Errors are EmberError exceptions (the caller catches them).
inline int64_t readAll(const FileFormat& fmt, const std::string& path, const Schema& schema,
                       const FormatOptions& o, uint64_t splitBytes) {
  std::vector<int> all;
  for (size_t i = 0; i < schema.size(); ++i) all.push_back(static_cast<int>(i));
  int64_t rows = 0;
  for (const auto& split : fmt.planSplits({path}, o, splitBytes)) {
    for (const auto& proj : {all, std::vector<int>{}}) {
      auto r = fmt.open(split, schema, proj, {}, o, 64);
      while (auto b = r->next()) {
        if (b->numRows <= 0 || b->numRows > 64 || b->numColumns() != proj.size()) std::abort();
        for (const auto& c : b->columns)
          if (c->size() != b->numRows) std::abort();
        rows += b->numRows;
      }
    }
  }
  return rows;
}

}  // namespace ember::fuzz
