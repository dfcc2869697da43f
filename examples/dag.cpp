// The DAG example: two ranges, one doubled by a map, their union, a filter keeping
// even numbers and a seeded sample of half of them; prints the result and the lineage.
//
//   dag [--master local[N]] [--conf key=value ...]
#include <iostream>

#include "ember/ember.h"

int main(int argc, char** argv) {
  auto ctx = ember::Context::fromArgs(argc, argv);
  try {
    auto a = ctx->range(1, 10);
    auto b = ctx->range(10, 20).map([](int64_t x) { return x * 2; });
    auto sampled = a.union_(b).filter([](int64_t x) { return x % 2 == 0; }).sample(false, 0.5, 7);
    std::cout << "Result:";
    for (int64_t x : sampled.collect()) std::cout << " " << x;
    std::cout << "\n\nLineage:\n" << sampled.toDebugString() << "\n";
  } catch (const ember::EmberError& e) {
    std::cerr << "dag failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
