import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import { hostSuite, openEditor, openFileWith, screenshot, select, startEdit, waitFor, workspaceUri } from './helpers';

/**
 * Issue 11 (HB): a removed row is written into the document behind the language's line comment (`// ` here), hidden by
 * a decoration. The row and its decoration must go out together: the workbench paints the text an edit brings as soon
 * as it has it, so decorations that follow a round trip later show the `//` and no strike-through for a moment (seen
 * in the browser while a redirect streamed). Checked at every change of the document: the decorations Spark Edit has
 * already sent must cover exactly the lines that are removed rows (struck through, prefix hidden), and no other line.
 */

/** 45 lines, no line starting with `// `: every such line in the document is a removed row. */
const BIG =
  Array.from({ length: 9 }, (_, k) => [
    `export function step${k}(xs: number[]) {`,
    `  var acc${k} = 0;`,
    `  for (const x of xs) acc${k} += x * ${k};`,
    `  return acc${k};`,
    '}',
  ])
    .flat()
    .join('\n') + '\n';

const PREFIX = '// ';

/** Watches `doc`: at each change, are the removed rows it holds drawn as removed by what was sent? */
function watchRows(a: SparkEditApi, doc: vscode.TextDocument) {
  const problems: string[] = [];
  let changes = 0,
    removedSeen = 0;
  const check = (why: string) => {
    const d = a.decorationsSent(doc);
    const removed = d?.removed ?? [],
      hidden = d?.hidden ?? [];
    for (let i = 0; i < doc.lineCount; i++) {
      const t = doc.lineAt(i).text;
      const struck = removed.some((r) => r.start.line <= i && i <= r.end.line);
      const hid = hidden.some(
        (r) => r.start.line === i && r.start.character === 0 && r.end.character === PREFIX.length,
      );
      if (t.startsWith(PREFIX)) {
        removedSeen++;
        if (!struck || !hid)
          problems.push(
            `${why}: line ${i} "${t}" is a removed row drawn${struck ? '' : ' without strike-through'}${hid ? '' : ' with its // shown'}`,
          );
      } else if (struck || hid)
        problems.push(`${why}: line ${i} "${t}" is code, drawn as removed${hid ? ' (its start hidden)' : ''}`);
    }
  };
  const sub = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document !== doc || !e.contentChanges.length) return;
    changes++;
    check(`change ${changes}`);
  });
  return {
    problems,
    check,
    get changes() {
      return changes;
    },
    get removedSeen() {
      return removedSeen;
    },
    dispose: () => sub.dispose(),
  };
}

