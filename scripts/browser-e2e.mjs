// The user's flow by keyboard, in the real browser against code-server, with the built-in demo model:
// open a file, select a function, Ctrl+I, type an instruction, Enter; then Ctrl+Enter (accept),
// Ctrl+Backspace (reject) and Esc (reject). The file is saved and checked byte for byte on disk.
import fs from 'node:fs';
import path from 'node:path';

const ORIGINAL = fs.readFileSync(new URL('../test/fixtures/workspace/sample.ts', import.meta.url), 'utf8');
const AFTER_CONST = ORIGINAL.replace('var i', 'let i').replace(/\bvar\s/g, 'const '); // i is incremented: let

async function waitFor(cond, what, ms = 20_000) {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function palette(page, command) {
  await page.keyboard.press('Control+Shift+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(command);
  await page.waitForTimeout(400);
  await page.keyboard.press('Enter');
}
const lensText = (page) =>
  page.evaluate(() => [...document.querySelectorAll('.codelens-decoration')].map((e) => e.textContent).join(' | '));

/** The chat webview's frame (webviews are nested iframes), or undefined while there is none. */
async function chatFrame(page) {
  for (const f of page.frames()) {
    try {
      if (await f.$('#spark-chat')) return f;
    } catch {
      /* detached */
    }
  }
  return undefined;
}

/** Runs named steps, recording each as a test result; a failing step leaves a screenshot. */
function stepper(page, artifacts, prefix, results) {
  return async (title, fn) => {
    const t0 = Date.now();
    try {
      // A step may report that it passed on a retry (`{ retried: firstError }`): shown as such, never hidden.
      const r = await fn();
      results.push({
        title: `${prefix}: ${title}`,
        state: 'passed',
        durationMs: Date.now() - t0,
        ...(r?.retried ? { retried: r.retried } : {}),
      });
    } catch (e) {
      results.push({ title: `${prefix}: ${title}`, state: 'failed', error: String(e?.stack ?? e) });
      await page
        .screenshot({ path: path.join(artifacts, `${prefix.replace(/\W+/g, '-')}-failure-${results.length}.png`) })
        .catch(() => undefined);
    }
  };
}

/** The quick-input picker is shown (sparkEdit.promptStyle quickInput), and its text. */
const pickerOpen = (page) =>
  page.evaluate(() => {
    const w = document.querySelector('.quick-input-widget');
    return !!w && w.style.display !== 'none' && !w.classList.contains('quick-input-widget-closing');
  });
const pickerText = (page) => page.evaluate(() => document.querySelector('.quick-input-widget input')?.value ?? '');

/**
 * The instructions sent so far in this run, from the extension's log ("prompt: sent …"), every window of it
 * (a reload starts another log). The log is in the user data folder beside the workspace (run-integration.mjs).
 */
function sentInstructions(file) {
  return sentLog(file)
    .split('\n')
    .map((l) => /prompt: sent (".*")$/.exec(l)?.[1])
    .filter((m) => m !== undefined)
    .map((m) => JSON.parse(m));
}

/** What the demo model says in plain words (it cannot do what was asked): toasts and lenses. */
const demoSays = (page) =>
  page.evaluate(() =>
    [
      ...document.querySelectorAll(
        '.notifications-toasts .notification-list-item-message, .monaco-editor .codelens-decoration',
      ),
    ]
      .map((e) => e.textContent ?? '')
      .filter((t) => /demo model/i.test(t)),
  );

/** The extension's whole log, every window of this run. */
function sentLog(file) {
  const logs = path.join(path.dirname(path.dirname(file)), 'user-data', 'logs');
  const found = [];
  const walk = (d) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name === 'Spark Edit.log') found.push(f);
    }
  };
  walk(logs);
  return found
    .sort()
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}

