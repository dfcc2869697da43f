// Statements other than plain queries: views, EXPLAIN, SET, SHOW, DESCRIBE, CACHE.
#include "ember/common/errors.h"
#include "ember/sql/catalog.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

namespace {
std::string joinName(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "." : "") + parts[i];
  return s;
}

DataFrame rowsFrame(Session& s, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::string>>& rows) {
  std::vector<Field> fields;
  for (const auto& n : names) fields.push_back({n, DataType::string()});
  std::vector<Row> out;
  for (const auto& r : rows) {
    Row row;
    for (const auto& v : r) row.push_back(Value::string(v));
    out.push_back(row);
  }
  return s.createDataFrame(out, Schema(fields));
}

DataFrame empty(Session& s) { return s.createDataFrame({}, Schema()); }
}  // namespace

DataFrame runStatement(Session& s, const Statement& st, const std::string& text) {
  using K = Statement::Kind;
  switch (st.kind) {
    case K::Query:
      return DataFrame(&s, s.analyzePlan(st.query, text));
    case K::CreateView: {
      std::string name = joinName(st.name);
      if (!st.orReplace && !st.ifNotExists && s.catalog().lookup(name))
        throw UserError("temporary view '" + name +
                        "' already exists; use CREATE OR REPLACE TEMPORARY VIEW");
      if (st.ifNotExists && s.catalog().lookup(name)) return empty(s);
      PlanPtr plan;
      if (!st.format.empty()) {
        Schema schema(st.columns);
        plan = fileScan(st.format, {}, st.options, st.columns.empty() ? nullptr : &schema);
      } else {
        plan = s.analyzePlan(st.query, text);
        if (!st.columnNames.empty()) {
          if (st.columnNames.size() != plan->output.size())
            throw UserError("view " + name + " names " + std::to_string(st.columnNames.size()) +
                            " columns but its query returns " +
                            std::to_string(plan->output.size()));
          auto alias = std::make_shared<LogicalPlan>();
          alias->kind = PlanKind::SubqueryAlias;
          alias->name = {name};
          alias->columnAliases = st.columnNames;
          alias->children = {plan};
          plan = s.analyzePlan(alias, text);
        }
      }
      s.catalog().createTempView(name, plan, true);
      return empty(s);
    }
    case K::DropView: {
      std::string name = joinName(st.name);
      if (!s.catalog().dropTempView(name) && !st.ifExists)
        throw UserError("view or table '" + name +
                        "' not found (use DROP VIEW IF EXISTS to ignore)");
      return empty(s);
    }
    case K::Explain: {
      if (!st.inner || st.inner->kind != K::Query) throw UserError("EXPLAIN supports queries only");
      PlanPtr plan = s.analyzePlan(st.inner->query, text);
      QueryExecution qe(s, plan);
      std::string mode = st.explainMode.empty() ? "simple" : st.explainMode;
      return rowsFrame(s, {"plan"}, {{qe.explain(mode)}});
    }
    case K::SetConfig: {
      if (st.key.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& [k, v] : s.allConf()) rows.push_back({k, v});
        return rowsFrame(s, {"key", "value"}, rows);
      }
      if (!st.value.empty()) s.setConf(st.key, st.value);
      return rowsFrame(s, {"key", "value"}, {{st.key, s.getConf(st.key)}});
    }
    case K::ShowTables: {
      std::vector<std::vector<std::string>> rows;
      for (const auto& v : s.catalog().listViews()) rows.push_back({"", v, "true"});
      return rowsFrame(s, {"namespace", "tableName", "isTemporary"}, rows);
    }
    case K::Describe: {
      PlanPtr plan;
      if (st.query) {
        plan = s.analyzePlan(st.query, text);
      } else {
        plan = s.table(joinName(st.name)).plan();
      }
      std::vector<std::vector<std::string>> rows;
      for (const auto& a : plan->output) rows.push_back({a.name, a.type.toString(), ""});
      return rowsFrame(s, {"col_name", "data_type", "comment"}, rows);
    }
    case K::CacheTable: {
      std::string name = joinName(st.name);
      DataFrame df = st.query ? DataFrame(&s, s.analyzePlan(st.query, text)) : s.table(name);
      df.cache().createOrReplaceTempView(name);
      return empty(s);
    }
    case K::UncacheTable:
      return empty(s);
    default:
      break;
  }
  throw UserError("this statement is not supported yet by Ember's SQL engine: " + text);
}

}  // namespace ember::sql
