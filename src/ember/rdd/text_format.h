// How records are written as text (saveAsTextFile) and printed: strings as they are,
// numbers in their shortest exact form, pairs and tuples as Spark prints them:
// "(word,3)".
#pragma once

#include <fmt/core.h>

#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ember {

template <class T>
void appendText(std::string& out, const T& v);

template <class T>
struct TextFormat {
  static void append(std::string& out, const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      out += v ? "true" : "false";
    } else if constexpr (std::is_same_v<T, char>) {
      out += v;
    } else if constexpr (std::is_arithmetic_v<T>) {
      out += fmt::format("{}", v);
    } else if constexpr (requires { out += v.toString(); }) {
      out += v.toString();
    } else {
      static_assert(std::is_arithmetic_v<T>,
                    "Ember: no text form for this type; give it a `std::string toString() const` "
                    "member or map the records to strings first");
    }
  }
};

template <>
struct TextFormat<std::string> {
  static void append(std::string& out, const std::string& v) { out += v; }
};

template <class A, class B>
struct TextFormat<std::pair<A, B>> {
  static void append(std::string& out, const std::pair<A, B>& v) {
    out += '(';
    appendText(out, v.first);
    out += ',';
    appendText(out, v.second);
    out += ')';
  }
};

template <class... Ts>
struct TextFormat<std::tuple<Ts...>> {
  static void append(std::string& out, const std::tuple<Ts...>& v) {
    out += '(';
    bool first = true;
    std::apply([&](const Ts&... xs) { ((out += first ? "" : ",", first = false, appendText(out, xs)), ...); }, v);
    out += ')';
  }
};

template <class T>
struct TextFormat<std::vector<T>> {
  static void append(std::string& out, const std::vector<T>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      appendText(out, v[i]);
    }
    out += ']';
  }
};

template <class T>
struct TextFormat<std::optional<T>> {
  static void append(std::string& out, const std::optional<T>& v) {
    if (v) {
      out += "Some(";
      appendText(out, *v);
      out += ')';
    } else {
      out += "None";
    }
  }
};

template <class T>
void appendText(std::string& out, const T& v) {
  TextFormat<T>::append(out, v);
}

template <class T>
std::string toText(const T& v) {
  std::string s;
  appendText(s, v);
  return s;
}

}  // namespace ember
