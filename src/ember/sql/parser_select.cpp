// libpg-query SelectStmt -> LogicalPlan. Shapes (bottom up), as Spark's parser builds:
//   FROM items (comma = Join Inner without condition) -> Filter (WHERE) ->
//   Aggregate (GROUP BY / aggregates in the select list or HAVING) -> Filter (HAVING)
//   or Project -> Distinct -> Sort -> Limit, all under With when there are CTEs.
// Window calls stay inside the Project/Aggregate expressions; the analyzer extracts
// them into Window nodes, as Spark's does.
#include "ember/common/errors.h"
#include "ember/sql/generators.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

namespace {

std::shared_ptr<LogicalPlan> node(PlanKind kind, std::vector<PlanPtr> children = {}) {
  auto p = std::make_shared<LogicalPlan>();
  p->kind = kind;
  p->children = std::move(children);
  return p;
}

std::string sval(const Json& n) {
  return n.contains("String") ? n["String"].value("sval", "") : std::string();
}

bool containsAggregate(const ExprPtr& e) {
  if (!e) return false;
  if (e->kind == ExprKind::AggregateCall) return true;
  if (e->kind == ExprKind::WindowCall) return false;  // a window aggregate, not a grouping one
  for (const auto& a : e->args)
    if (containsAggregate(a)) return true;
  return false;
}

// [NOT] EXISTS in the select list (filters become semi/anti joins instead): a scalar
// subquery `count(*) > 0` (= 0), which the decorrelator handles like any correlated
// scalar subquery (the COUNT of no rows is 0).
ExprPtr existsAsScalar(const ExprPtr& e) {
  if (!e) return e;
  if (e->kind == ExprKind::Exists) {
    auto agg = node(PlanKind::Aggregate, {e->subquery});
    agg->exprs = {alias(call(e->negated ? "=" : ">", {aggCall("count", {}), lit(Value::int64(0))}),
                        "exists")};
    auto sq = std::make_shared<Expr>();
    sq->kind = ExprKind::ScalarSubquery;
    sq->subquery = agg;
    sq->position = e->position;
    return sq;
  }
  if (e->subquery) return e;
  std::vector<ExprPtr> args;
  bool changed = false;
  for (const auto& a : e->args) {
    args.push_back(existsAsScalar(a));
    changed = changed || args.back() != a;
  }
  return changed ? withArgs(*e, std::move(args)) : e;
}

int64_t constantInt(PgTranslator& t, const Json& n, const char* what) {
  ExprPtr e = t.expr(n);
  if (e->kind != ExprKind::Literal || !e->value.type().isInteger() || e->value.asInt64() < 0)
    t.fail(n.begin().value(),
           std::string(what) + " needs a non-negative integer constant, got " + e->toString());
  return e->value.asInt64();
}

void collectLocations(const Json& n, int& lo, int& hi) {
  if (n.is_object()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it.key() == "location" && it.value().is_number_integer()) {
        int v = it.value().get<int>();
        if (v >= 0) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      } else {
        collectLocations(it.value(), lo, hi);
      }
    }
  } else if (n.is_array()) {
    for (const auto& x : n) collectLocations(x, lo, hi);
  }
}

}  // namespace

int PgTranslator::firstLocation(const Json& n) const {
  int lo = INT32_MAX, hi = -1;
  collectLocations(n, lo, hi);
  return lo;
}

int PgTranslator::lastLocation(const Json& n) const {
  int lo = INT32_MAX, hi = -1;
  collectLocations(n, lo, hi);
  return hi;
}

