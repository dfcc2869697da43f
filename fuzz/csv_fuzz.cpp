// libFuzzer harness of the CSV reader: schema inference and reading with options picked
// by the first input byte. Any EmberError is an acceptable outcome; crashes, sanitizer
// reports and inconsistent batches are not.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember;
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string path = fuzz::inputFile(data + 1, size - 1, ".csv");
  FormatOptions o{{"header", flags & 1 ? "true" : "false"},
                  {"inferSchema", "true"},
                  {"multiLine", flags & 2 ? "true" : "false"},
                  {"mode", flags & 4   ? "PERMISSIVE"
                           : flags & 8 ? "DROPMALFORMED"
                                       : "FAILFAST"},
                  {"delimiter", flags & 16 ? "|" : ","},
                  {"prefersDecimal", flags & 32 ? "true" : "false"}};
  if (flags & 64) {
    o.set("dateFormat", flags & 8 ? "yyyyMMdd" : "dd/MM/yyyy");
    o.set("timestampFormat",
          flags & 8 ? "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]" : "dd/MM/yyyy HH:mm:ss.SSS");
  }
  try {
    const FileFormat& f = FileFormat::forName("csv");
    Schema s = f.inferSchema({path}, o);
    if (flags & 4) {  // PERMISSIVE with a corrupt-record column
      std::vector<Field> fields = s.fields();
      fields.push_back({"_corrupt_record", DataType::string(), true});
      s = Schema(fields);
    }
    fuzz::readAll(f, path, s, o, flags & 128 ? 7 : 1 << 20);
  } catch (const EmberError&) {
  }
  return 0;
}
