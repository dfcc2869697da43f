// Evaluation of higher-order array functions (lambda.h). Vectorised over elements: the
// lambda body runs once per batch on a batch of all elements (each with the columns of
// its row that the body reads), not once per element. aggregate() folds step by step:
// step k evaluates the merge lambda on the k-th element of every array that has one.
#include <algorithm>
#include <numeric>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/sql/exec_expr.h"
#include "ember/sql/function.h"
#include "ember/sql/lambda.h"

namespace ember::sql {

bool isHigherOrderFunction(const std::string& n) {
  return n == "transform" || n == "filter" || n == "exists" || n == "forall" || n == "aggregate" ||
         n == "reduce";
}

std::string higherOrderUsage(const std::string& n) {
  if (n == "transform") return "transform(arr, x -> expr) or transform(arr, (x, i) -> expr)";
  if (n == "filter") return "filter(arr, x -> cond) or filter(arr, (x, i) -> cond)";
  if (n == "exists") return "exists(arr, x -> cond)";
  if (n == "forall") return "forall(arr, x -> cond)";
  return n + "(arr, start, (acc, x) -> merge[, acc -> finish])";
}

namespace {

// Runs a lambda over a batch of `n` rows: the row columns gathered by `rowOf` (input row
// of each lambda row) plus the parameter columns.
ColumnPtr runLambda(const CompiledLambda& l, const Batch& input, const std::vector<int32_t>& rowOf,
                    std::vector<ColumnPtr> params) {
  auto n = static_cast<int64_t>(rowOf.size());
  Batch b;
  b.numRows = n;
  for (int ord : l.rowOrdinals)
    b.columns.push_back(takeColumn(*input.columns[static_cast<size_t>(ord)], rowOf.data(), n));
  for (auto& p : params) b.columns.push_back(std::move(p));
  return l.body->eval(b);
}

ColumnPtr indexColumn(const std::vector<int32_t>& v) {
  auto c = Column::make(DataType::int32(), static_cast<int64_t>(v.size()));
  std::copy(v.begin(), v.end(), c->mutableValues<int32_t>());
  return c;
}

}  // namespace

ColumnPtr evalHigherOrder(const std::string& name, const DataType& resultType,
                          const ColumnPtr& arrayCol, const ColumnPtr& start,
                          const std::vector<CompiledLambda>& lambdas, const Batch& input) {
  const Column& arr = *arrayCol;
  int64_t rows = arr.size();
  const Column& elems = arr.child(0);
  // Every element's row and position (null rows included: their offsets may be empty).
  std::vector<int32_t> rowOf(static_cast<size_t>(elems.size())), posOf(rowOf.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int32_t j = arr.listBegin(i); j < arr.listEnd(i); ++j) {
      rowOf[static_cast<size_t>(j)] = static_cast<int32_t>(i);
      posOf[static_cast<size_t>(j)] = j - arr.listBegin(i);
    }

  if (name == "aggregate" || name == "reduce") {
    ColumnPtr acc = start;
    int32_t longest = 0;
    for (int64_t i = 0; i < rows; ++i)
      if (!arr.isNull(i)) longest = std::max(longest, arr.listEnd(i) - arr.listBegin(i));
    for (int32_t k = 0; k < longest; ++k) {
      std::vector<int32_t> active, elem;
      for (int64_t i = 0; i < rows; ++i)
        if (!arr.isNull(i) && arr.listEnd(i) - arr.listBegin(i) > k) {
          active.push_back(static_cast<int32_t>(i));
          elem.push_back(arr.listBegin(i) + k);
        }
      auto n = static_cast<int64_t>(active.size());
      ColumnPtr merged =
          runLambda(lambdas[0], input, active,
                    {takeColumn(*acc, active.data(), n), takeColumn(elems, elem.data(), n)});
      if (merged->type() != acc->type()) merged = castColumn(merged, acc->type());
      // New accumulator: merged values for the active rows, the old ones elsewhere.
      std::vector<int32_t> pick(static_cast<size_t>(rows));
      std::iota(pick.begin(), pick.end(), 0);
      for (int64_t a = 0; a < n; ++a)
        pick[static_cast<size_t>(active[static_cast<size_t>(a)])] = static_cast<int32_t>(rows + a);
      acc = takeColumn(*concatColumns({acc, merged}), pick.data(), rows);
    }
    std::vector<int32_t> all(static_cast<size_t>(rows));
    std::iota(all.begin(), all.end(), 0);
    ColumnPtr out = lambdas.size() > 1 ? runLambda(lambdas[1], input, all, {acc}) : acc;
    if (out->type() != resultType) out = castColumn(out, resultType);
    std::vector<int32_t> keep(all);
    for (int64_t i = 0; i < rows; ++i)
      if (arr.isNull(i)) keep[static_cast<size_t>(i)] = -1;  // NULL array: NULL result
    return takeColumn(*out, keep.data(), rows);
  }

  const CompiledLambda& l = lambdas[0];
  std::vector<ColumnPtr> params;
  std::vector<int32_t> elemIdx(rowOf.size());
  std::iota(elemIdx.begin(), elemIdx.end(), 0);
  params.push_back(arrayCol->children()[0]);
  if (l.params == 2) params.push_back(indexColumn(posOf));
  ColumnPtr r = runLambda(l, input, rowOf, std::move(params));

  if (name == "transform") {
    DataType elem = resultType.elementType();
    if (r->type() != elem) r = castColumn(r, elem);
    auto out = std::make_shared<Column>(resultType);
    Buffer offs(static_cast<size_t>(rows + 1) * sizeof(int32_t));
    for (int64_t i = 0; i <= rows; ++i) offs.as<int32_t>()[i] = arr.offsets()[i];
    out->adoptNested(std::move(offs), {r}, rows);
    for (int64_t i = 0; i < rows; ++i)
      if (arr.isNull(i)) out->setNull(i);
    return out;
  }
  auto truth = [&](int32_t j) -> int {  // 1 true, 0 false, -1 NULL
    if (r->type().id() == TypeId::Null || r->isNull(j)) return -1;
    return r->valueAt<uint8_t>(j) ? 1 : 0;
  };
  if (name == "filter") {
    std::vector<int32_t> kept;
    Buffer offs(static_cast<size_t>(rows + 1) * sizeof(int32_t));
    int32_t* o = offs.as<int32_t>();
    o[0] = 0;
    for (int64_t i = 0; i < rows; ++i) {
      for (int32_t j = arr.listBegin(i); j < arr.listEnd(i); ++j)
        if (truth(j) == 1) kept.push_back(j);
      o[i + 1] = static_cast<int32_t>(kept.size());
    }
    auto out = std::make_shared<Column>(resultType);
    out->adoptNested(std::move(offs),
                     {takeColumn(elems, kept.data(), static_cast<int64_t>(kept.size()))}, rows);
    for (int64_t i = 0; i < rows; ++i)
      if (arr.isNull(i)) out->setNull(i);
    return out;
  }
  // exists / forall with SQL's three values.
  bool isExists = name == "exists";
  auto out = Column::make(DataType::boolean(), rows);
  for (int64_t i = 0; i < rows; ++i) {
    if (arr.isNull(i)) {
      out->setNull(i);
      continue;
    }
    bool decided = false, unknown = false;
    for (int32_t j = arr.listBegin(i); j < arr.listEnd(i) && !decided; ++j) {
      int t = truth(j);
      if (t < 0)
        unknown = true;
      else if ((t == 1) == isExists)
        decided = true;
    }
    out->mutableValues<uint8_t>()[i] = decided ? isExists : !isExists;
    if (!decided && unknown) out->setNull(i);
  }
  return out;
}

}  // namespace ember::sql
