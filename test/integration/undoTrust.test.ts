import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import type { SessionView } from '../../src/vscode/preview';
import { ACCEPT_LABEL } from '../../src/vscode/inlayControls';
import {
  demoFunction,
  inlayHintsOf,
  codeLensesOf,
  hintLabels,
  hostSuite,
  domTexts,
  openFileWith,
  select,
  startEdit,
  waitFor,
  workspaceUri,
} from './helpers';

/**
 * Issue 11, round 4 (brief HA): after ANY undo/redo the UI (lenses, inlay hints, context key) matches exactly the set
 * of pending edits, and undo/redo only land on states the user could have meant.
 */

/** What the CodeLens and inlay hint providers give for a document, and the context key. */
export interface Ui {
  acceptAll: number;
  rejectAll: number;
  hunkControls: number;
  hasPending: boolean | undefined;
}

export async function uiOf(a: SparkEditApi, doc: vscode.TextDocument): Promise<Ui> {
  const lenses = await codeLensesOf(doc);
  const cmds = lenses.map((l) => l.command?.command ?? '');
  const hints = await inlayHintsOf(doc);
  const labels = hints.flatMap(hintLabels); // the Accept label tells the per-hunk control
  return {
    acceptAll: cmds.filter((c) => c === 'sparkEdit.acceptAll').length,
    rejectAll: cmds.filter((c) => c === 'sparkEdit.rejectAll').length,
    hunkControls:
      labels.filter((l) => l === ACCEPT_LABEL).length + cmds.filter((c) => c === 'sparkEdit.acceptHunk').length,
    hasPending: a.contextKey('sparkEdit.hasPending'),
  };
}

/** The UI a set of pending edits in the active document must show (inlay hints on: per-hunk controls are hints). */
export function uiWanted(views: SessionView[]): Ui {
  const pending = views.filter((v) => v.region.pendingHunks().length > 0);
  return {
    acceptAll: pending.length,
    rejectAll: pending.length,
    hunkControls: pending.reduce((n, v) => n + v.region.pendingHunks().length, 0),
    hasPending: views.length > 0,
  };
}

/** The "Accept All" lenses the browser page really draws (undefined outside the launcher). */
async function shownLenses(name: string): Promise<number | undefined> {
  const found = await domTexts(name, '.monaco-editor .codelens-decoration');
  return found?.filter((f) => /Accept All/.test(f.text)).length;
}

