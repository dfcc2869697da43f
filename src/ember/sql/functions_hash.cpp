// hash(...) - Spark's Murmur3 x86_32 row hash with seed 42 (same values as Spark for
// every supported type), and rand([seed]) - reproducible uniform doubles.
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "ember/core/task_context.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

inline uint32_t mixK1(uint32_t k) {
  k *= 0xcc9e2d51u;
  k = std::rotl(k, 15);
  return k * 0x1b873593u;
}
inline uint32_t mixH1(uint32_t h, uint32_t k) {
  h ^= k;
  h = std::rotl(h, 13);
  return h * 5 + 0xe6546b64u;
}
inline uint32_t fmix(uint32_t h, uint32_t len) {
  h ^= len;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}
inline uint32_t hashInt(uint32_t v, uint32_t seed) { return fmix(mixH1(seed, mixK1(v)), 4); }
inline uint32_t hashLong(uint64_t v, uint32_t seed) {
  uint32_t h = mixH1(seed, mixK1(static_cast<uint32_t>(v)));
  return fmix(mixH1(h, mixK1(static_cast<uint32_t>(v >> 32))), 8);
}
// Spark's hashUnsafeBytes: 4-byte little-endian words, then each trailing byte on its
// own as a sign-extended int.
uint32_t hashBytes(const char* p, size_t n, uint32_t seed) {
  uint32_t h = seed;
  size_t aligned = n - n % 4;
  for (size_t i = 0; i < aligned; i += 4) {
    uint32_t w;
    std::memcpy(&w, p + i, 4);
    h = mixH1(h, mixK1(w));
  }
  for (size_t i = aligned; i < n; ++i)
    h = mixH1(h,
              mixK1(static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(p[i])))));
  return fmix(h, static_cast<uint32_t>(n));
}

// Java's BigInteger.toByteArray: minimal big-endian two's complement.
size_t bigIntegerBytes(int128_t v, char* out) {
  char buf[16];
  for (int i = 0; i < 16; ++i) buf[15 - i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
  int start = 0;
  while (start < 15 && ((buf[start] == 0 && !(buf[start + 1] & 0x80)) ||
                        (buf[start] == static_cast<char>(0xFF) && (buf[start + 1] & 0x80))))
    ++start;
  std::memcpy(out, buf + start, static_cast<size_t>(16 - start));
  return static_cast<size_t>(16 - start);
}

// Folds column `c` into the running hashes h (NULL rows leave h unchanged).
void hashInto(const Column& c, uint32_t* h, int64_t rows) {
  const DataType& t = c.type();
  const uint64_t* v = c.validity();
  auto each = [&](auto f) {
    for (int64_t i = 0; i < rows; ++i)
      if (bitSet(v, i)) h[i] = f(i, h[i]);
  };
  switch (t.id()) {
    case TypeId::Null:
      return;
    case TypeId::Boolean:
      return each([&](int64_t i, uint32_t s) { return hashInt(c.valueAt<uint8_t>(i) ? 1 : 0, s); });
    case TypeId::Int8:
      return each([&](int64_t i, uint32_t s) {
        return hashInt(static_cast<uint32_t>(c.valueAt<int8_t>(i)), s);
      });
    case TypeId::Int16:
      return each([&](int64_t i, uint32_t s) {
        return hashInt(static_cast<uint32_t>(c.valueAt<int16_t>(i)), s);
      });
    case TypeId::Int32:
    case TypeId::Date:
      return each([&](int64_t i, uint32_t s) {
        return hashInt(static_cast<uint32_t>(c.valueAt<int32_t>(i)), s);
      });
    case TypeId::Int64:
    case TypeId::Timestamp:
      return each([&](int64_t i, uint32_t s) {
        return hashLong(static_cast<uint64_t>(c.valueAt<int64_t>(i)), s);
      });
    case TypeId::Float32:
      return each([&](int64_t i, uint32_t s) {
        float f = c.valueAt<float>(i);
        if (f == 0.0f) f = 0.0f;  // -0.0 hashes as 0.0
        uint32_t bits = std::isnan(f) ? 0x7fc00000u : std::bit_cast<uint32_t>(f);
        return hashInt(bits, s);
      });
    case TypeId::Float64:
      return each([&](int64_t i, uint32_t s) {
        double d = c.valueAt<double>(i);
        if (d == 0.0) d = 0.0;
        uint64_t bits = std::isnan(d) ? 0x7ff8000000000000ull : std::bit_cast<uint64_t>(d);
        return hashLong(bits, s);
      });
    case TypeId::Decimal:
      if (!t.isWideDecimal())
        return each([&](int64_t i, uint32_t s) {
          return hashLong(static_cast<uint64_t>(c.valueAt<int64_t>(i)), s);
        });
      return each([&](int64_t i, uint32_t s) {
        char b[16];
        size_t n = bigIntegerBytes(c.valueAt<int128_t>(i), b);
        return hashBytes(b, n, s);
      });
    case TypeId::String:
      return each([&](int64_t i, uint32_t s) {
        std::string_view x = c.stringAt(i);
        return hashBytes(x.data(), x.size(), s);
      });
    default:
      throw UserError("hash: unsupported type " + t.toString());
  }
}

ColumnPtr hashKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = Column::make(DataType::int32(), rows);
  auto* h = reinterpret_cast<uint32_t*>(out->mutableValues<int32_t>());
  std::fill_n(h, rows, 42u);
  for (const auto& c : args) hashInto(*c, h, rows);
  return out;
}

