import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import { TARGETED_MARKER } from '../../src/core/targeted/prompt';
import { openEditor, screenshot, serverHooks, sleep, waitFor } from './helpers';

/** A 2,000-line file: a function every 20 lines, short distinct lines (and some repeated ones). */
const BIG: string[] = [];
for (let i = 0; i < 2000; i++)
  BIG.push(
    i % 20 === 0 ? `function f${i}(x: number) {` : i % 20 === 19 ? '}' : i % 20 === 18 ? '  return x;' : `  x += ${i};`,
  );
const BIG_TEXT = BIG.join('\n') + '\n';
const patch = (...l: string[]) => ['*** Begin Patch', ...l, '*** End Patch', ''].join('\n');
const BLOCK1 = ['@@', '  x += 301;', '  x += 302;', '-  x += 303;', '+  x += 303 * 2; // fixed', '  x += 304;'];
const BLOCK2 = [
  '@@',
  '  x += 1701;',
  '  x += 1702;',
  '-  x += 1703;',
  '+  x += 1703 * 2; // fixed too',
  '+  x += 0; // and this',
  '  x += 1704;',
];
const ANSWER = patch(...BLOCK1, ...BLOCK2);
const FIXED =
  BIG.map((l, i) =>
    i === 303 ? '  x += 303 * 2; // fixed' : i === 1703 ? '  x += 1703 * 2; // fixed too\n  x += 0; // and this' : l,
  ).join('\n') + '\n';

async function edit(a: SparkEditApi, instruction: string) {
  const r = await vscode.commands.executeCommand<{ sessionId?: number; jobId?: number } | undefined>(
    'sparkEdit.editSelection',
    { instruction },
  );
  assert.ok(r?.sessionId, `a fast edit started (got ${JSON.stringify(r)})`);
  return a.session(r.sessionId)!;
}

