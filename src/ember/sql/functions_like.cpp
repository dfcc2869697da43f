// LIKE / ILIKE / RLIKE and the regexp functions. A literal pattern is compiled once at
// bind time: LIKE patterns made of literals and '%' only (the common case: 'abc%',
// '%abc', '%a%b%') run as prefix / suffix / ordered substring searches without a regex
// engine; patterns with '_' and ILIKE go to RE2. Regular expressions use RE2 syntax
// (Spark uses Java's: backreferences and lookaround are not available).
#include <re2/re2.h>

#include <memory>

#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

std::shared_ptr<const RE2> compileRegex(const std::string& fn, const std::string& pattern,
                                        bool caseInsensitive = false) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);
  o.set_case_sensitive(!caseInsensitive);
  auto re = std::make_shared<const RE2>(pattern, o);
  if (!re->ok())
    throw UserError(fn + ": invalid regular expression '" + pattern + "': " + re->error());
  return re;
}

class LikeMatcher {
 public:
  LikeMatcher(std::string_view pattern, char escape, bool ci) {
    // Tokenise: literal runs separated by '%'; '_' forces the regex path.
    std::string regex = "(?s)";
    std::string cur;
    bool underscore = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
      char c = pattern[i];
      if (c == escape && i + 1 < pattern.size()) {
        cur += pattern[++i];
        regex += RE2::QuoteMeta(std::string(1, pattern[i]));
      } else if (c == '%') {
        segments_.push_back(std::move(cur));
        cur.clear();
        regex += ".*";
      } else if (c == '_') {
        underscore = true;
        regex += ".";
      } else {
        cur += c;
        regex += RE2::QuoteMeta(std::string(1, c));
      }
    }
    segments_.push_back(std::move(cur));
    if (underscore || ci) {
      // RE2 matches UTF-8 code points, so '_' is one character, not one byte.
      re_ = compileRegex(ci ? "ilike" : "like", regex, ci);
      segments_.clear();
    }
  }

  bool match(std::string_view s) const {
    if (re_) return RE2::FullMatch(s, *re_);
    if (segments_.size() == 1) return s == segments_[0];
    const std::string& first = segments_.front();
    const std::string& last = segments_.back();
    if (s.size() < first.size() + last.size() || !s.starts_with(first) || !s.ends_with(last))
      return false;
    // Middle segments in order, leftmost first (greedy is optimal for '%'-only patterns).
    size_t pos = first.size(), end = s.size() - last.size();
    for (size_t k = 1; k + 1 < segments_.size(); ++k) {
      const std::string& seg = segments_[k];
      if (seg.empty()) continue;
      size_t at = s.substr(0, end).find(seg, pos);
      if (at == std::string_view::npos) return false;
      pos = at + seg.size();
    }
    return true;
  }

 private:
  std::vector<std::string> segments_;
  std::shared_ptr<const RE2> re_;
};

char escapeOf(const std::string& fn, std::string_view e) {
  if (e.size() != 1)
    throw UserError(fn + ": the escape must be one character, got '" + std::string(e) + "'");
  return e[0];
}

// Boolean matcher over rows: `m` for a literal pattern, else one compiled per distinct
// pattern value (cached while consecutive rows repeat it).
template <class Compile, class Match>
ColumnPtr matchRows(std::span<const ColumnPtr> args, int64_t rows, Compile compile, Match match) {
  return fixedRows<uint8_t>(DataType::boolean(), args, rows,
                            [&, last = std::string(), m = decltype(compile(RowArgs(args), 0))()](
                                const RowArgs& a, int64_t i, uint8_t& o) mutable {
                              std::string_view p = a.str(1, i);
                              if (!m || p != last) {
                                m = compile(a, i);
                                last = std::string(p);
                              }
                              o = match(*m, a.str(0, i));
                              return true;
                            });
}

