// Monte Carlo estimate of pi: throw random points at the unit square and count those
// inside the quarter circle. Each partition has its own seeded generator, so the
// estimate is the same on every run with the same settings.
//
//   pi [--master local[N]] [--conf key=value ...] [SLICES] [POINTS_PER_SLICE]
#include <iostream>
#include <random>

#include "ember/ember.h"

int main(int argc, char** argv) {
  auto ctx = ember::Context::fromArgs(argc, argv, "[SLICES] [POINTS_PER_SLICE]");
  int slices = ctx->args().size() > 0 ? std::stoi(ctx->args()[0]) : 4;
  int64_t perSlice = ctx->args().size() > 1 ? std::stoll(ctx->args()[1]) : 1'000'000;
  try {
    int64_t inside = ctx->range(0, slices, 1, slices)
                         .map([perSlice](int64_t slice) {
                           std::mt19937_64 rng(static_cast<uint64_t>(slice) * 7919 + 1);
                           std::uniform_real_distribution<double> u(0.0, 1.0);
                           int64_t hits = 0;
                           for (int64_t i = 0; i < perSlice; ++i) {
                             double x = u(rng), y = u(rng);
                             hits += x * x + y * y <= 1.0;
                           }
                           return hits;
                         })
                         .reduce([](int64_t a, int64_t b) { return a + b; });
    double pi = 4.0 * static_cast<double>(inside) / static_cast<double>(slices * perSlice);
    std::cout << "Pi is roughly " << pi << " (" << slices * perSlice << " points)\n";
  } catch (const ember::EmberError& e) {
    std::cerr << "pi failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
