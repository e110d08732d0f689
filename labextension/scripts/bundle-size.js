#!/usr/bin/env node
/**
 * Print the size of every JavaScript file the labextension ships, raw and gzipped, and
 * fail when the gzipped total passes the budget (60 KB by default; BUDGET_KB to change it).
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const dir = path.resolve(__dirname, '..', '..', 'jupyter_secrets', 'labextension', 'static');
const budget = Number(process.env.BUDGET_KB || 60) * 1024;
if (!fs.existsSync(dir)) {
  console.error(`${dir} does not exist: run jlpm build:prod first`);
  process.exit(2);
}
let raw = 0;
let gz = 0;
for (const name of fs
  .readdirSync(dir)
  .filter(n => n.endsWith('.js'))
  .sort()) {
  const data = fs.readFileSync(path.join(dir, name));
  const zipped = zlib.gzipSync(data, { level: 9 }).length;
  raw += data.length;
  gz += zipped;
  console.log(
    `${name.padEnd(40)} ${String(data.length).padStart(8)} B ${String(zipped).padStart(7)} B gzip`
  );
}
console.log(
  `${'total'.padEnd(40)} ${String(raw).padStart(8)} B ${String(gz).padStart(7)} B gzip (budget ${budget} B)`
);
process.exit(gz > budget ? 1 : 0);