// rand: value = splitmix64(seed, partition, row position within the task). The
// position continues across the batches of one task: the state lives in a
// thread_local keyed by (bound function, task), since a task runs on one thread.
struct RandState {
  uint64_t owner = 0;
  const TaskContext* task = nullptr;
  int64_t next = 0;
};
thread_local RandState tlRand;

inline uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

BoundFunction bindRand(std::span<const DataType> types, std::span<const std::optional<Value>> l) {
  checkArity("rand", types, 0, 1);
  uint64_t seed;
  if (types.empty()) {
    seed = std::random_device{}();
  } else {
    if (!l[0] || !(types[0].isInteger() || isNullType(types[0])))
      bindError("rand", "the seed must be an integer literal");
    seed = l[0]->isNull() ? 0 : static_cast<uint64_t>(l[0]->asInt64());
  }
  static std::atomic<uint64_t> nextId{1};
  uint64_t owner = nextId++;  // identity of this bound call
  std::vector<DataType> argTypes(types.begin(), types.end());
  return {DataType::float64(), false, argTypes,
          [seed, owner](std::span<const ColumnPtr>, int64_t rows) {
            const TaskContext* task = TaskContext::current();
            if (tlRand.owner != owner || tlRand.task != task) tlRand = {owner, task, 0};
            uint64_t part = task ? static_cast<uint64_t>(task->partitionId()) : 0;
            uint64_t base = splitmix(seed ^ splitmix(part + 0x51ed27));
            ColumnPtr out = Column::make(DataType::float64(), rows);
            double* o = out->mutableValues<double>();
            for (int64_t i = 0; i < rows; ++i)
              o[i] = static_cast<double>(splitmix(base + static_cast<uint64_t>(tlRand.next + i)) >>
                                         11) *
                     0x1.0p-53;
            tlRand.next += rows;
            return out;
          }};
}

}  // namespace

void registerHash(FunctionRegistry& r) {
  ScalarFunction h;
  h.name = "hash";
  h.usage = "hash(a, ...) - Spark's Murmur3 hash of the arguments (int)";
  h.bind = [](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    for (const auto& t : types)
      if (t.isNested()) bindError("hash", "cannot hash " + t.toString());
    return BoundFunction{DataType::int32(), false,
                         std::vector<DataType>(types.begin(), types.end()), hashKernel};
  };
  r.add(h);
  ScalarFunction rnd;
  rnd.name = "rand";
  rnd.aliases = {"random"};
  rnd.usage = "rand([seed]) - a uniform double in [0, 1), reproducible for a seed";
  rnd.deterministic = false;
  rnd.bind = bindRand;
  r.add(rnd);
  ScalarFunction pid;
  pid.name = "spark_partition_id";
  pid.usage = "spark_partition_id() - the partition (task) a row is processed in";
  pid.deterministic = false;
  pid.bind = [](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    checkArity("spark_partition_id", types, 0, 0);
    return BoundFunction{
        DataType::int32(), false, {}, [](std::span<const ColumnPtr>, int64_t rows) {
          TaskContext* t = TaskContext::current();
          auto out = Column::make(DataType::int32(), rows);
          std::fill_n(out->mutableValues<int32_t>(), rows, t ? t->partitionId() : 0);
          return out;
        }};
  };
  r.add(pid);
}

}  // namespace ember::sql::fn
