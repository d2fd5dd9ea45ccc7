// Runs the integration suite inside a real VS Code extension host: code-server 1.139 (from npm) with Spark Edit
// and the test-harness extension installed, the workbench opened in headless Chromium by Playwright.
// The harness runs mocha in the extension host and writes the result; screenshots requested by tests are taken here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ensureHost,
  freePort,
  installExtension,
  openBrowser,
  repo,
  sh,
  startCodeServer,
  vsce,
  writeUserSettings,
} from './host.mjs';

const t0 = Date.now();
const env = ensureHost();
// What is tested is what ships: the production .vsix of `npm run package`, beside the test-harness extension.
const { packageExtension } = await import('./package.mjs');
const shipped = packageExtension(path.join(repo, 'dist', 'spark-edit.vsix'));
console.log(
  `[integration] testing the packaged ${path.relative(repo, shipped.out)} (${(shipped.vsixBytes / 1024).toFixed(1)} KB)`,
);
sh(process.execPath, ['esbuild.config.mjs', '--harness-only']);
vsce(path.join(repo, 'test', 'harness'), path.join(repo, 'dist', 'spark-edit-test-harness.vsix'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-it-'));
const dirs = { userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions') };
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(repo, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
fs.cpSync(path.join(repo, 'demo', 'workspace'), path.join(workspace, 'demo'), { recursive: true }); // the demo's browser steps (issue 15)
const artifacts = path.join(repo, 'test-artifacts');
fs.mkdirSync(artifacts, { recursive: true });
for (const f of fs.readdirSync(artifacts)) if (/\.(shot|text|key)-request$/.test(f)) fs.rmSync(path.join(artifacts, f));
writeUserSettings(dirs);
installExtension(env, dirs, path.join(repo, 'dist', 'spark-edit.vsix'));
installExtension(env, dirs, path.join(repo, 'dist', 'spark-edit-test-harness.vsix'));

// `--bench FILE [--bench-options JSON]`: run the in-host benchmark instead of the tests, write its JSON to FILE.
const benchAt = process.argv.indexOf('--bench');
const benchOut = benchAt > 0 ? path.resolve(process.argv[benchAt + 1]) : undefined;
const benchOptsAt = process.argv.indexOf('--bench-options');
const benchOptions = benchOptsAt > 0 ? process.argv[benchOptsAt + 1] : '{}';
const resultFile = path.join(tmp, 'result.json');
const port = await freePort();
const logFile = path.join(artifacts, 'code-server.log');
fs.writeFileSync(logFile, '');
const serverEnv = (extra) => ({
  ...(benchOut
    ? { SPARK_BENCH_RESULT: resultFile, SPARK_BENCH_OPTIONS: benchOptions }
    : { SPARK_TEST_RESULT: resultFile }),
  SPARK_REPO: repo,
  SPARK_ARTIFACTS: artifacts,
  SPARK_TEST_GREP: process.env.SPARK_TEST_GREP ?? '',
  SPARK_TEST_RETRIES: process.env.SPARK_TEST_RETRIES ?? (process.env.CI ? '1' : '0'),
  SPARK_TYPE_LATENCY: process.env.SPARK_TYPE_LATENCY ?? '', // a measurement in the keyboard flow (browser-e2e.mjs)
  ...extra,
});
let server = await startCodeServer(env, dirs, workspace, port, serverEnv({}), logFile);
console.log(`[integration] code-server ready on 127.0.0.1:${port} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
let { browser, page } = await openBrowser(env, `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);

/** Choose a colour theme as a user does: Ctrl+K Ctrl+T, type its name, Enter. */
async function pickTheme(page, name) {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(name);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
}

let outcome;
const deadline = Date.now() + 20 * 60_000;
try {
  while (Date.now() < deadline) {
    for (const f of fs.readdirSync(artifacts)) {
      if (!f.endsWith('.shot-request')) continue;
      const name = f.slice(0, -'.shot-request'.length);
      await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
      fs.rmSync(path.join(artifacts, f));
      console.log(`[integration] screenshot: test-artifacts/${name}.png`);
    }
    // A test presses keys as a person does (the focused element of the page: the editor the test put in front), e.g.
    // Redo, whose keybinding decides what runs (issue 11, session 10: Spark Edit's own Redo past a save).
    for (const f of fs.readdirSync(artifacts)) {
      if (!f.endsWith('.key-request')) continue;
      const name = f.slice(0, -'.key-request'.length);
      const { keys } = JSON.parse(fs.readFileSync(path.join(artifacts, f), 'utf8'));
      for (const k of keys) await page.keyboard.press(k);
      fs.writeFileSync(path.join(artifacts, `${name}.key-done`), '');
      fs.rmSync(path.join(artifacts, f));
    }
    // A test asks what the page really shows (status bar, a webview's DOM): the text and title of every element
    // matching a CSS selector, in every frame (webviews are nested iframes).
    for (const f of fs.readdirSync(artifacts)) {
      if (!f.endsWith('.text-request')) continue;
      const name = f.slice(0, -'.text-request'.length);
      const { selector } = JSON.parse(fs.readFileSync(path.join(artifacts, f), 'utf8'));
      const found = [];
      for (const frame of page.frames()) {
        found.push(
          ...(await frame
            .evaluate((sel) => {
              /** The element's width with its text unclipped (a hidden copy beside it, no width limit). */
              const natural = (e) => {
                const c = e.cloneNode(true);
                Object.assign(c.style, {
                  position: 'absolute',
                  visibility: 'hidden',
                  maxWidth: 'none',
                  width: 'auto',
                  overflow: 'visible',
                  flex: 'none',
                });
                e.parentElement?.appendChild(c);
                const w = c.getBoundingClientRect().width;
                c.remove();
                return w;
              };
              return [...document.querySelectorAll(sel)].map((e) => ({
                text: e.textContent ?? '',
                shown: e.innerText ?? e.textContent ?? '', // what is drawn (display: none left out)
                title: e.getAttribute('title') ?? e.getAttribute('aria-label') ?? '',
                hidden: !!e.hidden,
                // Cut off (an ellipsis) at the size it has now; `width` 0: not laid out (hidden).
                // (scrollWidth alone misses text cut by less than the end padding.)
                clipped:
                  e.scrollWidth > e.clientWidth ||
                  (e.clientWidth > 0 && natural(e) > e.getBoundingClientRect().width + 0.5),
                width: e.clientWidth,
                naturalWidth: e.clientWidth > 0 ? natural(e) : 0,
              }));
            }, selector)
            .catch(() => [])),
        );
      }
      fs.writeFileSync(path.join(artifacts, `${name}.text.json`), JSON.stringify(found));
      fs.rmSync(path.join(artifacts, f));
    }
    if (fs.existsSync(resultFile)) {
      outcome = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      // SPARK_BROWSER_FLOWS=keyboard,chat,demo (typing: only the typing step; fresh: only the demo's new-session step; undo: the newcomer's undo, SPARK_UNDO_REPEAT times; ctrlp: Ctrl+P at SPARK_CTRLP_DELAYS ms after the box's Enter; firstenter: the first Enter of a session, keys right after it) picks the browser flows (all of them unless SPARK_TEST_GREP is set).
      const flows = (
        process.env.SPARK_BROWSER_FLOWS ?? (process.env.SPARK_TEST_GREP ? '' : 'keyboard,chat,demo')
      ).split(',');
      if (!benchOut && !outcome.error && flows.some(Boolean)) {
        // After the in-host suite: the user's flow by keyboard in the browser (keybindings, input box, save).
        const { keyboardFlow, chatFlow, pickerFlow, undoFlow, ctrlPFlow, firstEnterFlow } =
          await import('./browser-e2e.mjs');
        const { demoFlow, freshWalkthroughFlow } = await import('./browser-demo.mjs');
        const { typingFlow } = await import('./browser-typing.mjs');
        const run = async (name, flow) => (flows.includes(name) ? flow() : []);
        // The demo flow before the chat flow: the chat flow ends with theme changes and a window reload.
        for (const r of [
          ...(await run('keyboard', () => keyboardFlow(page, workspace, artifacts))),
          // Typing into the edit while it streams (issue 11, HA): with the keyboard flow, or alone (`typing`).
          ...(flows.includes('keyboard') || flows.includes('typing')
            ? await typingFlow(page, workspace, artifacts)
            : []),
          ...(await run('picker', () => pickerFlow(page, workspace, artifacts))), // alone: the end of 'keyboard'
          ...(await run('undo', () => undoFlow(page, workspace, artifacts))), // alone: the newcomer's undo, repeated
          ...(await run('ctrlp', () => ctrlPFlow(page, workspace, artifacts))), // a probe: Ctrl+P n ms after Enter
          ...(await run('firstenter', () => firstEnterFlow(page, workspace, artifacts))), // the end of 'keyboard'
          ...(await run('demo', () => demoFlow(page, workspace, artifacts))),
          // The demo flow ends with it; alone: a new browser session does the steps, then opens the walkthrough.
          ...(await run('fresh', () => freshWalkthroughFlow(page, workspace, artifacts))),
          ...(await run('chat', () => chatFlow(page, workspace, artifacts, async (theme) => pickTheme(page, theme)))),
        ]) {
          outcome.tests.push(r);
          if (r.state === 'passed') outcome.passed++;
          else outcome.failed++;
        }
      }
      break;
    }
    if (server.exitCode !== null) throw new Error('code-server exited during the run');
    await new Promise((r) => setTimeout(r, 100));
  }
  // SPARK_RESTART_GREP: the server is killed (SIGKILL, 2 s after the first run's result: no shutdown, no late flush),
  // started again on the same user-data-dir with a new browser, and the tests matching it run again there with
  // SPARK_RESTARTED=1 (what a user finds after a restart: restart.test.ts).
  // A full run (no SPARK_TEST_GREP) includes it: an opt-in test is a test that does not run in CI.
  const restartGrep =
    process.env.SPARK_RESTART_GREP ?? (process.env.SPARK_TEST_GREP ? undefined : 'box history survives');
  if (outcome && !outcome.error && restartGrep && !benchOut) {
    await new Promise((r) => setTimeout(r, 2000));
    server.kill('SIGKILL');
    await new Promise((r) => (server.exitCode !== null || server.signalCode ? r() : server.once('exit', r)));
    await browser.close().catch(() => undefined);
    const second = resultFile + '.restarted';
    const port2 = await freePort();
    server = await startCodeServer(
      env,
      dirs,
      workspace,
      port2,
      serverEnv({ SPARK_TEST_RESULT: second, SPARK_TEST_GREP: restartGrep, SPARK_RESTARTED: '1' }),
      logFile,
    );
    console.log('[integration] code-server killed (SIGKILL) and started again on the same user-data-dir');
    ({ browser, page } = await openBrowser(env, `http://127.0.0.1:${port2}/?folder=${encodeURIComponent(workspace)}`));
    const until = Date.now() + 5 * 60_000;
    while (!fs.existsSync(second) && Date.now() < until) {
      if (server.exitCode !== null) throw new Error('code-server exited during the run after the restart');
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = fs.existsSync(second) ? JSON.parse(fs.readFileSync(second, 'utf8')) : { error: 'no result in 5 min' };
    if (after.error) outcome = { ...outcome, error: `after the restart: ${after.error}` };
    else {
      // Each step counts where it ran (the other server skipped it).
      const ran = (t) => t.state !== 'pending';
      const titles = new Set(after.tests.filter(ran).map((t) => t.title));
      outcome.tests = [...outcome.tests.filter((t) => !titles.has(t.title)), ...after.tests.filter(ran)];
      outcome.passed = outcome.tests.filter((t) => t.state === 'passed').length;
      outcome.failed = outcome.tests.filter((t) => t.state === 'failed').length;
    }
  }
} finally {
  await browser.close().catch(() => undefined);
  server.kill('SIGTERM');
  // Keep the host's logs (the extension's output channel among them) with the artifacts.
  const logs = path.join(dirs.userData, 'logs');
  if (fs.existsSync(logs)) {
    fs.rmSync(path.join(artifacts, 'logs'), { recursive: true, force: true });
    fs.cpSync(logs, path.join(artifacts, 'logs'), { recursive: true });
  }
}

if (!outcome) {
  console.error('[integration] no result within 20 minutes; see test-artifacts/code-server.log');
  process.exit(1);
}
if (outcome.error) {
  console.error('[integration] the suite could not run:\n' + outcome.error);
  process.exit(1);
}
if (benchOut) {
  fs.writeFileSync(benchOut, JSON.stringify(outcome, null, 2));
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
for (const t of outcome.tests) {
  const mark = t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-';
  console.log(`  ${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
  if (t.error)
    console.log(
      '      ' +
        t.error
          .split('\n')
          .slice(0, Number(process.env.SPARK_ERROR_LINES ?? 12))
          .join('\n      '),
    );
  if (t.retried)
    console.log('      ↻ retried; the first attempt failed: ' + t.retried.split('\n').slice(0, 6).join('\n        '));
}
const skipped = outcome.tests.filter((t) => t.state === 'pending').length;
// The failures again, short, where `npm test` can repeat them last (CI shows only the end of the output).
const failures = [
  ...outcome.tests.filter((t) => t.state === 'failed').map((t) => `✗ ${t.title}: ${(t.error ?? '').split('\n')[0]}`),
  ...outcome.tests
    .filter((t) => t.state === 'passed' && t.retried)
    .map((t) => `↻ passed on retry: ${t.title}: first attempt ${t.retried.split('\n')[0]}`),
];
fs.writeFileSync(path.join(artifacts, 'integration-failures.txt'), failures.join('\n'));
// Every failed (or retried) test's whole error, uncut: a rare failure under load must tell what it saw.
fs.writeFileSync(
  path.join(artifacts, 'integration-errors.txt'),
  outcome.tests
    .filter((t) => t.state === 'failed' || t.retried)
    .map(
      (t) =>
        `${t.state === 'failed' ? '✗' : '↻'} ${t.title}\n${t.error ?? ''}${t.retried ? `\nfirst attempt: ${t.retried}` : ''}`,
    )
    .join('\n\n'),
);
console.log(`integration: ${outcome.passed} passed, ${outcome.failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(outcome.failed > 0 || outcome.passed === 0 ? 1 : 0);
