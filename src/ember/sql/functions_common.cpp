#include "ember/sql/functions_common.h"

#include <algorithm>
#include <cstring>

namespace ember::sql::fn {

void propagateNulls(Column& out, std::span<const ColumnPtr> args, int64_t rows) {
  uint64_t* dst = nullptr;
  int64_t words = bitmapWords(rows);
  for (const auto& a : args) {
    const uint64_t* v = a->validity();
    if (!v) continue;
    if (!dst) {
      dst = out.mutableValidity();
      std::memcpy(dst, v, static_cast<size_t>(words) * 8);
    } else {
      for (int64_t w = 0; w < words; ++w) dst[w] &= v[w];
    }
  }
}

void propagateNulls(Column& out, std::initializer_list<const Column*> args, int64_t rows) {
  uint64_t* dst = nullptr;
  int64_t words = bitmapWords(rows);
  for (const Column* a : args) {
    const uint64_t* v = a->validity();
    if (!v) continue;
    if (!dst) {
      dst = out.mutableValidity();
      std::memcpy(dst, v, static_cast<size_t>(words) * 8);
    } else {
      for (int64_t w = 0; w < words; ++w) dst[w] &= v[w];
    }
  }
}

ColumnPtr makeResult(const DataType& t, std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = Column::make(t, rows);
  propagateNulls(*out, args, rows);
  return out;
}

StringBuilder::StringBuilder(int64_t rows, int64_t charsHint)
    : col_(std::make_shared<Column>(DataType::string())) {
  col_->offsetsBuffer().resize(static_cast<size_t>(rows + 1) * sizeof(int32_t));
  col_->offsetsBuffer().as<int32_t>()[0] = 0;
  col_->charsBuffer().reserve(static_cast<size_t>(std::max<int64_t>(charsHint, 0)));
}

char* StringBuilder::extend(int64_t n) {
  Buffer& c = col_->charsBuffer();
  c.reserve(static_cast<size_t>(end_ + n));
  return reinterpret_cast<char*>(c.data()) + end_;
}

void StringBuilder::commit(int64_t n) {
  end_ += n;
  if (end_ > INT32_MAX)
    throw UserError("a string column of one batch exceeds 2 GiB; use smaller batches");
  col_->charsBuffer().resize(static_cast<size_t>(end_));
  col_->offsetsBuffer().as<int32_t>()[++row_] = static_cast<int32_t>(end_);
}

void StringBuilder::append(std::string_view s) {
  char* p = extend(static_cast<int64_t>(s.size()));
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  commit(static_cast<int64_t>(s.size()));
}

void StringBuilder::null() {
  Buffer& v = col_->validityBuffer();
  size_t need = static_cast<size_t>(bitmapWords(row_ + 1)) * 8;
  if (v.size() < need) {
    // Rows before this one are valid.
    size_t total = (col_->offsetsBuffer().size() / sizeof(int32_t) + 63) / 64 * 8;
    v.resize(std::max(need, total), 0xFF);
  }
  clearBit(v.as<uint64_t>(), row_);
  commit(0);
}

ColumnPtr StringBuilder::finish() {
  auto out = std::make_shared<Column>(DataType::string());
  Buffer validity = std::move(col_->validityBuffer());
  if (!validity.empty() && validity.size() < static_cast<size_t>(bitmapWords(row_)) * 8)
    validity.resize(static_cast<size_t>(bitmapWords(row_)) * 8, 0xFF);
  out->adoptStrings(std::move(col_->offsetsBuffer()), std::move(col_->charsBuffer()), row_);
  out->adoptValidity(std::move(validity));
  return out;
}

int64_t utf8Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t utf8Offset(std::string_view s, int64_t cp) {
  if (cp <= 0) return 0;
  size_t i = 0;
  int64_t seen = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == cp) return i;
      ++seen;
    }
    ++i;
  }
  return s.size();
}

void bindError(const std::string& fn, const std::string& what) {
  const ScalarFunction* f = FunctionRegistry::builtin().find(fn);
  std::string usage = f && !f->usage.empty() ? " (usage: " + f->usage + ")" : "";
  throw UserError(fn + ": " + what + usage);
}

