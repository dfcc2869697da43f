#!/usr/bin/env bash
# End-to-end test of the standalone master's status page (real processes on loopback):
# `ember master --webui-port P` (P taken by another process: the next free port is used),
# one `ember worker`, one `ember submit` of examples/cluster_check; then "/" and "/json"
# list the worker (address, cores, memory, state, heartbeat) and the application (id,
# name, cores, executors, state FINISHED, duration); the submit says where the logs are.
# Usage: cluster_master_ui.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: cluster_master_ui.sh <build dir> <source dir>}" && pwd)
BIN="$BUILD/examples/cluster_check"
EMBER="$BUILD/apps/ember"
for b in "$BIN" "$EMBER"; do [[ -x "$b" ]] || { echo "FAIL: $b not built"; exit 1; }; done
command -v curl > /dev/null || { echo "FAIL: curl is needed"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-master-ui.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$WORK"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }
OPTS=(--conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false)
freePort() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
waitFor() {  # file, pattern
  for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "'$2' never appeared in $1"
}

# Something else holds the web UI port: the master takes the next free one.
busy=$(freePort)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(120)' "$busy" &
pids+=($!)
for _ in $(seq 100); do python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$busy" 2>/dev/null && break; sleep 0.05; done

port=$(freePort)
"$EMBER" master --port "$port" --webui-port "$busy" > "$WORK/master.log" 2>&1 &
pids+=($!)
waitFor "$WORK/master.log" "ember master web UI at http://127.0.0.1:"
ui=$(sed -n 's|.*web UI at \(http://[0-9.:]*\).*|\1|p' "$WORK/master.log")
[[ "$ui" != "http://127.0.0.1:$busy" ]] || fail "the master's web UI claims the busy port $busy"
echo "ok: web UI at $ui (port $busy was taken)"

"$EMBER" worker --master "ember://127.0.0.1:$port" --cores 2 --memory 768m --dir "$WORK/worker" \
  > "$WORK/worker.log" 2>&1 &
pids+=($!)
waitFor "$WORK/worker.log" "registered with"

curl -fsS "$ui/json" > "$WORK/before.json" || fail "GET /json failed"
python3 - "$WORK/before.json" <<'PY' || fail "/json before the application is wrong: $(cat "$WORK/before.json")"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["status"] == "ALIVE" and m["url"].startswith("ember://127.0.0.1:"), m
assert m["aliveworkers"] == 1 and m["cores"] == 2 and m["memory"] == 768, m
w = m["workers"][0]
assert w["host"] == "127.0.0.1" and w["cores"] == 2 and w["memory"] == 768, w
assert w["state"] == "ALIVE" and w["coresused"] == 0 and w["lastheartbeat"] > 0, w
assert m["activeapps"] == [] and m["completedapps"] == [], m
PY
echo "ok: /json lists the worker"

python3 -c 'print("\n".join("a b c d" for _ in range(2000)))' > "$WORK/words.txt"
"$EMBER" submit --master "ember://127.0.0.1:$port" --num-executors 2 --executor-cores 1 \
  --executor-memory 256m --conf ember.app.name=ui-check "${OPTS[@]}" \
  "$BIN" wordcount "$WORK/words.txt" > "$WORK/wc.out" 2> "$WORK/submit.log" || fail "submit failed"
grep -q "its logs: $WORK/worker/.*/stdout and stderr" "$WORK/submit.log" ||
  fail "submit did not print where the executor logs are"
echo "ok: the submit printed where the executor logs are"

curl -fsS "$ui/json" > "$WORK/after.json" || fail "GET /json failed"
python3 - "$WORK/after.json" <<'PY' || fail "/json after the application is wrong: $(cat "$WORK/after.json")"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["activeapps"] == [], m
(a,) = m["completedapps"]
assert a["name"] == "ui-check" and a["state"] == "FINISHED", a
assert a["id"] and a["memoryperexecutor"] == 256 and a["starttime"] > 0 and a["duration"] > 0, a
PY
echo "ok: /json lists the finished application"

curl -fsS "$ui/" > "$WORK/page.html" || fail "GET / failed"
for want in "Ember master at ember://127.0.0.1:$port" '<table[^>]*id="workers"' "127.0.0.1:[0-9]+" \
            "ALIVE" '<table[^>]*id="apps"' "ui-check" "FINISHED" "768"; do
  grep -Eq "$want" "$WORK/page.html" || fail "the status page lacks '$want'"
done
echo "ok: the status page lists the worker and the application"
echo "PASS: cluster_master_ui"
