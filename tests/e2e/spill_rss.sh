#!/usr/bin/env bash
# End-to-end test: shuffles over data at least 5x ember.executor.memory (64m) spill
# instead of growing, in a real process. For reduceByKey and sortBy, examples/spill_demo
# must print OK (it verifies its result), report spilled bytes > 0, and keep its peak RSS
# (getrusage ru_maxrss) within the budget plus a fixed margin.
# Usage: spill_rss.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: spill_rss.sh <build dir> <source dir>}" && pwd)
DEMO="$BUILD/examples/spill_demo"
[[ -x "$DEMO" ]] || { echo "FAIL: $DEMO not built (ninja -C $BUILD spill_demo)"; exit 1; }

BUDGET_MIB=64
MARGIN_MIB=${SPILL_RSS_MARGIN_MIB:-96}
LIMIT_KIB=$(((BUDGET_MIB + MARGIN_MIB) * 1024))
MIN_DATA_BYTES=$((5 * BUDGET_MIB * 1024 * 1024))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-spill.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
status=0

# mode, records: the engine's estimate of the in-memory data is >= 5 x 64 MiB
# (spill_demo prints it; checked below).
for run in "reduce 3000000" "sort 1700000"; do
  set -- $run
  mode=$1 n=$2
  log="$WORK/$mode.log"
  start=$(date +%s.%N)
  set +e
  "$DEMO" --master 'local[2]' --conf ember.executor.memory=${BUDGET_MIB}m \
    --conf ember.local.dir="$WORK" --conf ember.ui.showConsoleProgress=false "$mode" "$n" > "$log" 2>&1
  rc=$?
  set -e
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  get() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" "$log" | head -1; }
  data=$(get estimated_data_bytes) spilled=$(get spilled_bytes) rss=$(get peak_rss_kib)
  echo "$mode $n records: exit $rc, ${secs} s, data estimate $((${data:-0} / 1048576)) MiB," \
    "spilled $((${spilled:-0} / 1048576)) MiB, peak RSS $((${rss:-0} / 1024)) MiB" \
    "(limit $((LIMIT_KIB / 1024)) MiB), $(grep -o 'spill_MBps=[0-9.]*' "$log")"
  problems=()
  [[ $rc -eq 0 ]] && grep -qx OK "$log" || problems+=("no OK (exit $rc)")
  [[ ${data:-0} -ge $MIN_DATA_BYTES ]] || problems+=("data ${data:-?} B is less than 5x the budget")
  [[ ${spilled:-0} -gt 0 ]] || problems+=("nothing spilled")
  # Sanitizer builds keep freed memory in quarantine: RSS says nothing about Ember there.
  if [[ "${EMBER_BUILD_TYPE:-}" == Asan ]]; then
    echo "  (peak RSS not checked: AddressSanitizer build)"
  else
    [[ -n "$rss" && $rss -le $LIMIT_KIB ]] || problems+=("peak RSS ${rss:-?} KiB > $LIMIT_KIB KiB")
  fi
  if ((${#problems[@]})); then
    cat "$log"
    printf 'FAIL: %s: %s\n' "$mode" "${problems[@]}"
    status=1
  fi
done

leftover=$(find "$WORK" -mindepth 1 -not -name '*.log' | head -5)
[[ -z "$leftover" ]] || { echo "FAIL: scratch files left after exit: $leftover"; status=1; }

((status == 0)) && echo "PASS"
exit $status
