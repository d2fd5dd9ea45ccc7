import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer, ScriptStep } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import type { SessionView } from '../../src/vscode/preview';
import { ACCEPT_LABEL } from '../../src/vscode/inlayControls';
import {
  ORIGINAL,
  REWRITE,
  openFileWith,
  revertFiles,
  select,
  serverHooks,
  startEdit,
  suiteFiles,
  waitFor,
} from './helpers';

/**
 * Issue 11 (brief HB, item 1): a redirect that ends without a new proposal never throws the pending one away. The
 * newcomer redirected a pending diff with an instruction the demo model declines: nothing was left to review. Every
 * way a redirect can end with nothing new (a refusal, an empty or unchanged answer, a failure, an output limit or Esc
 * before anything whole, Esc in the box) must bring the previous proposal back exactly: the same text byte for byte,
 * the same hunks, decorations, lenses, inlay controls and context key.
 */

/** The previous proposal as the user sees it: everything that must come back. */
interface Shown {
  text: string;
  hunks: string;
  state: string;
  decorations: string;
  acceptAll: number;
  hunkControls: number;
  hasPending: boolean | undefined;
}

async function shown(a: SparkEditApi, v: SessionView): Promise<Shown> {
  const doc = v.document;
  const lenses =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
  const hints =
    (await vscode.commands.executeCommand<vscode.InlayHint[]>(
      'vscode.executeInlayHintProvider',
      doc.uri,
      new vscode.Range(0, 0, doc.lineCount, 0),
    )) ?? [];
  const labels = hints.flatMap((h) => (typeof h.label === 'string' ? [h.label] : h.label.map((p) => p.value)));
  const d = a.decorationsSent(doc);
  const r = (xs: readonly vscode.Range[] | undefined) =>
    (xs ?? []).map((x) => `${x.start.line}:${x.start.character}-${x.end.line}:${x.end.character}`).join(',');
  return {
    text: doc.getText(),
    hunks: v.region
      .pendingHunks()
      .map((h) => `${h.id}:${h.state}`)
      .join(' '),
    state: v.session.state,
    decorations: d
      ? `+${r(d.added)} -${r(d.removed)} ~${r(d.partial)} w+${r(d.addedChars)} w-${r(d.removedChars)} h${r(d.hidden)}`
      : 'none',
    acceptAll: lenses.filter((l) => l.command?.command === 'sparkEdit.acceptAll').length,
    hunkControls: labels.filter((l) => l === ACCEPT_LABEL).length,
    hasPending: a.contextKey('sparkEdit.hasPending'),
  };
}

