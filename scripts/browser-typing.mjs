// Issue 11 (HA), the newcomer's sequence in the real browser: the demo model at a slow speed, "add error handling" on
// total() in the demo's orders.ts, real key presses (page.keyboard.type with a delay) into the edit while it streams:
// first at the end of a line the model has finished, then in an old line below the stream (code it has not reached).
// Then Accept All (Ctrl+Enter), save, and the file on disk: every key there, on the line it was typed on (no splice),
// and the file is what the README's design says (typing below the stream stops it there, like Esc).
import fs from 'node:fs';
import path from 'node:path';
import { waitFor, lensText, stepper, palette, openBox, setUserSetting } from './browser-e2e.mjs';
import { tsErrors } from './browser-demo.mjs';

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

/** The text of the editor's line whose text starts with `start` and is shorter than `full` (a line being written). */
const partialLineAt = (page, start, full) =>
  page.evaluate(
    ([s, f]) => {
      const rows = [...document.querySelectorAll('.editor-group-container.active .view-lines .view-line')];
      for (const r of rows) {
        const t = (r.textContent ?? '').replace(/\u00a0/g, ' ');
        if (!t.startsWith(s) || t.length >= f.length || t.includes('/*kk')) continue;
        const spans = r.querySelectorAll('span span');
        const last = (spans[spans.length - 1] ?? r).getBoundingClientRect();
        return { text: t, x: last.right + 40, y: last.top + last.height / 2 };
      }
      return null;
    },
    [start, full],
  );

/** The notification toasts' text. */
const toasts = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')]
      .map((e) => e.textContent)
      .join(' | '),
  );

/**
 * Issue 11 (HA8), the newcomer's splice: keys typed into the LINE BEING WRITTEN (the demo at 20 tok/s, a key every
 * 80 ms; each key a renderer → extension host round trip while the flushes go on). On disk after Accept All: the keys
 * once, contiguous (no model character among them), on a line that is the model's finished line plus the keys or the
 * keys alone (the original plus the typing), and the file compiles.
 */
