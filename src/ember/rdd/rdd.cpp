#include "ember/rdd/rdd.h"

namespace ember {

namespace detail {

std::string callSiteOf(const std::source_location& loc) {
  std::string f = loc.file_name();
  auto slash = f.find_last_of('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return f + ":" + std::to_string(loc.line());
}

RDDBase::Info makeInfo(Context& ctx, const char* op, int numPartitions, const std::source_location& loc) {
  RDDBase::Info info;
  info.id = ctx.newRddId();
  info.numPartitions = numPartitions;
  info.opName = op;
  info.callSite = callSiteOf(loc);
  return info;
}
}  // namespace detail

RDD<int64_t> Context::range(int64_t start, int64_t end, int64_t step, int numSlices,
                            std::source_location loc) {
  int n = numSlices > 0 ? numSlices : defaultParallelism();
  auto info = detail::makeInfo(*this, "range", n, loc);
  return RDD<int64_t>(std::make_shared<RangeRDD>(this, info, start, end, step));
}

RDD<std::string> Context::textFile(const std::string& path, int minPartitions,
                                   std::source_location loc) {
  auto files = listInputFiles(path);
  int minParts = minPartitions > 0 ? minPartitions : std::min(2, defaultParallelism());
  auto splits = computeTextSplits(files, minParts,
                                  static_cast<uint64_t>(conf_.getBytes("ember.files.maxPartitionBytes")));
  auto info = detail::makeInfo(*this, "textFile", static_cast<int>(splits.size()), loc);
  return RDD<std::string>(std::make_shared<TextFileRDD>(this, info, std::move(splits)));
}

}  // namespace ember
