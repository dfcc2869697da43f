#include "ember/io/file_listing.h"

#include <glob.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "ember/common/errors.h"

namespace ember {

namespace fs = std::filesystem;

namespace {

bool isHiddenName(std::string_view name) {
  return !name.empty() && (name.front() == '.' || name.front() == '_');
}

bool isPattern(std::string_view s) { return s.find_first_of("*?[{") != std::string_view::npos; }

std::string normalise(const std::string& p) {
  return fs::absolute(fs::path(p)).lexically_normal().string();
}

// "~" and "~user" at the start of an element, as a shell would.
std::string expandTilde(const std::string& s) {
  if (s.empty() || s[0] != '~') return s;
  size_t slash = s.find('/');
  std::string user = s.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  std::string rest = slash == std::string::npos ? "" : s.substr(slash);
  const char* home = nullptr;
  if (user.empty()) {
    home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') {
      const passwd* pw = getpwuid(getuid());
      home = pw != nullptr ? pw->pw_dir : nullptr;
    }
  } else {
    const passwd* pw = getpwnam(user.c_str());
    home = pw != nullptr ? pw->pw_dir : nullptr;
  }
  return home != nullptr ? std::string(home) + rest : s;
}

// Accepts "file:///x" and "file:/x"; rejects other schemes with a clear message (Ember reads
// local or shared-mounted paths only).
std::string stripScheme(const std::string& element) {
  if (element.rfind("file:", 0) == 0) {
    std::string rest = element.substr(5);
    if (rest.rfind("//", 0) == 0) {
      size_t slash = rest.find('/', 2);
      std::string host = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
      if (!host.empty() && host != "localhost")
        throw UserError("Input path " + element + " names host '" + host +
                        "'; file: URIs must be local (file:///path)");
      return slash == std::string::npos ? "/" : rest.substr(slash);
    }
    return rest;
  }
  size_t sep = element.find("://");
  if (sep != std::string::npos && sep > 0 &&
      std::all_of(element.begin(), element.begin() + static_cast<long>(sep), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '.' || c == '-';
      }))
    throw UserError("Input path " + element + " uses scheme '" + element.substr(0, sep) +
                    "://', which Ember cannot read; use a local or mounted path");
  return element;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The entry of `dir` closest to `name`, if one is close enough to be a plausible typo.
std::optional<std::string> closestEntry(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec);
  if (ec) return std::nullopt;
  size_t limit = std::max<size_t>(2, name.size() / 3);
  std::optional<std::string> best;
  size_t bestDist = limit + 1;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string cand = it->path().filename().string();
    size_t d = editDistance(name, cand);
    if (d < bestDist || (d == bestDist && best && cand < *best)) {
      bestDist = d;
      best = cand;
    }
  }
  return best;
}

// For a path that does not exist: finds the first missing component and, if an entry of its
// parent is close to it, returns "; did you mean <corrected path>?".
std::string suggestionFor(const std::string& path) {
  fs::path p(path);
  fs::path prefix;
  std::vector<fs::path> parts(p.begin(), p.end());
  for (size_t i = 0; i < parts.size(); ++i) {
    fs::path next = prefix / parts[i];
    std::error_code ec;
    if (parts[i].empty() || fs::exists(next, ec)) {
      prefix = next;
      continue;
    }
    auto close = closestEntry(prefix, parts[i].string());
    if (!close) return "";
    fs::path fixed = prefix / *close;
    fs::path full = fixed;
    for (size_t j = i + 1; j < parts.size(); ++j) full /= parts[j];
    return "; did you mean " + (fs::exists(full, ec) ? full : fixed).string() + "?";
  }
  return "";
}

void addDirectory(const std::string& dir, std::vector<InputFile>& out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw IoError("Cannot list input directory " + dir + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw IoError("Cannot list input directory " + dir + ": " + ec.message());
    std::string name = it->path().filename().string();
    if (isHiddenName(name)) continue;
    struct stat st {};
    std::string full = it->path().string();
    // stat (not lstat): a symlink to a regular file is read; dangling links are skipped.
    if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back({normalise(full), static_cast<uint64_t>(st.st_size)});
  }
}

// Adds a file or a directory's files; false if the path does not exist.
bool addPath(const std::string& path, bool skipHiddenFile, std::vector<InputFile>& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw IoError("Cannot access input path " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    addDirectory(path, out);
  } else if (!skipHiddenFile || !isHiddenName(fs::path(path).filename().string())) {
    out.push_back({normalise(path), static_cast<uint64_t>(st.st_size)});
  }
  return true;
}

void addPattern(const std::string& element, const std::string& pattern,
                std::vector<InputFile>& out) {
  glob_t g{};
  int rc = ::glob(pattern.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &g);
  std::vector<std::string> matches;
  if (rc == 0) matches.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);
  globfree(&g);
  if (rc == GLOB_NOSPACE) throw std::bad_alloc();
  if (rc == GLOB_ABORTED) throw IoError("Cannot read a directory while expanding " + element);
  if (matches.empty()) {
    // Only a wildcard-free directory part can be checked for a typo.
    fs::path dir = fs::path(pattern).parent_path();
    std::string hint = isPattern(dir.string()) ? "" : suggestionFor(dir.string());
    throw UserError("Input pattern " + element + " matches 0 files" + hint);
  }
  bool wantHidden = isHiddenName(fs::path(pattern).filename().string());
  for (const auto& m : matches) addPath(m, !wantHidden, out);
}

}  // namespace

std::vector<std::string> splitPathSpec(std::string_view pathSpec) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : pathSpec) {
    if (c == '{') ++depth;
    if (c == '}' && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::vector<InputFile> listInputFiles(std::string_view pathSpec) {
  if (pathSpec.empty()) throw UserError("Input path is empty; pass a file, directory or glob");
  std::vector<InputFile> out;
  for (const std::string& element : splitPathSpec(pathSpec)) {
    if (element.empty())
      throw UserError("Input path list '" + std::string(pathSpec) +
                      "' has an empty element; remove the extra comma");
    std::string path = expandTilde(stripScheme(element));
    if (isPattern(path)) {
      addPattern(element, path, out);
    } else if (!addPath(path, false, out)) {
      throw UserError("Input path does not exist: " + element + suggestionFor(path));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const InputFile& a, const InputFile& b) { return a.path == b.path; }),
            out.end());
  return out;
}

}  // namespace ember
