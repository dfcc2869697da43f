// Statements other than plain queries: views, EXPLAIN, SET, SHOW, DESCRIBE, CACHE.
#include <filesystem>

#include "ember/common/errors.h"
#include "ember/sql/cache_manager.h"
#include "ember/sql/catalog.h"
#include "ember/sql/feed.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/query_execution.h"
#include "ember/sql/reader.h"
#include "ember/sql/session_internal.h"
#include "ember/sql/writer.h"

namespace ember::sql {

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

namespace {
std::string joinName(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? "." : "") + parts[i];
  return s;
}

DataFrame empty(Session& s) { return s.createDataFrame({}, Schema()); }

// The directory of a feed named as a table of the catalog or as feed.`/path`; empty if
// `parts` names neither. `what` describes the statement for the error about non-feeds.
std::string feedPathOf(Session& s, const std::vector<std::string>& parts, const char* what) {
  if (parts.size() == 2 && isFeedFormat(parts[0])) return parts[1];
  std::string name = joinName(parts);
  auto info = s.catalog().tableInfo(name);
  if (info && isFeedFormat(info->format)) return info->location;
  if (!what) return "";
  std::string kind = info ? "a " + info->format + " table"
                          : (s.catalog().lookup(name) ? "a temporary view" : "not a table");
  throw UserError(std::string(what) + " needs a feed table (created USING feed) or " +
                  "feed.`/path`; " + name + " is " + kind +
                  " (convert it with CREATE TABLE new_name USING feed AS SELECT * FROM " + name +
                  ")");
}

DataFrame mergeStatement(Session& s, const Statement& st, const std::string& text) {
  std::string path = feedPathOf(s, st.name, "MERGE INTO");
  std::string alias = !st.key.empty()                                     ? st.key
                      : (st.name.size() == 2 && isFeedFormat(st.name[0])) ? std::string("target")
                                                                          : st.name.back();
  DataFrame source(&s, s.analyzePlan(st.query, text));
  std::string condText = st.mergeCondition->toString();
  FeedMergeResult r =
      mergeIntoFeed(s, path, alias, source, st.mergeCondition, condText, st.mergeClauses);
  // Delta's result columns, plus the committed version.
  Schema schema({{"num_affected_rows", DataType::int64()},
                 {"num_updated_rows", DataType::int64()},
                 {"num_deleted_rows", DataType::int64()},
                 {"num_inserted_rows", DataType::int64()},
                 {"version", DataType::int64()}});
  return s.createDataFrame(
      {{Value::int64(r.numAffectedRows()), Value::int64(r.numTargetRowsUpdated),
        Value::int64(r.numTargetRowsDeleted), Value::int64(r.numTargetRowsInserted),
        Value::int64(r.version)}},
      schema);
}

// CREATE TABLE ... USING feed: writes version 0 (or registers an existing feed).
DataFrame createFeedTable(Session& s, const Statement& st, const std::string& text,
                          const std::string& name, const std::string& location) {
  if (st.query) {
    DataFrame df(&s, s.analyzePlan(st.query, text));
    writeFeed(df, location, st.orReplace ? "overwrite" : "error", st.options,
              st.orReplace ? "CREATE OR REPLACE TABLE AS SELECT" : "CREATE TABLE AS SELECT",
              {{"table", name}});
  } else if (!st.columns.empty() && !FeedLog(location).exists()) {
    // CREATE TABLE t (cols) USING feed: version 0 is the empty table.
    writeFeed(s.createDataFrame({}, Schema(st.columns)), location, "error", st.options,
              "CREATE TABLE", {{"table", name}});
  } else if (!FeedLog(location).exists()) {
    throw UserError("CREATE TABLE " + name + " USING feed needs AS SELECT ..., a column list " +
                    "(CREATE TABLE " + name + " (id INT, ...) USING feed) or the LOCATION of an " +
                    "existing feed; " + location + " holds none");
  }
  Schema schema = FeedLog(location).latest().schema;
  s.catalog().registerTable(name, TableInfo{"feed", location, st.options, schema},
                            feedScanRef(location, {}));
  return empty(s);
}
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
      if (isFeedFormat(st.format)) {
        // Each reference of the view reads the feed's latest snapshot.
        if (st.location.empty())
          throw UserError("CREATE VIEW " + name + " USING feed needs OPTIONS (path '...')");
        FeedLog(st.location).latest();  // fails now if there is no feed
        plan = feedScanRef(st.location, st.options);
      } else if (!st.format.empty()) {
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
      if (st.options.count("__show")) return showCatalogObjects(s, st);
      std::vector<std::vector<std::string>> rows;
      for (const auto& v : s.catalog().listViews()) rows.push_back({"", v, "true"});
      return rowsFrame(s, {"namespace", "tableName", "isTemporary"}, rows);
    }
    case K::Describe: {
      if (st.options.count("__describe")) return showCatalogObjects(s, st);
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
      // Eager, as Spark's CACHE TABLE (a count stores every partition now), unless LAZY.
      bool lazy = st.options.count("__lazy") > 0;
      if (st.query) {  // CACHE TABLE v AS query: a cached temporary view
        DataFrame df = DataFrame(&s, s.analyzePlan(st.query, text)).cache();
        df.createOrReplaceTempView(name);
        if (!lazy) df.count();
        return empty(s);
      }
      DataFrame df = s.table(name).cache();
      s.catalog().cacheTable(name, df.plan());
      if (!lazy) df.count();
      return empty(s);
    }
    case K::UncacheTable: {
      if (st.options.count("__clear")) {
        s.clearCache();
        return empty(s);
      }
      std::string name = joinName(st.name);
      bool dropped = s.catalog().uncacheTable(name);  // CACHE TABLE t
      PlanPtr view = s.catalog().lookup(name);
      if (view) dropped |= s.cacheManager().uncache(view.get());  // CACHE TABLE v AS query
      if (!dropped && !st.ifExists && !view)
        throw UserError("UNCACHE TABLE: table or view not found: " + name);
      return empty(s);
    }
    case K::CreateTableAs: {
      std::string name = joinName(st.name);
      if (s.catalog().lookup(name)) {
        if (st.ifNotExists) return empty(s);
        if (!st.orReplace) throw UserError("table or view '" + name + "' already exists");
      }
      std::string format = st.format.empty() ? "parquet" : st.format;
      std::string location = st.location;
      if (location.empty()) location = s.getConf("ember.sql.warehouse.dir") + "/" + name;
      if (isFeedFormat(format)) {
        if (!st.partitionBy.empty())
          throw UserError("PARTITIONED BY is not supported for feeds yet; create it without");
        return createFeedTable(s, st, text, name, location);
      }
      Schema schema;
      std::error_code ec;
      bool exists = std::filesystem::exists(location, ec);
      if (st.query) {
        DataFrame df(&s, s.analyzePlan(st.query, text));
        writeFiles(df, format, location, st.orReplace ? "overwrite" : "error", st.options,
                   st.partitionBy);
        schema = df.schema();
      } else if (exists) {
        // CREATE TABLE t [(cols)] USING fmt LOCATION 'p' over existing files (Spark's
        // external table): the given columns or the files' schema.
        auto reader = s.read().format(format).options(st.options);
        if (!st.columns.empty()) reader.schema(Schema(st.columns));
        schema = reader.load(location).schema();
      } else if (!st.columns.empty()) {
        // CREATE TABLE t (cols) USING fmt: an empty table to INSERT INTO.
        schema = Schema(st.columns);
        writeFiles(s.createDataFrame({}, schema), format, location, "error", st.options,
                   st.partitionBy);
      } else {
        throw UserError("CREATE TABLE " + name +
                        " needs AS SELECT ..., a column list (CREATE "
                        "TABLE " +
                        name + " (id INT, ...) USING " + format +
                        ") or the LOCATION of existing files; " + location + " does not exist");
      }
      s.catalog().registerTable(name,
                                TableInfo{format, location, st.options, schema, st.partitionBy},
                                fileScan(format, {location}, st.options, &schema));
      return empty(s);
    }
    case K::InsertInto: {
      std::string name = joinName(st.name);
      auto info = s.catalog().tableInfo(name);
      if (std::string feed = feedPathOf(s, st.name, nullptr); !feed.empty()) {
        // A feed's schema is its latest snapshot's (another writer may have replaced it).
        info = TableInfo{"feed", feed, info ? info->options : std::map<std::string, std::string>{},
                         FeedLog(feed).latest().schema};
      }
      auto opIt = st.options.find("__operation");
      if (opIt != st.options.end() && opIt->second == "TRUNCATE") {
        if (!info) throw UserError("TRUNCATE TABLE " + name + ": not a table");
        if (isFeedFormat(info->format)) {
          rewriteFeedRows(s, info->location, "", "TRUNCATE", nullptr, {}, {}, {{"table", name}});
        } else {
          writeFiles(s.createDataFrame({}, info->schema), info->format, info->location, "overwrite",
                     info->options, info->partitionBy);
        }
        return empty(s);
      }
      if (opIt != st.options.end()) {
        // DELETE / UPDATE (parser_merge.cpp): feeds only, as Delta tables in Spark.
        if (!info || !isFeedFormat(info->format))
          throw UserError(opIt->second + " " + name +
                          ": only feed tables (USING feed) can be changed in place; rewrite "
                          "other tables with INSERT OVERWRITE ... SELECT");
        std::string alias = st.query->kind == PlanKind::SubqueryAlias ? st.query->name.at(0) : "";
        const auto* set = st.mergeClauses.empty() ? nullptr : &st.mergeClauses[0];
        rewriteFeedRows(s, info->location, alias, opIt->second, st.mergeCondition,
                        set ? set->columns : std::vector<std::string>{},
                        set ? set->values : std::vector<ExprPtr>{}, {{"table", name}});
        return empty(s);
      }
      if (!info)
        throw UserError("INSERT INTO " + name + ": not a table (create it with CREATE TABLE " +
                        name +
                        " USING parquet AS SELECT ...; temporary views cannot be inserted into)");
      DataFrame df(&s, s.analyzePlan(st.query, text));
      const auto& fields = info->schema.fields();
      std::vector<ExprPtr> cols;
      if (!st.columnNames.empty()) {
        if (st.columnNames.size() != df.schema().size())
          throw UserError("INSERT INTO " + name + " lists " +
                          std::to_string(st.columnNames.size()) +
                          " columns but the query returns " + std::to_string(df.schema().size()));
        for (const auto& f : fields) {
          int at = -1;
          for (size_t i = 0; i < st.columnNames.size(); ++i)
            if (equalsIgnoreCase(st.columnNames[i], f.name)) at = static_cast<int>(i);
          ExprPtr v = at < 0 ? lit(Value::null(f.type))
                             : col(df.schema().field(static_cast<size_t>(at)).name);
          cols.push_back(alias(cast(v, f.type), f.name));
        }
      } else {
        if (df.schema().size() != fields.size())
          throw UserError("INSERT INTO " + name + ": the table has " +
                          std::to_string(fields.size()) + " columns but the query returns " +
                          std::to_string(df.schema().size()));
        for (size_t i = 0; i < fields.size(); ++i)
          cols.push_back(
              alias(cast(col(df.schema().field(i).name), fields[i].type), fields[i].name));
      }
      if (isFeedFormat(info->format)) {
        writeFeed(df.select(cols), info->location, st.overwrite ? "overwrite" : "append",
                  info->options, st.overwrite ? "INSERT OVERWRITE" : "INSERT INTO",
                  {{"table", name}});
        return empty(s);
      }
      writeFiles(df.select(cols), info->format, info->location,
                 st.overwrite ? "overwrite" : "append", info->options, info->partitionBy);
      return empty(s);
    }
    case K::InsertDirectory: {
      if (st.location.empty()) throw UserError("INSERT OVERWRITE DIRECTORY needs a path");
      DataFrame df(&s, s.analyzePlan(st.query, text));
      writeFiles(df, st.format.empty() ? "parquet" : st.format, st.location, "overwrite",
                 st.options);
      return empty(s);
    }
    case K::Merge:
      return mergeStatement(s, st, text);
    case K::DescribeHistory:
      return FeedTable::forPath(s, feedPathOf(s, st.name, "DESCRIBE HISTORY"))
          .historyDF(static_cast<int>(st.limit));
    case K::Vacuum: {
      auto table = FeedTable::forPath(s, feedPathOf(s, st.name, "VACUUM"));
      std::optional<double> hours;
      if (st.retainHours >= 0) hours = st.retainHours;
      std::vector<std::vector<std::string>> rows;
      for (const auto& p : table.vacuum(hours, st.dryRun)) rows.push_back({p});
      return rowsFrame(s, {"path"}, rows);
    }
    default:
      break;
  }
  throw UserError("this statement is not supported yet by Ember's SQL engine: " + text);
}

}  // namespace ember::sql
