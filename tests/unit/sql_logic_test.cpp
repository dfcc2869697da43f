// SQL logic tests: every tests/sql/*.slt file runs as one test case on a fresh Session.
//
// Format (as sqllogictest / DuckDB); records are separated by blank lines, '#' starts a
// comment line:
//
//   statement ok                 the statement must succeed
//   CREATE TEMPORARY VIEW v AS SELECT 1 AS a
//
//   statement error unknown      it must fail; the message must contain the rest of
//   SELECT nope FROM v           the first line (if any)
//
//   query IT rowsort             one type letter per column (I integer, R real, T text,
//   SELECT a, 'x' FROM v         B boolean, D date/other); rowsort sorts the rows of both
//   ----                         sides, valuesort all values, nosort (default) keeps
//   1	x                         the order. Values are tab-separated; NULL is NULL, an
//                                empty string is (empty). R values compare numerically
//                                (relative tolerance 1e-9).
//
//   halt                         stops the file here
//
// ${SQL_DIR} in SQL text is replaced by the absolute path of tests/sql (for data files).
//
// Failures name the .slt file and line of the record.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ember/common/config.h"
#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {

namespace fs = std::filesystem;

struct Record {
  enum Kind { StatementOk, StatementError, Query, Halt } kind = StatementOk;
  int line = 0;  // 1-based line of the record's first line
  std::string sql;
  std::string errorSubstring;  // StatementError
  std::string types;           // Query
  std::string sortMode = "nosort";
  std::vector<std::string> expected;  // Query: result lines
};

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Parses an .slt text; throws std::runtime_error naming the line of a malformed record.
std::vector<Record> parseSlt(const std::string& text, const std::string& file) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
  }
  std::vector<Record> out;
  size_t i = 0;
  auto bad = [&](size_t line, const std::string& why) {
    throw std::runtime_error(file + ":" + std::to_string(line + 1) + ": " + why);
  };
  while (i < lines.size()) {
    std::string head = trim(lines[i]);
    if (head.empty() || head[0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    std::istringstream words(head);
    std::string w;
    words >> w;
    if (w == "halt") {
      r.kind = Record::Halt;
      out.push_back(r);
      break;
    }
    if (w == "statement") {
      std::string mode;
      words >> mode;
      if (mode == "ok") {
        r.kind = Record::StatementOk;
      } else if (mode == "error") {
        r.kind = Record::StatementError;
        std::getline(words, r.errorSubstring);
        r.errorSubstring = trim(r.errorSubstring);
      } else {
        bad(i, "expected 'statement ok' or 'statement error [substring]'");
      }
    } else if (w == "query") {
      r.kind = Record::Query;
      words >> r.types;
      if (r.types.empty()) bad(i, "query needs column type letters, e.g. 'query IT'");
      if (words >> r.sortMode) {
        if (r.sortMode != "nosort" && r.sortMode != "rowsort" && r.sortMode != "valuesort")
          bad(i, "unknown sort mode '" + r.sortMode + "' (nosort, rowsort, valuesort)");
      } else {
        r.sortMode = "nosort";
      }
    } else {
      bad(i, "expected 'statement', 'query' or 'halt', got '" + w + "'");
    }
    ++i;
    bool inResult = false;
    while (i < lines.size() && !trim(lines[i]).empty()) {
      if (r.kind == Record::Query && lines[i] == "----") {
        inResult = true;
      } else if (inResult) {
        r.expected.push_back(lines[i]);
      } else {
        r.sql += (r.sql.empty() ? "" : "\n") + lines[i];
      }
      ++i;
    }
    if (r.sql.empty()) bad(r.line - 1, "record without SQL");
    out.push_back(std::move(r));
  }
  return out;
}

std::string render(const Value& v) {
  if (v.isNull()) return "NULL";
  std::string s = v.toString();
  return s.empty() ? "(empty)" : s;
}

std::vector<std::string> splitTabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

bool sameValue(const std::string& expected, const std::string& actual, char type) {
  if (expected == actual) return true;
  if (type != 'R') return false;
  char* e1 = nullptr;
  char* e2 = nullptr;
  double a = std::strtod(expected.c_str(), &e1);
  double b = std::strtod(actual.c_str(), &e2);
  if (*e1 != '\0' || *e2 != '\0' || expected.empty() || actual.empty()) return false;
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
}

void sortFor(const std::string& mode, std::vector<std::vector<std::string>>& rows) {
  if (mode == "rowsort") {
    std::sort(rows.begin(), rows.end());
  } else if (mode == "valuesort") {
    std::vector<std::string> all;
    for (const auto& r : rows) all.insert(all.end(), r.begin(), r.end());
    std::sort(all.begin(), all.end());
    rows.clear();
    for (auto& v : all) rows.push_back({v});
  }
}

std::string joinRows(const std::vector<std::vector<std::string>>& rows) {
  std::string s;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) s += (i ? "\t" : "") + r[i];
    s += "\n";
  }
  return s;
}

