import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import type { SessionView } from '../../src/vscode/preview';
import { hostSuite, openFileWith, ORIGINAL, REWRITE, select, startEdit, waitFor } from './helpers';

/**
 * Issue 11 (HA item 2): the Accept All / Reject All lenses VS Code resolves sit above the first hunk still pending,
 * after every kind of decision, and are there while a save has set the preview aside (they used to sit at the top of
 * the edit's region, above a function whose hunk was already decided, and to vanish for each save).
 */
describe('Issue 11 (HA): the Accept All lens is at the first pending hunk', function () {
  this.timeout(120_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  const { fileFor } = hostSuite('lens', (x, s) => {
    a = x;
    server = s;
  });

  async function lensLines(doc: vscode.TextDocument, command: string): Promise<number[]> {
    const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100);
    return (ls ?? []).filter((l) => l.command?.command === command).map((l) => l.range.start.line);
  }
  const lineOf = (doc: vscode.TextDocument, text: string) => doc.getText().split('\n').indexOf(text);

  async function twoHunks(name: string): Promise<{ ed: vscode.TextEditor; v: SessionView }> {
    const ed = await openFileWith(fileFor(name), ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE });
    const v = await startEdit(a, 'use const');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    assert.equal(v.region.pendingHunks().length, 2);
    return { ed, v };
  }

  it('pending, after a per-hunk Accept, after a per-hunk Reject: Accept All and Reject All above the first pending hunk', async () => {
    const { ed, v } = await twoHunks('accept');
    const doc = ed.document;
    const first = lineOf(doc, '//   var lines = text.split("\\n");');
    assert.ok(first > 2, 'the first hunk is below the top of the edit (the function line)');
    assert.deepEqual(await lensLines(doc, 'sparkEdit.acceptAll'), [first], 'pending: at the first hunk');
    assert.deepEqual(await lensLines(doc, 'sparkEdit.rejectAll'), [first]);
    await v.acceptHunk(v.region.pendingHunks()[0]);
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    const second = lineOf(doc, '//   var sum = 0;');
    assert.ok(second > 0);
    assert.deepEqual(await lensLines(doc, 'sparkEdit.acceptAll'), [second], 'after Accept of hunk 1: at hunk 2');
    assert.deepEqual(await lensLines(doc, 'sparkEdit.rejectAll'), [second]);

    const w = await twoHunks('reject');
    await w.v.rejectHunk(w.v.region.pendingHunks()[0]);
    await waitFor(() => w.v.region.planFlush() === null, 'in sync');
    const left = lineOf(w.ed.document, '//   var sum = 0;');
    assert.deepEqual(
      await lensLines(w.ed.document, 'sparkEdit.acceptAll'),
      [left],
      'after Reject of hunk 1: at hunk 2',
    );
  });

  it('a save: while the preview is set aside the lenses stay, on the lines of the hunk; after it, at the hunk again', async () => {
    const { ed, v } = await twoHunks('save');
    const doc = ed.document;
    let during: { accept: number[]; expected: number; suspended: boolean } | undefined;
    // Save participants run one after the other, in the order they were registered: Spark Edit's sets the preview aside
    // first, then this one asks for the lenses of the document as it is written.
    const sub = vscode.workspace.onWillSaveTextDocument((e) => {
      if (e.document !== doc) return;
      e.waitUntil(
        (async () => {
          const expected = lineOf(doc, '  var lines = text.split("\\n");');
          during = { accept: await lensLines(doc, 'sparkEdit.acceptAll'), expected, suspended: v.suspended };
        })(),
      );
    });
    try {
      await doc.save();
      await a.whenShownAgain(doc);
    } finally {
      sub.dispose();
    }
    assert.ok(during, 'the test participant ran');
    assert.ok(during.suspended, 'the preview was set aside when the lenses were asked for');
    assert.deepEqual(during.accept, [during.expected], 'set aside: Accept All on the line of the first hunk');
    await waitFor(() => !v.suspended && v.region.planFlush() === null, 'shown again');
    assert.deepEqual(
      await lensLines(doc, 'sparkEdit.acceptAll'),
      [lineOf(doc, '//   var lines = text.split("\\n");')],
      'shown again: at the first hunk',
    );
  });

  it('a save while the model writes: the "writing… Stop (Esc)" lens is there while the preview is set aside', async () => {
    const ed = await openFileWith(fileFor('writing'), ORIGINAL);
    select(ed, 2, 15);
    // Paused mid-answer until released: the save surely comes while the stream is running.
    server.enqueue({ text: REWRITE, tokensPerSecond: 200, holdAfterChars: REWRITE.indexOf('return out') });
    const v = await startEdit(a, 'use const');
    const doc = ed.document;
    await waitFor(() => doc.getText().includes('const lines'), 'streaming');
    assert.deepEqual(await lensLines(doc, 'sparkEdit.interrupt'), [2], 'writing: at the top of the edit');
    let during: { stop: number[]; suspended: boolean; streaming: boolean } | undefined;
    const sub = vscode.workspace.onWillSaveTextDocument((e) => {
      if (e.document !== doc) return;
      e.waitUntil(
        (async () => {
          during = {
            stop: await lensLines(doc, 'sparkEdit.interrupt'),
            suspended: v.suspended,
            streaming: v.session.isStreaming,
          };
        })(),
      );
    });
    try {
      await doc.save();
      await a.whenShownAgain(doc);
    } finally {
      sub.dispose();
    }
    assert.ok(during?.suspended && during.streaming, 'asked while set aside, mid-stream');
    assert.deepEqual(during.stop, [2], 'set aside: the writing… lens stays');
    server.release();
    await v.session.whenSettled();
  });
});
