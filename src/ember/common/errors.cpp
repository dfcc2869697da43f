#include "ember/common/errors.h"

namespace ember {

void throwInternal(const char* cond, const char* file, int line, const std::string& detail) {
  std::string msg = "internal error (a bug in Ember): check failed: ";
  msg += cond;
  msg += " at ";
  msg += file;
  msg += ":" + std::to_string(line);
  if (!detail.empty()) msg += ": " + detail;
  throw InternalError(msg);
}

}  // namespace ember
