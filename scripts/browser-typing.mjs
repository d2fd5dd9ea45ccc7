// Issue 11 (HA), the newcomer's sequence in the real browser: the demo model at a slow speed, "add error handling" on
// total() in the demo's orders.ts, real key presses (page.keyboard.type with a delay) into the edit while it streams:
// first at the end of a line the model has finished, then in an old line below the stream (code it has not reached).
// Then Accept All (Ctrl+Enter), save, and the file on disk: every key there, on the line it was typed on (no splice),
// and the file is what the README's design says (typing below the stream stops it there, like Esc).
import fs from 'node:fs';
import path from 'node:path';
import { waitFor, lensText, stepper, palette, openBox, setUserSetting } from './browser-e2e.mjs';

const code = async (page) =>
  (
    await page.evaluate(() => document.querySelector('.editor-group-container.active .view-lines')?.textContent ?? '')
  ).replace(/\u00a0/g, ' ');

/** The editor's line number (1-based) of the first line shown whose text is `text` (the comment prefix of removed rows is drawn hidden). */
function lineNumberOf(page, text) {
  return page.evaluate((t) => {
    const ed = document.querySelector('.editor-group-container.active .editor-container .monaco-editor');
    if (!ed) return -1;
    const rows = [...ed.querySelectorAll(':scope .view-lines .view-line')];
    const row = rows.find((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ') === t);
    if (!row) return -1;
    const top = row.style.top;
    const num = [...ed.querySelectorAll(':scope > .overflow-guard > .margin .line-numbers')].find(
      (n) => n.parentElement?.style.top === top || n.style.top === top,
    );
    return num ? Number(num.textContent) : -1;
  }, text);
}

/** Ctrl+G to the end of line `n`. */
async function goToLineEnd(page, n) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(String(n));
  await waitFor(
    () => page.evaluate(() => /\bline\b/i.test(document.querySelector('.quick-input-widget')?.textContent ?? '')),
    'the Go to Line picker read the number',
  );
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
  await waitFor(
    () =>
      page.evaluate(() => {
        const w = document.querySelector('.quick-input-widget');
        return !w || w.style.display === 'none';
      }),
    'the picker closed',
  );
  await page.keyboard.press('End');
}

export async function typingFlow(page, workspace, artifacts) {
  const results = [];
  const step = stepper(page, artifacts, 'browser typing while it streams', results);
  const file = path.join(workspace, 'demo', 'orders.ts');
  const original = fs.readFileSync(file, 'utf8');
  await step(
    'the newcomer (issue 11): keys typed into a finished line and into old code below the stream, then Accept All: every key on disk, no splice, the stream stopped at the old code',
    async () => {
      // A slow demo model (the setting is set as a person does, with sample.ts in front: see setUserSetting).
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
      await page.keyboard.type('sample.ts');
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      await setUserSetting(page, workspace, 'sparkEdit.demoTokensPerSecond', 6);
      try {
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
        await page.keyboard.type('demo/orders.ts');
        await page.waitForTimeout(600);
        await page.keyboard.press('Enter');
        await waitFor(
          () => page.evaluate(() => (document.querySelector('.tab.active')?.textContent ?? '').includes('orders.ts')),
          'orders.ts in front',
        );
        // total(): lines 8-14.
        await goToLineEnd(page, 8);
        await page.keyboard.press('Home');
        for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowDown');
        await page.keyboard.press('Shift+End');
        await openBox(page);
        await page.keyboard.type('add error handling');
        await page.keyboard.press('Enter');
        // A finished line of the answer: `try {` and the line after it have arrived (the next one has started).
        await waitFor(async () => /try \{/.test(await code(page)), 'the answer streaming (try {)', 30_000);
        await waitFor(async () => (await lineNumberOf(page, '  try {')) > 0, 'the try line drawn');
        const tryLine = await lineNumberOf(page, '  try {');
        await goToLineEnd(page, tryLine);
        const keys1 = ' // mine A';
        await page.keyboard.type(keys1, { delay: 80 });
        const writing1 = /writing/.test(await lensText(page));
        // Old code below the stream: the original `  return sum;` (the model's is indented deeper).
        const oldLine = await lineNumberOf(page, '  return sum;');
        if (oldLine < 0)
          throw new Error(`the old return line is not shown (the stream passed it?):\n${await code(page)}`);
        await goToLineEnd(page, oldLine);
        const keys2 = ' // mine B';
        await page.keyboard.type(keys2, { delay: 80 });
        await page.screenshot({ path: path.join(artifacts, 'e2e-typing-while-streaming.png') });
        await waitFor(async () => !/writing/.test(await lensText(page)), 'the stream stopped', 10_000);
        const shown = await code(page);
        // Accept All: the demo's answer to "add error handling" is one hunk (try { … } catch) that was still open when
        // the keys stopped it, so it was withdrawn, as on Esc: nothing may be pending (Ctrl+Enter would then be
        // VS Code's "insert line below"). Whatever is pending is accepted.
        await page.waitForTimeout(1000); // the Accept All lens of a stopped diff comes ≥ 250 ms after the change
        const pending = /Accept All/.test(await lensText(page));
        if (pending) await page.keyboard.press('Control+Enter');
        await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go after Accept All');
        await page.keyboard.press('Control+S');
        let disk = '';
        await waitFor(() => {
          disk = fs.readFileSync(file, 'utf8');
          return disk.includes(keys2);
        }, 'orders.ts saved with the keys');
        await page.screenshot({ path: path.join(artifacts, 'e2e-typing-accepted.png') });
        fs.writeFileSync(path.join(artifacts, 'e2e-typing-orders.ts.txt'), disk);
        const lines = disk.split('\n');
        const once = (k) => lines.filter((l) => l.includes(k)).length === 1;
        if (!once(keys1.trim()) || !once(keys2.trim()))
          throw new Error(`every key, once (still writing at the first: ${writing1}):\n${disk}\nshown:\n${shown}`);
        console.log(
          `[browser] typing while it streams: still writing after the first keys ${writing1}, pending ${pending}`,
        );
        // No splice: each line with keys is the line as it was, the keys at its end.
        if (!lines.includes('  try {' + keys1)) throw new Error(`the first keys not at the end of "  try {":\n${disk}`);
        if (!lines.includes('  return sum;' + keys2))
          throw new Error(`the second keys not at the end of the old "  return sum;":\n${disk}`);
        // The design: the keys in the old code stopped the stream there, the unfinished hunk was withdrawn (as on
        // Esc); the line typed in is the user's and stays. Everything else is the original.
        const rest = lines.filter((l) => !l.includes(keys1.trim())).join('\n');
        const want = original.replace('  return sum;\n', '  return sum;' + keys2 + '\n');
        if (rest !== want) throw new Error(`not the original plus the typing:\n${disk}`);
      } finally {
        fs.writeFileSync(file, original);
        await palette(page, 'File: Revert File');
        await page.keyboard.press('Control+W');
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
        await page.keyboard.type('sample.ts');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await setUserSetting(page, workspace, 'sparkEdit.demoTokensPerSecond', undefined);
      }
    },
  );
  return results;
}