PlanPtr PgTranslator::select(const Json& stmt) {
  if (stmt.contains("intoClause")) fail(stmt, "SELECT ... INTO is not supported");
  if (stmt.contains("lockingClause")) fail(stmt, "FOR UPDATE/SHARE is not supported");
  auto savedWindows = windows_;
  std::string op = stmt.value("op", "SETOP_NONE");
  PlanPtr plan;
  if (op != "SETOP_NONE") {
    auto s = node(PlanKind::SetOp, {select(stmt["larg"]), select(stmt["rarg"])});
    s->setOp = op == "SETOP_UNION"       ? SetOpKind::Union
               : op == "SETOP_INTERSECT" ? SetOpKind::Intersect
                                         : SetOpKind::Except;
    s->all = stmt.value("all", false);
    plan = s;
  } else if (stmt.contains("valuesLists")) {
    plan = values(stmt["valuesLists"]);
  } else {
    plan = selectCore(stmt);
  }
  if (stmt.contains("sortClause")) {
    auto s = node(PlanKind::Sort, {plan});
    for (const auto& k : stmt["sortClause"]) {
      s->order.push_back(sortKey(k));
      const ExprPtr& e = s->order.back().expr;
      if (e->kind == ExprKind::Call && (e->name == "grouping" || e->name == "grouping_id"))
        fail(k["SortBy"],
             "ORDER BY " + e->name + "(...): select it with an alias and order by the alias");
    }
    plan = s;
  }
  if (stmt.value("limitOption", "") == "LIMIT_OPTION_WITH_TIES")
    fail(stmt, "FETCH ... WITH TIES is not supported");
  if (stmt.contains("limitCount") || stmt.contains("limitOffset")) {
    auto l = node(PlanKind::Limit, {plan});
    if (stmt.contains("limitCount") && !(stmt["limitCount"].contains("A_Const") &&
                                         stmt["limitCount"]["A_Const"].value("isnull", false)))
      l->limit = constantInt(*this, stmt["limitCount"], "LIMIT");
    if (stmt.contains("limitOffset")) l->offset = constantInt(*this, stmt["limitOffset"], "OFFSET");
    plan = l;
  }
  if (stmt.contains("withClause")) {
    const Json& w = stmt["withClause"];
    if (w.value("recursive", false)) fail(w, "WITH RECURSIVE is not supported");
    auto with = node(PlanKind::With, {plan});
    for (const auto& c : w["ctes"]) {
      const Json& cte = c["CommonTableExpr"];
      std::string name = ident(cte.value("ctename", ""));
      PlanPtr q = select(cte["ctequery"]["SelectStmt"]);
      if (cte.contains("aliascolnames")) {
        auto a = node(PlanKind::SubqueryAlias, {q});
        a->name = {name};
        for (const auto& n : cte["aliascolnames"]) a->columnAliases.push_back(ident(sval(n)));
        q = a;
      }
      with->ctes.emplace_back(name, q);
    }
    with->position = pos(w);
    plan = with;
  }
  windows_ = savedWindows;
  return plan;
}

PlanPtr PgTranslator::selectCore(const Json& stmt) {
  for (const auto& w : stmt.value("windowClause", Json::array()))
    windows_[w["WindowDef"].value("name", "")] = w["WindowDef"];
  PlanPtr plan;
  for (const auto& item : stmt.value("fromClause", Json::array())) {
    if (item.contains("RangeFunction") && item["RangeFunction"].value("lateral", false)) {
      const Json& b = item["RangeFunction"];
      if (!plan) fail(b, "LATERAL VIEW / LATERAL needs a table before it in FROM");
      plan = generator(b, plan);
      if (!plan) fail(b, "LATERAL needs a generator function: explode, posexplode, inline");
      continue;
    }
    PlanPtr rel = fromItem(item);
    if (!plan) {
      plan = rel;
    } else {
      plan = node(PlanKind::Join, {plan, rel});  // comma: Inner without condition
    }
  }
  if (!plan) plan = node(PlanKind::OneRow);
  if (stmt.contains("whereClause")) {
    auto f = node(PlanKind::Filter, {plan});
    f->exprs.push_back(expr(stmt["whereClause"]));
    plan = f;
  }
  std::vector<ExprPtr> targets;
  for (const auto& t : stmt.value("targetList", Json::array()))
    targets.push_back(existsAsScalar(target(t)));
  if (!targets.empty()) {
    const ExprPtr& first = targets[0]->kind == ExprKind::Alias ? targets[0]->args[0] : targets[0];
    if (first->kind == ExprKind::Call && first->name == kPivotMarker)
      return pivotAggregate(plan, targets);
  }
  const Json groupClause = stmt.value("groupClause", Json::array());
  ExprPtr having = stmt.contains("havingClause") ? expr(stmt["havingClause"]) : nullptr;
  std::vector<ExprPtr> groupBy;
  bool groupingSets = needsGroupingSets(groupClause, targets, having);
  if (!groupingSets)
    for (const auto& g : groupClause) groupBy.push_back(expr(g));
  if (groupBy.size() == 1 && groupBy[0]->kind == ExprKind::ColumnRef &&
      groupBy[0]->name == kGroupByAll) {
    // GROUP BY ALL: every select item without an aggregate, by position.
    groupBy.clear();
    for (size_t i = 0; i < targets.size(); ++i)
      if (!containsAggregate(targets[i]))
        groupBy.push_back(lit(Value::int32(static_cast<int32_t>(i + 1))));
  }
  bool aggregate = !groupBy.empty() || having != nullptr;
  for (const auto& t : targets) aggregate = aggregate || containsAggregate(t);
  if (groupingSets) {
    plan = groupingSetsAggregate(plan, groupClause, targets, having);
  } else if (aggregate) {
    auto a = node(PlanKind::Aggregate, {plan});
    a->groupBy = std::move(groupBy);
    a->exprs = std::move(targets);
    plan = a;
    if (having) {
      auto f = node(PlanKind::Filter, {plan});
      f->exprs.push_back(having);
      plan = f;
    }
  } else {
    auto p = node(PlanKind::Project, {plan});
    p->exprs = std::move(targets);
    plan = p;
  }
  if (stmt.contains("distinctClause")) {
    const Json& d = stmt["distinctClause"];
    if (!(d.size() == 1 && d[0].empty())) fail(stmt, "DISTINCT ON (...) is not supported");
    plan = node(PlanKind::Distinct, {plan});
  }
  return plan;
}

