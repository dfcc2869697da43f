// Generators: functions that turn one input row into zero or more output rows (Spark's
// explode family). They appear in a SELECT list (`SELECT explode(a) FROM t`), after
// LATERAL VIEW, or in FROM; the analyzer turns each into a Generate plan node and
// GenerateExec runs it.
//
//   explode(array)         col                 one row per element
//   explode(map)           key, value          one row per entry
//   posexplode(...)        pos, then as above  pos counts from 0
//   inline(array<struct>)  the struct's fields one row per element
// The *_outer forms also emit one row of NULLs for a NULL or empty input (LATERAL VIEW
// OUTER); the plain forms emit nothing for it.
#pragma once

#include <string>
#include <vector>

#include "ember/columnar/column.h"

namespace ember::sql {

bool isGeneratorName(const std::string& lowerName);

// The columns generator `name` produces from an argument of type `arg`. Throws UserError
// naming the function and the type when they do not fit.
std::vector<Field> generatorFields(const std::string& name, const DataType& arg);

struct GeneratedRows {
  std::vector<int32_t> inputRow;   // the input row each output row comes from
  std::vector<ColumnPtr> columns;  // the generated columns (generatorFields' types)
};
// Runs generator `name` over the evaluated argument column.
GeneratedRows runGenerator(const std::string& name, const Column& arg);

}  // namespace ember::sql
