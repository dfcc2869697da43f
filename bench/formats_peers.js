// DuckDB and Polars on the file-format measurements of bench/format_bench.cpp (issue 4), timed
// the same way: one untimed warm-up, then REPS timed runs (median), only the warm-up when it
// took more than SLOW seconds; one process per engine and thread count.
// usage: PEERS=bench/peers node bench/formats_peers.js <duckdb|polars> <threads> <lineitem.csv>
//            <lineitem.parquet> <write_dir> <schema.sql> <results.csv> [measurements]
//        PEERS=bench/peers node bench/formats_peers.js check <results.csv> <peer>=<dir or file>...
//        node bench/formats_peers.js report <results.csv>     (markdown table of ratios)
//   csv_scan             the CSV with the column types of schema.sql (DECIMAL(15,2), DATE, ...;
//                        no type inference) to count(*) and sum(l_extendedprice)
//   parquet_filter_key   the Parquet file, l_orderkey BETWEEN 3000000 AND 3059999 (~1%)
//   parquet_filter_date  the Parquet file, l_shipdate BETWEEN 1995-03-01 AND 1995-03-25 (~1%)
//   parquet_write        the Parquet file rewritten with snappy into <write_dir> (deleted before
//                        each run; DuckDB: COPY ... PER_THREAD_OUTPUT, one file per thread;
//                        Polars: sinkParquet to <write_dir>/part-0.parquet); the result is the
//                        count and sum read back from <write_dir> by the same engine (untimed)
// Result lines (stdout and appended to results.csv):
//   <peer>,formats,<measurement>,<threads>,<median s>,<count>;<sum>,<runs ';'-joined>
// `check` reads every written directory (and the source file) with DuckDB (count and sum;
// untimed) and appends   check,formats,parquet_write_readback,<peer>,,<count>;<sum>,
// Polars runs the same SQL text as Ember and DuckDB through its SQLContext (lazy frames over
// scanCSV / scanParquet, so projection and predicate pushdown apply).
// @duckdb/node-api and nodejs-polars are resolved from $PEERS (run.sh's npm install of
// ../shared/peers).
const fs = require('fs');
const path = require('path');

