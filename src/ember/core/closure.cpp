#include "ember/core/closure.h"

namespace ember::detail {

// Its address is the origin of shipped function-pointer offsets (closure.h).
void closureAnchor() {}

}  // namespace ember::detail
