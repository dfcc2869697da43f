// The REST answers shared by several paths and the pages: times, quantiles, the
// application entry and cached RDDs (rest_api.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "ember/ui/rest_api.h"

namespace ember::ui {

std::string sparkTime(int64_t epochMs) {
  std::time_t secs = static_cast<std::time_t>(epochMs / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}GMT", buf, static_cast<int>(epochMs % 1000));
}

std::vector<double> quantiles(std::vector<double> values, const std::vector<double>& probs) {
  std::vector<double> out;
  std::sort(values.begin(), values.end());
  for (double p : probs) {
    if (values.empty()) {
      out.push_back(0);
      continue;
    }
    double pos = p * static_cast<double>(values.size() - 1);
    size_t lo = static_cast<size_t>(std::floor(pos));
    size_t hi = std::min(lo + 1, values.size() - 1);
    out.push_back(values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo)));
  }
  return out;
}

Json applicationJson(const AppState& s) {
  int64_t end = s.endTime > 0 ? s.endTime : s.lastUpdated;
  Json attempt{{"startTime", sparkTime(s.startTime)},
               {"endTime", s.endTime > 0 ? sparkTime(s.endTime) : sparkTime(0)},
               {"lastUpdated", sparkTime(s.lastUpdated)},
               {"duration", end - s.startTime},
               {"sparkUser", ""},
               {"completed", s.endTime > 0},
               {"appSparkVersion", "ember"},
               {"startTimeEpoch", s.startTime},
               {"endTimeEpoch", s.endTime > 0 ? s.endTime : -1},
               {"lastUpdatedEpoch", s.lastUpdated}};
  return Json{{"id", s.appId}, {"name", s.appName}, {"attempts", Json::array({attempt})}};
}

Json storageJson(const AppState& s, const StorageBlocks& blocks) {
  std::map<int, std::vector<const BlockInfo*>> byRdd;
  for (const auto& b : blocks) byRdd[b.id.rddId].push_back(&b);
  Json out = Json::array();
  for (const auto& [rddId, bs] : byRdd) {
    auto info = s.persistedRdds.find(rddId);
    int64_t mem = 0, disk = 0;
    for (const auto* b : bs) {
      mem += b->memoryBytes;
      disk += b->diskBytes;
    }
    std::string name = info != s.persistedRdds.end()
                           ? fmt::format("{} at {}", info->second.name, info->second.callSite)
                           : fmt::format("RDD {}", rddId);
    int parts =
        info != s.persistedRdds.end() ? info->second.numPartitions : static_cast<int>(bs.size());
    Json partitions = Json::array();
    for (const auto* b : bs)
      partitions.push_back({{"blockName", fmt::format("rdd_{}_{}", rddId, b->id.partition)},
                            {"storageLevel", storageLevelName(b->level)},
                            {"memoryUsed", b->memoryBytes},
                            {"diskUsed", b->diskBytes},
                            {"executors", Json::array({"driver"})}});
    out.push_back({{"id", rddId},
                   {"name", name},
                   {"numPartitions", parts},
                   {"numCachedPartitions", bs.size()},
                   {"storageLevel", storageLevelName(bs.front()->level)},
                   {"memoryUsed", mem},
                   {"diskUsed", disk},
                   {"partitions", partitions}});
  }
  return out;
}

}  // namespace ember::ui
