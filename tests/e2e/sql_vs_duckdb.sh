#!/usr/bin/env bash
# Differential SQL test: every query of sql_vs_duckdb/queries.txt runs in Ember (`ember sql`)
# and in DuckDB over the same small tables (sql_vs_duckdb/setup.sql, with NULLs and
# duplicates); the results must be the same multisets of rows (numbers compared to 6
# significant digits). It catches silent wrong answers in joins, subqueries, NULL handling,
# windows and aggregates. Usage: sql_vs_duckdb.sh <build dir> <source dir>. Skips (exit 0,
# with the reason) when node or DuckDB's node package is missing (see parquet_duckdb.sh).
set -euo pipefail
BUILD=${1:?build dir}
SRC=${2:?source dir}
HERE="$SRC/tests/e2e/sql_vs_duckdb"

MODULES=""
for m in "${EMBER_DUCKDB_NODE_MODULES:-}" "$SRC/../shared/peers/node_modules" /work/shared/peers/node_modules /tmp/duckpeer/node_modules; do
  if [ -n "$m" ] && [ -d "$m/@duckdb/node-api" ]; then MODULES=$m; break; fi
done
if ! command -v node >/dev/null; then echo "SKIP sql_vs_duckdb: node is not installed"; exit 0; fi
if [ -z "$MODULES" ]; then
  echo "SKIP sql_vs_duckdb: no node_modules with @duckdb/node-api (set EMBER_DUCKDB_NODE_MODULES)"
  exit 0
fi
ninja -C "$BUILD" ember_cli >/dev/null
EMBER="$BUILD/apps/ember"
WORK=$(mktemp -d /tmp/ember_sql_vs_duckdb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
grep -v '^#' "$HERE/queries.txt" | grep -v '^[[:space:]]*$' > "$WORK/queries.txt"

# DuckDB: one file of normalised rows per query (duck_<n>.txt).
cat > "$WORK/duck.js" <<'JS'
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');
const [setup, queries, out] = process.argv.slice(2);
function norm(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  const s = typeof v === 'number' ? String(v) : v.toString();
  if (/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(s)) {
    const n = Number(s);
    return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
  }
  return s;
}
(async () => {
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  for (const st of fs.readFileSync(setup, 'utf8').split(';')) if (st.trim()) await c.run(st);
  let i = 0;
  for (const q of fs.readFileSync(queries, 'utf8').split('\n').filter((x) => x.trim())) {
    i++;
    let rows;
    try {
      rows = (await c.runAndReadAll(q)).getRows().map((r) => r.map(norm).join('|')).sort();
    } catch (e) {
      rows = ['DUCKDB ERROR ' + e.message.split('\n')[0]];
    }
    fs.writeFileSync(`${out}/duck_${i}.txt`, rows.join('\n') + '\n');
  }
})();
JS
NODE_PATH="$MODULES" node "$WORK/duck.js" "$HERE/setup.sql" "$WORK/queries.txt" "$WORK"

# Ember: the same normalisation of its JSON lines (they tell NULL from an empty string).
cat > "$WORK/norm.py" <<'PY'
import json, sys
def norm(v):
    if v is None: return 'NULL'
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, int): return str(v)
    if isinstance(v, float): return str(int(v)) if v.is_integer() else repr(float('%.6g' % v))
    s = str(v)
    try:
        f = float(s)
        if any(ch in s for ch in '.eE') and s.strip() == s:
            return str(int(f)) if f.is_integer() else repr(float('%.6g' % f))
    except ValueError:
        pass
    return s
rows = []
for line in open(sys.argv[1]):
    if line.strip():
        pairs = json.loads(line, object_pairs_hook=lambda p: p)  # keeps repeated names
        rows.append('|'.join(norm(v) for _, v in pairs))
print('\n'.join(sorted(rows)))
PY
fail=0
n=0
SETUP=$(cat "$HERE/setup.sql")
while IFS= read -r q; do
  n=$((n + 1))
  if ! "$EMBER" sql --conf ember.ui.enabled=false --conf ember.ui.showConsoleProgress=false \
      --format json -e "$SETUP; $q" > "$WORK/out.json" 2> "$WORK/err.txt"; then
    echo "FAIL query $n: Ember failed: $q"; sed -n 1,3p "$WORK/err.txt"; fail=1; continue
  fi
  /usr/bin/python3 "$WORK/norm.py" "$WORK/out.json" > "$WORK/ember_$n.txt"
  if ! diff -q "$WORK/duck_$n.txt" "$WORK/ember_$n.txt" >/dev/null; then
    echo "FAIL query $n: results differ: $q"
    diff "$WORK/duck_$n.txt" "$WORK/ember_$n.txt" | head -10 | sed 's/^/  /'
    fail=1
  fi
done < "$WORK/queries.txt"
[ $fail = 0 ] && echo "PASS: $n queries give DuckDB's results"
exit $fail
