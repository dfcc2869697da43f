// The public API of Ember's core engine: include this one header.
//
//   auto ctx = ember::Context::fromArgs(argc, argv);
//   auto counts = ctx->textFile("in.txt")
//                     .flatMap([](std::string line) { return ember::splitWhitespace(line); })
//                     .map([](std::string w) { return std::make_pair(w, int64_t{1}); })
//                     .reduceByKey([](int64_t a, int64_t b) { return a + b; });
#pragma once

#include "ember/common/config.h"
#include "ember/common/errors.h"
#include "ember/core/accumulator.h"
#include "ember/core/broadcast.h"
#include "ember/core/context.h"
#include "ember/core/event_bus.h"
#include "ember/core/events.h"
#include "ember/rdd/rdd.h"
