// Helpers for the scalar-function tests: build columns from Values, bind a registered
// function the way the analyzer does (argument types + literal values), cast the
// arguments to the bound types, run the kernel and read the result back as Values.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "ember/columnar/value.h"
#include "ember/sql/function.h"

namespace ember::sql::testutil {

inline ColumnPtr columnOf(const DataType& t, const std::vector<Value>& values) {
  auto c = std::make_shared<Column>(t);
  for (const auto& v : values) v.appendTo(*c);
  return c;
}

struct Result {
  DataType type;
  std::vector<Value> values;
};

// Binds `name` to the columns' types and runs it over all rows. literal[i] = true makes
// argument i a literal (its row 0 is passed to bind, as the analyzer does).
inline Result run(const std::string& name, std::vector<ColumnPtr> args,
                  std::vector<bool> literal = {}) {
  const ScalarFunction* f = FunctionRegistry::builtin().find(name);
  if (!f) throw std::runtime_error("no function " + name);
  std::vector<DataType> types;
  std::vector<std::optional<Value>> lits;
  for (size_t i = 0; i < args.size(); ++i) {
    types.push_back(args[i]->type());
    bool isLit = i < literal.size() && literal[i] && args[i]->size() > 0;
    lits.push_back(isLit ? std::optional<Value>(Value::fromColumn(*args[i], 0)) : std::nullopt);
  }
  BoundFunction b = f->bind(types, lits);
  int64_t rows = args.empty() ? 1 : args[0]->size();
  for (size_t i = 0; i < args.size(); ++i) args[i] = castColumn(args[i], b.argTypes[i], false);
  ColumnPtr out = b.kernel(args, rows);
  Result r{b.resultType, {}};
  EXPECT_EQ(out->type(), b.resultType) << name;
  EXPECT_EQ(out->size(), rows) << name;
  for (int64_t i = 0; i < out->size(); ++i) r.values.push_back(Value::fromColumn(*out, i));
  return r;
}

// One row; every argument is a literal.
inline Value eval(const std::string& name, const std::vector<Value>& args,
                  DataType* resultType = nullptr) {
  std::vector<ColumnPtr> cols;
  for (const auto& v : args) cols.push_back(columnOf(v.type(), {v}));
  Result r = run(name, cols, std::vector<bool>(args.size(), true));
  if (resultType) *resultType = r.type;
  return r.values.at(0);
}

// The result's text as Spark's show() prints it ("NULL" for NULL).
inline std::string str(const std::string& name, const std::vector<Value>& args) {
  return eval(name, args).toString();
}

inline Value dec(const char* text, int p, int s) {
  int128_t v = 0;
  bool neg = false;
  int frac = -1;
  for (const char* c = text; *c; ++c) {
    if (*c == '-')
      neg = true;
    else if (*c == '.')
      frac = 0;
    else {
      v = v * 10 + (*c - '0');
      if (frac >= 0) ++frac;
    }
  }
  for (int i = frac < 0 ? 0 : frac; i < s; ++i) v *= 10;
  return Value::decimal(neg ? -v : v, p, s);
}

inline Value str(const std::string& s) { return Value::string(s); }
inline Value i32(int32_t v) { return Value::int32(v); }
inline Value i64(int64_t v) { return Value::int64(v); }
inline Value f64(double v) { return Value::float64(v); }
inline Value null(DataType t = DataType::null()) { return Value::null(t); }

}  // namespace ember::sql::testutil
