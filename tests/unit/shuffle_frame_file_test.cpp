#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ember/common/errors.h"
#include "ember/shuffle/codec.h"
#include "ember/shuffle/frame_file.h"

namespace fs = std::filesystem;

namespace ember {
namespace {

std::string randomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string compressibleBytes(size_t n) {
  std::string s;
  while (s.size() < n) s += "record-" + std::to_string(s.size() % 977) + ";";
  s.resize(n);
  return s;
}

std::vector<std::string> readAll(const std::string& path, Segment seg) {
  FrameReader reader(path, seg.offset, seg.length);
  std::vector<std::string> frames;
  std::string frame;
  while (reader.nextFrame(frame)) frames.push_back(frame);
  EXPECT_EQ(reader.bytesRead(), seg.length);
  return frames;
}

// Runs `fn` and returns the IoError message it throws (fails the test if none).
template <class Fn>
std::string ioErrorOf(Fn fn) {
  try {
    fn();
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected IoError";
  return "";
}

class FrameFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ember-frame-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static void flipByte(const std::string& file, uint64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5a));
  }

  fs::path dir_;
};

TEST(CodecTest, ParseAndName) {
  EXPECT_EQ(parseCodec("none"), Codec::None);
  EXPECT_EQ(parseCodec("LZ4"), Codec::Lz4);
  EXPECT_EQ(parseCodec("zstd"), Codec::Zstd);
  for (Codec c : {Codec::None, Codec::Lz4, Codec::Zstd}) EXPECT_EQ(parseCodec(codecName(c)), c);
  try {
    parseCodec("snappy");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("snappy"), std::string::npos);
    EXPECT_NE(msg.find("none, lz4, zstd"), std::string::npos);
  }
}

class FrameRoundTripTest : public FrameFileTest, public ::testing::WithParamInterface<Codec> {};

TEST_P(FrameRoundTripTest, FramesSurviveRoundTrip) {
  std::vector<std::string> frames = {
      "",                                  // empty frame
      "a",                                 // tiny: stored raw
      compressibleBytes(64 * 1024),        // typical frame
      "",                                  // empty in the middle
      compressibleBytes(1024 * 1024 + 3),  // large, above the write buffer
      randomBytes(1024 * 1024, 1),         // incompressible
      randomBytes(100, 2),
  };
  FrameFileWriter writer(path("f"), GetParam(), 3);
  writer.beginSegment();
  for (const auto& f : frames) writer.writeFrame(f);
  Segment seg = writer.endSegment();
  writer.close();
  EXPECT_EQ(seg.offset, 0u);
  EXPECT_EQ(seg.length, writer.bytesWritten());
  EXPECT_EQ(fs::file_size(path("f")), seg.length);
  EXPECT_EQ(readAll(path("f"), seg), frames);

  uint64_t rawTotal = 0;
  for (const auto& f : frames) rawTotal += f.size() + kFrameHeaderSize;
  if (GetParam() == Codec::None) {
    EXPECT_EQ(seg.length, rawTotal);
  } else {
    // The compressible frames shrink; the random ones cost no more than the raw bytes.
    EXPECT_LT(seg.length, rawTotal - 1024 * 1024);
  }
}

