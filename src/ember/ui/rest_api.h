// The REST API under /api/v1, with Spark's paths and JSON field names where they apply
// (https://spark.apache.org/docs/latest/monitoring.html#rest-api), and the Prometheus
// text endpoint. Pure functions of an application's state (app_store.h): the live UI
// and the history server give the same answers for the same events.
//
// Paths (relative to /api/v1/applications/{appId}):
//   /jobs[?status=running|succeeded|failed], /jobs/{jobId}, /stages[?status=...],
//   /stages/{stageId}, /stages/{stageId}/{attempt}, /stages/{stageId}/{attempt}/taskList,
//   /stages/{stageId}/{attempt}/taskSummary, /executors, /allexecutors, /storage/rdd,
//   /storage/rdd/{rddId}, /environment, /sql, /sql/{executionId}
// Times are Spark's "yyyy-MM-ddTHH:mm:ss.SSSGMT" strings; durations are milliseconds.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/block_manager.h"
#include "ember/ui/app_store.h"

namespace ember::ui {

using Json = nlohmann::ordered_json;

// Cached blocks of the live application (BlockManager::blocks()); empty in history.
using StorageBlocks = std::vector<BlockInfo>;

// "2026-11-22T04:14:24.123GMT"
std::string sparkTime(int64_t epochMs);

// The /applications entry of one application.
Json applicationJson(const AppState& s);

// Answers `sub`, the path below /api/v1/applications/{appId} ("jobs", "stages/3/0", ...)
// with `query` the parsed query string. nullopt = no such path or object (HTTP 404).
std::optional<Json> restAnswer(const AppState& s, const std::string& sub,
                               const std::map<std::string, std::string>& query,
                               const StorageBlocks& blocks);

// Cached RDDs: one entry per RDD with blocks (Spark's RDDStorageInfo).
Json storageJson(const AppState& s, const StorageBlocks& blocks);

// Quantiles (linear interpolation) of the values; empty in -> all zero.
std::vector<double> quantiles(std::vector<double> values, const std::vector<double>& probs);

// Prometheus text exposition format of one application's counters and gauges.
std::string prometheusText(const AppState& s, const StorageBlocks& blocks);

}  // namespace ember::ui