std::string typeList(std::span<const DataType> t) {
  std::string s;
  for (size_t i = 0; i < t.size(); ++i) s += (i ? ", " : "") + t[i].toString();
  return s;
}

void checkArity(const std::string& fn, std::span<const DataType> argTypes, size_t min, size_t max) {
  if (argTypes.size() >= min && argTypes.size() <= max) return;
  std::string expect = min == max        ? std::to_string(min)
                       : max == SIZE_MAX ? "at least " + std::to_string(min)
                                         : std::to_string(min) + " to " + std::to_string(max);
  bindError(fn, "expects " + expect + " argument(s), got " + std::to_string(argTypes.size()));
}

bool isStringLike(const DataType& t) { return t.id() == TypeId::String || t.id() == TypeId::Null; }

DataType decimalForInteger(const DataType& t) {
  switch (t.id()) {
    case TypeId::Int8:
      return DataType::decimal(3, 0);
    case TypeId::Int16:
      return DataType::decimal(5, 0);
    case TypeId::Int32:
      return DataType::decimal(10, 0);
    case TypeId::Int64:
      return DataType::decimal(20, 0);
    default:
      return t;
  }
}

DataType adjustDecimal(int precision, int scale) {
  if (precision <= 38) return DataType::decimal(precision, scale);
  // Spark's DecimalType.adjustPrecisionScale: keep the integral digits, give up
  // fractional ones, but never below 6 (or the scale asked for, if smaller).
  int intDigits = precision - scale;
  int minScale = std::min(scale, 6);
  int s = std::max(38 - intDigits, minScale);
  return DataType::decimal(38, s);
}

bool implicitlyCastable(const DataType& from, const DataType& to) {
  if (from == to || isNullType(from)) return true;
  if (from.isNested() && to.isNested() && from.id() == to.id() &&
      from.children().size() == to.children().size()) {
    for (size_t k = 0; k < from.children().size(); ++k)
      if (!implicitlyCastable(from.children()[k].type, to.children()[k].type)) return false;
    return true;
  }
  if (from.isNested() || to.isNested()) return false;
  switch (to.id()) {
    case TypeId::String:
      return true;  // upper(123): Spark casts atomic values to string implicitly
    case TypeId::Date:
    case TypeId::Timestamp:
      return from.id() == TypeId::String || from.id() == TypeId::Date ||
             from.id() == TypeId::Timestamp;
    case TypeId::Boolean:
      return false;
    default:  // numeric targets accept numbers and numeric strings
      return to.isNumeric() && (from.isNumeric() || from.id() == TypeId::String);
  }
}

ScalarFunction withBind(std::string name, std::vector<std::string> aliases, std::string usage,
                        decltype(ScalarFunction::bind) bind) {
  ScalarFunction f;
  f.name = std::move(name);
  f.aliases = std::move(aliases);
  f.usage = std::move(usage);
  f.bind = std::move(bind);
  return f;
}

ScalarFunction fixedFunction(std::string name, std::vector<std::string> aliases, std::string usage,
                             std::vector<DataType> args, DataType result, ScalarKernel kernel,
                             size_t minArgs) {
  ScalarFunction f;
  f.name = name;
  f.aliases = std::move(aliases);
  f.usage = std::move(usage);
  size_t lo = std::min(minArgs, args.size());
  f.bind = [name, args, result, kernel, lo](std::span<const DataType> types,
                                            std::span<const std::optional<Value>>) {
    checkArity(name, types, lo, args.size());
    for (size_t i = 0; i < types.size(); ++i)
      if (!implicitlyCastable(types[i], args[i]))
        bindError(name, "argument " + std::to_string(i + 1) + " must be " + args[i].toString() +
                            ", got " + types[i].toString());
    return BoundFunction{result, true,
                         std::vector<DataType>(args.begin(), args.begin() + types.size()), kernel};
  };
  return f;
}

}  // namespace ember::sql::fn
