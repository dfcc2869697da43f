// Spark's query organization clauses that PostgreSQL's grammar lacks, at the top level of
// a query: DISTRIBUTE BY, SORT BY, CLUSTER BY, and partitioning hints
// (/*+ REPARTITION(n, cols) */, COALESCE(n), REPARTITION_BY_RANGE(n, cols), REBALANCE).
// They are cut out of the text (blanked, so offsets stay valid) before libpg-query sees
// it and become Repartition / LocalSort nodes over the parsed query.
#include "ember/common/errors.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

namespace {
// [begin, end) ranges of the comma-separated items of toks[from, to) at depth 0.
std::vector<std::pair<int, int>> items(const std::vector<Token>& toks, size_t from, size_t to) {
  std::vector<std::pair<int, int>> out;
  int depth = 0;
  size_t start = from;
  for (size_t k = from; k <= to; ++k) {
    if (k < to && toks[k].isOp("(")) ++depth;
    if (k < to && toks[k].isOp(")")) --depth;
    if (k == to || (depth == 0 && toks[k].isOp(","))) {
      if (k > start) out.emplace_back(toks[start].begin, toks[k - 1].end);
      start = k + 1;
    }
  }
  return out;
}

SortKey sortKeyAt(const std::string& sql, std::pair<int, int> range) {
  auto toks = tokenize(sql, range.first, range.second);
  size_t n = toks.size() - 1;  // without End
  SortKey key;
  bool explicitNulls = false;
  if (n >= 2 && toks[n - 2].is("nulls") && (toks[n - 1].is("first") || toks[n - 1].is("last"))) {
    key.nullsFirst = toks[n - 1].is("first");
    explicitNulls = true;
    n -= 2;
  }
  if (n >= 1 && (toks[n - 1].is("asc") || toks[n - 1].is("desc"))) {
    key.ascending = toks[n - 1].is("asc");
    --n;
  }
  if (!explicitNulls) key.nullsFirst = key.ascending;
  if (n == 0) throwAt(sql, range.first, "expected an expression to sort by");
  key.expr = parseExpressionRange(sql, range.first, toks[n - 1].end);
  return key;
}

void blank(std::string& text, int from, int to) {
  for (int i = from; i < to; ++i)
    if (text[static_cast<size_t>(i)] != '\n') text[static_cast<size_t>(i)] = ' ';
}
}  // namespace

std::string extractOrganization(const std::string& sql, int begin, int end,
                                QueryOrganization& org) {
  std::string text = sql;
  auto toks = tokenize(sql, begin, end);
  int depth = 0;
  bool sawSelect = false;
  // Clause starts at depth 0: (token index of the keyword, which).
  std::vector<std::pair<size_t, char>> clauses;
  for (size_t k = 0; k + 1 < toks.size(); ++k) {
    const Token& t = toks[k];
    if (t.isOp("(")) ++depth;
    if (t.isOp(")")) --depth;
    if (depth != 0) continue;
    if (t.is("select") && !sawSelect) {
      sawSelect = true;
      // A hint comment sits between SELECT and the next token.
      std::string_view gap(sql.data() + t.end, static_cast<size_t>(toks[k + 1].begin - t.end));
      size_t at = gap.find("/*+");
      if (at != std::string_view::npos) {
        int from = t.end + static_cast<int>(at) + 3;
        int to = t.end + static_cast<int>(gap.find("*/", at));
        auto h = tokenize(sql, from, to);
        for (size_t j = 0; j + 1 < h.size();) {
          if (h[j].kind != Token::Word) throwAt(sql, h[j].begin, "expected a hint name");
          QueryOrganization::Hint hint{toLowerAscii(h[j].text), {}, h[j].begin};
          ++j;
          if (h[j].isOp("(")) {
            size_t close = j;
            int d = 0;
            for (; close + 1 < h.size(); ++close) {
              if (h[close].isOp("(")) ++d;
              if (h[close].isOp(")") && --d == 0) break;
            }
            if (close + 1 >= h.size()) throwAt(sql, h[j].begin, "unclosed hint arguments");
            hint.args = items(h, j + 1, close);
            j = close + 1;
          }
          org.hints.push_back(std::move(hint));
          if (h[j].isOp(",")) ++j;
        }
      }
    }
    if ((t.is("distribute") || t.is("sort") || t.is("cluster")) && toks[k + 1].is("by"))
      clauses.emplace_back(k, static_cast<char>(std::tolower(t.text[0])));
  }
  for (size_t c = 0; c < clauses.size(); ++c) {
    size_t from = clauses[c].first + 2, to = from;
    int d = 0;
    while (to + 1 < toks.size()) {
      if (toks[to].isOp("(")) ++d;
      if (toks[to].isOp(")")) --d;
      if (d == 0 && (c + 1 < clauses.size()
                         ? to == clauses[c + 1].first
                         : toks[to].is("limit") || toks[to].is("offset") || toks[to].isOp(";")))
        break;
      if (d < 0) break;
      ++to;
    }
    auto list = items(toks, from, to);
    if (list.empty()) throwAt(sql, toks[clauses[c].first].begin, "expected expressions after BY");
    char which = clauses[c].second;
    if (which == 'd' || which == 'c') org.distributeBy = list;
    if (which == 's' || which == 'c') {
      org.sortBy = list;
      org.clusterSort = which == 'c';
    }
    blank(text, toks[clauses[c].first].begin, toks[to - 1].end);
    if (c + 1 == clauses.size() && toks[to].is("limit")) {
      // LIMIT after the clauses applies to their result: taken out here, put on top.
      size_t last = to + 1;
      while (last + 1 < toks.size() && !toks[last].isOp(";")) ++last;
      org.limit = {toks[to + 1].begin, toks[last - 1].end};
      if (last == to + 1) throwAt(sql, toks[to].begin, "expected a number after LIMIT");
      blank(text, toks[to].begin, toks[last - 1].end);
    }
  }
  return text;
}

