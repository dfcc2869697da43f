// libpg-query expression nodes -> Expr (see the operator names in expr.h).
#include <set>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "ember/sql/aggregates.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

namespace {

// EXTRACT(field FROM x) -> field(x), in Spark's function names.
const std::map<std::string, std::string> kExtractFields = {
    {"year", "year"},       {"years", "year"},
    {"quarter", "quarter"}, {"month", "month"},
    {"months", "month"},    {"week", "weekofyear"},
    {"day", "day"},         {"days", "day"},
    {"dow", "dayofweek"},   {"dayofweek", "dayofweek"},
    {"doy", "dayofyear"},   {"dayofyear", "dayofyear"},
    {"hour", "hour"},       {"hours", "hour"},
    {"minute", "minute"},   {"minutes", "minute"},
    {"second", "second"},   {"seconds", "second"}};

std::shared_ptr<Expr> mut(const ExprPtr& e) { return std::const_pointer_cast<Expr>(e); }

ExprPtr at(ExprPtr e, int position) {
  if (position >= 0) mut(e)->position = position;
  return e;
}

std::string sval(const Json& stringNode) {
  if (stringNode.contains("String")) return stringNode["String"].value("sval", "");
  return "";
}

std::string lastName(const Json& list) { return list.empty() ? "" : sval(list.back()); }

const Json& body(const Json& node, std::string* type) {
  if (!node.is_object() || node.size() != 1)
    throw InternalError("unexpected pg node " + node.dump());
  *type = node.begin().key();
  return node.begin().value();
}

ExprPtr binary(const std::string& op, ExprPtr l, ExprPtr r) { return call(op, {l, r}); }

}  // namespace

int PgTranslator::pos(const Json& b) const {
  if (!b.is_object() || !b.contains("location")) return -1;
  int loc = b["location"].get<int>();
  if (loc < 0 || loc >= static_cast<int>(text_.origin.size())) return -1;
  return text_.origin[loc];
}

std::string PgTranslator::ident(const std::string& s) const {
  auto it = text_.spelling.find(s);
  return it == text_.spelling.end() ? s : it->second;
}

void PgTranslator::fail(const Json& b, const std::string& message) const {
  int p = pos(b);
  if (p < 0) {  // no location on this node: use the first one inside it
    int first = firstLocation(b);
    if (first < static_cast<int>(text_.origin.size())) p = text_.origin[first];
  }
  throwAt(sql_, p, message);
}

ExprPtr PgTranslator::expr(const Json& node) {
  ExprPtr e = exprNode(node);
  // pg binds `->` tighter than = AND IS ..., so `x -> x % 2 = 0` arrives as
  // `(x -> x % 2) = 0`: a lambda as the first operand moves up to take the whole
  // expression as its body (Spark's lambda extends as far right as it can).
  if ((e->kind == ExprKind::Call || e->kind == ExprKind::Cast) && !e->args.empty() &&
      e->args[0]->kind == ExprKind::Lambda) {
    auto body = std::make_shared<Expr>(*e);
    auto lam = std::make_shared<Expr>(*e->args[0]);
    body->args[0] = lam->args[0];
    lam->args[0] = body;
    lam->position = e->args[0]->position;
    return lam;
  }
  return e;
}

