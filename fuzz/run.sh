#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan + UBSan) and runs each for N seconds on its
# seed corpus (fuzz/corpus/<format>/, the small test fixtures) plus a working corpus outside
# the repository ($EMBER_FUZZ_BUILD/corpus/<format>, which keeps the inputs found between
# runs). Crashes are written to fuzz/artifacts/<format>/ (add fixed ones to fuzz/corpus).
# Usage: fuzz/run.sh [seconds per harness, default 60] [harness names: csv parquet json]
# Needs clang++ with libFuzzer (Debian: clang, libfuzzer-14-dev or the clang runtime).
set -euo pipefail
SECONDS_EACH=${1:-60}
shift || true
HARNESSES=("$@")
[ ${#HARNESSES[@]} -gt 0 ] || HARNESSES=(csv parquet json)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${EMBER_FUZZ_BUILD:-/tmp/ember-fuzz-build}
CXX=${CXX_FUZZ:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz/run.sh: $CXX not found (apt-get install clang)"; exit 1; }
mkdir -p "$OUT/obj"
FLAGS=(-std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -I"$ROOT/src")
SOURCES=("$ROOT"/src/ember/io/*.cpp "$ROOT"/src/ember/columnar/*.cpp "$ROOT"/src/ember/common/errors.cpp "$ROOT"/src/ember/common/hash.cpp)
OBJS=()
for s in "${SOURCES[@]}"; do
  o="$OUT/obj/$(basename "$(dirname "$s")")_$(basename "${s%.cpp}").o"
  if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$ROOT/src/ember/io/file_format.h" -nt "$o" ]; then
    "$CXX" "${FLAGS[@]}" -c "$s" -o "$o"
  fi
  OBJS+=("$o")
done
LIBS=(-lfmt -lxxhash -lzstd -lz -lsnappy -lsimdjson -lpthread)
status=0
for h in "${HARNESSES[@]}"; do
  [ -f "$ROOT/fuzz/${h}_fuzz.cpp" ] || { echo "no harness fuzz/${h}_fuzz.cpp"; exit 1; }
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "$ROOT/fuzz/${h}_fuzz.cpp" "${OBJS[@]}" "${LIBS[@]}" -o "$OUT/${h}_fuzz"
  mkdir -p "$ROOT/fuzz/corpus/$h" "$ROOT/fuzz/artifacts/$h" "$OUT/corpus/$h"
  echo "== fuzzing $h for ${SECONDS_EACH}s"
  if ! "$OUT/${h}_fuzz" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -max_len=65536 -timeout=20 \
      -artifact_prefix="$ROOT/fuzz/artifacts/$h/" "$OUT/corpus/$h" "$ROOT/fuzz/corpus/$h" 2>"$OUT/${h}.log"; then
    echo "!! $h: crash; see $OUT/${h}.log and fuzz/artifacts/$h/"
    status=1
  fi
  grep -E "^#[0-9]+.*(DONE|pulse)" "$OUT/${h}.log" | tail -1 || true
done
exit $status
