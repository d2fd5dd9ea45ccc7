// Longest stretches of non-idle time in a .cpuprofile, with the functions that filled them.
// `node bench/long-tasks.mjs FILE.cpuprofile [N]`
import fs from 'node:fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 5);
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id) => {
  const f = byId.get(id).callFrame;
  return `${f.functionName || '(anon)'} ${f.url.split('/').slice(-1)[0]}:${f.lineNumber + 1}`;
};
const stretches = [];
let cur = null;
let t = p.startTime;
p.samples.forEach((id, i) => {
  t += p.timeDeltas[i] ?? 0;
  const idle = byId.get(id).callFrame.functionName === '(idle)';
  if (!idle) {
    if (!cur) cur = { start: t, end: t, ids: [] };
    cur.end = t;
    cur.ids.push(id);
  } else if (cur) {
    stretches.push(cur);
    cur = null;
  }
});
if (cur) stretches.push(cur);
stretches.sort((a, b) => b.end - b.start - (a.end - a.start));
for (const s of stretches.slice(0, N)) {
  const counts = new Map();
  for (const id of s.ids) {
    let x = id;
    const seen = new Set();
    while (x !== undefined) {
      const k = name(x);
      if (!seen.has(k)) {
        seen.add(k);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      x = parent.get(x);
    }
  }
  console.log(
    `\n${((s.end - s.start) / 1000).toFixed(1)} ms busy at +${((s.start - p.startTime) / 1000).toFixed(0)} ms:`,
  );
  for (const [k, c] of [...counts]
    .sort((a, b) => b[1] - a[1])
    .filter(([k]) => !/^\(root\)|^\(program\)/.test(k))
    .slice(0, 12))
    console.log(`  ${((100 * c) / s.ids.length).toFixed(0).padStart(4)}%  ${k}`);
}