ExprPtr PgTranslator::exprNode(const Json& node) {
  std::string type;
  const Json& b = body(node, &type);
  if (type == "ColumnRef") return columnRef(b);
  if (type == "A_Const") return at(constant(b), pos(b));
  if (type == "A_Expr") return aExpr(b);
  if (type == "FuncCall") return funcCall(b);
  if (type == "TypeCast") return typeCast(b);
  if (type == "SubLink") return subLink(b);
  if (type == "BoolExpr") {
    std::string op = b.value("boolop", "AND_EXPR");
    std::vector<ExprPtr> args;
    for (const auto& a : b["args"]) args.push_back(expr(a));
    if (op == "NOT_EXPR") {
      const ExprPtr& a = args.at(0);
      if (a->kind == ExprKind::InSubquery || a->kind == ExprKind::Exists) {
        auto flipped = std::make_shared<Expr>(*a);
        flipped->negated = !flipped->negated;
        return flipped;
      }
      return at(call("not", {a}), pos(b));
    }
    ExprPtr e = args.at(0);
    for (size_t i = 1; i < args.size(); ++i)
      e = binary(op == "AND_EXPR" ? "and" : "or", e, args[i]);
    return e;
  }
  if (type == "NullTest") {
    bool isNull = b.value("nulltesttype", "IS_NULL") == "IS_NULL";
    return at(call(isNull ? "isnull" : "isnotnull", {expr(b["arg"])}), pos(b));
  }
  if (type == "BooleanTest") {
    std::string t = b.value("booltesttype", "IS_TRUE");
    ExprPtr a = expr(b["arg"]);
    // IS [NOT] TRUE/FALSE never return NULL: null-safe comparison with the constant.
    if (t == "IS_TRUE") return binary("<=>", a, lit(Value::boolean(true)));
    if (t == "IS_NOT_TRUE") return call("not", {binary("<=>", a, lit(Value::boolean(true)))});
    if (t == "IS_FALSE") return binary("<=>", a, lit(Value::boolean(false)));
    if (t == "IS_NOT_FALSE") return call("not", {binary("<=>", a, lit(Value::boolean(false)))});
    if (t == "IS_UNKNOWN") return call("isnull", {a});
    return call("isnotnull", {a});
  }
  if (type == "CaseExpr") {
    ExprPtr subject = b.contains("arg") ? expr(b["arg"]) : nullptr;
    std::vector<ExprPtr> args;
    for (const auto& w : b["args"]) {
      const Json& cw = w["CaseWhen"];
      ExprPtr cond = expr(cw["expr"]);
      args.push_back(subject ? binary("=", subject, cond) : cond);
      args.push_back(expr(cw["result"]));
    }
    if (b.contains("defresult")) args.push_back(expr(b["defresult"]));
    return at(call("case", std::move(args)), pos(b));
  }
  if (type == "CoalesceExpr" || type == "MinMaxExpr") {
    std::vector<ExprPtr> args;
    for (const auto& a : b["args"]) args.push_back(expr(a));
    std::string name = type == "CoalesceExpr"                          ? "coalesce"
                       : b.value("op", "IS_GREATEST") == "IS_GREATEST" ? "greatest"
                                                                       : "least";
    return at(call(name, std::move(args)), pos(b));
  }
  if (type == "SQLValueFunction") {
    std::string op = b.value("op", "");
    if (op == "SVFOP_CURRENT_DATE") return at(call("current_date", {}), pos(b));
    if (op.starts_with("SVFOP_CURRENT_TIMESTAMP") || op.starts_with("SVFOP_LOCALTIMESTAMP"))
      return at(call("current_timestamp", {}), pos(b));
    fail(b, "unsupported SQL value function (only CURRENT_DATE and CURRENT_TIMESTAMP are)");
  }
  if (type == "ParamRef") fail(b, "query parameters ($1) are not supported");
  if (type == "A_ArrayExpr") {  // ARRAY[a, b] (pg) = array(a, b) (Spark)
    std::vector<ExprPtr> args;
    for (const auto& a : b.value("elements", Json::array())) args.push_back(expr(a));
    return at(call("array", std::move(args)), pos(b));
  }
  if (type == "A_Indirection") {  // a[i], m['k'], (expr).field
    ExprPtr e = expr(b["arg"]);
    int where = e->position;
    for (const auto& ind : b.value("indirection", Json::array())) {
      if (ind.contains("A_Indices")) {
        const Json& ix = ind["A_Indices"];
        if (ix.value("is_slice", false) || !ix.contains("uidx"))
          fail(ix, "array slices a[i:j] are not supported; use slice(a, start, length)");
        e = call("get", {e, expr(ix["uidx"])});
      } else if (ind.contains("String")) {
        e = call("get_field", {e, lit(Value::string(ident(sval(ind))))});
      } else {
        fail(b, "unsupported subscript (only [index], [key] and .field are)");
      }
      e = at(e, where);
    }
    return e;
  }
  if (type == "RowExpr") fail(b, "row constructors such as (a, b) are not supported");
  if (type == "CollateClause") fail(b, "COLLATE is not supported");
  if (type == "GroupingFunc") {  // grouping(e): resolved by parser_grouping.cpp
    std::vector<ExprPtr> args;
    for (const auto& a : b.value("args", Json::array())) args.push_back(expr(a));
    return at(call("grouping", std::move(args)), pos(b));
  }
  fail(b, "unsupported expression (" + type + ")");
}

