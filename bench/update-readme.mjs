// Copy the latest full benchmark run (bench/results/latest.md) into the README's Performance section.
// `node bench/update-readme.mjs` after `npm run bench`.
import fs from 'node:fs';
const md = fs.readFileSync(new URL('./results/latest.md', import.meta.url), 'utf8');
const lines = md.split('\n');
// The measures table only (the first one): the diff-quality table and its notes after it stay in latest.md.
const first = lines.findIndex((l) => l.startsWith('|'));
const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
const table = lines.slice(first, end).join('\n');
const more = lines.findIndex((l, i) => i > end && l.startsWith('|'));
const notes = lines
  .slice(0, more < 0 ? lines.length : more)
  .filter(
    (l) =>
      l &&
      !l.startsWith('|') &&
      !l.startsWith('wrote') &&
      !l.startsWith('Spark Edit benchmark') &&
      !l.startsWith('machine'),
  )
  .map((l) => `- ${l}`)
  .join('\n');
const head = `Latest full run (${lines[0].split('— ')[1]}, ${lines[1].replace('machine: ', '')}):`;
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = fs.readFileSync(readmeUrl, 'utf8');
const a = readme.indexOf('Latest full run');
const b = readme.indexOf('Goals (issue 5)');
if (a < 0 || b < 0) throw new Error('README has no "Latest full run" … "Goals (issue 5)" block');
fs.writeFileSync(readmeUrl, readme.slice(0, a) + `${head}\n\n${table}\n\n${notes}\n\n` + readme.slice(b));
console.log('README performance section updated');
