#include "ember/ui/event_log.h"

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember::ui {

namespace {
constexpr size_t kBlock = 64 * 1024;
constexpr size_t kSlack = 16 * 1024;  // room for the line that crosses kBlock
constexpr std::string_view kInProgress = ".inprogress";
constexpr std::string_view kZst = ".zst";

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

EventLogWriter::EventLogWriter(const std::string& dir, const std::string& appId, bool compress,
                               const EnvironmentUpdate& env) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw IoError("cannot create the event log directory '" + dir + "': " + ec.message() +
                  "; set ember.eventLog.dir to a writable directory");
  // Two applications started in the same millisecond share an id: never overwrite.
  const std::string ext = compress ? std::string(kZst) : "";
  std::string name = appId;
  for (int n = 1;; ++n) {
    path_ = (std::filesystem::path(dir) / name).string() + ext;
    if (!std::filesystem::exists(path_) &&
        !std::filesystem::exists(path_ + std::string(kInProgress)))
      break;
    name = appId + "_" + std::to_string(n);
  }
  std::string tmp = path_ + std::string(kInProgress);
  file_ = std::fopen(tmp.c_str(), "wbx");
  if (!file_) throw IoError("cannot create the event log '" + tmp + "': " + std::strerror(errno));
  if (compress) {
    zstd_ = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, 3);
  }
  buffer_.resize(kBlock + kSlack);
  std::string line;
  appendEnvironmentJson(env, line);
  append(line);
}

EventLogWriter::~EventLogWriter() { stop(); }

void EventLogWriter::onEvents(std::span<const SchedulerEvent> events) {
  for (const SchedulerEvent& e : events) {
    if (std::holds_alternative<TaskStart>(e) || std::holds_alternative<TaskEnd>(e))
      write(e, false);
    else
      deliverEvents(*this, {&e, 1});
  }
}

void EventLogWriter::onApplicationStart(const ApplicationStart& e) {
  // The UI plugin writes the start it may have missed; the bus may deliver it again.
  if (sawAppStart_) return;
  sawAppStart_ = true;
  write(e, false);
}

void EventLogWriter::onExecutorAdded(const ExecutorAdded& e) {
  if (!executors_.insert(e.executorId).second) return;
  write(e, false);
}

void EventLogWriter::onExecutorRemoved(const ExecutorRemoved& e) {
  executors_.erase(e.executorId);
  write(e, false);
}

void EventLogWriter::append(std::string_view line) {
  if (used_ + line.size() > buffer_.size()) buffer_.resize(used_ + line.size());
  std::memcpy(buffer_.data() + used_, line.data(), line.size());
  used_ += line.size();
}

void EventLogWriter::write(const SchedulerEvent& e, bool flushNow) {
  if (!file_) return;
  if (size_t bound = taskEventJsonBound(e)) {
    // buffer_ keeps its size (no zero-filling per line); used_ is its filled part.
    if (used_ + bound > buffer_.size()) buffer_.resize(used_ + bound);
    used_ = static_cast<size_t>(writeTaskEventJson(e, buffer_.data() + used_) - buffer_.data());
  } else {
    std::string line;
    appendEventJson(e, line);
    append(line);
  }
  if (flushNow || used_ >= kBlock) flush(false);
}

void EventLogWriter::fail(const std::string& what) {
  logError("event log {}: {}; the rest of this application's events are not logged", path_, what);
  std::fclose(file_);
  file_ = nullptr;
}

void EventLogWriter::flush(bool end) {
  if (!file_) return;
  std::string_view out(buffer_.data(), used_);
  if (zstd_) {
    // One streaming context for the whole file: a flush ends a block, not the frame, so
    // the ratio stays that of one stream.
    compressed_.resize(ZSTD_compressBound(used_) + 1024);
    ZSTD_inBuffer in{buffer_.data(), used_, 0};
    size_t used = 0;
    for (;;) {
      ZSTD_outBuffer o{compressed_.data() + used, compressed_.size() - used, 0};
      size_t left = ZSTD_compressStream2(zstd_, &o, &in, end ? ZSTD_e_end : ZSTD_e_flush);
      if (ZSTD_isError(left)) return fail(std::string("zstd: ") + ZSTD_getErrorName(left));
      used += o.pos;
      if (left == 0) break;
      compressed_.resize(compressed_.size() * 2);
    }
    out = std::string_view(compressed_.data(), used);
  }
  if (!out.empty() && std::fwrite(out.data(), 1, out.size(), file_) != out.size())
    return fail(std::string("write failed: ") + std::strerror(errno));
  if (std::fflush(file_) != 0) return fail(std::string("write failed: ") + std::strerror(errno));
  used_ = 0;
}

void EventLogWriter::stop() {
  if (!file_) return;
  flush(true);
  if (!file_) return;
  std::fclose(file_);
  file_ = nullptr;
  if (zstd_) ZSTD_freeCCtx(zstd_);
  zstd_ = nullptr;
  std::error_code ec;
  std::filesystem::rename(path_ + std::string(kInProgress), path_, ec);
  if (ec) logError("event log: cannot rename {}{}: {}", path_, kInProgress, ec.message());
}

namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open event log '" + path + "': " + std::strerror(errno));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}

// Decompresses what there is; an .inprogress stream may end mid-frame.
std::string unzstd(const std::string& path, const std::string& data, bool partialOk) {
  std::string out;
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  size_t last = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDCtx(d);
      if (partialOk) return out;
      throw IoError("event log '" + path + "' is corrupt: zstd: " + ZSTD_getErrorName(last));
    }
    out.append(chunk.data(), o.pos);
    if (o.pos == 0 && in.pos == in.size) break;
  }
  // Drain what is still buffered in the context.
  for (;;) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    size_t r = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(r) || o.pos == 0) break;
    out.append(chunk.data(), o.pos);
  }
  ZSTD_freeDCtx(d);
  return out;
}

}  // namespace

void replayEventLog(const std::string& path, const std::function<void(const LoggedEvent&)>& f) {
  const bool inProgress = endsWith(path, kInProgress);
  std::string data = readAll(path);
  std::string_view name = inProgress
                              ? std::string_view(path).substr(0, path.size() - kInProgress.size())
                              : std::string_view(path);
  if (endsWith(name, kZst)) data = unzstd(path, data, inProgress);
  size_t pos = 0;
  int lineNo = 0;
  while (pos < data.size()) {
    size_t eol = data.find('\n', pos);
    const bool lastLine = eol == std::string::npos;
    std::string_view line(data.data() + pos, (lastLine ? data.size() : eol) - pos);
    pos = lastLine ? data.size() : eol + 1;
    ++lineNo;
    if (line.empty()) continue;
    std::optional<LoggedEvent> e;
    try {
      e = parseEventJson(line);
    } catch (const IoError& err) {
      if (inProgress && lastLine) break;
      throw IoError("event log '" + path + "' line " + std::to_string(lineNo) + ": " + err.what());
    }
    if (e) f(*e);
  }
}

std::vector<std::string> listEventLogs(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> out;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec)
    throw IoError("cannot read the event log directory '" + dir + "': " + ec.message() +
                  "; pass the directory of ember.eventLog.dir");
  for (const auto& entry : it)
    if (entry.is_regular_file()) out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string appIdOfLog(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  if (endsWith(name, kInProgress)) name.resize(name.size() - kInProgress.size());
  if (endsWith(name, kZst)) name.resize(name.size() - kZst.size());
  return name;
}

}  // namespace ember::ui
