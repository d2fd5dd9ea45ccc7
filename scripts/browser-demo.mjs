// Issue 15, the first ten minutes, in the real browser on the demo workspace (copied to <workspace>/demo) with the
// built-in demo model: the walkthrough, the instruction box at the code, Convert to async/await, the quick fix on
// a real error, Add Tests, Python, and a request the demo cannot do. After every accepted edit the file on disk is
// checked: TypeScript with the compiler (no new error; the quick-fix file ends with none), Python with ast.parse.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { waitFor, lensText, stepper, chatFrame, palette, openBox, showExplorer } from './browser-e2e.mjs';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The compile options of "does the demo's answer compile" (shared with test/unit/demoModel.test.ts). */
export function demoCheckOptions(ts) {
  const file = path.join(repo, 'scripts', 'demo-check.tsconfig.json');
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    JSON.parse(fs.readFileSync(file, 'utf8')).compilerOptions,
    path.dirname(file),
  );
  if (errors.length) throw new Error(`${file}: ${errors.map((e) => e.messageText).join('; ')}`);
  return options;
}

/** TypeScript errors (syntax and types) of every .ts file in dir. */
export function tsErrors(dir) {
  const ts = require('typescript');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
  const program = ts.createProgram(files, demoCheckOptions(ts));
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${path.basename(d.file?.fileName ?? '')}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
const pyCheck = (file) =>
  execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file], { stdio: 'pipe' });

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(`demo/${name}`);
  await page.waitForTimeout(600);
  await page.keyboard.press('Enter');
  await waitFor(
    () => page.evaluate((n) => (document.querySelector('.tab.active')?.textContent ?? '').includes(n), name),
    `${name} to be the active editor`,
  );
}

/** Select lines [from, to] (1-based) of the active editor. */
async function selectLines(page, from, to) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
  await page.keyboard.type(String(from));
  // Enter counts only once the picker has read the line number (on a loaded machine it may lag the typing), and the
  // keys after it must go to the editor, not to a picker still open.
  await waitFor(
    () =>
      page.evaluate(
        (n) => (document.querySelector('.quick-input-widget')?.textContent ?? '').includes(`line ${n}`),
        from,
      ),
    `the go-to-line picker to read line ${from}`,
  );
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden', timeout: 10_000 });
  await page.keyboard.press('Home');
  await page.keyboard.press('Home');
  for (let i = from; i <= to; i++) await page.keyboard.press('Shift+ArrowDown');
}

/** Wait for the pending diff to finish streaming, accept it all, save. */
async function acceptAndSave(page) {
  // The Accept All lens, or the editor title's ✓ (under load the lens lagged for seconds with the diff shown).
  await waitFor(
    async () =>
      /Accept All/.test(await lensText(page)) ||
      (await page.evaluate(
        () =>
          !!document.querySelector(
            '.editor-group-container.active .editor-actions .action-label[aria-label^="Accept All"]',
          ),
      )),
    'the pending diff (Accept All lens or title ✓)',
    30_000,
  );
  // Under load the lenses lag (an empty lens text is not "finished"): the title's actions say the state at once.
  const title = (re) =>
    page.evaluate(
      (src) =>
        [...document.querySelectorAll('.editor-group-container.active .editor-actions .action-label')].some((a) =>
          new RegExp(src).test(a.getAttribute('aria-label') ?? ''),
        ),
      re.source,
    );
  await waitFor(
    async () => !/writing/.test(await lensText(page)) && !(await title(/^Stop Generating/)),
    'the answer to finish',
    30_000,
  );
  await page.keyboard.press('Control+Enter');
  await waitFor(
    async () => !/Accept/.test(await lensText(page)) && !(await title(/^Accept All|^Reject All/)),
    'the lenses and the title controls to go',
  );
  await page.keyboard.press('Control+S');
  await waitFor(() => page.evaluate(() => !document.querySelector('.tab.active.dirty')), 'the file to be saved');
  await page.waitForTimeout(300);
}

