#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ember/common/errors.h"
#include "ember/io/text_input.h"

namespace ember {
namespace {

namespace fs = std::filesystem;

// What the lines of `content` are by definition: split at '\n', one trailing '\r' removed,
// a final piece without '\n' is a line, nothing after a final '\n'.
std::vector<std::string> referenceLines(const std::string& content) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    size_t end = nl == std::string::npos ? content.size() : nl;
    std::string line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
    pos = end + 1;
  }
  return out;
}

std::vector<std::string> readSplit(const TextSplit& split, size_t bufferSize) {
  LineReader reader(split, bufferSize);
  std::vector<std::string> out;
  std::string_view line;
  while (reader.next(line)) out.emplace_back(line);
  EXPECT_EQ(reader.lineNumber(), out.size());
  return out;
}

std::vector<std::string> readAll(const std::vector<TextSplit>& splits, size_t bufferSize) {
  std::vector<std::string> out;
  for (const auto& s : splits) {
    auto part = readSplit(s, bufferSize);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// Random text with the awkward cases: empty lines, CRLF, lone '\r', non-UTF-8 bytes, runs of
// newlines, long lines, and sometimes no final newline.
std::string randomContent(std::mt19937_64& rng, size_t approxSize, size_t longLine) {
  std::string s;
  std::uniform_int_distribution<int> kind(0, 9);
  while (s.size() < approxSize) {
    int k = kind(rng);
    size_t len = k == 0 ? 0 : k == 9 ? longLine : std::uniform_int_distribution<size_t>(1, 40)(rng);
    for (size_t i = 0; i < len; ++i) {
      int c = std::uniform_int_distribution<int>(0, 40)(rng);
      s.push_back(c == 0   ? '\r'
                  : c == 1 ? '\xff'
                  : c == 2 ? '\0'
                           : static_cast<char>('a' + c % 26));
    }
    s += (k == 3 || k == 4) ? "\r\n" : "\n";
  }
  if (rng() % 2 == 0 && !s.empty()) s.pop_back();  // no final newline (may leave a '\r')
  return s;
}

class TextInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ember-text-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string write(const std::string& name, const std::string& content) {
    std::string p = root_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::vector<TextSplit> splitsOf(const std::string& path, uint64_t splitBytes) {
    return computeTextSplits({{path, fs::file_size(path)}}, 1, splitBytes);
  }

  std::string root_;
};

TEST(TextSplitsTest, SizesFollowHadoopGoalAndSlop) {
  std::vector<InputFile> files{{"/d/a", 100}};
  auto s = computeTextSplits(files, 4, 1000);
  ASSERT_EQ(s.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(s[i], (TextSplit{"/d/a", 25u * i, 25, 100, false})) << i;

  // 105 bytes in 50-byte splits: the 55-byte tail is within 10% slop and is not cut again.
  s = computeTextSplits({{"/d/b", 105}}, 1, 50);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], (TextSplit{"/d/b", 50, 55, 105, false}));
  // 106 bytes: 56/50 > 1.1, so a third split of 6 bytes.
  s = computeTextSplits({{"/d/b", 106}}, 1, 50);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[2], (TextSplit{"/d/b", 100, 6, 106, false}));

  // The goal uses the total of all files; compressed and empty files are one split each.
  s = computeTextSplits({{"/x/big", 90}, {"/x/c.gz", 500}, {"/x/d.zst", 30}, {"/x/empty", 0}}, 62,
                        1 << 20);  // goal = 620 / 62 = 10
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(s[8], (TextSplit{"/x/big", 80, 10, 90, false}));
  EXPECT_EQ(s[9], (TextSplit{"/x/c.gz", 0, 500, 500, true}));
  EXPECT_EQ(s[10], (TextSplit{"/x/d.zst", 0, 30, 30, true}));
  EXPECT_EQ(s[11], (TextSplit{"/x/empty", 0, 0, 0, false}));

  // maxSplitBytes caps the goal; the split size never drops below one byte.
  EXPECT_EQ(computeTextSplits({{"/a", 10}}, 1, 3).size(), 4u);  // 3,3,3,1: 4/3 > 1.1
  EXPECT_EQ(computeTextSplits({{"/a", 10}}, 0, 0).size(), 10u);
  EXPECT_EQ(computeTextSplits({{"/a", 3}}, 100, 1 << 20).size(), 3u);
}

