// Parquet encodings and page decoding on hand-built data (encodings DuckDB's writer does not
// produce: DELTA_BYTE_ARRAY, INT96, unsigned and legacy-annotated columns).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "ember/columnar/value.h"
#include "ember/common/errors.h"
#include "ember/io/parquet_column_reader.h"
#include "ember/io/parquet_encoding.h"
#include "ember/io/thrift_compact.h"

namespace ember {
namespace {

TEST(ParquetEncodingTest, RleHybridRoundTripsEveryWidth) {
  std::mt19937 rng(7);
  for (int width = 0; width <= 32; ++width) {
    std::vector<uint32_t> v;
    uint32_t mask = width == 0 ? 0 : (width == 32 ? ~0u : (1u << width) - 1);
    while (v.size() < 3000) {
      uint32_t x = rng() & mask;
      size_t run = rng() % 3 == 0 ? rng() % 40 : 1;  // runs and literals
      v.insert(v.end(), run, x);
    }
    std::string enc;
    rleEncode(v.data(), static_cast<int64_t>(v.size()), width, enc);
    std::vector<uint32_t> out(v.size());
    RleDecoder(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width)
        .decode(out.data(), static_cast<int64_t>(out.size()));
    EXPECT_EQ(out, v) << "width " << width;
    // Asking for more values than encoded is an error, not garbage.
    std::vector<uint32_t> more(v.size() + 100);
    EXPECT_THROW(RleDecoder(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), width)
                     .decode(more.data(), static_cast<int64_t>(more.size())),
                 IoError);
  }
}

// DELTA_BINARY_PACKED encoder for the tests (one block size of 128, 4 miniblocks).
void deltaEncode(const std::vector<int64_t>& v, std::string& out) {
  auto varint = [&](uint64_t x) {
    while (x >= 0x80) out.push_back(static_cast<char>(x | 0x80)), x >>= 7;
    out.push_back(static_cast<char>(x));
  };
  auto zz = [](int64_t x) {
    return (static_cast<uint64_t>(x) << 1) ^ static_cast<uint64_t>(x >> 63);
  };
  varint(128), varint(4), varint(v.size()), varint(zz(v.empty() ? 0 : v[0]));
  for (size_t b = 1; b < v.size(); b += 128) {
    std::vector<int64_t> d;
    for (size_t i = b; i < std::min(v.size(), b + 128); ++i)  // wrapping, as the format
      d.push_back(
          static_cast<int64_t>(static_cast<uint64_t>(v[i]) - static_cast<uint64_t>(v[i - 1])));
    int64_t mn = *std::min_element(d.begin(), d.end());
    varint(zz(mn));
    size_t minis = (d.size() + 31) / 32;
    std::vector<int> widths(4, 0);
    for (size_t m = 0; m < minis; ++m)
      for (size_t i = m * 32; i < std::min(d.size(), m * 32 + 32); ++i)
        widths[m] = std::max(widths[m],
                             bitWidthOf(static_cast<uint64_t>(d[i]) - static_cast<uint64_t>(mn)));
    for (int w : widths) out.push_back(static_cast<char>(w));
    for (size_t m = 0; m < minis; ++m) {
      std::string bits(static_cast<size_t>(32 * widths[m] / 8), '\0');
      for (size_t i = 0; i < 32 && m * 32 + i < d.size(); ++i) {
        uint64_t x = static_cast<uint64_t>(d[m * 32 + i]) - static_cast<uint64_t>(mn);
        for (int k = 0; k < widths[m]; ++k)
          if ((x >> k) & 1)
            bits[(i * widths[m] + k) / 8] |= static_cast<char>(1 << ((i * widths[m] + k) % 8));
      }
      out += bits;
    }
  }
}

TEST(ParquetEncodingTest, DeltaBinaryPackedDecodesTheSpecExamplesAndRandomData) {
  std::vector<std::vector<int64_t>> cases{{1, 2, 3, 4, 5}, {7, 5, 3, 1, 2, 3, 4, 5}, {42}, {}};
  std::mt19937_64 rng(3);
  std::vector<int64_t> big;
  for (int i = 0; i < 1000; ++i) big.push_back(static_cast<int64_t>(rng() % 100000) - 50000);
  big.push_back(INT64_MAX), big.push_back(INT64_MIN);  // wrapping deltas
  cases.push_back(big);
  for (const auto& v : cases) {
    std::string enc;
    deltaEncode(v, enc);
    enc += "tail";
    std::vector<int64_t> out;
    const uint8_t* end = nullptr;
    auto* p = reinterpret_cast<const uint8_t*>(enc.data());
    deltaBinaryDecode(p, enc.size(), static_cast<int64_t>(v.size()), out, &end);
    EXPECT_EQ(out, v);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(end), 4), "tail");
    if (!v.empty()) {
      EXPECT_THROW(deltaBinaryDecode(p, enc.size(), static_cast<int64_t>(v.size()) - 1, out, &end),
                   IoError);
    }
  }
}

