// The Spark -> PostgreSQL pre-pass over a query's tokens, and the libpg-query call.
//
// Rewrites (each output byte remembers the original byte it came from):
//   `name`                 -> "name"
//   csv.`/path`            -> "__ember_file_<i>" (FileSource recorded)
//   ==                     -> =
//   a DIV b                -> a # b (pg has no DIV; `#` is translated to "div")
//   a [NOT] RLIKE|REGEXP b -> a ~ b / a !~ b
//   [LEFT] SEMI|ANTI JOIN  -> JOIN (the join type is recorded by the JOIN's offset)
//   INTERVAL 3 DAYS        -> INTERVAL '3 DAYS'
//   any(x), some(x)        -> bool_or(x) (pg reserves ANY and SOME)
//   TABLESAMPLE (n PERCENT) -> TABLESAMPLE BERNOULLI (n)
//   'a\'b'                 -> E'a\'b' (Spark processes backslash escapes in strings)
//   FROM (SELECT ...)      -> FROM (SELECT ...) AS __ember_sq_<i> (pg 15 requires an alias)
//   FROM VALUES (1, 'a'), (2, 'b') t(x, y) -> FROM (VALUES (1, 'a'), (2, 'b')) t(x, y)
//   FROM VALUES 1, 2 AS t(x) -> FROM (VALUES (1), (2)) AS t(x) (Spark's inline tables)
//   current_date(), current_timestamp() -> current_date, current_timestamp
//   GROUP BY a, b WITH ROLLUP|CUBE -> GROUP BY ROLLUP|CUBE(a, b) (Spark/MySQL syntax)
//   GROUP BY ALL           -> GROUP BY __ember_group_by_all (every non-aggregate select item)
//   q1 MINUS q2            -> q1 EXCEPT q2
//   rel PIVOT (aggs FOR col IN (v [AS a], ...)) [alias]
//                          -> (SELECT __ember_pivot(col, v, 'a', ...), aggs FROM rel) AS alias
//                             (parser_select.cpp and the analyzer finish it)
//   first(x) IGNORE NULLS  -> first(x, true) (also last, first_value, last_value, any_value);
//   RESPECT NULLS is dropped
#include <pg_query.h>

#include <set>

#include "ember/common/errors.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

