// `npm start`: installs what is needed, builds Spark Edit, and runs VS Code in the browser (code-server 1.139)
// with Spark Edit installed on a demo workspace. With no API key, Spark Edit uses its built-in demo model.
//   npm start                 serve on http://127.0.0.1:8080 until Ctrl+C (PORT=… to change)
//   npm start -- --smoke      start, open the workbench in headless Chromium, screenshot, stop
import { ensureDeps } from './bootstrap.mjs';
ensureDeps();
const fs = await import('node:fs');
const path = await import('node:path');
const { ensureHost, hostDir, installExtension, openBrowser, repo, startCodeServer, writeUserSettings, freePort } =
  await import('./host.mjs');

const smoke = process.argv.includes('--smoke');
const env = ensureHost();
const { packageExtension } = await import('./package.mjs');
packageExtension(path.join(repo, 'dist', 'spark-edit.vsix'), { quiet: true });

const base = path.join(hostDir, smoke ? 'demo-smoke' : 'demo');
if (smoke) fs.rmSync(base, { recursive: true, force: true });
const dirs = { userData: path.join(base, 'user-data'), extensions: path.join(base, 'extensions') };
const workspace = path.join(base, 'workspace');
// The demo workspace is copied once and then yours to edit; when the repository's demo has changed since (a newer
// Spark Edit), the old copy is kept aside and the new demo copied, so the README's tips match the files.
const demoSource = path.join(repo, 'demo', 'workspace');
const { createHash } = await import('node:crypto');
const demoStamp = createHash('sha1');
for (const f of fs.readdirSync(demoSource, { recursive: true }).map(String).sort()) {
  const full = path.join(demoSource, f);
  if (fs.statSync(full).isFile()) demoStamp.update(f).update(fs.readFileSync(full));
}
const stamp = demoStamp.digest('hex').slice(0, 12);
const stampFile = path.join(base, 'demo-version');
if (fs.existsSync(workspace) && (fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '') !== stamp) {
  const aside = `${workspace}-before-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(workspace, aside);
  console.log(`[start] the demo workspace changed in this version: your old copy is in ${aside}`);
}
if (!fs.existsSync(workspace)) fs.cpSync(demoSource, workspace, { recursive: true });
fs.mkdirSync(base, { recursive: true });
fs.writeFileSync(stampFile, stamp + '\n');
// The demo opens on the workspace's README (the tips, and where the walkthrough is).
if (!fs.existsSync(path.join(dirs.userData, 'User', 'settings.json')))
  writeUserSettings(dirs, { 'workbench.startupEditor': 'readme' });
installExtension(env, dirs, path.join(repo, 'dist', 'spark-edit.vsix'));

const port = smoke ? await freePort() : Number(process.env.PORT ?? 8080);
const server = await startCodeServer(
  env,
  dirs,
  workspace,
  port,
  {},
  smoke ? path.join(base, 'code-server.log') : undefined,
);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
const keyNote = process.env.OPENAI_API_KEY
  ? 'using OPENAI_API_KEY from the environment'
  : 'no API key: Spark Edit uses its built-in demo model (status bar says "demo model")';
console.log(
  `\n  Spark Edit is running in VS Code ${'1.139'} (code-server):\n\n    ${url}\n\n  ${keyNote}.\n  Select code and press Ctrl+I (or run "Spark Edit: Edit Selection…"). Ctrl+C stops.\n`,
);

if (smoke) {
  const { browser, page } = await openBrowser(env, url);
  const out = path.join(repo, 'test-artifacts');
  fs.mkdirSync(out, { recursive: true });
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page
    .waitForFunction(
      () => [...document.querySelectorAll('.statusbar-item')].some((e) => /Spark.*warm/.test(e.textContent ?? '')),
      undefined,
      { timeout: 60_000 },
    )
    .catch(() => undefined);
  const status = await page.evaluate(() =>
    [...document.querySelectorAll('.statusbar-item')].map((e) => e.textContent ?? '').find((t) => /Spark/.test(t)),
  );
  await page.screenshot({ path: path.join(out, 'npm-start.png') });
  console.log(`[smoke] status bar: ${status?.trim()}; screenshot test-artifacts/npm-start.png`);
  await browser.close();
  server.kill('SIGTERM');
  if (!/demo model\): warm|Spark: warm/.test(status ?? '')) {
    console.error('[smoke] Spark Edit did not report a connection');
    process.exit(1);
  }
  process.exit(0);
}
const stop = () => {
  server.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
