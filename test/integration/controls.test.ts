import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import {
  ACCEPT_LABEL,
  clickGesture,
  HINT_PAD,
  PendingEditInlayControls,
  REJECT_LABEL,
} from '../../src/vscode/inlayControls';
import type { EditSessions } from '../../src/vscode/sessions';
import {
  domTexts,
  openEditor,
  openFileWith,
  suiteFiles,
  ORIGINAL,
  REWRITE,
  screenshot,
  select,
  serverHooks,
  startEdit,
  waitFor,
} from './helpers';

type Part = vscode.InlayHintLabelPart;
const parts = (h: vscode.InlayHint): Part[] => (typeof h.label === 'string' ? [] : h.label);
const hintsOf = (doc: vscode.TextDocument) =>
  vscode.commands.executeCommand<vscode.InlayHint[]>(
    'vscode.executeInlayHintProvider',
    doc.uri,
    new vscode.Range(0, 0, doc.lineCount, 0),
  );
const lensTitles = async (doc: vscode.TextDocument) =>
  (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)).map(
    (l) => l.command?.title ?? '',
  );

/** The label names the gesture that runs it (a plain click only moves the caret) and starts with a real space. */
function assertLabelled(h: vscode.InlayHint) {
  const values = parts(h).map((p) => p.value);
  assert.equal(values[0], HINT_PAD, `starts with a space: ${JSON.stringify(values)}`);
  assert.ok(/^\s+$/.test(HINT_PAD));
  assert.ok(/click/.test(clickGesture()));
  assert.ok(
    values.some((x) => x.includes(clickGesture())),
    `the label says ${clickGesture()}: ${JSON.stringify(values)}`,
  );
  // In this host (code-server in Chromium, multiCursorModifier alt) the link gesture is Ctrl (⌘ on a Mac).
  assert.equal(clickGesture(), 'Ctrl/⌘+click');
}