BoundFunction bindLike(bool ci, std::span<const DataType> types,
                       std::span<const std::optional<Value>> lits) {
  std::string name = ci ? "ilike" : "like";
  checkArity(name, types, 2, 3);
  for (const auto& t : types)
    if (!implicitlyCastable(t, DataType::string()))
      bindError(name, "expects string arguments, got " + typeList(types));
  char escape = '\\';
  bool escapeLiteral = types.size() < 3 || lits[2];
  if (types.size() == 3 && lits[2] && !lits[2]->isNull())
    escape = escapeOf(name, lits[2]->asString());
  std::vector<DataType> argTypes(types.size(), DataType::string());
  ScalarKernel k;
  if (lits[1] && escapeLiteral) {
    if (lits[1]->isNull() || (types.size() == 3 && lits[2]->isNull())) {
      k = [](std::span<const ColumnPtr>, int64_t rows) {
        return Column::nulls(DataType::boolean(), rows);
      };
    } else {
      auto m = std::make_shared<const LikeMatcher>(lits[1]->asString(), escape, ci);
      k = [m](std::span<const ColumnPtr> args, int64_t rows) {
        ColumnPtr out = makeResult(DataType::boolean(), args.subspan(0, 1), rows);
        uint8_t* o = out->mutableValues<uint8_t>();
        const Column& s = *args[0];
        for (int64_t i = 0; i < rows; ++i) o[i] = m->match(s.stringAt(i));
        return out;
      };
    }
  } else {
    k = [ci, name](std::span<const ColumnPtr> args, int64_t rows) {
      return matchRows(
          args, rows,
          [&](const RowArgs& a, int64_t i) {
            char e = a.cols.size() == 3 ? escapeOf(name, a.str(2, i)) : '\\';
            return std::make_shared<const LikeMatcher>(a.str(1, i), e, ci);
          },
          [](const LikeMatcher& m, std::string_view s) { return m.match(s); });
    };
  }
  return {DataType::boolean(), true, argTypes, k};
}

BoundFunction bindRlike(std::span<const DataType> types,
                        std::span<const std::optional<Value>> lits) {
  checkArity("rlike", types, 2, 2);
  std::vector<DataType> argTypes(2, DataType::string());
  if (lits[1] && !lits[1]->isNull()) {
    auto re = compileRegex("rlike", lits[1]->asString());
    return {DataType::boolean(), true, argTypes,
            [re](std::span<const ColumnPtr> args, int64_t rows) {
              ColumnPtr out = makeResult(DataType::boolean(), args.subspan(0, 1), rows);
              uint8_t* o = out->mutableValues<uint8_t>();
              const Column& s = *args[0];
              for (int64_t i = 0; i < rows; ++i) {
                std::string_view v = s.stringAt(i);
                o[i] = RE2::PartialMatch(v, *re);
              }
              return out;
            }};
  }
  return {DataType::boolean(), true, argTypes, [](std::span<const ColumnPtr> args, int64_t rows) {
            return matchRows(
                args, rows,
                [](const RowArgs& a, int64_t i) {
                  return compileRegex("rlike", std::string(a.str(1, i)));
                },
                [](const RE2& re, std::string_view s) { return RE2::PartialMatch(s, re); });
          }};
}

// Java's replacement syntax ($1, \$) to RE2's rewrite syntax (\1, $).
std::string toRe2Rewrite(std::string_view rep) {
  std::string out;
  for (size_t i = 0; i < rep.size(); ++i) {
    char c = rep[i];
    if (c == '\\' && i + 1 < rep.size()) {
      char n = rep[++i];
      if (n == '\\')
        out += "\\\\";
      else
        out += n;
    } else if (c == '$' && i + 1 < rep.size() && rep[i + 1] >= '0' && rep[i + 1] <= '9') {
      out += '\\';
      out += rep[++i];
    } else {
      out += c;
    }
  }
  return out;
}

// Regex cache shared by regexp_extract / regexp_replace for non-literal patterns.
struct RegexSource {
  std::shared_ptr<const RE2> literal;
  std::string fn;
  mutable std::string last;
  mutable std::shared_ptr<const RE2> cached;
  const RE2& get(std::string_view p) const {
    if (literal) return *literal;
    if (!cached || p != last) {
      cached = compileRegex(fn, std::string(p));
      last = std::string(p);
    }
    return *cached;
  }
};

RegexSource regexSource(const std::string& fn, std::span<const std::optional<Value>> lits) {
  RegexSource s;
  s.fn = fn;
  if (lits.size() > 1 && lits[1] && !lits[1]->isNull())
    s.literal = compileRegex(fn, lits[1]->asString());
  return s;
}

