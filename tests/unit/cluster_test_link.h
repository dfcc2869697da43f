// Tests that start a local-cluster link the cluster layer's registrars: the quick
// unit_cluster_* targets link ember_cluster as a plain static library, from which the
// linker would drop the objects that register `local-cluster[...]` and executor mode
// (the `ember` target, used by ember_unit_tests, links the layer whole). Referencing one
// symbol of each object keeps them. Without executor mode, the executor processes (this
// test binary re-run) would run the tests as drivers themselves.
#pragma once

#include "ember/cluster/executor_backend.h"

namespace ember::cluster {
bool mastersRegistered();  // cluster/masters.cpp
namespace testlink {
[[maybe_unused]] static const bool kClusterLinked = mastersRegistered() || executorModeRequested();
}  // namespace testlink
}  // namespace ember::cluster
