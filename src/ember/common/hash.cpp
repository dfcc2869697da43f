#include "ember/common/hash.h"

#include <xxhash.h>

namespace ember {

uint64_t hashBytes(const void* data, size_t n) { return XXH3_64bits(data, n); }

}  // namespace ember