describe('Targeted edits in a real VS Code host (issue 14)', function () {
  this.timeout(120_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks((x, s) => {
    a = x;
    server = s;
  });

  it('a targeted edit of a 2,000-line file streams into the inline diff, and a hunk is accepted while later blocks still stream', async () => {
    const ed = await openEditor(BIG_TEXT);
    // Held inside block 2's first added line: block 1 is complete, block 2 has started.
    const hold = ANSWER.indexOf('+  x += 1703 * 2') + '+  x += 1703'.length;
    server.enqueue({ text: ANSWER, tokensPerSecond: 2000, holdAfterChars: hold });
    const v = await edit(a, '/file double the two steps');
    assert.equal(v.region.startLine, 0, 'the whole file is the scope');
    assert.equal(v.region.original.length, ed.document.lineCount);
    await waitFor(() => ed.document.getText().includes('x += 303 * 2; // fixed'), 'block 1 in the document');
    await waitFor(
      () =>
        v.region.pendingHunks().length === 1 &&
        v.region.rows.some((r) => r.kind === 'part') &&
        // The half line changes `  x += 1703;`: drawn right below it (issue 11, session 14; it was above).
        ed.document.lineAt(1704).text === '  x += 1703;' &&
        ed.document.lineAt(1705).text.startsWith('  x += 1703') &&
        ed.document.lineAt(1705).text !== '  x += 1703;',
      'block 2 streaming (its added line shown live)',
    );
    assert.equal(v.session.isStreaming, true, 'still streaming');
    const body = server.requests[server.requests.length - 1].body;
    assert.ok(String(body.instructions).includes(TARGETED_MARKER), 'the prompt asks for targeted blocks');
    assert.equal(body.prediction, undefined);
    // Accept block 1 while block 2 still streams.
    const h1 = v.region.pendingHunks()[0];
    await vscode.commands.executeCommand('sparkEdit.acceptHunk', { sessionId: v.session.id, hunkId: h1.id });
    await waitFor(
      () => !ed.document.getText().includes('\n  x += 303;\n'),
      'block 1 accepted: its removed line is gone',
    );
    assert.equal(v.session.isStreaming, true, 'accepted while the answer still streams');
    ed.revealRange(new vscode.Range(1700, 0, 1710, 0), vscode.TextEditorRevealType.InCenter);
    await screenshot('targeted-streaming');
    server.release();
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    assert.equal(v.region.pendingHunks().length, 1);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), FIXED);
  });

  it('an unplaceable block (repeated code) is reported and changes nothing', async () => {
    const ed = await openEditor(BIG_TEXT);
    const before = a.logLines().length;
    // "  return x;\n}" closes every function: ambiguous, so never guessed.
    server.enqueue({ text: patch('@@', '-  return x;', '+  return x * 2;', ' }') });
    const v = await edit(a, '/file double the result');
    await v.session.whenSettled();
    await waitFor(() => v.isEnded, 'nothing pending: the edit ends');
    assert.equal(ed.document.getText(), BIG_TEXT, 'the document is untouched');
    assert.match(
      v.session.leftOut ?? '',
      /could not be placed safely and was left out.*occur more than once.*Nothing was changed there/,
    );
    await screenshot('targeted-left-out'); // the warning, as the user sees it
    const logged = a.logLines().slice(before).join('\n');
    assert.match(logged, /block 1 unplaced: its lines occur more than once/);
    assert.match(logged, /left out/);
  });

  it('Esc mid-stream keeps the placed blocks pending and leaves the rest of the file untouched', async () => {
    const ed = await openEditor(BIG_TEXT);
    const hold = ANSWER.indexOf('+  x += 1703 * 2') + '+  x += 1703'.length;
    server.enqueue({ text: ANSWER, tokensPerSecond: 2000, holdAfterChars: hold });
    const v = await edit(a, '/file double the two steps');
    await waitFor(
      () =>
        v.region.pendingHunks().length === 1 &&
        v.region.rows.some((r) => r.kind === 'part') &&
        // The half line changes `  x += 1703;`: drawn right below it (issue 11, session 14; it was above).
        ed.document.lineAt(1704).text === '  x += 1703;' &&
        ed.document.lineAt(1705).text.startsWith('  x += 1703') &&
        ed.document.lineAt(1705).text !== '  x += 1703;',
      'block 2 streaming',
    );
    await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
    assert.equal(v.session.state, 'pending');
    await sleep(200);
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    const text = ed.document.getText();
    assert.ok(text.includes('x += 303 * 2; // fixed'), 'block 1 kept');
    assert.ok(!text.includes('and this'), 'nothing after Esc arrives');
    // The untitled document holds BIG_TEXT (BIG.length lines and an empty last one), plus one preview row: the
    // unfinished line of block 2 is never proposed (half a line), its original line stays as it was.
    assert.equal(
      ed.document.lineCount,
      BIG.length + 1 + 1,
      'block 1 (removed + added) only: the partial line of block 2 is left out, every other line as it was',
    );
    assert.ok(!/^ {2}x \+= 1703 ?$/m.test(text), 'no half line of block 2');
    assert.equal(v.region.pendingHunks().length, 1, 'block 1 only');
    assert.equal(v.stopMark()?.text, '⋯ stopped (Esc)');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), BIG_TEXT, 'reject-all gives the original back');
  });

  it('the demo model answers a large scope in the targeted format', async () => {
    const ed = await openEditor(BIG_TEXT);
    server.enqueue({ tokensPerSecond: 5000 }); // no text: the built-in demo model answers from the prompt
    const v = await edit(a, '/file rename f1200 to g1200');
    await v.session.whenSettled();
    assert.match(v.session.text, /^\*\*\* Begin Patch\n@@\n/);
    assert.ok(v.session.text.length < 600, `a short answer (${v.session.text.length} chars)`);
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), BIG_TEXT.replace('function f1200(', 'function g1200('));
  });
});