void runRecord(Session& session, const Record& r, const std::string& file) {
  std::string where = "\n  in: " + r.sql;
  if (r.kind == Record::StatementOk) {
    try {
      session.sql(r.sql).collect();
    } catch (const std::exception& e) {
      ADD_FAILURE_AT(file.c_str(), r.line) << "statement failed: " << e.what() << where;
    }
    return;
  }
  if (r.kind == Record::StatementError) {
    try {
      session.sql(r.sql).collect();
    } catch (const std::exception& e) {
      if (std::string(e.what()).find(r.errorSubstring) == std::string::npos)
        ADD_FAILURE_AT(file.c_str(), r.line)
            << "error message lacks '" << r.errorSubstring << "': " << e.what() << where;
      return;
    }
    ADD_FAILURE_AT(file.c_str(), r.line)
        << "statement succeeded but an error was expected" << where;
    return;
  }
  std::vector<Row> rows;
  try {
    rows = session.sql(r.sql).collect();
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(file.c_str(), r.line) << "query failed: " << e.what() << where;
    return;
  }
  std::vector<std::vector<std::string>> actual, expected;
  for (const auto& row : rows) {
    if (row.size() != r.types.size()) {
      ADD_FAILURE_AT(file.c_str(), r.line)
          << "query returned " << row.size() << " columns, the record declares " << r.types.size()
          << " ('" << r.types << "')" << where;
      return;
    }
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(render(v));
    actual.push_back(std::move(cells));
  }
  for (const auto& line : r.expected) expected.push_back(splitTabs(line));
  sortFor(r.sortMode, actual);
  sortFor(r.sortMode, expected);
  bool same = actual.size() == expected.size();
  for (size_t i = 0; same && i < actual.size(); ++i) {
    same = actual[i].size() == expected[i].size();
    for (size_t j = 0; same && j < actual[i].size(); ++j) {
      char type = r.sortMode == "valuesort" ? 'T' : r.types[j];
      same = sameValue(expected[i][j], actual[i][j], type);
    }
  }
  if (!same)
    ADD_FAILURE_AT(file.c_str(), r.line) << "wrong result" << where << "\n  expected:\n"
                                         << joinRows(expected) << "  actual:\n"
                                         << joinRows(actual);
}

fs::path sqlDir() {
  const char* srcDir = std::getenv("EMBER_SOURCE_DIR");
  fs::path root = srcDir != nullptr ? fs::path(srcDir)
                                    : fs::path(__FILE__).parent_path().parent_path().parent_path();
  return root / "tests" / "sql";
}

std::vector<std::string> discoverFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sqlDir(), ec))
    if (entry.path().extension() == ".slt") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, Passes) {
  const std::string& file = GetParam();
  std::ifstream in(file);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::stringstream text;
  text << in.rdbuf();
  std::vector<Record> records = parseSlt(text.str(), file);
  const std::string dir = fs::absolute(sqlDir()).string();
  for (auto& r : records)
    for (size_t at = r.sql.find("${SQL_DIR}"); at != std::string::npos;
         at = r.sql.find("${SQL_DIR}", at + dir.size()))
      r.sql.replace(at, 10, dir);
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.sql.shuffle.partitions", "3");
  Context ctx(c);
  {
    Session session(ctx);
    for (const auto& r : records) {
      if (r.kind == Record::Halt) break;
      runRecord(session, r, file);
    }
  }
  ctx.stop();
}

INSTANTIATE_TEST_SUITE_P(Files, SqlLogicTest, ::testing::ValuesIn(discoverFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           for (auto& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqlLogicTest);

// Guards against a silent pass: no files found means nothing was tested.
TEST(SqlLogicFiles, AreFound) {
  EXPECT_FALSE(discoverFiles().empty())
      << "no .slt files under " << sqlDir() << "; run under ctest or set EMBER_SOURCE_DIR";
}

TEST(SqlLogicFormat, ParsesRecords) {
  auto rs = parseSlt(
      "# comment\n"
      "statement ok\nCREATE TEMPORARY VIEW v AS\nSELECT 1 AS a\n\n"
      "statement error unknown column\nSELECT b FROM v\n\n"
      "query IT rowsort\nSELECT a, 'x'\nFROM v\n----\n1\tx\n2\t(empty)\n\n"
      "halt\n",
      "f.slt");
  ASSERT_EQ(rs.size(), 4u);
  EXPECT_EQ(rs[0].sql, "CREATE TEMPORARY VIEW v AS\nSELECT 1 AS a");
  EXPECT_EQ(rs[1].kind, Record::StatementError);
  EXPECT_EQ(rs[1].errorSubstring, "unknown column");
  EXPECT_EQ(rs[1].line, 6);
  EXPECT_EQ(rs[2].types, "IT");
  EXPECT_EQ(rs[2].sortMode, "rowsort");
  EXPECT_EQ(rs[2].sql, "SELECT a, 'x'\nFROM v");
  EXPECT_EQ(rs[2].expected, (std::vector<std::string>{"1\tx", "2\t(empty)"}));
  EXPECT_EQ(rs[3].kind, Record::Halt);
  EXPECT_THROW(parseSlt("query\nSELECT 1\n", "f.slt"), std::runtime_error);
  EXPECT_THROW(parseSlt("frobnicate\n", "f.slt"), std::runtime_error);
  EXPECT_THROW(parseSlt("query I sideways\nSELECT 1\n", "f.slt"), std::runtime_error);
  EXPECT_TRUE(sameValue("0.1", "0.10000000000000001", 'R'));
  EXPECT_FALSE(sameValue("0.1", "0.2", 'R'));
  EXPECT_FALSE(sameValue("1", "1.0", 'I'));
}

}  // namespace
}  // namespace ember::sql
