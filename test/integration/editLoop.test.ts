import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import { openEditor, ORIGINAL, REWRITE, screenshot, select, serverHooks, sleep, startEdit, waitFor } from './helpers';
import { parseTimeline } from '../../src/core/util/timeline';

const lines = (s: string) => s.split('\n');

describe('Spark Edit core loop in a real VS Code host', function () {
  this.timeout(90_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks((x, s) => {
    a = x;
    server = s;
  });

  it('reports VS Code 1.139 and has the socket open before the first request', async () => {
    assert.match(vscode.version, /^1\.\d+/);
    const t = a.transport()!;
    await waitFor(() => t.state === 'warm', 'warm socket');
    const connectionsBefore = server.connections;
    assert.ok(connectionsBefore >= 1, 'a connection was opened at activation');
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    assert.equal(v.session.stats.warm, true, 'the request went out on an already-open socket');
    assert.equal(server.connections, connectionsBefore, 'no new connection for the request');
    assert.ok((v.session.stats.sendLatencyMs ?? 1e9) < 1000);
  });

  it("logs each edit's timeline, from the command to the Accept lens, in order (what the bench's browser stage reads)", async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    // The workbench asks for lenses after its own debounce; asking now runs the same provider.
    await vscode.commands.executeCommand('vscode.executeCodeLensProvider', ed.document.uri);
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'the edit ends');
    const t = a
      .logLines()
      .map(parseTimeline)
      .find((x) => x?.id === v.session.id);
    assert.ok(t, `no timeline line for edit ${v.session.id} in the log`);
    const m = t.marks;
    const line = a.logLines().find((l) => l.startsWith(`edit ${v.session.id} timeline`));
    const chain = [
      ['command', t.command],
      ['request sent', m.sent],
      ['first token', m.firstToken],
      ['first edit sent', m.firstEditSent],
      ['first edit applied', m.firstEditApplied],
    ] as const;
    for (const [name, at] of chain) assert.ok(at !== undefined && Number.isFinite(at), `${name} is missing`);
    for (let i = 1; i < chain.length; i++)
      assert.ok(chain[i][1]! >= chain[i - 1][1]!, `${chain[i][0]} comes before ${chain[i - 1][0]}`);
    // Epoch ms, comparable with the browser's clock (performance.timeOrigin + performance.now()).
    assert.ok(Math.abs(t.command - Date.now()) < 60_000, `command at ${t.command} is not an epoch time`);
    assert.ok(m.firstHunkReady! >= m.firstToken!, 'the first hunk is ready after the first token');
    assert.ok(m.acceptLensProvided! >= m.firstHunkReady!, 'the Accept lens is provided once a hunk is ready');
    // The last edit before the lens (none if the lens came first): the reject's own edit, later, does not count.
    assert.ok(
      m.lastEditApplied === undefined || m.lastEditApplied <= m.acceptLensProvided!,
      `the last edit reported is the one before the lens: ${line}`,
    );
  });

  it('streams the edit into the document with decorated added and removed lines, then accept one hunk and reject the other', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    // The model pauses after four lines until released: what the editor shows mid-stream is checked without
    // racing the clock (a busy host once let the whole 0.6 s stream finish before the first check).
    const fourLines = REWRITE.split('\n').slice(0, 4).join('\n').length + 1;
    server.enqueue({ text: REWRITE, tokensPerSecond: 150, holdAfterChars: fourLines });
    const v = await startEdit(a, 'use const/let');
    // While streaming: the first hunk is visible in the document before the stream ends.
    await waitFor(() => ed.document.getText().includes('const lines'), 'first added line in the document');
    assert.equal(v.session.isStreaming, true, 'still streaming when the first change shows');
    assert.ok(
      v.region.decorationRuns().some((r) => r.kind === 'add' || r.kind === 'part'),
      'added lines are decorated as they arrive',
    );
    // The removed line is decided when the next unchanged line arrives: still during the stream.
    await waitFor(() => v.region.decorationRuns().some((r) => r.kind === 'del'), 'removed lines decorated');
    assert.equal(v.session.isStreaming, true, 'removed lines show while still streaming');
    assert.ok(ed.document.getText().includes('  var lines = text.split'), 'the removed line is still shown in place');
    assert.ok(!ed.document.getText().includes('let sum'), 'the second hunk has not arrived yet');
    server.release();
    await v.session.whenSettled();
    await waitFor(() => !v.region.isDirty && v.region.planFlush() === null, 'document in sync');
    const hunks = v.region.pendingHunks();
    assert.equal(hunks.length, 2);
    await vscode.commands.executeCommand('sparkEdit.acceptHunk', { sessionId: v.session.id, hunkId: hunks[0].id });
    await vscode.commands.executeCommand('sparkEdit.rejectHunk', { sessionId: v.session.id, hunkId: hunks[1].id });
    await waitFor(() => v.isEnded, 'session ends once every hunk is decided');
    const expected = ORIGINAL.replace('  var lines = text.split', '  const lines = text.split');
    assert.equal(ed.document.getText(), expected);
  });

  it('Esc while streaming keeps the whole lines that arrived as a pending diff, never the unfinished line, and marks where it stopped', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    const long = REWRITE.replace('  return out;', '  // a comment the model was writing\n  return out;');
    // Held in the middle of a line: Esc is sure to come mid-stream, with half a line on screen (the held stream
    // ends when the socket is closed).
    const hold = long.indexOf('  // a comment') + '  // a com'.length;
    server.enqueue({ text: long, tokensPerSecond: 40, holdAfterChars: hold });
    const v = await startEdit(a, 'slow one');
    await waitFor(() => ed.document.getText().includes('  // a com'), 'the half line on screen');
    await vscode.commands.executeCommand('sparkEdit.interrupt');
    assert.equal(v.session.state, 'pending');
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    const held = ed.document.getText();
    assert.ok(held.includes('const lines'), 'the whole lines that arrived are kept');
    assert.ok(!held.includes('  // a com'), `the unfinished line is not proposed: ${held}`);
    assert.ok(!held.includes('let sum'), 'nothing after the interrupt arrives');
    assert.equal(v.region.pendingHunks().length, 1);
    assert.equal(v.region.textIf('reject').join('\n'), lines(ORIGINAL).slice(2, 16).join('\n'));
    // The stop point is marked at the end of the last line the stream wrote, above the first line it did not reach.
    const mark = v.stopMark();
    assert.ok(mark, 'the stop point is marked');
    assert.equal(mark.text, '⋯ stopped (Esc)');
    assert.equal(ed.document.lineAt(mark.line).text, '  }');
    assert.equal(ed.document.lineAt(mark.line + 1).text, '  return out;');
    await screenshot('esc-stop-mark');
    await vscode.commands.executeCommand('sparkEdit.rejectAll');
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(v.stopMark(), undefined, 'the mark goes with the decision');
    assert.equal(ed.document.getText(), ORIGINAL);
  });

  it('Esc in the middle of an unclosed doc comment leaves the file as it was (the half line is never proposed)', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    const answer = REWRITE.replace(
      'export function parse',
      '/** Parses text into trimmed lines. */\nexport function parse',
    );
    server.enqueue({ text: answer, tokensPerSecond: 40, holdAfterChars: '/** Parses te'.length });
    const v = await startEdit(a, 'add doc comments');
    await waitFor(() => ed.document.getText().includes('/** Parses te'), 'the unclosed comment on screen');
    await vscode.commands.executeCommand('sparkEdit.interrupt');
    await waitFor(() => v.isEnded, 'nothing to decide: the edit ends');
    await waitFor(() => ed.document.getText() === ORIGINAL, 'the original, untouched');
  });

  it('redirect cancels the running response and produces the redirected result', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 11, 15);
    server.enqueue(
      {
        text: 'export function total(xs: number[]) {\n  // FIRST DIRECTION\n' + '  // filler\n'.repeat(60) + '}\n',
        tokensPerSecond: 60,
      },
      { text: 'export function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n' },
    );
    const v = await startEdit(a, 'add comments');
    await waitFor(() => ed.document.getText().includes('FIRST DIRECTION'), 'first direction streaming');
    await vscode.commands.executeCommand('sparkEdit.redirect', {
      sessionId: v.session.id,
      instruction: 'use reduce instead',
    });
    await waitFor(() => v.session.state === 'pending', 'redirected edit pending');
    await waitFor(() => v.region.planFlush() === null, 'document in sync');
    assert.ok(!ed.document.getText().includes('FIRST DIRECTION'), 'first direction is gone');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    const want =
      lines(ORIGINAL).slice(0, 11).join('\n') +
      '\nexport function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n';
    assert.equal(ed.document.getText(), want);
    const last = server.requests[server.requests.length - 1].body;
    const texts = JSON.stringify(last.input);
    assert.ok(texts.includes('use reduce instead'), 'the new direction was sent');
  });

  it('keys typed right after Ctrl+Shift+I (redirect: no lock, the stream writes) never reach the code; they go to the box', async () => {
    // Newcomer, round 5: typing at once after Ctrl+Shift+I put "add d" into the code (auto-save wrote it) and the box
    // got "oc comments". The keys are typed the moment the redirect command starts, before its box exists.
    const ed = await openEditor(ORIGINAL);
    select(ed, 11, 15);
    const redirected = 'export function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n';
    server.enqueue(
      {
        text: 'export function total(xs: number[]) {\n  // FIRST DIRECTION\n' + '  // filler\n'.repeat(60) + '}\n',
        tokensPerSecond: 60,
      },
      { text: redirected },
    );
    const v = await startEdit(a, 'add comments');
    await waitFor(() => ed.document.getText().includes('FIRST DIRECTION'), 'first direction streaming');
    const asked = vscode.commands.executeCommand('sparkEdit.redirect', { sessionId: v.session.id });
    const typed = 'use reduce';
    for (const ch of typed) await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.scheme === 'comment',
      'the box has the keyboard',
      20_000,
    );
    const box = vscode.window.activeTextEditor!.document;
    await waitFor(() => box.getText() === typed, `the typed keys in the box (it has "${box.getText()}")`);
    assert.ok(!ed.document.getText().includes(typed), 'nothing typed reached the code');
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.enter');
    await asked;
    await waitFor(() => v.session.state === 'pending' && v.region.planFlush() === null, 'redirected edit pending');
    assert.ok(JSON.stringify(server.requests[server.requests.length - 1].body.input).includes(typed), 'sent');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(ed.document.getText(), lines(ORIGINAL).slice(0, 11).join('\n') + '\n' + redirected);
  });

  it('Esc right after Enter in the box, before the edit started: the edit is not started, or stopped at once', async () => {
    // Session 12 (a person): Esc ~50 ms after Enter was ignored, the whole diff arrived. Between the box sending its
    // instruction and the edit starting, Esc went to the code, where no keybinding had a use for it.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    const requests = server.requests.length;
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection'); // the demo model answers
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    // The box's submit (what its Enter runs once the keys before it are in), then Esc at once: the edit has not
    // started (the keys go to the code from here; Esc before the submit cancels the box: tests of session 12).
    const from = a.logLines().length;
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.submit', { body: 'use const' });
    await vscode.commands.executeCommand('sparkEdit.interrupt'); // Esc (the keybinding: no arguments)
    await asked;
    await sleep(500);
    const said = a.logLines().slice(from).join('\n');
    const live = a.sessions().filter((v) => !v.isEnded && v.document === ed.document);
    assert.ok(
      live.every((v) => !v.session.isStreaming && v.region.pendingHunks().length === 0),
      `nothing streams or is proposed after the Esc:\n${said}`,
    );
    assert.equal(ed.document.getText(), ORIGINAL);
    const notStarted = said.includes('Esc right after the instruction was sent');
    assert.ok(notStarted || said.includes('stopped (Esc)'), said);
    const asking = server.requests.slice(requests).filter((r) => JSON.stringify(r.body).includes('use const'));
    if (notStarted) assert.equal(asking.length, 0, 'the instruction was not sent to the model (the warm-up may be)');
  });

  it('Esc in the box while it closes, once its edit streams: the edit stops', async () => {
    // Browser, this session: Esc 150 ms after Enter went to the box (still drawn while it closed), which had nothing
    // left to cancel, and the edit wrote on.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    const held = server.held;
    server.enqueue({ text: REWRITE.split('\n').slice(2, 10).join('\n') + '\n', holdAfterChars: 60 });
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.submit', { body: 'use const' });
    await asked;
    const v = a.sessions().find((x) => !x.isEnded && x.document === ed.document)!;
    await waitFor(() => server.held > held && v.session.isStreaming, 'the edit streams, held');
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.cancel'); // Esc in the box (its keybinding)
    await waitFor(() => !v.session.isStreaming, 'the edit stopped', 5_000);
    server.release();
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'rejected');
    assert.equal(ed.document.getText(), ORIGINAL);
  });

  it('characters typed right after the box sent its instruction reach the code, in order, none lost', async () => {
    // Session 12 (a person, 5 of 5): typing within ~100 ms after Enter, the first keys went into the box while it
    // closed (lost with it), the rest into the code without them.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection'); // the demo model answers
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.submit', { body: 'use const' });
    // At once: the box still has the keyboard.
    for (const ch of 'QZX') await vscode.commands.executeCommand('type', { text: ch });
    await asked;
    await waitFor(() => ed.document.getText().includes('QZX'), 'the keys in the code', 5_000).catch(() => undefined);
    for (const v of a.sessions().filter((x) => !x.isEnded && x.document === ed.document)) {
      await v.session.whenSettled();
      await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'rejected');
    }
    const want = lines(ORIGINAL);
    want[2] = 'QZX' + want[2]; // at the cursor: the start of the selection, where the submitted box left it
    assert.equal(ed.document.getText(), want.join('\n'), a.logLines().slice(-12).join('\n'));
  });

  it('characters typed right after Enter into another editor clicked meanwhile go there, none dropped, none into the code', async () => {
    // Session 16 (a newcomer, 12 of 12 clicks on another tab at 30–300 ms after Enter): the keys typed there were held
    // for the code (the box's carry) and dropped 3 s later, without a word.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection'); // the demo model answers
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    const other = await vscode.workspace.openTextDocument({ content: 'other\n', language: 'plaintext' });
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.submit', { body: 'use const' });
    // The keyboard is back in the code (the keys typed from now on are carried to it until typing pauses), then the
    // click on the other tab.
    await waitFor(() => vscode.window.activeTextEditor?.document === ed.document, 'the code has the keyboard', 5_000);
    await vscode.window.showTextDocument(other, { viewColumn: ed.viewColumn, preserveFocus: false });
    for (const ch of 'abc') await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(
      () => other.getText().startsWith('abc'),
      `the keys in the other editor (it has "${other.getText()}")`,
      5_000,
    );
    await asked;
    for (const v of a.sessions().filter((x) => !x.isEnded && x.document === ed.document)) {
      await v.session.whenSettled();
      await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'rejected');
    }
    assert.equal(other.getText(), 'abcother\n');
    assert.equal(ed.document.getText(), ORIGINAL, a.logLines().slice(-12).join('\n'));
  });

  it('Esc right after Enter once the whole answer is in: it says there was nothing to stop, the diff stays pending', async () => {
    // Session 15 (a newcomer, 5 of 5 at 83–120 ms after Enter): the demo's answer was whole before the Esc, which
    // did nothing, without a word.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    server.enqueue({ text: REWRITE.split('\n').slice(2, 10).join('\n') + '\n' });
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.submit', { body: 'use const' });
    await asked;
    const v = a.sessions().find((x) => !x.isEnded && x.document === ed.document)!;
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null && v.region.pendingHunks().length > 0, 'the whole diff pending');
    const from = a.logLines().length;
    await vscode.commands.executeCommand('sparkEdit.interrupt'); // Esc (the keybinding: no arguments)
    await waitFor(
      () =>
        a
          .logLines()
          .slice(from)
          .some((l) => l.includes('the answer was already complete')),
      'Esc says there was nothing to stop',
      5_000,
    );
    assert.ok(!v.isEnded && v.region.pendingHunks().length > 0, 'the diff stays pending');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'rejected');
    assert.equal(ed.document.getText(), ORIGINAL);
  });

  it("the box's Enter sends the text it holds; the keyboard goes back to the code at the first edit, the box once the first hunk shows, and keys typed meanwhile reach the code", async () => {
    // Sessions 15–18 (issue 17): the box's text is read at its Enter (VS Code's submit was one more round trip), the
    // keyboard goes back to the code right behind the first edit (at most 30 ms after the text is read: here the
    // first edit comes at once), and the box stays drawn, characters typed meanwhile carried to the code,
    // until the first hunk's controls have landed or 150 ms have passed: here the stream holds before any hunk is
    // whole, so it goes by the time limit, never later.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    const held = server.held;
    const requests = server.requests.length;
    server.enqueue({ text: REWRITE.split('\n').slice(2, 10).join('\n') + '\n', holdAfterChars: 4 });
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    const box = vscode.window.activeTextEditor!.document;
    for (const ch of 'use const box15') await vscode.commands.executeCommand('type', { text: ch });
    await waitFor(() => box.getText() === 'use const box15', `the keys in the box (it has "${box.getText()}")`);
    const t0 = Date.now();
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.enter');
    for (const ch of 'QZX') await vscode.commands.executeCommand('type', { text: ch }); // the box still has the keyboard
    await asked;
    await waitFor(() => server.held > held, 'the stream held before its first hunk is whole');
    await waitFor(() => vscode.window.activeTextEditor?.document === ed.document, 'the code has the keyboard', 5_000);
    const back = Date.now() - t0;
    const sent = server.requests.slice(requests).some((r) => JSON.stringify(r.body).includes('use const box15'));
    assert.ok(sent, 'the instruction the box held was sent');
    await waitFor(() => ed.document.getText().includes('QZX'), 'the keys typed after Enter in the code', 5_000);
    server.release();
    for (const v of a.sessions().filter((x) => !x.isEnded && x.document === ed.document)) {
      await v.session.whenSettled();
      await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'rejected');
    }
    const want = lines(ORIGINAL);
    want[2] = 'QZX' + want[2];
    assert.equal(ed.document.getText(), want.join('\n'), a.logLines().slice(-12).join('\n'));
    console.log(`    the code had the keyboard again ${back} ms after Enter`);
  });

  it('Enter in an empty box, then typing and Esc: the keys go into the box, Esc cancels it, nothing starts', async () => {
    // From the box's Enter on, keys are carried to the code and Esc is for the edit (this session): when that Enter
    // sends nothing, both are the box's again.
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
    const box = vscode.window.activeTextEditor!.document;
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.enter'); // nothing typed
    const open = vscode.window.activeTextEditor?.document === box;
    if (open) {
      for (const ch of 'abc') await vscode.commands.executeCommand('type', { text: ch });
      await waitFor(() => box.getText() === 'abc', `the keys in the box (it has "${box.getText()}")`);
      await vscode.commands.executeCommand('sparkEdit.inlinePrompt.cancel'); // Esc in the box
    }
    await asked;
    assert.equal(ed.document.getText(), ORIGINAL, 'nothing reached the code');
    assert.ok(!a.sessions().some((v) => !v.isEnded && v.document === ed.document), 'no edit started');
    console.log(`    the empty box ${open ? 'stayed open after Enter' : 'closed at Enter'}`);
  });

  it('the box at the code remembers: ↑ / ↓ go through the recent instructions, completions offer them and the refactors', async () => {
    // Issue 15 ("keeps a history of recent instructions (↑/↓) and offers the refactors as completions"); round-8
    // newcomer: ↑ / ↓ in the box did nothing, typing "re" offered nothing.
    const ed = await openEditor(ORIGINAL);
    const box = async () => {
      select(ed, 2, 9);
      const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
      return { asked, doc: vscode.window.activeTextEditor!.document };
    };
    for (const instruction of ['recall one xyz', 'recall two xyz']) {
      server.enqueue({ text: REWRITE.split('\n').slice(2, 10).join('\n') + '\n' });
      const { asked } = await box();
      for (const ch of instruction) await vscode.commands.executeCommand('type', { text: ch });
      await vscode.commands.executeCommand('sparkEdit.inlinePrompt.enter');
      await asked;
      const v = a.sessions().find((x) => !x.isEnded)!;
      await v.session.whenSettled();
      await v.rejectAll();
    }
    const { asked, doc } = await box();
    const steps: string[] = [];
    const press = async (cmd: 'older' | 'newer') => {
      const before = doc.version;
      await vscode.commands.executeCommand(`sparkEdit.inlinePrompt.${cmd}`);
      if (doc.version !== before || steps.length) steps.push(doc.getText());
    };
    // (Instructions of earlier tests are older still: only the last two are known here.)
    await press('older');
    await press('older');
    await press('newer');
    await press('newer'); // back to what was typed (nothing)
    await press('newer'); // nothing newer: stays
    assert.deepEqual(steps, ['recall two xyz', 'recall one xyz', 'recall two xyz', '', '']);
    // What the user typed is kept as the draft: ↑ then ↓ gives it back.
    await vscode.commands.executeCommand('type', { text: 'my draft' });
    await waitFor(() => doc.getText() === 'my draft', 'the typed draft in the box'); // typing goes through EarlyKeys
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.older');
    assert.equal(doc.getText(), 'recall two xyz');
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.newer');
    assert.equal(doc.getText(), 'my draft');
    // Completions in the box: the recent instructions, then the refactors.
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      new vscode.Position(0, 0),
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const want of ['recall two xyz', 'recall one xyz', 'Simplify'])
      assert.ok(labels.includes(want), `${want} in ${JSON.stringify(labels)}`);
    await vscode.commands.executeCommand('sparkEdit.inlinePrompt.cancel');
    await asked;
    assert.equal(ed.document.getText(), ORIGINAL, 'nothing reached the code');
  });

  it("the box's completions: only the refactors that apply to its lines, and none of VS Code's Markdown snippets", async () => {
    // Session 9 newcomers: Ctrl+Space in the box offered "Convert to async/await" on code with nothing asynchronous
    // in it, and VS Code's Markdown snippets (bold, code block, heading…): the box's input is a Markdown document.
    const PROMISES = [
      'export function save(url: string) {',
      '  return fetch(url).then((res) => res.ok);',
      '}',
      '',
    ].join('\n');
    const labelsFor = async (content: string, from: number, to: number) => {
      const ed = await openEditor(content);
      select(ed, from, to);
      const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
      const doc = vscode.window.activeTextEditor!.document;
      await waitFor(() => doc.languageId !== 'markdown', `the box's language (${doc.languageId})`, 5_000).catch(
        () => undefined, // asserted below, with the labels
      );
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(0, 0),
      );
      const language = doc.languageId;
      await vscode.commands.executeCommand('sparkEdit.inlinePrompt.cancel');
      await asked;
      return { language, labels: list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)) };
    };
    const sync = await labelsFor(ORIGINAL, 2, 9);
    assert.ok(sync.labels.includes('Simplify'), JSON.stringify(sync.labels));
    assert.ok(
      !sync.labels.includes('Convert to async/await'),
      `offered on synchronous code: ${JSON.stringify(sync.labels)}`,
    );
    // (VS Code's Markdown snippets, as the box offered them: bold, code, fenced codeblock, heading1…, italic, link…)
    const snippets = sync.labels.filter((l) =>
      /^(bold|italic|code|fenced|heading\d|link|image|quote|ordered list)/.test(l),
    );
    assert.deepEqual(snippets, [], `Markdown snippets in the box (its language: ${sync.language})`);
    const chain = await labelsFor(PROMISES, 0, 2);
    assert.ok(
      chain.labels.includes('Convert to async/await'),
      `not offered on a promise chain: ${JSON.stringify(chain.labels)}`,
    );
  });

  it('reject-all restores the original byte-for-byte after the user typed elsewhere during streaming', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 9);
    server.enqueue({
      text: REWRITE.split('\n').slice(0, 8).join('\n').replace('var out', 'const out') + '\n',
      tokensPerSecond: 60,
    });
    const v = await startEdit(a, 'const');
    await waitFor(() => ed.document.getText().includes('const lines'), 'streaming');
    // The user types above and below the region while it streams (real typing through the `type` command).
    // The cursor is moved by the editor's own commands, at the moment they run (a line number computed here
    // could be stale by the time it is used: the stream keeps inserting lines).
    await vscode.commands.executeCommand('cursorTop');
    await vscode.commands.executeCommand('type', { text: '/* typed */ ' });
    await ed.edit((b) => b.insert(new vscode.Position(1, 0), '// pasted above\n')); // shifts the region down a line
    await vscode.commands.executeCommand('cursorBottom');
    await vscode.commands.executeCommand('type', { text: '// typed below' });
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    assert.ok(ed.document.getText().includes('const out'), 'the stream landed where the code moved to');
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    const want = lines(ORIGINAL);
    want[0] = '/* typed */ ' + want[0];
    want.splice(1, 0, '// pasted above');
    want[want.length - 1] = '// typed below';
    assert.equal(ed.document.getText(), want.join('\n'));
  });

  it('accept-all applies exactly the model text; Undo gives the pending diff back, a second Undo the original exactly', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    const accepted = lines(ORIGINAL).slice(0, 2).join('\n') + '\n' + REWRITE;
    assert.equal(ed.document.getText(), accepted);
    const pending =
      lines(ORIGINAL).slice(0, 2).join('\n') +
      '\n' +
      [
        'export function parse(text: string) {',
        '//   var lines = text.split("\\n");',
        '  const lines = text.split("\\n");',
        '  var out = [];',
        '  for (var i = 0; i < lines.length; i++) {',
        '    out.push(lines[i].trim());',
        '  }',
        '  return out;',
        '}',
        '',
        'export function total(xs: number[]) {',
        '//   var sum = 0;',
        '  let sum = 0;',
        '  for (const x of xs) sum += x;',
        '  return sum;',
        '}',
        '',
      ].join('\n');
    await vscode.commands.executeCommand('undo');
    await waitFor(
      () =>
        ed.document.getText() === pending &&
        a.sessions().some((s) => s.document === ed.document && s.region.pendingHunks().length === 2),
      'undo gives the pending diff back',
    );
    await vscode.commands.executeCommand('undo');
    await waitFor(
      () => ed.document.getText() === ORIGINAL && !a.sessions().some((s) => s.document === ed.document),
      'a second undo restores the original',
    );
  });

  it('never moves the cursor or steals focus while streaming', async () => {
    const ed = await openEditor(ORIGINAL);
    select(ed, 11, 15);
    ed.selection = new vscode.Selection(0, 3, 0, 3);
    // Selection is a caret now: the edit targets the enclosing block or the line; use an explicit range instead.
    select(ed, 11, 15);
    const sel = ed.selection;
    server.enqueue({
      text: 'export function total(xs: number[]) {\n  // one\n  // two\n  let sum = 0;\n  for (const x of xs) sum += x;\n  return sum;\n}\n',
      tokensPerSecond: 200,
    });
    const v = await startEdit(a, 'comments');
    await v.session.whenSettled();
    assert.equal(vscode.window.activeTextEditor?.document, ed.document, 'focus stays in the same editor');
    assert.ok(
      ed.selection.isEmpty && ed.selection.active.isEqual(sel.start),
      'the selection collapsed to its start when the instruction was submitted, and stays there',
    );
    await v.rejectAll();
  });

  it('a pending inline diff, as the user sees it in the browser (screenshot)', async function () {
    if (!process.env.SPARK_ARTIFACTS) this.skip();
    const ed = await openEditor(ORIGINAL);
    select(ed, 2, 15);
    server.enqueue({ text: REWRITE.replace('  return out;', '  // trimmed lines, in order\n  return out;') });
    const v = await startEdit(a, 'modernise');
    await v.session.whenSettled();
    await waitFor(() => v.region.planFlush() === null, 'in sync');
    ed.selection = new vscode.Selection(0, 0, 0, 0);
    await sleep(800); // CodeLens and decorations render in the workbench
    const file = await screenshot('pending-inline-diff');
    assert.ok(file && fs.statSync(file).size > 10_000, 'screenshot written');
  });
});
