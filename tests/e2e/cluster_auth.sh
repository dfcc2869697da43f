#!/usr/bin/env bash
# End-to-end test of cluster authentication (examples/cluster_check, real processes on
# loopback). A driver with ember.authenticate on waits for one executor started by hand
# (master external[1]), as under Kubernetes:
#  1. executors with a wrong secret, or none, are refused (they exit 1 saying so, the
#     driver logs each refusal), nothing runs, and the driver gives up with a clear error;
#  2. an executor with the right secret is accepted and the job's output is that of
#     local[2]; the executor exits 0 when the driver stops it.
# Usage: cluster_auth.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: cluster_auth.sh <build dir> <source dir>}" && pwd)
BIN="$BUILD/examples/cluster_check"
[[ -x "$BIN" ]] || { echo "FAIL: $BIN not built (ninja -C $BUILD cluster_check)"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-cluster-auth.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
OPTS=(--conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false)
freePort() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
waitListening() {  # port
  for _ in $(seq 100); do
    python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $1)))" && return 0
    sleep 0.05
  done
  fail "driver never listened on port $1"
}
startDriver() {  # port, timeout
  "$BIN" --master 'external[1]' "${OPTS[@]}" --conf ember.authenticate=true \
    --conf ember.authenticate.secret=right-secret --conf ember.driver.port="$1" \
    --conf ember.cluster.registrationTimeout="$2" join 300 > "$WORK/driver.out" 2> "$WORK/driver.err" &
  driver=$!
  waitListening "$1"
}
executor() {  # port, secret env assignment or "" for none
  env -u EMBER_EXECUTOR_AUTH_SECRET EMBER_EXECUTOR_DRIVER_URL="127.0.0.1:$1" $2 \
    "$BIN" join 300 > "$WORK/exec.out" 2> "$WORK/exec.err"
}

"$BIN" --master 'local[2]' "${OPTS[@]}" join 300 > "$WORK/expected.txt"

# 1. wrong or missing secret
port=$(freePort)
startDriver "$port" 3s
rc=0; executor "$port" EMBER_EXECUTOR_AUTH_SECRET=wrong-secret || rc=$?
(( rc == 1 )) && grep -q "refused the registration: UNAUTHENTICATED" "$WORK/exec.err" ||
  { cat "$WORK/exec.err"; fail "executor with a wrong secret: exit $rc"; }
rc=0; executor "$port" "" || rc=$?
(( rc == 1 )) && grep -q "UNAUTHENTICATED" "$WORK/exec.err" ||
  { cat "$WORK/exec.err"; fail "executor without a secret: exit $rc"; }
rc=0; wait "$driver" || rc=$?
(( rc == 1 )) || { cat "$WORK/driver.err"; fail "driver without executors exited $rc, expected 1"; }
[[ ! -s "$WORK/driver.out" ]] || fail "something ran without an accepted executor"
[[ $(grep -c "refused RegisterExecutor from .*: wrong secret" "$WORK/driver.err") == 1 ]] ||
  { cat "$WORK/driver.err"; fail "driver did not log the wrong secret"; }
grep -q "refused RegisterExecutor from .*: no secret" "$WORK/driver.err" ||
  { cat "$WORK/driver.err"; fail "driver did not log the missing secret"; }
grep -q "only 0 of 1 executors registered" "$WORK/driver.err" ||
  { cat "$WORK/driver.err"; fail "driver error does not say why nothing ran"; }
echo "ok: executors with a wrong or no secret refused and logged; nothing ran"

# 2. the right secret
port=$(freePort)
startDriver "$port" 20s
rc=0; executor "$port" EMBER_EXECUTOR_AUTH_SECRET=right-secret || rc=$?
(( rc == 0 )) || { cat "$WORK/exec.err"; fail "accepted executor exited $rc"; }
rc=0; wait "$driver" || rc=$?
(( rc == 0 )) || { cat "$WORK/driver.err"; fail "driver exited $rc"; }
cmp -s "$WORK/expected.txt" "$WORK/driver.out" || fail "output differs from local[2]"
[[ ! -s "$WORK/exec.out" ]] || fail "the executor printed the application's output"
echo "ok: executor with the right secret accepted; output identical to local[2]"
echo "PASS: cluster_auth"
