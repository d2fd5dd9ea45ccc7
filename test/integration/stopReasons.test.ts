import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import { openEditor, ORIGINAL, REWRITE, select, serverHooks, startEdit, waitFor, workspaceUri } from './helpers';

/** The answer is cut off in the middle of its fourth line, long before `var sum`. */
const CUT = REWRITE.split('\n').slice(0, 3).join('\n').length + 1 + 8;

/** How the model ends its answer decides what an edit may change (README fault matrix), in the real host. */
describe('Stop reasons in a real VS Code host', function () {
  this.timeout(90_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks((x, s) => {
    a = x;
    server = s;
  });

  it('a truncated answer (max_output_tokens): Accept All leaves every line it never reached byte-for-byte, and Continue finishes it', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE, faults: { truncateAfterChars: CUT } });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    assert.equal(v.session.state, 'pending');
    // Accept All: the one change that arrived is applied; the unreached tail is exactly the original.
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL.replace('var lines', 'const lines'));
    assert.ok(
      a.logLines().some((l) => /stopped early: its answer reached the output limit \(max_output_tokens\)/.test(l)),
      'the user is told the model stopped early',
    );
    // Undo steps back one decision at a time (README "Undo"): the pending preview of what arrived, then the original.
    const accepted = ed.document.getText();
    await vscode.commands.executeCommand('undo');
    await waitFor(() => ed.document.getText() !== accepted, 'undo gives the pending preview back');
    assert.ok(
      ed.document.getText().includes('var sum = 0;'),
      'the unreached tail is still the original in the preview',
    );
    await vscode.commands.executeCommand('undo');
    await waitFor(() => ed.document.getText() === ORIGINAL, 'a second undo restores the original');

    // The same cut, then Continue: the model is asked for the rest and the whole rewrite is pending.
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE, faults: { truncateAfterChars: CUT } });
    const w = await startEdit(a, 'modernise');
    await w.session.whenSettled();
    assert.equal(w.session.canContinue, true);
    server.enqueue({ text: REWRITE.slice(w.session.text.length) });
    await vscode.commands.executeCommand('sparkEdit.continue', { sessionId: w.session.id });
    await w.session.whenSettled();
    assert.equal(w.session.state, 'pending');
    assert.equal(w.session.text, REWRITE);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: w.session.id });
    await waitFor(() => w.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL.replace('var lines', 'const lines').replace('var sum', 'let sum'));
  });

  it("a refusal shows the model's words and leaves the document untouched, with nothing pending", async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ refusal: "I can't help with that request." });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    assert.equal(v.session.state, 'failed');
    await waitFor(() => v.isEnded, 'the preview ends');
    assert.equal(ed.document.getText(), ORIGINAL);
    assert.equal(a.sessions().filter((s) => !s.isEnded).length, 0, 'no pending diff');
    const said = a
      .logLines()
      .filter((l) => l.includes("I can't help with that request. Nothing was changed: the model declined this edit."));
    assert.equal(said.length, 1, `the refusal text is logged once: ${JSON.stringify(said)}`);
  });

  it('an empty answer leaves the document untouched', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: '' });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    await waitFor(() => v.isEnded, 'the preview ends');
    assert.equal(ed.document.getText(), ORIGINAL);
    assert.ok(a.logLines().some((l) => l.includes('empty answer')));
  });
});

