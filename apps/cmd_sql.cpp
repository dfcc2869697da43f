// `ember sql`: runs SQL statements (from -e, -f or an interactive shell) on a Session and
// prints query results as a table, CSV, TSV or JSON lines.
//
//   ember sql -e "SELECT 1; SELECT 2"            batch: stops at the first error, exit 1
//   ember sql -f script.sql --format csv
//   ember sql --master local[4]                  interactive shell (GNU readline, history
//                                                in ~/.ember_sql_history)
#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "commands.h"
#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace {

struct SqlOptions {
  std::string master;
  std::vector<std::string> conf;
  std::string execute;
  std::string file;
  std::string format = "table";
};

// Splits SQL text into statements at ';' outside strings, quoted identifiers and
// comments. Text after the last ';' stays pending (the shell keeps reading lines).
// Statements come out trimmed, with the line (1-based, counted over everything fed)
// where they start, so errors can point into a script.
class StatementSplitter {
 public:
  struct Piece {
    std::string text;
    int line = 1;
  };

  std::vector<Piece> feed(const std::string& text) {
    std::vector<Piece> out;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      char n = i + 1 < text.size() ? text[i + 1] : '\0';
      if (state_ == State::Normal && c == ';') {
        if (!blank(pending_)) out.push_back(take());
        pending_.clear();
        continue;
      }
      if (state_ == State::Normal) {
        if (c == '\'' || c == '"' || c == '`') {
          quote_ = c;
          state_ = State::Quoted;
        } else if (c == '-' && n == '-') {
          state_ = State::LineComment;
        } else if (c == '/' && n == '*') {
          state_ = State::BlockComment;
          append(c);
          c = text[++i];
        }
      } else if (state_ == State::Quoted) {
        if (c == '\\' && quote_ == '\'' && n != '\0') {
          append(c);
          c = text[++i];
        } else if (c == quote_) {
          state_ = State::Normal;  // a doubled quote re-enters Quoted on the next char
        }
      } else if (state_ == State::LineComment) {
        if (c == '\n') state_ = State::Normal;
      } else if (c == '*' && n == '/') {
        state_ = State::Normal;
        append(c);
        c = text[++i];
      }
      append(c);
    }
    return out;
  }
  // What remains after the last ';' (a final statement without ';' in a file).
  std::optional<Piece> rest() {
    std::optional<Piece> r;
    if (!blank(pending_)) r = take();
    pending_.clear();
    state_ = State::Normal;
    return r;
  }
  bool idle() const { return blank(pending_) && state_ == State::Normal; }

 private:
  void append(char c) {
    if (blank(pending_) && !std::isspace(static_cast<unsigned char>(c))) startLine_ = line_;
    pending_ += c;
    if (c == '\n') ++line_;
  }
  Piece take() {
    size_t b = pending_.find_first_not_of(" \t\r\n");
    size_t e = pending_.find_last_not_of(" \t\r\n");
    return Piece{pending_.substr(b, e - b + 1), startLine_};
  }
  static bool blank(const std::string& s) {
    return s.find_first_not_of(" \t\r\n") == std::string::npos;
  }
  enum class State { Normal, Quoted, LineComment, BlockComment } state_ = State::Normal;
  char quote_ = 0;
  std::string pending_;
  int line_ = 1;
  int startLine_ = 1;
};

