// Word count: the "hello world" of Ember.
//
//   wordcount [--master local[N]] [--conf key=value ...] INPUT OUTPUT_DIR
//
// Words are maximal runs of non-whitespace bytes (space, tab, CR, LF, VT, FF separate
// words; other bytes, UTF-8 included, pass through untouched). Writes
// "word<TAB>count" lines into OUTPUT_DIR/part-NNNNN, prints the 10 most frequent words
// and the stages the job ran.
#include <cstdio>
#include <iostream>

#include "ember/common/text.h"
#include "ember/ember.h"
#include "stage_report.h"


int main(int argc, char** argv) {
  auto ctx = ember::Context::fromArgs(argc, argv, "INPUT OUTPUT_DIR");
  if (ctx->args().size() != 2) {
    std::cerr << "usage: wordcount [--master local[N]] [--conf key=value ...] INPUT OUTPUT_DIR\n";
    return 2;
  }
  auto report = std::make_shared<examples::StageReport>();
  ctx->addListener(report);
  try {
    auto counts = ctx->textFile(ctx->args()[0])
                      .flatMap([](const std::string& line) { return ember::splitWhitespace(line); })
                      .map([](std::string w) { return std::make_pair(std::move(w), int64_t{1}); })
                      .reduceByKey([](int64_t a, int64_t b) { return a + b; });
    counts.map([](std::pair<std::string, int64_t> wc) { return wc.first + "\t" + std::to_string(wc.second); })
        .saveAsTextFile(ctx->args()[1]);

    auto byCount = [](const std::pair<std::string, int64_t>& a, const std::pair<std::string, int64_t>& b) {
      return a.second != b.second ? a.second < b.second : a.first > b.first;
    };
    std::cout << "Top 10 words:\n";
    for (const auto& [word, n] : counts.top(10, byCount)) std::cout << "  " << n << "\t" << word << "\n";
    std::cout << "\nLineage:\n" << counts.toDebugString() << "\n";
    report->print(ctx->eventBus(), std::cout);
  } catch (const ember::EmberError& e) {
    std::cerr << "wordcount failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