// One data page v1 (uncompressed, required column) holding `values` with `encoding`.
std::string dataPage(int encoding, int64_t numValues, const std::string& values) {
  std::string out;
  ThriftWriter w(&out);
  w.fieldI32(1, pq::kDataPage);
  w.fieldI32(2, static_cast<int32_t>(values.size()));
  w.fieldI32(3, static_cast<int32_t>(values.size()));
  w.beginStructField(5);
  w.fieldI32(1, static_cast<int32_t>(numValues));
  w.fieldI32(2, encoding);
  w.fieldI32(3, pq::kRle);
  w.fieldI32(4, pq::kRle);
  w.endStruct();
  w.finish();
  return out + values;
}

ColumnPtr decode(const ParquetColumn& col, const std::string& chunk, int64_t rows) {
  ParquetChunk ch;
  ch.physical = col.physical;
  ch.totalCompressed = static_cast<int64_t>(chunk.size());
  return decodeColumnChunk(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size(), 4, col, ch,
                           rows, "test");
}

TEST(ParquetEncodingTest, DeltaByteArrayPages) {
  // "apple", "applesauce", "apply": prefixes 0, 5, 4; suffixes "apple", "sauce", "y".
  std::string values;
  deltaEncode({0, 5, 4}, values);
  deltaEncode({5, 5, 1}, values);
  values += "applesaucey";
  ParquetColumn col;
  col.physical = pq::kByteArray;
  col.optional = false;
  col.type = DataType::string();
  ColumnPtr c = decode(col, dataPage(pq::kDeltaByteArray, 3, values), 3);
  ASSERT_EQ(c->size(), 3);
  EXPECT_EQ(c->stringAt(0), "apple");
  EXPECT_EQ(c->stringAt(1), "applesauce");
  EXPECT_EQ(c->stringAt(2), "apply");
  // A prefix longer than the previous value is corrupt data.
  std::string bad;
  deltaEncode({0, 9, 4}, bad);
  deltaEncode({5, 5, 1}, bad);
  bad += "applesaucey";
  EXPECT_THROW(decode(col, dataPage(pq::kDeltaByteArray, 3, bad), 3), IoError);
}

TEST(ParquetEncodingTest, Int96TimestampsUnsignedAndDecimalBinary) {
  ParquetColumn ts;
  ts.physical = pq::kInt96;
  ts.optional = false;
  ts.type = DataType::timestamp();
  ts.timeUnit = 3;
  std::string v(12, '\0');
  int64_t nanos = 3723000001000;  // 01:02:03.000001
  int32_t julian = 2440588 + 1;   // 1970-01-02
  std::memcpy(v.data(), &nanos, 8);
  std::memcpy(v.data() + 8, &julian, 4);
  ColumnPtr c = decode(ts, dataPage(pq::kPlain, 1, v), 1);
  EXPECT_EQ(c->valueAt<int64_t>(0), 86400000000LL + 3723000001LL);

  ParquetColumn u;
  u.physical = pq::kInt32;
  u.optional = false;
  u.type = DataType::int64();  // UINT_32 widens
  u.unsignedInt = true;
  std::string uv(4, '\xFF');
  c = decode(u, dataPage(pq::kPlain, 1, uv), 1);
  EXPECT_EQ(c->valueAt<int64_t>(0), 4294967295LL);

  ParquetColumn d;
  d.physical = pq::kByteArray;
  d.optional = false;
  d.type = DataType::decimal(20, 2);
  std::string dv;
  for (std::string b :
       {std::string("\xFF\x85", 2), std::string("\x01\x00\x00", 3)}) {  // -123, 65536
    uint32_t n = static_cast<uint32_t>(b.size());
    dv.append(reinterpret_cast<const char*>(&n), 4);
    dv += b;
  }
  c = decode(d, dataPage(pq::kPlain, 2, dv), 2);
  EXPECT_EQ(Value::fromColumn(*c, 0).toString(), "-1.23");
  EXPECT_EQ(Value::fromColumn(*c, 1).toString(), "655.36");
}

TEST(ParquetEncodingTest, PageErrorsNameTheContextAndOffset) {
  ParquetColumn col;
  col.physical = pq::kInt32;
  col.optional = false;
  col.type = DataType::int32();
  std::string page = dataPage(pq::kPlain, 4, std::string(8, '\0'));  // 4 values, 2 present
  try {
    decode(col, page, 4);
    FAIL();
  } catch (const IoError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("test"), std::string::npos) << m;
    EXPECT_NE(m.find("page at byte 4"), std::string::npos) << m;
  }
  EXPECT_THROW(decode(col, page.substr(0, page.size() - 3), 4), IoError);
  EXPECT_THROW(decode(col, dataPage(pq::kPlain, 2, std::string(8, '\0')), 3),
               IoError);  // too few rows
}

}  // namespace
}  // namespace ember
