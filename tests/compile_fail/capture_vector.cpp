// MUST NOT COMPILE: a reduceByKey function capturing a std::vector by value. Same
// rule as capture_string.cpp, through another operation (the check is per operation).
#include <utility>
#include <vector>

#include "ember/ember.h"

ember::RDD<std::pair<int, int>> weightedSum(const ember::RDD<std::pair<int, int>>& rdd) {
  std::vector<int> weights{1, 2, 3};
  return rdd.reduceByKey([weights](int a, int b) { return a + b * weights[0]; });
}
