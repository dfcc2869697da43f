#include "ember/ui/html.h"

#include <fmt/format.h>

#include <ctime>

namespace ember::ui {

namespace {

constexpr const char* kCss = R"CSS(
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px;margin:0;color:#222;background:#fafafa}
header{background:#1f2d3d;color:#fff;display:flex;align-items:center;padding:0 16px;height:48px;gap:24px}
header .brand{font-weight:700;font-size:18px;color:#ffb347;text-decoration:none}
header nav a{color:#cfd8e3;text-decoration:none;padding:14px 10px;display:inline-block}
header nav a.active,header nav a:hover{color:#fff;background:#33475b}
header .app{margin-left:auto;color:#cfd8e3;font-size:13px}
main{padding:16px 24px}
h1{font-size:22px;margin:8px 0 12px}
h2{font-size:17px;margin:20px 0 8px}
a{color:#1a6fb5}
table.ui{border-collapse:collapse;width:100%;background:#fff;margin-bottom:12px}
table.ui th,table.ui td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
table.ui th{background:#eef2f6;cursor:pointer;user-select:none;white-space:nowrap}
table.ui tr:nth-child(even) td{background:#f7f9fb}
.num{text-align:right}
.progress{position:relative;width:180px;height:18px;background:#e4e8ec;border-radius:3px;overflow:hidden}
.progress .done{position:absolute;left:0;top:0;bottom:0;background:#3fa66a}
.progress .running{position:absolute;top:0;bottom:0;background:#7cc4f2}
.progress span{position:relative;font-size:12px;padding-left:6px;line-height:18px}
.badge{display:inline-block;padding:1px 6px;border-radius:3px;font-size:12px;color:#fff;background:#888}
.badge.SUCCEEDED,.badge.COMPLETE,.badge.SUCCESS,.badge.COMPLETED{background:#3fa66a}
.badge.RUNNING,.badge.ACTIVE{background:#1a8fd6}
.badge.FAILED{background:#d64541}
.badge.KILLED{background:#b07b1a}
.badge.SKIPPED,.badge.PENDING{background:#999}
.summary{display:flex;gap:24px;flex-wrap:wrap;background:#fff;border:1px solid #ddd;padding:8px 12px;margin-bottom:12px}
.summary div b{display:block;font-size:12px;color:#666;font-weight:400}
.error{color:#b02a26;white-space:pre-wrap;font-family:monospace;font-size:12px}
pre.details{background:#fff;border:1px solid #ddd;padding:8px;font-size:12px;overflow:auto}
svg text{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
.graph{background:#fff;border:1px solid #ddd;overflow:auto;margin-bottom:12px}
)CSS";

// Sortable tables: click a header to sort by that column (numbers by data-v if given).
constexpr const char* kJs = R"JS(
document.addEventListener('click',function(ev){
  var th=ev.target.closest('table.ui th'); if(!th) return;
  var table=th.closest('table'), body=table.tBodies[0], idx=Array.prototype.indexOf.call(th.parentNode.children,th);
  var asc=th.getAttribute('data-sort')!=='asc'; th.setAttribute('data-sort',asc?'asc':'desc');
  var rows=Array.prototype.slice.call(body.rows);
  function key(r){var c=r.cells[idx]; if(!c) return ''; var v=c.getAttribute('data-v'); if(v!==null) return parseFloat(v); var t=c.textContent.trim(); var n=parseFloat(t); return isNaN(n)||!/^[-\d.]/.test(t)?t:n;}
  rows.sort(function(a,b){var x=key(a),y=key(b); var r=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y)); return asc?r:-r;});
  rows.forEach(function(r){body.appendChild(r);});
});
)JS";

}  // namespace

const char* bundledCss() { return kCss; }
const char* bundledJs() { return kJs; }

std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string urlEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<int>(c));
    }
  }
  return out;
}

std::string fmtBytes(int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    u++;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string fmtDuration(int64_t ms) {
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 60000) return fmt::format("{:.1f} s", ms / 1000.0);
  if (ms < 3600000) return fmt::format("{:.1f} min", ms / 60000.0);
  return fmt::format("{:.1f} h", ms / 3600000.0);
}

std::string fmtDateTime(int64_t epochMs) {
  if (epochMs <= 0) return "";
  std::time_t secs = static_cast<std::time_t>(epochMs / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y/%m/%d %H:%M:%S", &tm);
  return buf;
}

std::string pageFrame(const AppState& s, const PageBase& b, const std::string& activeTab,
                      const std::string& title, const std::string& body, bool refresh) {
  static const std::pair<const char*, const char*> kTabs[] = {
      {"jobs", "Jobs"},           {"stages", "Stages"},           {"storage", "Storage"},
      {"executors", "Executors"}, {"environment", "Environment"}, {"sql", "SQL"}};
  std::string out =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">";
  if (refresh) out += "<meta http-equiv=\"refresh\" content=\"2\">";
  out += fmt::format("<title>{} - {}</title><style>{}</style></head><body><header>", esc(title),
                     esc(s.appName), kCss);
  out += fmt::format("<a class=\"brand\" href=\"{}\">Ember</a><nav>", b.history ? "/" : "/jobs/");
  for (const auto& [id, label] : kTabs) {
    std::string path = std::string(id) == "sql" ? "SQL" : id;
    out += fmt::format("<a id=\"tab-{}\" href=\"{}/{}/\"{}>{}</a>", id, b.base, path,
                       activeTab == id ? " class=\"active\"" : "", label);
  }
  out += fmt::format("</nav><span class=\"app\">{} &middot; {}{}</span></header><main>",
                     esc(s.appName), esc(s.appId),
                     b.history ? " &middot; history" : (s.live() ? "" : " &middot; finished"));
  if (b.droppedEvents > 0)
    out += fmt::format(
        "<p class=\"error\">The event bus dropped {} events while a listener was blocked: "
        "counts here may be incomplete.</p>",
        b.droppedEvents);
  out += fmt::format("<h1>{}</h1>", esc(title));
  out += body;
  out += fmt::format("</main><script>{}</script></body></html>", kJs);
  return out;
}

std::string table(const std::string& id, const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = fmt::format("<table class=\"ui\" id=\"{}\"><thead><tr>", esc(id));
  for (const auto& h : headers) out += "<th>" + esc(h) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& r : rows) {
    out += "<tr>";
    for (const auto& c : r) {
      // A cell may carry its own <td ...> (for sort keys and classes).
      if (c.rfind("<td", 0) == 0) {
        out += c;
      } else {
        out += "<td>" + c + "</td>";
      }
    }
    out += "</tr>";
  }
  out += "</tbody></table>";
  return out;
}

std::string progressBar(int completed, int running, int total, int failed, int skipped) {
  double denom = total > 0 ? total : 1;
  double done = 100.0 * completed / denom;
  double run = 100.0 * running / denom;
  std::string label = fmt::format("{}/{}", completed, total);
  if (running) label += fmt::format(" ({} running)", running);
  if (failed) label += fmt::format(" ({} failed)", failed);
  if (skipped) label += fmt::format(" ({} skipped)", skipped);
  return fmt::format(
      "<div class=\"progress\"><div class=\"done\" style=\"width:{:.1f}%\"></div>"
      "<div class=\"running\" style=\"left:{:.1f}%;width:{:.1f}%\"></div><span>{}</span></div>",
      done, done, run, esc(label));
}

std::string statusBadge(std::string_view status) {
  return fmt::format("<span class=\"badge {}\">{}</span>", esc(status), esc(status));
}

}  // namespace ember::ui