async function typeIntoLineBeingWritten(page, file, original, artifacts, n) {
  const keys = ` /*kk${n}*/`;
  const name = path.basename(file);
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(`demo/${name}`);
  await page.waitForTimeout(600);
  await page.keyboard.press('Enter');
  await waitFor(
    () => page.evaluate((x) => (document.querySelector('.tab.active')?.textContent ?? '').includes(x), name),
    `${name} in front`,
  );
  await goToLineEnd(page, 8);
  await page.keyboard.press('Home');
  for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+End');
  await openBox(page);
  await page.keyboard.type('add error handling');
  await page.keyboard.press('Enter');
  // The model's `for` line (indented inside its `try {`) while it is being written: click at its end and type.
  const full = '    for (var i = 0; i < order.items.length; i++) {';
  let at = null;
  await waitFor(
    async () => !!(at = await partialLineAt(page, '    for (', full)),
    'the line `    for (…` being written',
    30_000,
  );
  await page.mouse.click(at.x, at.y);
  await page.keyboard.type(keys, { delay: 80 });
  await page.screenshot({ path: path.join(artifacts, `e2e-typing-line-being-written-${n}.png`) });
  await waitFor(async () => !/writing/.test(await lensText(page)), 'no "writing…" lens left', 15_000);
  const said = await toasts(page);
  await page.waitForTimeout(1000); // the Accept All lens of a stopped diff comes ≥ 250 ms after the change
  const pending = /Accept All/.test(await lensText(page));
  if (pending) await page.keyboard.press('Control+Enter');
  await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go after Accept All');
  await page.keyboard.press('Control+S');
  let disk = '';
  await waitFor(() => {
    disk = fs.readFileSync(file, 'utf8');
    return disk !== original;
  }, 'orders.ts saved');
  fs.writeFileSync(path.join(artifacts, `e2e-typing-line-being-written-${n}.ts.txt`), disk);
  await page.keyboard.press('Control+W');
  const where = `(clicked at the end of "${at.text}"; pending ${pending}; said: ${said})\n${disk}`;
  if (disk.split(keys).length !== 2) throw new Error(`the keys "${keys}" once, in order and contiguous ${where}`);
  const lines = disk.split('\n');
  const k = lines.findIndex((l) => l.includes(keys));
  const base = lines[k].replace(keys, '');
  const answer = [
    'export function total(order: Order): number {',
    '  try {',
    '    var sum = 0;',
    full,
    '      sum += order.items[i].price * order.items[i].qty;',
    '    }',
    '    return sum;',
    '  } catch (err) {',
    "    console.error('total failed:', err);",
    '    throw err;',
    '  }',
    '}',
  ];
  if (base.trim() === '') {
    // The stream stopped at the first key, in its unfinished line: the original plus the typing.
    if ([...lines.slice(0, k), ...lines.slice(k + 1)].join('\n') !== original)
      throw new Error(`the keys alone on their line: the rest must be the original ${where}`);
    if (!/Stopped: you edited/.test(said)) throw new Error(`the stop said so ${where}`);
  } else if (!answer.includes(base) && !original.split('\n').includes(base))
    throw new Error(`the line with the keys is neither the model's finished line nor an original line ${where}`);
  const dir = fs.mkdtempSync(path.join(artifacts, 'typing-tsc-'));
  try {
    fs.writeFileSync(path.join(dir, 'orders.ts'), disk);
    const errs = tsErrors(dir);
    if (errs.length) throw new Error(`it compiles: ${errs.join('; ')} ${where}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`[browser] keys into the line being written (${n}): ${JSON.stringify(lines[k])}, pending ${pending}`);
}

/**
 * Attempts of the step above (issue 11, HA8b): the newcomer saw 5 of 14 fail, clustered (a timing race), where 3 tries
 * passed. SPARK_TYPING_ATTEMPTS overrides.
 */
const ATTEMPTS = Number(process.env.SPARK_TYPING_ATTEMPTS) || 10;

export async function typingFlow(page, workspace, artifacts) {
  const results = [];
  const step = stepper(page, artifacts, 'browser typing while it streams', results);
  const file = path.join(workspace, 'demo', 'orders.ts');
  const original = fs.readFileSync(file, 'utf8');
  await step(
    `keys typed into the line being written at 80 ms a key (demo at 20 tok/s), ${ATTEMPTS} times, then Accept All: on disk every key once, in order and contiguous, no model character among them, and the file compiles`,
    async () => {
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
      await page.keyboard.type('sample.ts');
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      await setUserSetting(page, workspace, 'sparkEdit.demoTokensPerSecond', 20);
      // A file of its own per attempt (a copy of orders.ts no editor has opened yet): never written behind an open
      // editor's back.
      const copies = Array.from({ length: ATTEMPTS }, (_, i) => i + 1).map((n) =>
        path.join(workspace, 'demo', `orders-kk${n}.ts`),
      );
      try {
        for (const f of copies) fs.writeFileSync(f, original);
        const failures = [];
        const retried = [];
        const recover = async () => {
          await page.keyboard.press('Escape');
          if (/Reject All/.test(await lensText(page))) await page.keyboard.press('Control+Backspace');
          await palette(page, 'View: Revert and Close Editor');
        };
        for (let n = 1; n <= ATTEMPTS; n++) {
          try {
            await typeIntoLineBeingWritten(page, copies[n - 1], original, artifacts, n);
          } catch (e) {
            await recover();
            // Under CI, as the host tests (test/integration/index.ts): one retry, on a fresh copy, reported with the
            // first error (the run's summary lists it: "passed on retry"). A race that loses 1 attempt in 10 under
            // CI (CI 36: the space typed first was missing) is seen, not hidden; twice in a row fails the step.
            if (!process.env.CI) {
              failures.push(`attempt ${n}: ${e?.message ?? e}`);
              continue;
            }
            const again = copies[n - 1].replace(/\.ts$/, '-again.ts');
            copies.push(again);
            fs.writeFileSync(again, original);
            try {
              await typeIntoLineBeingWritten(page, again, original, artifacts, n);
              retried.push(`attempt ${n} (passed on retry): ${e?.message ?? e}`);
            } catch (e2) {
              await recover();
              failures.push(`attempt ${n}, and again: ${e?.message ?? e}\n--- again:\n${e2?.message ?? e2}`);
            }
          }
        }
        if (failures.length)
          throw new Error(`${failures.length} of ${ATTEMPTS} attempts failed:\n${failures.join('\n\n')}`);
        if (retried.length)
          return { retried: `${retried.length} of ${ATTEMPTS} attempts retried:\n${retried.join('\n\n')}` };
      } finally {
        for (const f of copies) fs.rmSync(f, { force: true });
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
        await page.keyboard.type('sample.ts');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await setUserSetting(page, workspace, 'sparkEdit.demoTokensPerSecond', undefined);
      }
    },
  );
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
        // The stream adds lines above it meanwhile (old above new): go there again if it moved while Ctrl+G ran.
        for (let tries = 0; ; tries++) {
          const oldLine = await lineNumberOf(page, '  return sum;');
          if (oldLine < 0)
            throw new Error(`the old return line is not shown (the stream passed it?):\n${await code(page)}`);
          await goToLineEnd(page, oldLine);
          if ((await lineNumberOf(page, '  return sum;')) === oldLine || tries === 3) break;
        }
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
