// HTML building blocks of the web UI's server-rendered pages: escaping, number and time
// formatting, the page frame (tabs, bundled CSS and JS) and tables. The CSS and JS are
// string literals in the binary: the UI needs no network and no files at run time.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ember/ui/app_store.h"

namespace ember::ui {

// Where the pages of one application live: "" for the live UI, "/history/<appId>" in
// the history server. Links are base + "/jobs/" etc.
struct PageBase {
  std::string base;
  bool history = false;
  int64_t now = 0;            // wall-clock ms of the request for a live UI; 0 in history
  int64_t droppedEvents = 0;  // by the live event bus: the pages may be incomplete
};

// "Now" for durations of running things: the request's time in a live UI, the last
// event's time in history, the end once the application ended.
inline int64_t nowOf(const AppState& s, const PageBase& b) {
  return s.endTime > 0 ? s.endTime : (b.now > 0 ? b.now : s.lastUpdated);
}

std::string esc(std::string_view text);
std::string urlEncode(std::string_view text);
std::string fmtBytes(int64_t bytes);       // "1.5 MiB"
std::string fmtDuration(int64_t ms);       // "12 ms", "3.4 s", "2.1 min", "1.5 h"
std::string fmtDateTime(int64_t epochMs);  // "2026/11/22 04:14:24" (UTC)

// The whole page: header with the application's name, tabs (activeTab is one of "jobs",
// "stages", "storage", "executors", "environment", "sql"), title and body. The page
// reloads itself every 2 s while `refresh`.
std::string pageFrame(const AppState& s, const PageBase& b, const std::string& activeTab,
                      const std::string& title, const std::string& body, bool refresh);

// A table: header cells and rows of already-rendered cells (HTML). Sortable by clicking a
// header (bundled JS). `id` names the table for tests and links.
std::string table(const std::string& id, const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows);

// A progress bar of completed/running out of total tasks ("3/10 (2 running)").
std::string progressBar(int completed, int running, int total, int failed, int skipped);

// A status label with a colour class.
std::string statusBadge(std::string_view status);

const char* bundledCss();
const char* bundledJs();

}  // namespace ember::ui
