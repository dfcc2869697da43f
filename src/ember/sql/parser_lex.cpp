// Tokeniser for the statement-level (Spark) layer and the pre-pass, plus position
// helpers. It only needs to find token boundaries correctly (strings, quoted names,
// comments); libpg-query does the real lexing of queries.
#include <cctype>

#include "ember/common/errors.h"
#include "ember/sql/parser.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql {

std::string describePosition(const std::string& sql, int offset) {
  if (offset < 0) return "";
  if (offset > static_cast<int>(sql.size())) offset = static_cast<int>(sql.size());
  int line = 1;
  size_t lineStart = 0;
  for (int i = 0; i < offset; ++i) {
    if (sql[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  }
  size_t lineEnd = sql.find('\n', lineStart);
  if (lineEnd == std::string::npos) lineEnd = sql.size();
  std::string text = sql.substr(lineStart, lineEnd - lineStart);
  for (auto& c : text)
    if (c == '\t') c = ' ';
  int column = offset - static_cast<int>(lineStart) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + "\n  " + text +
         "\n  " + std::string(column - 1, ' ') + "^";
}

namespace detail {

bool Token::is(const char* keyword) const {
  return kind == Word && equalsIgnoreCase(text, keyword);
}

void throwAt(const std::string& sql, int offset, const std::string& message) {
  if (offset < 0) throw UserError(message);
  std::string where = describePosition(sql, offset);
  size_t nl = where.find('\n');
  throw UserError(message + " (" + where.substr(0, nl) + ")" + where.substr(nl));
}

namespace {
bool isIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool isIdentChar(char c) {
  return isIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool isOpChar(char c) {
  return std::string_view("+-*/<>=~!@#%^&|?:").find(c) != std::string_view::npos;
}

// Reads a quoted run starting at sql[i] (the quote); doubled quotes escape a quote and,
// in strings, a backslash escapes the next character (Spark's string syntax).
std::string readQuoted(const std::string& sql, int& i, int end, char quote, bool backslash,
                       const char* what) {
  int start = i++;
  std::string out;
  while (true) {
    if (i >= end) throwAt(sql, start, std::string("unterminated ") + what);
    char c = sql[i];
    if (backslash && c == '\\' && i + 1 < end) {
      out += c;
      out += sql[i + 1];
      i += 2;
      continue;
    }
    if (c == quote) {
      if (i + 1 < end && sql[i + 1] == quote) {
        out += quote;
        i += 2;
        continue;
      }
      ++i;
      return out;
    }
    out += c;
    ++i;
  }
}
}  // namespace

std::vector<Token> tokenize(const std::string& sql, int begin, int end) {
  std::vector<Token> toks;
  int i = begin;
  while (i < end) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < end && sql[i + 1] == '-') {
      while (i < end && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < end && sql[i + 1] == '*') {
      int start = i;
      int depth = 0;  // PostgreSQL and Spark nest block comments
      do {
        if (i + 1 < end && sql[i] == '/' && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (i + 1 < end && sql[i] == '*' && sql[i + 1] == '/') {
          --depth;
          i += 2;
        } else if (i >= end) {
          throwAt(sql, start, "unterminated comment");
        } else {
          ++i;
        }
      } while (depth > 0);
      continue;
    }
    Token t;
    t.begin = i;
    if (c == '\'') {
      t.kind = Token::String;
      t.text = readQuoted(sql, i, end, '\'', true, "string literal");
    } else if (c == '"') {
      t.kind = Token::Quoted;
      t.text = readQuoted(sql, i, end, '"', false, "quoted identifier");
    } else if (c == '`') {
      t.kind = Token::Backtick;
      t.text = readQuoted(sql, i, end, '`', false, "backtick identifier");
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < end && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      t.kind = Token::Number;
      while (i < end && (std::isdigit(static_cast<unsigned char>(sql[i])) || sql[i] == '.')) ++i;
      if (i < end && (sql[i] == 'e' || sql[i] == 'E')) {
        int j = i + 1;
        if (j < end && (sql[j] == '+' || sql[j] == '-')) ++j;
        if (j < end && std::isdigit(static_cast<unsigned char>(sql[j]))) {
          i = j;
          while (i < end && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
        }
      }
      t.text = sql.substr(t.begin, i - t.begin);
    } else if (isIdentStart(c)) {
      t.kind = Token::Word;
      while (i < end && isIdentChar(sql[i])) ++i;
      t.text = sql.substr(t.begin, i - t.begin);
    } else if (isOpChar(c)) {
      t.kind = Token::Op;
      while (i < end && isOpChar(sql[i]) && !(sql[i] == '-' && i + 1 < end && sql[i + 1] == '-') &&
             !(sql[i] == '/' && i + 1 < end && sql[i + 1] == '*'))
        ++i;
      t.text = sql.substr(t.begin, i - t.begin);
    } else {
      t.kind = Token::Op;  // ( ) , ; . [ ] and anything else, one character each
      t.text = std::string(1, c);
      ++i;
    }
    t.end = i;
    toks.push_back(std::move(t));
  }
  Token e;
  e.kind = Token::End;
  e.begin = e.end = end;
  toks.push_back(e);
  return toks;
}

}  // namespace detail
}  // namespace ember::sql