namespace {

bool isWordIn(const Token& t, const std::set<std::string>& words) {
  return t.kind == Token::Word && words.count(toLowerAscii(t.text)) > 0;
}

const std::set<std::string> kFileFormats = {"csv", "parquet", "json", "text",
                                            "orc", "avro",    "feed", "ember"};

// Delta's time travel after a relation in FROM: `VERSION AS OF 3` or
// `TIMESTAMP AS OF '2026-11-22 10:00:00'` starting at toks[k]. Returns the suffix the
// relation gets ("@v3", "@ts=2026-11-22 10:00:00") and sets `last` to the index of the
// clause's last token; "" if there is no such clause.
std::string timeTravelAt(const std::vector<Token>& toks, size_t k, size_t& last) {
  if (k + 3 >= toks.size() || !toks[k + 1].is("as") || !toks[k + 2].is("of")) return "";
  const Token& v = toks[k + 3];
  if (toks[k].is("version") && v.kind == Token::Number) {
    last = k + 3;
    return "@v" + v.text;
  }
  if (toks[k].is("timestamp") && v.kind == Token::String) {
    last = k + 3;
    return "@ts=" + v.text;
  }
  return "";
}
const std::set<std::string> kIntervalUnits = {
    "year",   "years",   "month",       "months",       "week",        "weeks",
    "day",    "days",    "hour",        "hours",        "minute",      "minutes",
    "second", "seconds", "millisecond", "milliseconds", "microsecond", "microseconds"};
// Words that, right after a FROM subquery's ')', mean the subquery has no alias.
const std::set<std::string> kNotAlias = {"where",   "group", "having",    "order",       "limit",
                                         "offset",  "union", "intersect", "except",      "join",
                                         "inner",   "left",  "right",     "full",        "cross",
                                         "natural", "on",    "using",     "window",      "semi",
                                         "anti",    "fetch", "lateral",   "tablesample", "pivot"};
// Words that end a FROM clause at the current parenthesis depth.
const std::set<std::string> kEndsFrom = {"where",  "group",  "having", "order",
                                         "limit",  "offset", "union",  "intersect",
                                         "except", "window", "select", "qualify"};
// Words after which DIV cannot be the operator.
const std::set<std::string> kNotOperand = {"select", "where", "and",  "or",       "not",
                                           "by",     "on",    "when", "then",     "else",
                                           "having", "from",  "as",   "distinct", "case"};

struct Emitter {
  PgText& out;
  void copy(const std::string& sql, int from, int to) {
    for (int i = from; i < to; ++i) {
      out.text += sql[i];
      out.origin.push_back(i);
    }
  }
  void put(const std::string& s, int origin) {
    for (char c : s) {
      out.text += c;
      out.origin.push_back(origin);
    }
  }
};

struct Paren {
  std::string function;      // lower-cased name before the '(' (empty: not a call)
  bool extractLike = false;  // EXTRACT(.. FROM ..) and friends: FROM is not a clause
  bool inFrom = false;
  bool fromSubquery = false;
  int groupByAt = -1;   // offset in the output right after this level's GROUP BY
  int fromItemAt = -1;  // offset in the output where the current FROM item starts
  int callAt = -1;      // offset in the output where the function name before '(' starts
};

// Inserts `text` (mapped to `origin`) at output offset `at`: later offsets move right.
void insertAt(PgText& out, size_t at, const std::string& text, int origin) {
  out.text.insert(at, text);
  out.origin.insert(out.origin.begin() + static_cast<long>(at), text.size(), origin);
  std::map<int, JoinType> moved;
  for (const auto& [off, type] : out.specialJoins)
    moved[off >= static_cast<int>(at) ? off + static_cast<int>(text.size()) : off] = type;
  out.specialJoins = std::move(moved);
}

// The index of the ')' matching the '(' at toks[open] (toks.size() - 1 if unbalanced).
size_t matchingParen(const std::vector<Token>& toks, size_t open) {
  int depth = 0;
  for (size_t j = open; j + 1 < toks.size(); ++j) {
    if (toks[j].isOp("(")) ++depth;
    if (toks[j].isOp(")") && --depth == 0) return j;
  }
  return toks.size() - 1;
}

// Original text of toks[from..to], backtick identifiers as pg's double-quoted ones.
std::string tokenText(const std::string& sql, const std::vector<Token>& toks, size_t from,
                      size_t to) {
  std::string out;
  for (size_t j = from; j <= to; ++j) {
    if (j > from && toks[j].begin > toks[j - 1].end) out += ' ';
    if (toks[j].kind == Token::Backtick)
      out += "\"" + toks[j].text + "\"";
    else
      out += sql.substr(toks[j].begin, toks[j].end - toks[j].begin);
  }
  return out;
}

}  // namespace

