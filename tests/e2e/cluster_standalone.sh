#!/usr/bin/env bash
# End-to-end test of the standalone cluster (real processes on loopback): `ember master`,
# two `ember worker`s, and `ember submit` of examples/cluster_check with 2 executors:
#  1. word count and a join give the output of local[2]; executors' logs are where the
#     submit output says;
#  2. with ember.authenticate on, a submit with a wrong secret is refused by the master,
#     nothing runs, and the master logs the refusal.
# Usage: cluster_standalone.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: cluster_standalone.sh <build dir> <source dir>}" && pwd)
BIN="$BUILD/examples/cluster_check"
EMBER="$BUILD/apps/ember"
for b in "$BIN" "$EMBER"; do [[ -x "$b" ]] || { echo "FAIL: $b not built"; exit 1; }; done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-standalone.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$WORK"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }
OPTS=(--conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false)
AUTH=(--conf ember.authenticate=true --conf ember.authenticate.secret=cluster-secret)
freePort() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
waitFor() {  # file, pattern
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "'$2' never appeared in $1"
}

python3 -c '
import random; r = random.Random(3)
print("\n".join(" ".join("w%d" % r.randint(0, 500) for _ in range(r.randint(0, 9))) for _ in range(5000)))' \
  > "$WORK/words.txt"
"$BIN" --master 'local[2]' "${OPTS[@]}" wordcount "$WORK/words.txt" > "$WORK/wc.expected"
"$BIN" --master 'local[2]' "${OPTS[@]}" join 3000 > "$WORK/join.expected"

port=$(freePort)
"$EMBER" master --port "$port" "${AUTH[@]}" > "$WORK/master.log" 2>&1 &
pids+=($!)
waitFor "$WORK/master.log" "ember master at ember://127.0.0.1:$port"
for w in 1 2; do
  "$EMBER" worker --master "ember://127.0.0.1:$port" --cores 1 --memory 512m --dir "$WORK/worker$w" \
    "${AUTH[@]}" > "$WORK/worker$w.log" 2>&1 &
  pids+=($!)
  waitFor "$WORK/worker$w.log" "registered with"
done

submit() {  # expected-file, conf..., -- app args
  "$EMBER" submit --master "ember://127.0.0.1:$port" --num-executors 2 --executor-cores 1 \
    --executor-memory 256m "$@"
}
submit "${AUTH[@]}" "${OPTS[@]}" "$BIN" wordcount "$WORK/words.txt" > "$WORK/wc.out" 2> "$WORK/submit.log" ||
  fail "word count submit failed"
cmp -s "$WORK/wc.expected" "$WORK/wc.out" || fail "word count on the standalone cluster differs from local[2]"
grep -q "executor 0 on worker-" "$WORK/submit.log" || fail "submit did not say where executor 0 runs"
ls "$WORK"/worker*/*/0/stderr > /dev/null 2>&1 || fail "no executor log directory on the workers"
echo "ok: word count identical on a standalone cluster (master + 2 workers) and local[2]"
submit "${AUTH[@]}" "${OPTS[@]}" "$BIN" join 3000 > "$WORK/join.out" 2> "$WORK/submit.log" ||
  fail "join submit failed"
cmp -s "$WORK/join.expected" "$WORK/join.out" || fail "join on the standalone cluster differs from local[2]"
echo "ok: join identical on a standalone cluster and local[2]"

rc=0
submit --conf ember.authenticate=true --conf ember.authenticate.secret=wrong "${OPTS[@]}" \
  "$BIN" join 3000 > "$WORK/bad.out" 2> "$WORK/bad.log" || rc=$?
(( rc != 0 )) || fail "a submit with a wrong secret succeeded"
[[ ! -s "$WORK/bad.out" ]] || fail "something ran with a wrong secret"
grep -q "UNAUTHENTICATED" "$WORK/bad.log" || fail "the refused submit does not say why"
grep -q "refused RequestExecutor from .*wrong secret" "$WORK/master.log" || fail "master did not log the refusal"
echo "ok: a submit with a wrong secret is refused and logged; nothing ran"
echo "PASS: cluster_standalone"
