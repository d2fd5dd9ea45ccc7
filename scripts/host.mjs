// Shared by `npm start` and the integration tests: install the real VS Code host (code-server), package and
// install extensions, start code-server on loopback, and open the workbench in Debian's Chromium.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const hostDir = process.env.SPARK_HOST_DIR ?? path.join(os.homedir(), '.cache', 'spark-edit', 'host');

export function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repo, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** Install Node 24, code-server and Chromium if missing (scripts/host-setup.sh). */
export function ensureHost() {
  sh('bash', [path.join(repo, 'scripts', 'host-setup.sh')]);
  return JSON.parse(fs.readFileSync(path.join(hostDir, 'env.json'), 'utf8'));
}

export function vsce(cwd, out) {
  sh(
    process.execPath,
    [
      path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--no-rewrite-relative-links',
      '-o',
      out,
    ],
    { cwd },
  );
}

export function codeServerEnv(env) {
  // No extension gallery (code-server's documented EXTENSIONS_GALLERY, unless one is set): these machines reach no
  // gallery, and its default (open-vsx.org) printed "ENOTFOUND open-vsx.org" three times at each `npm start`.
  const gallery = process.env.EXTENSIONS_GALLERY ?? '{}';
  return { ...process.env, EXTENSIONS_GALLERY: gallery, PATH: `${path.dirname(env.node24)}:${process.env.PATH}` };
}

export function installExtension(env, dirs, vsix) {
  sh(
    env.node24,
    [
      env.codeServer,
      '--extensions-dir',
      dirs.extensions,
      '--user-data-dir',
      dirs.userData,
      '--install-extension',
      vsix,
      '--force',
    ],
    { env: codeServerEnv(env), stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export function writeUserSettings(dirs, extra = {}) {
  const user = path.join(dirs.userData, 'User');
  fs.mkdirSync(user, { recursive: true });
  fs.writeFileSync(
    path.join(user, 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'editor.codeLens': true,
        'workbench.colorTheme': 'Default Dark Modern',
        // Keep VS Code's own AI chat out of the way: Spark Edit is what is being shown and tested.
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        ...extra,
      },
      null,
      2,
    ),
  );
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

export async function startCodeServer(env, dirs, folder, port, extraEnv = {}, logFile) {
  const args = [
    env.codeServer,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    folder,
  ];
  const out = logFile ? fs.openSync(logFile, 'a') : 'inherit';
  const child = spawn(env.node24, args, {
    env: { ...codeServerEnv(env), ...extraEnv },
    stdio: ['ignore', out, out],
    detached: false,
  });
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited (${child.exitCode}); see ${logFile ?? 'the output above'}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return child;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('code-server did not become ready in 60 s');
}

/** `init`: a script run in every page before the workbench's own (addInitScript), e.g. the felt-latency probes. */
export async function openBrowser(env, url, { headless = true, theme, init } = {}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: env.chromium,
    headless,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  // The workbench's clipboard is the browser's: grant it, as a user's browser would after the first prompt.
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    colorScheme: theme,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  if (init) await page.addInitScript(init);
  await page.goto(url);
  return { browser, page };
}
