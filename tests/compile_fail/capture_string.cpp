// MUST NOT COMPILE: a closure shipped to executors captures a std::string by value
// (not trivially copyable, no serialize/deserialize). The diagnostic must point the
// user at broadcast variables (EMBER_CHECK_CLOSURE in core/closure.h).
#include <string>

#include "ember/ember.h"

ember::RDD<std::string> addSuffix(const ember::RDD<int>& rdd) {
  std::string suffix = "!";
  return rdd.map([suffix](int x) { return std::to_string(x) + suffix; });
}
