// Components of upper layers (the web UI, the event log, cluster services) that attach
// to every Context without core depending on them.
//
// A layer registers a factory at static-initialisation time:
//   static const bool kRegistered = ember::registerContextPlugin("ui", [](Context& ctx) {...});
// The umbrella `ember` target links those layers whole (WHOLE_ARCHIVE), so such
// registrations are never dropped by the linker.
//
// Lifecycle: factories run in registration-name order at the end of the Context
// constructor, after the event bus has started and ApplicationStart was posted, so a
// plugin that adds a listener sees every later event (the bus replays nothing).
// A factory may return null (e.g. the UI when ember.ui.enabled=false). Plugins are
// destroyed by Context::stop(), in reverse order, after the last job has ended and
// ApplicationEnd was posted and delivered, before the scratch directories are removed.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace ember {

class Context;

class ContextPlugin {
 public:
  virtual ~ContextPlugin() = default;
  // Called by Context::stop() before destruction, after ApplicationEnd was delivered
  // to listeners; the place to flush files and close servers.
  virtual void stop() {}
};

using ContextPluginFactory = std::function<std::unique_ptr<ContextPlugin>(Context&)>;

// Returns true so that it can initialise a static. Registering a name twice replaces.
bool registerContextPlugin(const std::string& name, ContextPluginFactory factory);

}  // namespace ember
