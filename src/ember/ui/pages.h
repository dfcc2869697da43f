// The web UI's pages, rendered on the server from an application's state. Pure functions
// of the state (the caller holds the store's lock); thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ember/ui/html.h"
#include "ember/ui/rest_api.h"

namespace ember::ui {

using Query = std::map<std::string, std::string>;

// The page at `path` (below the base: "/jobs/", "/jobs/job/", "/stages/",
// "/stages/stage/", "/storage/", "/storage/rdd/", "/executors/", "/environment/",
// "/SQL/", "/SQL/execution/"), or nullopt (404) for an unknown path or object.
std::optional<std::string> renderPage(const AppState& s, const PageBase& b, const std::string& path,
                                      const Query& query, const StorageBlocks& blocks);

// Pages (pages_*.cpp).
std::string jobsPage(const AppState& s, const PageBase& b);
std::optional<std::string> jobPage(const AppState& s, const PageBase& b, int jobId);
std::string stagesPage(const AppState& s, const PageBase& b);
std::optional<std::string> stagePage(const AppState& s, const PageBase& b, int stageId,
                                     int attempt);
std::string storagePage(const AppState& s, const PageBase& b, const StorageBlocks& blocks);
std::string executorsPage(const AppState& s, const PageBase& b, const StorageBlocks& blocks);
std::string environmentPage(const AppState& s, const PageBase& b);
std::string sqlPage(const AppState& s, const PageBase& b);
std::optional<std::string> sqlExecutionPage(const AppState& s, const PageBase& b, int64_t id);

// A table of stage attempts (shared by the Stages and Job pages).
std::string stageTable(const AppState& s, const PageBase& b, const std::string& id,
                       const std::vector<const StageRow*>& stages);

// SVG drawings (svg.cpp).
// The job's DAG as Spark draws it: one box per stage listing its operations (RDDs), the
// shuffle dependencies as arrows between boxes, skipped stages greyed.
std::string jobDagSvg(const AppState& s, const PageBase& b, const JobRow& job);
// The SQL execution's physical plan: operators as boxes with their metrics, data flowing
// from the scans at the top down to the root.
std::string sqlPlanSvg(const SqlRow& q);
// The stage's tasks on a time axis, one lane per concurrently used task slot of each
// executor.
std::string taskTimelineSvg(const StageRow& st);

}  // namespace ember::ui