/** The keyboard is in the instruction box at the code (issue 15: a comment-thread input under the selection). */
const boxHasFocus = (page) => page.evaluate(() => !!document.activeElement?.closest('.review-widget .monaco-editor'));
/** What the instruction box at the code shows ('' when there is none). */
const boxText = (page) =>
  page.evaluate(() =>
    (document.querySelector('.review-widget .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' '),
  );

/** Ctrl+I, then wait until the instruction box at the code has the keyboard. */
export async function openBox(page) {
  await page.keyboard.press('Control+I');
  await waitFor(() => boxHasFocus(page), 'the keyboard focus in the instruction box at the code');
}

export async function requestEdit(page, instruction) {
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
  await openBox(page);
  await page.keyboard.type(instruction);
  await page.keyboard.press('Enter');
  await waitFor(async () => /Accept All/.test(await lensText(page)), 'the pending diff (Accept All lens)');
  // The Accept All lens shows while the model still writes; a person waits for "writing… Stop (Esc)" to go before
  // pressing Esc to reject (Esc while writing stops the stream instead). Seen failing once under load without this.
  await waitFor(async () => !/writing/.test(await lensText(page)), 'the answer to finish (no "writing…" lens)');
  await page.keyboard.press('Control+Home'); // collapse the selection; focus stays in the editor
}

/**
 * Ctrl+I, then an instruction and Enter typed at once (`delay` ms between keys, none by default): until the preview
 * shows, the code (editor and disk) has none of it, and the WHOLE instruction is sent (the demo renames only for
 * exactly "rename out to result": a lost key gives another name or a plain-words refusal). Rejected again after.
 * `select`: 8 lines selected (else the cursor in parse(): the enclosing function, from the symbol provider).
 * `waitThread`: the keys only once the box's thread is made (Spark Edit heard Ctrl+I). Returns whether the box
 * had the keyboard before the first key.
 */
async function typedAtOnce(
  page,
  file,
  artifacts,
  { delay = 0, select = true, waitThread = false, shot, picker = false, before: keysBefore, base = ORIGINAL },
) {
  const typed = 'rename out to result';
  const sentBefore = sentInstructions(file).length;
  // What is on disk, once it holds still: a late auto-save of the step before rewrites the file, and a read in the
  // middle of that write sees it empty or cut (CI: "the file on disk changed before the preview" with the original).
  let before = fs.readFileSync(file, 'utf8');
  await waitFor(async () => {
    await page.waitForTimeout(150);
    const again = fs.readFileSync(file, 'utf8');
    const still = again === before && again.length > 0;
    before = again;
    return still;
  }, 'sample.ts to hold still on disk');
  // Each of these steps starts from the original (the one before rejected its preview): anything else on disk is ours.
  if (before !== base) throw new Error(`sample.ts on disk is not the original before the step: ${before}`);
  const saidBefore = (await demoSays(page)).length; // a toast of a step before may still show
  await page.keyboard.press('Control+Home');
  if (select) for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
  else for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Control+I');
  if (keysBefore) await keysBefore();
  if (waitThread)
    await waitFor(
      () => page.evaluate(() => !!document.querySelector('.monaco-editor [class*="comment-thread"]')),
      "the box's comment thread",
    );
  const early = !(await boxHasFocus(page));
  await page.keyboard.type(typed, { delay });
  await page.keyboard.press('Enter');
  // Until the preview shows, neither the file on disk nor the editor has anything typed.
  const code = async () =>
    (await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')).replace(
      /\u00a0/g,
      ' ',
    );
  let refused = '';
  await waitFor(async () => {
    // The pending diff: its Accept All lens, or the editor title's ✓ (under load the lens can lag for seconds while
    // auto-save sets the pending lines aside and back; seen twice with the diff, inlays and ✓ all shown).
    const preview =
      /Accept All/.test(await lensText(page)) ||
      (await page.evaluate(
        () =>
          !!document.querySelector(
            '.editor-group-container.active .editor-actions .action-label[aria-label^="Accept"]',
          ),
      ));
    const dirty = await page.evaluate(() => !!document.querySelector('.tab.active.dirty'));
    // Auto-save writes the file without the pending edit once there is one (a read mid-write sees a prefix).
    const disk = fs.readFileSync(file, 'utf8');
    if (!preview && !before.startsWith(disk)) throw new Error(`the file on disk changed before the preview: ${disk}`);
    if ((await code()).includes('rename out')) throw new Error('the typed keys went into the code');
    if (!preview && dirty) throw new Error('the editor is dirty before the preview');
    // The demo answers an instruction it cannot do in plain words (no preview): a lost key ends up here.
    refused = (await demoSays(page)).slice(saidBefore).join(' | ');
    if (refused && !preview) throw new Error(`not the whole instruction was sent; the demo says: ${refused}`);
    return preview;
  }, 'the pending diff (Accept All lens) from the instruction typed at once').catch(async (e) => {
    // What the prompt shows when nothing was sent (issue 15: the picker sat open with the text, the Enter lost).
    const shown = picker
      ? `the picker ${(await pickerOpen(page)) ? 'open' : 'closed'}, showing "${await pickerText(page)}"`
      : '';
    throw new Error(`${e.message}; sent: ${JSON.stringify(sentInstructions(file).slice(sentBefore))} ${shown}`);
  });
  // What the model was asked (the extension's log): exactly once, the whole instruction.
  const sent = sentInstructions(file).slice(sentBefore);
  if (sent.length !== 1 || sent[0] !== typed) throw new Error(`sent ${JSON.stringify(sent)}, typed "${typed}"`);
  if (picker && (await pickerOpen(page))) throw new Error(`the picker is still open: "${await pickerText(page)}"`);
  if (shot) await page.screenshot({ path: path.join(artifacts, shot) });
  await waitFor(async () => !/writing/.test(await lensText(page)), 'the answer to finish (no "writing…" lens)');
  // Every key, in order: the proposed code has every `out` renamed to `result`.
  await waitFor(async () => /\bresult\b/.test(await code()), 'the rename in the proposed code').catch(async (e) => {
    throw new Error(`${e.message}: ${await code()}`);
  });
  await page.keyboard.press('Control+Backspace');
  await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
  await waitFor(
    () => page.evaluate(() => !document.querySelector('.tab.active.dirty')),
    'the rejected edit gone from the editor',
  );
  await page.keyboard.press('Control+S');
  await waitFor(() => fs.readFileSync(file, 'utf8') === before, 'sample.ts as it was on disk');
  await waitFor(async () => !/\bresult\b/.test(await code()), 'the rejected rename gone from the code');
  await page.keyboard.press('Control+Home');
  return early;
}

/** Opens sample.ts with the keyboard in it, the demo model warm. */
async function openSample(page) {
  await showExplorer(page);
  // The explorer renders only the rows in view: with the files the host tests leave, sample.ts may be below them
  // (CI: "locator.dblclick: Timeout 30000ms exceeded"). Then Quick Open below opens it.
  const clicked = await page
    .getByText('sample.ts', { exact: true })
    .first()
    .dblclick({ timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
  if (clicked) await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20_000 });
  // The file list can shift under the click while it refreshes (tests create and delete workspace files): if
  // another file opened, open sample.ts by Quick Open instead.
  const activeTab = () => page.evaluate(() => document.querySelector('.tab.active')?.textContent ?? '');
  if (!/sample\.ts/.test(await activeTab())) {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
    await page.keyboard.type('sample.ts');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    await waitFor(async () => /sample\.ts/.test(await activeTab()), 'sample.ts to be the active editor');
  }
  await demoModelWarm(page);
  await page.keyboard.press('Control+1');
}

/** Shows the Explorer in the side bar (it may show another view, or be closed; a click on Explorer while it shows would close it). */
async function showExplorer(page) {
  if (
    !(await page
      .locator('.explorer-folders-view')
      .first()
      .isVisible()
      .catch(() => false))
  )
    await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
}

/** Waits for the status bar to say the demo model's socket is warm. */
async function demoModelWarm(page, ms = 20_000) {
  await waitFor(
    () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.statusbar-item')].some((e) =>
          /Spark \(demo model\): warm/.test(e.textContent ?? ''),
        ),
      ),
    'the demo model warm',
    ms,
  );
}

/**
 * A measurement, not a test (issue 15; SPARK_TYPE_LATENCY=1): what a `type` override held for good (every key
 * typed anywhere through the extension host and back, as Vim does) would cost per key. Keys typed 150 ms apart into
 * a plain-text file; per key, the time from its keydown to the editor showing it. Without, then with a pass-through
 * override (the harness extension owns `type` while the workspace has `.type-override`).
 */
async function typingLatency(page, workspace, artifacts) {
  const file = path.join(workspace, 'latency.txt');
  fs.writeFileSync(file, '');
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type('latency.txt');
  await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
  await waitFor(
    () => page.evaluate(() => /latency\.txt/.test(document.querySelector('.tab.active')?.textContent ?? '')),
    'latency.txt open',
  );
  const measure = async (label) => {
    await page.evaluate(() => {
      const lines = () => document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
      const len = () => (lines()?.textContent ?? '').length;
      const w = window;
      w.__lat = [];
      let pending;
      w.__latDown = (e) => {
        if (e.key.length === 1) pending = { t0: performance.now(), want: len() + 1 };
      };
      document.addEventListener('keydown', w.__latDown, true);
      w.__latObs = new MutationObserver(() => {
        if (pending && len() >= pending.want) {
          w.__lat.push(performance.now() - pending.t0);
          pending = undefined;
        }
      });
      w.__latObs.observe(lines(), { subtree: true, childList: true, characterData: true });
    });
    await page.keyboard.type('the quick brown fox jumps over the lazy dog', { delay: 150 });
    await page.waitForTimeout(500);
    const ms = await page.evaluate(() => {
      document.removeEventListener('keydown', window.__latDown, true);
      window.__latObs.disconnect();
      return window.__lat;
    });
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    const sorted = [...ms].sort((a, b) => a - b);
    const q = (f) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]?.toFixed(1);
    const r = { label, keys: ms.length, median: q(0.5), p90: q(0.9), max: q(1) };
    console.log(`[browser] typing latency ${label}: ${JSON.stringify(r)}`);
    return r;
  };
  const out = [];
  for (let round = 0; round < 2; round++) {
    out.push(await measure('VS Code typing (no override)'));
    fs.writeFileSync(path.join(workspace, '.type-override'), '');
    await page.waitForTimeout(800); // the harness polls every 100 ms
    out.push(await measure('through a pass-through type override'));
    fs.rmSync(path.join(workspace, '.type-override'));
    await page.waitForTimeout(800);
  }
  fs.writeFileSync(path.join(artifacts, 'typing-latency.json'), JSON.stringify(out, null, 2));
  await page.keyboard.press('Control+S');
  await page.keyboard.press('Control+W');
  fs.rmSync(file, { force: true });
}

