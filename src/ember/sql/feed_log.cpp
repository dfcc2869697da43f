#include "ember/sql/feed_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "ember/common/errors.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace ember::sql {

namespace {
constexpr const char* kLogDir = "_feed_log";
constexpr const char* kCheckpointSuffix = ".checkpoint.json";
constexpr const char* kVacuumFile = "_vacuum.json";

std::string versionName(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(v));
  return buf;
}

// A version number from "00000000000000000012.json" (or ".checkpoint.json"), else -1.
int64_t parseVersionName(const std::string& name, const std::string& suffix) {
  if (name.size() != 20 + suffix.size() || name.compare(20, suffix.size(), suffix) != 0) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

Json schemaToJson(const Schema& s) {
  Json a = Json::array();
  for (const auto& f : s.fields())
    a.push_back({{"name", f.name}, {"type", f.type.toString()}, {"nullable", f.nullable}});
  return a;
}

Schema schemaFromJson(const Json& a) {
  std::vector<Field> fields;
  for (const auto& f : a) {
    Field x;
    x.name = f.at("name").get<std::string>();
    x.type = DataType::parse(f.at("type").get<std::string>());
    x.nullable = f.value("nullable", true);
    fields.push_back(std::move(x));
  }
  return Schema(std::move(fields));
}

Json fileToJson(const FeedFile& f) {
  return {{"path", f.path},
          {"rows", f.rows},
          {"bytes", f.bytes},
          {"stats", Json::parse(f.statsJson.empty() ? "{}" : f.statsJson)}};
}

FeedFile fileFromJson(const Json& j) {
  FeedFile f;
  f.path = j.at("path").get<std::string>();
  f.rows = j.value("rows", int64_t{0});
  f.bytes = j.value("bytes", int64_t{0});
  f.statsJson = j.contains("stats") ? j["stats"].dump() : "{}";
  return f;
}

Json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read feed log file " + path);
  try {
    return Json::parse(in);
  } catch (const Json::exception& e) {
    throw IoError("corrupt feed log file " + path + ": " + e.what());
  }
}