describe('Issue 11 (HB): a redirect that proposes nothing new gives the pending proposal back', function () {
  this.timeout(120_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  const { fileFor, used } = suiteFiles('redirkeep');
  serverHooks(
    (x, s) => {
      a = x;
      server = s;
    },
    { cleanup: async () => revertFiles(used) },
  );

  before(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', undefined, vscode.ConfigurationTarget.Global);
  });

  /** ORIGINAL's lines 2..15 rewritten (two hunks), pending and settled: what the redirect must not lose. */
  async function pending(name: string) {
    const ed = await openFileWith(fileFor(name), ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE, tokensPerSecond: 400 });
    const v = await startEdit(a, 'use const');
    await v.session.whenSettled();
    await waitFor(() => v.session.state === 'pending' && v.region.planFlush() === null, 'pending, in sync');
    let before!: Shown;
    await waitFor(async () => {
      before = await shown(a, v);
      const d = a.decorationsSent(v.document);
      // Settled: the lenses, both hunks' controls and both hunks' word highlights drawn.
      return (
        before.acceptAll === 1 &&
        before.hunkControls === 2 &&
        before.hasPending === true &&
        d?.addedChars.length === 2 &&
        d.removedChars.length === 2
      );
    }, 'the pending UI settled');
    assert.equal(v.region.pendingHunks().length, 2, 'two pending hunks');
    return { ed, v, before };
  }

  /** After the redirect ended: exactly the proposal before it, then Reject All gives the original byte for byte. */
  async function expectBack(v: SessionView, before: Shown, what: string) {
    await waitFor(() => !v.session.isStreaming, `${what}: the redirect ended`);
    assert.ok(!v.isEnded, `${what}: the edit is still open (${v.session.state}), not thrown away`);
    await waitFor(() => v.region.planFlush() === null, `${what}: in sync`);
    let after!: Shown;
    try {
      await waitFor(
        async () => {
          after = await shown(a, v);
          return JSON.stringify(after) === JSON.stringify(before);
        },
        `${what}: the previous proposal back`,
        8000,
      );
    } catch {
      const dbg = {
        runs: v.region.decorationRuns(),
        rows: v.region.renderedRows().map((r) => `${r.kind}${r.prefixed ? 'P' : ''}`),
        live: v.region.rows.map((r, i) => `${r.kind}${r === v.region.renderedRows()[i] ? '' : '!'}`),
        lines: v.region.renderedLines().slice(0, 4),
        sent: a.decorationsSent(v.document)?.version,
        doc: v.document.version,
      };
      assert.deepEqual(after, before, `${what}: the previous proposal comes back exactly ${JSON.stringify(dbg)}`);
    }
    assert.ok(
      a.logLines().some((l) => l.includes('The previous proposal is shown again')),
      `${what}: the user is told`,
    );
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, `${what}: rejected`);
    assert.equal(v.document.getText(), ORIGINAL, `${what}: Reject All gives the original byte for byte`);
  }

  const ENDINGS: Array<[string, ScriptStep]> = [
    ['the model declines (refusal)', { refusal: "I can't do that." }],
    ['an empty answer', { text: '' }],
    ['the code unchanged', { text: ORIGINAL.split('\n').slice(2, 16).join('\n') + '\n' }],
    ['a failure before any text (response.failed)', { text: REWRITE, faults: { failAfterChars: 0 } }],
    ['an output limit before anything whole', { text: REWRITE, faults: { truncateAfterChars: 30 } }],
    [
      'a failure inside the first function (nothing whole)',
      { text: REWRITE.replace('var i', 'let i'), faults: { failAfterChars: 60 } },
    ],
  ];
  for (const [how, step] of ENDINGS)
    it(`pending, redirected, and the redirect ends with ${how}: the same proposal, byte for byte`, async () => {
      const { v, before } = await pending('end');
      server.enqueue({ ...step, tokensPerSecond: 400 });
      await vscode.commands.executeCommand('sparkEdit.redirect', { sessionId: v.session.id, instruction: 'and more' });
      await expectBack(v, before, how);
    });

  it('pending, redirected with an instruction the demo model declines (the newcomer): the same proposal', async () => {
    const { v, before } = await pending('demo');
    // Nothing scripted: the demo model answers, and it cannot sing.
    await vscode.commands.executeCommand('sparkEdit.redirect', {
      sessionId: v.session.id,
      instruction: 'make it sing opera',
    });
    await expectBack(v, before, 'the demo declines');
    const asked = server.requests[server.requests.length - 1];
    assert.ok(JSON.stringify(asked.body.input).includes('make it sing opera'), 'the redirect was sent');
  });

  it('pending, redirected, Esc right after Enter (nothing arrived yet): the same proposal', async () => {
    const { v, before } = await pending('esc');
    const held = server.held;
    server.enqueue({ text: REWRITE, tokensPerSecond: 400, holdAfterChars: 1 });
    await vscode.commands.executeCommand('sparkEdit.redirect', { sessionId: v.session.id, instruction: 'and more' });
    await waitFor(() => server.held > held, 'the redirect answers, held at its first token');
    await vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
    server.release();
    await expectBack(v, before, 'Esc right after Enter');
  });

  it('pending, Redirect…, Esc in the box: nothing changes', async () => {
    const { ed, v, before } = await pending('box');
    await vscode.window.showTextDocument(ed.document);
    const asked = vscode.commands.executeCommand('sparkEdit.redirect', { sessionId: v.session.id });
    await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.scheme === 'comment',
      'the redirect box has the keyboard',
    );
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.cancel');
    await asked;
    assert.deepEqual(await shown(a, v), before, 'the proposal as it was');
  });

  it('redirected mid-stream, and the redirect is declined: what Esc would keep is pending, reviewable', async () => {
    const ed = await openFileWith(fileFor('mid'), ORIGINAL);
    select(ed, 2, 15);
    const held = server.held;
    // Held once the first function's change is complete and the stream is inside the second one.
    server.enqueue({ text: REWRITE, tokensPerSecond: 400, holdAfterChars: REWRITE.indexOf('let sum') });
    const v = await startEdit(a, 'use const');
    await waitFor(() => server.held > held && v.region.planFlush() === null, 'held mid-stream, shown');
    assert.ok(v.region.pendingHunks().length >= 1, 'a complete hunk before the redirect');
    server.enqueue({ refusal: "I can't do that." });
    server.release();
    await vscode.commands.executeCommand('sparkEdit.redirect', { sessionId: v.session.id, instruction: 'and more' });
    await waitFor(() => !v.session.isStreaming && v.region.planFlush() === null, 'the redirect ended, in sync');
    assert.equal(v.session.state, 'pending', 'pending, not thrown away');
    assert.equal(v.region.pendingHunks().length, 1, 'the complete hunk is back');
    assert.ok(ed.document.getText().includes('const lines'), 'its added line is shown');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'accepted');
    assert.equal(ed.document.getText(), ORIGINAL.replace('var lines', 'const lines'), 'accepted: only that hunk');
  });

  it('pending, redirected, the user types in the edit while it is asked, then it fails: the typing stays', async () => {
    const { ed, v } = await pending('typed');
    const held = server.held;
    // Its first token ("export", the first line's own start: nothing shown), held; then it fails.
    server.enqueue({ text: REWRITE, tokensPerSecond: 400, holdAfterChars: 1, faults: { failAfterChars: 8 } });
    await vscode.commands.executeCommand('sparkEdit.redirect', { sessionId: v.session.id, instruction: 'and more' });
    await waitFor(() => server.held > held && v.region.planFlush() === null, 'the redirect asked');
    // Typed at the end of the edit's first line (`export function parse(text: string) {`, the original's again while
    // the redirect is asked): inside the edit.
    const line = v.region.startLine;
    const end = ed.document.lineAt(line).text.length;
    await ed.edit((e) => e.insert(new vscode.Position(line, end), ' // mine'));
    server.release();
    await waitFor(() => !v.session.isStreaming, 'the redirect ended');
    await waitFor(() => v.isEnded, 'nothing to bring back over the typing: the edit ends');
    const lines = ORIGINAL.split('\n');
    lines[2] += ' // mine';
    assert.equal(ed.document.getText(), lines.join('\n'), 'the original plus the typing, byte for byte');
    assert.ok(
      a.logLines().some((l) => l.includes('the code was edited meanwhile: not restored')),
      'said why the proposal did not come back',
    );
  });
});