describe('Issue 11 (HA): undo you can trust, and the UI after every undo/redo', function () {
  this.timeout(180_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  const { fileFor, used } = hostSuite('undotrust', (x, s) => {
    a = x;
    server = s;
  });
  afterEach(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    for (const rel of used.splice(0))
      await vscode.workspace.fs.delete(workspaceUri(rel)).then(undefined, () => undefined);
  });

  let shots = 0;
  const live = (doc: vscode.TextDocument): SessionView[] =>
    a.sessions().filter((v) => v.document === doc && !v.isEnded);

  /** The text, the pending hunks and the UI once the undo guard is done; the UI must match the pending set. */
  async function settledUi(
    doc: vscode.TextDocument,
    what: string,
    page = true,
  ): Promise<{ text: string; hunks: number; ui: Ui }> {
    let last: { text: string; hunks: number; ui: Ui; want: Ui } | undefined;
    try {
      await waitFor(
        async () => {
          if (a.undoBusy(doc)) return false;
          const views = live(doc);
          if (views.some((v) => v.session.isStreaming || v.region.planFlush() !== null)) return false;
          const ui = await uiOf(a, doc);
          const want = uiWanted(live(doc));
          last = { text: doc.getText(), hunks: want.hunkControls, ui, want };
          return JSON.stringify(ui) === JSON.stringify(want);
        },
        what,
        8000,
      );
    } catch {
      assert.fail(`${what}: the UI does not match the pending edits: ${JSON.stringify(last)}`);
    }
    // What the page draws (in the launcher): the editor asks for lenses again ≥ 250 ms after a change.
    if (page && (await shownLenses(`lens-probe-${++shots}`)) !== undefined)
      await waitFor(
        async () => (await shownLenses(`lens-${++shots}`)) === last!.want.acceptAll,
        `${what}: the page draws ${last!.want.acceptAll} Accept All lens(es)`,
        8000,
      ).catch(async () =>
        assert.fail(
          `${what}: the page draws ${await shownLenses(`lens-${++shots}`)} Accept All lens(es), wanted ${last!.want.acceptAll}`,
        ),
      );
    return { text: last!.text, hunks: last!.hunks, ui: last!.ui };
  }

  async function press(
    doc: vscode.TextDocument,
    cmd: 'undo' | 'redo',
    want: { text: string; hunks: number },
    what: string,
  ) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand(cmd);
    await waitFor(() => !a.undoBusy(doc) && doc.getText() === want.text, `${what}: the text`, 8000).catch(() =>
      assert.fail(`${what}: after ${cmd} the text is:\n${doc.getText()}\n(wanted:\n${want.text})`),
    );
    await new Promise((r) => setTimeout(r, 300)); // no late replays
    const s = await settledUi(doc, what);
    assert.equal(s.text, want.text, `${what}: the text stays put`);
    assert.equal(s.hunks, want.hunks, `${what}: pending hunks`);
  }

  /** "use const" on the demo's total(), streamed to its end: the editor, the session and the pending diff's UI. */
  async function pendingUseConst(name: string) {
    const d = demoFunction('export function total', 'use const');
    const ed = await openFileWith(fileFor(name), d.src);
    select(ed, d.from, d.to);
    server.enqueue({ text: d.answer, tokensPerSecond: 300 });
    const v = await startEdit(a, 'use const');
    await v.session.whenSettled();
    const pend = await settledUi(ed.document, 'pending');
    assert.ok(pend.hunks >= 1, 'a pending diff');
    return { ...d, ed, v, pend };
  }

  for (const how of ['the lens', 'Ctrl+Shift+Enter (a line inserted), then the lens'] as const)
    it(`orphan lens: Accept All by ${how}, Undo (pending again), Undo (original): no lens, hint or context key is left`, async () => {
      // Known limit (README): code-server's auto-save (afterDelay, 1 s) while a diff shown again by Undo is pending
      // sets it aside with an editor edit, which cuts off the editor's Redo; these sequences meet it about one run in
      // three (the last Redo then finds nothing to redo). Off here: this test is about what the UI shows after each
      // step (the random walk below keeps auto-save on).
      await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      const { src, from, ed, v, pend } = await pendingUseConst('orphan');
      const pending = pend.text;
      let typed: string | undefined;
      if (how !== 'the lens') {
        // VS Code's own Ctrl+Shift+Enter is "Insert Line Above": a newcomer pressing it for Accept All types a line.
        ed.selection = new vscode.Selection(from + 1, 0, from + 1, 0);
        await vscode.commands.executeCommand('editor.action.insertLineBefore');
        await waitFor(() => ed.document.getText() !== pending, 'a line inserted');
        typed = (await settledUi(ed.document, 'a line typed into the pending diff')).text;
      }
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'accepted');
      const accepted = ed.document.getText();
      assert.ok(accepted.includes('  let sum = 0;') && !accepted.includes('var sum'), 'accepted');
      await settledUi(ed.document, 'accepted');
      await press(ed.document, 'undo', { text: typed ?? pending, hunks: pend.hunks }, 'undo of Accept All');
      if (typed) await press(ed.document, 'undo', { text: pending, hunks: pend.hunks }, 'undo of the typed line');
      await press(ed.document, 'undo', { text: src, hunks: 0 }, 'undo again: the original');
      await press(ed.document, 'redo', { text: pending, hunks: pend.hunks }, 'redo: pending again');
      if (typed) await press(ed.document, 'redo', { text: typed, hunks: pend.hunks }, 'redo of the typed line');
      await press(ed.document, 'redo', { text: accepted, hunks: 0 }, 'redo: accepted again');
      await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
    });

  for (const end of ['the answer ends', 'Esc'] as const)
    it(`typing on, at the same caret, while ${end === 'Esc' ? 'Esc stops the stream' : 'the answer ends'}: one Undo takes the typing after it, never the stream's last lines with it`, async () => {
      // The editor merges a key typed at the same caret into the open undo step before it: the stream's last edit
      // (or the lines Esc withdraws) left open, the key after it joined it, and Undo took both, landing on a
      // half-streamed text no one meant. Auto-save off: a save's undo stops would hide it.
      await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      const { src, lines, from, to, answer } = demoFunction('export function total', 'use const');
      const ed = await openFileWith(fileFor('type-on'), src);
      const doc = ed.document;
      select(ed, from, to);
      const sumLine = answer.split('\n').find((l) => l.includes('sum +='))!;
      const hold = answer.indexOf(sumLine) + sumLine.length + 1;
      const held = server.held;
      server.enqueue({ text: answer, tokensPerSecond: 400, holdAfterChars: hold });
      const v = await startEdit(a, 'use const');
      await waitFor(() => server.held > held && v.region.planFlush() === null, 'held mid-stream, shown');
      // The person types at the end of the first line while the model writes (that typing goes with the stream).
      ed.selection = new vscode.Selection(0, lines[0].length, 0, lines[0].length);
      await vscode.commands.executeCommand('type', { text: 'a' });
      await waitFor(() => doc.lineAt(0).text.endsWith('a'), 'a typed');
      if (end === 'Esc') await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
      else server.release();
      await v.session.whenSettled();
      await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'settled, in sync');
      const pend = await settledUi(doc, 'pending');
      assert.ok(pend.hunks >= 1, `a pending diff: ${pend.text}`);
      // Typing on at the same caret, no move in between.
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('type', { text: 'b' });
      await waitFor(() => doc.lineAt(0).text.endsWith('ab'), 'b typed');
      await settledUi(doc, 'b typed');
      // One Undo: the b (and the a with it when the editor grouped the two keys, as it does for keys typed at the same
      // caret), never any of the stream's lines: the pending diff as it was, with its lenses.
      await vscode.commands.executeCommand('undo');
      await waitFor(() => !a.undoBusy(doc) && !doc.lineAt(0).text.endsWith('b'), 'the b undone', 8000);
      await new Promise((r) => setTimeout(r, 300)); // no late replays
      const after = await settledUi(doc, 'one undo');
      const rest = (t: string) => t.split('\n').slice(1).join('\n');
      const diag = `got:\n${after.text}\nwanted:\n${pend.text}\nlog:\n${a.logLines().slice(-40).join('\n')}`;
      if (process.env.SPARK_ARTIFACTS) fs.writeFileSync(`${process.env.SPARK_ARTIFACTS}/type-on-${end}.txt`, diag);
      assert.equal(rest(after.text), rest(pend.text), "the stream's lines are untouched by the undo");
      assert.ok([lines[0], lines[0] + 'a'].includes(after.text.split('\n')[0]), after.text.split('\n')[0]);
      assert.equal(after.hunks, pend.hunks, 'the pending diff as it was');
    });

  it('Reject All, then typing elsewhere, then one Undo: only the typing goes (the rejected diff does not come back with it)', async () => {
    const { src, lines, ed, v, pend } = await pendingUseConst('reject-type');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'rejected');
    assert.equal((await settledUi(ed.document, 'rejected')).text, src);
    // Typing elsewhere, as a person does (the `type` command), at the end of the file's first line.
    ed.selection = new vscode.Selection(0, lines[0].length, 0, lines[0].length);
    await vscode.commands.executeCommand('type', { text: 'x' });
    await waitFor(() => ed.document.getText() !== src, 'the x typed');
    const typed = ed.document.getText();
    assert.equal(typed, [lines[0] + 'x', ...lines.slice(1)].join('\n'));
    await press(ed.document, 'undo', { text: src, hunks: 0 }, 'one undo: the typing only');
    await press(ed.document, 'undo', { text: pend.text, hunks: pend.hunks }, 'undo again: the pending diff');
  });

  /** Resolves at the next save of `doc` once the previews it set aside are shown again. */
  function nextSave(doc: vscode.TextDocument): Promise<void> {
    return new Promise<void>((resolve) => {
      const d = vscode.workspace.onDidSaveTextDocument((s) => {
        if (s !== doc) return;
        d.dispose();
        void a.whenShownAgain(doc).then(resolve);
      });
    });
  }

  const DECISIONS = [
    'Accept All',
    'Reject All',
    'accept a hunk',
    'reject a hunk',
    'Esc mid-stream, then Reject All',
    'redirect, then Reject All',
  ] as const;
  for (const how of DECISIONS)
    it(`${how} with auto-save on (saved while pending and after), then typing elsewhere with the keyboard: one Undo takes only the typing, the next lands on the pending diff`, async () => {
      // The newcomer (browser, auto-save on): Esc mid-stream, Reject All, "x" typed elsewhere, ONE Ctrl+Z removed the
      // x AND brought the rejected diff back. An auto-save while the diff was pending set it aside (the original's
      // text, written) and showed it again: undoing the typing landed on that same text, and the guard took it for
      // the save's set-aside and went on through the pair, undoing the Reject.
      const files = vscode.workspace.getConfiguration('files');
      await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
      try {
        const { src, lines, from, to, answer } = demoFunction('export function total', 'use const');
        const ed = await openFileWith(fileFor('decide-type'), src);
        const doc = ed.document;
        select(ed, from, to);
        const mid = how.startsWith('Esc') || how.startsWith('redirect');
        // Held mid-stream once the first changed lines and the line after them have arrived.
        const sumLine = answer.split('\n').find((l) => l.includes('sum +='))!;
        const hold = answer.indexOf(sumLine) + sumLine.length + 1;
        const held = server.held;
        server.enqueue({ text: answer, tokensPerSecond: 400, holdAfterChars: mid ? hold : undefined });
        if (how.startsWith('redirect')) server.enqueue({ text: answer, tokensPerSecond: 400 });
        let saved = nextSave(doc);
        const v = await startEdit(a, 'use const');
        if (mid) {
          await waitFor(() => server.held > held && v.region.planFlush() === null, 'held mid-stream, shown');
          if (how.startsWith('Esc'))
            await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
          else
            await vscode.commands.executeCommand('sparkEdit.redirect', {
              sessionId: v.session.id,
              instruction: 'use const, really',
            });
        }
        await v.session.whenSettled();
        await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'settled, in sync');
        // Pending long enough for an auto-save: it sets the diff aside, writes the original, shows the diff again.
        await saved;
        const pend = await settledUi(doc, 'pending, saved');
        assert.ok(pend.hunks >= 1, `a pending diff: ${pend.text}`);
        // Auto-save repeats (the diff shown again makes the document dirty): read the file between two writes.
        await waitFor(() => fs.readFileSync(doc.uri.fsPath, 'utf8') === src, 'the file on disk holds the original');
        await waitFor(() => !a.undoBusy(doc), 'no save setting the diff aside');
        saved = nextSave(doc);
        const h = v.region.pendingHunks()[0];
        if (how === 'accept a hunk' || how === 'reject a hunk')
          await vscode.commands.executeCommand(
            how === 'accept a hunk' ? 'sparkEdit.acceptHunk' : 'sparkEdit.rejectHunk',
            {
              sessionId: v.session.id,
              hunkId: h.id,
            },
          );
        else
          await vscode.commands.executeCommand(how === 'Accept All' ? 'sparkEdit.acceptAll' : 'sparkEdit.rejectAll', {
            sessionId: v.session.id,
          });
        await waitFor(() => v.isEnded || v.region.pendingHunks().length < pend.hunks, 'decided');
        await saved; // auto-save after the decision too
        const decided = await settledUi(doc, 'decided, saved');
        if (how.includes('Reject All') || (how === 'reject a hunk' && decided.hunks === 0))
          assert.equal(decided.text, src, 'rejected: the original');
        // Typing elsewhere with the keyboard: the caret moved to the end of the first line, then "x" typed.
        saved = nextSave(doc);
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('cursorTop');
        await vscode.commands.executeCommand('cursorEnd');
        await vscode.commands.executeCommand('type', { text: 'x' });
        await waitFor(() => doc.getText() !== decided.text, 'the x typed');
        const typedLines = decided.text.split('\n');
        typedLines[0] += 'x';
        assert.equal(doc.getText(), typedLines.join('\n'), 'the x at the end of the first line');
        await saved; // and auto-saved
        await press(doc, 'undo', decided, 'one undo: the typing only');
        assert.ok(lines[0] === doc.lineAt(0).text, 'the x is gone');
        await press(doc, 'undo', { text: pend.text, hunks: pend.hunks }, 'undo again: the pending diff');
        await waitFor(() => !doc.isDirty || !a.undoBusy(doc), 'quiet');
      } finally {
        await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      }
    });

  /** The demo's loadOrders and the demo model's "add error handling" answer for it. */
  const loadOrders = () => demoFunction('export async function loadOrders', 'add error handling');

  for (const lead of ['', '/** Loads the orders. */\n'])
    it(`Esc mid-stream after \`try {\` and one line${lead ? ', after a complete doc comment' : ''}: never half a construct`, async () => {
      const { src, from, to, answer } = loadOrders();
      const text = lead + answer;
      const ed = await openFileWith(fileFor('esc'), src);
      select(ed, from, to);
      // Held once `try {` and the first line of the old body (re-indented) have arrived.
      const hold = text.indexOf('var res = await fetch(url);\n') + 'var res = await fetch(url);\n'.length;
      const held = server.held;
      server.enqueue({ text, tokensPerSecond: 400, holdAfterChars: hold });
      const v = await startEdit(a, 'add error handling');
      await waitFor(
        () => server.held > held && v.region.planFlush() === null && ed.document.getText().includes('  try {'),
        'held after `try {` and one line, shown',
      );
      await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
      await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'stopped, in sync');
      const s = await settledUi(ed.document, 'after Esc');
      const srcLines = src.split('\n');
      if (!lead) {
        assert.equal(s.text, src, 'nothing half-done is proposed: the document is the original');
        assert.equal(s.hunks, 0);
        assert.ok(
          a.logLines().some((l) => l.includes('Stopped before a complete change — nothing to apply')),
          'the user is told',
        );
        return;
      }
      // The complete doc comment is proposed; `try {` and the streamed line are not.
      assert.equal(s.hunks, 1, s.text);
      assert.ok(!s.text.includes('  try {'), s.text);
      assert.ok(v.stopMark()?.text.includes('stopped (Esc)'), 'the stop is marked');
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'accepted');
      const want = [...srcLines.slice(0, from), '/** Loads the orders. */', ...srcLines.slice(from)].join('\n');
      assert.equal(ed.document.getText(), want, 'accepted: the comment, and the old body exactly as it was');
    });

  it('Esc mid-stream right after a changed line ("use const": `const res` arrived, `var res` not yet passed): nothing of that hunk is proposed, so Accept All cannot redeclare', async () => {
    const { src, from, to, answer } = demoFunction('export async function loadOrders', 'use const');
    const changed = answer.split('\n').find((l) => /^\s*const res\b/.test(l));
    assert.ok(changed, `the demo's answer changes var res: ${answer}`);
    const ed = await openFileWith(fileFor('esc-const'), src);
    select(ed, from, to);
    // Held once the changed line has arrived whole, before the next line: its original is not passed yet.
    const hold = answer.indexOf(changed + '\n') + changed.length + 1;
    const held = server.held;
    server.enqueue({ text: answer, tokensPerSecond: 400, holdAfterChars: hold });
    const v = await startEdit(a, 'use const');
    await waitFor(
      () => server.held > held && v.region.planFlush() === null && ed.document.getText().includes(changed),
      'held after the changed line, shown',
    );
    await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
    await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'stopped, in sync');
    const s = await settledUi(ed.document, 'after Esc');
    assert.ok(!s.text.includes(changed), `the open hunk's line is not proposed: ${s.text}`);
    assert.equal(s.text, src, 'the document is the original');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), src, 'Accept All after the stop changes nothing');
  });

  // ---- The class: a seeded random walk over decisions, undo/redo, saves and typing in two files ----------------

  /** Two functions whose `var`/`let` lines every edit flips (the same number of lines: functions stay findable). */
  const WALK_FILE = [
    '// walk',
    'export function parse(text: string) {',
    '  var lines = text.split("\\n");',
    '  var out = [];',
    '  for (var i = 0; i < lines.length; i++) {',
    '    out.push(lines[i].trim());',
    '  }',
    '  return out;',
    '}',
    '',
    'export function total(xs: number[]) {',
    '  var sum = 0;',
    '  var n = 0;',
    '  for (const x of xs) sum += x;',
    '  return sum + n;',
    '}',
    '',
  ].join('\n');

  type Meant = { text: string; hunks: number };
  interface Walker {
    ed: vscode.TextEditor;
    /** The states the user meant, in undo order, and where the document is among them. */
    states: Meant[];
    at: number;
  }

  function rng(seed: number) {
    let x = seed;
    return (n: number) => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
  }

  /** The lines of function `name` in the document (its header to the closing brace at column 0). */
  function fnRange(doc: vscode.TextDocument, name: string): { from: number; to: number } | undefined {
    const lines = doc.getText().split('\n');
    const from = lines.findIndex((l) => l.startsWith(`export function ${name}(`));
    if (from < 0) return undefined;
    let to = from;
    while (to < lines.length && lines[to] !== '}') to++;
    return to < lines.length ? { from, to } : undefined;
  }

  async function meantNow(w: Walker, what: string): Promise<Meant> {
    const doc = w.ed.document;
    await waitFor(
      () => !a.undoBusy(doc) && live(doc).every((v) => !v.session.isStreaming && v.region.planFlush() === null),
      `${what}: settled`,
      10_000,
    );
    return { text: doc.getText(), hunks: live(doc).reduce((n, v) => n + v.region.pendingHunks().length, 0) };
  }

  async function push(w: Walker, what: string) {
    const m = await meantNow(w, what);
    w.states.length = w.at + 1;
    w.states.push(m);
    w.at++;
  }

  /** One random step; returns its name (or undefined when it did not apply). */
  async function walkStep(ws: Walker[], r: (n: number) => number): Promise<string | undefined> {
    const w = ws[r(ws.length)];
    const doc = w.ed.document;
    w.ed = await vscode.window.showTextDocument(doc); // an editor hidden by the other file's is closed: a fresh one
    const views = live(doc);
    const kind = r(11);
    const name = `${['edit', 'accept hunk', 'reject hunk', 'accept all', 'reject all', 'undo', 'redo', 'save', 'type', 'Esc mid-stream', 'auto-save'][kind]} in ${vscode.workspace.asRelativePath(doc.uri)}`;
    if (kind === 9) return (await escEdit(w, r, name)) ? name : undefined;
    if (kind === 10) {
      // Wait for auto-save (afterDelay) to save the document, as it does while a person reads the diff.
      if (!doc.isDirty) return undefined;
      await nextSave(doc);
      return name;
    }
    if (kind === 0) {
      const fn = r(2) ? 'parse' : 'total';
      const range = fnRange(doc, fn);
      if (!range || views.some((v) => v.region.startLine <= range.to && v.region.endLine > range.from))
        return undefined;
      const lines = doc
        .getText()
        .split('\n')
        .slice(range.from, range.to + 1);
      const flip = lines.map((l, i) =>
        /\b(var|let) /.test(l) && (r(2) || i === 1)
          ? l.replace(/\b(var|let) /, (m) => (m === 'var ' ? 'let ' : 'var '))
          : l,
      );
      if (flip.join('\n') === lines.join('\n')) return undefined;
      select(w.ed, range.from, range.to);
      server.enqueue({ text: flip.join('\n') + '\n', tokensPerSecond: 2000 });
      const v = await startEdit(a, 'flip');
      await v.session.whenSettled();
      await push(w, name);
      return name;
    }
    if (kind >= 1 && kind <= 4) {
      const v = views[r(Math.max(1, views.length))];
      if (!v) return undefined;
      const hs = v.region.pendingHunks();
      if (kind <= 2) {
        if (!hs.length) return undefined;
        const h = hs[r(hs.length)];
        await vscode.commands.executeCommand(kind === 1 ? 'sparkEdit.acceptHunk' : 'sparkEdit.rejectHunk', {
          sessionId: v.session.id,
          hunkId: h.id,
        });
      } else
        await vscode.commands.executeCommand(kind === 3 ? 'sparkEdit.acceptAll' : 'sparkEdit.rejectAll', {
          sessionId: v.session.id,
        });
      await push(w, name);
      return name;
    }
    if (kind === 5 || kind === 6) {
      if (kind === 5 ? w.at === 0 : w.at + 1 >= w.states.length) return undefined;
      await vscode.commands.executeCommand(kind === 5 ? 'undo' : 'redo');
      w.at += kind === 5 ? -1 : 1;
      return name;
    }
    if (kind === 7) {
      await doc.save();
      await a.whenShownAgain(doc);
      return name;
    }
    // Typing a character on the first line (a comment, outside every edit) with the keyboard's own command, after a
    // caret move (a move ends the editor's typing group: each such "x" is a step of its own).
    const before = doc.getText();
    await vscode.commands.executeCommand('cursorBottom');
    await vscode.commands.executeCommand('cursorTop');
    await vscode.commands.executeCommand('cursorEnd');
    await vscode.commands.executeCommand('type', { text: 'x' });
    await waitFor(() => doc.getText() !== before, `${name}: the x typed`);
    await push(w, name);
    return name;
  }

  /**
   * An edit of `total` stopped with Esc mid-stream (held once its first changed line and the line after it arrived;
   * `total`'s lines are whole statements, so what arrived is proposed). Returns whether it applied.
   */
  async function escEdit(w: Walker, r: (n: number) => number, name: string): Promise<boolean> {
    const doc = w.ed.document;
    const range = fnRange(doc, 'total');
    if (!range || live(doc).some((v) => v.region.startLine <= range.to && v.region.endLine > range.from)) return false;
    const lines = doc
      .getText()
      .split('\n')
      .slice(range.from, range.to + 1);
    const flip = lines.map((l, i) =>
      /\b(var|let) /.test(l) && (i === 1 || r(2))
        ? l.replace(/\b(var|let) /, (m) => (m === 'var ' ? 'let ' : 'var '))
        : l,
    );
    // Held after the first unchanged line below the first changed one (line 1 always changes).
    let k = 2;
    while (k < flip.length - 1 && flip[k] !== lines[k]) k++;
    const hold = flip.slice(0, k + 1).join('\n').length + 1;
    select(w.ed, range.from, range.to);
    const held = server.held;
    server.enqueue({ text: flip.join('\n') + '\n', tokensPerSecond: 2000, holdAfterChars: hold });
    const v = await startEdit(a, 'flip');
    await waitFor(() => server.held > held && v.region.planFlush() === null, `${name}: held mid-stream, shown`);
    await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
    await v.session.whenSettled();
    await push(w, name);
    return true;
  }

  // SPARK_WALK_SEEDS=4,5,6 walks other seeds (to look for a seed that finds a bug). Seed 7 (of 4–18) found the
  // newcomer's class (issue 11, round 5) without the undo guard's fix: edit, type, save, reject the hunk, type,
  // auto-save, undo brought the rejected hunk back with the typing undone.
  const seeds = process.env.SPARK_WALK_SEEDS ? process.env.SPARK_WALK_SEEDS.split(',').map(Number) : [1, 2, 3, 7];
  for (const seed of seeds)
    it(`random walk (seed ${seed}, 40 steps, 2 files, auto-save on, Esc mid-stream, typing with the type command): every undo/redo lands on the state meant, the UI matches the pending edits`, async function () {
      await vscode.workspace
        .getConfiguration('files')
        .update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
      const r = rng(seed);
      const ws: Walker[] = [];
      for (const name of ['walk-a', 'walk-b']) {
        const ed = await openFileWith(fileFor(name), WALK_FILE);
        ws.push({ ed, states: [{ text: WALK_FILE, hunks: 0 }], at: 0 });
      }
      // Known limit (README): a save while a diff is pending sets it aside with an editor edit, which cuts off the
      // editor's Redo (a plain file keeps it: see the test below). Saves are seen as they happen, so the walk knows.
      const cut = vscode.workspace.onWillSaveTextDocument((e) => {
        const w = ws.find((x) => x.ed.document === e.document);
        if (w && live(e.document).length) w.states.length = w.at + 1;
      });
      const trail: string[] = [];
      const t0 = Date.now();
      for (let i = 0; trail.length < 40 && i < 400; i++) {
        const step = await walkStep(ws, r);
        if (!step) continue;
        trail.push(step);
        for (const w of ws) {
          const want = w.states[w.at];
          const got = await meantNow(w, step).catch(() => ({ text: w.ed.document.getText(), hunks: -1 }));
          // Right after an undo/redo the text may still be moving (the guard walks): wait for the state meant.
          await waitFor(
            async () => {
              const m = await meantNow(w, step);
              return m.text === want.text && m.hunks === want.hunks;
            },
            step,
            8000,
          ).catch(async () => {
            const m = await meantNow(w, step).catch(() => got);
            const msg = `seed ${seed}, step ${trail.length} (${step}): ${vscode.workspace.asRelativePath(w.ed.document.uri)} holds ${m.hunks} pending hunks and:\n${m.text}\nwanted ${want.hunks} hunks and:\n${want.text}\ntrail: ${trail.join(' → ')}\nstates: ${JSON.stringify(w.states)} at ${w.at}\nlog:\n${a.logLines().slice(-80).join('\n')}`;
            if (process.env.SPARK_ARTIFACTS)
              fs.writeFileSync(`${process.env.SPARK_ARTIFACTS}/walk-seed-${seed}.txt`, msg);
            assert.fail(
              `seed ${seed}, step ${trail.length} (${step}): ${vscode.workspace.asRelativePath(w.ed.document.uri)} holds ${m.hunks} pending hunks and:\n${m.text}\nwanted ${want.hunks} hunks and:\n${want.text}\ntrail: ${trail.join(' → ')}`,
            );
          });
        }
        const active = vscode.window.activeTextEditor!.document;
        await settledUi(active, `seed ${seed}, step ${trail.length} (${step}); trail: ${trail.join(' → ')}`, false);
      }
      console.log(`[issue 11] random walk seed ${seed}: ${trail.length} steps in ${Date.now() - t0} ms`);
      // Leave nothing moving for the suites after this one: no pending edit, no undo walk, both files saved.
      for (const v of a.sessions()) await v.rejectAll();
      await waitFor(() => ws.every((w) => !a.undoBusy(w.ed.document)), 'the undo guards idle');
      cut.dispose();
      for (const w of ws) await w.ed.document.save();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

  it('a plain file (no Spark Edit): auto-save after Undo keeps Redo (VS Code keeps it: the cut above is ours)', async () => {
    await vscode.workspace
      .getConfiguration('files')
      .update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
    const ed = await openFileWith(fileFor('plain'), WALK_FILE);
    const doc = ed.document;
    await vscode.commands.executeCommand('cursorTop');
    await vscode.commands.executeCommand('cursorEnd');
    await vscode.commands.executeCommand('type', { text: 'x' });
    const typed = doc.getText();
    assert.notEqual(typed, WALK_FILE);
    await nextSave(doc);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => doc.getText() === WALK_FILE, 'undone');
    await nextSave(doc); // auto-save after the undo
    assert.equal(fs.readFileSync(doc.uri.fsPath, 'utf8'), WALK_FILE);
    await vscode.commands.executeCommand('redo');
    await waitFor(() => doc.getText() === typed, 'redo still works after the auto-save');
    await nextSave(doc);
  });

  it('undo never revives a hunk rejected earlier: edit, save, reject the hunk; a second edit, Reject All, save; Undo ×3, Redo ×3', async () => {
    const ed = await openFileWith(fileFor('revive'), WALK_FILE);
    const doc = ed.document;
    const edit = async (fn: string, from: RegExp, to: string) => {
      const r = fnRange(doc, fn)!;
      const lines = doc
        .getText()
        .split('\n')
        .slice(r.from, r.to + 1);
      select(await vscode.window.showTextDocument(doc), r.from, r.to);
      server.enqueue({ text: lines.map((l) => l.replace(from, to)).join('\n') + '\n', tokensPerSecond: 2000 });
      const v = await startEdit(a, 'flip');
      await v.session.whenSettled();
      await waitFor(() => v.region.planFlush() === null, 'in sync');
      return v;
    };
    // A first edit, saved while pending (its set-aside text is the original's), then its hunk rejected.
    const v1 = await edit('total', /var sum/, 'let sum');
    const pending1 = (await settledUi(doc, 'first edit pending', false)).text;
    await doc.save();
    await a.whenShownAgain(doc);
    await vscode.commands.executeCommand('sparkEdit.rejectHunk', {
      sessionId: v1.session.id,
      hunkId: v1.region.pendingHunks()[0].id,
    });
    await waitFor(() => v1.isEnded, 'first edit rejected');
    assert.equal(doc.getText(), WALK_FILE);
    // A second edit, rejected as a whole, saved.
    const v2 = await edit('parse', /var (lines|i)/, 'let $1');
    const pending2 = await settledUi(doc, 'second edit pending', false);
    assert.equal(pending2.hunks, 2);
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v2.session.id });
    await waitFor(() => v2.isEnded, 'second edit rejected');
    await doc.save();
    assert.equal(doc.getText(), WALK_FILE);
    await press(doc, 'undo', { text: pending2.text, hunks: 2 }, 'undo of Reject All: the second edit pending');
    await press(
      doc,
      'undo',
      { text: WALK_FILE, hunks: 0 },
      'undo again: before the second edit (the first hunk stays rejected)',
    );
    await press(doc, 'undo', { text: pending1, hunks: 1 }, 'undo of the per-hunk reject: the first edit pending');
    await press(doc, 'redo', { text: WALK_FILE, hunks: 0 }, 'redo of the per-hunk reject');
    await press(doc, 'redo', { text: pending2.text, hunks: 2 }, 'redo: the second edit pending');
    await press(doc, 'redo', { text: WALK_FILE, hunks: 0 }, 'redo of Reject All');
  });
});
