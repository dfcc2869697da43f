// Helper of parquet_duckdb.sh: reads a Parquet file with Ember and writes it back with
// Ember's writer.  Usage: parquet_tool <in.parquet> <out.parquet> <compression> <dictionary>
// Prints the number of rows copied.
#include <cstdio>
#include <exception>

#include "ember/io/file_format.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: parquet_tool <in> <out> <compression> <dictionary true|false>\n");
    return 2;
  }
  try {
    const ember::FileFormat& f = ember::FileFormat::forName("parquet");
    ember::FormatOptions o{
        {"compression", argv[3]}, {"dictionary", argv[4]}, {"rowGroupRows", "30000"}};
    ember::Schema s = f.inferSchema({argv[1]}, o);
    std::vector<int> proj;
    for (size_t i = 0; i < s.size(); ++i) proj.push_back(static_cast<int>(i));
    auto w = f.createWriter(argv[2], s, o);
    long long rows = 0;
    for (const auto& split : f.planSplits({argv[1]}, o, 1 << 20)) {
      auto r = f.open(split, s, proj, {}, o, 4096);
      while (auto b = r->next()) {
        w->write(*b);
        rows += b->numRows;
      }
    }
    w->close();
    std::printf("%lld\n", rows);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parquet_tool: %s\n", e.what());
    return 1;
  }
  return 0;
}
