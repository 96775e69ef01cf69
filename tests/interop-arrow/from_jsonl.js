// Writes JSON lines as Arrow IPC with apache-arrow's own type inference (tableFromJSON), in
// record batches of BATCH_ROWS rows. Usage: node from_jsonl.js IN.jsonl OUT file|stream BATCH_ROWS
'use strict';
const fs = require('fs');
const arrow = require('apache-arrow');

const [input, out, kind, batchArg] = process.argv.slice(2);
const rows = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const whole = arrow.tableFromJSON(rows);
const batches = [];
for (let start = 0; start < rows.length; start += Number(batchArg)) batches.push(...whole.slice(start, start + Number(batchArg)).batches);
fs.writeFileSync(out, arrow.tableToIPC(new arrow.Table(batches), kind));
