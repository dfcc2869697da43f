// SHOW FUNCTIONS [LIKE 'pattern'], DESCRIBE FUNCTION name, SHOW COLUMNS IN table: the
// engine describing itself, as Spark does.
#include <algorithm>
#include <set>

#include "ember/common/errors.h"
#include "ember/sql/aggregates.h"
#include "ember/sql/function.h"
#include "ember/sql/session.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

namespace {

const std::set<std::string>& windowFunctionNames() {
  static const std::set<std::string> names = {"row_number",   "rank",      "dense_rank",
                                              "percent_rank", "cume_dist", "ntile",
                                              "lag",          "lead",      "nth_value"};
  return names;
}

// Spark's SHOW FUNCTIONS LIKE patterns: '*' matches any text, '|' separates alternatives,
// case-insensitive.
bool likePattern(const std::string& name, const std::string& pattern) {
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t bar = pattern.find('|', start);
    std::string alt =
        toLowerAscii(pattern.substr(start, bar == std::string::npos ? bar : bar - start));
    // Glob match with '*' only.
    size_t n = 0, p = 0, star = std::string::npos, mark = 0;
    while (n < name.size()) {
      if (p < alt.size() && alt[p] == name[n]) {
        ++p;
        ++n;
      } else if (p < alt.size() && alt[p] == '*') {
        star = p++;
        mark = n;
      } else if (star != std::string::npos) {
        p = star + 1;
        n = ++mark;
      } else {
        break;
      }
    }
    while (p < alt.size() && alt[p] == '*') ++p;
    if (n == name.size() && p == alt.size()) return true;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return false;
}

}  // namespace

DataFrame showCatalogObjects(Session& s, const Statement& st) {
  if (auto d = st.options.find("__describe"); d != st.options.end()) {
    std::string name = toLowerAscii(st.name.at(0));
    if (const ScalarFunction* f = FunctionRegistry::builtin().find(name)) {
      std::string aliases;
      for (const auto& a : f->aliases) aliases += (aliases.empty() ? "" : ", ") + a;
      std::vector<std::vector<std::string>> rows = {{"Function: " + f->name},
                                                    {"Usage: " + f->usage}};
      if (!aliases.empty()) rows.push_back({"Aliases: " + aliases});
      if (!f->deterministic) rows.push_back({"Deterministic: false"});
      return rowsFrame(s, {"function_desc"}, rows);
    }
    if (isAggregateFunctionName(name))
      return rowsFrame(
          s, {"function_desc"},
          {{"Function: " + name},
           {"Usage: " + name + "(...) - an aggregate function (docs/design/sql-functions.md)"}});
    if (windowFunctionNames().count(name))
      return rowsFrame(
          s, {"function_desc"},
          {{"Function: " + name}, {"Usage: " + name + "(...) OVER (...) - a window function"}});
    auto sugg = FunctionRegistry::builtin().suggest(name);
    std::string msg = "DESCRIBE FUNCTION: there is no function " + name;
    if (!sugg.empty()) {
      msg += "; did you mean ";
      for (size_t i = 0; i < sugg.size(); ++i) msg += (i ? ", " : "") + sugg[i];
      msg += "?";
    }
    throw UserError(msg);
  }
  const std::string& what = st.options.at("__show");
  if (what == "columns") {
    std::string name;
    for (size_t i = 0; i < st.name.size(); ++i) name += (i ? "." : "") + st.name[i];
    std::vector<std::vector<std::string>> rows;
    Schema schema = s.table(name).schema();  // (a temporary's fields() would dangle)
    for (const auto& f : schema.fields()) rows.push_back({f.name});
    return rowsFrame(s, {"col_name"}, rows);
  }
  std::set<std::string> names;
  for (const auto& n : FunctionRegistry::builtin().names()) names.insert(n);
  for (const auto& n : aggregateFunctionNames()) names.insert(n);
  for (const auto& n : windowFunctionNames()) names.insert(n);
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : names)
    if (st.value.empty() || likePattern(n, st.value)) rows.push_back({n});
  return rowsFrame(s, {"function"}, rows);
}

}  // namespace ember::sql