PlanPtr applyOrganization(PlanPtr plan, const std::string& sql, const QueryOrganization& org) {
  auto wrap = [&](PlanKind kind) {
    auto p = std::make_shared<LogicalPlan>();
    p->kind = kind;
    p->children = {plan};
    return p;
  };
  for (const auto& h : org.hints) {
    bool repartition = h.name == "repartition" || h.name == "rebalance";
    bool byRange = h.name == "repartition_by_range";
    if (!repartition && !byRange && h.name != "coalesce") continue;  // join hints: ignored
    auto p = wrap(PlanKind::Repartition);
    for (size_t i = 0; i < h.args.size(); ++i) {
      ExprPtr e = parseExpressionRange(sql, h.args[i].first, h.args[i].second);
      if (i == 0 && e->kind == ExprKind::Literal && e->value.type().isInteger()) {
        if (e->value.asInt64() < 1 || e->value.asInt64() > 1000000)
          throwAt(sql, h.args[i].first, "the number of partitions must be between 1 and 1000000");
        p->numPartitions = static_cast<int>(e->value.asInt64());
      } else if (h.name == "coalesce") {
        throwAt(sql, h.args[i].first, "COALESCE hint takes one integer: COALESCE(n)");
      } else if (byRange) {
        p->order.push_back(SortKey{e, true, true});
      } else {
        p->exprs.push_back(e);
      }
    }
    if (h.name == "coalesce") {
      if (p->numPartitions == 0)
        throwAt(sql, h.position, "COALESCE hint needs a number: COALESCE(n)");
      p->shuffle = false;
    }
    if (byRange && p->order.empty())
      throwAt(sql, h.position, "REPARTITION_BY_RANGE needs columns to partition by");
    p->position = h.position;
    plan = p;
  }
  if (!org.distributeBy.empty()) {
    auto p = wrap(PlanKind::Repartition);
    for (const auto& r : org.distributeBy)
      p->exprs.push_back(parseExpressionRange(sql, r.first, r.second));
    plan = p;
  }
  if (!org.sortBy.empty()) {
    auto p = wrap(PlanKind::LocalSort);
    for (const auto& r : org.sortBy) {
      SortKey k = org.clusterSort
                      ? SortKey{parseExpressionRange(sql, r.first, r.second), true, true}
                      : sortKeyAt(sql, r);
      p->order.push_back(k);
    }
    plan = p;
  }
  if (org.limit.second > org.limit.first) {
    ExprPtr n = parseExpressionRange(sql, org.limit.first, org.limit.second);
    if (n->kind != ExprKind::Literal || !n->value.type().isInteger() || n->value.asInt64() < 0)
      throwAt(sql, org.limit.first, "LIMIT needs a non-negative integer constant");
    auto p = wrap(PlanKind::Limit);
    p->limit = n->value.asInt64();
    plan = p;
  }
  return plan;
}

}  // namespace ember::sql::detail
