// Scalar functions: the registry the analyzer resolves calls against, and the
// vectorised kernels the executor runs. Operators ("+", "=", "and", "case", "in",
// "like", ...) and named functions ("upper", "date_add", ...) are all entries here.
//
// Resolution: the analyzer gives `bind` the argument types (and, for arguments that are
// literals, their values, so a kernel can precompile a LIKE pattern or a regex once).
// bind either throws UserError saying what was wrong ("upper expects a string argument,
// got int") or returns a BoundFunction: the result type, the types the arguments must be
// cast to first (the analyzer inserts those casts), and the kernel.
//
// Kernels take argument columns of equal length `rows` (literal arguments arrive as
// columns too; a kernel that precompiled a literal may ignore that column) and return a
// new column of the bound result type and length `rows`. NULL handling follows SQL:
// most functions return NULL when any argument is NULL. Kernels must be thread-safe
// (one BoundFunction is shared by all tasks of an executor) and must not throw for
// data-dependent conditions that Spark answers with NULL (a bad cast, x / 0); they throw
// UserError only where Ember promises an error (integer overflow; see docs/design/sql.md).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/columnar/value.h"

namespace ember::sql {

using ScalarKernel = std::function<ColumnPtr(std::span<const ColumnPtr> args, int64_t rows)>;

struct BoundFunction {
  DataType resultType;
  bool nullable = true;            // whether the result can be NULL given non-null inputs too
  std::vector<DataType> argTypes;  // the analyzer casts each argument to these first
  ScalarKernel kernel;
};

struct ScalarFunction {
  std::string name;                  // lower case
  std::vector<std::string> aliases;  // lower case
  std::string usage;                 // "substring(str, pos[, len]) - ..." for errors and docs
  bool deterministic = true;         // rand() is not: never constant-folded or deduplicated
  // literals[i] is set when argument i is a literal.
  std::function<BoundFunction(std::span<const DataType> argTypes,
                              std::span<const std::optional<Value>> literals)>
      bind;
};

class FunctionRegistry {
 public:
  // The built-in functions (created on first use; then read-only and thread-safe).
  static FunctionRegistry& builtin();

  // Adds or replaces (user-defined functions: registered by name, usable in SQL and
  // DataFrames). Not thread-safe with concurrent lookups: register before running.
  void add(ScalarFunction f);
  // Case-insensitive; null if unknown.
  const ScalarFunction* find(const std::string& name) const;
  // Up to 3 registered names closest to `name` (edit distance), for "did you mean".
  std::vector<std::string> suggest(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<ScalarFunction> functions_;
  std::vector<std::pair<std::string, size_t>> index_;  // lower-case name/alias -> function
};

// Casts a column. ansi=false: values that do not convert become NULL (Spark's default);
// ansi=true: throws UserError naming the value and both types.
ColumnPtr castColumn(const ColumnPtr& c, const DataType& to, bool ansi = false);
// Whether CAST(from AS to) is allowed at all (analysis-time check).
bool canCast(const DataType& from, const DataType& to);
// The common type two operands are widened to (Spark's rules: int + bigint -> bigint,
// int + decimal(10,2) -> decimal(12,2), decimal + double -> double, date vs string ->
// date, ...); nullopt when there is none.
std::optional<DataType> commonType(const DataType& a, const DataType& b);
// The type values of both types are widened to when they meet in one result column
// (CASE branches, COALESCE, IN lists, UNION): like commonType, except that a string and
// a number or date widen to string (Spark's findWiderTypeForTwo); nullopt when none.
std::optional<DataType> widerType(const DataType& a, const DataType& b);

}  // namespace ember::sql
