// Installs the project's npm dependencies when they are missing or stale, so `npm start` and `npm test`
// work on a fresh clone with nothing else run first. Uses only Node's standard library.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function ensureDeps() {
  const lock = path.join(repo, 'package-lock.json');
  const marker = path.join(repo, 'node_modules', '.package-lock.json');
  const fresh = fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (fresh) return;
  console.log('[spark-edit] installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci failed');
}

if (import.meta.url === `file://${process.argv[1]}`) ensureDeps();
