#!/usr/bin/env bash
# Ember's benchmarks, side by side with the peer engines of ../shared/peers.
# usage: bench/run.sh [wordcount] [scheduler] [spill] [quick] [ui]   (default: wordcount scheduler spill)
#   wordcount  1 GiB corpus: Ember local[1] and local[2], the reference counter
#              (../shared/peers/limit/wordcount.cpp, -O3 -march=native) at 1 and 2 threads,
#              DuckDB 2 and 1 threads, Polars 2 threads (in-memory and streaming engines),
#              dask.bag 2 processes, coreutils tr|sort|uniq -c (and mawk, which shell.sh also runs)
#   scheduler  Ember: 10,000 and 100,000 empty tasks in local[1] and local[2]; dask scheduler peer
#   spill      Ember: sortBy and reduceByKey of ~400 MB generated records with a 64m budget
#   quick      wordcount with Ember, DuckDB and the reference counter only (re-runs)
#   ui         Ember: 100,000 tiny tasks in local[2] with the web UI and event log on vs off
# env: REPS=3 (runs per measurement; a first run > SLOW=30 s is not repeated)
#      TIMEOUT=900 (per command)  JOBS=1 (ninja -j)  OUTDIR=bench/out/<date-time>
# Everything generated lives in git-ignored folders: bench/data/ (corpus, compiled
# generator and reference counter), bench/peers/ (npm install of the peers, copies of their
# scripts and their check files), build-bench/ (Release build), bench/out/ (results).
# Results: $OUTDIR/wordcount.csv (peer,workload,query,threads,seconds[,distinct,total]),
# scheduler.csv, spill.csv, *.runs (every run), load.txt (uptime at start and end), log.txt.
set -uo pipefail
cd "$(dirname "$0")/.."  # the repository root
ROOT=$PWD
SHARED=$ROOT/../shared/peers
DATA=$ROOT/bench/data
PEERS=$ROOT/bench/peers
BUILD=$ROOT/build-bench
OUTDIR=${OUTDIR:-$ROOT/bench/out/$(date +%Y-%m-%d-%H%M)}
TIMEOUT=${TIMEOUT:-900}
JOBS=${JOBS:-1}
export REPS=${REPS:-3} SLOW=${SLOW:-30}
PY=/usr/bin/python3 # Debian's dask/pandas are for this python, not the pyenv one on PATH
CORPUS=$DATA/wordcount/corpus.txt
CORPUS_BYTES=1073741877 WORDS=200141375 DISTINCT=999772 # ../shared/peers/README.md
mkdir -p "$OUTDIR"
LOG=$OUTDIR/log.txt

say() { echo "$*" | tee -a "$LOG"; }
load() { say "load $1: $(uptime)"; echo "$1: $(uptime)" >> "$OUTDIR/load.txt"; }
run() { # run <csv> <command ...>: command output goes to the log; failures are recorded
  local csv=$1
  shift
  say ">> $*"
  timeout "$TIMEOUT" "$@" 2>&1 | tee -a "$LOG"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || say "$(date -Is) rc=$rc (124 = timeout): $*" | tee -a "$OUTDIR/errors.txt"
  return 0
}

ensure_data() {
  mkdir -p "$DATA/bin" "$DATA/wordcount"
  if [ "$(stat -c %s "$CORPUS" 2>/dev/null)" != "$CORPUS_BYTES" ]; then
    say "generating $CORPUS (about a minute)"
    cc -O2 -ffp-contract=off -o "$DATA/bin/corpus" "$SHARED/gen/corpus.c" -lm
    "$DATA/bin/corpus" 1073741824 1000000 1.1 42 > "$CORPUS"
  fi
  if [ ! -x "$DATA/bin/wordcount_ref" ] || [ "$SHARED/limit/wordcount.cpp" -nt "$DATA/bin/wordcount_ref" ]; then
    g++ -O3 -march=native -std=c++20 -pthread "$SHARED/limit/wordcount.cpp" -o "$DATA/bin/wordcount_ref"
  fi
}

ensure_build() {
  [ -f "$BUILD/build.ninja" ] ||
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_TESTS=OFF > /dev/null
  ninja -C "$BUILD" -j"$JOBS" wordcount_bench scheduler_bench spill_bench ui_overhead_bench || exit 1
}

ensure_peers() {
  mkdir -p "$PEERS"
  # Copies, so that module resolution (bench/peers/node_modules) and the check files the
  # scripts write (<their root>/results/check) stay out of the read-only ../shared.
  if ! cmp -s "$SHARED/package-lock.json" "$PEERS/package-lock.json" || [ ! -d "$PEERS/node_modules" ]; then
    cp "$SHARED/package.json" "$SHARED/package-lock.json" "$PEERS/"
    (cd "$PEERS" && npm install --no-audit --no-fund) || exit 1 # not `npm ci`: see the peers README
  fi
  rm -rf "$PEERS/bench" "$PEERS/queries"
  cp -r "$SHARED/bench" "$SHARED/queries" "$PEERS/"
  chmod -R u+w "$PEERS/bench" "$PEERS/queries"
  if ! $PY -c 'import dask.bag, distributed, pandas' 2> /dev/null; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
      python3-dask python3-distributed python3-pandas python3-numpy || exit 1
  fi
}

