// `npm test`: everything, from a fresh clone. Installs npm dependencies if needed, then runs
//   1. unit tests of the VS Code-free core (plain Node, mocha)
//   2. integration tests inside a real VS Code extension host (code-server + Chromium, installed by the scripts)
//   3. the benchmark's smoke test (it runs and its JSON has every key; speed is not judged here)
//   4. the `npm start` smoke (the README's first command starts VS Code with Spark Edit and the demo model)
// The last line is the plain "N passed, N failed" summary.
import { spawnSync } from 'node:child_process';
import { ensureDeps } from './bootstrap.mjs';

ensureDeps();
const steps = [
  ['unit', 'npm', ['run', '--silent', 'test:unit']],
  ['integration', 'npm', ['run', '--silent', 'test:integration']],
  ['bench smoke', 'npm', ['run', '--silent', 'bench', '--', '--smoke']],
  ['npm start smoke', 'node', ['scripts/start.mjs', '--smoke']],
];
const only = process.env.SPARK_TEST_ONLY?.split(',');
let passed = 0, failed = 0;
const summary = [];
for (const [name, cmd, args] of steps) {
  if (only && !only.includes(name)) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  if (ok) passed++; else failed++;
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
