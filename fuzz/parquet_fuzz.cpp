// libFuzzer harness of the Parquet reader: footer, schema, splits, every column of every
// row group, with and without a pushed predicate. Any EmberError is an acceptable
// outcome; crashes, sanitizer reports and inconsistent batches are not.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  std::string path = fuzz::inputFile(data, size, ".parquet");
  try {
    const FileFormat& f = FileFormat::forName("parquet");
    Schema s = f.inferSchema({path}, {});
    fuzz::readAll(f, path, s, {}, 1);
    if (s.size() > 0) {
      std::vector<ColumnPredicate> preds{{0, ColumnPredicate::Op::kIsNotNull, {}}};
      for (const auto& split : f.planSplits({path}, {}, 1 << 20)) {
        auto r = f.open(split, s, {0}, preds, {}, 1000);
        while (r->next()) {
        }
      }
    }
  } catch (const EmberError&) {
  }
  return 0;
}