export async function keyboardFlow(page, workspace, artifacts) {
  const results = [];
  const file = path.join(workspace, 'sample.ts');
  const step = stepper(page, artifacts, 'browser keyboard flow', results);
  if (process.env.SPARK_TYPE_LATENCY) {
    await typingLatency(page, workspace, artifacts);
    return results;
  }
  await step('open sample.ts', () => openSample(page));
  // Issue 15: the newcomer typed "add doc comments" right after the FIRST Ctrl+I of the session: the box got nothing
  // (keys typed before Spark Edit heard Ctrl+I were refused by the read-only lock); later "oc comments". The first
  // two Ctrl+I of this window: the whole instruction and Enter with no waits (the cursor in a function: its lines
  // come from the symbol provider, slow while cold), then at 70 ms a key on a selection.
  await step(
    'the FIRST Ctrl+I of the session, the instruction and Enter typed at once: all of it sent, the code untouched',
    async () => {
      await typedAtOnce(page, file, artifacts, { select: false, shot: 'e2e-keyboard-first-ctrl-i.png' });
    },
  );
  await step(
    'the second Ctrl+I, the instruction at 70 ms a key and Enter: all of it sent, the code untouched',
    async () => {
      await typedAtOnce(page, file, artifacts, { delay: 70 });
    },
  );
  await step(
    'the first Ctrl+I, then typing at once: the code is untouched, the keys go to the box or are refused',
    async () => {
      // A fast typist on a cold session (issue 15): keys typed before the box has the keyboard used to replace the
      // selected lines. No waits between Ctrl+I and the keys.
      const typed = 'use const';
      const before = fs.readFileSync(file, 'utf8');
      await page.keyboard.press('Control+Home');
      for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Control+I');
      await page.keyboard.type(typed);
      await waitFor(() => boxHasFocus(page), 'the keyboard focus in the instruction box at the code');
      await page.waitForTimeout(500); // keys still on their way land (not a race: the checks below hold at any time)
      const inBox = (await boxText(page)).trim();
      const dirty = await page.evaluate(() => !!document.querySelector('.tab.active.dirty'));
      const code = (
        await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')
      ).replace(/\u00a0/g, ' ');
      await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-type-at-once.png') });
      // Once the box has the keyboard the lock is lifted (no lock on the tab) and the box keeps the keyboard.
      await waitFor(
        () => page.evaluate(() => !document.querySelector('.tab.active .codicon-lock-small')),
        'the lock lifted once the box has the keyboard',
      );
      await page.keyboard.type('Q');
      await waitFor(async () => (await boxText(page)).trim().endsWith('Q'), 'a key typed into the box after the lift');
      if (!(await boxHasFocus(page))) throw new Error('the box lost the keyboard when the lock was lifted');
      await page.keyboard.press('Escape'); // cancels the box
      await waitFor(async () => !(await boxText(page)), 'the box to close');
      if (dirty || fs.readFileSync(file, 'utf8') !== before || code.includes(typed)) {
        // Leave the file as it was for the next steps.
        fs.writeFileSync(file, before);
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+1');
        await palette(page, 'File: Revert File');
        throw new Error(`keys typed after Ctrl+I edited the code (dirty: ${dirty}); box: "${inBox}"`);
      }
      if (!typed.endsWith(inBox)) throw new Error(`the box shows "${inBox}", not (the end of) "${typed}"`);
      // The code takes typing again as soon as the box is gone (the lock is lifted before it closes).
      const codeHasZ = () =>
        page.evaluate(() => /Z/.test(document.querySelector('.monaco-editor .view-lines')?.textContent ?? ''));
      await waitFor(
        () =>
          page.evaluate(() => {
            const a = document.activeElement;
            return !!a?.closest('.monaco-editor') && !a.closest('.review-widget');
          }),
        'the keyboard back in the code after Esc',
      );
      await page.keyboard.press('End');
      await page.keyboard.type('Z');
      await waitFor(codeHasZ, 'the key typed into the code after Esc');
      await page.keyboard.press('Control+Z');
      await waitFor(async () => !(await codeHasZ()), 'the undo');
      await page.keyboard.press('Control+S');
      await waitFor(() => fs.readFileSync(file, 'utf8') === before, 'sample.ts as it was on disk');
    },
  );
  await step(
    'the picker (promptStyle quickInput): Ctrl+I, then typing at once: the code is untouched, the keys go to the picker or are refused, the picker keeps the keyboard',
    async () => {
      // Issue 17: with the picker the lock is lifted as soon as the picker is shown (it has the keyboard then), not
      // after Enter, so the first edit does not wait for it (the felt bench's "first token → first edit sent").
      // Keys typed before the picker shows must still be refused, and the lift must not take the keyboard from it.
      const settings = path.join(workspace, '.vscode', 'settings.json');
      fs.mkdirSync(path.dirname(settings), { recursive: true });
      fs.writeFileSync(settings, JSON.stringify({ 'sparkEdit.promptStyle': 'quickInput' }));
      const picker = () =>
        page.evaluate(() => {
          const w = document.querySelector('.quick-input-widget');
          return !!w && w.style.display !== 'none' && !w.classList.contains('quick-input-widget-closing');
        });
      const pickerText = () => page.evaluate(() => document.querySelector('.quick-input-widget input')?.value ?? '');
      const select8 = async () => {
        await page.keyboard.press('Control+Home');
        for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
      };
      /** Ctrl+I on the selected lines: which prompt takes the keyboard (closed again with Esc). */
      const promptKind = async () => {
        await select8();
        await page.keyboard.press('Control+I');
        let kind;
        await waitFor(
          async () => !!(kind = (await picker()) ? 'picker' : (await boxHasFocus(page)) ? 'box' : undefined),
          'a prompt after Ctrl+I',
        );
        await page.keyboard.press('Escape');
        await waitFor(async () => !(await picker()) && !(await boxHasFocus(page)), 'the prompt closed');
        return kind;
      };
      const before = fs.readFileSync(file, 'utf8');
      try {
        // The workspace setting is read at Ctrl+I: until it is live the box at the code opens (Esc, again).
        await waitFor(async () => (await promptKind()) === 'picker', 'the picker as the prompt (workspace setting)');
        await select8();
        const typed = 'use const';
        await page.keyboard.press('Control+I');
        await page.keyboard.type(typed);
        await waitFor(picker, 'the picker');
        await page.waitForTimeout(500); // keys still on their way land (the checks below hold at any time)
        const inPicker = (await pickerText()).trim();
        const dirty = await page.evaluate(() => !!document.querySelector('.tab.active.dirty'));
        const code = (
          await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')
        ).replace(/\u00a0/g, ' ');
        await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-picker-type-at-once.png') });
        if (!(await picker())) throw new Error('the picker closed when the lock was lifted');
        await page.keyboard.type('Q');
        await waitFor(async () => (await pickerText()).endsWith('Q'), 'a key typed into the picker after the lift');
        await page.keyboard.press('Escape');
        await waitFor(async () => !(await picker()), 'the picker to close');
        if (dirty || fs.readFileSync(file, 'utf8') !== before || code.includes(typed)) {
          fs.writeFileSync(file, before);
          await page.keyboard.press('Control+1');
          await palette(page, 'File: Revert File');
          throw new Error(`keys typed after Ctrl+I edited the code (dirty: ${dirty}); picker: "${inPicker}"`);
        }
        if (!typed.endsWith(inPicker)) throw new Error(`the picker shows "${inPicker}", not (the end of) "${typed}"`);
      } finally {
        fs.rmSync(path.join(workspace, '.vscode'), { recursive: true, force: true });
        await page.keyboard.press('Control+1');
        // The next steps use the box at the code: wait until Ctrl+I opens it again.
        await waitFor(async () => (await promptKind()) === 'box', 'the box at the code as the prompt again');
        await page.keyboard.press('Control+Home');
      }
    },
  );
  await step(
    'Ctrl+I, then an instruction and Enter typed before the box has the keyboard: code untouched, all of it sent',
    async () => {
      // (Not the flow's first step: a Reject All, typing, then Undo brought the rejected diff back in the next step,
      // the undo guard's known case.)
      const early = await typedAtOnce(page, file, artifacts, {
        waitThread: true,
        shot: 'e2e-keyboard-typed-at-once.png',
      });
      if (!early) console.log('[browser] note: the box had the keyboard before the first key (nothing to hold)');
    },
  );
  await step('Ctrl+I, instruction, Enter streams a diff; Ctrl+Enter accepts; saved file has the edit', async () => {
    await requestEdit(page, 'use const');
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-pending.png') });
    await page.keyboard.press('Control+Enter');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await waitFor(() => fs.readFileSync(file, 'utf8') === AFTER_CONST, 'the saved file to hold the accepted edit');
  });
  /** Ask for an edit, reject it with `key`, save: the file on disk must still hold the accepted edit. */
  const rejectWith = async (key, what) => {
    await requestEdit(page, 'rename out to result');
    await page.keyboard.press(key);
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await new Promise((r) => setTimeout(r, 500));
    if (fs.readFileSync(file, 'utf8') !== AFTER_CONST) throw new Error(`the file changed after ${what}`);
  };
  await step('Ctrl+Backspace rejects: the file is byte-for-byte unchanged', async () => {
    await rejectWith('Control+Backspace', 'reject');
    const dirty = await page.evaluate(() => !!document.querySelector('.tab.active.dirty'));
    if (dirty) throw new Error('the editor is dirty after reject + save');
  });
  await step('Esc (not streaming) rejects', async () => {
    await rejectWith('Escape', 'Esc');
  });
  await step(
    'Ctrl+P right after Enter in the box: Quick Open keeps the keyboard, none of its keys reach the code',
    async () => {
      const r = await ctrlPAfterEnter(page, file, artifacts, 150);
      if (r.stolen)
        throw new Error(`keys meant for Quick Open reached the code: ${JSON.stringify(r.code.slice(0, 300))}`);
      if (!r.kept) throw new Error(`Quick Open lost the keyboard: its input has "${r.typed}"`);
    },
  );
  await step(
    'the box at the code remembers: ↑ / ↓ go through the recent instructions; Esc leaves the code as it is',
    async () => {
      // Issue 15 (round-8 newcomer: ↑ / ↓ in the box did nothing). The last two sent: "rename out to result", "use const".
      const before = fs.readFileSync(file, 'utf8');
      await page.keyboard.press('Control+Home');
      await openBox(page);
      const shows = async (text, what) => waitFor(async () => (await boxText(page)) === text, what);
      await page.keyboard.press('ArrowUp');
      await shows('rename out to result', 'the last instruction in the box (↑)');
      await page.keyboard.press('ArrowUp');
      await shows('use const', 'the one before it (↑)');
      await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-box-history.png') });
      await page.keyboard.press('ArrowDown');
      await shows('rename out to result', 'the last one again (↓)');
      await page.keyboard.press('ArrowDown');
      await shows('', 'what was typed: nothing (↓)');
      // Ctrl+Space lists them; Esc closes the list only (round-8 newcomer: it closed the box too).
      const listShown = () => page.evaluate(() => !!document.querySelector('.suggest-widget.visible'));
      await page.keyboard.press('Control+Space');
      await waitFor(listShown, 'the suggestion list');
      await page.keyboard.press('Escape');
      await waitFor(async () => !(await listShown()), 'the list to close');
      await new Promise((r) => setTimeout(r, 300));
      if (!(await boxHasFocus(page))) throw new Error('Esc on the suggestion list closed the box');
      await page.keyboard.press('Escape');
      await waitFor(async () => !(await boxHasFocus(page)), 'the box to close');
      if (fs.readFileSync(file, 'utf8') !== before) throw new Error('the file changed');
    },
  );
  // Issue 17: the editor title's ✓ / ✗ run with a plain mouse click (the inlay controls need Ctrl+click).
  const titleAction = (name) =>
    page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label^="${name}"]`).first();
  await step("the editor title's ✗ Reject All and ✓ Accept All work with a plain click; Undo after it", async () => {
    await requestEdit(page, 'rename out to result');
    await titleAction('Reject All').click();
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go after ✗');
    await page.keyboard.press('Control+S');
    await waitFor(() => fs.readFileSync(file, 'utf8') === AFTER_CONST, 'the file unchanged after ✗ Reject All');
    await requestEdit(page, 'rename out to result');
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-title-controls.png') });
    await titleAction('Accept All').click();
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go after ✓');
    const code = () => page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '');
    await waitFor(async () => /\bresult\b/.test(await code()), '✓ Accept All to apply the rename (in the code)');
    if (await titleAction('Accept All').count()) throw new Error('the ✓ stays in the title with nothing pending');
    await page.keyboard.press('Control+Z'); // the pending diff comes back (its ✓ too)
    await waitFor(async () => /Accept All/.test(await lensText(page)), 'Undo to bring the pending diff back');
    await waitFor(async () => (await titleAction('Accept All').count()) > 0, 'the ✓ back in the title after Undo');
    await page.keyboard.press('Control+Backspace');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await waitFor(() => fs.readFileSync(file, 'utf8') === AFTER_CONST, 'the file as it was before the edit');
  });
  await step(
    "the newcomer's undo (issue 11): Esc mid-stream, auto-save, Ctrl+Backspace, 'x' typed elsewhere, Ctrl+Z takes only the x; Ctrl+Z again brings the diff back",
    async () => newcomerUndo(page, workspace, file, artifacts),
  );
  await step('Ctrl+Shift+I on a pending edit asks in the box at the code; the redirected answer streams', async () => {
    await requestEdit(page, 'rename out to result');
    await page.keyboard.press('Control+Shift+I');
    await waitFor(() => boxHasFocus(page), 'the keyboard in the redirect box at the code');
    const label = await page.evaluate(() => document.querySelector('.review-widget')?.textContent ?? '');
    if (!/redirect this edit/.test(label)) throw new Error(`not the redirect box: ${label.slice(0, 200)}`);
    if (await page.evaluate(() => !!document.querySelector('.quick-input-widget:not([style*="display: none"]) input')))
      throw new Error('the redirect opened the picker at the top');
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-redirect-box.png') });
    await page.keyboard.type('rename result to list'); // the redirect applies to the proposed code
    await page.keyboard.press('Enter');
    const code = () => page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '');
    await waitFor(async () => /\blist\b/.test(await code()), 'the redirected answer in the code');
    await waitFor(async () => !/writing/.test(await lensText(page)), 'the answer to finish (no "writing…" lens)');
    await page.keyboard.press('Control+Backspace');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await waitFor(() => fs.readFileSync(file, 'utf8') === AFTER_CONST, 'the file as it was after the reject');
  });
  await pickerSteps(page, workspace, file, artifacts, step);
  await step(
    'the first Enter of a session in the box, keys typed right after it: the instruction as typed, the keys in the code',
    async () => firstEnterOfSession(page, file, artifacts),
  );
  return results;
}

/** The picker's steps alone (SPARK_BROWSER_FLOWS=picker); the keyboard flow ends with them. */
export async function pickerFlow(page, workspace, artifacts) {
  const results = [];
  const step = stepper(page, artifacts, 'browser keyboard flow', results);
  await pickerSteps(page, workspace, path.join(workspace, 'sample.ts'), artifacts, step);
  return results;
}

/**
 * Ctrl+P `ms` after the box's Enter, "zqxj" typed into Quick Open, "w" once the box has gone; then Quick Open closed,
 * the edit rejected, the file saved. Session 15 (a newcomer, 4 of 4): the box stayed until the first hunk showed, and
 * its close took the keyboard back (showTextDocument) from a Quick Open opened meanwhile: "ts.py" went into the code
 * and auto-save wrote it. The keyboard goes back to the code right behind the first edit, at most 30 ms after the
 * box's text is read (session 18; at once before it); a Ctrl+P before that return loses to it. `stolen`: its keys
 * reached the code (put back as it was); `kept`: Quick Open has all of them. SPARK_BROWSER_FLOWS=ctrlp probes delays.
 */
async function ctrlPAfterEnter(page, file, artifacts, ms, probe = false) {
  const before = fs.readFileSync(file, 'utf8');
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
  await openBox(page);
  await page.keyboard.type('rename out to result');
  await page.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, ms));
  await page.keyboard.press('Control+P');
  await page.keyboard.type('zqxj', { delay: 40 });
  await new Promise((r) => setTimeout(r, 600)); // past the box's close (≤ 150 ms after Enter, then its round trip)
  await page.keyboard.type('w', { delay: 40 });
  const typed = await page.evaluate(() => document.querySelector('.quick-input-widget input')?.value ?? '');
  const code = await page.evaluate(
    () => document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent ?? '',
  );
  await page.screenshot({ path: path.join(artifacts, `e2e-keyboard-ctrlp-after-enter-${ms}.png`) });
  await page.keyboard.press('Escape'); // Quick Open
  await page.keyboard.press('Control+1');
  if (probe) {
    // Keys in the code may have stopped the stream (typed ahead of it): put back as it was, for the next try.
    await putBack(page, file, before, /[zqxjw]{2}/);
    return { stolen: /[zqxjw]{2}/.test(code), kept: typed.endsWith('zqxjw'), typed, code };
  }
  await waitFor(async () => /Accept All/.test(await lensText(page)), 'the pending diff (Accept All lens)');
  await waitFor(async () => !/writing/.test(await lensText(page)), 'the answer to finish (no "writing…" lens)');
  await page.keyboard.press('Control+Backspace');
  await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
  await page.keyboard.press('Control+S');
  await new Promise((r) => setTimeout(r, 500));
  const after = fs.readFileSync(file, 'utf8');
  return { stolen: /[zqxjw]{2}/.test(code) || after !== before, kept: typed.endsWith('zqxjw'), typed, code };
}

/**
 * How soon after the box's Enter a Ctrl+P keeps the keyboard (SPARK_BROWSER_FLOWS=ctrlp; SPARK_CTRLP_DELAYS, ms,
 * default 20,40,60,80,100,150, each SPARK_CTRLP_REPEAT times, default 2). A probe: every try is reported, and the step
 * fails only at 150 ms and later (the keyboard flow's step).
 */
export async function ctrlPFlow(page, workspace, artifacts) {
  const results = [];
  const step = stepper(page, artifacts, 'browser Ctrl+P probe', results);
  const file = path.join(workspace, 'sample.ts');
  await step('open sample.ts', async () => openSample(page));
  const delays = (process.env.SPARK_CTRLP_DELAYS ?? '20,40,60,80,100,150').split(',').map(Number);
  const n = Number(process.env.SPARK_CTRLP_REPEAT ?? 2);
  for (const ms of delays)
    for (let i = 1; i <= n; i++)
      await step(`Ctrl+P ${ms} ms after the box's Enter (${i} of ${n})`, async () => {
        const r = await ctrlPAfterEnter(page, file, artifacts, ms, true);
        console.error(
          `[browser] Ctrl+P ${ms} ms after Enter: ${r.stolen ? 'STOLEN (keys into the code)' : 'code untouched'}, Quick Open has "${r.typed}"`,
        );
        if (ms >= 150 && (r.stolen || !r.kept))
          throw new Error(`at ${ms} ms: stolen ${r.stolen}, Quick Open "${r.typed}"`);
      });
  return results;
}