TEST_P(FrameRoundTripTest, SegmentsAreIndependent) {
  FrameFileWriter writer(path("f"), GetParam());
  std::vector<Segment> segs;
  for (int s = 0; s < 4; ++s) {
    writer.beginSegment();
    for (int i = 0; i < s; ++i)
      writer.writeFrame("seg" + std::to_string(s) + "-" + std::to_string(i));
    segs.push_back(writer.endSegment());
  }
  writer.close();
  EXPECT_EQ(segs[0].length, 0u);  // an empty segment
  for (int s = 0; s < 4; ++s) {
    std::vector<std::string> frames = readAll(path("f"), segs[s]);
    ASSERT_EQ(frames.size(), static_cast<size_t>(s));
    for (int i = 0; i < s; ++i) {
      EXPECT_EQ(frames[i], "seg" + std::to_string(s) + "-" + std::to_string(i));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, FrameRoundTripTest,
                         ::testing::Values(Codec::None, Codec::Lz4, Codec::Zstd),
                         [](const auto& info) { return std::string(codecName(info.param)); });

TEST_F(FrameFileTest, AppendModeUsesFileOffsets) {
  Segment first, second;
  {
    FrameFileWriter w(path("f"), Codec::Lz4);
    w.beginSegment();
    w.writeFrame(compressibleBytes(5000));
    first = w.endSegment();
    w.close();
  }
  {
    FrameFileWriter w(path("f"), Codec::Zstd, 1, /*append=*/true);
    w.beginSegment();
    w.writeFrame("second");
    second = w.endSegment();
    EXPECT_EQ(w.bytesWritten(), second.length);
    w.close();
  }
  EXPECT_EQ(second.offset, first.length);
  EXPECT_EQ(readAll(path("f"), first), std::vector<std::string>{compressibleBytes(5000)});
  EXPECT_EQ(readAll(path("f"), second), std::vector<std::string>{"second"});
}

// Writes two frames and returns the offset where the second one starts.
uint64_t writeTwoFrames(const std::string& file, Codec codec) {
  FrameFileWriter w(file, codec);
  w.writeFrame(compressibleBytes(10000));
  uint64_t second = w.position();
  w.writeFrame(compressibleBytes(20000));
  w.close();
  return second;
}

TEST_F(FrameFileTest, ChecksumCorruptionNamesFileAndOffset) {
  for (Codec codec : {Codec::None, Codec::Lz4, Codec::Zstd}) {
    std::string f = path(std::string("c-") + std::string(codecName(codec)));
    uint64_t second = writeTwoFrames(f, codec);
    uint64_t size = fs::file_size(f);
    flipByte(f, second + kFrameHeaderSize + 5);  // inside the second frame's payload
    std::string msg = ioErrorOf([&] { readAll(f, Segment{0, size}); });
    EXPECT_NE(msg.find(f), std::string::npos) << msg;
    EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
    EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
  }
}

TEST_F(FrameFileTest, BadMagicIsDetected) {
  uint64_t second = writeTwoFrames(path("f"), Codec::Lz4);
  uint64_t size = fs::file_size(path("f"));
  flipByte(path("f"), second + 1);
  std::string msg = ioErrorOf([&] { readAll(path("f"), Segment{0, size}); });
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
}

TEST_F(FrameFileTest, CorruptRawLengthFailsDecompression) {
  uint64_t second = writeTwoFrames(path("f"), Codec::Zstd);
  uint64_t size = fs::file_size(path("f"));
  flipByte(path("f"), second + 5);  // low byte of rawLength (not covered by the checksum)
  std::string msg = ioErrorOf([&] { readAll(path("f"), Segment{0, size}); });
  EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
  EXPECT_NE(msg.find(path("f")), std::string::npos) << msg;
}

TEST_F(FrameFileTest, TruncationNamesFileAndOffset) {
  uint64_t second = writeTwoFrames(path("f"), Codec::Lz4);
  uint64_t size = fs::file_size(path("f"));
  fs::resize_file(path("f"), size - 10);
  FrameReader reader(path("f"), 0, size);
  std::string frame;
  EXPECT_TRUE(reader.nextFrame(frame));  // the first frame is intact
  EXPECT_EQ(frame, compressibleBytes(10000));
  std::string msg = ioErrorOf([&] { reader.nextFrame(frame); });
  EXPECT_NE(msg.find(path("f")), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  fs::resize_file(path("f"), second + 5);  // inside the header
  msg = ioErrorOf([&] { readAll(path("f"), Segment{0, size}); });
  EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
}

TEST_F(FrameFileTest, FrameBeyondSegmentEnd) {
  uint64_t second = writeTwoFrames(path("f"), Codec::None);
  // A segment that ends inside the second frame (e.g. from a corrupt index).
  std::string msg = ioErrorOf([&] { readAll(path("f"), Segment{0, second + 100}); });
  EXPECT_NE(msg.find("beyond the segment"), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
  msg = ioErrorOf([&] { readAll(path("f"), Segment{0, second + 3}); });
  EXPECT_NE(msg.find("offset " + std::to_string(second)), std::string::npos) << msg;
}

TEST_F(FrameFileTest, MissingFile) {
  std::string msg = ioErrorOf([&] { FrameReader r(path("nope"), 42, 10); });
  EXPECT_NE(msg.find(path("nope")), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset 42"), std::string::npos) << msg;
}

TEST_F(FrameFileTest, CopySegmentMergesSpillFiles) {
  // Two spill files with different codecs, each with two sorted runs (segments).
  std::vector<std::vector<std::string>> runs;
  std::vector<std::pair<std::string, Segment>> where;
  int n = 0;
  for (Codec codec : {Codec::Lz4, Codec::Zstd}) {
    std::string spill = path("spill-" + std::string(codecName(codec)));
    FrameFileWriter w(spill, codec);
    for (int run = 0; run < 2; ++run) {
      w.beginSegment();
      std::vector<std::string> frames = {compressibleBytes(3000 + n), randomBytes(500, n), ""};
      for (const auto& f : frames) w.writeFrame(f);
      runs.push_back(frames);
      where.emplace_back(spill, w.endSegment());
      ++n;
    }
    w.close();
  }
  // Merge: run 3 and run 0 into one segment, run 1 into another, run 2 alone.
  FrameFileWriter out(path("merged"), Codec::None);
  out.writeFrame("prefix");
  out.beginSegment();
  copySegment(where[3].first, where[3].second, out);
  copySegment(where[0].first, where[0].second, out);
  Segment a = out.endSegment();
  out.beginSegment();
  copySegment(where[1].first, where[1].second, out);
  Segment b = out.endSegment();
  out.beginSegment();
  out.writeFrame("own");
  copySegment(where[2].first, where[2].second, out);
  Segment c = out.endSegment();
  out.close();

  std::vector<std::string> expectA = runs[3];
  expectA.insert(expectA.end(), runs[0].begin(), runs[0].end());
  EXPECT_EQ(readAll(path("merged"), a), expectA);
  EXPECT_EQ(readAll(path("merged"), b), runs[1]);
  std::vector<std::string> expectC = {"own"};
  expectC.insert(expectC.end(), runs[2].begin(), runs[2].end());
  EXPECT_EQ(readAll(path("merged"), c), expectC);
  EXPECT_EQ(a.length, where[3].second.length + where[0].second.length);  // bytes copied as is
}

TEST_F(FrameFileTest, CopySegmentRejectsCorruptSource) {
  std::string spill = path("spill");
  uint64_t second = writeTwoFrames(spill, Codec::Lz4);
  uint64_t size = fs::file_size(spill);
  flipByte(spill, second + kFrameHeaderSize + 1);
  FrameFileWriter out(path("out"), Codec::Lz4);
  std::string msg = ioErrorOf([&] { copySegment(spill, Segment{0, size}, out); });
  EXPECT_NE(msg.find(spill), std::string::npos) << msg;
  EXPECT_NE(msg.find("checksum"), std::string::npos) << msg;
}

TEST_F(FrameFileTest, ManySmallFramesAcrossReadChunks) {
  // Frames straddle the reader's read-ahead chunks many times.
  FrameFileWriter w(path("f"), Codec::Lz4);
  std::vector<std::string> frames;
  for (int i = 0; i < 3000; ++i) {
    frames.push_back(i % 3 == 0 ? randomBytes(i % 700, i) : compressibleBytes(i % 1500));
    w.writeFrame(frames.back());
  }
  uint64_t size = w.position();
  w.close();
  EXPECT_EQ(readAll(path("f"), Segment{0, size}), frames);
}

}  // namespace
}  // namespace ember
