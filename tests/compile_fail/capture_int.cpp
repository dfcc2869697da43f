// MUST COMPILE: the positive control of capture_string.cpp (same code, an int
// captured instead of a std::string), so that test cannot pass for another reason
// such as a wrong include path.
#include <string>

#include "ember/ember.h"

ember::RDD<std::string> addSuffix(const ember::RDD<int>& rdd) {
  int suffix = 1;
  return rdd.map([suffix](int x) { return std::to_string(x + suffix); });
}