ExprPtr PgTranslator::columnRef(const Json& c) {
  std::vector<std::string> parts;
  bool isStar = false;
  for (const auto& f : c["fields"]) {
    if (f.contains("A_Star")) {
      isStar = true;
    } else {
      parts.push_back(ident(sval(f)));
    }
  }
  if (isStar) return at(star(parts), pos(c));
  std::string name = parts.back();
  parts.pop_back();
  return at(col(name, parts), pos(c));
}

ExprPtr PgTranslator::constant(const Json& c) {
  if (c.value("isnull", false)) return lit(Value::null());
  if (c.contains("ival")) {
    if (c["ival"].contains("ival")) return lit(Value::int32(c["ival"]["ival"].get<int32_t>()));
    // libpg-query's JSON omits ival when it is 0 and, wrongly, when it is negative
    // (pg folds "-3" into one constant): read the digits from the text.
    int loc = c.value("location", -1);
    const std::string& t = text_.text;
    if (loc < 0 || loc >= static_cast<int>(t.size())) return lit(Value::int32(0));
    size_t i = static_cast<size_t>(loc);
    bool negative = false;
    if (t[i] == '-') {
      negative = true;
      ++i;
    }
    while (i < t.size() && (std::isspace(static_cast<unsigned char>(t[i])) || t[i] == '(')) ++i;
    int64_t v = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))
      v = v * 10 + (t[i++] - '0');
    return lit(Value::int32(static_cast<int32_t>(negative ? -v : v)));
  }
  if (c.contains("fval")) return numberLiteral(c["fval"].value("fval", "0"));
  if (c.contains("sval")) return lit(Value::string(c["sval"].value("sval", "")));
  if (c.contains("boolval")) return lit(Value::boolean(c["boolval"].value("boolval", false)));
  fail(c, "unsupported literal (bit strings are not supported)");
}

