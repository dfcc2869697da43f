#include "ember/sql/reader.h"

#include "ember/common/errors.h"
#include "ember/sql/feed_internal.h"
#include "ember/sql/parser.h"
#include "ember/sql/session.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

DataFrameReader& DataFrameReader::format(const std::string& f) {
  format_ = toLowerAscii(f);
  return *this;
}
DataFrameReader& DataFrameReader::option(const std::string& key, const std::string& value) {
  options_[toLowerAscii(key)] = value;
  return *this;
}
DataFrameReader& DataFrameReader::options(const std::map<std::string, std::string>& kv) {
  for (const auto& [k, v] : kv) option(k, v);
  return *this;
}
DataFrameReader& DataFrameReader::schema(const Schema& s) {
  schema_ = s;
  return *this;
}
DataFrameReader& DataFrameReader::schema(const std::string& ddl) {
  return schema(parseSchema(ddl));
}

DataFrame DataFrameReader::load(const std::string& path) {
  return load(std::vector<std::string>{path});
}

DataFrame DataFrameReader::load(const std::vector<std::string>& paths) {
  if (isFeedFormat(format_)) {
    // Resolved now: the DataFrame reads this snapshot even if the feed changes later.
    if (paths.size() != 1)
      throw UserError("a feed is loaded from exactly one path (the feed directory)");
    if (schema_.size())
      throw UserError("a feed has its own schema; do not pass schema() when reading one");
    return DataFrame(&session_, session_.analyzePlan(feedScanRef(paths[0], options_), ""));
  }
  return DataFrame(&session_,
                   fileScan(format_, paths, options_, schema_.size() ? &schema_ : nullptr));
}

}  // namespace ember::sql