describe('Issue 17: the Accept/Reject controls appear with the hunk (real VS Code host)', function () {
  this.timeout(90_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks((x, s) => {
    a = x;
    server = s;
  });
  afterEach(async () => {
    await vscode.workspace
      .getConfiguration('editor')
      .update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Global);
  });

  it('the per-hunk Accept is an inlay hint the workbench itself asks for while the stream still runs, once the first hunk is complete', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    // Held after the line that closes the first hunk ("  var out" matches again): nothing changes after that,
    // so what the workbench does next is its own refresh, not a later edit's.
    const hold = REWRITE.split('\n').slice(0, 3).join('\n').length + 1;
    server.enqueue({ text: REWRITE, tokensPerSecond: 400, holdAfterChars: hold });
    const v = await startEdit(a, 'use const/let');
    // And in the document: the region runs ahead of it (flushes are coalesced per frame; under load, after a busy
    // suite, the document still held the partial "  const lines " row when the hints were read).
    await waitFor(
      () => v.region.pendingHunks().length === 1 && v.region.planFlush() === null,
      'the first hunk complete, in the document',
    );
    // The workbench's inlay hint controller asks the provider on its own (nothing in the test asks yet).
    await waitFor(() => v.timing.acceptInlayProvided !== undefined, 'the workbench asks for the inlay controls');
    assert.equal(v.session.isStreaming, true, 'the control is there while the model is still writing');
    const [h] = v.region.pendingHunks();
    const hints = await hintsOf(ed.document);
    const hint = hints.find((x) => parts(x).some((p) => p.value === ACCEPT_LABEL));
    assert.ok(hint, `an Accept inlay hint: ${JSON.stringify(hints.map((x) => x.label))}`);
    assert.ok(
      parts(hint).some((p) => p.value === REJECT_LABEL),
      'Reject beside it',
    );
    // The commands: vscode.executeInlayHintProvider disposes its result before returning, so the label parts' commands
    // (cached arguments) do not come back through it; the same provider code is asked directly for them.
    const direct = new PendingEditInlayControls({
      viewsFor: (d: vscode.TextDocument) => a.sessions().filter((x) => x.document === d),
      onDidChangeLenses: () => ({ dispose() {} }),
    } as unknown as EditSessions).provideInlayHints(ed.document, new vscode.Range(0, 0, ed.document.lineCount, 0));
    assert.equal(direct.length, 1);
    assert.deepEqual(direct[0].position, hint.position);
    const [accept] = parts(direct[0]).filter((p) => p.value === ACCEPT_LABEL);
    const [reject] = parts(direct[0]).filter((p) => p.value === REJECT_LABEL);
    assert.equal(accept.command?.command, 'sparkEdit.acceptHunk');
    assert.deepEqual(accept.command?.arguments, [{ sessionId: v.session.id, hunkId: h.id }]);
    assert.equal(reject?.command?.command, 'sparkEdit.rejectHunk');
    assertLabelled(hint);
    // At the end of the hunk's first row: pushes no code around.
    const row = ed.document.lineAt(hint.position.line);
    assert.equal(row.text, '  const lines = text.split("\\n");', 'on the hunk’s first added row');
    assert.equal(hint.position.character, row.text.length, 'at the end of the row');
    // No second copy of the per-hunk controls as lenses (inlay hints are on by default).
    assert.ok(!(await lensTitles(ed.document)).some((t) => /\$\(check\) Accept/.test(t)), 'no per-hunk Accept lens');
    await screenshot('inlay-accept-mid-stream');
    // The workbench's own lens request comes later (≥ 250 ms after the last change): numbers for the report.
    await waitFor(() => v.timing.acceptLensProvided !== undefined, 'the workbench asks for lenses');
    const tm = v.timing;
    console.log(
      `[controls] first hunk ready → Accept inlay asked for ${(tm.acceptInlayProvided! - tm.firstHunkReady!).toFixed(0)} ms, → lens asked for ${(tm.acceptLensProvided! - tm.firstHunkReady!).toFixed(0)} ms`,
    );
    // Clicking runs the hint's command with its arguments.
    await vscode.commands.executeCommand(accept.command!.command, ...(accept.command!.arguments ?? []));
    assert.equal(h.state, 'accepted');
    server.release();
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL.replace('var lines', 'const lines'));
  });

  // Issue 17, fifth round: a plain-click Accept with the first hunk. Context keys reach the workbench without the
  // lens/inlay debounce, so the editor title's ✓ is offered as soon as the first hunk is complete; mid-stream it is
  // "Accept (stops writing)": it stops the stream and accepts what a stop keeps, never the hunk still being written.
  const titleAccepts = async (name: string) =>
    (await domTexts(name, '.editor-actions .action-label'))?.map((e) => e.title).filter((t) => /^Accept/.test(t));
  /** The page's title bar shows exactly these Accept actions (skipped without a launcher to read the page). */
  const titleShows = async (name: string, expected: string[]) => {
    let shown: string[] | undefined;
    await waitFor(
      async () => {
        shown = await titleAccepts(name);
        return !shown || JSON.stringify(shown) === JSON.stringify(expected);
      },
      `the title bar to show ${JSON.stringify(expected)}`,
    );
  };
  it('the editor title offers "Accept (stops writing)" once the first hunk is complete, mid-stream; a click leaves exactly that hunk accepted', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    const hold = REWRITE.split('\n').slice(0, 3).join('\n').length + 1; // after the line that closes the first hunk
    server.enqueue({ text: REWRITE, tokensPerSecond: 400, holdAfterChars: hold });
    const v = await startEdit(a, 'use const/let');
    assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), false, 'nothing complete yet: not offered');
    await waitFor(
      () => v.region.pendingHunks().length === 1 && v.region.planFlush() === null,
      'the first hunk complete, in the document',
    );
    await waitFor(() => a.contextKey('sparkEdit.canAcceptSoFar') === true, 'the title offers Accept (stops writing)');
    assert.equal(v.session.isStreaming, true, 'offered while the model is still writing');
    assert.equal(a.contextKey('sparkEdit.canAcceptAll'), false, 'not as "Accept All": it does not accept everything');
    const pkg = vscode.extensions.getExtension('spark-edit.spark-edit')!.packageJSON;
    const cmd = (pkg.contributes.commands as Array<{ command: string; title: string }>).find(
      (c) => c.command === 'sparkEdit.acceptSoFar',
    );
    assert.equal(cmd?.title, 'Accept (stops writing)');
    // The title bar shows it, and only it (the page draws the context key's change a moment later).
    await titleShows('title-accept-mid-stream', ['Accept (stops writing)']);
    await screenshot('title-accept-mid-stream');
    // The title bar runs it with the editor's resource as its argument.
    await vscode.commands.executeCommand('sparkEdit.acceptSoFar', ed.document.uri);
    await waitFor(() => v.isEnded, 'the edit ended');
    assert.equal(v.session.isStreaming, false, 'the stream stopped');
    assert.equal(
      ed.document.getText(),
      ORIGINAL.replace('var lines', 'const lines'),
      'byte for byte: the complete hunk accepted, the rest of the code as it was (the second change never arrived)',
    );
    assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), false);
    assert.equal(a.contextKey('sparkEdit.hasPending'), false);
    server.release();
  });

  it('the title never offers "Accept (stops writing)" when a stop would keep nothing (an opened bracket whose close has not arrived); Accept All once the stream ended', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    // `if (text) {` wrapped around unchanged lines: its hunk closes on them long before its `}` arrives.
    const base = ORIGINAL.split('\n').slice(2, 16).join('\n') + '\n';
    const answer = base
      .replace('  var out = [];', '  if (text) {\n  var out = [];')
      .replace('  return out;', '  }\n  return out;');
    const hold = answer.indexOf('  for (var i');
    server.enqueue({ text: answer, tokensPerSecond: 400, holdAfterChars: hold });
    const v = await startEdit(a, 'guard');
    await waitFor(
      () => v.region.pendingHunks().length >= 1 && v.region.planFlush() === null,
      'a complete hunk, in the document',
    );
    assert.equal(v.session.isStreaming, true);
    assert.equal(v.region.keptIfStopped(), 0, 'a stop now would keep nothing whole');
    assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), false, 'not offered: accepting would accept nothing');
    assert.equal(a.contextKey('sparkEdit.canAcceptAll'), false);
    server.release();
    await v.session.whenSettled();
    await waitFor(() => a.contextKey('sparkEdit.canAcceptAll') === true, 'Accept All once the stream ended');
    assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), false);
    await titleShows('title-accept-ended', ['Accept All (Ctrl+Enter)']);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', ed.document.uri);
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(
      ed.document.getText(),
      ORIGINAL.split('\n').slice(0, 2).join('\n') + '\n' + answer + ORIGINAL.split('\n').slice(16).join('\n'),
    );
  });

  // Issue 17, sixth round: one truth for the keys. The title bar names each action's key the way VS Code does (its
  // tooltip: the first keybinding whose `when` holds in the title's context, else the last one declared); Reject All
  // said "(Escape)" (its Esc binding, declared last), beside "Stop Generating (Escape)", while the lens said
  // Ctrl+Backspace and Esc stopped the stream. Now: Reject All is Ctrl+Backspace everywhere (it works in every
  // state), Esc is claimed only by Stop while the model writes (README: Esc rejects all once nothing is streaming).
  const titleControls = async (name: string) =>
    (await domTexts(name, '.editor-actions .action-label'))
      ?.map((e) => e.title)
      .filter((t) => /^(Accept|Reject|Stop|Discard)/.test(t));
  const titleControlsAre = async (name: string, expected: string[]) => {
    let shown: string[] | undefined;
    await waitFor(
      async () => {
        shown = await titleControls(name);
        return !shown || JSON.stringify(shown) === JSON.stringify(expected);
      },
      `the title bar to show ${JSON.stringify(expected)}`,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; shown: ${JSON.stringify(shown)}`);
    });
    if (shown) assert.ok(shown.filter((t) => /Escape/.test(t)).length <= 1, `one control claims Esc: ${shown}`);
  };
  it('the title ✓ goes to the workbench with the edit that shows its complete hunk, not a round trip after it', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    // The second change is held half-written (its partial line differs from the original, so the document shows it).
    const answer = REWRITE.replace('for (var i', 'for (let i');
    const partial = '  for (let';
    // The first token waits 300 ms, so the gate below is in place before anything can flush; and the gate opens
    // whatever an assertion says (CI 33: under load a flush went out before the gate, "nothing in the document yet"
    // failed, the gate never opened, and the cleanup's Reject All hung on it for 30 s; the retry passed).
    server.enqueue({
      text: answer,
      tokensPerSecond: 2000,
      holdAfterChars: answer.indexOf(partial) + partial.length,
      firstTokenDelayMs: 300,
    });
    const v = await startEdit(a, 'use const/let');
    // The first document edit waits (as it waits for the typing lock after the box) until the answer is in up to the
    // hold: then one edit brings the complete first hunk.
    let open!: () => void;
    v.gateFirstEdit(new Promise<void>((r) => (open = r)));
    try {
      await gatedFirstEdit();
    } finally {
      open();
    }
    async function gatedFirstEdit() {
      await waitFor(() => v.session.text.endsWith(partial), 'the answer up to the hold');
      assert.equal(v.flushes, 0, 'nothing in the document yet');
      assert.equal(
        v.region.pendingHunks().length,
        1,
        'the first hunk is complete (in the stream), the second one open',
      );
      assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), false, 'not offered before the document shows it');
      open();
      // In this tick the edit went out and the workbench has not answered it yet (nothing from it can arrive before the
      // check phase of this turn of the event loop): the ✓ key must have gone with the edit. It used to be set once the
      // workbench had answered (the edit's round trip: 20–60 ms later in the browser).
      await new Promise((r) => setImmediate(r));
      assert.notEqual(v.timing.firstEditSent, undefined, 'the edit was sent');
      assert.equal(v.timing.firstEditApplied, undefined, 'the workbench has not answered it yet');
      assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), true, 'the ✓ key went with the edit');
      await waitFor(() => v.flushes > 0 && v.region.planFlush() === null, 'the held answer in the document');
      assert.ok(ed.document.getText().includes('// ' + ORIGINAL.split('\n')[3]), 'the complete hunk in the document');
      // The half line `  for (let` is too short to tell a change of `  for (var …` from a new line above it: held back
      // until the stream pauses (UNSHOWN_MS, issue 11 session 14), then drawn.
      await waitFor(() => ed.document.getText().includes(partial), 'the held half line drawn after the pause');
      assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), true);
      server.release();
      await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'the stream ended');
      assert.equal(a.contextKey('sparkEdit.canAcceptAll'), true);
      assert.equal(a.contextKey('sparkEdit.canAcceptSoFar'), false);
      await v.rejectAll();
      assert.equal(ed.document.getText(), ORIGINAL, 'rejected: the original, byte for byte');
    }
  });

  it('title and lens name the same keys in each state, and only one control claims Esc (a single open hunk mid-stream, then pending)', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    // Held inside the first changed line: the only hunk is still open, nothing whole to accept.
    server.enqueue({ text: REWRITE, tokensPerSecond: 400, holdAfterChars: REWRITE.indexOf('const lines') + 5 });
    const v = await startEdit(a, 'use const/let');
    await waitFor(() => v.flushes > 0 && v.region.planFlush() === null, 'the open hunk in the document');
    assert.equal(v.session.isStreaming, true);
    assert.equal(v.region.pendingHunks().length, 0, 'no complete hunk yet');
    await titleControlsAre('title-keys-streaming', ['Reject All (Ctrl+Backspace)', 'Stop Generating (Escape)']);
    const streamingLenses = await lensTitles(ed.document);
    assert.ok(
      streamingLenses.some((t) => /Stop \(Esc\)/.test(t)),
      `the lens's Stop says Esc: ${streamingLenses}`,
    );
    assert.ok(!streamingLenses.some((t) => /Reject All.*Esc/.test(t)), 'no lens offers Esc for Reject All mid-stream');
    server.release();
    await v.session.whenSettled();
    await waitFor(() => a.contextKey('sparkEdit.canAcceptAll') === true, 'Accept All once the stream ended');
    await titleControlsAre('title-keys-pending', ['Accept All (Ctrl+Enter)', 'Reject All (Ctrl+Backspace)']);
    const lenses = await lensTitles(ed.document);
    assert.ok(lenses.includes('Accept All (Ctrl+Enter)'), `lens: ${lenses}`);
    assert.ok(lenses.includes('Reject All (Ctrl+Backspace)'), `lens: ${lenses}`);
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'rejected');
    assert.equal(ed.document.getText(), ORIGINAL);
  });

  // The lens and inlay controllers wait for a quiet document; with auto-save's delay shorter than CodeLens's ≥ 250 ms
  // debounce, the save guard's set-aside and restore (two changes per save) never leave one, and the Accept All lens
  // never came (6 s, twice; the browser's default 1 s delay let it through at 0.9 s here, and starved it under load
  // in one browser keyboard run). The title's ✓ is a context key: it must be there, and work, through the churn.
  it('with auto-save every 200 ms the pending diff still has its plain-click Accept (the title ✓), and it accepts exactly the edit', async () => {
    const files = vscode.workspace.getConfiguration('files');
    await files.update('autoSaveDelay', 200, vscode.ConfigurationTarget.Global);
    await files.update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
    try {
      const ed = await openFileWith(suiteFiles('controls-autosave').fileFor('f'), ORIGINAL);
      select(ed, 2, 15);
      let saves = 0;
      const sub = vscode.workspace.onDidSaveTextDocument((d) => {
        if (d === ed.document) saves++;
      });
      server.enqueue({ text: REWRITE, tokensPerSecond: 2000 });
      const v = await startEdit(a, 'use const/let');
      await v.session.whenSettled();
      await waitFor(() => saves >= 2, 'auto-saves while the diff is pending');
      sub.dispose();
      await waitFor(() => a.contextKey('sparkEdit.canAcceptAll') === true, 'the title ✓ Accept All');
      await vscode.commands.executeCommand('sparkEdit.acceptAll', ed.document.uri);
      await waitFor(() => v.isEnded, 'accepted');
      assert.equal(ed.document.getText(), ORIGINAL.replace('var lines', 'const lines').replace('var sum', 'let sum'));
    } finally {
      await files.update('autoSave', undefined, vscode.ConfigurationTarget.Global);
      await files.update('autoSaveDelay', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the inlay controls say the click they need, start with a space, and never sit on a removed row (remove-only hunks)', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 1, 15);
    // Lines 1..15 without their two blank lines: two hunks that only remove, the first at the region's first row.
    const lines = ORIGINAL.split('\n').slice(1, 16);
    const text = lines.filter((_, i) => i !== 0 && i !== 9).join('\n') + '\n';
    server.enqueue({ text });
    const v = await startEdit(a, 'drop the blank lines');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    assert.equal(v.region.pendingHunks().length, 2, 'two remove-only hunks');
    const removed = new Set<number>();
    v.region.renderedRows().forEach((r, i) => {
      if (r.kind === 'del') removed.add(v.region.startLine + i);
    });
    assert.deepEqual([...removed], [1, 10], 'the blank lines are shown as removed rows');
    let hints: vscode.InlayHint[] = [];
    await waitFor(async () => {
      hints = (await hintsOf(ed.document)).filter((x) => parts(x).some((p) => p.value === ACCEPT_LABEL));
      return hints.length === 2;
    }, 'two Accept inlay hints');
    const at = hints.map((x) => x.position.line).sort((x, y) => x - y);
    // The row above each removed blank line: line 0 (just outside the region) and line 9 ("}").
    assert.deepEqual(at, [0, 9], `hint lines ${at.join(', ')}`);
    for (const h of hints) {
      assert.ok(!removed.has(h.position.line), `a hint on removed line ${h.position.line}`);
      assert.equal(h.position.character, ed.document.lineAt(h.position.line).text.length, 'at the end of its row');
      assertLabelled(h);
    }
    await screenshot('inlay-controls-remove-only');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL);
  });

  it('a remove-only hunk on the document’s first line has its inlay controls on the row below it', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 0, 2);
    server.enqueue({ text: ORIGINAL.split('\n').slice(1, 3).join('\n') + '\n' }); // the import line removed
    const v = await startEdit(a, 'drop the import');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    assert.equal(v.region.startLine, 0);
    assert.equal(v.region.renderedRows()[0].kind, 'del', 'line 0 is the removed row');
    let hints: vscode.InlayHint[] = [];
    await waitFor(async () => {
      hints = (await hintsOf(ed.document)).filter((x) => parts(x).some((p) => p.value === ACCEPT_LABEL));
      return hints.length === 1;
    }, 'the Accept inlay hint');
    assert.equal(hints[0].position.line, 1, 'no line above the removed row: the row below it');
    assertLabelled(hints[0]);
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL);
  });

  it('with editor.inlayHints.enabled off, the per-hunk Accept/Reject are lenses again (never missing)', async () => {
    await vscode.workspace
      .getConfiguration('editor')
      .update('inlayHints.enabled', 'off', vscode.ConfigurationTarget.Global);
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE });
    const v = await startEdit(a, 'use const/let');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    const titles = await lensTitles(ed.document);
    assert.equal(titles.filter((t) => t === '$(check) Accept').length, 2, `per-hunk lenses: ${titles.join(' | ')}`);
    assert.ok(titles.includes('Accept All (Ctrl+Enter)'));
    await vscode.workspace
      .getConfiguration('editor')
      .update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(
      async () => !(await lensTitles(ed.document)).includes('$(check) Accept'),
      'lenses follow the setting',
    );
    assert.ok((await hintsOf(ed.document)).some((x) => parts(x).some((p) => p.value === ACCEPT_LABEL)));
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL);
  });
});
