#!/usr/bin/env bash
# Installs what Ember needs (Debian 12), builds everything with warnings as errors,
# and runs every test (unit, SQL-free for now, end-to-end), printing how long the
# build and the tests took.
#   scripts/test.sh            RelWithDebInfo build in build/
#   scripts/test.sh --asan     AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
TYPE=RelWithDebInfo
BUILD=${BUILD_DIR:-build}
if [ "${1:-}" = "--asan" ]; then
  TYPE=Asan
  BUILD=${BUILD_DIR:-build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}  # LeakSanitizer needs ptrace, absent in some sandboxes
fi
jobs=$(nproc)
t0=$(date +%s)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="$TYPE" -DEMBER_WERROR=ON >/dev/null
ninja -C "$BUILD" -j "$jobs"
t1=$(date +%s)
echo "== build ($TYPE): $((t1 - t0)) s"
cd "$BUILD"
set +e
ctest --output-on-failure -j "$jobs" --timeout 900
rc=$?
set -e
t2=$(date +%s)
echo "== tests: $((t2 - t1)) s (build + tests: $((t2 - t0)) s)"
exit $rc