/**
 * Session 18, a newcomer (3 of 3): the FIRST Enter of a browser session in the box, and keys typed right after it:
 * they went into the instruction ("use constqz" sent, the demo declined it). The workbench ran the session's first
 * `sparkEdit.inlinePrompt.enter` only after asking the extension host to activate it (a round trip), and the keys,
 * typed through VS Code's `type`, overtook it. In a new window (a fresh extension host): the instruction is sent
 * exactly as typed, and the keys after Enter reach the code, in order. The file is put back as it was.
 */
async function firstEnterOfSession(page, file, artifacts) {
  const before = fs.readFileSync(file, 'utf8');
  const sentBefore = sentInstructions(file).length;
  await page.reload();
  await page.waitForSelector('.monaco-workbench', { timeout: 30_000 });
  await openSample(page);
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
  await openBox(page);
  await page.keyboard.type('rename out to result');
  await page.keyboard.press('Enter');
  await page.keyboard.type('qzx');
  const code = async () =>
    (await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')).replace(
      /\u00a0/g,
      ' ',
    );
  try {
    await waitFor(() => sentInstructions(file).length > sentBefore, 'the instruction sent');
    // At the cursor: the selection's start, line 1 (the model's rename of a longer instruction also shows `qzx`).
    await waitFor(async () => /qzx\s*export/.test(await code()), 'the keys typed after Enter in the code').catch(
      async (e) => {
        throw new Error(`${e.message}: the code shows ${JSON.stringify((await code()).slice(0, 200))}`);
      },
    );
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-first-enter-of-session.png') });
    const sent = sentInstructions(file).slice(sentBefore);
    if (sent.length !== 1 || sent[0] !== 'rename out to result')
      throw new Error(`sent ${JSON.stringify(sent)}, typed "rename out to result" then "qzx" after Enter`);
    if (/[qzx]/.test(await boxText(page))) throw new Error(`keys after Enter in the box: "${await boxText(page)}"`);
  } finally {
    await putBack(page, file, before, /qzx/);
  }
}

