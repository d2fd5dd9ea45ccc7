// The integration suite in desktop VS Code, through @vscode/test-electron, on a machine that can download VS Code
// (a developer's desktop with internet; CI here cannot, and uses code-server: scripts/run-integration.mjs).
//   npm run test:desktop                      VS Code stable (VSCODE_VERSION=1.139.1 to pin), needs a display (or xvfb-run)
// The extension is the production build (the same bundle `npm run package` ships); the tests are compiled by tsc.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[desktop] ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(1);
  }
};
step(process.execPath, ['esbuild.config.mjs', '--production']);
step(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-desktop-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(repo, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
const { runTests } = await import('@vscode/test-electron');
try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(repo, 'out', 'test', 'integration', 'desktop.js'),
    launchArgs: [
      workspace,
      '--disable-workspace-trust',
      '--user-data-dir',
      path.join(tmp, 'user-data'),
      '--extensions-dir',
      path.join(tmp, 'extensions'),
    ],
    extensionTestsEnv: { SPARK_REPO: repo },
  });
} catch (e) {
  console.error(`[desktop] ${e?.message ?? e}`);
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|getaddrinfo|download/i.test(String(e?.message ?? e))) {
    console.error(
      '[desktop] VS Code could not be downloaded: this needs internet access. Offline, use `npm run test:integration` (code-server).',
    );
  }
  process.exit(1);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
