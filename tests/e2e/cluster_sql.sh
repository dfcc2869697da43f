#!/usr/bin/env bash
# End-to-end test of SQL on executor processes (plans shipped as fragments, plan_serde.h):
#  1. `ember sql` queries (joins: broadcast and shuffled; aggregations; a window; ORDER BY;
#     CACHE TABLE on executors; collect_list and LATERAL VIEW explode; COALESCE hint and
#     DISTRIBUTE BY / SORT BY) over generated CSV give identical output on local[2] and
#     local-cluster[3,1,512];
#  2. TPC-H Q1, Q3, Q5, Q13 and Q18 at SF0.01 (../shared/tpch) give identical output on
#     local[2], local-cluster[3,1,512] and a standalone master with two workers
#     (skipped with a reason when ../shared/tpch is absent);
#  3. INSERT OVERWRITE DIRECTORY ... USING parquet written by executors reads back the same.
# Usage: cluster_sql.sh <build dir> <source dir>   (builds nothing)
set -euo pipefail
export LC_ALL=C

BUILD=$(cd "${1:?usage: cluster_sql.sh <build dir> <source dir>}" && pwd)
SRC=$(cd "${2:?usage: cluster_sql.sh <build dir> <source dir>}" && pwd)
EMBER="$BUILD/apps/ember"
[[ -x "$EMBER" ]] || { echo "FAIL: $EMBER not built"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ember-e2e-cluster-sql.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$WORK"/*.err "$WORK"/*.log; do [[ -f $f ]] && { echo "== $f"; tail -20 "$f"; }; done; exit 1; }
OPTS=(--conf ember.ui.showConsoleProgress=false --conf ember.ui.enabled=false
      --conf ember.sql.shuffle.partitions=4 --format csv)

python3 - "$WORK" <<'PY'
import random, sys
rng = random.Random(11)
d = sys.argv[1]
with open(d + "/orders.csv", "w") as f:
    f.write("id,cust,amount,day\n")
    for i in range(20000):
        f.write("%d,%d,%.2f,2024-%02d-%02d\n" % (i, rng.randint(0, 999), rng.random() * 1000,
                                                rng.randint(1, 12), rng.randint(1, 28)))
with open(d + "/customers.csv", "w") as f:
    f.write("cust,name,region\n")
    for c in range(1000):
        f.write("%d,c%d,%s\n" % (c, c, rng.choice(["north", "south", "east", "west"])))
PY

cat > "$WORK/setup.sql" <<SQL
CREATE TEMPORARY VIEW orders (id INT, cust INT, amount DECIMAL(10,2), day DATE)
  USING csv OPTIONS (path '$WORK/orders.csv', header 'true');
CREATE TEMPORARY VIEW customers (cust INT, name STRING, region STRING)
  USING csv OPTIONS (path '$WORK/customers.csv', header 'true');
SQL
cat "$WORK/setup.sql" - > "$WORK/queries.sql" <<'SQL'
SELECT region, count(*), sum(amount), count(DISTINCT o.cust) FROM orders o
  JOIN customers c ON o.cust = c.cust GROUP BY region ORDER BY region;
SELECT name, total FROM (SELECT cust, sum(amount) AS total FROM orders GROUP BY cust) t
  JOIN customers c ON t.cust = c.cust ORDER BY total DESC, name LIMIT 10;
SELECT month(day) AS m, sum(amount), max(amount) FROM orders GROUP BY 1 ORDER BY 1;
SELECT cust, id, rank() OVER (PARTITION BY cust ORDER BY amount DESC, id) AS r FROM orders
  WHERE cust < 5 ORDER BY cust, r;
SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c
  WHERE c.cust = o.cust AND c.region = 'north');
CACHE TABLE big_orders AS SELECT * FROM orders WHERE amount > 500;
SELECT count(*), sum(amount) FROM big_orders;
SELECT region, count(*) FROM big_orders o JOIN customers c ON o.cust = c.cust GROUP BY region
  ORDER BY region;
UNCACHE TABLE big_orders;
SELECT cust, sort_array(collect_list(id)), size(collect_set(month(day))) FROM orders
  WHERE cust < 3 GROUP BY cust ORDER BY cust;
SELECT letter, count(*) FROM customers LATERAL VIEW explode(split(name, '')) t AS letter
  GROUP BY letter ORDER BY letter;
SELECT /*+ COALESCE(1) */ count(*), sum(id) FROM orders;
SELECT id, cust FROM orders WHERE id < 30 DISTRIBUTE BY cust % 3 SORT BY id;
SQL