/**
 * After a try that may have left keys in the code or a stream stopped by them: whatever is pending is rejected (once
 * the stream has had 1.5 s to end), `file` gets `text` back and the editor reverts to it, until neither `stray` in the
 * code nor an Accept lens shows.
 */
async function putBack(page, file, text, stray) {
  await page.waitForTimeout(1500);
  if (/Accept|Dismiss/.test(await lensText(page))) await page.keyboard.press('Control+Backspace');
  await page.waitForTimeout(300);
  fs.writeFileSync(file, text);
  await palette(page, 'File: Revert File');
  await waitFor(async () => {
    const code = await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '');
    return !(await page.$('.tab.active.dirty')) && !stray.test(code) && !/Accept/.test(await lensText(page));
  }, 'the file as it was');
}

/** The first Enter of a session alone (SPARK_BROWSER_FLOWS=firstenter, SPARK_FIRST_ENTER_REPEAT times, default 2). */
export async function firstEnterFlow(page, workspace, artifacts) {
  const results = [];
  const step = stepper(page, artifacts, 'browser first Enter', results);
  const file = path.join(workspace, 'sample.ts');
  const n = Number(process.env.SPARK_FIRST_ENTER_REPEAT ?? 2);
  for (let i = 1; i <= n; i++)
    await step(
      `the first Enter of a session in the box, keys typed right after it (${i} of ${n}): the instruction as typed, the keys in the code`,
      async () => firstEnterOfSession(page, file, artifacts),
    );
  return results;
}