ExprPtr PgTranslator::target(const Json& rt) {
  const Json& r = rt.contains("ResTarget") ? rt["ResTarget"] : rt;
  ExprPtr e = expr(r["val"]);
  if (r.contains("name")) {
    auto a = std::const_pointer_cast<Expr>(alias(e, ident(r.value("name", ""))));
    a->position = pos(r);
    return a;
  }
  if (e->kind == ExprKind::ColumnRef || e->kind == ExprKind::Star) return e;
  // A generator names its columns itself (col, pos, key, value).
  if (e->kind == ExprKind::Call && isGeneratorName(e->name)) return e;
  // Spark's name for an unnamed expression; count(*) is named count(1) as in Spark.
  std::string name = e->prettyName();
  for (size_t at = name.find("count()"); at != std::string::npos; at = name.find("count()", at))
    name.replace(at, 7, "count(1)");
  if (e->kind == ExprKind::ScalarSubquery) name = "scalarsubquery()";
  auto a = std::const_pointer_cast<Expr>(alias(e, name));
  a->position = pos(r);
  return a;
}

SortKey PgTranslator::sortKey(const Json& k) {
  const Json& s = k["SortBy"];
  SortKey key;
  key.expr = expr(s["node"]);
  std::string dir = s.value("sortby_dir", "SORTBY_DEFAULT");
  if (dir == "SORTBY_USING") fail(s, "ORDER BY ... USING is not supported");
  key.ascending = dir != "SORTBY_DESC";
  std::string nulls = s.value("sortby_nulls", "SORTBY_NULLS_DEFAULT");
  // Spark's defaults: NULLS FIRST ascending, NULLS LAST descending.
  key.nullsFirst = nulls == "SORTBY_NULLS_DEFAULT" ? key.ascending : nulls == "SORTBY_NULLS_FIRST";
  return key;
}

// Table-valued functions in FROM: Spark's range([start,] end [, step [, numPartitions]])
// (column id, bigint), generated lazily like session.range().
PlanPtr PgTranslator::generator(const Json& b, PlanPtr child) {
  const Json& fns = b.value("functions", Json::array());
  if (fns.size() != 1 || !fns[0].contains("List") || fns[0]["List"]["items"].empty() ||
      !fns[0]["List"]["items"][0].contains("FuncCall"))
    return nullptr;
  const Json& fc = fns[0]["List"]["items"][0];
  std::string name = toLowerAscii(sval(fc["FuncCall"]["funcname"].back()));
  if (!isGeneratorName(name)) return nullptr;
  auto g = node(PlanKind::Generate, {std::move(child)});
  g->exprs = {expr(fc)};
  g->position = pos(fc["FuncCall"]);
  if (b.contains("alias")) {
    const Json& a = b["alias"].contains("Alias") ? b["alias"]["Alias"] : b["alias"];
    g->name = {ident(a.value("aliasname", ""))};
    for (const auto& c : a.value("colnames", Json::array()))
      g->columnAliases.push_back(ident(sval(c)));
  }
  return g;
}

