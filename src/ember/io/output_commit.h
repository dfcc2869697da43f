// Atomic directory output, as Spark's saveAsTextFile: readers see either no output directory
// or the complete one with all part files and _SUCCESS, never a partial write.
//
// Protocol (driver D, tasks T):
//   D  setupJob()                    staging dir <outputDir>.ember-staging-<jobId>/ created
//   T  taskAttemptPath(p, a)         write the partition there (TextPartWriter creates the
//                                    attempt's directory), then
//   T  commitTask(p, a)              -> staging/part-<p>; a later commit of another attempt of
//      or abortTask(p, a)               the same partition replaces the earlier file whole
//   D  commitJob()                   _SUCCESS written, _attempts removed, staging renamed to
//                                    outputDir in one rename(2)
//      or abortJob()                 staging removed; outputDir never appears
// The staging dir sits next to outputDir so that the final rename stays within one file
// system. In cluster mode the output must be on a file system every executor mounts.
//
// Threading: commitTask/abortTask of different partitions may run concurrently (they touch
// different paths); setupJob, commitJob and abortJob run on the driver while no task runs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ember/common/serde.h"

namespace ember {

// "part-00003": the name of partition 3's file in an output directory.
std::string partFileName(int partition);

class DirectoryOutputCommitter {
 public:
  // outputDir may be relative; a trailing '/' is ignored. jobId must be unique per job and
  // usable in a file name.
  DirectoryOutputCommitter(std::string outputDir, std::string jobId);

  // UserError "Output directory <d> already exists; ..." if it exists (as a file or a
  // directory) or if the staging dir exists. Creates missing parents of outputDir.
  void setupJob();
  // <staging>/_attempts/<partition>-<attempt>/part-<partition>. Pure; creates nothing.
  std::string taskAttemptPath(int partition, int attempt) const;
  // Moves the attempt's file to <staging>/part-<partition> (rename, so atomic) and removes the
  // attempt's directory. IoError if the attempt wrote no file.
  void commitTask(int partition, int attempt);
  // For a task that writes several files (one per partition directory of a
  // partitionBy write): <staging>/_attempts/<partition>-<attempt>/<subdir>/part-<partition>.
  std::string taskAttemptPath(int partition, int attempt, const std::string& subdir) const;
  // Moves every file the attempt wrote, in any subdirectory, to the same relative path
  // under the staging dir (each file by rename). A later attempt's files replace the
  // earlier attempt's files of the same names.
  void commitTaskTree(int partition, int attempt);
  // Removes whatever the attempt wrote. Never fails on a missing attempt.
  void abortTask(int partition, int attempt);
  // Writes _SUCCESS, removes _attempts and renames the staging dir to outputDir. If outputDir
  // appeared during the job, throws UserError and leaves the finished output in the staging
  // dir (the message names it).
  void commitJob();
  // Removes the staging dir and everything in it.
  void abortJob();

  const std::string& outputDir() const { return outputDir_; }
  const std::string& stagingDir() const { return stagingDir_; }

  // Committers travel to executors with the tasks that write through them.
  void serialize(ByteWriter& w) const;
  static DirectoryOutputCommitter deserialize(ByteReader& r);

 private:
  std::string attemptDir(int partition, int attempt) const;

  std::string outputDir_;
  std::string jobId_;
  std::string stagingDir_;
};

// Writes lines to one output file, each followed by '\n', through a 256 KiB buffer. Creates
// missing parent directories and truncates an existing file. Throws IoError naming the file on
// any failure (disk full included). Call close() to flush: destroying an unclosed writer (as a
// failing task does) closes the file without flushing the buffer. One thread at a time.
class TextPartWriter {
 public:
  static constexpr size_t kBufferSize = size_t{256} << 10;

  explicit TextPartWriter(std::string path);
  ~TextPartWriter();
  TextPartWriter(const TextPartWriter&) = delete;
  TextPartWriter& operator=(const TextPartWriter&) = delete;

  void writeLine(std::string_view line);
  // Flushes and closes; errors the kernel reports only at close are thrown too. Idempotent.
  void close();
  // Bytes accepted so far ('\n' included), buffered or written.
  uint64_t bytesWritten() const { return bytesWritten_; }
  const std::string& path() const { return path_; }

 private:
  void flush();
  void writeAll(const char* p, size_t n);

  std::string path_;
  int fd_ = -1;
  std::string buf_;
  uint64_t bytesWritten_ = 0;
  uint64_t fileOffset_ = 0;
};

}  // namespace ember
