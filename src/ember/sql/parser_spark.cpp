// Statement level: splitting scripts, dispatching on the first keyword, and the Spark
// statements PostgreSQL's grammar cannot read (DDL with USING/OPTIONS, INSERT
// OVERWRITE, SET, SHOW, DESCRIBE, CACHE, EXPLAIN modes). Queries inside them are handed
// to libpg-query with their original offsets.
#include "ember/common/errors.h"
#include "ember/sql/parser.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql {
namespace detail {

namespace {
bool startsQuery(const Token& t) {
  return t.is("select") || t.is("with") || t.is("values") || t.is("table") || t.isOp("(");
}
}  // namespace

bool Cursor::accept(const char* keyword) {
  if (!peek().is(keyword)) return false;
  next();
  return true;
}

bool Cursor::acceptOp(const char* op) {
  if (!peek().isOp(op)) return false;
  next();
  return true;
}

void Cursor::expect(const char* keyword, const char* context) {
  if (!accept(keyword)) error(std::string("expected ") + keyword + " " + context);
}

void Cursor::expectOp(const char* op, const char* context) {
  if (!acceptOp(op)) error(std::string("expected '") + op + "' " + context);
}

std::string Cursor::identifier(const char* what) {
  if (!peek().isIdent()) error(std::string("expected ") + what);
  return next().text;
}

std::vector<std::string> Cursor::qualifiedName(const char* what) {
  std::vector<std::string> parts{identifier(what)};
  while (acceptOp(".")) parts.push_back(identifier(what));
  return parts;
}

std::string Cursor::stringLiteral(const char* what) {
  if (peek().kind != Token::String) error(std::string("expected a quoted string for ") + what);
  return next().text;
}

void Cursor::options(std::map<std::string, std::string>& out) {
  expectOp("(", "after OPTIONS");
  while (!acceptOp(")")) {
    std::string key;
    if (peek().kind == Token::String) {
      key = next().text;
    } else {
      key = identifier("an option name");
      while (acceptOp(".")) key += "." + identifier("an option name");
    }
    acceptOp("=");
    const Token& v = peek();
    if (v.kind != Token::String && v.kind != Token::Number && v.kind != Token::Word)
      error("expected a value for option '" + key + "'");
    out[toLowerAscii(key)] = next().text;
    if (!acceptOp(",") && !peek().isOp(")")) error("expected ',' or ')' in OPTIONS");
  }
}

size_t Cursor::matching(size_t open) const {
  int depth = 0;
  for (size_t i = open; i < toks_.size(); ++i) {
    if (toks_[i].isOp("(")) ++depth;
    if (toks_[i].isOp(")") && --depth == 0) return i;
  }
  throwAt(sql_, toks_[open].begin, "unbalanced parenthesis: no matching ')'");
}

void Cursor::error(const std::string& message) const {
  const Token& t = peek();
  std::string near = t.kind == Token::End
                         ? "at end of input"
                         : "at or near '" + sql_.substr(t.begin, t.end - t.begin) + "'";
  throwAt(sql_, t.begin, message + " " + near);
}

PlanPtr parseQueryRange(const std::string& sql, int begin, int end) {
  QueryOrganization org;
  std::string body = extractOrganization(sql, begin, end, org);
  PgText text = rewriteForPg(body, begin, end);
  Json stmts = runPg(body, text);
  if (stmts.size() != 1 || !stmts[0]["stmt"].contains("SelectStmt"))
    throwAt(sql, begin, "expected a query (SELECT, VALUES or WITH ... SELECT)");
  PgTranslator t(body, text);
  PlanPtr plan = t.select(stmts[0]["stmt"]["SelectStmt"]);
  return org.empty() ? plan : applyOrganization(plan, sql, org);
}

ExprPtr parseExpressionRange(const std::string& sql, int begin, int end) {
  PgText text = rewriteForPg(sql, begin, end, "SELECT ");
  Json stmts;
  try {
    stmts = runPg(sql, text);
  } catch (const UserError&) {
    if (tokenize(sql, begin, end).size() == 1) throwAt(sql, begin, "expected an expression");
    throw;
  }
  const Json* s = stmts.size() == 1 && stmts[0]["stmt"].contains("SelectStmt")
                      ? &stmts[0]["stmt"]["SelectStmt"]
                      : nullptr;
  bool single = s && s->contains("targetList") && (*s)["targetList"].size() == 1;
  if (single)
    for (auto it = s->begin(); it != s->end(); ++it)
      if (it.key() != "targetList" && it.key() != "limitOption" && it.key() != "op") single = false;
  if (!single) throwAt(sql, begin, "expected a single expression");
  PgTranslator t(sql, text);
  const Json& rt = (*s)["targetList"][0]["ResTarget"];
  ExprPtr e = t.expr(rt["val"]);
  if (rt.contains("name")) return alias(e, t.ident(rt.value("name", "")));
  return e;
}

Schema parseSchemaRange(const std::string& sql, int begin, int end) {
  Cursor c(sql, tokenize(sql, begin, end));
  std::vector<Field> fields;
  while (!c.atEnd()) {
    Field f;
    f.name = c.identifier("a column name");
    c.acceptOp(":");
    const Token& first = c.peek();
    int depth = 0, typeEnd = first.begin;
    while (!c.atEnd()) {
      const Token& t = c.peek();
      if (depth == 0 && (t.isOp(",") || t.is("not") || t.is("comment"))) break;
      for (char ch : t.text) {
        if (t.kind != Token::Op) break;
        if (ch == '(' || ch == '<') ++depth;
        if (ch == ')' || ch == '>') --depth;
      }
      typeEnd = t.end;
      c.next();
    }
    if (typeEnd == first.begin) c.error("expected a type for column '" + f.name + "'");
    try {
      f.type = DataType::parse(sql.substr(first.begin, typeEnd - first.begin));
    } catch (const UserError& e) {
      throwAt(sql, first.begin, e.what());
    }
    if (c.accept("not")) {
      c.expect("null", "after NOT");
      f.nullable = false;
    }
    if (c.accept("comment")) c.stringLiteral("COMMENT");
    fields.push_back(std::move(f));
    if (!c.acceptOp(",") && !c.atEnd()) c.error("expected ',' between columns");
  }
  if (fields.empty()) throwAt(sql, begin, "empty schema: expected 'name TYPE, ...'");
  return Schema(std::move(fields));
}

namespace {

// The rest of the statement from the cursor is a query.
PlanPtr restQuery(Cursor& c, int end, const char* context) {
  if (c.atEnd() || !startsQuery(c.peek()))
    c.error(std::string("expected a query (SELECT ...) ") + context);
  return parseQueryRange(c.sql(), c.peek().begin, end);
}

// CREATE ... VIEW / TABLE after the CREATE keyword.
Statement create(Cursor& c, int end) {
  Statement s;
  s.orReplace = c.accept("or") ? (c.expect("replace", "after CREATE OR"), true) : false;
  bool global = c.accept("global");
  bool temp = c.accept("temporary") || c.accept("temp");
  if (global && !temp) c.error("expected TEMPORARY after GLOBAL");
  bool view = c.accept("view");
  if (!view) {
    c.accept("external");
    c.expect("table", "or VIEW after CREATE");
  }
  s.kind = view ? Statement::Kind::CreateView : Statement::Kind::CreateTableAs;
  s.temporary = temp;
  if (c.accept("if")) {
    c.expect("not", "after IF");
    c.expect("exists", "after IF NOT");
    s.ifNotExists = true;
  }
  s.name = c.qualifiedName("a view or table name");
  if (c.peek().isOp("(") && !startsQuery(c.peek(1))) {
    size_t open = c.index(), close = c.matching(open);
    const auto& toks = c.tokens();
    bool namesOnly = true;
    for (size_t i = open + 1; i < close; ++i)
      namesOnly = namesOnly && ((i - open) % 2 == 1 ? toks[i].isIdent() : toks[i].isOp(","));
    if (namesOnly) {
      for (size_t i = open + 1; i < close; i += 2) s.columnNames.push_back(toks[i].text);
    } else {
      s.columns = parseSchemaRange(c.sql(), toks[open].end, toks[close].begin).fields();
    }
    c.seek(close + 1);
  }
  while (true) {
    if (c.accept("using")) {
      s.format = toLowerAscii(c.identifier("a data source format after USING"));
    } else if (c.accept("options")) {
      c.options(s.options);
    } else if (c.accept("partitioned")) {
      c.expect("by", "after PARTITIONED");
      c.expectOp("(", "after PARTITIONED BY");
      do s.partitionBy.push_back(c.identifier("a partition column"));
      while (c.acceptOp(","));
      c.expectOp(")", "after the partition columns");
    } else if (c.accept("location")) {
      s.location = c.stringLiteral("LOCATION");
    } else if (c.accept("comment")) {
      c.stringLiteral("COMMENT");
    } else {
      break;
    }
  }
  if (s.location.empty() && s.options.count("path")) s.location = s.options["path"];
  if (c.accept("as") || (!c.atEnd() && startsQuery(c.peek())))
    s.query = restQuery(c, end, "after AS");
  if (!s.query && s.format.empty())
    c.error(view ? "expected AS query or USING format in CREATE VIEW"
                 : "expected USING format or AS query in CREATE TABLE");
  return s;
}

// A table name, or a feed path as feed.`/path` (parts {"feed", "/path"}) or '/path'.
std::vector<std::string> tableOrPath(Cursor& c) {
  if (c.peek().kind == Token::String) return {"feed", c.next().text};
  return c.qualifiedName("a table name or feed.`/path`");
}

Statement insert(Cursor& c, int end) {
  Statement s;
  s.kind = Statement::Kind::InsertInto;
  if (c.accept("overwrite")) {
    s.overwrite = true;
  } else {
    c.expect("into", "or OVERWRITE after INSERT");
  }
  if (s.overwrite && (c.accept("local"), c.accept("directory"))) {
    s.kind = Statement::Kind::InsertDirectory;
    if (c.peek().kind == Token::String) s.location = c.next().text;
    c.expect("using", "format after INSERT OVERWRITE DIRECTORY");
    s.format = toLowerAscii(c.identifier("a data source format"));
    if (c.accept("options")) c.options(s.options);
    if (s.location.empty() && s.options.count("path")) s.location = s.options["path"];
    if (s.location.empty())
      c.error("INSERT OVERWRITE DIRECTORY needs a path ('path' or OPTIONS (path '...'))");
    s.query = restQuery(c, end, "after the directory");
    return s;
  }
  c.accept("table");
  s.name = c.qualifiedName("a table name");
  if (c.peek().isOp("(") && !startsQuery(c.peek(1))) {
    c.next();
    do s.columnNames.push_back(c.identifier("a column name"));
    while (c.acceptOp(","));
    c.expectOp(")", "after the column list");
  }
  s.query = restQuery(c, end, "to insert");
  return s;
}

}  // namespace

Statement parseStatementRange(const std::string& sql, int begin, int end) {
  Cursor c(sql, tokenize(sql, begin, end));
  if (c.atEnd()) throwAt(sql, begin, "empty statement");
  Statement s;
  s.position = c.peek().begin;
  const Token& first = c.peek();
  if (startsQuery(first)) {
    s.kind = Statement::Kind::Query;
    s.query = parseQueryRange(sql, begin, end);
    return s;
  }
  c.next();
  if (first.is("explain")) {
    s.kind = Statement::Kind::Explain;
    s.explainMode = "simple";
    for (const char* m : {"extended", "formatted", "cost", "codegen", "logical"})
      if (c.accept(m)) s.explainMode = m;
    if (c.atEnd()) c.error("expected a statement after EXPLAIN");
    s.inner = std::make_shared<Statement>(parseStatementRange(sql, c.peek().begin, end));
    return s;
  }
  if (first.is("truncate")) {  // TRUNCATE TABLE t: an INSERT OVERWRITE of no rows
    c.expect("table", "after TRUNCATE");
    s.kind = Statement::Kind::InsertInto;
    s.overwrite = true;
    s.options["__operation"] = "TRUNCATE";
    s.name = c.qualifiedName("a table name");
    if (!c.atEnd()) c.error("unexpected input (partitions cannot be truncated yet)");
    return s;
  }
  if (first.is("delete") || first.is("update")) {
    Statement d = parseDeleteOrUpdate(c, first.is("update"));
    d.position = s.position;
    return d;
  }
  if (first.is("merge")) {
    Statement m = parseMerge(c, end);
    m.position = s.position;
    return m;
  }
  if (first.is("create")) {
    Statement cs = create(c, end);
    cs.position = s.position;
    return cs;
  }
  if (first.is("insert")) {
    Statement is = insert(c, end);
    is.position = s.position;
    return is;
  }
  if (first.is("set")) {
    s.kind = Statement::Kind::SetConfig;
    if (c.atEnd()) return s;  // SET: list everything
    size_t eq = c.index();
    while (!c.tokens()[eq].isOp("=") && c.tokens()[eq].kind != Token::End) ++eq;
    int keyBegin = c.peek().begin;
    const auto& toks = c.tokens();
    if (toks[eq].kind == Token::End) {
      s.key = sql.substr(keyBegin, toks[eq - 1].end - keyBegin);
      return s;
    }
    if (eq == c.index()) c.error("expected a configuration key before '='");
    s.key = sql.substr(keyBegin, toks[eq - 1].end - keyBegin);
    if (toks[eq + 1].kind == Token::End) c.seek(eq + 1), c.error("expected a value after '='");
    if (toks[eq + 1].kind == Token::String && toks[eq + 2].kind == Token::End) {
      s.value = toks[eq + 1].text;
    } else {
      s.value = sql.substr(toks[eq + 1].begin, toks[toks.size() - 2].end - toks[eq + 1].begin);
    }
    return s;
  }
  if (first.is("show")) {
    // SHOW FUNCTIONS / SHOW COLUMNS ride on ShowTables, told apart by options["__show"]
    // (session_catalog_statements.cpp).
    s.kind = Statement::Kind::ShowTables;
    bool scoped = (c.peek().is("user") || c.peek().is("system") || c.peek().is("all")) &&
                  c.peek(1).is("functions");
    if (scoped) c.next();
    if (c.accept("functions")) {
      s.options["__show"] = "functions";
      if (c.accept("like") || c.peek().kind == Token::String)
        s.value = c.stringLiteral("a LIKE pattern ('*' and '|' as in Spark)");
    } else if (c.accept("columns")) {
      s.options["__show"] = "columns";
      if (!c.accept("in") && !c.accept("from")) c.error("expected IN or FROM after SHOW COLUMNS");
      s.name = c.qualifiedName("a table or view name");
    } else {
      if (!c.accept("tables") && !c.accept("views"))
        c.error("expected TABLES, VIEWS, COLUMNS or FUNCTIONS after SHOW");
      if (c.accept("in") || c.accept("from")) s.name = c.qualifiedName("a database name");
    }
  } else if (first.is("describe") || first.is("desc")) {
    s.kind = Statement::Kind::Describe;
    if (c.peek().is("function") && !c.peek(1).isOp(".") && c.peek(1).kind != Token::End) {
      c.next();
      c.accept("extended");
      s.options["__describe"] = "function";
      s.name = {c.peek().kind == Token::String ? c.next().text : c.identifier("a function name")};
      if (!c.atEnd()) c.error("unexpected input");
      return s;
    }
    if (c.peek().is("history") && !c.peek(1).isOp(".") && c.peek(1).kind != Token::End) {
      c.next();
      s.kind = Statement::Kind::DescribeHistory;
      s.name = tableOrPath(c);
      if (c.accept("limit")) {
        if (c.peek().kind != Token::Number) c.error("expected a number after LIMIT");
        s.limit = std::stoll(c.next().text);
      }
      if (!c.atEnd()) c.error("unexpected input");
      return s;
    }
    bool named = c.accept("table") || c.accept("extended") || c.accept("formatted");
    if (!named && (c.accept("query") || (!c.atEnd() && startsQuery(c.peek())))) {
      s.query = restQuery(c, end, "after DESCRIBE");
      return s;
    }
    s.name = c.qualifiedName("a table or view name");
  } else if (first.is("vacuum")) {
    s.kind = Statement::Kind::Vacuum;
    s.name = tableOrPath(c);
    if (c.accept("retain")) {
      if (c.peek().kind != Token::Number) c.error("expected a number of hours after RETAIN");
      s.retainHours = std::stod(c.next().text);
      c.expect("hours", "after RETAIN n");
    }
    if (c.accept("dry")) {
      c.expect("run", "after DRY");
      s.dryRun = true;
    }
  } else if (first.is("drop")) {
    s.kind = Statement::Kind::DropView;
    c.accept("temporary");
    if (!c.accept("view") && !c.accept("table")) c.error("expected VIEW or TABLE after DROP");
    if (c.accept("if")) {
      c.expect("exists", "after IF");
      s.ifExists = true;
    }
    s.name = c.qualifiedName("a view or table name");
  } else if (first.is("cache")) {
    s.kind = Statement::Kind::CacheTable;
    if (c.accept("lazy")) s.options["__lazy"] = "true";  // computed by the first query
    c.expect("table", "after CACHE");
    s.name = c.qualifiedName("a table name");
    if (c.accept("options")) c.options(s.options);
    if (c.accept("as") || (!c.atEnd() && startsQuery(c.peek()))) {
      s.query = restQuery(c, end, "after CACHE TABLE name AS");
      return s;
    }
  } else if (first.is("clear")) {  // CLEAR CACHE: every cached table and DataFrame
    s.kind = Statement::Kind::UncacheTable;
    c.expect("cache", "after CLEAR");
    s.options["__clear"] = "true";
  } else if (first.is("uncache")) {
    s.kind = Statement::Kind::UncacheTable;
    c.expect("table", "after UNCACHE");
    if (c.accept("if")) {
      c.expect("exists", "after IF");
      s.ifExists = true;
    }
    s.name = c.qualifiedName("a table name");
  } else {
    throwAt(
        sql, first.begin,
        "unsupported statement '" + first.text +
            "': expected SELECT, WITH, VALUES, CREATE, INSERT, MERGE, DELETE, UPDATE, TRUNCATE, "
            "EXPLAIN, "
            "SET, SHOW, "
            "DESCRIBE, DROP, CACHE, UNCACHE or CLEAR CACHE");
  }
  if (!c.atEnd()) c.error("unexpected input");
  return s;
}

namespace {
// [begin, end) of each non-empty statement of a script.
std::vector<std::pair<int, int>> splitStatements(const std::string& sql) {
  std::vector<std::pair<int, int>> out;
  auto toks = tokenize(sql, 0, static_cast<int>(sql.size()));
  int start = -1;
  for (const auto& t : toks) {
    if (t.kind == Token::End || t.isOp(";")) {
      if (start >= 0) out.emplace_back(start, t.begin);
      start = -1;
    } else if (start < 0) {
      start = t.begin;
    }
  }
  return out;
}
}  // namespace

}  // namespace detail

Statement parseStatement(const std::string& sql) {
  auto parts = detail::splitStatements(sql);
  if (parts.empty()) detail::throwAt(sql, 0, "empty statement: expected SQL");
  if (parts.size() > 1)
    detail::throwAt(sql, parts[1].first,
                    "expected one statement, found " + std::to_string(parts.size()) +
                        " (use parseScript, or remove the text after the first ';')");
  return detail::parseStatementRange(sql, parts[0].first, parts[0].second);
}

std::vector<Statement> parseScript(const std::string& sql) {
  std::vector<Statement> out;
  for (auto [b, e] : detail::splitStatements(sql))
    out.push_back(detail::parseStatementRange(sql, b, e));
  return out;
}

ExprPtr parseExpression(const std::string& text) {
  return detail::parseExpressionRange(text, 0, static_cast<int>(text.size()));
}

Schema parseSchema(const std::string& text) {
  return detail::parseSchemaRange(text, 0, static_cast<int>(text.size()));
}

}  // namespace ember::sql
