#!/usr/bin/env bash
# End-to-end test of the event log and `ember history`:
#  1. examples/wordcount runs with the event log on (plain and zstd-compressed) and with
#     its UI on a free port; the log is renamed from .inprogress when the run ends;
#  2. `ember history --dir` serves both applications: the REST API lists them, the jobs
#     have the wordcount's shuffle stages with records, the pages render (jobs, a job's
#     DAG, a stage), unknown paths answer 404;
#  3. SIGTERM stops the history server promptly.
# Usage: ui_history.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: ui_history.sh <build dir> <source dir>}" && pwd)
SRC=$(cd "${2:?usage: ui_history.sh <build dir> <source dir>}" && pwd)
WC="$BUILD/examples/wordcount"
EMBER="$BUILD/apps/ember"
for b in "$WC" "$EMBER"; do
  [[ -x "$b" ]] || { echo "FAIL: $b not built (ninja -C $BUILD wordcount ember_cli)"; exit 1; }
done
command -v curl >/dev/null || { echo "FAIL: curl is needed"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-ui.XXXXXX")
HIST_PID=""
cleanup() {
  [[ -n "$HIST_PID" ]] && kill "$HIST_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
# Fetches a URL into a file first: `curl | grep -q` fails under pipefail when grep stops
# reading early (curl gets SIGPIPE).
page() { curl -sf "$1" > page.out || return 1; cat page.out; }

# A free port for the history server: let the kernel choose one and release it.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- 1. two runs with the event log ----------------------------------------------
for compress in false true; do
  "$WC" --master "local[2]" --name "wc-compress-$compress" \
    --conf ember.eventLog.enabled=true --conf "ember.eventLog.dir=$WORK/events" \
    --conf "ember.eventLog.compress=$compress" --conf ember.ui.port=0 \
    --conf ember.ui.showConsoleProgress=false \
    "$SRC/data/sample/" "$WORK/out-$compress" >"wc-$compress.log" 2>&1 ||
    { cat "wc-$compress.log"; fail "wordcount with the event log failed"; }
done
ls "$WORK/events"
[[ $(ls "$WORK/events" | wc -l) -eq 2 ]] || fail "expected 2 event logs"
compgen -G "$WORK/events/*.inprogress" >/dev/null && fail "an event log was left .inprogress"
plain=$(ls "$WORK/events" | grep -v '\.zst$')
zst=$(ls "$WORK/events" | grep '\.zst$')
head -n 1 "$WORK/events/$plain" > first.line
grep -q '"Event":"EnvironmentUpdate"' first.line ||
  fail "the plain log does not start with the environment"
grep -q '"Event":"TaskEnd"' "$WORK/events/$plain" || fail "no TaskEnd in the plain log"
if command -v zstd >/dev/null; then
  zstd -dc "$WORK/events/$zst" > unzstd.out || fail "the .zst log does not decompress"
  grep -q '"Event":"JobEnd"' unzstd.out || fail "no JobEnd in the .zst log"
fi

# ---- 2. the history server --------------------------------------------------------
PORT=$(free_port)
"$EMBER" history --dir "$WORK/events" --port "$PORT" >history.log 2>&1 &
HIST_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/applications" >/dev/null 2>&1 && break
  sleep 0.1
done
grep -q "Ember history server at http://127.0.0.1:$PORT (2 applications" history.log ||
  { cat history.log; fail "history server did not start"; }

api="http://127.0.0.1:$PORT/api/v1/applications"
curl -sf "$api" > apps.json
python3 - apps.json <<'PY' || fail "application list"
import json, sys
apps = json.load(open(sys.argv[1]))
names = sorted(a["name"] for a in apps)
assert names == ["wc-compress-false", "wc-compress-true"], names
assert all(a["attempts"][0]["completed"] for a in apps)
PY
for log in "$plain" "$zst"; do
  id=${log%.zst}
  curl -sf "$api/$id/jobs" > jobs.json
  curl -sf "$api/$id/stages" > stages.json
  python3 - jobs.json stages.json <<'PY' || fail "jobs/stages of $id"
import json, sys
jobs = json.load(open(sys.argv[1])); stages = json.load(open(sys.argv[2]))
assert len(jobs) >= 2 and all(j["status"] == "SUCCEEDED" for j in jobs), jobs
assert any(len(j["stageIds"]) == 2 for j in jobs), "no job with a shuffle"
assert sum(s["shuffleWriteRecords"] for s in stages) > 0
assert sum(s["inputRecords"] for s in stages) > 0, "textFile input records"
PY
  page "http://127.0.0.1:$PORT/history/$id/jobs/" >/dev/null && grep -q 'saveAsTextFile' page.out ||
    fail "jobs page of $id"
  page "http://127.0.0.1:$PORT/history/$id/jobs/job/?id=0" >/dev/null &&
    grep -q '<svg id="dag"' page.out || fail "DAG of $id"
  page "http://127.0.0.1:$PORT/history/$id/stages/stage/?id=0&attempt=0" >/dev/null &&
    grep -q '<svg id="timeline"' page.out || fail "stage page of $id"
  page "$api/$id/environment" >/dev/null && grep -q '"ember.eventLog.enabled"' page.out ||
    fail "environment of $id"
done
page "http://127.0.0.1:$PORT/" >/dev/null && grep -q 'wc-compress-true' page.out || fail "history index"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/history/none/jobs/")
[[ "$code" == 404 ]] || fail "unknown application answered $code"

# ---- 3. SIGTERM stops it ----------------------------------------------------------
kill -TERM "$HIST_PID"
for _ in $(seq 1 50); do kill -0 "$HIST_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$HIST_PID" 2>/dev/null && fail "history server ignored SIGTERM"
wait "$HIST_PID" || fail "history server exited with an error"
HIST_PID=""
echo "PASS: ui_history"
