// Runs SQL statements in an in-memory DuckDB (the independent Parquet implementation the
// interop tests compare zest against). Usage: node duck.js "SQL" ["SQL" ...]
// A statement's rows are printed as JSON lines when it returns any.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  for (const sql of process.argv.slice(2)) {
    const r = await con.runAndReadAll(sql);
    for (const row of r.getRowObjectsJson()) process.stdout.write(JSON.stringify(row) + '\n');
  }
})().catch((e) => {
  process.stderr.write(`duckdb: ${e.message || e}\n`);
  process.exit(1);
});