describe('Stop reasons in deep jobs (real VS Code host)', function () {
  this.timeout(90_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks(
    (x, s) => {
      a = x;
      server = s;
    },
    { revert: ['deep/a.ts', 'deep/b.ts'], cleanup: async (x) => x.deep().queue.cancelAll() },
  );

  it('a deep answer cut off by max_tokens places only its finished blocks: the unfinished last one never deletes code', async () => {
    const patch = [
      '*** Begin Patch',
      '*** Update File: deep/a.ts',
      '@@',
      ' export function alpha(x: number) {',
      '-  var doubled = x * 2;',
      '+  const doubled = x * 2;',
      '   return doubled;',
      '*** Update File: deep/b.ts',
      '@@',
      ' export function beta(y: number) {',
      '-  var result = alpha(y) + 1;',
      '+  const result = alpha(y) + 1;',
      '   return result;',
      '*** End Patch',
      '',
    ].join('\n');
    // Cut right after b.ts's removed line, before the line that replaces it.
    const cut = patch.indexOf('+  const result');
    server.enqueue({ text: patch, transport: 'anthropic', faults: { truncateAfterChars: cut } });
    // The fixture files as the patch expects them (an earlier suite may have left them changed on disk).
    const A_TS = 'export function alpha(x: number) {\n  var doubled = x * 2;\n  return doubled;\n}\n';
    const B_TS =
      "import { alpha } from './a';\n\nexport function beta(y: number) {\n  var result = alpha(y) + 1;\n  return result;\n}\n";
    await vscode.workspace.fs.writeFile(workspaceUri('deep/a.ts'), Buffer.from(A_TS));
    await vscode.workspace.fs.writeFile(workspaceUri('deep/b.ts'), Buffer.from(B_TS));
    await waitFor(
      async () =>
        (await vscode.workspace.openTextDocument(workspaceUri('deep/a.ts'))).getText() === A_TS &&
        (await vscode.workspace.openTextDocument(workspaceUri('deep/b.ts'))).getText() === B_TS,
      'the fixture files',
    );
    const bBefore = B_TS;
    const r = await vscode.commands.executeCommand<{ jobId: number }>('sparkEdit.deepEdit', {
      instruction: 'use const everywhere',
      files: [workspaceUri('deep/a.ts').toString(), workspaceUri('deep/b.ts').toString()],
    });
    const job = a.deep().queue.jobs.find((j) => j.id === r.jobId)!;
    await job.done;
    const docA = await vscode.workspace.openTextDocument(workspaceUri('deep/a.ts'));
    const docB = await vscode.workspace.openTextDocument(workspaceUri('deep/b.ts'));
    const va = a.sessions().find((v) => v.document === docA && !v.isEnded);
    assert.ok(va, 'the finished a.ts block is a pending diff');
    await waitFor(() => va.session.state === 'pending' && va.region.planFlush() === null, 'pending and in sync');
    assert.equal(a.sessions().filter((v) => v.document === docB && !v.isEnded).length, 0, 'no diff in b.ts');
    assert.equal(docB.getText(), bBefore);
    assert.ok(
      a
        .logLines()
        .some((l) =>
          /deep job \d+: The model stopped early: its answer reached the output limit \(max_tokens\)/.test(l),
        ),
    );
  });

  it('an output-limit stop inside the only construct leaves nothing to apply: the edit stays pending, nothing proposed, and Continue finishes it (issue 11)', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 11, 15); // `total()`: the region's only construct
    // "wrap it in try/catch": the answer opens `try {` first, so a cut inside it leaves no whole change.
    const answer = [
      'export function total(xs: number[]) {',
      '  try {',
      '    var sum = 0;',
      '    for (const x of xs) sum += x;',
      '    return sum;',
      '  } catch {',
      '    return 0;',
      '  }',
      '}',
      '',
    ].join('\n');
    const cut = answer.indexOf('    for'); // inside `try {`
    server.enqueue({ text: answer, faults: { truncateAfterChars: cut } });
    const v = await startEdit(a, 'wrap it in try/catch');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    assert.equal(v.session.state, 'pending', 'still open, so it can be continued');
    assert.ok(!v.isEnded, 'the preview stays');
    assert.equal(v.region.pendingHunks().length, 0, 'nothing proposed');
    assert.equal(ed.document.getText(), ORIGINAL, 'the code is unchanged');
    assert.equal(v.session.canContinue, true);
    assert.equal(a.contextKey('sparkEdit.canContinue'), true, 'Continue is offered (command, lens)');
    assert.ok(
      a
        .logLines()
        .some((l) => /output limit .*nothing is proposed yet, your code is unchanged\. Choose Continue/.test(l)),
      'the user is told why and what to do',
    );
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      ed.document.uri,
    );
    const titles = (lenses ?? []).map((l) => l.command?.title ?? '');
    assert.ok(
      titles.some((t) => /Continue/.test(t)),
      `a Continue lens: ${titles.join(' | ')}`,
    );
    server.enqueue({ text: answer.slice(v.session.text.length) });
    await vscode.commands.executeCommand('sparkEdit.continue', { sessionId: v.session.id });
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    assert.equal(v.session.state, 'pending');
    assert.equal(v.session.text, answer, 'the whole answer');
    assert.ok(v.region.pendingHunks().length > 0, 'the finished change is proposed');
    assert.equal(v.session.canContinue, false);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'accepted');
    assert.equal(ed.document.getText(), ORIGINAL.split('\n').slice(0, 11).join('\n') + '\n' + answer);
  });
});

describe('generate:false warm-up (real VS Code host)', function () {
  this.timeout(90_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks((x, s) => {
    a = x;
    server = s;
  });

  it('while the instruction is typed the code goes ahead (generate:false); the edit then sends only the instruction, chained to it', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    await waitFor(() => a.transport()?.state === 'warm', 'the warm socket');
    const n0 = server.requests.length;
    // The answer is computed from the code the server reads through the chain: it must have the warmed code.
    server.enqueue({
      text: ({ code, instruction }) =>
        (instruction === 'modernise' ? code.replace('var lines', 'const lines') : 'WRONG') + '\n',
    });
    const r = await vscode.commands.executeCommand<{ sessionId: number }>('sparkEdit.editSelection', {
      ask: async () => {
        await waitFor(
          () => server.requests.slice(n0).some((q) => q.body.generate === false),
          'the warm-up while the box is open',
        );
        return 'modernise';
      },
    });
    const v = a.session(r.sessionId)!;
    await v.session.whenSettled();
    const [warm, edit] = server.requests.slice(n0);
    assert.equal(warm.body.generate, false);
    assert.ok(JSON.stringify(warm.body.input).includes('var lines'), 'the warm-up carries the code');
    assert.ok(edit.body.previous_response_id, 'the edit chains to the warm-up');
    assert.ok(!JSON.stringify(edit.body.input).includes('var lines'), 'the code is not sent again');
    assert.equal(v.session.stats.resentFullInput, undefined);
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), ORIGINAL.replace('var lines', 'const lines'));
  });

  it('no warm-up for a file on the ignore list: nothing is sent while the box is open', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri('config/.env'));
    const ed = await vscode.window.showTextDocument(doc);
    select(ed, 0, 0);
    await waitFor(() => a.transport()?.state === 'warm', 'the warm socket');
    const n0 = server.requests.length;
    const r = await vscode.commands.executeCommand('sparkEdit.editSelection', {
      ask: async () => {
        await new Promise((res) => setTimeout(res, 300));
        return undefined;
      },
    });
    assert.equal(r, undefined);
    assert.equal(server.requests.length, n0, 'nothing sent');
  });
});