TEST(TextSplitsTest, SerialisationRoundTrips) {
  std::vector<TextSplit> splits{
      {"/data/part-00001", 1ull << 40, 128 << 20, (1ull << 41) + 7, false},
      {"/data/x.gz", 0, 5, 5, true}};
  EXPECT_EQ(deserializeFromString<std::vector<TextSplit>>(serializeToString(splits)), splits);
}

TEST_F(TextInputTest, LineSemantics) {
  struct Case {
    std::string content;
    std::vector<std::string> lines;
  };
  std::vector<Case> cases{
      {"", {}},
      {"x", {"x"}},
      {"x\n", {"x"}},
      {"\n\n", {"", ""}},
      {"a\r\n\r\nb", {"a", "", "b"}},
      {"a\rb\r\r\n", {"a\rb\r"}},
      {"\r", {""}},
      {std::string("\xff\xfe\0z\n", 5), {std::string("\xff\xfe\0z", 4)}},
  };
  for (const auto& c : cases) {
    std::string p = write("case.txt", c.content);
    EXPECT_EQ(readAll(splitsOf(p, 1 << 20), LineReader::kDefaultBufferSize), c.lines)
        << "content: " << c.content;
  }
}

TEST_F(TextInputTest, EverySplitSizeReadsEveryLineExactlyOnce) {
  std::mt19937_64 rng(42);
  for (int file = 0; file < 16; ++file) {
    size_t size =
        file < 4 ? static_cast<size_t>(file) : std::uniform_int_distribution<size_t>(5, 2500)(rng);
    std::string content = randomContent(rng, size, file % 3 == 0 ? 300 : 60);
    std::string p = write("f" + std::to_string(file) + ".txt", content);
    auto expected = referenceLines(content);
    // Tiny buffers make lines cross buffer boundaries all the time.
    for (size_t buf : {size_t{1}, size_t{7}, size_t{64}, LineReader::kDefaultBufferSize}) {
      std::vector<uint64_t> sizes{1,
                                  2,
                                  3,
                                  5,
                                  8,
                                  13,
                                  31,
                                  100,
                                  257,
                                  content.size(),
                                  content.size() + 1,
                                  std::uniform_int_distribution<uint64_t>(1, 200)(rng)};
      if (content.size() > 1) sizes.push_back(content.size() - 1);
      for (uint64_t splitBytes : sizes) {
        auto splits = splitsOf(p, splitBytes);
        uint64_t covered = 0;
        for (const auto& s : splits) {
          ASSERT_EQ(s.start, covered);
          covered += s.length;
        }
        ASSERT_EQ(covered, content.size());
        ASSERT_EQ(readAll(splits, buf), expected) << "file " << file << " size " << content.size()
                                                  << " split " << splitBytes << " buffer " << buf;
      }
    }
  }
}

TEST_F(TextInputTest, LinesLongerThanTheBuffer) {
  std::mt19937_64 rng(7);
  std::string content = "first\r\n" + std::string(2500000, 'L') + "\nshort\n\n" +
                        std::string(1200000, 'M') + "\r\n" + randomContent(rng, 5000, 100) +
                        std::string(3 << 20, 'T');  // a final line without '\n', > 1 MiB
  std::string p = write("long.txt", content);
  auto expected = referenceLines(content);
  for (uint64_t splitBytes : {uint64_t{1} << 20, uint64_t{700000}, uint64_t{2500005},
                              uint64_t{64} << 20, content.size() / 3}) {
    EXPECT_EQ(readAll(splitsOf(p, splitBytes), LineReader::kDefaultBufferSize), expected)
        << splitBytes;
  }
}

TEST_F(TextInputTest, CountersReportLinesAndBytes) {
  std::string content = "one\ntwo\r\nthree\n";
  std::string p = write("c.txt", content);
  LineReader whole(splitsOf(p, 1 << 20).at(0));
  std::string_view line;
  ASSERT_TRUE(whole.next(line));
  EXPECT_EQ(whole.lineNumber(), 1u);
  EXPECT_EQ(whole.bytesRead(), 4u);
  while (whole.next(line)) {
  }
  EXPECT_EQ(whole.lineNumber(), 3u);
  EXPECT_EQ(whole.bytesRead(), content.size());

  // A split starting in the middle of "two\r\n" skips it and reads "three".
  LineReader second(TextSplit{p, 5, 5, content.size(), false});
  ASSERT_TRUE(second.next(line));
  EXPECT_EQ(line, "three");
  EXPECT_FALSE(second.next(line));
  EXPECT_EQ(second.bytesRead(), content.size() - 5);
  EXPECT_FALSE(second.next(line));  // stays finished
}

