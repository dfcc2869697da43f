// DuckDB on all 22 TPC-H queries of ../shared/tpch/queries, timed as bench/tpch_bench.cpp
// times Ember: one untimed warm-up run, then REPS timed runs (median), only the warm-up when
// it took more than SLOW seconds.
// usage: PEERS=bench/peers node bench/tpch_duckdb.js <parquet|csv> <threads> <data_dir>
//            <query_dir> <schema.sql> <results.csv> [answer_dir]
//   parquet  views over read_parquet(<data_dir>/parquet/<t>.parquet) (the peers' tpch workload)
//   csv      views over read_csv(<data_dir>/csv/<t>.csv) with the column types of schema.sql
//            (no type sniffing: the same input and types that Ember gets)
// Result lines (stdout and appended to results.csv):
//   duckdb,<tpch|tpch_csv>_<sf dir>,qNN,threads,median seconds,rows,runs ';'-joined
// @duckdb/node-api is resolved from $PEERS (the npm install of ../shared/peers made by run.sh).
const fs = require('fs');
const path = require('path');

const PEERS = process.env.PEERS || path.join(__dirname, 'peers');
const { DuckDBInstance } = require(require.resolve('@duckdb/node-api', { paths: [PEERS] }));
const REPS = Number(process.env.REPS || 3);
const SLOW = Number(process.env.SLOW || 30);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// schema.sql -> { table: "{'col': 'TYPE', ...}" } for read_csv(columns = ...)
function csvColumns(schemaFile) {
  const out = {};
  const text = fs.readFileSync(schemaFile, 'utf8');
  for (const m of text.matchAll(/CREATE TABLE (\w+) \(([^;]*)\);/g)) {
    const cols = m[2].split(',\n').map((c) => c.trim()).filter((c) => c)
      .map((c) => { const i = c.indexOf(' '); return `'${c.slice(0, i)}': '${c.slice(i + 1).trim()}'`; });
    out[m[1]] = `{${cols.join(', ')}}`;
  }
  return out;
}

function cell(v) {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return v.toISOString().slice(0, 10); // DATE columns (UTC midnight)
  if (typeof v === 'object' && typeof v.toString === 'function') return v.toString();
  return String(v);
}

async function main() {
  const [mode, threads, dataDir, queryDir, schemaFile, out, answerDir] = process.argv.slice(2);
  if (!out || !['parquet', 'csv'].includes(mode)) {
    console.error('usage: node bench/tpch_duckdb.js <parquet|csv> <threads> <data_dir> <query_dir> <schema.sql> <results.csv> [answer_dir]');
    process.exit(2);
  }
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  const cols = csvColumns(schemaFile);
  if (Object.keys(cols).length !== 8) throw new Error(`${schemaFile}: expected 8 tables`);
  for (const t of Object.keys(cols)) {
    const src = mode === 'parquet'
      ? `read_parquet('${dataDir}/parquet/${t}.parquet')`
      : `read_csv('${dataDir}/csv/${t}.csv', delim = '|', header = true, auto_detect = false, columns = ${cols[t]})`;
    await con.run(`CREATE VIEW ${t} AS SELECT * FROM ${src}`);
  }
  const workload = `${mode === 'parquet' ? 'tpch' : 'tpch_csv'}_${path.basename(dataDir)}`;
  if (answerDir) fs.mkdirSync(answerDir, { recursive: true });
  const queries = fs.readdirSync(queryDir).filter((f) => /^q\d\d\.sql$/.test(f)).sort();
  for (const f of queries) {
    const q = f.slice(0, 3);
    const sql = fs.readFileSync(path.join(queryDir, f), 'utf8');
    let line;
    try {
      let t0 = process.hrtime.bigint();
      let reader = await con.runAndReadAll(sql);
      const warm = Number(process.hrtime.bigint() - t0) / 1e9;
      const rows = reader.getRowsJS();
      if (answerDir) {
        const text = [reader.columnNames().join('|'), ...rows.map((r) => r.map(cell).join('|'))];
        fs.writeFileSync(path.join(answerDir, `${q}.csv`), text.join('\n') + '\n');
      }
      const runs = warm > SLOW ? [warm] : [];
      for (let i = 0; i < REPS && warm <= SLOW; i++) {
        t0 = process.hrtime.bigint();
        reader = await con.runAndReadAll(sql);
        reader.getRowsJS();
        runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      line = ['duckdb', workload, q, threads, median(runs).toFixed(3), rows.length,
        runs.map((r) => r.toFixed(3)).join(';')].join(',');
    } catch (e) {
      console.error(`${q} FAILED: ${e.message}`);
      line = ['duckdb', workload, q, threads, 'FAILED', 0, ''].join(',');
    }
    fs.appendFileSync(out, line + '\n');
    console.log(line);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