ExprPtr PgTranslator::aExpr(const Json& a) {
  std::string kind = a.value("kind", "AEXPR_OP");
  std::string op = lastName(a.value("name", Json::array()));
  int p = pos(a);
  auto isInterval = [&](const Json& n) {
    if (!n.is_object() || !n.contains("TypeCast")) return false;
    return lastName(n["TypeCast"]["typeName"].value("names", Json::array())) == "interval";
  };
  if (kind == "AEXPR_OP" && op == "->" && a.contains("lexpr")) {
    // Spark's lambda `x -> body` / `(x, y) -> body` (pg reads `->` as an operator and
    // `(x, y)` as a row).
    auto l = std::make_shared<Expr>();
    l->kind = ExprKind::Lambda;
    l->position = p;
    l->args.push_back(expr(a["rexpr"]));
    const Json& lhs = a["lexpr"];
    Json params =
        lhs.contains("RowExpr") ? lhs["RowExpr"].value("args", Json::array()) : Json::array({lhs});
    for (const Json& x : params) {
      ExprPtr v = expr(x);
      if (v->kind != ExprKind::ColumnRef || !v->qualifier.empty())
        fail(a, "a lambda's parameters must be plain names: x -> ... or (x, y) -> ...");
      l->args.push_back(v);
    }
    return l;
  }
  if (kind == "AEXPR_OP") {
    if (!a.contains("lexpr")) {  // prefix operator
      ExprPtr r = expr(a["rexpr"]);
      if (op == "+") return r;
      if (op == "~") return at(call("bitwise_not", {r}), p);  // Spark's bitwise NOT
      if (op != "-") fail(a, "unsupported prefix operator '" + op + "'");
      if (r->kind == ExprKind::Literal && !r->value.isNull()) {
        // Spark reads -1 as one literal: negate the constant.
        const Value& v = r->value;
        switch (v.type().id()) {
          case TypeId::Int32:
            return at(lit(Value::int32(-static_cast<int32_t>(v.asInt64()))), p);
          case TypeId::Int64:
            return at(lit(Value::int64(-v.asInt64())), p);
          case TypeId::Float64:
            return at(lit(Value::float64(-v.asDouble())), p);
          case TypeId::Decimal:
            return at(lit(Value::decimal(-v.asInt128(), v.type().precision(), v.type().scale())),
                      p);
          default:
            break;
        }
      }
      return at(call("negate", {r}), p);
    }
    if ((op == "+" || op == "-") && isInterval(a["rexpr"]))
      return intervalArith(a, expr(a["lexpr"]), a["rexpr"]["TypeCast"], op == "-");
    if (op == "+" && isInterval(a["lexpr"]))
      return intervalArith(a, expr(a["rexpr"]), a["lexpr"]["TypeCast"], false);
    ExprPtr l = expr(a["lexpr"]);
    ExprPtr r = expr(a["rexpr"]);
    if (op == "&") return at(call("bitwise_and", {l, r}), p);
    if (op == "|") return at(call("bitwise_or", {l, r}), p);
    if (op == "^") return at(call("bitwise_xor", {l, r}), p);  // Spark: XOR, not a power
    static const std::set<std::string> kSame = {"+",  "-", "*",  "/", "%",  "=",
                                                "<>", "<", "<=", ">", ">=", "<=>"};
    if (kSame.count(op)) return at(binary(op, l, r), p);
    if (op == "#") return at(call("div", {l, r}), p);
    if (op == "||") return at(call("concat", {l, r}), p);
    if (op == "~") return at(binary("rlike", l, r), p);
    if (op == "!~") return at(call("not", {binary("rlike", l, r)}), p);
    fail(a, "unsupported operator '" + op + "'");
  }
  if (kind == "AEXPR_DISTINCT")
    return at(call("not", {binary("<=>", expr(a["lexpr"]), expr(a["rexpr"]))}), p);
  if (kind == "AEXPR_NOT_DISTINCT") return at(binary("<=>", expr(a["lexpr"]), expr(a["rexpr"])), p);
  if (kind == "AEXPR_NULLIF") return at(call("nullif", {expr(a["lexpr"]), expr(a["rexpr"])}), p);
  if (kind == "AEXPR_IN") {
    std::vector<ExprPtr> args{expr(a["lexpr"])};
    for (const auto& item : a["rexpr"]["List"]["items"]) args.push_back(expr(item));
    ExprPtr in = at(call("in", std::move(args)), p);
    return op == "<>" ? call("not", {in}) : in;
  }
  if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
    std::vector<ExprPtr> args{expr(a["lexpr"])};
    const Json& pattern = a["rexpr"];
    if (pattern.contains("FuncCall") &&
        lastName(pattern["FuncCall"]["funcname"]) == "like_escape") {
      for (const auto& x : pattern["FuncCall"]["args"]) args.push_back(expr(x));
    } else {
      args.push_back(expr(pattern));
    }
    ExprPtr e = at(call(kind == "AEXPR_LIKE" ? "like" : "ilike", std::move(args)), p);
    return op.starts_with("!") ? call("not", {e}) : e;
  }
  if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
    ExprPtr x = expr(a["lexpr"]);
    const Json& bounds = a["rexpr"]["List"]["items"];
    ExprPtr e = binary("and", binary(">=", x, expr(bounds[0])), binary("<=", x, expr(bounds[1])));
    mut(e)->position = p;
    return kind == "AEXPR_BETWEEN" ? e : call("not", {e});
  }
  if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL")
    fail(a, "op ANY/ALL (array) is not supported; use IN (...) or a subquery");
  if (kind == "AEXPR_SIMILAR") fail(a, "SIMILAR TO is not supported; use RLIKE");
  fail(a, "unsupported expression (" + kind + ")");
}

