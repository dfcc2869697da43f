// SQL text -> statements (unresolved logical plans), via libpg-query (PostgreSQL's own
// grammar) plus a thin layer for the Spark syntax users paste: backtick identifiers,
// `USING fmt OPTIONS (...)` DDL, `INSERT OVERWRITE DIRECTORY`, `fmt.\`/path\`` table
// references, `GROUP BY 1`, `LIMIT`, intervals, MERGE INTO.
//
// Errors are UserError with the position: "syntax error at or near 'FORM' (line 1,
// column 10)\n  SELECT a FORM t\n           ^".
#pragma once

#include <string>
#include <vector>

#include "ember/sql/logical_plan.h"

namespace ember::sql {

// Exactly one statement (a trailing ';' is allowed).
Statement parseStatement(const std::string& sql);
// Several statements separated by ';' (semicolons inside strings, identifiers and
// comments do not split).
std::vector<Statement> parseScript(const std::string& sql);
// An expression alone (DataFrame selectExpr / filter("a > 1") / expr("...")).
ExprPtr parseExpression(const std::string& text);
// A DDL schema string "a INT, b STRING" (DataFrameReader.schema, CREATE VIEW columns).
Schema parseSchema(const std::string& text);

// "line L, column C" of a byte offset, and the caret snippet, for error messages.
std::string describePosition(const std::string& sql, int offset);

}  // namespace ember::sql