PlanPtr PgTranslator::tableFunction(const Json& item, const Json& b) {
  if (PlanPtr g = generator(b, node(PlanKind::OneRow))) return g;
  const Json* call = nullptr;  // functions: [List { items: [FuncCall, ...] }]
  if (b.contains("functions") && b["functions"].size() == 1) {
    const Json& fn = b["functions"][0];
    if (fn.contains("List") && fn["List"].contains("items") && !fn["List"]["items"].empty() &&
        fn["List"]["items"][0].contains("FuncCall"))
      call = &fn["List"]["items"][0]["FuncCall"];
  }
  if (!call) fail(item, "unsupported table function in FROM; Ember supports range(...)");
  std::string name = toLowerAscii(sval((*call)["funcname"].back()));
  if (name != "range")
    fail(*call, "unknown table function " + name +
                    "() in FROM; Ember supports range([start,] end [, step [, numPartitions]])");
  std::vector<int64_t> args;
  for (const auto& a : call->value("args", Json::array())) {
    ExprPtr e = expr(a);
    if (e->kind != ExprKind::Literal || e->value.isNull() || !e->value.type().isInteger())
      fail(a, "range() arguments must be integer constants");
    args.push_back(e->value.asInt64());
  }
  if (args.empty() || args.size() > 4)
    fail(*call, "range() takes 1 to 4 arguments: ([start,] end [, step [, numPartitions]])");
  auto r = node(PlanKind::Range);
  r->rangeStart = args.size() == 1 ? 0 : args[0];
  r->rangeEnd = args.size() == 1 ? args[0] : args[1];
  r->rangeStep = args.size() >= 3 ? args[2] : 1;
  if (r->rangeStep == 0) fail(*call, "range() step must not be 0");
  if (args.size() == 4) {
    if (args[3] <= 0 || args[3] > 1000000) fail(*call, "range() numPartitions must be positive");
    r->rangePartitions = static_cast<int>(args[3]);
  }
  r->output = {{"id", DataType::int64(), false, newAttributeId(), {}}};
  r->resolved = true;
  r->position = pos(*call);
  return r;
}

PlanPtr PgTranslator::fromItem(const Json& item) {
  std::string type = item.begin().key();
  const Json& b = item.begin().value();
  PlanPtr plan;
  const Json* aliasNode = nullptr;
  if (type == "RangeVar") {
    std::string rel = ident(b.value("relname", ""));
    if (rel.starts_with(kFilePrefix)) {
      size_t i = std::stoul(rel.substr(std::string(kFilePrefix).size()));
      auto scan = node(PlanKind::FileScan);
      scan->source = std::make_shared<FileSource>(text_.files.at(i));
      scan->position = pos(b);
      plan = scan;
    } else {
      auto r = node(PlanKind::UnresolvedRelation);
      if (b.contains("catalogname")) r->name.push_back(ident(b.value("catalogname", "")));
      if (b.contains("schemaname")) r->name.push_back(ident(b.value("schemaname", "")));
      r->name.push_back(rel);
      r->position = pos(b);
      plan = r;
    }
    if (b.contains("alias")) aliasNode = &b["alias"];
  } else if (type == "RangeSubselect") {
    if (b.value("lateral", false)) fail(b, "LATERAL subqueries are not supported");
    plan = select(b["subquery"]["SelectStmt"]);
    if (b.contains("alias")) aliasNode = &b["alias"];
  } else if (type == "JoinExpr") {
    plan = joinExpr(b);
    if (b.contains("alias")) aliasNode = &b["alias"];
  } else if (type == "RangeTableSample") {
    auto sample = node(PlanKind::Sample, {fromItem(b["relation"])});
    std::string method = b["method"].empty() ? "" : sval(b["method"].back());
    if (method != "bernoulli" || b.value("args", Json::array()).size() != 1)
      fail(b, "only TABLESAMPLE (<n> PERCENT) is supported");
    ExprPtr pct = expr(b["args"][0]);
    if (pct->kind != ExprKind::Literal || !pct->value.type().isNumeric() ||
        pct->value.asDouble() < 0 || pct->value.asDouble() > 100)
      fail(b, "TABLESAMPLE needs a constant percentage between 0 and 100");
    sample->fraction = pct->value.asDouble() / 100.0;
    if (b.contains("repeatable")) {
      ExprPtr seed = expr(b["repeatable"]);
      if (seed->kind != ExprKind::Literal || !seed->value.type().isInteger())
        fail(b, "REPEATABLE needs an integer seed");
      sample->seed = static_cast<uint64_t>(seed->value.asInt64());
    }
    plan = sample;
  } else if (type == "RangeFunction") {
    plan = tableFunction(item, b);
    if (b.contains("alias") && plan->kind != PlanKind::Generate) aliasNode = &b["alias"];
  } else {
    fail(b, "unsupported FROM item (" + type + ")");
  }
  if (aliasNode) {
    const Json& a = (*aliasNode).contains("Alias") ? (*aliasNode)["Alias"] : *aliasNode;
    std::string name = a.value("aliasname", "");
    if (!name.starts_with(kSubqueryAliasPrefix) || a.contains("colnames")) {
      auto s = node(PlanKind::SubqueryAlias, {plan});
      if (!name.starts_with(kSubqueryAliasPrefix)) s->name = {ident(name)};
      for (const auto& c : a.value("colnames", Json::array()))
        s->columnAliases.push_back(ident(sval(c)));
      s->position = plan->position;
      plan = s;
    }
  }
  return plan;
}

