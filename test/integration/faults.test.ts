import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import {
  fileExists,
  openEditor,
  openFileWith,
  select,
  serverHooks,
  sleep,
  startEdit,
  startHeldEdit,
  waitFor,
  workspaceUri,
} from './helpers';

const ws = workspaceUri;
const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** User-side faults of the fault matrix (README), in the real host. */
describe('Fault matrix: the user side (real VS Code host)', function () {
  this.timeout(120_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks((x, s) => {
    a = x;
    server = s;
  });

  it('switching to another editor mid-stream: the edit keeps streaming into the hidden document and is pending when you come back', async () => {
    const original = lines(30, (i) => `line ${i};`).join('\n') + '\n';
    const ed = await openEditor(original, 'typescript');
    select(ed, 0, 29);
    const out = lines(30, (i) => (i % 5 === 0 ? `LINE ${i};` : `line ${i};`)).join('\n') + '\n';
    server.enqueue({ text: out, tokensPerSecond: 150 });
    const v = await startEdit(a, 'upper');
    await waitFor(() => ed.document.getText().includes('LINE 0'), 'streaming');
    await openEditor('other\n', 'plaintext'); // the first editor is now hidden
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync while hidden');
    await vscode.window.showTextDocument(ed.document);
    assert.equal(v.session.state, 'pending');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), out);
  });

  it('closing (reverting) the file mid-stream drops the edit, the file on disk is untouched, and the next edit works', async () => {
    const uri = ws('fault-close.ts');
    const content = 'export const a = 1;\nexport const b = 2;\n';
    const ed = await openFileWith(uri, content);
    select(ed, 0, 1);
    server.enqueue({ text: 'export const a = 10;\n'.repeat(200), tokensPerSecond: 100 });
    const v = await startEdit(a, 'slow');
    await waitFor(() => ed.document.getText().includes('a = 10'), 'streaming');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor(() => v.isEnded, 'the edit is dropped');
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), content);
    await waitFor(() => a.transport()?.state === 'warm', 'warm again');
    const ed2 = await openEditor('x\n', 'typescript');
    select(ed2, 0, 0);
    server.clearScript();
    server.enqueue({ text: 'y\n' });
    const v2 = await startEdit(a, 'next');
    await v2.session.whenSettled();
    assert.equal(v2.session.state, 'pending');
    await vscode.workspace.fs.delete(uri);
  });

  it('Undo while streaming never leaves a half-applied mix: it stops the edit and gives the original', async () => {
    const original = lines(20, (i) => `v${i} = ${i};`).join('\n') + '\n';
    const ed = await openEditor(original, 'typescript');
    select(ed, 0, 19);
    server.enqueue({ text: lines(20, (i) => `v${i} = ${i * 2};`).join('\n') + '\n', tokensPerSecond: 120 });
    const v = await startEdit(a, 'double');
    // 'v1 = 2;' is the model's (the original already has 'v2 = 2;': waiting for '= 2;' let Undo run before anything streamed).
    await waitFor(() => ed.document.getText().includes('v1 = 2;'), 'streaming');
    // Undo acts on the focused editor widget: focus it (after the earlier tests, focus may be elsewhere in the workbench).
    await vscode.window.showTextDocument(ed.document);
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    assert.equal(vscode.window.activeTextEditor?.document, ed.document);
    await vscode.commands.executeCommand('undo');
    // Undo while streaming stops the edit and returns to the original (issue 11); nothing half-applied stays.
    await waitFor(
      () => v.isEnded && ed.document.getText() === original,
      'undo while streaming gives the original',
    ).catch((e) => {
      // Flaky under load in helpers' full runs (timed out, state unknown): say what was there.
      const focus = vscode.window.activeTextEditor?.document.uri.toString();
      const text = JSON.stringify(ed.document.getText().split('\n').slice(0, 6));
      throw new Error(`${String(e)}; ended ${v.isEnded}, active editor ${focus}, first lines ${text}`);
    });
    await sleep(300);
    assert.equal(ed.document.getText(), original);
    assert.ok(!a.sessions().some((s) => s.document === ed.document), 'no preview left');
  });

  it('two edits in one file and one in another, all at once', async () => {
    const fileA = lines(40, (i) => `a${i}();`).join('\n') + '\n';
    const edB = await openEditor('b0();\nb1();\n', 'typescript');
    const edA = await openEditor(fileA, 'typescript');
    select(edA, 0, 9);
    server.enqueue({ text: lines(10, (i) => `A${i}();`).join('\n') + '\n', tokensPerSecond: 200 });
    const v1 = await startEdit(a, 'first');
    select(edA, 30, 39);
    server.enqueue({ text: lines(10, (i) => `Z${i + 30}();`).join('\n') + '\n', tokensPerSecond: 200 });
    const v2 = await startEdit(a, 'second');
    await vscode.window.showTextDocument(edB.document);
    const edB2 = vscode.window.activeTextEditor!;
    select(edB2, 0, 1);
    server.enqueue({ text: 'B0();\nb1();\n' });
    const v3 = await startEdit(a, 'third');
    await Promise.all([v1, v2, v3].map((v) => v.session.whenSettled()));
    await waitFor(() => [v1, v2, v3].every((v) => v.region.planFlush() === null), 'all in sync');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v1.session.id });
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v2.session.id });
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v3.session.id });
    await waitFor(() => [v1, v2, v3].every((v) => v.isEnded), 'all decided');
    assert.equal(
      edA.document.getText(),
      [...lines(10, (i) => `A${i}();`), ...lines(30, (i) => `a${i + 10}();`)].join('\n') + '\n',
    );
    assert.equal(edB.document.getText(), 'B0();\nb1();\n');
  });

  it('a 20,000-line file: an edit in the middle lands exactly, and reject restores it byte for byte', async () => {
    const big = lines(20_000, (i) => `const value${i} = compute(${i}); // ${'x'.repeat(i % 40)}`).join('\n') + '\n';
    const ed = await openEditor(big, 'typescript');
    select(ed, 10_000, 10_099);
    const out =
      lines(100, (i) =>
        i % 10 === 0 ? `let value${10_000 + i} = compute(${10_000 + i});` : ed.document.lineAt(10_000 + i).text,
      ).join('\n') + '\n';
    server.enqueue({ text: out });
    const v = await startEdit(a, 'let');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), big);
    server.enqueue({ text: out });
    select(ed, 10_000, 10_099);
    const v2 = await startEdit(a, 'let');
    await v2.session.whenSettled();
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v2.session.id });
    await waitFor(() => v2.isEnded, 'ended');
    const want = big.split('\n');
    want.splice(10_000, 100, ...out.trimEnd().split('\n'));
    assert.equal(ed.document.getText(), want.join('\n'));
  });

  it('typing inside the edit while it streams: the typed line keeps the text, the model changes land around it', async () => {
    const original = lines(48, (i) => `item${i}`).join('\n') + '\n';
    const ed = await openEditor(original, 'plaintext');
    select(ed, 0, 47);
    const out = lines(48, (i) => (i % 4 === 0 ? `ITEM${i}` : `item${i}`)).join('\n') + '\n';
    // Paused after item40 until released, so the typing is sure to land mid-stream whatever the host's timing.
    server.enqueue({ text: out, tokensPerSecond: 60, holdAfterChars: out.indexOf('item41') });
    const v = await startEdit(a, 'upper');
    // Type at the end of "item5" once the stream has passed it: a line inside the edit, unchanged by the model.
    // (Lines above the stream's frontier do not move as text streams in below them; typing on lines not reached
    // yet is covered by the property test, where no flush can race the test's own cursor placement.)
    await waitFor(() => ed.document.getText().includes('ITEM8'), 'the stream past item5');
    const row = ed.document.getText().split('\n').indexOf('item5');
    ed.selection = new vscode.Selection(row, 5, row, 5);
    await vscode.commands.executeCommand('type', { text: ' // mine' });
    assert.ok(v.session.isStreaming, 'typed while streaming');
    server.release();
    await v.session.whenSettled();
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(
      ed.document.getText(),
      out.replace('item5\n', 'item5 // mine\n'),
      `typed on row ${row}; the document:\n${ed.document.getText()}`,
    );
  });

  // Newcomer (issue 11): keys typed at the end of the line the stream is writing were gone after Accept All (the
  // stream wrote over the row). That row is the user's now, kept as typed, and the stream stops there (HA: it used to
  // go on in a row after it, writing under the user's cursor): the unfinished hunk is withdrawn, the old code stays.
  for (const at of ['order.items.len', '  } catch'])
    it(`typing into the line the stream is writing ("${at}…") keeps every key and stops the stream there`, async () => {
      const original = [
        'export function total(order: { items: { price: number; qty: number }[] }): number {',
        '  var sum = 0;',
        '  for (var i = 0; i < order.items.length; i++) {',
        '    sum += order.items[i].price * order.items[i].qty;',
        '  }',
        '  return sum;',
        '}',
        '',
      ].join('\n');
      const out =
        'export function total(order: { items: { price: number; qty: number }[] }): number {\n  try {\n    let sum = 0;\n' +
        '    for (let i = 0; i < order.items.length; i++) {\n      sum += order.items[i].price * order.items[i].qty;\n' +
        '    }\n    return sum;\n  } catch (err) {\n    console.error(err);\n    throw err;\n  }\n}\n';
      const ed = await openEditor(original, 'typescript');
      select(ed, 0, 6);
      const hold = out.indexOf(at) + at.length;
      const v = await startHeldEdit(a, server, { text: out, hold, instruction: 'add error handling' });
      // The line the stream is writing: the one with the text it was held at that is not an old row below.
      const lines0 = ed.document.getText().split('\n');
      const old = new Set(original.split('\n'));
      const row = lines0.findIndex((l) => l.includes(at.trim().slice(0, 8)) && !old.has(l));
      assert.ok(row >= 0, `the streaming line has "${at}":\n${ed.document.getText()}`);
      const col = ed.document.lineAt(row).text.length;
      ed.selection = new vscode.Selection(row, col, row, col);
      for (const ch of ' mine B') await vscode.commands.executeCommand('type', { text: ch });
      assert.ok(!v.session.isStreaming, 'the first key stopped the stream');
      server.release();
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'ended');
      const text = ed.document.getText();
      // The first key is where the model's text ends (issue 11, HA8): its unfinished line goes, the keys stay alone on
      // it (before: kept after the model's half line, `    for (let i = 0; i < order.items.lengt mine B`: never compiles).
      assert.ok(text.split('\n').includes(' mine B'), `every typed key is there, alone on its line:\n${text}`);
      // The hunk the stream was writing had no proven end: withdrawn, as on Esc; the rest is the old code.
      const others = text.split('\n').filter((l) => !l.includes(' mine B'));
      const o = original.split('\n'),
        m = out.split('\n');
      const split = o.some(
        (_, j) => others.join('\n') === [...m.slice(0, others.length - (o.length - j)), ...o.slice(j)].join('\n'),
      );
      assert.ok(split, `the model's lines down to where it stopped, the old code below:\n${text}`);
    });

  it('saving while a diff is pending writes the original, never the mixed preview; the diff is shown again, and accept + save writes the edit', async () => {
    const uri = ws('fault-save.ts');
    const content = 'export const s = 1;\n';
    const ed = await openFileWith(uri, content);
    select(ed, 0, 0);
    server.enqueue({ text: 'export const s = 2;\n' });
    const v = await startEdit(a, 'two');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    assert.ok(
      ed.document.getText().includes('s = 1') && ed.document.getText().includes('s = 2'),
      'the mixed preview is in the document',
    );
    await ed.document.save();
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString(), content, 'on disk: the original');
    const back = () => a.sessions().find((s) => s.document === ed.document && !s.isEnded);
    await waitFor(() => !!back(), 'the pending diff is shown again');
    await back()!.session.whenSettled();
    await waitFor(() => back()!.region.planFlush() === null, 'in sync again');
    await waitFor(
      () => ed.document.getText().includes('s = 1') && ed.document.getText().includes('s = 2'),
      'the preview is back',
    );
    assert.equal(back(), v, 'the same preview goes on (set aside for the save, then shown again)');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: back()!.session.id });
    await waitFor(() => a.sessions().every((s) => s.document !== ed.document || s.isEnded), 'accepted');
    await ed.document.save();
    const disk = async () => Buffer.from(await vscode.workspace.fs.readFile(uri)).toString();
    await waitFor(async () => (await disk()) === 'export const s = 2;\n', 'the edit on disk');
    await vscode.workspace.fs.delete(uri);
  });

  it('deleting a file with a pending diff (and a stream still running) rejects it first and stops the stream', async () => {
    const uri = ws('fault-delete.ts');
    const content = lines(40, (i) => `export const d${i} = ${i};`).join('\n') + '\n';
    const ed = await openFileWith(uri, content);
    select(ed, 0, 39);
    const out = content.replace(/= (\d+);/g, '= $1 * 2;');
    server.enqueue({ text: out, tokensPerSecond: 100, holdAfterChars: out.indexOf('d20') });
    const v = await startEdit(a, 'double');
    await waitFor(() => ed.document.getText().includes('d3 = 3 * 2'), 'streaming');
    const we = new vscode.WorkspaceEdit();
    we.deleteFile(uri);
    assert.ok(await vscode.workspace.applyEdit(we));
    await waitFor(() => v.isEnded, 'the pending edit was resolved');
    assert.equal(v.session.isStreaming, false, 'the stream was stopped');
    assert.equal(await fileExists(uri), false, 'the file is deleted');
    assert.ok(
      !a.sessions().some((s) => s.document.uri.toString() === uri.toString()),
      'no preview left for the deleted file',
    );
  });

  it('renaming a file with a pending diff rejects it first: the renamed file holds the original', async () => {
    const from = ws('fault-rename.ts');
    const to = ws('fault-renamed.ts');
    const content = 'export const r = 1;\n';
    const ed = await openFileWith(from, content);
    select(ed, 0, 0);
    server.enqueue({ text: 'export const r = 2;\n' });
    const v = await startEdit(a, 'two');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    const we = new vscode.WorkspaceEdit();
    we.renameFile(from, to);
    assert.ok(await vscode.workspace.applyEdit(we));
    await waitFor(() => v.isEnded, 'the pending edit was resolved');
    const doc = await vscode.workspace.openTextDocument(to);
    assert.equal(doc.getText(), content);
    await vscode.workspace.fs.delete(to);
  });
});
