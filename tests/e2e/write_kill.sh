#!/usr/bin/env bash
# A write killed mid-way (kill -9 of the driver while its tasks write) leaves the target
# exactly as it was: for a Parquet directory overwritten with INSERT OVERWRITE DIRECTORY,
# and for a feed (versioned table) overwritten with INSERT OVERWRITE. Then a new write
# succeeds and reads back complete.
# Usage: write_kill.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: write_kill.sh <build dir> <source dir>}" && pwd)
EMBER="$BUILD/apps/ember"
[[ -x "$EMBER" ]] || { echo "FAIL: $EMBER not built"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-write-kill.XXXXXX")
pid=
cleanup() { [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [[ -f $WORK/slow.err ]] && tail -5 "$WORK/slow.err"; exit 1; }
OPTS=(--master 'local[2]' --conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false
      --format csv)

# 3,000,000 rows (~60 MB): enough for the overwrite to take seconds.
python3 - "$WORK/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(3000000):
        f.write("%d,%d,name-%d\n" % (i, i % 97, i))
PY
VIEW="CREATE TEMPORARY VIEW big (id BIGINT, k INT, s STRING) USING csv OPTIONS (path '$WORK/big.csv');"
snapshot() { (cd "$1" && find . -type f | sort | xargs md5sum); }
count() { "$EMBER" sql "${OPTS[@]}" -e "$1" 2> "$WORK/count.err" | tail -1; }

# killWhile <condition> <sql>: starts the write, waits until `eval condition` holds (its
# staging output appeared), then kill -9s the driver (its tasks are threads of it).
killWhile() {
  "$EMBER" sql "${OPTS[@]}" -e "$2" > /dev/null 2> "$WORK/slow.err" &
  pid=$!
  for _ in $(seq 600); do
    eval "$1" && break
    kill -0 "$pid" 2>/dev/null || fail "the write ended before it could be killed"
    sleep 0.05
  done
  eval "$1" || fail "the write's output never appeared ($1)"
  sleep 0.1
  kill -9 "$pid" 2>/dev/null || fail "the write ended before it could be killed"
  wait "$pid" 2>/dev/null || true
  pid=
}

# 1. A Parquet directory.
"$EMBER" sql "${OPTS[@]}" -e "$VIEW INSERT OVERWRITE DIRECTORY '$WORK/dir' USING parquet
  SELECT * FROM big WHERE id < 1000" 2> "$WORK/first.err" || fail "first write failed"
before=$(snapshot "$WORK/dir")
killWhile 'compgen -G "$WORK/dir.ember-*" > /dev/null' "$VIEW INSERT OVERWRITE DIRECTORY '$WORK/dir' USING parquet SELECT * FROM big"
[[ "$(snapshot "$WORK/dir")" == "$before" ]] || fail "killed overwrite changed the Parquet directory"
[[ "$(count "SELECT count(*) FROM parquet.\`$WORK/dir\`")" == 1000 ]] || fail "Parquet directory unreadable after the kill"
echo "ok: a killed INSERT OVERWRITE DIRECTORY left the Parquet directory unchanged (1000 rows)"

# 2. A feed: the killed overwrite commits no version.
"$EMBER" sql "${OPTS[@]}" -e "$VIEW CREATE TABLE f USING feed LOCATION '$WORK/feed'
  AS SELECT * FROM big WHERE id < 500" 2> "$WORK/first.err" || fail "feed creation failed"
logBefore=$(ls "$WORK/feed/_feed_log")
parquetFiles() { find "$WORK/feed" -name '*.parquet' | wc -l; }
killWhile '(( $(parquetFiles) > 1 ))' "$VIEW INSERT OVERWRITE feed.\`$WORK/feed\` SELECT * FROM big"
[[ "$(ls "$WORK/feed/_feed_log")" == "$logBefore" ]] || fail "killed overwrite committed a feed version"
[[ "$(count "SELECT count(*), max(id) FROM feed.\`$WORK/feed\`")" == "500,499" ]] ||
  fail "feed does not read as before the kill"
echo "ok: a killed INSERT OVERWRITE of a feed committed nothing; the feed reads as before"

# 3. After the kills, new writes succeed.
"$EMBER" sql "${OPTS[@]}" -e "$VIEW INSERT OVERWRITE DIRECTORY '$WORK/dir' USING parquet
  SELECT * FROM big WHERE id < 2000" 2> "$WORK/again.err" || fail "write after the kill failed"
[[ "$(count "SELECT count(*) FROM parquet.\`$WORK/dir\`")" == 2000 ]] || fail "rewrite lost rows"
echo "ok: the next overwrite succeeds and reads back 2000 rows"
echo "PASS: write_kill"
