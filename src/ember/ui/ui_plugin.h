// The web UI and event log attach to every Context through a ContextPlugin registered by
// this layer (ui_plugin.cpp). ember.ui.enabled serves the UI (ember.ui.host/port, the
// next free port if taken; a busy range only logs a warning), ember.eventLog.enabled
// writes the event log (event_log.h). Both stop when the Context stops.
#pragma once

#include <optional>
#include <string>

namespace ember::ui {

// The port the live UI of application `appId` listens on, while its Context runs;
// nullopt if it has no UI. Thread-safe.
std::optional<int> liveUiPort(const std::string& appId);

// Makes sure the plugin is registered. Programs linking the `ember` target need not call
// it (the layer is linked whole); test binaries linking only ember_ui do.
void ensureUiPluginRegistered();

}  // namespace ember::ui
