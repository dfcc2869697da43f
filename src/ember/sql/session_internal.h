// Session internals shared by session.cpp, session_statements.cpp and dataframe*.cpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ember/sql/dataframe.h"
#include "ember/sql/logical_plan.h"
#include "ember/sql/session.h"

namespace ember::sql {

struct PlannerOptions;
PlannerOptions plannerOptions(Session& s);

// A resolved LocalRelation of `rows`.
PlanPtr localRelation(const std::vector<Row>& rows, const Schema& schema);
// The schema of a file source: the user's, or inferred from its files.
Schema fileSourceSchema(const FileSource& src);
// A resolved FileScan (schema inferred unless given).
PlanPtr fileScan(const std::string& format, std::vector<std::string> paths,
                 std::map<std::string, std::string> options, const Schema* schema);
// Executes a parsed statement (DDL runs now; queries return lazily).
DataFrame runStatement(Session& s, const Statement& st, const std::string& text);
// A DataFrame of string columns `names` holding `rows` (statement results).
DataFrame rowsFrame(Session& s, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::string>>& rows);
// SHOW FUNCTIONS [LIKE 'p'], SHOW COLUMNS IN t, DESCRIBE FUNCTION f
// (session_catalog_statements.cpp); `st` carries options["__show"] or ["__describe"].
DataFrame showCatalogObjects(Session& s, const Statement& st);

}  // namespace ember::sql
