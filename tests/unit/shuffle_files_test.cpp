#include "ember/shuffle/shuffle_files.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "ember/common/errors.h"
#include "ember/storage/disk_manager.h"

namespace fs = std::filesystem;

namespace ember {
namespace {

std::string payload(int partition, int i) {
  std::string s = "p" + std::to_string(partition) + "-f" + std::to_string(i) + ":";
  while (s.size() < 2000) s += "abcdefgh" + std::to_string(i);
  return s;
}

std::vector<std::string> readPartition(const std::string& data, const std::string& index, int r) {
  FrameReader reader = ShuffleBlockReader::open(data, index, r);
  std::vector<std::string> frames;
  std::string frame;
  while (reader.nextFrame(frame)) frames.push_back(frame);
  return frames;
}

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

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::string> filesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

class ShuffleFilesTest : public ::testing::Test {
 protected:
  ShuffleFilesTest()
      : disks_((fs::temp_directory_path() / ("ember-shuffle-test-" + std::to_string(::getpid())))
                   .string(),
               "test"),
        data_(disks_.shuffleDataPath(1, 0)),
        index_(disks_.shuffleIndexPath(1, 0)),
        dir_(fs::path(data_).parent_path().string()) {}
  // The DiskManager removes its own directory; this removes the local dir around it.
  void TearDown() override { fs::remove_all(fs::path(disks_.root()).parent_path()); }

  // Writes R = 6 partitions: 0, 2 and 5 with data (2 via a spill file), the rest empty.
  std::vector<uint64_t> writeOutput(Codec codec) {
    std::string spill = disks_.createTempFile("spill");
    Segment spilled;
    {
      FrameFileWriter w(spill, codec);
      w.writeFrame("noise before the segment");
      w.beginSegment();
      w.writeFrame(payload(2, 100));
      w.writeFrame(payload(2, 101));
      spilled = w.endSegment();
      w.close();
    }
    ShuffleMapOutputWriter out(data_, index_, 6, codec);
    out.beginPartition(0);
    out.data().writeFrame(payload(0, 0));
    out.data().writeFrame(payload(0, 1));
    out.beginPartition(2);
    out.data().writeFrame(payload(2, 0));
    out.appendSegmentFrom(spill, spilled);
    out.beginPartition(5);
    out.data().writeFrame(payload(5, 0));
    return out.commit();
  }

  DiskManager disks_;
  std::string data_;
  std::string index_;
  std::string dir_;
};

TEST_F(ShuffleFilesTest, WriteAndReadPartitionsWithEmptyOnes) {
  for (Codec codec : {Codec::None, Codec::Lz4, Codec::Zstd}) {
    std::vector<uint64_t> sizes = writeOutput(codec);
    ASSERT_EQ(sizes.size(), 6u);
    EXPECT_GT(sizes[0], 0u);
    EXPECT_EQ(sizes[1], 0u);
    EXPECT_GT(sizes[2], 0u);
    EXPECT_EQ(sizes[3], 0u);
    EXPECT_EQ(sizes[4], 0u);
    EXPECT_GT(sizes[5], 0u);
    uint64_t total = 0;
    for (uint64_t s : sizes) total += s;
    EXPECT_EQ(fs::file_size(data_), total);
    EXPECT_EQ(fs::file_size(index_), 8u * 8u);  // 7 offsets + checksum

    EXPECT_EQ(readPartition(data_, index_, 0),
              (std::vector<std::string>{payload(0, 0), payload(0, 1)}));
    EXPECT_TRUE(readPartition(data_, index_, 1).empty());
    EXPECT_EQ(readPartition(data_, index_, 2),
              (std::vector<std::string>{payload(2, 0), payload(2, 100), payload(2, 101)}));
    EXPECT_TRUE(readPartition(data_, index_, 3).empty());
    EXPECT_TRUE(readPartition(data_, index_, 4).empty());
    EXPECT_EQ(readPartition(data_, index_, 5), (std::vector<std::string>{payload(5, 0)}));

    std::vector<uint64_t> offsets = ShuffleBlockReader::readIndex(data_, index_);
    for (int r = 0; r < 6; ++r) {
      EXPECT_EQ(ShuffleBlockReader::locate(data_, index_, r), (Segment{offsets[r], sizes[r]}));
    }
  }
  // Only the committed files remain: no temporaries.
  auto names = filesIn(dir_);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"shuffle_1_0.data", "shuffle_1_0.index"}));
}

TEST_F(ShuffleFilesTest, TrailingAndAllEmptyPartitions) {
  {
    ShuffleMapOutputWriter out(data_, index_, 3, Codec::Lz4);
    EXPECT_EQ(out.commit(), (std::vector<uint64_t>{0, 0, 0}));  // no partition begun
  }
  EXPECT_EQ(fs::file_size(data_), 0u);
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(readPartition(data_, index_, r).empty());
  {
    ShuffleMapOutputWriter out(data_, index_, 3, Codec::Lz4);
    out.beginPartition(0);
    out.data().writeFrame("only");
    std::vector<uint64_t> sizes = out.commit();
    EXPECT_EQ(sizes[1] + sizes[2], 0u);
  }
  EXPECT_EQ(readPartition(data_, index_, 0), std::vector<std::string>{"only"});
  EXPECT_TRUE(readPartition(data_, index_, 2).empty());
}

