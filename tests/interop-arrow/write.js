// Writes Arrow IPC data with apache-arrow's own choices of types (utf8 with 32-bit offsets,
// int32, int64, float32/64, bool, dictionary-encoded strings, list<int32>, struct, null) and
// prints the rows it wrote, one JSON object per line, for the comparison.
// Usage: node write.js OUT file|stream none|lz4|zstd ROWS BATCH_ROWS
'use strict';
require('./codecs');
const fs = require('fs');
const arrow = require('apache-arrow');
const { plain, print } = require('./rows');

const [out, kind, codec, rowsArg, batchArg] = process.argv.slice(2);
const rows = Number(rowsArg), batchRows = Number(batchArg);
const words = ['', 'hello', 'Grüße', '世界 🌍', 'tab\there', 'quote " and \\'];

function column(i, name) {
  const nul = (i * 7 + name.length) % 5 === 0;
  switch (name) {
    case 'i32': return nul ? null : (i * 37) % 1000 - 500;
    case 'i64': return nul ? null : BigInt(i) * 1000000007n - 9007199254740993n;
    case 'f64': return nul ? null : i / 8 - 3;
    case 'f32': return nul ? null : (i % 64) / 4;
    case 'flag': return nul ? null : i % 3 === 0;
    case 'text': return words[i % words.length];
    case 'cat': return nul ? null : ['red', 'green', 'blue', 'ünï'][i % 4];
    case 'nums': return nul ? null : Array.from({ length: i % 4 }, (_, k) => (k % 3 === 1 ? null : i + k));
    case 'rec': return nul ? null : { a: i % 2 ? i : null, b: words[(i + 1) % words.length] };
    case 'nothing': return null;
  }
}

const types = {
  i32: new arrow.Int32(), i64: new arrow.Int64(), f64: new arrow.Float64(), f32: new arrow.Float32(),
  flag: new arrow.Bool(), text: new arrow.Utf8(), cat: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
  nums: new arrow.List(new arrow.Field('item', new arrow.Int32(), true)),
  rec: new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]),
  nothing: new arrow.Null(),
};
const names = Object.keys(types);

// One vector per column for all rows (so every batch shares one dictionary, as the file
// format requires), cut into batches of BATCH_ROWS rows (slices: non-zero offsets).
const vectors = {};
for (const name of names) vectors[name] = arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => column(i, name)), types[name]);
const whole = new arrow.Table(vectors);
const batches = [];
for (let start = 0; start < rows; start += batchRows) batches.push(...whole.slice(start, start + batchRows).batches);
if (!batches.length) batches.push(...whole.batches);
const table = new arrow.Table(batches);
const compression = { none: null, lz4: 0, zstd: 1 }[codec];
fs.writeFileSync(out, arrow.tableToIPC(table, kind, compression));

const fields = table.schema.fields, lines = [];
for (let i = 0; i < table.numRows; i++) {
  const row = {};
  for (let k = 0; k < fields.length; k++) row[fields[k].name] = plain(table.getChildAt(k).get(i), fields[k]);
  lines.push(print(row));
}
process.stdout.write(lines.length ? lines.join('\n') + '\n' : '');
