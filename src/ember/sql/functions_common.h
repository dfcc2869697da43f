// Internal helpers shared by the built-in scalar kernels (functions_*.cpp): validity
// propagation, type dispatch to the physical C++ type, string-column building, bind-time
// argument checks, and the per-area registration entry points that
// FunctionRegistry::builtin() calls. Not part of the public API.
//
// Kernel conventions: a kernel receives columns already cast to the bound argTypes, so
// it switches on the physical type once per batch and then runs a tight loop over raw
// value arrays. The result validity is usually the AND of the argument bitmaps (computed
// word-wise by propagateNulls); values under NULL rows are computed anyway (they are
// garbage-in/garbage-out but must not trap, so integer kernels guard division and
// overflow checks with the validity bit).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/common/errors.h"
#include "ember/sql/function.h"

namespace ember::sql::fn {

// ---- registration (one per area) ----
void registerArithmetic(FunctionRegistry& r);
void registerComparison(FunctionRegistry& r);
void registerLogic(FunctionRegistry& r);
void registerConditional(FunctionRegistry& r);
void registerLike(FunctionRegistry& r);
void registerStrings(FunctionRegistry& r);
void registerStrings2(FunctionRegistry& r);
void registerDatetime(FunctionRegistry& r);
void registerDatetimeFormat(FunctionRegistry& r);
void registerMath(FunctionRegistry& r);
void registerHash(FunctionRegistry& r);
void registerBitwise(FunctionRegistry& r);
void registerArrays(FunctionRegistry& r);  // after registerStrings*: overloads concat
void registerMapsStructs(FunctionRegistry& r);
void registerMisc(FunctionRegistry& r);  // functions_misc.cpp: digests, encodings, text

// ---- validity ----
inline bool bitSet(const uint64_t* v, int64_t i) { return !v || ((v[i >> 6] >> (i & 63)) & 1); }
inline void clearBit(uint64_t* v, int64_t i) { v[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
inline int64_t bitmapWords(int64_t rows) { return (rows + 63) / 64; }
// Sets out's validity to the AND of the given columns' bitmaps (word-wise); leaves out
// without a bitmap when no argument has one.
void propagateNulls(Column& out, std::span<const ColumnPtr> args, int64_t rows);
// Same for an explicit subset.
void propagateNulls(Column& out, std::initializer_list<const Column*> args, int64_t rows);

// ---- physical-type dispatch ----
// Calls f(T{}) with T the C++ storage type of `t`: uint8_t (boolean), int8..int64,
// float, double, int32_t (date), int64_t (timestamp), int64_t / int128_t (decimal).
template <class F>
decltype(auto) visitFixed(const DataType& t, F&& f) {
  switch (t.id()) {
    case TypeId::Boolean:
      return f(uint8_t{});
    case TypeId::Int8:
      return f(int8_t{});
    case TypeId::Int16:
      return f(int16_t{});
    case TypeId::Int32:
    case TypeId::Date:
      return f(int32_t{});
    case TypeId::Int64:
    case TypeId::Timestamp:
      return f(int64_t{});
    case TypeId::Float32:
      return f(float{});
    case TypeId::Float64:
      return f(double{});
    case TypeId::Decimal:
      if (t.isWideDecimal()) return f(int128_t{});
      return f(int64_t{});
    default:
      throw InternalError("no fixed-width kernel for type " + t.toString());
  }
}

// Like visitFixed for decimal types only: f(int64_t{}) or f(int128_t{}).
template <class F>
decltype(auto) visitDecimal(const DataType& t, F&& f) {
  if (t.isWideDecimal()) return f(int128_t{});
  return f(int64_t{});
}

// A new column of `rows` values of `t` whose validity is the AND of `args`.
ColumnPtr makeResult(const DataType& t, std::span<const ColumnPtr> args, int64_t rows);

// Elementwise unary map over raw arrays: out[i] = op(in[i]); validity copied. With a
// bitmap, NULL rows are skipped (their values are garbage that could make op overflow,
// which is undefined behaviour for calendar and signed arithmetic).
template <class In, class Out, class Op>
ColumnPtr mapUnary(const ColumnPtr& a, const DataType& outType, int64_t rows, Op op) {
  ColumnPtr out = makeResult(outType, std::span<const ColumnPtr>(&a, 1), rows);
  const In* x = a->values<In>();
  Out* o = out->mutableValues<Out>();
  const uint64_t* v = a->validity();
  if (!v) {
    for (int64_t i = 0; i < rows; ++i) o[i] = static_cast<Out>(op(x[i]));
  } else {
    for (int64_t i = 0; i < rows; ++i) o[i] = bitSet(v, i) ? static_cast<Out>(op(x[i])) : Out{};
  }
  return out;
}

// ---- strings ----
// Builds a string column row by row (appends into the raw buffers, no per-row
// allocation). Rows are appended in order; null() appends an empty NULL row.
class StringBuilder {
 public:
  StringBuilder(int64_t rows, int64_t charsHint);
  void append(std::string_view s);
  // Reserve n bytes at the end, fill them, then commit(n2 <= n).
  char* extend(int64_t n);
  void commit(int64_t n);
  void null();
  ColumnPtr finish();

 private:
  ColumnPtr col_;
  int64_t row_ = 0;
  int64_t end_ = 0;
};

// Number of UTF-8 code points (continuation bytes are not counted).
int64_t utf8Length(std::string_view s);
// Byte offset of code point `cp` (0-based) in s, clamped to s.size().
size_t utf8Offset(std::string_view s, int64_t cp);

// Per-row kernels for functions whose work is inherently per row (string building):
// rows where any argument is NULL become NULL without calling f.
struct RowArgs {
  std::span<const ColumnPtr> cols;
  std::vector<const uint64_t*> valid;
  explicit RowArgs(std::span<const ColumnPtr> c) : cols(c) {
    for (const auto& x : c)
      if (x->validity()) valid.push_back(x->validity());
  }
  bool anyNull(int64_t i) const {
    for (const uint64_t* v : valid)
      if (!bitSet(v, i)) return true;
    return false;
  }
  std::string_view str(size_t k, int64_t i) const { return cols[k]->stringAt(i); }
  template <class T>
  T val(size_t k, int64_t i) const {
    return cols[k]->values<T>()[i];
  }
};

// f(const RowArgs&, int64_t row, StringBuilder&) appends exactly one value or null().
template <class F>
ColumnPtr stringRows(std::span<const ColumnPtr> args, int64_t rows, F f) {
  RowArgs a(args);
  StringBuilder b(rows, args.empty() ? 0 : args[0]->charsSize());
  for (int64_t i = 0; i < rows; ++i) {
    if (a.anyNull(i))
      b.null();
    else
      f(a, i, b);
  }
  return b.finish();
}

// f(const RowArgs&, int64_t row, T& out) -> bool (false = NULL).
template <class T, class F>
ColumnPtr fixedRows(const DataType& t, std::span<const ColumnPtr> args, int64_t rows, F f) {
  RowArgs a(args);
  ColumnPtr out = Column::make(t, rows);
  T* o = out->mutableValues<T>();
  for (int64_t i = 0; i < rows; ++i) {
    if (a.anyNull(i) || !f(a, i, o[i])) {
      o[i] = T{};
      clearBit(out->mutableValidity(), i);
    }
  }
  return out;
}

// Decodes the code point at s[i] and advances i (invalid bytes decode as themselves).
uint32_t decodeUtf8(std::string_view s, size_t& i);
void encodeUtf8(uint32_t cp, std::string& out);
// Unicode simple case mapping of one code point.
uint32_t toUpperCp(uint32_t cp);
uint32_t toLowerCp(uint32_t cp);

// ---- bind helpers ----
[[noreturn]] void bindError(const std::string& fn, const std::string& what);
// Throws unless min <= argTypes.size() <= max.
void checkArity(const std::string& fn, std::span<const DataType> argTypes, size_t min, size_t max);
std::string typeList(std::span<const DataType> t);
bool isStringLike(const DataType& t);  // string or null
// Widening-free helpers.
inline bool isNullType(const DataType& t) { return t.id() == TypeId::Null; }

// The decimal type an integer type converts to exactly (int -> decimal(10,0)).
DataType decimalForInteger(const DataType& t);
// Spark's precision-loss adjustment for a result precision above 38.
DataType adjustDecimal(int precision, int scale);

// Whether an argument of type `from` may be passed where `to` is expected (Spark's
// implicit casts: numbers widen, strings become numbers/dates, atoms become strings).
bool implicitlyCastable(const DataType& from, const DataType& to);
// A function with a fixed signature: args are cast to `args`, result `result`.
// With minArgs < args.size(), trailing arguments are optional: the kernel receives only
// those given.
// A function whose binding is written by hand (variadic, literal-dependent, ...).
ScalarFunction withBind(std::string name, std::vector<std::string> aliases, std::string usage,
                        decltype(ScalarFunction::bind) bind);
ScalarFunction fixedFunction(std::string name, std::vector<std::string> aliases, std::string usage,
                             std::vector<DataType> args, DataType result, ScalarKernel kernel,
                             size_t minArgs = SIZE_MAX);

// ---- comparisons (functions_compare.cpp) ----
enum class CmpOp { Eq, Ne, Lt, Le, Gt, Ge, NullSafeEq };
// a op b for two columns of the same type; boolean result.
ColumnPtr compareColumns(CmpOp op, const ColumnPtr& a, const ColumnPtr& b, int64_t rows);

// Row i of the result is row i of sources[sel[i]], or NULL when sel[i] < 0 (CASE,
// COALESCE, IF). All sources have type t.
ColumnPtr chooseRows(const DataType& t, std::span<const ColumnPtr> sources, const int32_t* sel,
                     int64_t rows);

// ---- decimal arithmetic (functions_decimal.cpp) ----
// Spark's result type of a op b for decimals a, b (op one of + - * / %).
DataType decimalResultType(char op, const DataType& a, const DataType& b);
// Exact a op b into `result` (a decimalResultType); x / 0 and x % 0 are NULL; a result
// beyond the precision throws UserError.
ColumnPtr decimalArith(char op, const ColumnPtr& a, const ColumnPtr& b, const DataType& result,
                       int64_t rows);

// ---- casts (cast.cpp, functions_cast_string.cpp) ----
ColumnPtr castToString(const Column& c);
// Nested casts (cast_nested.cpp): to string in Spark's text form, or shape-preserving.
ColumnPtr castNestedToString(const Column& c);
bool canCastNested(const DataType& from, const DataType& to);
ColumnPtr castNested(const ColumnPtr& c, const DataType& to, bool ansi);
// The wider of two nested types of one shape (strings=true: widerType per child, else
// commonType); nullopt when shapes or children do not meet.
std::optional<DataType> widerNested(const DataType& a, const DataType& b, bool strings);
ColumnPtr castFromString(const Column& c, const DataType& to, bool ansi);
// Java's Double.toString / Float.toString, as Spark prints doubles ("1.0E10", "0.1").
std::string formatFloating(double d, bool isFloat);
// The ANSI-mode error for row `row` of `c` that does not convert to `to`.
[[noreturn]] void throwCastError(const Column& c, int64_t row, const DataType& to);
// Physical-type traits (std::is_integral is false for __int128 in strict C++20).
template <class T>
inline constexpr bool kIsFloat = std::is_same_v<T, float> || std::is_same_v<T, double>;

// Comparison coercion (Spark's findCommonTypeForBinaryComparison) and the wider type
// for CASE / COALESCE / IN lists; both declared in function.h as commonType/widerType.

}  // namespace ember::sql::fn