std::string gzipBytes(const std::string& dir, const std::string& content) {
  std::string p = dir + "/tmp.gz";
  gzFile gz = gzopen(p.c_str(), "wb");
  EXPECT_NE(gz, nullptr);
  EXPECT_EQ(gzwrite(gz, content.data(), static_cast<unsigned>(content.size())),
            static_cast<int>(content.size()));
  gzclose(gz);
  std::ifstream in(p, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(p);
  return bytes;
}

std::string zstdBytes(const std::string& content) {
  std::string out(ZSTD_compressBound(content.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), content.data(), content.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST_F(TextInputTest, CompressedFilesAreOneSplitReadWhole) {
  std::mt19937_64 rng(3);
  std::string a = randomContent(rng, 3 << 20, 2000);  // several MiB: many decoder rounds
  std::string b = randomContent(rng, 1000, 50) + "\n";
  std::string both = a + "\n" + b;
  // Concatenated members / frames decode as one stream.
  std::string gz = write("data.gz", gzipBytes(root_, a + "\n") + gzipBytes(root_, b));
  std::string zst = write("data.zst", zstdBytes(a + "\n") + zstdBytes(b));
  auto expected = referenceLines(both);
  for (const auto& p : {gz, zst}) {
    auto splits = computeTextSplits({{p, fs::file_size(p)}}, 8, 1000);
    ASSERT_EQ(splits.size(), 1u) << p;
    EXPECT_TRUE(splits[0].compressed);
    EXPECT_EQ(readAll(splits, LineReader::kDefaultBufferSize), expected) << p;
    EXPECT_EQ(readAll(splits, 5), expected) << p;
    LineReader reader(splits[0]);
    std::string_view line;
    while (reader.next(line)) {
    }
    EXPECT_EQ(reader.bytesRead(), fs::file_size(p)) << p;
  }
  // Empty compressed streams, and empty files, have no lines.
  for (const auto& p : {write("e.gz", gzipBytes(root_, "")), write("e.zst", zstdBytes("")),
                        write("z.gz", ""), write("z.zst", "")}) {
    EXPECT_TRUE(readAll(computeTextSplits({{p, fs::file_size(p)}}, 1, 100), 64).empty()) << p;
  }
}

// Expects reading `path` whole to throw an IoError naming the file and a byte offset.
void expectReadError(const std::string& path, const std::string& fragment) {
  try {
    readAll(computeTextSplits({{path, fs::file_size(path)}}, 1, 1 << 20), 4096);
    ADD_FAILURE() << "no error reading " << path;
  } catch (const IoError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("at byte"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST_F(TextInputTest, ErrorsNameTheFileAndOffset) {
  std::string missing = root_ + "/gone.txt";
  try {
    LineReader r(TextSplit{missing, 0, 10, 10, false});
    ADD_FAILURE() << "opened a missing file";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }

  std::mt19937_64 rng(5);
  std::string text = randomContent(rng, 200000, 100);
  std::string gz = gzipBytes(root_, text);
  std::string zst = zstdBytes(text);
  expectReadError(write("trunc.gz", gz.substr(0, gz.size() / 2)), "Truncated gzip");
  expectReadError(write("trunc.zst", zst.substr(0, zst.size() / 2)), "Truncated zstd");
  std::string badGz = gz;
  for (size_t i = 20; i < 60; ++i) badGz[i] = static_cast<char>(badGz[i] ^ 0x5a);
  expectReadError(write("bad.gz", badGz), "Corrupt gzip");
  std::string badZst = zst;
  for (size_t i = 0; i < 4; ++i) badZst[i] = 'x';  // the frame magic
  expectReadError(write("bad.zst", badZst), "Corrupt zstd");
  expectReadError(write("plain.gz", "just text\nnot gzip\n"), "Not gzip");
}

}  // namespace
}  // namespace ember
