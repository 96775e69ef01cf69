// Reads an Arrow IPC file or stream with apache-arrow and prints one JSON object per row.
// Usage: node read.js FILE
'use strict';
require('./codecs');
const fs = require('fs');
const arrow = require('apache-arrow');
const { plain, print } = require('./rows');

const table = arrow.tableFromIPC(fs.readFileSync(process.argv[2]));
const fields = table.schema.fields;
const out = [];
for (let i = 0; i < table.numRows; i++) {
  const row = {};
  for (let k = 0; k < fields.length; k++) row[fields[k].name] = plain(table.getChildAt(k).get(i), fields[k]);
  out.push(print(row));
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
