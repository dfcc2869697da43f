#include "ember/sql/exec_expr.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "ember/columnar/column_ops.h"
#include "ember/common/errors.h"
#include "ember/sql/analyzer.h"

namespace ember::sql {

int indexOfId(const std::vector<Attribute>& attrs, int64_t id) {
  for (size_t i = 0; i < attrs.size(); ++i)
    if (attrs[i].id == id) return static_cast<int>(i);
  return -1;
}

ColumnPtr constantColumn(const Value& v, const DataType& t, int64_t rows) {
  if (v.isNull()) return Column::nulls(t, rows);
  auto one = std::make_shared<Column>(t);
  v.appendTo(*one);
  if (rows == 1) return one;
  if (t.id() == TypeId::String) {
    // Offsets i * len and the value repeated, written directly (literals are expanded
    // for every batch).
    auto s = one->stringAt(0);
    int64_t len = static_cast<int64_t>(s.size());
    if (len * rows > INT32_MAX)
      throw UserError("a string column of one batch exceeds 2 GiB; use smaller batches");
    Buffer offs(static_cast<size_t>(rows + 1) * sizeof(int32_t));
    int32_t* o = offs.as<int32_t>();
    for (int64_t i = 0; i <= rows; ++i) o[i] = static_cast<int32_t>(i * len);
    Buffer chars(static_cast<size_t>(len * rows));
    for (int64_t i = 0; i < rows; ++i)
      std::memcpy(chars.data() + i * len, s.data(), static_cast<size_t>(len));
    auto c = std::make_shared<Column>(t);
    c->adoptStrings(std::move(offs), std::move(chars), rows);
    return c;
  }
  if (t.isNested()) {  // rows copies of the one value
    std::vector<int32_t> zeros(static_cast<size_t>(rows), 0);
    return takeColumn(*one, zeros.data(), rows);
  }
  auto c = Column::make(t, rows);
  int w = t.fixedWidth();
  const uint8_t* src = one->valuesBuffer().data();
  uint8_t* dst = c->valuesBuffer().data();
  auto fill = [&](auto tag) {  // typed fill (a memcpy call per row is slow)
    using T = decltype(tag);
    T v;
    std::memcpy(&v, src, sizeof(T));
    std::fill(reinterpret_cast<T*>(dst), reinterpret_cast<T*>(dst) + rows, v);
  };
  switch (w) {
    case 1:
      fill(uint8_t{});
      break;
    case 2:
      fill(uint16_t{});
      break;
    case 4:
      fill(uint32_t{});
      break;
    case 8:
      fill(uint64_t{});
      break;
    default:
      for (int64_t i = 0; i < rows; ++i) std::memcpy(dst + i * w, src, static_cast<size_t>(w));
  }
  return c;
}

PhysicalExprPtr PhysicalExpr::compile(const ExprPtr& e, const std::vector<Attribute>& input) {
  auto p = std::make_shared<PhysicalExpr>();
  p->type_ = e->type;
  p->name_ = e->toString();
  switch (e->kind) {
    case ExprKind::Alias:
      return compile(e->args[0], input);
    case ExprKind::ColumnRef: {
      p->kind_ = Kind::Column;
      p->ordinal_ = indexOfId(input, e->id);
      EMBER_CHECK(p->ordinal_ >= 0,
                  "column " + e->toString() + " is not among the operator's inputs");
      return p;
    }
    case ExprKind::Literal:
      p->kind_ = Kind::Literal;
      p->value_ = e->value;
      return p;
    case ExprKind::Cast:
      p->kind_ = Kind::Cast;
      p->args_ = {compile(e->args[0], input)};
      return p;
    case ExprKind::Call: {
      if (isHigherOrderFunction(e->name)) {
        p->kind_ = Kind::HigherOrder;
        p->function_ = e->name;
        for (const auto& a : e->args) {
          if (a->kind != ExprKind::Lambda) {
            p->args_.push_back(compile(a, input));
            continue;
          }
          // The body reads its parameters and the row columns it names.
          std::set<int64_t> used;
          forEachExpr(a->args[0], [&](const ExprPtr& x) {
            if (x->kind == ExprKind::ColumnRef) used.insert(x->id);
          });
          CompiledLambda l;
          std::vector<Attribute> attrs;
          for (size_t i = 0; i < input.size(); ++i)
            if (used.count(input[i].id)) {
              l.rowOrdinals.push_back(static_cast<int>(i));
              attrs.push_back(input[i]);
            }
          for (size_t i = 1; i < a->args.size(); ++i) {
            const Expr& v = *a->args[i];
            attrs.push_back({v.name, v.type, true, v.id, {}});
          }
          l.params = static_cast<int>(a->args.size()) - 1;
          l.body = compile(a->args[0], attrs);
          p->lambdas_.push_back(std::move(l));
        }
        return p;
      }
      p->kind_ = Kind::Call;
      const ScalarFunction* f = FunctionRegistry::builtin().find(e->name);
      EMBER_CHECK(f != nullptr, "unknown function " + e->name + " at execution");
      std::vector<DataType> types;
      std::vector<std::optional<Value>> lits;
      for (const auto& a : e->args) {
        p->args_.push_back(compile(a, input));
        types.push_back(a->type);
        lits.push_back(a->kind == ExprKind::Literal ? std::optional<Value>(a->value)
                                                    : std::nullopt);
      }
      p->fn_ = f->bind(types, lits);
      p->type_ = p->fn_.resultType;
      return p;
    }
    default:
      throw InternalError("expression cannot be evaluated row-wise here: " + e->toString());
  }
}

ColumnPtr PhysicalExpr::eval(const Batch& batch) const {
  switch (kind_) {
    case Kind::Column:
      return batch.columns[static_cast<size_t>(ordinal_)];
    case Kind::Literal:
      return constantColumn(value_, type_, batch.numRows);
    case Kind::Cast: {
      ColumnPtr in = args_[0]->eval(batch);
      if (in->type() == type_) return in;
      return castColumn(in, type_, false);
    }
    case Kind::HigherOrder:
      return evalHigherOrder(function_, type_, args_[0]->eval(batch),
                             args_.size() > 1 ? args_[1]->eval(batch) : nullptr, lambdas_, batch);
    case Kind::Call: {
      std::vector<ColumnPtr> args;
      args.reserve(args_.size());
      for (const auto& a : args_) {
        ColumnPtr c = a->eval(batch);
        args.push_back(std::move(c));
      }
      // Arguments arrive already cast by the analyzer; re-check cheaply for safety.
      for (size_t i = 0; i < args.size() && i < fn_.argTypes.size(); ++i)
        if (args[i]->type() != fn_.argTypes[i])
          args[i] = castColumn(args[i], fn_.argTypes[i], false);
      return fn_.kernel(args, batch.numRows);
    }
  }
  return nullptr;
}

}  // namespace ember::sql