PlanPtr PgTranslator::joinExpr(const Json& j) {
  auto join = node(PlanKind::Join, {fromItem(j["larg"]), fromItem(j["rarg"])});
  std::string t = j.value("jointype", "JOIN_INNER");
  join->joinType = t == "JOIN_LEFT"    ? JoinType::LeftOuter
                   : t == "JOIN_RIGHT" ? JoinType::RightOuter
                   : t == "JOIN_FULL"  ? JoinType::FullOuter
                                       : JoinType::Inner;
  if (t != "JOIN_INNER" && t != "JOIN_LEFT" && t != "JOIN_RIGHT" && t != "JOIN_FULL")
    fail(j, "unsupported join type " + t);
  join->natural = j.value("isNatural", false);
  for (const auto& u : j.value("usingClause", Json::array()))
    join->usingColumns.push_back(ident(sval(u)));
  if (j.contains("quals")) join->exprs.push_back(expr(j["quals"]));
  if (t == "JOIN_INNER") {
    // LEFT SEMI / LEFT ANTI were rewritten to JOIN; find this join's keyword between
    // the last location of the left side and the first of the right side.
    int lo = lastLocation(j["larg"]), hi = firstLocation(j["rarg"]);
    auto it = text_.specialJoins.upper_bound(lo);
    if (it != text_.specialJoins.end() && it->first < hi) join->joinType = it->second;
    // pg only allows JOIN without ON/USING as CROSS JOIN.
    if (join->joinType == JoinType::Inner && join->exprs.empty() && join->usingColumns.empty() &&
        !join->natural)
      join->joinType = JoinType::Cross;
  }
  return join;
}