# reference <threads>: the hand-written counter, median of REPS (one run if the first > SLOW)
reference() {
  local t=$1 runs=() out t0 t1 i
  for ((i = 0; i < REPS; i++)); do
    t0=$(date +%s.%N)
    out=$("$DATA/bin/wordcount_ref" "$CORPUS" "$t")
    t1=$(date +%s.%N)
    runs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    say "reference $t threads run $((i + 1)): ${runs[-1]} s: $out"
    awk -v r="${runs[0]}" -v s="$SLOW" 'BEGIN { exit !(r > s) }' && break
  done
  set -- $out # distinct total top-word top-count
  local med
  med=$(printf '%s\n' "${runs[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "reference,wordcount,wordcount,$t,$med,$1,$2" | tee -a "$WC"
  echo "reference,wordcount,wordcount,$t,$med,$(IFS=';'; echo "${runs[*]}")" >> "$WC.runs"
  [ "$1" = "$DISTINCT" ] && [ "$2" = "$WORDS" ] || say "reference: WRONG counts $1 $2"
}

ember_wordcount() { # ember_wordcount <slots>
  run "$WC" bash -c "'$BUILD/bench/wordcount_bench' --master 'local[$1]' '$CORPUS' $REPS $DISTINCT $WORDS >> '$WC'"
  tail -1 "$WC"
}

wordcount_ratios() { # table of ratios from $WC
  awk -F, -v target_peer=0.5 -v target_ref=1.5 '
    $2 != "wordcount" { next }
    { t[$1 "/" $4 "/" $3] = $5 }
    $1 == "ember" { e[$4] = $5 }
    $1 == "reference" { r[$4] = $5 }
    ($1 == "duckdb" || $1 == "polars" || $1 == "dask") && $4 == 2 {
      if (!(2 in best) || $5 < best[2]) { best[2] = $5; who[2] = $1 "/" $3 } }
    $1 == "duckdb" && $4 == 1 { best[1] = $5; who[1] = "duckdb/wordcount" }
    END {
      print ""
      print "| threads | ember s | fastest peer (DuckDB/Polars/Dask) | peer s | ember/peer (target <= " target_peer ") | reference s | ember/reference (target <= " target_ref ") |"
      print "|---:|---:|---|---:|---:|---:|---:|"
      for (k = 1; k <= 2; k++) {
        if (!(k in e)) continue
        rp = (k in best) ? sprintf("%.2f", e[k] / best[k]) : "-"
        rr = (k in r) ? sprintf("%.2f", e[k] / r[k]) : "-"
        printf "| %d | %.3f | %s | %s | %s | %s | %s |\n", k, e[k], (k in who) ? who[k] : "-", \
          (k in best) ? best[k] : "-", rp, (k in r) ? r[k] : "-", rr
      }
      print "(threads 1: the only 1-thread peer is DuckDB)"
    }' "$WC"
}

wordcount() {
  WC=$OUTDIR/wordcount.csv
  [ -s "$WC" ] || echo "peer,workload,query,threads,seconds,distinct,total" > "$WC"
  ember_wordcount 1
  ember_wordcount 2
  reference 1
  reference 2
  (cd "$PEERS" && export DATA && run "$WC" node bench/duckdb.js wordcount 2 "$WC")
  (cd "$PEERS" && export DATA && run "$WC" node bench/duckdb.js wordcount 1 "$WC")
  if [ "${QUICK:-0}" != 1 ]; then
    (cd "$PEERS" && export DATA && run "$WC" node bench/polars.js wordcount 2 "$WC")
    (cd "$PEERS" && export DATA && run "$WC" $PY bench/pydata.py dask wordcount 2 "$WC")
    (cd "$PEERS" && export DATA && run "$WC" bench/shell.sh "$WC")
  fi
  wordcount_ratios | tee "$OUTDIR/wordcount_ratios.md" | tee -a "$LOG"
}

scheduler() {
  SC=$OUTDIR/scheduler.csv
  [ -s "$SC" ] || echo "peer,workload,query,master,threads,seconds,us_per_task" > "$SC"
  for n in 1 2; do
    run "$SC" bash -c "'$BUILD/bench/scheduler_bench' --master 'local[$n]' $REPS 10000 100000 >> '$SC'"
  done
  # dask peer: peer,workload,query,threads,seconds lines in their own file
  (cd "$PEERS" && export DATA && run "$SC" $PY bench/pydata.py dask scheduler 2 "$OUTDIR/scheduler_dask.csv")
  cat "$SC" | tee -a "$LOG"
}

spill() {
  SP=$OUTDIR/spill.csv
  [ -s "$SP" ] || echo "peer,workload,query,master,threads,seconds,input_mb,disk_spilled_mb,memory_spilled_mb,spill_mb_per_s" > "$SP"
  for n in 1 2; do
    run "$SP" bash -c "'$BUILD/bench/spill_bench' --master 'local[$n]' --conf ember.executor.memory=64m >> '$SP'"
  done
  cat "$SP" | tee -a "$LOG"
}

ui() {
  UI=$OUTDIR/ui.csv
  [ -s "$UI" ] || echo "peer,workload,query,master,threads,job_seconds,drained_seconds" > "$UI"
  run "$UI" bash -c "'$BUILD/bench/ui_overhead_bench' --master 'local[2]' 5 100000 >> '$UI'"
  run "$UI" bash -c "'$BUILD/bench/ui_overhead_bench' listeners 100000 >> '$UI'"
  cat "$UI" | tee -a "$LOG"
}

todo=("$@")
[ ${#todo[@]} -gt 0 ] || todo=(wordcount scheduler spill)
for w in "${todo[@]}"; do
  case $w in wordcount | scheduler | spill | quick | ui) ;; *) echo "unknown benchmark: $w" >&2; exit 2 ;; esac
done
say "results in $OUTDIR; nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo)"
ensure_data
ensure_build
ensure_peers
# The engine is built from the working tree: record which state it was.
say "engine: HEAD $(git rev-parse --short HEAD), uncommitted changes under src/: $(git status --short src | wc -l) files"
git status --short src >> "$LOG"
load start
for w in "${todo[@]}"; do
  case $w in
    quick) QUICK=1 wordcount ;;
    *) "$w" ;;
  esac
done
load end
