// libFuzzer harness of the JSON reader: inference and reading (lines or multiLine) in
// each bad-record mode. Any EmberError is an acceptable outcome; crashes, sanitizer
// reports and inconsistent batches are not.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string path = fuzz::inputFile(data + 1, size - 1, ".json");
  FormatOptions o{{"multiLine", flags & 1 ? "true" : "false"},
                  {"mode", flags & 2   ? "PERMISSIVE"
                           : flags & 4 ? "DROPMALFORMED"
                                       : "FAILFAST"},
                  {"prefersDecimal", flags & 8 ? "true" : "false"}};
  try {
    const FileFormat& f = FileFormat::forName("json");
    Schema s = f.inferSchema({path}, o);
    if (flags & 16) {  // read everything as strings too (the nested-as-text path)
      std::vector<Field> fields = s.fields();
      for (auto& x : fields) x.type = DataType::string();
      s = Schema(fields);
    }
    fuzz::readAll(f, path, s, o, flags & 32 ? 5 : 1 << 20);
  } catch (const EmberError&) {
  }
  return 0;
}