describe('Issue 11 (HB): a removed row never shows without its decoration', function () {
  this.timeout(120_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  const { fileFor, used } = hostSuite('removedrows', (x, s) => {
    a = x;
    server = s;
  });
  afterEach(async () => {
    for (const rel of used.splice(0))
      await vscode.workspace.fs.delete(workspaceUri(rel)).then(undefined, () => undefined);
  });

  async function settled(v: { session: { whenSettled(): Promise<unknown> }; region: { planFlush(): unknown } }) {
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
  }

  for (const when of ['mid-stream', 'when pending'] as const) {
    it(`redirect ${when}: at every flush each removed row is struck through with its // hidden`, async () => {
      const ed = await openEditor(BIG);
      const w = watchRows(a, ed.document);
      try {
        select(ed, 0, 44);
        const held = server.held;
        // The demo model's answers; the first one held mid-way (a few flushes in), the second streamed in full.
        if (when === 'mid-stream') server.enqueue({ tokensPerSecond: 2000, holdAfterChars: 300 });
        const v = await startEdit(a, 'use const');
        if (when === 'mid-stream') await waitFor(() => server.held > held, 'the first answer held mid-way');
        else await settled(v);
        await waitFor(() => w.removedSeen > 0, 'removed rows in the document before the redirect');
        const before = w.changes;
        // The redirected answer (the demo model's) held mid-way too: what the browser shows then.
        server.enqueue({ tokensPerSecond: 2000, holdAfterChars: 600 });
        const held2 = server.held;
        await vscode.commands.executeCommand('sparkEdit.redirect', {
          sessionId: v.session.id,
          instruction: 'add doc comments',
        });
        await waitFor(() => server.held > held2 && w.changes > before, 'the redirected answer held mid-way, shown');
        await waitFor(() => v.region.planFlush() === null, 'in sync mid-redirect');
        assert.ok(v.session.isStreaming, 'mid-redirect');
        await screenshot(`removed-rows-mid-redirect-${when === 'mid-stream' ? 'streaming' : 'pending'}`);
        w.check('mid-redirect');
        server.release();
        await settled(v);
        w.check('settled');
        assert.ok(w.changes - before >= 2, `the redirect streamed in several flushes (${w.changes - before})`);
        assert.deepEqual(w.problems.slice(0, 8), [], `${w.problems.length} bad moments`);
        await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
        await waitFor(() => v.isEnded, 'rejected');
        assert.equal(ed.document.getText(), BIG);
        assert.deepEqual(w.problems.slice(0, 8), [], `Reject All: ${w.problems.length} bad moments`);
      } finally {
        w.dispose();
      }
    });
  }

  it('saves mid-stream and while pending (the previews set aside and shown again): rows and decorations in step', async () => {
    const ed = await openFileWith(fileFor('save'), BIG);
    const w = watchRows(a, ed.document);
    try {
      select(ed, 0, 29);
      const held = server.held;
      server.enqueue({ tokensPerSecond: 2000, holdAfterChars: 300 });
      const v = await startEdit(a, 'use const');
      await waitFor(() => server.held > held && w.removedSeen > 0, 'held mid-way, a removed row shown');
      await ed.document.save();
      await a.whenShownAgain(ed.document);
      w.check('shown again mid-stream');
      server.release();
      await settled(v);
      const seen = w.removedSeen;
      await ed.document.save();
      await a.whenShownAgain(ed.document);
      await waitFor(() => v.matchesDocument(), 'shown again');
      w.check('shown again while pending');
      assert.ok(w.removedSeen > seen, 'the removed rows were checked after the save');
      assert.ok(ed.document.getText().includes('let acc0'), 'the preview is back');
      assert.deepEqual(w.problems.slice(0, 8), [], `${w.problems.length} bad moments`);
    } finally {
      w.dispose();
    }
  });

  // The class behind a failure of the test below (6 of 15 runs): a preview redrawn while another preview's edit is on
  // its way drew the document's previews as they were, taking back the decorations sent ahead of that edit, so the
  // rows it brought were painted with their `//` and no strike-through. Here a redraw comes right after every edit.
  it('a preview redrawn while another preview of the file has an edit on its way: the rows that edit brings stay decorated', async () => {
    const ed = await openEditor(BIG);
    const w = watchRows(a, ed.document);
    try {
      select(ed, 0, 9);
      const first = await startEdit(a, 'use const');
      await settled(first);
      let redraws = 0;
      a.beforeOwnEdit((doc, what) => {
        if (doc !== ed.document || what !== 'previewSent') return;
        redraws++;
        first.decorate();
      });
      select(ed, ed.document.lineCount - 11, ed.document.lineCount - 2);
      const second = await startEdit(a, 'use const');
      await settled(second);
      a.beforeOwnEdit(undefined);
      w.check('second pending');
      assert.ok(redraws > 0 && w.removedSeen > 0, `${redraws} redraws, ${w.removedSeen} removed rows checked`);
      assert.deepEqual(w.problems.slice(0, 8), [], `${w.problems.length} bad moments`);
      await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: second.session.id });
      await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: first.session.id });
      await waitFor(() => first.isEnded && second.isEnded, 'both rejected');
      assert.equal(ed.document.getText(), BIG);
      assert.deepEqual(w.problems.slice(0, 8), [], `Reject All: ${w.problems.length} bad moments`);
    } finally {
      a.beforeOwnEdit(undefined);
      w.dispose();
    }
  });

  it('Esc mid-stream (the open hunk withdrawn), a second edit below, decisions above it: rows and decorations in step', async () => {
    const ed = await openEditor(BIG);
    const w = watchRows(a, ed.document);
    try {
      select(ed, 0, 19);
      const held = server.held;
      server.enqueue({ tokensPerSecond: 2000, holdAfterChars: 150 });
      const v = await startEdit(a, 'use const');
      await waitFor(() => server.held > held, 'held mid-way');
      await waitFor(() => w.removedSeen > 0, 'a removed row shown');
      await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
      await settled(v);
      w.check('after Esc');
      // A second edit in the same file, below the first: its rows move with every edit of the first.
      select(ed, ed.document.lineCount - 11, ed.document.lineCount - 2);
      const second = await startEdit(a, 'use const');
      await settled(second);
      w.check('second pending');
      if (!v.isEnded) {
        const h = v.region.pendingHunks()[0];
        if (h) await v.acceptHunk(h);
        await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
        await waitFor(() => v.isEnded, 'first accepted');
      }
      w.check('first decided');
      await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: second.session.id });
      await waitFor(() => second.isEnded, 'second rejected');
      w.check('both decided');
      assert.ok(w.removedSeen > 0 && w.changes >= 4, `checked ${w.changes} changes`);
      assert.deepEqual(w.problems.slice(0, 8), [], `${w.problems.length} bad moments`);
    } finally {
      w.dispose();
    }
  });
});