PgText rewriteForPg(const std::string& sql, int begin, int end, const std::string& prefix) {
  PgText out;
  Emitter em{out};
  em.put(prefix, begin);
  auto toks = tokenize(sql, begin, end);
  for (const auto& t : toks)
    if (t.kind == Token::Word) out.spelling.emplace(toLowerAscii(t.text), t.text);

  std::vector<Paren> parens(1);
  int last = begin;  // original offset up to which text has been emitted
  int subqueries = 0;
  // Spark's unparenthesised FROM VALUES: scalar rows to wrap, and the last row's token.
  std::set<size_t> rowOpen, rowClose;
  size_t valuesEnd = static_cast<size_t>(-1);
  auto hasAliasAt = [](const Token& n) {
    return n.is("as") || n.kind == Token::Quoted || n.kind == Token::Backtick ||
           (n.kind == Token::Word && !isWordIn(n, kNotAlias) && !isWordIn(n, kEndsFrom));
  };
  // LATERAL VIEW: index of the generator's closing ')' and what follows it.
  size_t lateralClose = static_cast<size_t>(-1);
  int prevTokenAt = -1, tokenAt = -1;  // output offsets where the previous/this token start
  for (size_t k = 0; k + 1 < toks.size(); ++k) {
    const Token& t = toks[k];
    const Token& next = toks[k + 1];
    const Token* prev = k > 0 ? &toks[k - 1] : nullptr;
    em.copy(sql, last, t.begin);
    prevTokenAt = tokenAt;
    tokenAt = static_cast<int>(out.text.size());
    last = t.end;
    auto skipTo = [&](size_t lastIndex) {
      k = lastIndex;
      last = toks[lastIndex].end;
    };
    if (parens.back().inFrom && prev && (prev->is("from") || prev->is("join") || prev->isOp(",")))
      parens.back().fromItemAt = static_cast<int>(out.text.size());
    if (rowOpen.count(k)) em.put("(", t.begin);
    if (t.is("values") && parens.back().inFrom && prev &&
        (prev->is("from") || prev->is("join") || prev->isOp(","))) {
      // Rows are tuples `( ... )` or single literals; anything else is left to pg.
      std::vector<std::pair<size_t, size_t>> rows;
      size_t j = k + 1;
      while (j + 1 < toks.size()) {
        size_t e = j;
        if (toks[j].isOp("(")) {
          int depth = 0;
          for (; e + 1 < toks.size(); ++e) {
            if (toks[e].isOp("(")) ++depth;
            if (toks[e].isOp(")") && --depth == 0) break;
          }
          if (e + 1 >= toks.size()) break;
        } else if (toks[j].isOp("-") && toks[j + 1].kind == Token::Number) {
          e = j + 1;
        } else if (!(toks[j].kind == Token::Number || toks[j].kind == Token::String ||
                     toks[j].is("null") || toks[j].is("true") || toks[j].is("false"))) {
          break;
        }
        rows.emplace_back(j, e);
        if (!toks[e + 1].isOp(",")) break;
        j = e + 2;
      }
      if (!rows.empty()) {
        for (const auto& [b, e] : rows)
          if (!toks[b].isOp("(")) {
            rowOpen.insert(b);
            rowClose.insert(e);
          }
        valuesEnd = rows.back().second;
        em.put("(", t.begin);
      }
    }

    if (t.kind == Token::Word) {
      std::string w = toLowerAscii(t.text);
      if (w == "from" && !parens.back().extractLike) parens.back().inFrom = true;
      if (kEndsFrom.count(w)) parens.back().inFrom = false;
    }

    size_t ttLast = 0;
    std::string tt;
    if (parens.back().inFrom && (t.kind == Token::Backtick || t.kind == Token::Word) &&
        !(t.kind == Token::Word && kNotAlias.count(toLowerAscii(t.text))))
      tt = timeTravelAt(toks, k + 1, ttLast);
    if (!tt.empty()) {
      // `t VERSION AS OF 3` -> "t@v3": the analyzer resolves it as time travel on feed t.
      std::string q = "\"";
      for (char c : t.text + tt) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      em.put(q + "\"", t.begin);
      skipTo(ttLast);
    } else if (t.kind == Token::Backtick) {
      std::string q = "\"";
      for (char c : t.text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      em.put(q + "\"", t.begin);
    } else if (isWordIn(t, kFileFormats) && next.isOp(".") && toks[k + 2].kind == Token::Backtick) {
      FileSource src;
      src.format = toLowerAscii(t.text);
      src.paths.push_back(toks[k + 2].text);
      em.put("\"" + std::string(kFilePrefix) + std::to_string(out.files.size()) + "\"", t.begin);
      size_t ttLast = 0;
      std::string tt = timeTravelAt(toks, k + 3, ttLast);
      if (!tt.empty()) {
        if (tt.rfind("@v", 0) == 0)
          src.options["versionasof"] = tt.substr(2);
        else
          src.options["timestampasof"] = tt.substr(4);
      }
      out.files.push_back(std::move(src));
      skipTo(tt.empty() ? k + 2 : ttLast);
    } else if ((t.is("array") || t.is("map") || t.is("struct")) && next.isOp("<") && prev &&
               prev->is("as")) {
      // CAST(x AS array<int>): pg cannot read Spark's nested type names; pass the name as
      // one quoted type name, which the translator hands to DataType::parse.
      size_t j = k + 1;
      int depth = 0;
      for (; j + 1 < toks.size(); ++j) {
        if (toks[j].kind == Token::Op)
          for (char c : toks[j].text) depth += c == '<' ? 1 : (c == '>' ? -1 : 0);
        if (depth <= 0) break;
      }
      std::string q = "\"";
      for (char c : sql.substr(t.begin, toks[j].end - t.begin))
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
      em.put(q + "\"", t.begin);
      skipTo(j);
    } else if (t.is("exists") && next.isOp("(") && !toks[k + 2].is("select") &&
               !toks[k + 2].is("with") && !toks[k + 2].is("values") && !toks[k + 2].is("table") &&
               !toks[k + 2].isOp("(") && !(prev && prev->isOp("."))) {
      em.put("\"exists\"", t.begin);  // Spark's exists(arr, x -> ...); pg reserves EXISTS
    } else if (t.is("array") && next.isOp("(") && !toks[k + 2].is("select") &&
               !toks[k + 2].is("with") && !(prev && prev->isOp("."))) {
      em.put("\"array\"", t.begin);  // Spark's array(...) function; pg reserves ARRAY
    } else if (t.is("lateral") && next.is("view")) {
      // Spark's `LATERAL VIEW [OUTER] gen(args) tbl [AS] c1, c2` becomes pg's
      // `, LATERAL gen[_outer](args) AS tbl(c1, c2)`; the arguments are rewritten as usual.
      size_t f = k + 2;
      bool outerView = toks[f].is("outer");
      if (outerView) ++f;
      if (toks[f].kind != Token::Word || !toks[f + 1].isOp("("))
        throw UserError("LATERAL VIEW needs a generator call such as explode(column) (position " +
                        std::to_string(toks[f].begin + 1) + ")");
      std::string fname = toLowerAscii(toks[f].text);
      if (outerView && !fname.ends_with("_outer")) fname += "_outer";
      em.put(", LATERAL " + fname, t.begin);
      lateralClose = matchingParen(toks, f + 1);
      skipTo(f);
    } else if ((t.is("any") || t.is("some")) && next.isOp("(") &&
               !(prev && prev->kind == Token::Op && !prev->isOp("(") && !prev->isOp(","))) {
      // Spark's any(x)/some(x) aggregates; pg reserves ANY/SOME for `x = ANY (...)`.
      em.put("bool_or", t.begin);
    } else if (t.is("tablesample") && next.isOp("(") &&
               (toks[k + 2].kind == Token::Number && toks[k + 3].is("percent") &&
                toks[k + 4].isOp(")"))) {
      // Spark: TABLESAMPLE (10 PERCENT); pg: TABLESAMPLE BERNOULLI (10).
      em.put("TABLESAMPLE BERNOULLI (" + toks[k + 2].text + ")", t.begin);
      skipTo(k + 4);
    } else if ((t.is("current_date") || t.is("current_timestamp")) && next.isOp("(") &&
               toks[k + 2].isOp(")")) {
      em.copy(sql, t.begin, t.end);  // pg's keywords take no parentheses
      skipTo(k + 2);
    } else if (t.is("with") && (next.is("rollup") || next.is("cube")) &&
               parens.back().groupByAt >= 0) {
      // Wrap the GROUP BY list already emitted; later offsets move right.
      std::string head = " " + std::string(next.is("rollup") ? "ROLLUP" : "CUBE") + "(";
      insertAt(out, static_cast<size_t>(parens.back().groupByAt), head, t.begin);
      em.put(")", t.begin);
      parens.back().groupByAt = -1;
      skipTo(k + 1);
    } else if (t.is("pivot") && next.isOp("(") && parens.back().inFrom &&
               parens.back().fromItemAt >= 0) {
      // Spark's PIVOT: the relation emitted so far becomes the FROM of a subquery whose
      // first select item carries the pivot column and values.
      size_t close = matchingParen(toks, k + 1), forAt = 0, inAt = 0;
      int depth = 0;
      for (size_t j = k + 2; j < close; ++j) {
        if (toks[j].isOp("(")) ++depth;
        if (toks[j].isOp(")")) --depth;
        if (depth == 0 && toks[j].is("for") && !forAt) forAt = j;
        if (depth == 0 && toks[j].is("in") && forAt && !inAt) inAt = j;
      }
      if (!forAt || !inAt || forAt == k + 2 || inAt == forAt + 1 || !toks[inAt + 1].isOp("("))
        throw UserError("PIVOT needs (aggregates FOR column IN (values)) (position " +
                        std::to_string(t.begin + 1) + ")");
      size_t valuesClose = matchingParen(toks, inAt + 1);
      std::string marker = "__ember_pivot(" + tokenText(sql, toks, forAt + 1, inAt - 1);
      size_t itemFrom = inAt + 2;
      depth = 0;
      for (size_t j = itemFrom; j <= valuesClose; ++j) {
        if (toks[j].isOp("(")) ++depth;
        if (toks[j].isOp(")")) --depth;
        if (j == valuesClose || (depth == 0 && toks[j].isOp(","))) {
          if (j == itemFrom) throw UserError("PIVOT: an empty value in IN (...)");
          size_t last = j - 1, asAt = 0;
          for (size_t m = itemFrom; m <= last; ++m)
            if (toks[m].is("as")) asAt = m;
          std::string alias = "NULL";
          if (asAt) {
            alias = "'" + toks[last].text + "'";
            last = asAt - 1;
          }
          marker += ", " + tokenText(sql, toks, itemFrom, last) + ", " + alias;
          itemFrom = j + 1;
        }
      }
      std::string head =
          "(SELECT " + marker + "), " + tokenText(sql, toks, k + 2, forAt - 1) + " FROM ";
      insertAt(out, static_cast<size_t>(parens.back().fromItemAt), head, t.begin);
      em.put(")", t.begin);
      bool aliased = toks[close + 1].is("as") || toks[close + 1].kind == Token::Quoted ||
                     toks[close + 1].kind == Token::Backtick ||
                     (toks[close + 1].kind == Token::Word && !isWordIn(toks[close + 1], kNotAlias));
      if (!aliased)
        em.put(" AS " + std::string(kSubqueryAliasPrefix) + std::to_string(subqueries++), t.begin);
      skipTo(close);
    } else if (t.is("minus") && (next.is("select") || next.isOp("(") || next.is("all") ||
                                 next.is("distinct") || next.is("values"))) {
      em.put("EXCEPT", t.begin);  // Spark's MINUS
    } else if (t.is("all") && prev && prev->is("by") && k >= 2 && toks[k - 2].is("group")) {
      em.put(kGroupByAll, t.begin);  // Spark 3.4's GROUP BY ALL (parser_select.cpp)
    } else if (t.isOp("==")) {
      em.put("=", t.begin);
    } else if (t.is("div") && !next.isOp("(") && prev &&
               (prev->kind != Token::Word || !isWordIn(*prev, kNotOperand)) &&
               (prev->kind != Token::Op || prev->isOp(")"))) {
      em.put("#", t.begin);
    } else if (t.is("not") && (next.is("rlike") || next.is("regexp"))) {
      em.put("!~", t.begin);
      skipTo(k + 1);
    } else if (t.is("rlike") || t.is("regexp")) {
      em.put("~", t.begin);
    } else if ((t.is("left") && (next.is("semi") || next.is("anti")) && toks[k + 2].is("join")) ||
               ((t.is("semi") || t.is("anti")) && next.is("join"))) {
      bool anti = t.is("anti") || next.is("anti");
      out.specialJoins[static_cast<int>(out.text.size())] =
          anti ? JoinType::LeftAnti : JoinType::LeftSemi;
      em.put("JOIN", t.begin);
      skipTo(t.is("left") ? k + 2 : k + 1);
    } else if (t.is("interval")) {
      // INTERVAL (value unit)+ with numbers or strings as values -> INTERVAL 'v unit ...'.
      std::string spec;
      size_t j = k + 1;
      while (true) {
        size_t v = j;
        std::string sign;
        if (toks[v].isOp("-") && toks[v + 1].kind == Token::Number) {
          sign = "-";
          ++v;
        }
        if (toks[v].kind != Token::Number && toks[v].kind != Token::String) break;
        if (!isWordIn(toks[v + 1], kIntervalUnits)) break;
        spec += (spec.empty() ? "" : " ") + sign + toks[v].text + " " + toks[v + 1].text;
        j = v + 2;
      }
      if (spec.empty()) {
        em.copy(sql, t.begin, t.end);
      } else {
        em.put("INTERVAL '" + spec + "'", t.begin);
        skipTo(j - 1);
      }
    } else if (t.kind == Token::String &&
               sql.substr(t.begin, t.end - t.begin).find('\\') != std::string::npos) {
      em.put("E", t.begin);
      em.copy(sql, t.begin, t.end);
    } else if (t.isOp("(")) {
      Paren p;
      if (prev && prev->kind == Token::Word) p.function = toLowerAscii(prev->text);
      if (prev && (prev->kind == Token::Word || prev->kind == Token::Quoted))
        p.callAt = prevTokenAt;
      p.extractLike = prev && (prev->is("extract") || prev->is("substring") || prev->is("trim") ||
                               prev->is("position") || prev->is("overlay"));
      p.fromSubquery = parens.back().inFrom && prev &&
                       (prev->is("from") || prev->is("join") || prev->isOp(",")) &&
                       (next.is("select") || next.is("with") || next.is("values"));
      parens.push_back(p);
      em.copy(sql, t.begin, t.end);
    } else if (t.isOp(")")) {
      static const std::set<std::string> kIgnoreNulls = {"first", "last", "first_value",
                                                         "last_value", "any_value"};
      bool nullsClause = (next.is("ignore") || next.is("respect")) && toks[k + 2].is("nulls");
      if (nullsClause && next.is("ignore") && parens.size() > 1 &&
          kIgnoreNulls.count(parens.back().function))
        em.put(", true", t.begin);  // Spark: first(x) IGNORE NULLS = first(x, true)
      em.copy(sql, t.begin, t.end);
      if (nullsClause && (next.is("respect") || kIgnoreNulls.count(parens.back().function)))
        skipTo(k + 2);
      if (parens.size() > 1) {
        Paren p = parens.back();
        parens.pop_back();
        if ((next.isOp("[") || (next.isOp(".") && toks[k + 2].kind == Token::Word)) &&
            p.callAt >= 0 && k != lateralClose) {
          // Spark's f(x)[i] and f(x).field: pg only subscripts parenthesised expressions.
          insertAt(out, static_cast<size_t>(p.callAt), "(", t.begin);
          em.put(")", t.end - 1);
        }
        bool hasAlias = next.is("as") || next.kind == Token::Quoted ||
                        next.kind == Token::Backtick ||
                        (next.kind == Token::Word && !isWordIn(next, kNotAlias));
        if (p.fromSubquery && !hasAlias)
          em.put(" AS " + std::string(kSubqueryAliasPrefix) + std::to_string(subqueries++),
                 t.end - 1);
      }
    } else {
      em.copy(sql, t.begin, t.end);
    }
    if (t.is("by") && prev && prev->is("group"))
      parens.back().groupByAt = static_cast<int>(out.text.size());
    if (rowClose.count(k)) em.put(")", toks[k].end - 1);
    if (k == lateralClose) {
      // ... ) tbl [AS] c1, c2  ->  ... ) AS tbl(c1, c2)
      size_t j = k + 1;
      auto isName = [&](const Token& x) {
        return x.kind == Token::Quoted || x.kind == Token::Backtick ||
               (x.kind == Token::Word && !isWordIn(x, kNotAlias) && !isWordIn(x, kEndsFrom));
      };
      auto quoted = [](const Token& x) {
        std::string q = "\"";
        for (char c : x.text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
      };
      if (!isName(toks[j]) || toks[j].is("as"))
        throw UserError("LATERAL VIEW needs a table alias after the generator (position " +
                        std::to_string(toks[j].begin + 1) + "): LATERAL VIEW explode(a) t AS x");
      std::string alias = " AS " + quoted(toks[j]);
      ++j;
      if (toks[j].is("as")) ++j;
      std::string cols;
      while (isName(toks[j])) {
        cols += (cols.empty() ? "" : ", ") + quoted(toks[j]);
        if (!(toks[j + 1].isOp(",") && isName(toks[j + 2]))) {
          ++j;
          break;
        }
        j += 2;
      }
      if (!cols.empty()) alias += "(" + cols + ")";
      em.put(alias, toks[k].end - 1);
      skipTo(j - 1);
      lateralClose = static_cast<size_t>(-1);
    }
    if (k == valuesEnd) {
      em.put(")", toks[k].end - 1);
      if (!hasAliasAt(toks[k + 1]))
        em.put(" AS " + std::string(kSubqueryAliasPrefix) + std::to_string(subqueries++),
               toks[k].end - 1);
      valuesEnd = static_cast<size_t>(-1);
    }
  }
  em.copy(sql, last, end);
  out.origin.push_back(end);
  return out;
}

Json runPg(const std::string& sql, const PgText& text) {
  PgQueryParseResult r = pg_query_parse(text.text.c_str());
  if (r.error) {
    std::string msg = r.error->message ? r.error->message : "syntax error";
    int cursor = r.error->cursorpos;  // 1-based, 0 if unknown
    pg_query_free_parse_result(r);
    // pg quotes the token with double quotes; single quotes read better around SQL.
    size_t q = msg.find("at or near \"");
    if (q != std::string::npos && msg.back() == '"') {
      msg[q + 11] = '\'';
      msg.back() = '\'';
    }
    int at = -1;
    if (cursor > 0 && cursor <= static_cast<int>(text.origin.size())) at = text.origin[cursor - 1];
    throwAt(sql, at, msg);
  }
  Json tree = Json::parse(r.parse_tree);
  pg_query_free_parse_result(r);
  if (!tree.contains("stmts")) return Json::array();
  return tree["stmts"];
}

}  // namespace ember::sql::detail
