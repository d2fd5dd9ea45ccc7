// `npm test`: everything, from a fresh clone. Installs npm dependencies if needed, then runs
//   1. unit tests of the VS Code-free core (plain Node, mocha), then ESLint (npm run lint) and Prettier's check
//      (npm run format:check)
//   2. integration tests inside a real VS Code extension host (code-server + Chromium, installed by the scripts)
//   3. the benchmark's smoke test (it runs and its JSON has every key; speed is not judged here)
//   4. the `npm start` smoke (the README's first command starts VS Code with Spark Edit and the demo model)
// The last line is the plain "N passed, N failed" summary.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { ensureDeps } from './bootstrap.mjs';

const failuresFile = 'test-artifacts/integration-failures.txt';

ensureDeps();
const steps = [
  ['unit', 'npm', ['run', '--silent', 'test:unit']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['format', 'npm', ['run', '--silent', 'format:check']],
  ['integration', 'npm', ['run', '--silent', 'test:integration']],
  ['bench smoke', 'npm', ['run', '--silent', 'bench', '--', '--smoke']],
  ['npm start smoke', 'node', ['scripts/start.mjs', '--smoke']],
];
const only = process.env.SPARK_TEST_ONLY?.split(',');
let passed = 0,
  failed = 0;
const summary = [];
for (const [name, cmd, args] of steps) {
  if (only && !only.includes(name)) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  if (name === 'integration') fs.rmSync(failuresFile, { force: true });
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  if (ok) passed++;
  else failed++;
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  // Name the failing integration tests in the summary: a CI log is often read from its end only.
  // Flaky tests that passed on their retry are named too.
  if (name === 'integration' && fs.existsSync(failuresFile)) {
    for (const line of fs.readFileSync(failuresFile, 'utf8').split('\n').filter(Boolean))
      summary.push(`       ${line.slice(0, 300)}`);
  }
}
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
