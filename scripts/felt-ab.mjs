// Interleaved A/B of the felt bench (issue 17): the machine is shared, so one side's runs alone say little. Runs
// scripts/felt-bench.mjs of each checkout in turn (A, B, then B, A, …: neither side always goes first), notes the
// load average before each run, and pools each side's edits (p50 / p90 ms).
//   node scripts/felt-ab.mjs [--rounds 3] [--edits 10] [--out DIR] a=/work/wt-old b=/work/wt-new
// Each checkout must be built (`npx tsc -p .`: the bench reads out/); SPARK_HOST_DIR is passed on. A run that fails
// (e.g. a timeout under load) is reported and left out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const arg = (n, d) => {
  const i = process.argv.indexOf(n);
  return i > 0 ? process.argv[i + 1] : d;
};
const rounds = Number(arg('--rounds', 3));
const edits = Number(arg('--edits', 10));
const out = arg('--out', fs.mkdtempSync(path.join(os.tmpdir(), 'felt-ab-')));
fs.mkdirSync(out, { recursive: true });
const sides = process.argv
  .slice(2)
  .filter((a) => /^[\w.-]+=/.test(a))
  .map((a) => ({ tag: a.slice(0, a.indexOf('=')), dir: path.resolve(a.slice(a.indexOf('=') + 1)), runs: [] }));
if (sides.length < 2) throw new Error('felt-ab: give two or more sides, e.g. a=/work/wt-old b=/work/wt-new');

for (let r = 1; r <= rounds; r++) {
  for (const s of r % 2 ? sides : [...sides].reverse()) {
    const file = path.join(out, `${s.tag}-${r}.json`);
    const load = os.loadavg()[0].toFixed(1);
    const t = Date.now();
    const p = spawnSync(process.execPath, ['scripts/felt-bench.mjs', '--edits', String(edits), '--out', file], {
      cwd: s.dir,
      encoding: 'utf8',
      env: process.env,
    });
    const ok = p.status === 0 && fs.existsSync(file);
    console.error(
      `[felt-ab] round ${r} ${s.tag}: load ${load}, ${((Date.now() - t) / 1000).toFixed(0)} s${ok ? '' : `, FAILED: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`}`,
    );
    if (ok) s.runs.push({ load, ...JSON.parse(fs.readFileSync(file, 'utf8')) });
  }
}

const q = (xs, p) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(p * (v.length - 1) + 0.5))] : NaN;
};
const at = (e, k) => (k.startsWith('host.') ? e.host?.[k.slice(5)] : e[k]);
const ROWS = [
  ['first change painted', 'enter', 'firstChangePainted'],
  ['title ✓ painted', 'enter', 'firstAcceptTitlePainted'],
  ['inlay painted', 'enter', 'firstAcceptInlayPainted'],
  ['first usable Accept', 'enter', 'firstAcceptControlPainted'],
  ['Accept All lens painted', 'enter', 'firstAcceptLensPainted'],
  ['edit → renderer', 'host.firstEditSent', 'wsEdit'],
  ['renderer → first change in DOM', 'wsEdit', 'firstChange'],
  ['first token → first hunk streamed (model)', 'host.firstToken', 'host.firstHunkStreamed'],
  ['first hunk streamed → shown', 'host.firstHunkStreamed', 'host.firstHunkReady'],
  ['shown → ✓ key in renderer', 'host.firstHunkReady', 'wsAcceptContext'],
  ['✓ key → ✓ in DOM', 'wsAcceptContext', 'firstAcceptTitle'],
  ['✓ in DOM → painted', 'firstAcceptTitle', 'firstAcceptTitlePainted'],
];
const cell = (xs) => `${q(xs, 0.5).toFixed(1)} / ${q(xs, 0.9).toFixed(1)}`;
const lines = [`| p50 / p90 ms | ${sides.map((s) => s.tag).join(' | ')} |`, `|---|${sides.map(() => '---|').join('')}`];
lines.push(
  `| edits (runs) | ${sides.map((s) => `${s.runs.reduce((n, r) => n + r.felt_runs.length, 0)} (${s.runs.length})`).join(' | ')} |`,
);
lines.push(`| load before each run | ${sides.map((s) => s.runs.map((r) => r.load).join(', ')).join(' | ')} |`);
for (const [label, a, b] of ROWS)
  lines.push(
    `| ${label} | ${sides.map((s) => cell(s.runs.flatMap((r) => r.felt_runs.map((e) => at(e, b) - at(e, a))))).join(' | ')} |`,
  );
lines.push(
  `| first usable Accept, p50 of each run | ${sides.map((s) => s.runs.map((r) => r.felt_first_lens_ms_p50.toFixed(0)).join(', ')).join(' | ')} |`,
);
console.log(lines.join('\n'));
console.error(`[felt-ab] runs in ${out}`);