// An empty string is written "" so that it differs from NULL (an empty field), as Spark's
// CSV writer does.
std::string csvField(const std::string& s) {
  if (s.empty()) return "\"\"";
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string tsvField(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out;
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string jsonValue(const ember::Value& v) {
  if (v.isNull()) return "null";
  const ember::DataType& t = v.type();
  if (t.id() == ember::TypeId::List) {  // a JSON array
    std::string out = "[";
    for (size_t i = 0; i < v.items().size(); ++i) out += (i ? "," : "") + jsonValue(v.items()[i]);
    return out + "]";
  }
  if (t.id() == ember::TypeId::Struct || t.id() == ember::TypeId::Map) {  // a JSON object
    std::string out = "{";
    for (size_t i = 0; i < v.items().size(); ++i) {
      std::string key =
          t.id() == ember::TypeId::Struct ? t.children()[i].name : v.items()[i].toString();
      const ember::Value& x = t.id() == ember::TypeId::Struct ? v.items()[i] : v.mapValues()[i];
      out += (i ? "," : "") + jsonString(key) + ":" + jsonValue(x);
    }
    return out + "}";
  }
  if (t.id() == ember::TypeId::Boolean) return v.asBool() ? "true" : "false";
  if (t.isFloating() && !std::isfinite(v.asDouble())) return jsonString(v.toString());
  if (t.isNumeric()) return v.toString();
  return jsonString(v.toString());
}

// Prints a result; returns the number of rows (-1: not counted).
int64_t printResult(const ember::sql::DataFrame& df, const std::string& format) {
  ember::Schema schema = df.schema();
  if (format == "table") {
    // Every row, no truncation (Spark's show(n, 0)); runs the query once.
    std::cout << df.showString(std::numeric_limits<int>::max() - 1, 0);
    std::cout.flush();
    return -1;
  }
  std::vector<ember::Row> rows = df.collect();
  std::vector<std::string> names = schema.names();
  if (format == "csv" || format == "tsv") {
    bool csv = format == "csv";
    const char* sep = csv ? "," : "\t";
    for (size_t i = 0; i < names.size(); ++i)
      std::cout << (i ? sep : "") << (csv ? csvField(names[i]) : tsvField(names[i]));
    std::cout << "\n";
    for (const auto& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        std::string s = row[i].isNull() ? (csv ? "" : "NULL") : row[i].toString();
        std::cout << (i ? sep : "")
                  << (csv ? (row[i].isNull() ? std::string() : csvField(s)) : tsvField(s));
      }
      std::cout << "\n";
    }
  } else {  // json lines
    for (const auto& row : rows) {
      std::cout << "{";
      for (size_t i = 0; i < row.size() && i < names.size(); ++i)
        std::cout << (i ? "," : "") << jsonString(names[i]) << ":" << jsonValue(row[i]);
      std::cout << "}\n";
    }
  }
  std::cout.flush();
  return static_cast<int64_t>(rows.size());
}

// Runs one statement; prints its result if it has columns. Returns false on error.
// `where` prefixes error messages (the script and line of the statement).
bool runStatement(ember::sql::Session& session, const std::string& sql, const std::string& format,
                  bool interactive, const std::string& where = "") {
  auto start = std::chrono::steady_clock::now();
  try {
    ember::sql::DataFrame df = session.sql(sql);
    int64_t rows = 0;
    bool explain = sql.size() >= 7 && ember::equalsIgnoreCase(sql.substr(0, 7), "explain") &&
                   (sql.size() == 7 || std::isspace(static_cast<unsigned char>(sql[7])));
    if (explain && format == "table") {
      // A plan reads better as plain text than inside a one-cell table.
      for (const auto& row : df.collect())
        for (const auto& v : row) {
          std::string text = v.toString();
          std::cout << text << (text.ends_with('\n') ? "" : "\n");
        }
      std::cout.flush();
    } else if (df.schema().size() > 0) {
      rows = printResult(df, format);
    }
    if (interactive) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (rows >= 0)
        std::fprintf(stderr, "Time taken: %.3f s, %lld row(s)\n", secs,
                     static_cast<long long>(rows));
      else
        std::fprintf(stderr, "Time taken: %.3f s\n", secs);
    }
    return true;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "Error" << where << ": " << e.what() << std::endl;
    return false;
  }
}

int runBatch(ember::sql::Session& session, const std::string& text, const std::string& format,
             const std::string& source) {
  StatementSplitter splitter;
  std::vector<StatementSplitter::Piece> stmts = splitter.feed(text);
  if (auto last = splitter.rest()) stmts.push_back(*last);
  for (const auto& s : stmts) {
    std::string where = " in " + source + " (statement at line " + std::to_string(s.line) + ")";
    if (!runStatement(session, s.text, format, false, where)) return 1;
  }
  return 0;
}

