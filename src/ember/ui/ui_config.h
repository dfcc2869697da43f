// Configuration keys of the web UI, the event log and the history server, registered
// with Config::registerKey (documented in docs/configuration.md).
#pragma once

#include "ember/common/config.h"
#include "ember/ui/app_store.h"

namespace ember::ui {

// Registers the keys (idempotent). Called at static-initialisation time by the UI plugin
// and by anything reading the keys, so the keys exist wherever this layer is linked.
void registerUiKeys();

// ember.ui.retained* of the configuration.
RetentionLimits retentionLimits(const Config& conf);

}  // namespace ember::ui