PlanPtr PgTranslator::values(const Json& lists) {
  std::vector<std::vector<ExprPtr>> rows;
  for (const auto& l : lists) {
    std::vector<ExprPtr> row;
    for (const auto& item : l["List"]["items"]) row.push_back(expr(item));
    if (!rows.empty() && row.size() != rows[0].size())
      throwAt(sql_, row.empty() ? -1 : row[0]->position,
              "VALUES rows must all have " + std::to_string(rows[0].size()) + " columns");
    rows.push_back(std::move(row));
  }
  size_t width = rows.at(0).size();
  // Constant rows become a LocalRelation when each column has one type (integers widen);
  // anything else is a UNION ALL of one-row projections the analyzer types.
  std::vector<DataType> types(width);
  std::vector<bool> nullable(width, false);
  bool constant = true;
  for (const auto& row : rows) {
    for (size_t c = 0; c < width && constant; ++c) {
      const ExprPtr& e = row[c];
      if (e->kind != ExprKind::Literal) {
        constant = false;
      } else if (e->value.isNull()) {
        nullable[c] = true;
      } else if (types[c].id() == TypeId::Null) {
        types[c] = e->value.type();
      } else if (types[c] != e->value.type()) {
        if (types[c].isInteger() && e->value.type().isInteger()) {
          if (e->value.type().fixedWidth() > types[c].fixedWidth()) types[c] = e->value.type();
        } else {
          constant = false;
        }
      }
    }
  }
  for (const auto& t : types) constant = constant && t.id() != TypeId::Null;
  if (constant) {
    auto rel = node(PlanKind::LocalRelation);
    std::vector<ColumnPtr> cols;
    for (size_t c = 0; c < width; ++c) {
      cols.push_back(Column::make(types[c]));
      for (const auto& row : rows) row[c]->value.appendTo(*cols.back());
      rel->output.push_back(
          Attribute{"col" + std::to_string(c + 1), types[c], nullable[c], newAttributeId(), {}});
    }
    rel->rows.push_back(
        std::make_shared<Batch>(std::move(cols), static_cast<int64_t>(rows.size())));
    return rel;
  }
  PlanPtr plan;
  for (const auto& row : rows) {
    auto p = node(PlanKind::Project, {node(PlanKind::OneRow)});
    for (size_t c = 0; c < width; ++c)
      p->exprs.push_back(alias(row[c], "col" + std::to_string(c + 1)));
    if (!plan) {
      plan = p;
    } else {
      auto u = node(PlanKind::SetOp, {plan, p});
      u->all = true;
      plan = u;
    }
  }
  return plan;
}

std::shared_ptr<const WindowSpec> PgTranslator::windowSpec(const Json& w) {
  const Json* def = &w;
  if (w.contains("WindowDef")) def = &w["WindowDef"];
  // OVER w / OVER (w ORDER BY ...): start from the named window.
  Json merged = *def;
  std::string ref =
      def->value("refname", def->contains("partitionClause") || def->contains("orderClause")
                                ? ""
                                : def->value("name", ""));
  if (!ref.empty()) {
    auto it = windows_.find(ref);
    if (it == windows_.end()) fail(*def, "unknown window '" + ref + "'");
    merged = it->second;
    if (def->contains("orderClause")) merged["orderClause"] = (*def)["orderClause"];
    if (def->value("frameOptions", 0) & 1) {
      for (const char* k : {"frameOptions", "startOffset", "endOffset"})
        if (def->contains(k)) merged[k] = (*def)[k];
    }
  }
  auto spec = std::make_shared<WindowSpec>();
  for (const auto& p : merged.value("partitionClause", Json::array()))
    spec->partitionBy.push_back(expr(p));
  for (const auto& o : merged.value("orderClause", Json::array()))
    spec->orderBy.push_back(sortKey(o));
  int opts = merged.value("frameOptions", 0);
  if (opts & 0x1) {  // FRAMEOPTION_NONDEFAULT
    if (opts & 0x8) fail(merged, "GROUPS frames are not supported (use ROWS or RANGE)");
    if (opts & 0x38000) fail(merged, "frame EXCLUDE clauses are not supported");
    spec->hasFrame = true;
    spec->frameType = (opts & 0x4) ? FrameType::Rows : FrameType::Range;
    auto offset = [&](const char* key) {
      return constantInt(*this, merged[key], "a window frame offset");
    };
    if (opts & 0x20)
      spec->start = {FrameBound::UnboundedPreceding, 0};
    else if (opts & 0x80)
      spec->start = {FrameBound::UnboundedFollowing, 0};
    else if (opts & 0x200)
      spec->start = {FrameBound::CurrentRow, 0};
    else if (opts & 0x800)
      spec->start = {FrameBound::Preceding, offset("startOffset")};
    else if (opts & 0x2000)
      spec->start = {FrameBound::Following, offset("startOffset")};
    if (opts & 0x40)
      spec->end = {FrameBound::UnboundedPreceding, 0};
    else if (opts & 0x100)
      spec->end = {FrameBound::UnboundedFollowing, 0};
    else if (opts & 0x1000)
      spec->end = {FrameBound::Preceding, offset("endOffset")};
    else if (opts & 0x4000)
      spec->end = {FrameBound::Following, offset("endOffset")};
    else
      spec->end = {FrameBound::CurrentRow, 0};
  }
  return spec;
}

}  // namespace ember::sql::detail
