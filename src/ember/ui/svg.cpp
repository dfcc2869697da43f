#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "ember/ui/pages.h"

namespace ember::ui {

namespace {

constexpr const char* kArrowDefs =
    "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
    "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" "
    "fill=\"#555\"/></marker></defs>";

// Longest-path depth of each node of a DAG given its parents (sources have depth 0).
std::map<int, int> depths(const std::map<int, std::vector<int>>& parents) {
  std::map<int, int> depth;
  std::function<int(int, int)> visit = [&](int id, int guard) -> int {
    auto it = depth.find(id);
    if (it != depth.end()) return it->second;
    int d = 0;
    auto p = parents.find(id);
    if (p != parents.end() && guard < 1000)
      for (int parent : p->second)
        if (parents.contains(parent)) d = std::max(d, visit(parent, guard + 1) + 1);
    depth[id] = d;
    return d;
  };
  for (const auto& [id, ps] : parents) visit(id, 0);
  return depth;
}

}  // namespace

std::string jobDagSvg(const AppState& s, const PageBase& b, const JobRow& job) {
  // Stage boxes in columns by depth (sources left), stacked within a column.
  std::map<int, std::vector<int>> parents;
  std::map<int, const StageInfo*> infos;
  for (const auto& info : job.stageInfos) {
    parents[info.stageId] = info.parentStageIds;
    infos[info.stageId] = &info;
  }
  for (int id : job.stageIds) parents.try_emplace(id);
  auto depth = depths(parents);
  constexpr int kW = 230, kGapX = 70, kLine = 16, kHead = 26, kPad = 10, kGapY = 24;
  std::map<int, int> colHeight;
  struct Box {
    int x, y, h;
  };
  std::map<int, Box> boxes;
  for (const auto& [id, d] : depth) {
    auto it = infos.find(id);
    int lines = it != infos.end() ? static_cast<int>(it->second->rdds.size()) : 0;
    int h = kHead + std::max(1, lines) * kLine + kPad;
    int x = 20 + d * (kW + kGapX);
    int y = 20 + colHeight[d];
    colHeight[d] += h + kGapY;
    boxes[id] = Box{x, y, h};
  }
  int width = 40, height = 40;
  for (const auto& [id, bx] : boxes) {
    width = std::max(width, bx.x + kW + 20);
    height = std::max(height, bx.y + bx.h + 20);
  }
  std::string out = fmt::format(
      "<svg id=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\">{}", width,
      height, kArrowDefs);
  for (const auto& [id, ps] : parents) {
    for (int p : ps) {
      if (!boxes.contains(p)) continue;
      const Box& from = boxes[p];
      const Box& to = boxes[id];
      out += fmt::format(
          "<line class=\"shuffle-edge\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\" "
          "stroke-width=\"1.5\" marker-end=\"url(#arrow)\"><title>shuffle: stage {} -> stage "
          "{}</title></line>",
          from.x + kW, from.y + from.h / 2, to.x - 2, to.y + to.h / 2, p, id);
    }
  }
  for (const auto& [id, bx] : boxes) {
    std::string status = s.stageStatusForJob(job, id);
    const char* fill = status == "SKIPPED"   ? "#eeeeee"
                       : status == "FAILED"  ? "#fbe3e2"
                       : status == "ACTIVE"  ? "#e3f1fb"
                       : status == "PENDING" ? "#f6f6f6"
                                             : "#e8f5ec";
    const StageRow* st = s.latestAttempt(id);
    std::string href =
        fmt::format("{}/stages/stage/?id={}&amp;attempt={}", b.base, id, st ? st->attempt : 0);
    out += fmt::format(
        "<g class=\"stage-box\" id=\"dag-stage-{}\"><a href=\"{}\"><rect x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{}\" stroke=\"#7a8a99\"/>"
        "<text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"600\">Stage {} "
        "<tspan font-weight=\"400\" fill=\"#666\">{}</tspan></text></a>",
        id, href, bx.x, bx.y, kW, bx.h, fill, bx.x + 8, bx.y + 17, id,
        status == "COMPLETE" ? "" : esc(status));
    auto info = infos.find(id);
    if (info != infos.end()) {
      // The stage's RDDs were listed from its last RDD upwards; draw sources first.
      const auto& rdds = info->second->rdds;
      int line = 0;
      for (auto r = rdds.rbegin(); r != rdds.rend(); ++r, ++line) {
        std::string label = fmt::format("{} [{}]", r->name, r->rddId);
        out += fmt::format(
            "<text class=\"rdd-op\" x=\"{}\" y=\"{}\" font-size=\"12\">{}{}<title>{} at {} "
            "({} partitions{}{})</title></text>",
            bx.x + 14, bx.y + kHead + 8 + line * kLine, r->storageLevel.empty() ? "" : "● ",
            esc(label), esc(r->name), esc(r->callSite), r->numPartitions,
            r->storageLevel.empty() ? "" : ", ", esc(r->storageLevel));
      }
    }
    out += "</g>";
  }
  out += "</svg>";
  return out;
}

std::string sqlPlanSvg(const SqlRow& q) {
  // Rows by depth from the scans (nodes no edge flows into), data flowing downwards.
  std::map<int, std::vector<int>> parents;  // here: a node's inputs
  for (const auto& n : q.nodes) parents[n.id];
  for (const auto& e : q.edges) parents[e.toId].push_back(e.fromId);
  auto depth = depths(parents);
  std::map<int, const SqlNodeMetrics*> metrics;
  for (const auto& m : q.metrics) metrics[m.nodeId] = &m;
  constexpr int kW = 240, kH = 78, kGapX = 30, kGapY = 44;
  std::map<int, int> rowCount;
  std::map<int, std::pair<int, int>> pos;
  for (const auto& n : q.nodes) {
    int d = depth[n.id];
    pos[n.id] = {20 + rowCount[d]++ * (kW + kGapX), 20 + d * (kH + kGapY)};
  }
  int width = 40, height = 40;
  for (const auto& [id, p] : pos) {
    width = std::max(width, p.first + kW + 20);
    height = std::max(height, p.second + kH + 20);
  }
  std::string out = fmt::format(
      "<svg id=\"plan\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\">{}", width,
      height, kArrowDefs);
  for (const auto& e : q.edges) {
    if (!pos.contains(e.fromId) || !pos.contains(e.toId)) continue;
    auto [fx, fy] = pos[e.fromId];
    auto [tx, ty] = pos[e.toId];
    out += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\" stroke-width=\"1.5\" "
        "marker-end=\"url(#arrow)\"/>",
        fx + kW / 2, fy + kH, tx + kW / 2, ty - 2);
  }
  for (const auto& n : q.nodes) {
    auto [x, y] = pos[n.id];
    out += fmt::format(
        "<g class=\"plan-node\" id=\"plan-node-{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"{}\" rx=\"4\" fill=\"#eef4fb\" stroke=\"#7a8a99\"/><text x=\"{}\" y=\"{}\" "
        "font-size=\"13\" font-weight=\"600\">{}<title>{}</title></text>",
        n.id, x, y, kW, kH, x + 8, y + 17, esc(n.name), esc(n.detail));
    auto m = metrics.find(n.id);
    if (m != metrics.end()) {
      const SqlNodeMetrics& v = *m->second;
      std::string lines[] = {fmt::format("rows: {}", v.rows),
                             fmt::format("time: {}", fmtDuration(v.timeNs / 1000000)),
                             fmt::format("peak memory: {}", fmtBytes(v.peakMemoryBytes)),
                             fmt::format("spill: {}", fmtBytes(v.spillBytes))};
      for (int i = 0; i < 4; ++i)
        out += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#333\">{}</text>",
                           x + 10, y + 33 + i * 12, esc(lines[i]));
    }
    out += "</g>";
  }
  out += "</svg>";
  return out;
}