/**
 * The newcomer's undo alone, SPARK_UNDO_REPEAT times (default 3): SPARK_BROWSER_FLOWS=undo. It failed once in CI (the
 * stop after session 16: the auto-save of the stopped diff wrote something else than the code before the edit).
 */
export async function undoFlow(page, workspace, artifacts) {
  const results = [];
  const step = stepper(page, artifacts, 'browser undo flow', results);
  const file = path.join(workspace, 'sample.ts');
  await step('open sample.ts holding the code after "use const"', async () => {
    fs.writeFileSync(file, AFTER_CONST);
    await openSample(page);
    await palette(page, 'File: Revert File');
    await waitFor(
      async () =>
        /const\s/.test(
          await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? ''),
        ),
      'the code after "use const"',
    );
  });
  const n = Number(process.env.SPARK_UNDO_REPEAT ?? 3);
  for (let i = 1; i <= n; i++)
    await step(`the newcomer's undo (${i} of ${n})`, async () => newcomerUndo(page, workspace, file, artifacts));
  return results;
}

/**
 * Issue 15, the picker (`sparkEdit.promptStyle: quickInput`): the newcomer's Enter typed at once after Ctrl+I was
 * lost (the picker sat open), and at 70 ms a key a key was dropped ("rname"). In a new window (a fresh extension
 * host: the session's first Ctrl+I is the cold one), each step types "rename out to result" and Enter with no waits
 * for the picker: exactly that instruction is sent (the extension's log), once, and the code is untouched until the
 * preview (typedAtOnce). Ends back on the box at the code, sample.ts holding AFTER_CONST as before.
 */
async function pickerSteps(page, workspace, file, artifacts, step) {
  const settings = path.join(workspace, '.vscode', 'settings.json');
  const base = fs.readFileSync(file, 'utf8'); // each step starts from it (rejects its edit): the original, or the
  // keyboard flow's accepted "use const"
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  fs.writeFileSync(settings, JSON.stringify({ 'sparkEdit.promptStyle': 'quickInput' }));
  const opts = { picker: true, base };
  try {
    await step('the picker: a new window with sample.ts, the demo model warm', async () => {
      await page.reload();
      await page.waitForSelector('.monaco-workbench', { timeout: 30_000 });
      const active = () =>
        page.evaluate(() => /sample\.ts/.test(document.querySelector('.tab.active')?.textContent ?? ''));
      await waitFor(active, 'sample.ts restored as the active editor', 10_000).catch(async () => {
        await page.keyboard.press('Control+P'); // not open before the reload (SPARK_BROWSER_FLOWS=picker)
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
        await page.keyboard.type('sample.ts');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await waitFor(active, 'sample.ts opened');
      });
      await demoModelWarm(page, 30_000);
      await page.keyboard.press('Control+1');
      await waitFor(
        async () => fs.readFileSync(file, 'utf8') === base && !(await page.$('.tab.active.dirty')),
        'sample.ts as on disk',
      );
    });
    await step(
      'the picker: the FIRST Ctrl+I of the session, the instruction and Enter typed at once: all of it sent by that Enter, the code untouched',
      async () => {
        await typedAtOnce(page, file, artifacts, { ...opts, shot: 'e2e-keyboard-picker-first.png' });
      },
    );
    for (let i = 1; i <= 3; i++)
      await step(
        `the picker: a later Ctrl+I, the instruction at 70 ms a key and Enter (${i} of 3): all of it sent`,
        async () => {
          await typedAtOnce(page, file, artifacts, { ...opts, delay: 70 });
        },
      );
    await step('the picker: a later Ctrl+I, the instruction and Enter typed at once: all of it sent', async () => {
      await typedAtOnce(page, file, artifacts, opts);
    });
    for (let i = 1; i <= 2; i++)
      await step(
        `the picker: Ctrl+I, Esc, Ctrl+I at once, then the instruction and Enter (${i} of 2): all of it sent`,
        async () => {
          const before = async () => {
            await page.keyboard.press('Escape');
            await page.keyboard.press('Control+I');
          };
          await typedAtOnce(page, file, artifacts, { ...opts, select: false, before }); // Esc drops a selection
          const log = sentLog(file);
          if (/command 'type' already exists/.test(log))
            throw new Error('a prompt found "type" still owned by the one before');
        },
      );
  } finally {
    fs.rmSync(path.join(workspace, '.vscode'), { recursive: true, force: true });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+1');
    await palette(page, 'File: Revert File');
  }
}

