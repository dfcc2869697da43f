#!/usr/bin/env bash
# End-to-end test of cluster mode (examples/cluster_check, real processes on loopback):
#  1. word count, a join and a three-shuffle job with a broadcast give byte-identical
#     output on local[2] and local-cluster[3,1,1024];
#  2. the same with authentication on (the driver makes up the secret);
#  3. a task that always fails gives up after ember.task.maxFailures attempts, and the
#     error names the stage, the partition, the executor and its host;
#  4. a malformed local-cluster master is refused with the expected form;
#  5. with TLS on (a self-signed certificate), the join output is the same.
# Usage: cluster_results.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: cluster_results.sh <build dir> <source dir>}" && pwd)
BIN="$BUILD/examples/cluster_check"
[[ -x "$BIN" ]] || { echo "FAIL: $BIN not built (ninja -C $BUILD cluster_check)"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-cluster.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
OPTS=(--conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false)

python3 - "$WORK/words.txt" <<'PY'
import random, sys
rng = random.Random(7)
words = ["w%d" % i for i in range(2000)] + ["été", "日本語", "x"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for _ in range(20000):
        f.write(" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) + "\n")
PY

compare() {  # name, args...
  local name=$1; shift
  "$BIN" --master 'local[2]' "${OPTS[@]}" "$@" > "$WORK/$name.local" || fail "$name on local[2]"
  for extra in "" "--conf ember.authenticate=true"; do
    # shellcheck disable=SC2086
    "$BIN" --master 'local-cluster[3,1,1024]' "${OPTS[@]}" $extra "$@" > "$WORK/$name.cluster" \
      2> "$WORK/$name.err" || { cat "$WORK/$name.err"; fail "$name on local-cluster ($extra)"; }
    cmp -s "$WORK/$name.local" "$WORK/$name.cluster" ||
      fail "$name: local-cluster output ($extra) differs from local[2]"
  done
  [[ -s "$WORK/$name.local" ]] || fail "$name: empty output"
  echo "ok: $name identical on local[2] and local-cluster[3,1,1024] ($(wc -l < "$WORK/$name.local") lines)"
}
compare wordcount wordcount "$WORK/words.txt"
compare join join 20000
compare heavy heavy 100000 9 0

# TLS with a self-signed certificate naming 127.0.0.1 (every RPC encrypted).
if command -v openssl > /dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 \
    -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2> /dev/null
  "$BIN" --master 'local-cluster[2,1,512]' "${OPTS[@]}" --conf ember.ssl.enabled=true \
    --conf ember.ssl.certFile="$WORK/cert.pem" --conf ember.ssl.keyFile="$WORK/key.pem" \
    --conf ember.authenticate=true join 20000 > "$WORK/join.tls" 2> "$WORK/tls.err" ||
    { cat "$WORK/tls.err"; fail "join over TLS failed"; }
  cmp -s "$WORK/join.local" "$WORK/join.tls" || fail "join over TLS differs from local[2]"
  echo "ok: join over TLS identical to local[2]"
fi

rc=0
"$BIN" --master 'local-cluster[2,1,512]' "${OPTS[@]}" --conf ember.task.maxFailures=3 fail \
  > /dev/null 2> "$WORK/fail.err" || rc=$?
(( rc == 1 )) || { cat "$WORK/fail.err"; fail "failing job exited with $rc, expected 1"; }
msg=$(grep 'cluster_check failed' "$WORK/fail.err" || true)
for want in "failed 3 times" "ember.task.maxFailures=3" "stage 0" "partition" "executor [01]" \
            "this task always fails" "host 127.0.0.1"; do
  grep -Eq "$want" <<< "$msg" || { echo "$msg"; fail "job error lacks '$want'"; }
done
echo "ok: an always-failing task gives up after 3 attempts with stage, task, executor and host"

rc=0
"$BIN" --master 'local-cluster[3,1]' "${OPTS[@]}" join 10 > /dev/null 2> "$WORK/bad.err" || rc=$?
(( rc != 0 )) && grep -q "local-cluster\[E,C,M\]" "$WORK/bad.err" ||
  { cat "$WORK/bad.err"; fail "malformed master not refused clearly"; }
echo "ok: malformed local-cluster master refused"
echo "PASS: cluster_results"