std::string taskTimelineSvg(const StageRow& st) {
  if (st.tasks.empty()) return "<p>No task rows retained.</p>";
  int64_t t0 = INT64_MAX, t1 = 0;
  for (const auto& [id, t] : st.tasks) {
    t0 = std::min(t0, t.launchTime);
    t1 = std::max(t1, t.finishTime > 0 ? t.finishTime : t.launchTime);
  }
  const double span = std::max<int64_t>(1, t1 - t0);
  // Greedy lanes per executor: a task takes the first lane free at its launch.
  std::map<std::string, std::vector<int64_t>> laneEnds;
  struct Bar {
    const TaskRow* t;
    std::string exec;
    int lane;
  };
  std::vector<Bar> bars;
  std::vector<const TaskRow*> byStart;
  for (const auto& [id, t] : st.tasks) byStart.push_back(&t);
  std::stable_sort(byStart.begin(), byStart.end(),
                   [](auto* a, auto* b) { return a->launchTime < b->launchTime; });
  // Thousands of bars say no more than two thousand and make the page slow.
  constexpr size_t kMaxBars = 2000;
  if (byStart.size() > kMaxBars) byStart.resize(kMaxBars);
  for (const TaskRow* t : byStart) {
    auto& ends = laneEnds[std::string(t->executorId)];
    int64_t end = t->finishTime > 0 ? t->finishTime : t1;
    size_t lane = 0;
    while (lane < ends.size() && ends[lane] > t->launchTime) ++lane;
    if (lane == ends.size()) ends.push_back(0);
    ends[lane] = std::max(end, t->launchTime + 1);
    bars.push_back({t, std::string(t->executorId), static_cast<int>(lane)});
  }
  constexpr int kLabel = 110, kPlot = 900, kLaneH = 14;
  std::map<std::string, int> laneOffset;
  int lanes = 0;
  for (const auto& [exec, ends] : laneEnds) {
    laneOffset[exec] = lanes;
    lanes += static_cast<int>(ends.size());
  }
  int height = 30 + lanes * kLaneH + 10;
  std::string out = fmt::format(
      "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\">",
      kLabel + kPlot + 20, height);
  out += fmt::format(
      "<text x=\"{}\" y=\"14\" font-size=\"11\" fill=\"#666\">0</text><text x=\"{}\" y=\"14\" "
      "font-size=\"11\" fill=\"#666\" text-anchor=\"end\">{}</text>",
      kLabel, kLabel + kPlot, esc(fmtDuration(t1 - t0)));
  for (const auto& [exec, off] : laneOffset)
    out += fmt::format("<text x=\"4\" y=\"{}\" font-size=\"11\">executor {}</text>",
                       30 + off * kLaneH + 10, esc(exec));
  for (const auto& bar : bars) {
    const TaskRow& t = *bar.t;
    int64_t end = t.finishTime > 0 ? t.finishTime : t1;
    double x = kLabel + kPlot * static_cast<double>(t.launchTime - t0) / span;
    double w = std::max(1.0, kPlot * static_cast<double>(end - t.launchTime) / span);
    const char* color = t.status == "SUCCESS"   ? "#3fa66a"
                        : t.status == "RUNNING" ? "#1a8fd6"
                        : t.status == "KILLED"  ? "#b07b1a"
                                                : "#d64541";
    out += fmt::format(
        "<rect class=\"task-bar\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" "
        "fill=\"{}\"><title>task {} (partition {}, attempt {}): {} {}</title></rect>",
        x, 30 + (laneOffset[bar.exec] + bar.lane) * kLaneH, w, kLaneH - 3, color, t.taskId,
        t.partition, t.attempt, t.status, fmtDuration(end - t.launchTime));
  }
  out += "</svg>";
  return out;
}

}  // namespace ember::ui