// Writes `text` to a unique temporary file in `dir` (flushed to disk); returns its path.
std::string writeTemp(const std::string& dir, const std::string& text) {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  std::string tmp = dir + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                    "-" + std::to_string(rd()) + ".json";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IoError("cannot write " + tmp + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  return tmp;
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

int64_t FeedSnapshot::numRows() const {
  int64_t n = 0;
  for (const auto& [p, f] : files) n += f.rows;
  return n;
}

bool isFeedFormat(const std::string& format) {
  std::string f = toLowerAscii(format);
  return f == "feed" || f == "ember";
}

FeedLog::FeedLog(std::string tablePath) : path_(std::move(tablePath)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
}

std::string FeedLog::logDir() const { return path_ + "/" + kLogDir; }

bool FeedLog::exists() const {
  std::error_code ec;
  return fs::exists(logDir() + "/" + versionName(0) + ".json", ec);
}

std::vector<int64_t> FeedLog::listVersions(std::vector<int64_t>* checkpoints) const {
  std::vector<int64_t> out;
  std::error_code ec;
  if (!fs::is_directory(logDir(), ec)) return out;
  for (const auto& e : fs::directory_iterator(logDir(), ec)) {
    std::string name = e.path().filename().string();
    int64_t v = parseVersionName(name, ".json");
    if (v >= 0) out.push_back(v);
    int64_t c = parseVersionName(name, kCheckpointSuffix);
    if (c >= 0 && checkpoints) checkpoints->push_back(c);
  }
  std::sort(out.begin(), out.end());
  if (checkpoints) std::sort(checkpoints->begin(), checkpoints->end());
  return out;
}

int64_t FeedLog::latestVersion() const {
  auto v = listVersions(nullptr);
  return v.empty() ? -1 : v.back();
}

int64_t FeedLog::oldestReadableVersion() const {
  std::string p = logDir() + "/" + kVacuumFile;
  std::error_code ec;
  if (!fs::exists(p, ec)) return 0;
  return readJsonFile(p).value("oldestReadableVersion", int64_t{0});
}

void FeedLog::setOldestReadableVersion(int64_t version) const {
  // Never lower it: files a concurrent VACUUM deleted stay deleted.
  version = std::max(version, oldestReadableVersion());
  Json j = {{"oldestReadableVersion", version}, {"timestamp", nowMs()}};
  std::string tmp = writeTemp(logDir(), j.dump());
  fs::rename(tmp, logDir() + "/" + kVacuumFile);
}

FeedCommit FeedLog::readCommit(int64_t version) const {
  std::string p = logDir() + "/" + versionName(version) + ".json";
  std::error_code ec;
  if (version < 0 || !fs::exists(p, ec))
    throw UserError("version " + std::to_string(version) + " of feed " + path_ +
                    " does not exist; " + describeRange());
  Json j = readJsonFile(p);
  FeedCommit c;
  c.version = j.at("version").get<int64_t>();
  c.timestampMs = j.at("timestamp").get<int64_t>();
  c.operation = j.value("operation", "");
  // value() returns a copy: keep it alive while iterating.
  Json params = j.value("operationParameters", Json::object());
  for (auto& [k, v] : params.items())
    c.parameters[k] = v.is_string() ? v.get<std::string>() : v.dump();
  Json metrics = j.value("operationMetrics", Json::object());
  for (auto& [k, v] : metrics.items()) c.metrics[k] = v.get<int64_t>();
  c.readVersion = j.value("readVersion", int64_t{-1});
  c.blindAppend = j.value("isBlindAppend", false);
  c.schema = schemaFromJson(j.at("schema"));
  for (const auto& f : j.value("add", Json::array())) c.added.push_back(fileFromJson(f));
  for (const auto& f : j.value("remove", Json::array())) c.removed.push_back(fileFromJson(f));
  return c;
}

std::vector<FeedCommit> FeedLog::history() const {
  std::vector<FeedCommit> out;
  for (int64_t v : listVersions(nullptr)) out.push_back(readCommit(v));
  return out;
}

std::string FeedLog::describeRange() const {
  auto versions = listVersions(nullptr);
  if (versions.empty()) return "the feed has no versions yet";
  int64_t oldest = std::max(versions.front(), oldestReadableVersion());
  int64_t newest = versions.back();
  std::string s = "available versions are " + std::to_string(oldest) + " to " +
                  std::to_string(newest) + " (" +
                  formatFeedTimestamp(readCommit(oldest).timestampMs) + " to " +
                  formatFeedTimestamp(readCommit(newest).timestampMs) + " UTC)";
  if (oldest > versions.front())
    s += "; versions before " + std::to_string(oldest) + " were removed by VACUUM";
  return s;
}

FeedSnapshot FeedLog::replay(int64_t version) const {
  std::vector<int64_t> checkpoints;
  listVersions(&checkpoints);
  FeedSnapshot s;
  int64_t from = 0;
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    if (*it > version) continue;
    Json j = readJsonFile(logDir() + "/" + versionName(*it) + kCheckpointSuffix);
    s.version = *it;
    s.timestampMs = j.at("timestamp").get<int64_t>();
    s.schema = schemaFromJson(j.at("schema"));
    for (const auto& f : j.at("files")) {
      FeedFile ff = fileFromJson(f);
      s.files[ff.path] = ff;
    }
    from = *it + 1;
    break;
  }
  for (int64_t v = from; v <= version; ++v) {
    FeedCommit c = readCommit(v);
    for (const auto& f : c.removed) s.files.erase(f.path);
    for (const auto& f : c.added) s.files[f.path] = f;
    s.schema = c.schema;
    s.version = v;
    s.timestampMs = c.timestampMs;
  }
  return s;
}

FeedSnapshot FeedLog::latest() const {
  int64_t v = latestVersion();
  if (v < 0)
    throw UserError("path " + path_ + " is not a feed (no " + std::string(kLogDir) +
                    "/ directory with version 0); create it with df.write().format(\"feed\")"
                    ".save(path) or CREATE TABLE t USING feed LOCATION '" +
                    path_ + "' AS SELECT ...");
  return replay(v);
}

FeedSnapshot FeedLog::snapshotAt(int64_t version) const {
  int64_t newest = latestVersion();
  if (newest < 0) latest();  // throws "not a feed"
  if (version < 0 || version > newest)
    throw UserError("version " + std::to_string(version) + " of feed " + path_ +
                    " does not exist; " + describeRange());
  if (version < oldestReadableVersion())
    throw UserError("version " + std::to_string(version) + " of feed " + path_ +
                    " cannot be read: VACUUM removed its data files; " + describeRange());
  return replay(version);
}

FeedSnapshot FeedLog::snapshotAtTimestamp(int64_t timestampMs) const {
  int64_t found = -1;
  for (int64_t v : listVersions(nullptr)) {
    if (readCommit(v).timestampMs > timestampMs) break;
    found = v;
  }
  if (found < 0) {
    if (latestVersion() < 0) latest();  // throws "not a feed"
    throw UserError("feed " + path_ + " has no version committed at or before " +
                    formatFeedTimestamp(timestampMs) + " UTC; " + describeRange());
  }
  return snapshotAt(found);
}

bool FeedLog::tryCommit(FeedCommit& c, int checkpointInterval) const {
  fs::create_directories(logDir());
  int64_t ts = nowMs();
  if (c.version > 0) {
    std::error_code ec;
    std::string prev = logDir() + "/" + versionName(c.version - 1) + ".json";
    if (fs::exists(prev, ec)) ts = std::max(ts, readCommit(c.version - 1).timestampMs + 1);
  }
  c.timestampMs = ts;
  Json j;
  j["version"] = c.version;
  j["timestamp"] = c.timestampMs;
  j["operation"] = c.operation;
  j["operationParameters"] = c.parameters;
  j["operationMetrics"] = c.metrics;
  j["readVersion"] = c.readVersion;
  j["isBlindAppend"] = c.blindAppend;
  j["schema"] = schemaToJson(c.schema);
  j["add"] = Json::array();
  for (const auto& f : c.added) j["add"].push_back(fileToJson(f));
  j["remove"] = Json::array();
  for (const auto& f : c.removed) j["remove"].push_back(fileToJson(f));
  std::string tmp = writeTemp(logDir(), j.dump(1));
  std::string target = logDir() + "/" + versionName(c.version) + ".json";
  // link() is atomic and fails if the target exists: the O_EXCL of renames.
  int rc = ::link(tmp.c_str(), target.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return false;
    throw IoError("cannot publish " + target + ": " + std::strerror(err));
  }
  if (checkpointInterval > 0 && c.version > 0 && c.version % checkpointInterval == 0) {
    // Best effort: a missing checkpoint only makes readers replay more files.
    try {
      writeCheckpoint(replay(c.version));
    } catch (const EmberError&) {
    }
  }
  return true;
}

void FeedLog::writeCheckpoint(const FeedSnapshot& s) const {
  Json j;
  j["version"] = s.version;
  j["timestamp"] = s.timestampMs;
  j["schema"] = schemaToJson(s.schema);
  j["files"] = Json::array();
  for (const auto& [p, f] : s.files) j["files"].push_back(fileToJson(f));
  std::string tmp = writeTemp(logDir(), j.dump());
  fs::rename(tmp, logDir() + "/" + versionName(s.version) + kCheckpointSuffix);
}

namespace {
// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

int64_t parseFeedTimestamp(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  char sep = ' ';
  int got =
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s, &n);
  int64_t millis = 0;
  if (got == 7 && (sep == ' ' || sep == 'T')) {
    std::string rest = text.substr(static_cast<size_t>(n));
    if (!rest.empty() && rest[0] == '.') {
      size_t i = 1;
      int64_t scale = 100;
      for (; i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])); ++i) {
        millis += (rest[i] - '0') * scale;
        scale /= 10;
      }
      rest = rest.substr(i);
    }
    if (!rest.empty() && rest != "Z" && rest != "z")
      throw UserError("cannot read timestamp '" + text +
                      "': expected 'yyyy-MM-dd HH:mm:ss[.SSS]' (UTC)");
  } else if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 &&
             static_cast<size_t>(n) == text.size()) {
    h = mi = s = 0;
  } else {
    throw UserError("cannot read timestamp '" + text +
                    "': expected 'yyyy-MM-dd HH:mm:ss[.SSS]' or 'yyyy-MM-dd' (UTC)");
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    throw UserError("timestamp '" + text + "' is not a valid date and time");
  int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000 + millis;
}

std::string formatFeedTimestamp(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace ember::sql
