import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import { ACCEPT_LABEL, PendingEditInlayControls, REJECT_LABEL } from '../../src/vscode/inlayControls';
import type { EditSessions } from '../../src/vscode/sessions';
import { openEditor, ORIGINAL, REWRITE, screenshot, select, serverHooks, startEdit, waitFor } from './helpers';

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