TEST_F(ShuffleFilesTest, UncommittedWriterLeavesNoFiles) {
  {
    ShuffleMapOutputWriter out(data_, index_, 4, Codec::Zstd);
    out.beginPartition(1);
    for (int i = 0; i < 200; ++i) out.data().writeFrame(payload(1, i));  // beyond the buffer
    EXPECT_FALSE(filesIn(dir_).empty());                                 // the temporary data file
  }
  EXPECT_TRUE(filesIn(dir_).empty());
}

TEST_F(ShuffleFilesTest, RetriedAttemptReplacesOutputConsistently) {
  writeOutput(Codec::Lz4);
  {
    // A failed second attempt must not disturb the committed output.
    ShuffleMapOutputWriter failed(data_, index_, 6, Codec::Lz4);
    failed.beginPartition(0);
    failed.data().writeFrame("half-written");
  }
  EXPECT_EQ(readPartition(data_, index_, 5), (std::vector<std::string>{payload(5, 0)}));
  {
    ShuffleMapOutputWriter retry(data_, index_, 6, Codec::Zstd);
    retry.beginPartition(3);
    retry.data().writeFrame("retry");
    retry.commit();
  }
  EXPECT_TRUE(readPartition(data_, index_, 0).empty());
  EXPECT_EQ(readPartition(data_, index_, 3), std::vector<std::string>{"retry"});
  EXPECT_EQ(filesIn(dir_).size(), 2u);
}

TEST_F(ShuffleFilesTest, MisuseIsAnInternalError) {
  ShuffleMapOutputWriter out(data_, index_, 3, Codec::Lz4);
  EXPECT_THROW(out.appendSegmentFrom(data_, Segment{}), InternalError);  // no partition yet
  out.beginPartition(1);
  EXPECT_THROW(out.beginPartition(1), InternalError);  // not increasing
  EXPECT_THROW(out.beginPartition(0), InternalError);
  EXPECT_THROW(out.beginPartition(3), InternalError);  // out of range
  out.commit();
  EXPECT_THROW(out.commit(), InternalError);
}

TEST_F(ShuffleFilesTest, CorruptIndexIsDetected) {
  writeOutput(Codec::Lz4);
  const std::string good = readFile(index_);
  auto expectBadIndex = [&](const std::string& bytes, const std::string& why) {
    writeFile(index_, bytes);
    std::string msg = ioErrorOf([&] { ShuffleBlockReader::open(data_, index_, 0); });
    EXPECT_NE(msg.find(index_), std::string::npos) << msg;
    EXPECT_NE(msg.find(why), std::string::npos) << msg;
  };
  // A flipped byte in an offset: checksum mismatch.
  std::string flipped = good;
  flipped[8 * 2 + 1] ^= 0x10;
  expectBadIndex(flipped, "checksum");
  // Truncated, or not a multiple of 8 bytes.
  expectBadIndex(good.substr(0, good.size() - 8), "checksum");
  expectBadIndex(good.substr(0, good.size() - 3), "size");
  expectBadIndex("", "size");

  // Well-formed checksums over bad offsets.
  auto withOffsets = [](std::vector<uint64_t> offsets) {
    std::string bytes(offsets.size() * 8, '\0');
    std::memcpy(bytes.data(), offsets.data(), bytes.size());
    uint64_t sum = XXH64(bytes.data(), bytes.size(), 0);
    bytes.append(reinterpret_cast<const char*>(&sum), 8);
    return bytes;
  };
  writeFile(index_, good);
  uint64_t size = ShuffleBlockReader::readIndex(data_, index_).back();
  expectBadIndex(withOffsets({0, 100, 50, size}), "decrease");
  expectBadIndex(withOffsets({5, 100, size}), "first offset");
  expectBadIndex(withOffsets({0, 100, size + 1}), "data file has");
  expectBadIndex(withOffsets({0, 100, size - 1}), "data file has");

  // A partition the index does not have.
  writeFile(index_, good);
  std::string msg = ioErrorOf([&] { ShuffleBlockReader::open(data_, index_, 6); });
  EXPECT_NE(msg.find(index_), std::string::npos) << msg;
  // Missing index or data file.
  fs::remove(index_);
  msg = ioErrorOf([&] { ShuffleBlockReader::open(data_, index_, 0); });
  EXPECT_NE(msg.find(index_), std::string::npos) << msg;
  writeFile(index_, good);
  fs::remove(data_);
  msg = ioErrorOf([&] { ShuffleBlockReader::open(data_, index_, 0); });
  EXPECT_NE(msg.find(data_), std::string::npos) << msg;
}

TEST_F(ShuffleFilesTest, CorruptDataIsDetectedByTheReader) {
  writeOutput(Codec::Zstd);
  Segment seg = ShuffleBlockReader::locate(data_, index_, 2);
  std::string bytes = readFile(data_);
  bytes[seg.offset + kFrameHeaderSize + 3] ^= 0x01;
  writeFile(data_, bytes);
  std::string msg = ioErrorOf([&] { readPartition(data_, index_, 2); });
  EXPECT_NE(msg.find(data_), std::string::npos) << msg;
  EXPECT_NE(msg.find("offset " + std::to_string(seg.offset)), std::string::npos) << msg;
  EXPECT_EQ(readPartition(data_, index_, 0).size(), 2u);  // other partitions still readable
}

TEST_F(ShuffleFilesTest, DiskManagerCleanupRemovesShuffleOutput) {
  writeOutput(Codec::Lz4);
  EXPECT_GT(disks_.bytesOnDisk(), 0u);
  disks_.removeShuffle(1);
  EXPECT_FALSE(fs::exists(data_));
  std::string root = disks_.root();
  disks_.cleanup();
  EXPECT_FALSE(fs::exists(root));
}

}  // namespace
}  // namespace ember
