#!/usr/bin/env bash
# Browser test of the web UI (tests/ui/ui_browser_test.mjs): a real application with a
# running job (the unit test UiRest.RunningJobIsShownAndPagesRefresh, which holds its
# job while EMBER_UI_TEST_HOLD names a file) is opened in headless Chromium driven by
# playwright-core; screenshots go to $EMBER_UI_SCREENSHOTS or <build dir>/ui-screenshots.
# Skipped (exit 0, with the reason) when Chromium or Node is not installed or npm cannot
# install playwright-core from tests/ui/package-lock.json.
# Usage: ui_browser.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail

BUILD=$(cd "${1:?usage: ui_browser.sh <build dir> <source dir>}" && pwd)
SRC=$(cd "${2:?usage: ui_browser.sh <build dir> <source dir>}" && pwd)
# The quick single-file target when it was built, else the binary ctest runs.
TESTS="$BUILD/tests/unit_ui_rest_test"
[[ -x "$TESTS" ]] || TESTS="$BUILD/tests/ember_unit_tests"
[[ -x "$TESTS" ]] || { echo "FAIL: $TESTS not built (ninja -C $BUILD ember_unit_tests)"; exit 1; }
skip() { echo "SKIP: ui_browser: $*"; exit 0; }
fail() { echo "FAIL: ui_browser: $*"; exit 1; }

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$CHROMIUM" ]] || skip "$CHROMIUM is missing (Debian package chromium, scripts/install-deps.sh)"
command -v node >/dev/null || skip "node is missing"
UI="$SRC/tests/ui"
if [[ ! -d "$UI/node_modules/playwright-core" ]]; then
  command -v npm >/dev/null || skip "npm is missing"
  # From the lockfile only; without a reachable registry there is nothing to test with.
  (cd "$UI" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
    skip "npm could not install playwright-core (registry unreachable?)"
fi

OUT=${EMBER_UI_SCREENSHOTS:-$BUILD/ui-screenshots}
rm -rf "$OUT" && mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-browser.XXXXXX")
APP_PID=""
cleanup() {
  rm -f "$WORK/hold"
  if [[ -n "$APP_PID" ]]; then wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

EMBER_UI_TEST_HOLD="$WORK/hold" "$TESTS" --gtest_filter=UiRest.RunningJobIsShownAndPagesRefresh \
  >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 300); do
  [[ -s "$WORK/hold" ]] && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; fail "the application ended early"; }
  sleep 0.1
done
[[ -s "$WORK/hold" ]] || fail "the application did not start its UI"
PORT=$(head -1 "$WORK/hold")
status=0
node "$UI/ui_browser_test.mjs" "http://127.0.0.1:$PORT" "$OUT" || status=$?
rm -f "$WORK/hold"  # lets the held job finish
wait "$APP_PID" || { cat "$WORK/app.log"; fail "the application's test failed"; }
APP_PID=""
[[ $status -eq 0 ]] || fail "browser checks failed (screenshots so far in $OUT)"
for f in jobs job_dag stage; do [[ -s "$OUT/$f.png" ]] || fail "no screenshot $f.png"; done
echo "PASS: ui_browser (screenshots in $OUT)"