ExprPtr PgTranslator::intervalArith(const Json& a, ExprPtr left, const Json& cast, bool negate) {
  const Json& arg = cast["arg"];
  if (!arg.contains("A_Const") || !arg["A_Const"].contains("sval"))
    fail(cast, "an INTERVAL needs a constant, e.g. INTERVAL '3' MONTH");
  int mask = 0;
  const Json& tn = cast["typeName"];
  if (tn.contains("typmods") && !tn["typmods"].empty())
    mask = tn["typmods"][0]["A_Const"]["ival"].value("ival", 0);
  IntervalValue iv;
  try {
    iv = parseInterval(arg["A_Const"]["sval"].value("sval", ""), mask);
  } catch (const UserError& e) {
    fail(cast, e.what());
  }
  int64_t s = negate ? -1 : 1;
  return at(call("interval_add", {left, lit(Value::int32(static_cast<int32_t>(s * iv.months))),
                                  lit(Value::int32(static_cast<int32_t>(s * iv.days))),
                                  lit(Value::int64(s * iv.micros))}),
            pos(a));
}

ExprPtr PgTranslator::subLink(const Json& s) {
  std::string t = s.value("subLinkType", "EXISTS_SUBLINK");
  auto e = std::make_shared<Expr>();
  e->position = pos(s);
  e->subquery = select(s["subselect"]["SelectStmt"]);
  if (t == "EXISTS_SUBLINK") {
    e->kind = ExprKind::Exists;
  } else if (t == "EXPR_SUBLINK") {
    e->kind = ExprKind::ScalarSubquery;
  } else if (t == "ANY_SUBLINK" && (!s.contains("operName") || lastName(s["operName"]) == "=")) {
    e->kind = ExprKind::InSubquery;
    const Json& test = s["testexpr"];
    if (test.contains("RowExpr")) {  // (a, b) IN (SELECT x, y ...)
      for (const auto& a : test["RowExpr"].value("args", Json::array())) e->args.push_back(expr(a));
    } else {
      e->args.push_back(expr(test));
    }
  } else {
    fail(s, "unsupported subquery form (only scalar, IN, EXISTS and NOT EXISTS are)");
  }
  return e;
}

ExprPtr PgTranslator::typeCast(const Json& c) {
  const Json& tn = c["typeName"];
  if (lastName(tn.value("names", Json::array())) == "interval")
    fail(tn,
         "INTERVAL values are supported only in date arithmetic: x + INTERVAL '3' MONTH, "
         "x - INTERVAL 90 DAYS");
  DataType to = typeName(tn);
  const Json& arg = c["arg"];
  if (arg.contains("A_Const") && arg["A_Const"].contains("sval") &&
      (to.id() == TypeId::Date || to.id() == TypeId::Timestamp)) {
    // DATE '1998-12-01' is a literal, not a cast.
    std::string s = arg["A_Const"]["sval"].value("sval", "");
    if (to.id() == TypeId::Date) {
      auto d = parseDate(s);
      if (!d) fail(arg["A_Const"], "invalid DATE literal '" + s + "' (expected yyyy-mm-dd)");
      return at(lit(Value::date(*d)), pos(tn));
    }
    auto ts = parseTimestamp(s);
    if (!ts)
      fail(arg["A_Const"], "invalid TIMESTAMP literal '" + s + "' (expected yyyy-mm-dd hh:mm:ss)");
    return at(lit(Value::timestamp(*ts)), pos(tn));
  }
  return at(cast(expr(arg), to), pos(c) >= 0 ? pos(c) : pos(tn));
}