const PEERS = process.env.PEERS || path.join(__dirname, 'peers');
const need = (m) => require(require.resolve(m, { paths: [PEERS] }));
const REPS = Number(process.env.REPS || 3);
const SLOW = Number(process.env.SLOW || 30);
const MEASUREMENTS = ['csv_scan', 'parquet_filter_key', 'parquet_filter_date', 'parquet_write'];
const AGG = 'SELECT count(*) AS n, sum(l_extendedprice) AS s FROM';
const WHERE = {
  parquet_filter_key: 'WHERE l_orderkey BETWEEN 3000000 AND 3059999',
  parquet_filter_date: "WHERE l_shipdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-25'",
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// schema.sql's lineitem columns as [[name, SQL type], ...]
function lineitemColumns(schemaFile) {
  const m = fs.readFileSync(schemaFile, 'utf8').match(/CREATE TABLE lineitem \(([^;]*)\);/);
  if (!m) throw new Error(`${schemaFile}: no CREATE TABLE lineitem`);
  return m[1].split(',\n').map((c) => c.trim()).filter((c) => c)
    .map((c) => { const i = c.indexOf(' '); return [c.slice(0, i), c.slice(i + 1).trim()]; });
}

async function duckdb(threads, csv, parquet, writeDir, cols) {
  const { DuckDBInstance } = need('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await db.connect();
  const colSpec = `{${cols.map(([n, t]) => `'${n}': '${t}'`).join(', ')}}`;
  await con.run(`CREATE VIEW lineitem_csv AS SELECT * FROM read_csv('${csv}', delim = '|', ` +
    `header = true, auto_detect = false, columns = ${colSpec})`);
  await con.run(`CREATE VIEW lineitem_parquet AS SELECT * FROM read_parquet('${parquet}')`);
  const agg = async (sql) => {
    const rows = (await con.runAndReadAll(sql)).getRows();
    return `${rows[0][0]};${rows[0][1]}`;
  };
  return {
    csv_scan: () => agg(`${AGG} lineitem_csv`),
    parquet_filter_key: () => agg(`${AGG} lineitem_parquet ${WHERE.parquet_filter_key}`),
    parquet_filter_date: () => agg(`${AGG} lineitem_parquet ${WHERE.parquet_filter_date}`),
    parquet_write: async () => {
      await con.run(`COPY (SELECT * FROM read_parquet('${parquet}')) TO '${writeDir}' ` +
        '(FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true)');
    },
    readBack: () => agg(`${AGG} read_parquet('${writeDir}/*.parquet')`),
  };
}

function polars(threads, csv, parquet, writeDir, cols) {
  process.env.POLARS_MAX_THREADS = String(threads); // read when the native module loads
  const pl = need('nodejs-polars');
  const dtype = (t) => {
    const dec = t.match(/^DECIMAL\((\d+),\s*(\d+)\)$/i);
    if (dec) return pl.Decimal(Number(dec[1]), Number(dec[2]));
    if (/^INTEGER$/i.test(t)) return pl.Int32;
    if (/^BIGINT$/i.test(t)) return pl.Int64;
    if (/^DATE$/i.test(t)) return pl.Date;
    if (/^(VAR)?CHAR\(\d+\)$/i.test(t)) return pl.String;
    throw new Error(`no Polars type for ${t}`);
  };
  const schema = Object.fromEntries(cols.map(([n, t]) => [n, dtype(t)]));
  const sql = (table, where = '') => {
    // A fresh context per run: its lazy frames re-scan the files, as the other engines do.
    const ctx = pl.SQLContext({
      lineitem_csv: pl.scanCSV(csv, { sep: '|', hasHeader: true, schema }),
      lineitem_parquet: pl.scanParquet(parquet),
    });
    // Decimal results cannot be converted to JS values: the sum goes out as text.
    const df = ctx.execute(`${AGG} ${table} ${where}`)
      .select(pl.col('n'), pl.col('s').cast(pl.String)).collectSync();
    const [n, s] = df.row(0);
    return `${n};${s}`;
  };
  return {
    csv_scan: () => sql('lineitem_csv'),
    parquet_filter_key: () => sql('lineitem_parquet', WHERE.parquet_filter_key),
    parquet_filter_date: () => sql('lineitem_parquet', WHERE.parquet_filter_date),
    parquet_write: () => {
      pl.scanParquet(parquet)
        .sinkParquet(`${writeDir}/part-0.parquet`, { compression: 'snappy', mkdir: true })
        .collectSync();
    },
    readBack: () => {
      const df = pl.scanParquet(`${writeDir}/*.parquet`)
        .select(pl.len().alias('n'), pl.col('l_extendedprice').sum().alias('s')).collectSync();
      const [n, s] = df.row(0);
      return `${n};${s}`;
    },
  };
}

async function measure(peer, threads, csv, parquet, writeDir, schemaFile, out, todo) {
  const cols = lineitemColumns(schemaFile);
  const runners = peer === 'duckdb'
    ? await duckdb(threads, csv, parquet, writeDir, cols)
    : polars(threads, csv, parquet, writeDir, cols);
  let failed = 0;
  for (const name of todo) {
    const write = name === 'parquet_write';
    const runs = [];
    const results = new Set();
    let line;
    try {
      for (let r = -1; r < REPS; r++) { // r = -1: the warm-up
        if (write) fs.rmSync(writeDir, { recursive: true, force: true });
        const t0 = process.hrtime.bigint();
        const result = await runners[name]();
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (!write) results.add(result);
        console.error(`${peer} ${name} ${threads} threads ${r < 0 ? 'warm-up' : `run ${r + 1}`} ` +
          `${s.toFixed(3)} s${write ? '' : `: ${result}`}`);
        if (r < 0 && s <= SLOW) continue;
        runs.push(s);
        if (r < 0) break;
      }
      if (write) results.add(await runners.readBack());
      const rs = [...results];
      // DOUBLE sums change with the order of addition (threads): equal within 1e-9 relative.
      if (!rs.every((r) => agree(r, rs[0]))) throw new Error(`runs disagree: ${rs.join(' ')}`);
      line = [peer, 'formats', name, threads, median(runs).toFixed(3), [...results][0],
        runs.map((r) => r.toFixed(3)).join(';')].join(',');
    } catch (e) {
      console.error(`${peer} ${name} FAILED: ${e.message}`);
      line = [peer, 'formats', name, threads, 'FAILED', '', ''].join(',');
      failed++;
    }
    fs.appendFileSync(out, line + '\n');
    console.log(line);
  }
  return failed;
}

// Reads each engine's written directory with DuckDB: count and sum of what is on disk.
async function check(out, dirs) {
  const { DuckDBInstance } = need('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  let failed = 0;
  for (const spec of dirs) {
    const [peer, dir] = spec.split('=');
    let result;
    try {
      const files = fs.statSync(dir).isDirectory() ? `${dir}/*.parquet` : dir;
      const rows = (await con.runAndReadAll(`${AGG} read_parquet('${files}')`)).getRows();
      result = `${rows[0][0]};${rows[0][1]}`;
    } catch (e) {
      console.error(`check ${peer}: ${e.message}`);
      result = 'FAILED';
      failed++;
    }
    const line = ['check', 'formats', 'parquet_write_readback', peer, '', result, ''].join(',');
    fs.appendFileSync(out, line + '\n');
    console.log(line);
  }
  return failed;
}

// Same count and sums within a relative 1e-9 (DOUBLE sums depend on the order of addition).
// (A function declaration: hoisted, used by measure() above.)
function agree(a, b) {
  const [na, sa] = a.split(';');
  const [nb, sb] = b.split(';');
  const x = Number(sa);
  const y = Number(sb);
  return na === nb && Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

// Markdown table of a results CSV: per measurement and thread count, seconds of each engine,
// Ember / the faster peer (target <= 1.5), and whether all engines' results agree (for
// parquet_write: every engine's own read-back and DuckDB's read of every written directory,
// including the source file, `check` lines).
function report(out) {
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
  const t = {};
  const res = {};
  const checks = [];
  for (const [peer, workload, name, threads, secs, result] of lines) {
    if (workload !== 'formats') continue;
    if (peer === 'check') { checks.push([threads, result]); continue; }
    const k = `${name}/${threads}`;
    (t[k] = t[k] || {})[peer] = secs;
    (res[k] = res[k] || {})[peer] = result;
  }
  const rows = ['| measurement | threads | Ember s | DuckDB s | Polars s | Ember / faster peer ' +
    '(target <= 1.5) | met | results agree |', '|---|---:|---:|---:|---:|---:|---|---|'];
  let met = 0;
  let total = 0;
  for (const name of MEASUREMENTS) {
    for (const threads of ['1', '2']) {
      const k = `${name}/${threads}`;
      if (!t[k]) continue;
      const e = Number(t[k].ember);
      const peers = ['duckdb', 'polars'].map((p) => Number(t[k][p])).filter((x) => x > 0);
      const best = peers.length ? Math.min(...peers) : NaN;
      const ratio = e > 0 && best > 0 ? e / best : NaN;
      let all = Object.values(res[k]).filter((r) => r);
      if (name === 'parquet_write') all = all.concat(checks.map(([, r]) => r));
      const ok = all.length > 1 && all.every((r) => r !== 'FAILED' && agree(r, all[0]));
      if (!Number.isNaN(ratio)) { total++; if (ratio <= 1.5) met++; }
      rows.push(`| ${name} | ${threads} | ${t[k].ember || '-'} | ${t[k].duckdb || '-'} | ` +
        `${t[k].polars || '-'} | ${Number.isNaN(ratio) ? '-' : ratio.toFixed(2)} | ` +
        `${Number.isNaN(ratio) ? '-' : ratio <= 1.5 ? 'yes' : 'no'} | ` +
        `${ok ? 'yes' : 'NO'} (${all[0] || '-'}) |`);
    }
  }
  rows.push('', `Target met in ${met} of ${total} measurements.`);
  if (checks.length) {
    rows.push('', 'DuckDB read-back of the written directories (count;sum): ' +
      checks.map(([p, r]) => `${p} ${r}`).join(', '));
  }
  console.log(rows.join('\n'));
  return 0;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === 'check' && args.length >= 3) return check(args[1], args.slice(2));
  if (args[0] === 'report' && args.length === 2) return report(args[1]);
  const [peer, threads, csv, parquet, writeDir, schemaFile, out, list] = args;
  const todo = list ? list.split(',') : MEASUREMENTS;
  if (!out || !['duckdb', 'polars'].includes(peer) || todo.some((m) => !MEASUREMENTS.includes(m))) {
    console.error('usage: node bench/formats_peers.js <duckdb|polars> <threads> <lineitem.csv> ' +
      `<lineitem.parquet> <write_dir> <schema.sql> <results.csv> [${MEASUREMENTS.join(',')}]\n` +
      '       node bench/formats_peers.js check <results.csv> <peer>=<dir or file>...\n' +
      '       node bench/formats_peers.js report <results.csv>');
    process.exit(2);
  }
  return measure(peer, Number(threads), csv, parquet, writeDir, schemaFile, out, todo);
}
main().then((failed) => process.exit(failed ? 1 : 0))
  .catch((e) => { console.error(e); process.exit(1); });