// Reads one line: GNU readline on a terminal (editing, history), plain getline otherwise
// (readline would echo piped input).
std::optional<std::string> readLine(bool tty, const char* prompt) {
  if (!tty) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }
  char* line = readline(prompt);
  if (!line) return std::nullopt;
  std::string text(line);
  std::free(line);
  return text;
}

bool isExit(const std::string& stmt) {
  return ember::equalsIgnoreCase(stmt, "exit") || ember::equalsIgnoreCase(stmt, "quit");
}

int runShell(ember::sql::Session& session, const std::string& format) {
  bool tty = isatty(STDIN_FILENO);
  std::string historyFile;
  if (const char* home = std::getenv("HOME"))
    historyFile = std::string(home) + "/.ember_sql_history";
  if (tty) {
    using_history();
    if (!historyFile.empty()) read_history(historyFile.c_str());
    std::cerr << "Ember SQL shell: end statements with ';', exit with Ctrl-D or 'exit;'"
              << std::endl;
  }
  StatementSplitter splitter;
  std::string entered;  // the lines of the statement being typed, for the history
  int status = 0;
  bool quit = false;
  while (!quit) {
    auto line = readLine(tty, splitter.idle() ? "ember-sql> " : "         > ");
    if (!line) break;
    entered += (entered.empty() ? "" : "\n") + *line;
    std::vector<StatementSplitter::Piece> stmts = splitter.feed(*line + "\n");
    if (!stmts.empty() || splitter.idle()) {
      if (tty && !stmts.empty()) add_history(entered.c_str());
      entered.clear();
    }
    for (const auto& s : stmts) {
      if (isExit(s.text)) {
        quit = true;
        break;
      }
      if (!runStatement(session, s.text, format, tty)) status = 1;
    }
  }
  if (!quit)
    if (auto last = splitter.rest(); last && !isExit(last->text))
      if (!runStatement(session, last->text, format, tty)) status = 1;
  if (tty && !historyFile.empty()) write_history(historyFile.c_str());
  // On a terminal errors were shown as they happened; piped input (a script) reports
  // them in the exit code too.
  return tty ? 0 : status;
}

int runSql(const SqlOptions& o) {
  if (o.format != "table" && o.format != "csv" && o.format != "tsv" && o.format != "json")
    throw ember::UserError("unknown --format '" + o.format + "': use table, csv, tsv or json");
  if (!o.execute.empty() && !o.file.empty())
    throw ember::UserError("give either -e or -f, not both");
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& s : o.conf) {
    auto eq = s.find('=');
    if (eq == std::string::npos)
      throw ember::UserError("expected --conf key=value, got '" + s + "'");
    kv.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  if (!o.master.empty()) kv.emplace_back("ember.master", o.master);
  std::string script;
  if (!o.file.empty()) {
    std::ifstream in(o.file);
    if (!in) throw ember::UserError("cannot read SQL file '" + o.file + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    script = ss.str();
  }
  ember::Context ctx(ember::Config::load(kv));
  int rc;
  {
    ember::sql::Session session(ctx);
    if (!o.execute.empty()) {
      rc = runBatch(session, o.execute, o.format, "-e");
    } else if (!o.file.empty()) {
      rc = runBatch(session, script, o.format, o.file);
    } else {
      rc = runShell(session, o.format);
    }
  }
  ctx.stop();
  return rc;
}

ember::cli::Command kSql{
    "sql", "Run SQL statements (-e, -f or an interactive shell) and print query results",
    [](CLI::App& sub) {
      auto o = std::make_shared<SqlOptions>();
      sub.add_option("--master", o->master, "cluster to run on, e.g. local[4] (ember.master)");
      sub.add_option("--conf", o->conf, "key=value settings (repeatable)");
      sub.add_option("-e,--execute", o->execute, "SQL statements separated by ';'");
      sub.add_option("-f,--file", o->file, "a file of SQL statements separated by ';'");
      sub.add_option("--format", o->format, "result format: table (default), csv, tsv or json");
      return [o] { return runSql(*o); };
    }};

}  // namespace