DataType PgTranslator::typeName(const Json& t) {
  if (t.contains("arrayBounds")) {  // pg's int[] is Spark's array<int>
    Json base = t;
    base.erase("arrayBounds");
    DataType d = typeName(base);
    for (size_t i = 0; i < t["arrayBounds"].size(); ++i) d = DataType::array(d);
    return d;
  }
  std::vector<std::string> names;
  for (const auto& n : t.value("names", Json::array())) names.push_back(sval(n));
  std::vector<int> mods;
  for (const auto& m : t.value("typmods", Json::array())) {
    if (!m.contains("A_Const") || !m["A_Const"].contains("ival"))
      fail(t, "type parameters must be integer constants");
    mods.push_back(m["A_Const"]["ival"].value("ival", 0));
  }
  std::string name = names.back();
  if (names.size() == 2 && names[0] == "pg_catalog") {
    int p = pos(t);
    if (name == "int4") return DataType::int32();
    if (name == "int8") return DataType::int64();
    if (name == "int2") return DataType::int16();
    if (name == "float4") return DataType::float32();
    if (name == "float8") {
      // pg reads FLOAT as double precision; Spark's FLOAT is 4 bytes.
      bool isFloat = p >= 0 && sql_.size() >= static_cast<size_t>(p) + 5 &&
                     equalsIgnoreCase(sql_.substr(p, 5), "float") &&
                     (sql_.size() == static_cast<size_t>(p) + 5 || sql_[p + 5] != '8');
      return isFloat ? DataType::float32() : DataType::float64();
    }
    if (name == "numeric") {
      if (mods.empty()) return DataType::decimal(10, 0);  // Spark's DECIMAL default
      try {
        return DataType::decimal(mods[0], mods.size() > 1 ? mods[1] : 0);
      } catch (const UserError& e) {
        fail(t, e.what());
      }
    }
    if (name == "bool") return DataType::boolean();
    if (name == "varchar" || name == "bpchar" || name == "text") return DataType::string();
    if (name == "timestamp" || name == "timestamptz") return DataType::timestamp();
    if (name == "date") return DataType::date();
    fail(t, "unsupported type '" + name + "'");
  }
  if (names.size() != 1) fail(t, "unknown type '" + names.front() + "." + name + "'");
  std::string spec = name;
  if (!mods.empty()) {
    spec += "(";
    for (size_t i = 0; i < mods.size(); ++i) spec += (i ? "," : "") + std::to_string(mods[i]);
    spec += ")";
  }
  try {
    return DataType::parse(spec);
  } catch (const UserError& e) {
    fail(t, e.what());
  }
}

ExprPtr PgTranslator::funcCall(const Json& f) {
  std::vector<std::string> names;
  for (const auto& n : f["funcname"]) names.push_back(sval(n));
  std::string name = names.back();
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  int p = pos(f);
  std::vector<ExprPtr> args;
  for (const auto& a : f.value("args", Json::array())) args.push_back(expr(a));
  if (names.size() == 2 && names[0] == "pg_catalog") {
    // Special SQL syntax pg turns into its own functions.
    if (name == "extract") {
      std::string field = args.at(0)->value.asString();
      for (auto& ch : field) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto it = kExtractFields.find(field);
      if (it == kExtractFields.end()) fail(f, "EXTRACT(" + field + " FROM ...) is not supported");
      return at(call(it->second, {args.at(1)}), p);
    }
    if (name == "btrim") name = "trim";
    if (name == "position") std::swap(args.at(0), args.at(1));  // Spark: position(substr, str)
    if (name == "timezone") fail(f, "AT TIME ZONE is not supported");
  } else if (names.size() > 1) {
    fail(f, "qualified function names such as '" + names[0] + "." + names.back() +
                "' are not supported");
  }
  if (f.contains("agg_order") || f.value("agg_within_group", false))
    fail(f, "ordered aggregates (ORDER BY / WITHIN GROUP inside a call) are not supported");
  bool distinct = f.value("agg_distinct", false);
  ExprPtr e;
  if (f.value("agg_star", false)) {
    if (name != "count") fail(f, name + "(*) is not supported; only count(*) is");
    e = aggCall("count", {});
  } else if (isAggregateFunctionName(name)) {
    e = aggCall(name, args, distinct);
  } else {
    if (distinct) fail(f, "DISTINCT is only allowed in aggregate functions, not in " + name);
    e = call(name, args);
  }
  if (f.contains("agg_filter")) {
    if (e->kind != ExprKind::AggregateCall)
      fail(f, "FILTER (WHERE ...) is only allowed on aggregate functions");
    mut(e)->args.push_back(expr(f["agg_filter"]));
    mut(e)->hasFilter = true;
  }
  at(e, p);
  if (!f.contains("over")) return e;
  auto w = std::make_shared<Expr>();
  w->kind = ExprKind::WindowCall;
  w->args.push_back(e);
  w->window = windowSpec(f["over"]);
  w->position = p;
  return w;
}

}  // namespace ember::sql::detail