/**
 * Set a user setting as a person does, in the settings JSON editor (code-server does not pick up a settings file
 * written from outside in time). The file is beside the workspace (see run-integration.mjs).
 */
async function setUserSetting(page, workspace, key, value) {
  const f = path.join(path.dirname(workspace), 'user-data', 'User', 'settings.json');
  const s = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (value === undefined) delete s[key];
  else s[key] = value;
  await palette(page, 'Preferences: Open User Settings (JSON)');
  // It opens as a tab or as a floating (modal) editor, with the keyboard in it.
  await waitFor(
    () =>
      page.evaluate(() =>
        /security\.workspace\.trust/.test(
          document.activeElement?.closest('.monaco-editor')?.querySelector('.view-lines')?.textContent ?? '',
        ),
      ),
    'the user settings.json open with the keyboard in it',
  );
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  // One line: the editor types it as keys (a newline would indent the next line; a closing bracket types over).
  await page.keyboard.insertText(JSON.stringify(s));
  await page.keyboard.press('Control+S');
  const read = () => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch {
      return {};
    }
  };
  await waitFor(() => read()[key] === value && Object.keys(read()).length === Object.keys(s).length, `${key} saved`);
  await page.keyboard.press('Control+W');
  await page.keyboard.press('Control+1');
  await waitFor(
    () =>
      page.evaluate(() =>
        /parse\(text/.test(
          document.activeElement?.closest('.monaco-editor')?.querySelector('.view-lines')?.textContent ?? '',
        ),
      ),
    'the keyboard back in sample.ts',
  );
}

/**
 * What a newcomer saw (issue 11, browser, auto-save on): Esc mid-stream, Reject All, "x" typed elsewhere, and ONE
 * Ctrl+Z removed the x AND brought the rejected diff back. The file holds AFTER_CONST before and after.
 */
async function newcomerUndo(page, workspace, file, artifacts) {
  const code = async () =>
    (await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')).replace(
      /\u00a0/g,
      ' ',
    );
  const saved = () => fs.statSync(file).mtimeMs;
  // A slow demo model, so Esc lands mid-stream (code-server's auto-save is on by default: afterDelay, 1 s).
  await setUserSetting(page, workspace, 'sparkEdit.demoTokensPerSecond', 8);
  try {
    // Esc mid-stream: the first renamed line shown, the last not yet. The settings file is read again after a
    // moment: until the model is slow, the answer may be whole before Esc (then Esc rejects it): try again.
    let stopped = false;
    for (let attempt = 0; attempt < 4 && !stopped; attempt++) {
      await page.waitForTimeout(1000);
      await page.keyboard.press('Control+Home');
      for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
      await openBox(page);
      await page.keyboard.type('rename out to result');
      await page.keyboard.press('Enter');
      // The second renamed line arrived: the first change is whole (the line after it came), the answer is not.
      await waitFor(async () => /result\.push/.test(await code()), 'a renamed line streamed');
      const whole = /return result/.test(await code());
      await page.keyboard.press('Escape');
      // A stopped diff shows its Accept All lens (≥ 250 ms after the change; later under load); nothing left, none.
      const pending = await waitFor(async () => /Accept All/.test(await lensText(page)), 'a stopped diff', 5000).then(
        () => true,
        () => false,
      );
      stopped = !whole && pending && !/return result/.test(await code());
      console.log(
        `[browser] newcomer's undo, try ${attempt + 1}: answer whole before Esc ${whole}, pending ${pending}`,
      );
      if (!stopped && pending) await page.keyboard.press('Control+Backspace');
      await waitFor(async () => stopped || !/Accept/.test(await lensText(page)), 'no diff left from the try');
    }
    if (!stopped) throw new Error('Esc never landed mid-stream (the demo model stayed too fast)');
    await waitFor(async () => !/writing/.test(await lensText(page)), 'the stream stopped');
    await waitFor(async () => /Accept All/.test(await lensText(page)), 'the stopped diff pending');
    const t0 = saved();
    await waitFor(() => saved() > t0, 'an auto-save while the stopped diff is pending');
    // VS Code writes a file by truncating it, then writing it (DiskFileSystemProvider.writeFile): read right after the
    // mtime moved, it can be empty. Read once the write is done (the next auto-save comes ≥ 1 s after an edit).
    const first = fs.readFileSync(file, 'utf8');
    await page.waitForTimeout(200);
    const written = fs.readFileSync(file, 'utf8');
    if (written !== AFTER_CONST)
      throw new Error(
        `the auto-save of the stopped diff wrote something else than the code before the edit (read at once: ${first === written ? 'the same' : JSON.stringify(first.slice(0, 200))}):\n${written}`,
      );
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-newcomer-stopped.png') });
    await page.keyboard.press('Control+Backspace');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go after Reject All');
    const t1 = saved();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.type('x');
    const typed = AFTER_CONST.replace('{\n', '{x\n');
    await waitFor(() => saved() > t1 && fs.readFileSync(file, 'utf8') === typed, 'the x auto-saved');
    const t2 = saved();
    await page.keyboard.press('Control+Z');
    await waitFor(() => saved() > t2, 'the undo auto-saved');
    await page.waitForTimeout(1500); // a late walk of the undo guard would show here (and be auto-saved)
    const disk = fs.readFileSync(file, 'utf8');
    const lens = await lensText(page);
    await page.screenshot({ path: path.join(artifacts, 'e2e-keyboard-newcomer-undo.png') });
    if (disk !== AFTER_CONST)
      throw new Error(`one Ctrl+Z: the file on disk is not the text before the x:\n${disk}\nlenses: ${lens}`);
    if (/Accept All/.test(lens) || /\bresult\b/.test(await code()))
      throw new Error(`one Ctrl+Z brought the rejected diff back with the x undone: ${lens}`);
    await page.keyboard.press('Control+Z');
    await waitFor(
      async () => /Accept All/.test(await lensText(page)),
      'the second Ctrl+Z brings the stopped diff back',
    );
    if (!/\bresult\b/.test(await code())) throw new Error('the diff came back without its lines');
    await page.keyboard.press('Control+Backspace');
    await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
    await page.keyboard.press('Control+S');
    await waitFor(() => fs.readFileSync(file, 'utf8') === AFTER_CONST, 'the file as it was before the edit');
  } finally {
    await setUserSetting(page, workspace, 'sparkEdit.demoTokensPerSecond', undefined);
  }
}

