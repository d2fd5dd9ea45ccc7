// The user's flow by keyboard, in the real browser against code-server, with the built-in demo model:
// open a file, select a function, Ctrl+I, type an instruction, Enter; then Ctrl+Enter (accept),
// Ctrl+Backspace (reject) and Esc (reject). The file is saved and checked byte for byte on disk.
import fs from 'node:fs';
import path from 'node:path';

const ORIGINAL = fs.readFileSync(new URL('../test/fixtures/workspace/sample.ts', import.meta.url), 'utf8');
const AFTER_CONST = ORIGINAL.replace(/\bvar\s/g, 'const ');

async function waitFor(cond, what, ms = 20_000) {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const lensText = (page) => page.evaluate(() => [...document.querySelectorAll('.codelens-decoration')].map((e) => e.textContent).join(' | '));

async function requestEdit(page, instruction) {
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Control+I');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(instruction);
  await page.keyboard.press('Enter');
  await waitFor(async () => /Accept All/.test(await lensText(page)), 'the pending diff (Accept All lens)');
  await page.keyboard.press('Control+Home'); // collapse the selection; focus stays in the editor
}

export async function keyboardFlow(page, workspace, artifacts) {
  const results = [];
  const file = path.join(workspace, 'sample.ts');
  const step = async (title, fn) => {
    const t0 = Date.now();
    try { await fn(); results.push({ title: `browser keyboard flow: ${title}`, state: 'passed', durationMs: Date.now() - t0 }); }
    catch (e) {
      results.push({ title: `browser keyboard flow: ${title}`, state: 'failed', error: String(e?.stack ?? e) });
      await page.screenshot({ path: path.join(artifacts, `e2e-failure-${results.length}.png`) }).catch(() => undefined);
    }
  };
  await step('open sample.ts', async () => {
    await page.getByText('sample.ts', { exact: true }).first().dblclick();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20_000 });
    await waitFor(() => page.evaluate(() => [...document.querySelectorAll('.statusbar-item')].some((e) => /Spark \(demo model\): warm/.test(e.textContent ?? ''))), 'the demo model warm');
    await page.keyboard.press('Control+1');
  });
  await step('Ctrl+I, instruction, Enter streams a diff; Ctrl+Enter accepts; saved file has the edit', async () => {
    await requestEdit(page, 'use const');
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-pending.png') });
    await page.keyboard.press('Control+Enter');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await waitFor(() => fs.readFileSync(file, 'utf8') === AFTER_CONST, 'the saved file to hold the accepted edit');
  });
  await step('Ctrl+Backspace rejects: the file is byte-for-byte unchanged', async () => {
    await requestEdit(page, 'rename out to result');
    await page.keyboard.press('Control+Backspace');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await new Promise((r) => setTimeout(r, 500));
    if (fs.readFileSync(file, 'utf8') !== AFTER_CONST) throw new Error('the file changed after reject');
    const dirty = await page.evaluate(() => !!document.querySelector('.tab.active.dirty'));
    if (dirty) throw new Error('the editor is dirty after reject + save');
  });
  await step('Esc (not streaming) rejects', async () => {
    await requestEdit(page, 'rename out to result');
    await page.keyboard.press('Escape');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await new Promise((r) => setTimeout(r, 500));
    if (fs.readFileSync(file, 'utf8') !== AFTER_CONST) throw new Error('the file changed after Esc');
  });
  return results;
}
