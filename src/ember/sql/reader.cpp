#include "ember/sql/reader.h"

#include "ember/sql/parser.h"
#include "ember/sql/session.h"
#include "ember/sql/session_internal.h"

namespace ember::sql {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

DataFrameReader& DataFrameReader::format(const std::string& f) {
  format_ = lower(f);
  return *this;
}
DataFrameReader& DataFrameReader::option(const std::string& key, const std::string& value) {
  options_[lower(key)] = value;
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
  return DataFrame(&session_,
                   fileScan(format_, paths, options_, schema_.size() ? &schema_ : nullptr));
}

}  // namespace ember::sql