/** The side-panel chat in the real browser: chips, a streamed answer, sanitised hostile HTML, Apply → inline diff, themes. */
export async function chatFlow(page, workspace, artifacts, setTheme) {
  const results = [];
  const file = path.join(workspace, 'sample.ts');
  const step = stepper(page, artifacts, 'browser chat', results);
  let frame;
  await step('open the chat view from the activity bar; the selection shows as a context chip', async () => {
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowDown');
    await page.locator('.activitybar [aria-label^="Spark Edit"]').first().click();
    await waitFor(async () => !!(frame = await chatFrame(page)), 'the chat webview');
    await frame.waitForSelector('.chip[data-chip="selection"]', { timeout: 10_000 });
  });
  await step("a removed chip is left out of the message's context", async () => {
    await frame.click('.chip[data-chip="file"] .chip-x');
    await frame.waitForSelector('.chip[data-chip="file"]', { state: 'detached', timeout: 5_000 });
  });
  await step('a message streams a Markdown answer; hostile HTML in it does not run', async () => {
    await frame.fill('#input', 'Please review this (xss-test)');
    await frame.press('#input', 'Enter');
    await frame.waitForSelector('.msg.user .ctx', { timeout: 10_000 });
    const ctx = await frame.$$eval('.msg.user .ctx', (e) => e[e.length - 1].textContent ?? '');
    const items = ctx.split(' · ');
    // 8 lines: Shift+↓ × 8 from the top ends at the start of line 9, which is not selected.
    if (!items.includes('sample.ts:1-8')) throw new Error(`the selection is missing from the context: ${ctx}`);
    if (items.includes('sample.ts')) throw new Error(`the removed file chip was sent anyway: ${ctx}`);
    await frame.waitForSelector('.msg.assistant .code-block', { timeout: 20_000 });
    await waitFor(async () => await frame.$$eval('#stop', (e) => e.every((x) => x.hidden)), 'the answer to finish');
    const text = await frame.textContent('.msg.assistant:last-child');
    if (!/demo model/.test(text)) throw new Error(`unexpected answer: ${text}`);
    if (!(await frame.$('.msg.assistant h3')) || !(await frame.$('.msg.assistant strong')))
      throw new Error('Markdown was not rendered');
    if (!(await frame.$('.msg.assistant .hljs-keyword'))) throw new Error('code was not highlighted');
    const xss = await frame.evaluate(() => window.__xss);
    if (xss !== undefined) throw new Error(`model output ran as script (window.__xss=${xss})`);
    const bad = await frame.$$eval(
      '.messages img, .messages script, .messages [onerror], .messages iframe',
      (e) => e.length,
    );
    if (bad) throw new Error(`${bad} dangerous element(s) rendered`);
    const hrefs = await frame.$$eval('.messages a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    if (hrefs.some((h) => /^\s*javascript:/i.test(h))) throw new Error(`javascript: link rendered: ${hrefs}`);
    if (!/onerror/.test(text)) throw new Error('the hostile text should be shown as text');
    await page.screenshot({ path: path.join(artifacts, 'chat-dark.png') });
  });
  await step(
    'Apply on a code block previews it as an inline diff in the right file; Reject All restores it',
    async () => {
      const before = fs.readFileSync(file, 'utf8');
      await frame.click('.msg.assistant:last-child .code-block button[data-action="apply"]');
      await waitFor(async () => /Accept All/.test(await lensText(page)), 'the pending diff from Apply');
      const editorText = (
        await page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')
      ).replace(/\u00a0/g, ' ');
      if (!/\* Parse\./.test(editorText)) throw new Error('the applied code is not in the editor');
      await page.screenshot({ path: path.join(artifacts, 'chat-apply.png') });
      // As a person would, straight from the chat: the keyboard is in the editor now, so Ctrl+Backspace rejects.
      await page.keyboard.press('Control+Backspace');
      await waitFor(async () => !/Accept/.test(await lensText(page)), 'the lenses to go');
      if (fs.readFileSync(file, 'utf8') !== before) throw new Error('the file changed');
    },
  );
  await step('follows the light theme', async () => {
    await setTheme('Light Modern');
    await waitFor(() => page.evaluate(() => !!document.querySelector('.monaco-workbench.vs')), 'the light theme');
    await page.waitForTimeout(800);
    const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = (bg.match(/\d+/g) ?? ['0', '0', '0']).map(Number);
    if (r + g + b < 600) throw new Error(`the chat did not follow the light theme (background ${bg})`);
    await page.screenshot({ path: path.join(artifacts, 'chat-light.png') });
  });
  await step('follows the high-contrast theme', async () => {
    await setTheme('Dark High Contrast');
    await waitFor(
      () => page.evaluate(() => !!document.querySelector('.monaco-workbench.hc-black')),
      'the high-contrast theme',
    );
    await page.waitForTimeout(800);
    const { bg, border } = await frame.evaluate(() => {
      const cs = getComputedStyle(document.body);
      return { bg: cs.backgroundColor, border: getComputedStyle(document.querySelector('#input')).borderTopColor };
    });
    if (!/^rgb\(0, 0, 0\)$/.test(bg)) throw new Error(`the chat background is not black in high contrast (${bg})`);
    if (/rgba?\(0, 0, 0(, 0)?\)/.test(border))
      throw new Error(`the input has no visible border in high contrast (${border})`);
    await page.screenshot({ path: path.join(artifacts, 'chat-high-contrast.png') });
    await setTheme('Dark Modern');
  });
  await step('after a window reload the conversation is still there', async () => {
    const before = await frame.$$eval('.msg', (e) => e.length);
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 30_000 });
    frame = undefined;
    // The side bar comes back as it was (the chat open); only if it does not, open it (a click would toggle it shut).
    await waitFor(
      async () => !!(frame = await chatFrame(page)),
      'the chat webview restored after reload',
      15_000,
    ).catch(async () => {
      await page.locator('.activitybar [aria-label^="Spark Edit"]').first().click({ timeout: 30_000 });
      await waitFor(async () => !!(frame = await chatFrame(page)), 'the chat webview after reload');
    });
    await frame.waitForSelector('.msg.assistant', { timeout: 20_000 });
    const after = await frame.$$eval('.msg', (e) => e.length);
    if (after !== before) throw new Error(`${before} messages before the reload, ${after} after`);
    const text = await frame.textContent('.msg.user');
    if (!/xss-test/.test(text ?? '')) throw new Error(`the first message is not the one sent: ${text}`);
  });
  return results;
}

export { waitFor, lensText, stepper, chatFrame, palette, boxHasFocus, boxText, setUserSetting, showExplorer };