runSql() {  # master, file, output, extra options...
  "$EMBER" sql --master "$1" "${OPTS[@]}" "${@:4}" -f "$2" > "$3" 2> "$3.err" ||
    { cat "$3.err"; fail "ember sql -f $(basename "$2") on $1"; }
}
runSql 'local[2]' "$WORK/queries.sql" "$WORK/q.local"
runSql 'local-cluster[3,1,512]' "$WORK/queries.sql" "$WORK/q.cluster"
[[ $(wc -l < "$WORK/q.local") -gt 40 ]] || fail "queries printed too little: $(wc -l < "$WORK/q.local") lines"
cmp -s "$WORK/q.local" "$WORK/q.cluster" || { diff "$WORK/q.local" "$WORK/q.cluster" | head; fail "SQL on local-cluster differs from local[2]"; }
echo "ok: joins, aggregations, a window, a subquery, a cached table, arrays/explode and partitioning identical on local[2] and local-cluster[3,1,512]"

# Executors write the files; the driver commits them.
cat "$WORK/setup.sql" - > "$WORK/write.sql" <<SQL
INSERT OVERWRITE DIRECTORY '$WORK/out' USING parquet
  SELECT o.id, o.amount, c.region FROM orders o JOIN customers c ON o.cust = c.cust;
SQL
runSql 'local-cluster[2,1,512]' "$WORK/write.sql" "$WORK/w.cluster"
echo "SELECT count(*), sum(amount), count(DISTINCT region) FROM parquet.\`$WORK/out\`;" > "$WORK/check.sql"
runSql 'local[1]' "$WORK/check.sql" "$WORK/w.check"
grep -q '^20000,' "$WORK/w.check" || { cat "$WORK/w.check"; fail "parquet written on executors lost rows"; }
echo "ok: INSERT OVERWRITE DIRECTORY on executors wrote all 20000 rows"

TPCH="$SRC/../shared/tpch"
if [[ ! -d "$TPCH/data/sf0.01" ]]; then
  echo "SKIP (part 2): $TPCH/data/sf0.01 not found; TPC-H on the cluster not run"
  echo "PASS: cluster_sql"
  exit 0
fi
python3 - "$TPCH" "$WORK/tpch_setup.sql" <<'PY'
import re, sys
tpch, out = sys.argv[1], sys.argv[2]
schema = open(tpch + "/schema.sql").read()
with open(out, "w") as f:
    for name, cols in re.findall(r"CREATE TABLE (\w+) \(([^;]*)\);", schema):
        f.write("CREATE TEMPORARY VIEW %s (%s) USING csv OPTIONS (path '%s/data/sf0.01/%s.csv', "
                "header 'true', delimiter '|');\n" % (name, cols, tpch, name))
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$EMBER" master --port "$port" > "$WORK/master.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q "ember master at" "$WORK/master.log" && break; sleep 0.05; done
for w in 1 2; do
  "$EMBER" worker --master "ember://127.0.0.1:$port" --cores 1 --memory 512m --dir "$WORK/worker$w" \
    > "$WORK/worker$w.log" 2>&1 &
  pids+=($!)
done
for w in 1 2; do
  for _ in $(seq 200); do grep -q "registered with" "$WORK/worker$w.log" && break; sleep 0.05; done
done
for q in 01 03 05 13 18; do
  cat "$WORK/tpch_setup.sql" "$TPCH/queries/q$q.sql" > "$WORK/q$q.sql"
  runSql 'local[2]' "$WORK/q$q.sql" "$WORK/q$q.local"
  runSql 'local-cluster[3,1,512]' "$WORK/q$q.sql" "$WORK/q$q.lc"
  runSql "ember://127.0.0.1:$port" "$WORK/q$q.sql" "$WORK/q$q.sa" --conf ember.executor.memory=256m
  [[ $(wc -l < "$WORK/q$q.local") -gt 1 ]] || fail "TPC-H q$q printed no rows"
  cmp -s "$WORK/q$q.local" "$WORK/q$q.lc" || fail "TPC-H q$q on local-cluster differs from local[2]"
  cmp -s "$WORK/q$q.local" "$WORK/q$q.sa" || fail "TPC-H q$q on the standalone cluster differs from local[2]"
done
echo "ok: TPC-H Q1, Q3, Q5, Q13, Q18 identical on local[2], local-cluster[3,1,512] and a standalone master with 2 workers"
echo "PASS: cluster_sql"
