// Turns apache-arrow values into plain JSON-able values, guided by the field types: 64-bit
// integers as exact decimal digits (marked so that the printer writes them unquoted), structs
// as objects in field order, lists as arrays, arrow.json extension strings parsed.
'use strict';
const arrow = require('apache-arrow');

class Exact { constructor(digits) { this.digits = digits; } }

function plain(value, field) {
  if (value === null || value === undefined) return null;
  const type = field.type;
  if (arrow.DataType.isDictionary(type)) return plain(value, new arrow.Field(field.name, type.dictionary, true, field.metadata));
  if (typeof value === 'bigint') return new Exact(value.toString());
  if (arrow.DataType.isStruct(type)) {
    const out = {};
    for (const child of type.children) out[child.name] = plain(value[child.name], child);
    return out;
  }
  if (arrow.DataType.isList(type)) {
    const child = type.children[0];
    return Array.from(value, (v) => plain(v, child));
  }
  if (typeof value === 'string' && field.metadata && field.metadata.get('ARROW:extension:name') === 'arrow.json')
    return JSON.parse(value);
  return value;
}

function print(v) {
  if (v instanceof Exact) return v.digits;
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[' + v.map(print).join(',') + ']';
  if (typeof v === 'object') return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + print(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

module.exports = { plain, print };