export async function demoFlow(page, workspace, artifacts) {
  const results = [];
  const dir = path.join(workspace, 'demo');
  const step = stepper(page, artifacts, 'browser demo', results);
  const errorsBefore = tsErrors(dir);
  await step(
    'the walkthrough opens from the command palette, shows every step, and its link opens orders.ts',
    async () => {
      await palette(page, 'Welcome: Open Walkthrough');
      await page.waitForTimeout(800);
      await page.keyboard.type('Get started with Spark Edit');
      await page.waitForTimeout(600);
      await page.keyboard.press('Enter');
      await waitFor(() => page.evaluate(() => /Edit with Ctrl\+I/.test(document.body.innerText)), 'the walkthrough');
      const text = await page.evaluate(() => document.body.innerText);
      for (const s of [
        'Edit with Ctrl+I',
        'Review each change',
        'Stop or redirect an edit',
        'Ask in the chat',
        'Fix a problem with a quick fix',
        'Use a real model',
      ]) {
        if (!text.includes(s)) throw new Error(`the walkthrough lacks "${s}"`);
      }
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(artifacts, 'walkthrough.png') });
      // "Open orders.ts" opens the file in the editor (it opened Quick Open with the name typed in). Its step is shown
      // open first: once steps are ticked (done earlier in this window: they tick since session 10), the walkthrough
      // opens on the first step not done, and the link in the first step's body is not visible.
      const link = page.getByText('Open orders.ts', { exact: true }).first();
      if (!(await link.isVisible())) await page.getByText('Edit with Ctrl+I', { exact: true }).first().click();
      await link.click();
      const activeTab = () =>
        page.evaluate(() => document.querySelector('.editor-group-container.active .tab.active')?.textContent ?? '');
      await waitFor(async () => /orders\.ts/.test(await activeTab()), 'orders.ts to open from the walkthrough', 10_000);
      if (
        await page.evaluate(() => !!document.querySelector('.quick-input-widget:not([style*="display: none"]) input'))
      )
        throw new Error('the walkthrough link opened Quick Open');
      await page.keyboard.press('Control+W'); // orders.ts
      await waitFor(async () => !/orders\.ts/.test(await activeTab()), 'orders.ts to close');
      await page.keyboard.press('Control+W'); // the walkthrough
    },
  );
  await step(
    'Ctrl+I opens the instruction box at the code; "add error handling" keeps orders.ts compiling',
    async () => {
      await openFile(page, 'orders.ts');
      await selectLines(page, 8, 14);
      await openBox(page);
      await page.keyboard.type('add error handling');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(artifacts, 'inline-prompt.png') });
      await page.keyboard.press('Enter');
      await acceptAndSave(page);
      // On disk (under load the write can come after the tab stops being dirty).
      const wrapped = /export function total\(order: Order\): number \{\n {2}try \{/;
      await waitFor(
        () => wrapped.test(fs.readFileSync(path.join(dir, 'orders.ts'), 'utf8')),
        'orders.ts written',
        10_000,
      ).catch(() => undefined);
      const text = fs.readFileSync(path.join(dir, 'orders.ts'), 'utf8');
      if (!wrapped.test(text)) throw new Error(`not wrapped inside the function:\n${text}`);
      const errs = tsErrors(dir).filter((e) => !errorsBefore.includes(e));
      if (errs.length) throw new Error(`new errors: ${errs.join('; ')}`);
    },
  );
  await step('the box for lines at the bottom of the view is shown whole: Send and Cancel are visible', async () => {
    const size = page.viewportSize();
    await page.setViewportSize({ width: size.width, height: 560 });
    try {
      await openFile(page, 'orders.ts');
      await page.keyboard.press('Control+Home');
      // The last line fully in view (line numbers of the active editor, not of the box's own editor).
      const last = await page.evaluate(() => {
        const ed = document.querySelector('.editor-group-container.active .editor-container .monaco-editor');
        const bottom = ed.getBoundingClientRect().bottom;
        return Math.max(
          ...[...ed.querySelectorAll(':scope > .overflow-guard > .margin .line-numbers')]
            .filter((e) => e.getBoundingClientRect().bottom <= bottom)
            .map((e) => Number(e.textContent)),
        );
      });
      for (let i = 1; i < last - 1; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await openBox(page);
      const whole = () =>
        page.evaluate(() => {
          const ed = document.querySelector('.editor-group-container.active .editor-container .monaco-editor');
          const r = ed.getBoundingClientRect();
          const buttons = [...document.querySelectorAll('.review-widget .monaco-button')].filter((b) =>
            /^(Send|Cancel)$/.test(b.textContent?.trim() ?? ''),
          );
          return (
            buttons.length === 2 &&
            buttons.every((b) => {
              const x = b.getBoundingClientRect();
              return x.height > 0 && x.top >= r.top && x.bottom <= r.bottom;
            })
          );
        });
      await waitFor(whole, `Send and Cancel of the box below line ${last - 1} inside the editor`).catch(async (e) => {
        await page.screenshot({ path: path.join(artifacts, 'demo-box-cut-off.png') });
        throw e;
      });
      await page.screenshot({ path: path.join(artifacts, 'demo-box-whole.png') });
      await page.keyboard.press('Escape');
      // The next keys go to the code (the box gives the keyboard back to the code as it closes).
      await waitFor(
        () =>
          page.evaluate(() => {
            const a = document.activeElement;
            return !document.querySelector('.review-widget') && !!a?.closest('.monaco-editor');
          }),
        'the box closed and the keyboard back in the code',
      );
    } finally {
      await page.setViewportSize(size);
    }
  });
  await step('Convert to async/await on saveOrder really converts it, and it compiles', async () => {
    const lines = fs.readFileSync(path.join(dir, 'orders.ts'), 'utf8').split('\n');
    const from = lines.findIndex((l) => l.includes('function saveOrder')) + 1;
    await selectLines(page, from, from + 7);
    await palette(page, 'Spark Edit: Convert to async/await');
    await acceptAndSave(page);
    const text = fs.readFileSync(path.join(dir, 'orders.ts'), 'utf8');
    if (!/export async function saveOrder[\s\S]*await fetch\(/.test(text) || /\.then\(/.test(text))
      throw new Error(`not converted:\n${text}`);
    const errs = tsErrors(dir).filter((e) => !errorsBefore.includes(e));
    if (errs.length) throw new Error(`new errors: ${errs.join('; ')}`);
  });
  await step(
    'the quick fix on shipping.ts fixes the misspelled name: no error left, the caret after the name',
    async () => {
      await openFile(page, 'shipping.ts');
      await waitFor(
        () => page.evaluate(() => !!document.querySelector('.monaco-editor .squiggly-error')),
        'the TypeScript error squiggle',
        60_000,
      );
      await page.keyboard.press('Control+G');
      await page.keyboard.type('9:7');
      await page.keyboard.press('Enter');
      await waitFor(
        () => page.evaluate(() => !document.querySelector('.quick-input-widget:not([style*="display: none"]) input')),
        'the go-to-line picker to close',
      );
      // Ctrl+. pressed while the picker is still closing, or before the TypeScript server of a fresh host has code
      // actions, shows nothing (seen twice in fresh-clone CI): press it again until the menu offers the fix.
      const fix = page.locator('.action-widget').getByText('Fix with Spark Edit').first();
      for (let i = 0; ; i++) {
        await page.keyboard.press('Control+.');
        if (
          await fix.waitFor({ timeout: 5_000 }).then(
            () => true,
            () => false,
          )
        )
          break;
        if (i === 3) throw new Error('Ctrl+. never offered "Fix with Spark Edit"');
        await page.keyboard.press('Escape');
      }
      await fix.click({ timeout: 15_000 });
      const ts = await controlsTiming(page, Date.now());
      console.log(
        `[browser] quick fix on shipping.ts: ✓ inlay ${ts.inlay} ms, Accept All lens ${ts.lens} ms, title ✓ ${ts.title} ms`,
      );
      await acceptAndSave(page);
      const errs = tsErrors(dir);
      if (errs.length) throw new Error(`errors left: ${errs.join('; ')}`);
      // The caret ends at the end of the fixed name ("  if (subtotal|"), not mid-word where Ctrl+. was pressed.
      const where = await page.evaluate(
        () =>
          [...document.querySelectorAll('.statusbar-item')]
            .map((e) => e.textContent ?? '')
            .find((t) => /Ln \d+, Col \d+/.test(t)) ?? '',
      );
      if (!/Ln 9, Col 15\b/.test(where))
        throw new Error(`the caret is at "${where}", not after "subtotal" (Ln 9, Col 15)`);
    },
  );
  await step(
    'Add Tests previews orders.test.ts under its own name; Reject writes nothing and leaves no problems',
    async () => {
      await openFile(page, 'orders.ts');
      const problems = () => problemCount(page);
      const before = await problems();
      await selectLines(page, 8, 9);
      await palette(page, 'Spark Edit: Add Tests');
      const tab = page.locator('.tab', { hasText: /^orders\.test\.ts/ }).first();
      await tab.waitFor({ timeout: 30_000 }).catch(async (e) => {
        const tabs = await page.evaluate(() => [...document.querySelectorAll('.tab')].map((t) => t.textContent));
        throw new Error(`no preview tab named orders.test.ts (tabs: ${tabs.join(' | ')}): ${e}`);
      });
      // Shown in front with the keyboard, no click (issue 15: it opened in a background tab, never seen).
      await waitFor(
        () =>
          page.evaluate(
            () =>
              /^orders\.test\.ts/.test(
                document.querySelector('.editor-group-container.active .tab.active')?.textContent ?? '',
              ) && !!document.activeElement?.closest('.editor-group-container.active .monaco-editor'),
          ),
        'orders.test.ts the active tab, with the keyboard in it',
        30_000,
      ).catch(async (e) => {
        await page.screenshot({ path: path.join(artifacts, 'demo-add-tests-background.png') });
        throw e;
      });
      await waitFor(
        async () => /New file/.test(await lensText(page)),
        'the new test file preview (New file lens)',
        30_000,
      );
      await waitFor(async () => !/writing/.test(await lensText(page)), 'the answer to finish', 30_000);
      await page.screenshot({ path: path.join(artifacts, 'demo-add-tests-preview.png') });
      await page.keyboard.press('Control+Backspace');
      await tab.waitFor({ state: 'detached', timeout: 20_000 });
      if (fs.existsSync(path.join(dir, 'orders.test.ts'))) throw new Error('orders.test.ts was written after Reject');
      await waitFor(
        async () => (await problems()) <= before,
        `the Problems count back to ${before} (or fewer) after Reject`,
      ).catch(async (e) => {
        await page.screenshot({ path: path.join(artifacts, 'demo-add-tests-stale-problems.png') });
        throw e;
      });
    },
  );
  await step('Add Tests writes demo/orders.test.ts (accepted from its preview), which compiles', async () => {
    await openFile(page, 'orders.ts');
    const before = await problemCount(page);
    await selectLines(page, 8, 9);
    await palette(page, 'Spark Edit: Add Tests');
    // The new file is a preview in a tab of its own, under its name (in memory until accepted): switch to it, accept.
    const tab = page.locator('.tab', { hasText: /^orders\.test\.ts/ }).first();
    await tab.waitFor({ timeout: 30_000 });
    await tab.click();
    await waitFor(
      () =>
        page.evaluate(() =>
          [...document.querySelectorAll('.codelens-decoration')].some((e) => /New file/.test(e.textContent ?? '')),
        ),
      'the new test file preview (New file lens)',
      30_000,
    );
    await page.screenshot({ path: path.join(artifacts, 'demo-add-tests.png') });
    await waitFor(async () => !/writing/.test(await lensText(page)), 'the answer to finish', 30_000);
    // Session 10: its ✓ / ✗ sat after the end of the long line 1, past the editor's right edge: they must be seen.
    await page.keyboard.press('Control+Home'); // scrolled to the left, as the file opens
    let inlay;
    await waitFor(async () => !!(inlay = await acceptInlay(page)), 'the ✓ Accept inlay of the new file', 10_000);
    await page.waitForTimeout(500); // the hints settle
    inlay = await acceptInlay(page);
    if (!inlay?.inside) {
      await page.screenshot({ path: path.join(artifacts, 'demo-add-tests-controls-cut.png') });
      throw new Error(`the ✓ / ✗ are not inside the editor: ${JSON.stringify(inlay)}`);
    }
    await page.keyboard.press('Control+Enter');
    await waitFor(
      () => fs.existsSync(path.join(dir, 'orders.test.ts')) && fs.statSync(path.join(dir, 'orders.test.ts')).size > 0,
      'orders.test.ts on disk',
    );
    const errs = tsErrors(dir);
    if (errs.length) throw new Error(`errors: ${errs.join('; ')}`);
    // What the person sees: the editor's own TypeScript, with the demo workspace's settings (no node_modules there),
    // reports nothing for the accepted file (newcomer, round 5: "Cannot find name 'node:test'", ts2591, ×2).
    // The file is open, so its diagnostics come within a few seconds of the accept.
    const appeared = await waitFor(async () => (await problemCount(page)) > before, 'new problems', 8_000).then(
      () => true,
      () => false,
    );
    if (appeared) {
      await page.screenshot({ path: path.join(artifacts, 'demo-add-tests-problems.png') });
      throw new Error(
        `the accepted orders.test.ts has problems in the editor: ${before} → ${await problemCount(page)}`,
      );
    }
  });
  await step('Python: "add doc comments" on mean gives docstrings, and stats.py parses', async () => {
    await openFile(page, 'stats.py');
    await selectLines(page, 5, 9);
    await openBox(page);
    await page.keyboard.type('add doc comments');
    await page.keyboard.press('Enter');
    await acceptAndSave(page);
    const text = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8');
    if (!/def mean\(xs\):\n {4}"""Mean\./.test(text)) throw new Error(`no docstring:\n${text}`);
    pyCheck(path.join(dir, 'stats.py'));
  });
  await step(
    'stats.py has no diagnostic, and Ctrl+. on the selected mean offers Fix This: it adds the empty-list guard',
    async () => {
      // Issue 15: no Python checker in the demo, so no squiggle and no "Fix with Spark Edit" there; what the demo
      // README and the walkthrough now say: Ctrl+. on a selection offers Fix This (a refactor, no error needed).
      await openFile(page, 'stats.py');
      const lines = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8').split('\n');
      const from = lines.findIndex((l) => l.startsWith('def mean')) + 1; // mean, docstring included (the step above)
      await selectLines(page, from, lines.findIndex((l) => l.includes('return total / len(xs)')) + 1);
      if (
        await page.evaluate(
          () => !!document.querySelector('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning'),
        )
      )
        throw new Error('stats.py shows a diagnostic: the demo README says it has none');
      const fix = page.locator('.action-widget').getByText('Spark Edit: Fix This').first();
      await page.keyboard.press('Control+.');
      await fix.waitFor({ timeout: 10_000 });
      await fix.click();
      const t0 = Date.now();
      const ts = await controlsTiming(page, t0);
      console.log(
        `[browser] Fix This on stats.py: ✓ inlay ${ts.inlay} ms, Accept All lens ${ts.lens} ms, title ✓ ${ts.title} ms`,
      );
      await acceptAndSave(page);
      const text = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8');
      if (!/def mean\(xs\):\n(?:.*\n)*? {4}if not xs:/.test(text))
        throw new Error(`no empty-list guard in mean:\n${text}`);
      pyCheck(path.join(dir, 'stats.py'));
    },
  );
  await step('a request the demo cannot do is declined in plain words, and the file is unchanged', async () => {
    const before = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8');
    await selectLines(page, 5, 9);
    await openBox(page);
    await page.keyboard.type('translate this to Rust');
    await page.keyboard.press('Enter');
    await waitFor(
      () =>
        page.evaluate(() =>
          /demo model can.t do this/.test(document.querySelector('.notifications-toasts')?.textContent ?? ''),
        ),
      'the "demo model can\'t do this" notification',
      30_000,
    );
    await page.screenshot({ path: path.join(artifacts, 'demo-declines.png') });
    if (fs.readFileSync(path.join(dir, 'stats.py'), 'utf8') !== before) throw new Error('the file changed');
    if (await page.evaluate(() => !!document.querySelector('.tab.active.dirty')))
      throw new Error('the editor is dirty');
  });
  await step("the chat's empty state explains it; an example sends itself and gets an answer", async () => {
    await openFile(page, 'orders.ts');
    await selectLines(page, 8, 14);
    // Show the chat: from the Explorer (a click on Spark Edit while the chat shows would close it; a chat webview
    // made earlier may exist while hidden, so its frame says nothing about what shows).
    await showExplorer(page);
    await page.locator('.activitybar [aria-label^="Spark Edit"]').first().click();
    let frame;
    await waitFor(async () => !!(frame = await chatFrame(page)), 'the chat webview');
    await frame.click('#new');
    await frame.waitForSelector('.empty .example', { timeout: 10_000 });
    await page.screenshot({ path: path.join(artifacts, 'chat-empty.png') });
    await frame.click('.empty .example[data-example="Add doc comments to the selection"]');
    await frame.waitForSelector('.msg.assistant', { timeout: 20_000 });
    await waitFor(async () => await frame.$$eval('#stop', (e) => e.every((x) => x.hidden)), 'the answer to finish');
    // An answer: code to Apply, or (the code documented already by an earlier step) the demo saying why it has none.
    const answer = await frame.textContent('.msg.assistant:last-child');
    if (!(await frame.$('.msg.assistant .code-block')) && !/documented already|can't do this/.test(answer ?? ''))
      throw new Error(`no code and no reason: ${answer}`);
    if (await frame.$('.empty')) throw new Error('the empty state is still shown');
  });
  await step('the walkthrough ticks the steps done above: Ctrl+I, review, the quick fix, the chat', async () => {
    // Issue 15: no step ever ticked after doing it (the completion events are the commands' and the view's).
    await page.keyboard.press('Escape');
    await palette(page, 'Welcome: Open Walkthrough');
    await page.waitForTimeout(800);
    await page.keyboard.type('Get started with Spark Edit');
    await page.waitForTimeout(600);
    await page.keyboard.press('Enter');
    await waitFor(() => page.evaluate(() => /Edit with Ctrl\+I/.test(document.body.innerText)), 'the walkthrough');
    const steps = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('.getting-started-step')].map((b) => ({
          id: (b.getAttribute('data-step-id') ?? '').split('#').pop(),
          done: b.getAttribute('aria-checked') === 'true', // its check mark: .codicon.complete inside
        })),
      );
    const want = ['edit', 'review', 'quickfix', 'chat'];
    const ticked = async () => {
      const s = await steps();
      return want.every((id) => s.some((x) => x.id === id && x.done));
    };
    await waitFor(ticked, 'the steps done to be ticked', 5_000).catch(async () => {
      throw new Error(`steps: ${JSON.stringify(await steps())}`);
    });
    await page.screenshot({ path: path.join(artifacts, 'walkthrough-ticked.png') });
    await page.keyboard.press('Control+W');
  });
  results.push(...(await freshWalkthroughFlow(page, workspace, artifacts)));
  // Leave the window as the other flows expect it: a new (empty) chat, the Explorer in the side bar (the chat flow
  // opens the chat with a click that would close it if it showed), sample.ts the active editor.
  await page.keyboard.press('Escape');
  await (await chatFrame(page))?.click('#new', { timeout: 5_000 }).catch(() => undefined); // hidden or detached
  await showExplorer(page).catch(() => undefined);
  await page.keyboard.press('Control+P').catch(() => undefined);
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 }).catch(() => undefined);
  await page.keyboard.type('sample.ts');
  await page.waitForTimeout(600);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  return results;
}

/** The walkthrough's steps as the page shows them: id (after the last '#') and whether it is ticked. */
const walkthroughSteps = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.getting-started-step')].map((b) => ({
      id: (b.getAttribute('data-step-id') ?? '').split('#').pop(),
      done: b.getAttribute('aria-checked') === 'true',
    })),
  );

/** The new-session walkthrough step alone (SPARK_BROWSER_FLOWS=fresh), also the demo flow's last step. */
export async function freshWalkthroughFlow(page, workspace, artifacts) {
  const results = [];
  await stepper(
    page,
    artifacts,
    'browser demo',
    results,
  )(
    'a NEW browser session, the steps done BEFORE the walkthrough is opened (Ctrl+I, Esc mid-stream, Reject All, Fix This, the chat) tick; Ctrl+Backspace after an Esc that kept nothing edits nothing',
    () => freshSessionTicks(page, workspace, artifacts),
  );
  return results;
}

/**
 * What a newcomer did (issue 15, session 10): in a new browser session, Ctrl+I, Accept, the quick fix and the chat
 * FIRST, then Help: Get Started / the walkthrough: nothing ticked. The workbench makes its walkthrough service only
 * when something first asks for it (the walkthrough opening); a command run before that is heard by no one, and an
 * `onContext:` key already true when the steps register counts as "seen this session" without ticking the step.
 * A second browser context on the same server: a new window (its own workbench and extension host, its own browser
 * storage), which has never shown the walkthrough. A slow demo model (written to the user settings before the
 * window opens, which reads them at start) so Esc lands mid-stream.
 */
async function freshSessionTicks(page, workspace, artifacts) {
  const settings = path.join(path.dirname(workspace), 'user-data', 'User', 'settings.json');
  const original = fs.readFileSync(settings, 'utf8');
  fs.writeFileSync(settings, JSON.stringify({ ...JSON.parse(original), 'sparkEdit.demoTokensPerSecond': 8 }));
  // code-server hears of the change through a file watcher: a window opened at once read the old settings in 4 of 8
  // local runs of session 13 (the demo model at full speed, so Esc never landed mid-stream).
  await page.waitForTimeout(2000);
  const context = await page
    .context()
    .browser()
    .newContext({ viewport: { width: 1400, height: 900 } });
  const fresh = await context.newPage();
  const dir = path.join(workspace, 'demo');
  const before = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8');
  try {
    await fresh.goto(page.url());
    await fresh.waitForSelector('.activitybar [aria-label^="Spark Edit"]', { timeout: 60_000 });
    await fresh.waitForTimeout(3000); // the extension activates on startup finished
    if (await fresh.evaluate(() => !!document.querySelector('.getting-started-step')))
      throw new Error('the walkthrough shows already: not a newcomer before opening it');
    const pending = () => lensText(fresh).then((t) => /Accept All/.test(t));
    const writing = async () =>
      /writing/.test(await lensText(fresh)) ||
      (await fresh.evaluate(
        () =>
          !!document.querySelector(
            '.editor-group-container.active .editor-actions .action-label[aria-label^="Stop Generating"]',
          ),
      ));
    /** Esc while it writes (the redirect step), then Ctrl+Backspace on what was kept. */
    const stopAndReject = async () => {
      await waitFor(writing, 'the answer to stream', 30_000);
      await fresh.keyboard.press('Escape');
      await waitFor(async () => !(await writing()), 'the stream to stop', 10_000);
      const kept = await waitFor(pending, 'a stopped diff', 2000).then(
        () => true,
        () => false,
      );
      // Ctrl+Backspace only on a pending diff: with nothing kept it is the editor's delete-word.
      if (kept) await fresh.keyboard.press('Control+Backspace');
      await waitFor(async () => !(await pending()), 'no diff left', 10_000);
      return kept;
    };
    // A fresh window's Quick Open finds files only after its first search: wait for the row, then Enter.
    await fresh.keyboard.press('Control+P');
    await fresh.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 });
    await fresh.keyboard.type('demo/stats.py');
    await fresh
      .locator('.quick-input-list .monaco-list-row', { hasText: 'stats.py' })
      .first()
      .waitFor({ timeout: 20_000 });
    await fresh.keyboard.press('Enter');
    await waitFor(
      () => fresh.evaluate(() => (document.querySelector('.tab.active')?.textContent ?? '').includes('stats.py')),
      'stats.py to be the active editor',
    );
    const lines = before.split('\n');
    const from = lines.findIndex((l) => l.startsWith('def mean')) + 1;
    const to = lines.findIndex((l) => l.includes('return total / len(xs)')) + 1;
    const rename = async () => {
      await selectLines(fresh, from, to);
      await openBox(fresh);
      await fresh.keyboard.type('rename total to acc');
      await fresh.keyboard.press('Enter');
    };
    // Ctrl+I, then Esc as soon as it writes (the redirect step). An Esc that kept nothing, then Ctrl+Backspace ("Esc,
    // then Reject All"): it says nothing is pending instead of deleting a word (session 10: it was the editor's
    // delete-word). Esc at once keeps nothing at 8 tok/s; up to 3 tries.
    let guarded = false;
    for (let i = 0; i < 3 && !guarded; i++) {
      await rename();
      if (await stopAndReject()) continue; // kept something (rejected again): no empty stop this time
      guarded = true;
      await fresh.keyboard.press('Control+Backspace');
      await waitFor(
        () =>
          fresh.evaluate(() =>
            /nothing to reject: the stop \(Esc\) kept nothing/.test(
              document.querySelector('.notifications-toasts')?.textContent ?? '',
            ),
          ),
        'the "nothing to reject" notice after Ctrl+Backspace',
        5_000,
      );
      await fresh.waitForTimeout(1500); // an edit would show as a dirty tab, then be auto-saved
      if (await fresh.evaluate(() => !!document.querySelector('.tab.active.dirty')))
        throw new Error('Ctrl+Backspace after an empty stop edited the code');
      if (fs.readFileSync(path.join(dir, 'stats.py'), 'utf8') !== before)
        throw new Error('Ctrl+Backspace after an empty stop changed stats.py');
    }
    if (!guarded) throw new Error('Esc kept something in 3 tries: the empty-stop guard was not exercised');
    // Session 12 (a person, 3 of 3): Enter, Esc at once, then Ctrl+Backspace ("Esc, then Reject All"). The Esc can
    // cancel the box before its Enter has sent the instruction, with the lines selected again: Ctrl+Backspace, the
    // editor's own then, deleted them (and auto-save wrote that). Whatever the Esc did (cancelled the box, stopped
    // keeping nothing, or stopped keeping a diff), the code ends as it was.
    for (let i = 0; i < 3; i++) {
      await rename();
      await fresh.keyboard.press('Escape');
      await fresh.waitForTimeout(300);
      await fresh.keyboard.press('Control+Backspace');
      await waitFor(async () => !(await pending()) && !(await writing()), 'no diff left', 10_000);
      await fresh.waitForTimeout(1500); // an edit would show as a dirty tab, then be auto-saved
      const now = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8');
      if ((await fresh.evaluate(() => !!document.querySelector('.tab.active.dirty'))) || now !== before)
        throw new Error(`Enter, Esc at once, Ctrl+Backspace (${i + 1} of 3) edited the code: ${JSON.stringify(now)}`);
    }
    // Session 12 (a person): Esc ~50 ms after Enter was ignored (the whole diff came), at 80-150 ms it was told "no
    // changes proposed — the model returned the code unchanged". Between the box sending its instruction and the edit
    // starting, Esc went to the code. Whatever moment it lands, it stops: nothing writes on, nothing says "unchanged".
    for (const ms of [30, 60, 100, 150, 200, 300]) {
      await rename();
      await fresh.waitForTimeout(ms);
      await fresh.keyboard.press('Escape');
      await fresh.waitForTimeout(1500); // at 8 tok/s an answer that was not stopped writes for seconds
      if (await writing()) throw new Error(`Esc ${ms} ms after Enter did not stop the edit: it is still writing`);
      const toasts = await fresh.evaluate(() => document.querySelector('.notifications-toasts')?.textContent ?? '');
      if (/returned the code unchanged/.test(toasts))
        throw new Error(`Esc ${ms} ms after Enter was said to be the model's answer: ${toasts}`);
      if (await pending()) await fresh.keyboard.press('Control+Backspace');
      await waitFor(async () => !(await pending()), 'no diff left', 10_000);
      await fresh.keyboard.press('Control+Shift+P'); // the notices go (Escape in the palette closes it)
      await fresh.keyboard.type('Notifications: Clear All Notifications');
      await fresh.keyboard.press('Enter');
    }
    await fresh.waitForTimeout(1500);
    if (fs.readFileSync(path.join(dir, 'stats.py'), 'utf8') !== before)
      throw new Error('Esc right after Enter changed stats.py');
    // Session 12 (a person, 5 of 5): characters typed right after Enter, the first went into the box while it closed
    // (lost with it), the rest into the code. Every one reaches the code, once, in order (where the cursor is: the
    // start of the selection).
    await rename();
    await fresh.keyboard.type('qzxw', { delay: 15 });
    await fresh.waitForTimeout(1500);
    if (await pending()) await fresh.keyboard.press('Control+Backspace');
    await waitFor(async () => !(await pending()) && !(await writing()), 'no diff left', 10_000);
    await fresh.waitForTimeout(1500); // auto-save
    const typedAfter = fs.readFileSync(path.join(dir, 'stats.py'), 'utf8');
    fs.writeFileSync(path.join(dir, 'stats.py'), before); // (the editor reloads it: saved, not dirty)
    if (typedAfter.split('qzxw').length !== 2)
      throw new Error(`keys typed right after Enter: ${JSON.stringify(typedAfter.slice(0, 400))}`);
    await waitFor(
      async () =>
        !(await fresh.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent ?? '')).includes(
          'qzx',
        ),
      'stats.py back as it was',
      10_000,
    );
    // The quick fix: Ctrl+. on the selected mean, Fix This, its answer rejected if it proposes something.
    // Ctrl+. in this second window after the keyboard flow showed no action widget at all (CI 38 and a rerun; with the
    // demo flow alone it did; not understood, README Known limits): 2 tries, then Fix This from the command palette,
    // said in the run's output. The step checks the quick-fix TICK, which any way of running Fix This gives.
    const fix = fresh.locator('.action-widget').getByText('Spark Edit: Fix This').first();
    let viaPalette = false;
    for (let i = 0; ; i++) {
      await selectLines(fresh, from, to);
      await fresh.keyboard.press('Control+.');
      const shown = await fix.waitFor({ timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
      await fresh.keyboard.press('Escape');
      if (i === 1) {
        viaPalette = true;
        break;
      }
    }
    if (viaPalette) {
      console.log(
        '[browser] new session: Ctrl+. offered no action widget twice; Fix This run from the command palette',
      );
      await selectLines(fresh, from, to);
      await palette(fresh, 'Spark Edit: Fix This');
    } else await fix.click();
    // (mean may be fixed already by the demo flow's steps: the answer may propose nothing and never show "writing")
    await waitFor(async () => (await writing()) || (await pending()), 'the answer', 10_000).catch(() => undefined);
    await waitFor(async () => !(await writing()), 'the answer to finish', 60_000);
    if (await pending()) await fresh.keyboard.press('Control+Backspace');
    await waitFor(async () => !(await pending()), 'no diff left', 10_000);
    // Ctrl+I, the answer written whole, then Ctrl+Backspace (Reject All: the review step).
    await rename();
    await waitFor(pending, 'the pending diff', 30_000);
    await waitFor(async () => !(await writing()), 'the answer to finish', 60_000);
    await fresh.keyboard.press('Control+Backspace');
    await waitFor(async () => !(await pending()), 'no diff left after Reject All', 10_000);
    // The chat, shown from the activity bar.
    await fresh.locator('.activitybar [aria-label^="Spark Edit"]').first().click();
    await waitFor(async () => !!(await chatFrame(fresh)), 'the chat webview');
    if (fs.readFileSync(path.join(dir, 'stats.py'), 'utf8') !== before) throw new Error('stats.py changed on disk');
    // Now the walkthrough, for the first time in this window.
    await fresh.keyboard.press('Escape');
    await palette(fresh, 'Welcome: Open Walkthrough');
    await fresh.waitForTimeout(800);
    await fresh.keyboard.type('Get started with Spark Edit');
    await fresh.waitForTimeout(600);
    await fresh.keyboard.press('Enter');
    await waitFor(() => fresh.evaluate(() => /Edit with Ctrl\+I/.test(document.body.innerText)), 'the walkthrough');
    const want = ['edit', 'review', 'redirect', 'quickfix', 'chat'];
    const ticked = async () => {
      const s = await walkthroughSteps(fresh);
      return want.every((id) => s.some((x) => x.id === id && x.done));
    };
    await waitFor(ticked, 'the steps done before to be ticked', 5_000).catch(async () => {
      throw new Error(`steps: ${JSON.stringify(await walkthroughSteps(fresh))}`);
    });
    const key = (await walkthroughSteps(fresh)).find((x) => x.id === 'key');
    if (key?.done) throw new Error('"Use a real model" ticked without setting a key');
    await fresh.screenshot({ path: path.join(artifacts, 'walkthrough-fresh-ticked.png') });
  } catch (e) {
    await fresh.screenshot({ path: path.join(artifacts, 'walkthrough-fresh-failure.png') }).catch(() => undefined);
    throw e;
  } finally {
    await context.close().catch(() => undefined);
    fs.writeFileSync(settings, original);
  }
}

/**
 * The active editor's first per-hunk ✓ Accept inlay (inlayControls.ts): whether it is drawn, and whether its whole
 * label lies inside the editor's visible text area (not past its right edge). Undefined while none is drawn.
 */
function acceptInlay(page) {
  return page.evaluate(() => {
    const ed = document.querySelector('.editor-group-container.active .monaco-editor');
    const lines = ed?.querySelector('.view-lines');
    if (!ed || !lines) return undefined;
    const walk = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const i = n.textContent.indexOf('\u2713');
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(n, i);
      range.setEnd(n, n.textContent.length);
      const r = range.getBoundingClientRect();
      const box = (ed.querySelector('.lines-content')?.parentElement ?? ed).getBoundingClientRect();
      const scroll = ed.querySelector('.editor-scrollable')?.getBoundingClientRect() ?? box;
      return {
        left: r.left,
        right: r.right,
        edge: scroll.right,
        inside: r.left >= scroll.left && r.right <= scroll.right,
      };
    }
    return undefined;
  });
}

/** Milliseconds from t0 until the per-hunk ✓ Accept inlay, the Accept All lens and the title's ✓ are drawn. */
async function controlsTiming(page, t0, ms = 20_000) {
  const out = {};
  const title = () =>
    page.evaluate(
      () =>
        !!document.querySelector('.editor-group-container.active .editor-actions .action-label[aria-label^="Accept"]'),
    );
  while (Date.now() - t0 < ms && !(out.inlay && out.lens && out.title)) {
    const t = Date.now() - t0;
    if (!out.inlay && (await acceptInlay(page))) out.inlay = t;
    if (!out.lens && /Accept All/.test(await lensText(page))) out.lens = t;
    if (!out.title && (await title())) out.title = t;
    await page.waitForTimeout(25);
  }
  return out;
}

/** The status bar's Problems count (errors + warnings). */
function problemCount(page) {
  return page.evaluate(() => {
    const item = [...document.querySelectorAll('.statusbar-item')].find((e) =>
      /problems/i.test(e.id + ' ' + (e.querySelector('a')?.getAttribute('aria-label') ?? '')),
    );
    return (item?.textContent?.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a + b, 0);
  });
}