BoundFunction bindExtract(std::span<const DataType> types,
                          std::span<const std::optional<Value>> lits) {
  checkArity("regexp_extract", types, 2, 3);
  RegexSource src = regexSource("regexp_extract", lits);
  if (src.literal && types.size() == 3 && lits[2] && !lits[2]->isNull()) {
    int64_t idx = lits[2]->asInt64();
    if (idx < 0 || idx > src.literal->NumberOfCapturingGroups())
      bindError("regexp_extract", "group index " + std::to_string(idx) +
                                      " is out of range: the "
                                      "pattern has " +
                                      std::to_string(src.literal->NumberOfCapturingGroups()) +
                                      " group(s)");
  }
  std::vector<DataType> argTypes = {DataType::string(), DataType::string()};
  if (types.size() == 3) argTypes.push_back(DataType::int32());
  ScalarKernel k = [src](std::span<const ColumnPtr> args, int64_t rows) {
    RegexSource local = src;  // per-call cache: kernels run concurrently
    return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
      const RE2& re = local.get(a.str(1, i));
      int idx = a.cols.size() == 3 ? a.val<int32_t>(2, i) : 1;
      int groups = re.NumberOfCapturingGroups();
      if (idx < 0 || idx > groups)
        throw UserError("regexp_extract: group index " + std::to_string(idx) +
                        " is out of range for a pattern with " + std::to_string(groups) +
                        " group(s)");
      std::vector<re2::StringPiece> m(static_cast<size_t>(groups) + 1);
      std::string_view s = a.str(0, i);
      if (!re.Match(s, 0, s.size(), RE2::UNANCHORED, m.data(), groups + 1))
        b.append("");
      else
        b.append(std::string_view(m[static_cast<size_t>(idx)].data(),
                                  m[static_cast<size_t>(idx)].size()));
    });
  };
  return {DataType::string(), true, argTypes, k};
}

BoundFunction bindReplace(std::span<const DataType> types,
                          std::span<const std::optional<Value>> lits) {
  checkArity("regexp_replace", types, 3, 4);
  RegexSource src = regexSource("regexp_replace", lits);
  std::vector<DataType> argTypes(3, DataType::string());
  if (types.size() == 4) argTypes.push_back(DataType::int32());
  ScalarKernel k = [src](std::span<const ColumnPtr> args, int64_t rows) {
    RegexSource local = src;
    return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
      const RE2& re = local.get(a.str(1, i));
      std::string_view s = a.str(0, i);
      int32_t pos = a.cols.size() == 4 ? a.val<int32_t>(3, i) : 1;
      if (pos < 1)
        throw UserError("regexp_replace: position must be at least 1, got " + std::to_string(pos));
      size_t start = utf8Offset(s, pos - 1);
      std::string rest(s.substr(start));
      RE2::GlobalReplace(&rest, re, toRe2Rewrite(a.str(2, i)));
      std::string out(s.substr(0, start));
      out += rest;
      b.append(out);
    });
  };
  return {DataType::string(), true, argTypes, k};
}

}  // namespace

void registerLike(FunctionRegistry& r) {
  using Lits = std::span<const std::optional<Value>>;
  r.add(withBind("like", {}, "str LIKE pattern [ESCAPE e] - '%' any run, '_' one character",
                 [](std::span<const DataType> t, Lits l) { return bindLike(false, t, l); }));
  r.add(withBind("ilike", {}, "str ILIKE pattern [ESCAPE e] - case-insensitive LIKE",
                 [](std::span<const DataType> t, Lits l) { return bindLike(true, t, l); }));
  r.add(withBind("rlike", {"regexp", "regexp_like"},
                 "str RLIKE regex - whether the regex matches part of str", bindRlike));
  r.add(withBind("regexp_extract", {},
                 "regexp_extract(str, regex[, idx]) - group idx (default 1) of the first match, "
                 "'' if none",
                 bindExtract));
  r.add(withBind("regexp_replace", {},
                 "regexp_replace(str, regex, rep[, pos]) - every match replaced ($1 = group 1)",
                 bindReplace));
}

}  // namespace ember::sql::fn
