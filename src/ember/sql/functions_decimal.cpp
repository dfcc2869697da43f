// Exact decimal arithmetic kernels (+ - * / %) with Spark's result types. Each row is
// computed in int128 with overflow checks; rows whose intermediate leaves the int128
// range take the exact 256-bit slow path (functions_wide.h). A result that does not fit
// the result precision is an error (Ember's choice, see docs/design/sql-functions.md).
#include "ember/columnar/decimal.h"
#include "ember/columnar/value.h"
#include "ember/sql/functions_common.h"
#include "ember/sql/functions_wide.h"

namespace ember::sql::fn {

DataType decimalResultType(char op, const DataType& a, const DataType& b) {
  int p1 = a.precision(), s1 = a.scale(), p2 = b.precision(), s2 = b.scale();
  switch (op) {
    case '+':
    case '-': {
      int s = std::max(s1, s2);
      return adjustDecimal(s + std::max(p1 - s1, p2 - s2) + 1, s);
    }
    case '*':
      return adjustDecimal(p1 + p2 + 1, s1 + s2);
    case '/': {
      int s = std::max(6, s1 + p2 + 1);
      return adjustDecimal(p1 - s1 + s2 + s, s);
    }
    default: {  // '%'
      int s = std::max(s1, s2);
      return adjustDecimal(std::min(p1 - s1, p2 - s2) + s, s);
    }
  }
}

namespace {

struct DecCtx {
  char op;
  int s1, s2, s, p;         // operand scales, result scale and precision
  int128_t m1 = 1, m2 = 1;  // +,-,%: operand rescale factors to the common scale
  int drop = 0;             // digits to round away at the end (+,-,*)
  int k = 0;                // /: dividend scale-up
};

// Exact computation through 256 bits; false when the result does not fit.
[[gnu::noinline]] bool slowRow(const DecCtx& c, int128_t x, int128_t y, int128_t& out) {
  bool neg;
  U256 m;
  if (c.op == '+' || c.op == '-') {
    if (c.op == '-') y = -y;  // |y| <= 10^38 < 2^127: no overflow
    U256 a = mulWide(absWide(x), static_cast<uint128_t>(c.m1));
    U256 b = mulWide(absWide(y), static_cast<uint128_t>(c.m2));
    if ((x < 0) == (y < 0)) {
      m = addWide(a, b);
      neg = x < 0;
    } else if (lessWide(a, b)) {
      m = subWide(b, a);
      neg = y < 0;
    } else {
      m = subWide(a, b);
      neg = x < 0;
    }
    if (c.drop) m = divRoundWide(m, static_cast<uint128_t>(pow10i128(c.drop)));
  } else if (c.op == '*') {
    m = mulWide(absWide(x), absWide(y));
    neg = (x < 0) != (y < 0);
    if (c.drop) m = divRoundWide(m, static_cast<uint128_t>(pow10i128(c.drop)));
  } else if (c.op == '/') {
    uint128_t den = absWide(y);
    if (c.k < 0) {
      U256 d = mulWide(den, static_cast<uint128_t>(pow10i128(-c.k)));
      if (d.hi) return out = 0, true;  // |divisor| beyond 2^128: quotient rounds to 0
      den = d.lo;
    }
    m = divRoundWide(mulWide(absWide(x), static_cast<uint128_t>(pow10i128(std::max(c.k, 0)))), den);
    neg = (x < 0) != (y < 0);
  } else {
    return false;  // % only overflows when a rescaled operand exceeds 38 digits
  }
  if (m.hi || m.lo >= static_cast<uint128_t>(pow10i128(c.p))) return false;
  out = neg ? -static_cast<int128_t>(m.lo) : static_cast<int128_t>(m.lo);
  return true;
}

inline int128_t roundDiv(int128_t v, int128_t d) {
  int128_t q = v / d, r = v % d;
  if (r >= d - r && r > 0) ++q;
  if (-r >= d + r && r < 0) --q;
  return q;
}

// Fast path; false means "take the slow path". Division by zero is handled by the caller.
inline bool fastRow(const DecCtx& c, int128_t x, int128_t y, int128_t& r) {
  switch (c.op) {
    case '+':
    case '-': {
      int128_t a, b;
      if (__builtin_mul_overflow(x, c.m1, &a) || __builtin_mul_overflow(y, c.m2, &b)) return false;
      if (c.op == '+' ? __builtin_add_overflow(a, b, &r) : __builtin_sub_overflow(a, b, &r))
        return false;
      if (c.drop) r = roundDiv(r, pow10i128(c.drop));
      break;
    }
    case '*':
      if (__builtin_mul_overflow(x, y, &r)) return false;
      if (c.drop) r = roundDiv(r, pow10i128(c.drop));
      break;
    case '/': {
      int128_t a, b = y;
      if (c.k >= 0) {
        if (__builtin_mul_overflow(x, pow10i128(c.k), &a)) return false;
      } else {
        a = x;
        if (__builtin_mul_overflow(y, pow10i128(-c.k), &b)) return false;
      }
      int128_t q, rem;
      if (a == static_cast<int64_t>(a) && b == static_cast<int64_t>(b) && b != -1) {
        // 64-bit division is an instruction; 128-bit division is a library call.
        q = static_cast<int64_t>(a) / static_cast<int64_t>(b);
        rem = static_cast<int64_t>(a) % static_cast<int64_t>(b);
      } else {
        q = a / b;
        rem = a % b;
      }
      // Half up: |2 rem| >= |b| (computed without overflow).
      int128_t ar = rem < 0 ? -rem : rem, ab = b < 0 ? -b : b;
      if (ar >= ab - ar) q += (a < 0) != (b < 0) ? -1 : 1;
      r = q;
      break;
    }
    default: {
      int128_t a, b;
      if (__builtin_mul_overflow(x, c.m1, &a) || __builtin_mul_overflow(y, c.m2, &b)) return false;
      r = a % b;
    }
  }
  return fitsPrecision(r, c.p);
}

[[noreturn]] void overflow(const DecCtx& c, const Column& a, const Column& b, int64_t i) {
  std::string op = c.op == '%' ? "%" : std::string(1, c.op);
  throw UserError("arithmetic overflow: " + Value::fromColumn(a, i).toString() + " " + op + " " +
                  Value::fromColumn(b, i).toString() + " does not fit decimal(" +
                  std::to_string(c.p) + "," + std::to_string(c.s) +
                  "); cast the operands to double or round them first");
}

template <class A, class B, class R>
void run(const DecCtx& c, const Column& ca, const Column& cb, Column& out, int64_t rows) {
  const A* x = ca.values<A>();
  const B* y = cb.values<B>();
  R* o = out.mutableValues<R>();
  if constexpr (sizeof(A) == 8 && sizeof(B) == 8) {
    // Both operands have at most 18 digits and nothing is rounded away: every rescaled
    // operand, sum and product fits int128 and the result type has room for it by
    // construction, so the loop needs no checks (TPC-H's price * (1 - discount)).
    if (c.drop == 0 && (c.op == '+' || c.op == '-' || c.op == '*')) {
      int128_t m1 = c.m1, m2 = c.m2;
      if (c.op == '*') {
        for (int64_t i = 0; i < rows; ++i)
          o[i] = static_cast<R>(static_cast<int128_t>(x[i]) * y[i]);
      } else if (m1 == 1 && m2 == 1) {
        if (c.op == '+')
          for (int64_t i = 0; i < rows; ++i)
            o[i] = static_cast<R>(static_cast<int128_t>(x[i]) + y[i]);
        else
          for (int64_t i = 0; i < rows; ++i)
            o[i] = static_cast<R>(static_cast<int128_t>(x[i]) - y[i]);
      } else {
        int128_t sign = c.op == '+' ? 1 : -1;
        for (int64_t i = 0; i < rows; ++i) o[i] = static_cast<R>(x[i] * m1 + sign * (y[i] * m2));
      }
      return;
    }
  }
  const uint64_t* v = out.validity();
  bool zeroNull = c.op == '/' || c.op == '%';
  for (int64_t i = 0; i < rows; ++i) {
    int128_t r = 0;
    if (!bitSet(v, i)) {  // garbage under NULL must not reach the arithmetic
      o[i] = 0;
      continue;
    }
    if (zeroNull && y[i] == 0) {
      o[i] = 0;
      if (bitSet(v, i)) clearBit(out.mutableValidity(), i);
      v = out.validity();
      continue;
    }
    if (!fastRow(c, x[i], y[i], r) && !slowRow(c, x[i], y[i], r) && bitSet(v, i))
      overflow(c, ca, cb, i);
    o[i] = static_cast<R>(r);
  }
}

}  // namespace

ColumnPtr decimalArith(char op, const ColumnPtr& a, const ColumnPtr& b, const DataType& result,
                       int64_t rows) {
  const DataType &ta = a->type(), &tb = b->type();
  DecCtx c{op, ta.scale(), tb.scale(), result.scale(), result.precision()};
  int common = std::max(c.s1, c.s2);
  if (op == '+' || op == '-' || op == '%') {
    c.m1 = pow10i128(common - c.s1);
    c.m2 = pow10i128(common - c.s2);
    c.drop = common - c.s;
  } else if (op == '*') {
    c.drop = c.s1 + c.s2 - c.s;
  } else {
    c.k = c.s - c.s1 + c.s2;
  }
  ColumnPtr out = Column::make(result, rows);
  propagateNulls(*out, {a.get(), b.get()}, rows);
  visitDecimal(ta, [&](auto x) {
    visitDecimal(tb, [&](auto y) {
      if (result.isWideDecimal())
        run<decltype(x), decltype(y), int128_t>(c, *a, *b, *out, rows);
      else
        run<decltype(x), decltype(y), int64_t>(c, *a, *b, *out, rows);
    });
  });
  return out;
}

}  // namespace ember::sql::fn
