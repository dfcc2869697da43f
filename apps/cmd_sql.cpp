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
#include <memory>
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
class StatementSplitter {
 public:
  std::vector<std::string> feed(const std::string& text) {
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      char n = i + 1 < text.size() ? text[i + 1] : '\0';
      if (state_ == State::Normal) {
        if (c == ';') {
          if (!blank(pending_)) out.push_back(pending_);
          pending_.clear();
          continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
          quote_ = c;
          state_ = State::Quoted;
        } else if (c == '-' && n == '-') {
          state_ = State::LineComment;
        } else if (c == '/' && n == '*') {
          state_ = State::BlockComment;
          pending_ += c;
          c = text[++i];
        }
      } else if (state_ == State::Quoted) {
        if (c == '\\' && quote_ == '\'' && n != '\0') {
          pending_ += c;
          c = text[++i];
        } else if (c == quote_) {
          state_ = State::Normal;  // a doubled quote re-enters Quoted on the next char
        }
      } else if (state_ == State::LineComment) {
        if (c == '\n') state_ = State::Normal;
      } else if (c == '*' && n == '/') {
        state_ = State::Normal;
        pending_ += c;
        c = text[++i];
      }
      pending_ += c;
    }
    if (state_ == State::LineComment) state_ = State::Normal;  // lines end comments
    return out;
  }
  // What remains after the last ';' (a final statement without ';' in a file).
  std::string rest() {
    std::string r = blank(pending_) ? "" : pending_;
    pending_.clear();
    state_ = State::Normal;
    return r;
  }
  bool idle() const { return blank(pending_) && state_ == State::Normal; }

 private:
  static bool blank(const std::string& s) {
    return s.find_first_not_of(" \t\r\n") == std::string::npos;
  }
  enum class State { Normal, Quoted, LineComment, BlockComment } state_ = State::Normal;
  char quote_ = 0;
  std::string pending_;
};

std::string csvField(const std::string& s) {
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
  if (t.id() == ember::TypeId::Boolean) return v.asBool() ? "true" : "false";
  if (t.isFloating() && !std::isfinite(v.asDouble())) return jsonString(v.toString());
  if (t.isNumeric()) return v.toString();
  return jsonString(v.toString());
}

// Prints a result; returns the number of rows.
size_t printResult(const ember::sql::DataFrame& df, const std::string& format) {
  ember::Schema schema = df.schema();
  if (format == "table") {
    std::vector<ember::Row> rows = df.collect();
    std::cout << df.showString(static_cast<int>(rows.size()), 0);
    return rows.size();
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
        std::cout << (i ? sep : "") << (csv ? csvField(s) : tsvField(s));
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
  return rows.size();
}

// Runs one statement; prints its result if it has columns. Returns false on error.
bool runStatement(ember::sql::Session& session, const std::string& sql, const std::string& format,
                  bool interactive) {
  auto start = std::chrono::steady_clock::now();
  try {
    ember::sql::DataFrame df = session.sql(sql);
    size_t rows = 0;
    if (df.schema().size() > 0) rows = printResult(df, format);
    if (interactive) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "Time taken: %.3f s, %zu row(s)\n", secs, rows);
    }
    return true;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "Error: " << e.what() << std::endl;
    return false;
  }
}

int runBatch(ember::sql::Session& session, const std::string& text, const std::string& format) {
  StatementSplitter splitter;
  std::vector<std::string> stmts = splitter.feed(text);
  std::string last = splitter.rest();
  if (!last.empty()) stmts.push_back(last);
  for (const auto& s : stmts)
    if (!runStatement(session, s, format, false)) return 1;
  return 0;
}

int runShell(ember::sql::Session& session, const std::string& format) {
  std::string historyFile;
  if (const char* home = std::getenv("HOME"))
    historyFile = std::string(home) + "/.ember_sql_history";
  using_history();
  if (!historyFile.empty()) read_history(historyFile.c_str());
  bool tty = isatty(STDIN_FILENO);
  if (tty)
    std::cerr << "Ember SQL shell: end statements with ';', exit with Ctrl-D or 'exit;'"
              << std::endl;
  StatementSplitter splitter;
  std::string entered;  // the lines of the statement being typed, for the history
  int status = 0;
  while (true) {
    const char* prompt = splitter.idle() ? "ember-sql> " : "         > ";
    char* line = readline(tty ? prompt : "");
    if (!line) break;
    std::string text(line);
    std::free(line);
    entered += (entered.empty() ? "" : "\n") + text;
    std::vector<std::string> stmts = splitter.feed(text + "\n");
    if (!stmts.empty()) {
      add_history(entered.c_str());
      entered.clear();
    } else if (splitter.idle()) {
      entered.clear();
    }
    bool quit = false;
    for (const auto& s : stmts) {
      std::string word = s.substr(s.find_first_not_of(" \t\r\n"));
      while (!word.empty() && std::isspace(static_cast<unsigned char>(word.back())))
        word.pop_back();
      if (ember::equalsIgnoreCase(word, "exit") || ember::equalsIgnoreCase(word, "quit")) {
        quit = true;
        break;
      }
      if (!runStatement(session, s, format, true)) status = 1;
    }
    if (quit) break;
  }
  std::string last = splitter.rest();
  if (!last.empty() && !runStatement(session, last, format, true)) status = 1;
  if (!historyFile.empty()) write_history(historyFile.c_str());
  // Interactive errors were reported as they happened; the exit code reflects them only
  // when the input was not a terminal (a piped script).
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
      rc = runBatch(session, o.execute, o.format);
    } else if (!o.file.empty()) {
      rc = runBatch(session, script, o.format);
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
