#!/usr/bin/env bash
# End-to-end test of examples/wordcount as a real process:
#  1. a generated text (tabs, CR/LF, UTF-8, empty lines, runs of spaces) counted with
#     local[1] and local[3] matches a reference computed with tr/sort/uniq;
#  2. the output directory has _SUCCESS;
#  3. writing again into the same output directory fails with a clear message and
#     leaves the existing output untouched;
#  4. a run killed with SIGKILL in the middle leaves no output directory (atomic commit).
# Usage: wordcount.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: wordcount.sh <build dir> <source dir>}" && pwd)
WC="$BUILD/examples/wordcount"
[[ -x "$WC" ]] || { echo "FAIL: $WC not built (ninja -C $BUILD wordcount)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-wordcount.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# ---- input: ~4 MB, deterministic ---------------------------------------------------
python3 - input.txt 4000000 <<'EOF'
import random, sys
path, size = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
words = ["alpha", "beta", "Gamma", "delta", "x", "été", "naïve", "日本語", "слово", "a-b",
         "don't", "42", "3.14", "UPPER", "lower", "ümlaut", "emoji😀", "semi;colon"] + \
        ["w%d" % i for i in range(3000)]
seps = [" ", " ", " ", "  ", "   ", "\t", " \t ", "\v", "\f"]
eols = ["\n", "\n", "\r\n", "\n\n", "\r\n\r\n", " \n", "\t\r\n"]
out = bytearray()
while len(out) < size:
    n = rng.randint(0, 14)
    line = "".join(rng.choice(words) + rng.choice(seps) for _ in range(n))
    if rng.random() < 0.1:
        line = "   " + line
    out += line.encode("utf-8") + rng.choice(eols).encode()
out += "no-final-newline word".encode()
open(path, "wb").write(bytes(out))
EOF
echo "input: $(wc -c < input.txt) bytes, $(wc -l < input.txt) lines"

# "word<TAB>count" lines, sorted, computed by coreutils.
reference() {
  tr -s ' \t\r\n\v\f' '\n' < "$1" | grep -v '^$' | sort | uniq -c | awk '{ print $2 "\t" $1 }' | sort
}
reference input.txt > expected.txt
echo "reference: $(wc -l < expected.txt) distinct words"

# ---- 1 + 2: correct counts with 1 and 3 slots -------------------------------------
for slots in 1 3; do
  out="out-$slots"
  t0=$(now)
  rc=0
  "$WC" --master "local[$slots]" --conf ember.ui.showConsoleProgress=false input.txt "$out" \
    > "log-$slots.txt" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || { cat "log-$slots.txt"; fail "wordcount local[$slots] exited $rc"; }
  echo "wordcount local[$slots]: $(elapsed "$t0") s"
  [[ -f "$out/_SUCCESS" ]] || fail "local[$slots]: $out/_SUCCESS missing"
  ls "$out"/part-* > /dev/null 2>&1 || fail "local[$slots]: no part files in $out"
  cat "$out"/part-* | sort > "got-$slots.txt"
  if ! cmp -s expected.txt "got-$slots.txt"; then
    diff expected.txt "got-$slots.txt" | head -20
    fail "local[$slots]: counts differ from the reference"
  fi
  echo "local[$slots]: $(wc -l < "got-$slots.txt") words match the reference"
done

# ---- 3: existing output directory ---------------------------------------------------
snapshot() { (cd "$1" && find . -type f -exec md5sum {} + | sort); }
before=$(snapshot out-1)
set +e
"$WC" --master 'local[2]' --conf ember.ui.showConsoleProgress=false input.txt out-1 > rerun.txt 2>&1
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "writing into an existing output directory succeeded"
grep -qi "already exists" rerun.txt || { cat rerun.txt; fail "no clear 'already exists' message"; }
grep -q "out-1" rerun.txt || { cat rerun.txt; fail "the message does not name the directory"; }
[[ "$(snapshot out-1)" == "$before" ]] || fail "the existing output was modified by the failed run"
echo "rerun on existing output: exit $rc, message: $(grep -i 'already exists' rerun.txt | head -1)"

# ---- 4: SIGKILL in the middle leaves no output directory ---------------------------
for _ in $(seq 24); do cat input.txt; done > big.txt
t0=$(now)
"$WC" --master 'local[2]' --conf ember.ui.showConsoleProgress=false big.txt out-big > big-log.txt 2>&1 &
pid=$!
# Wait until the save job has set up its staging dir (its map stage is reading the
# input), let it run a moment, then kill the process without warning.
staged=""
for _ in $(seq 1500); do
  staged=$(ls -d out-big.ember-staging-* 2>/dev/null | head -1 || true)
  [[ -n "$staged" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.02
done
[[ -n "$staged" ]] || { cat big-log.txt; fail "the run ended or never staged output before it could be killed"; }
sleep 0.3
kill -9 "$pid" 2>/dev/null || fail "process $pid already gone: input too small to kill it mid-run"
wait "$pid" 2>/dev/null || true
echo "killed wordcount after $(elapsed "$t0") s; staging dir held $(find "$staged" -type f 2>/dev/null | wc -l) files"
[[ ! -e out-big ]] || fail "a killed run left an output directory: $(ls out-big)"
echo "killed run: no output directory (left behind: $(ls -d out-big* 2>/dev/null | tr '\n' ' '))"

# A new run into the same path afterwards succeeds and gives the full result.
t0=$(now)
rc=0
"$WC" --master 'local[2]' --conf ember.ui.showConsoleProgress=false big.txt out-big > big-log2.txt 2>&1 || rc=$?
[[ $rc -eq 0 ]] || { cat big-log2.txt; fail "rerun after the kill exited $rc"; }
echo "rerun after kill: $(elapsed "$t0") s"
[[ -f out-big/_SUCCESS ]] || fail "rerun after the kill: no _SUCCESS"
cat out-big/part-* | sort > got-big.txt
reference big.txt > expected-big.txt
cmp -s expected-big.txt got-big.txt || fail "rerun after the kill: counts differ from the reference"

echo "PASS"
