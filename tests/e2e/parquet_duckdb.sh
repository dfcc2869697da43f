#!/usr/bin/env bash
# Parquet interoperability with DuckDB: DuckDB writes files (many types, nulls, every codec,
# dictionary on and off, v1 and v2 pages); Ember reads each and writes it back (with its own
# codecs and dictionary settings); DuckDB then checks that Ember's file holds exactly the
# rows of the original (EXCEPT ALL both ways, equal counts), which exercises Ember's reader
# on DuckDB files and DuckDB's reader on Ember files.
# Usage: parquet_duckdb.sh <build dir> <source dir>. Skips (exit 0, with the reason) when
# node or DuckDB's node package is missing. Set EMBER_DUCKDB_NODE_MODULES to a node_modules
# directory holding @duckdb/node-api to choose one.
set -euo pipefail
BUILD=${1:?build dir}
SRC=${2:?source dir}

MODULES=""
for m in "${EMBER_DUCKDB_NODE_MODULES:-}" "$SRC/../shared/peers/node_modules" /work/shared/peers/node_modules /tmp/duckpeer/node_modules; do
  if [ -n "$m" ] && [ -d "$m/@duckdb/node-api" ]; then MODULES=$m; break; fi
done
if ! command -v node >/dev/null; then echo "SKIP parquet_duckdb: node is not installed"; exit 0; fi
if [ -z "$MODULES" ]; then
  echo "SKIP parquet_duckdb: no node_modules with @duckdb/node-api (set EMBER_DUCKDB_NODE_MODULES)"
  exit 0
fi

WORK=$(mktemp -d /tmp/ember_pq_duckdb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

ninja -C "$BUILD" ember_io >/dev/null
LIBS="$BUILD/src/ember/libember_io.a $BUILD/src/ember/libember_columnar.a $BUILD/src/ember/libember_common.a"
c++ -std=c++20 -O1 -I"$SRC/src" "$SRC/tests/e2e/parquet_tool.cpp" $LIBS \
  $(pkg-config --libs fmt libzstd zlib snappy simdjson libxxhash 2>/dev/null || echo -lfmt -lzstd -lz -lsnappy -lsimdjson -lxxhash) \
  -lpthread -o "$WORK/parquet_tool"

cat > "$WORK/q.js" <<'JS'
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run("SET TimeZone='UTC'");
  let last;
  for (const sql of process.argv.slice(2)) last = await c.runAndReadAll(sql);
  for (const row of last.getRowsJS()) console.log(row.map(String).join('|'));
})().catch(e => { console.error(e.message); process.exit(1); });
JS
duck() { NODE_PATH="$MODULES" node "$WORK/q.js" "$@"; }

QUERY="SELECT
  i::BIGINT AS id,
  CASE WHEN i % 7 = 3 THEN NULL ELSE (i % 256 - 128)::TINYINT END AS i8,
  CASE WHEN i % 7 = 4 THEN NULL ELSE (i % 60000 - 30000)::SMALLINT END AS i16,
  (i * 7919 % 2000000000 - 1000000000)::INTEGER AS i32,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i * 123456789012 END AS i64,
  (i / 4.0)::FLOAT AS f32,
  CASE WHEN i % 6 = 1 THEN NULL ELSE i * 1.5 - 7.25 END::DOUBLE AS f64,
  (i % 100000 * 12.34 - 100)::DECIMAL(9,2) AS dec9,
  (i * 1234567.8912)::DECIMAL(18,4) AS dec18,
  CASE WHEN i % 4 = 2 THEN NULL ELSE (i * 12345678901234567.123)::DECIMAL(38,10) END AS dec38,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'str_' || (i % 50) END AS s,
  'unique-' || i || repeat('x', (i % 13)::INTEGER) AS u,
  (DATE '1960-01-01' + (i % 40000)::INTEGER) AS dt,
  (TIMESTAMP '1969-06-01 12:34:56.123456' + i * INTERVAL '1 minute 7 seconds') AS ts,
  (TIMESTAMP '2021-06-01 12:34:56.123' + (i % 1000) * INTERVAL '1 day')::TIMESTAMP_MS AS ts_ms,
  CASE WHEN i % 9 = 0 THEN NULL ELSE i % 2 = 0 END AS b
FROM range(70000) t(i)"

fail=0
n=0
for variant in "snappy|" "zstd|" "gzip|" "uncompressed|" "snappy|, DICTIONARY_SIZE_LIMIT 1" "zstd|, PARQUET_VERSION v2" "uncompressed|, PARQUET_VERSION v2, DICTIONARY_SIZE_LIMIT 1"; do
  codec=${variant%%|*}
  extra=${variant#*|}
  n=$((n + 1))
  src="$WORK/duck$n.parquet"
  duck "COPY ($QUERY) TO '$src' (FORMAT parquet, COMPRESSION $codec, ROW_GROUP_SIZE 20000$extra)" >/dev/null
  for out in "snappy true" "zstd false" "gzip true" "none false"; do
    set -- $out
    dst="$WORK/ember$n-$1-$2.parquet"
    rows=$("$WORK/parquet_tool" "$src" "$dst" "$1" "$2")
    check=$(duck "SELECT (SELECT count(*) FROM '$src'), (SELECT count(*) FROM '$dst'),
                         (SELECT count(*) FROM (SELECT * FROM '$src' EXCEPT ALL SELECT * FROM '$dst')),
                         (SELECT count(*) FROM (SELECT * FROM '$dst' EXCEPT ALL SELECT * FROM '$src'))")
    if [ "$check" = "70000|70000|0|0" ] && [ "$rows" = 70000 ]; then
      echo "ok   DuckDB ($codec$extra) -> Ember -> Ember ($1, dictionary $2)"
    else
      echo "FAIL DuckDB ($codec$extra) -> Ember -> Ember ($1, dictionary $2): ember rows $rows, duckdb check $check"
      fail=1
    fi
  done
done
exit $fail
