import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import { REFACTORS } from '../../src/core/refactors';
import type { SparkEditApi } from '../../src/vscode/extension';
import {
  fileExists,
  openEditor,
  select,
  serverHooks,
  useServer,
  waitFor,
  workspaceUri,
  isNewFilePreview,
} from './helpers';

const CODE = 'function load(url) {\n  return fetch(url).then(function (r) { return r.json(); });\n}\n';
const ASYNC = 'async function load(url) {\n  const r = await fetch(url);\n  return r.json();\n}\n';
const ws = workspaceUri;
const lastInput = (s: ModelServer) =>
  JSON.stringify(s.requests[s.requests.length - 1].body.input ?? s.requests[s.requests.length - 1].body.messages);

describe('Surfaces: palette refactors, quick fixes, chat (real VS Code host)', function () {
  this.timeout(90_000);
  let server!: ModelServer;
  let a!: SparkEditApi;
  serverHooks(
    (x, s) => {
      a = x;
      server = s;
    },
    {
      resetSettings: ['customRefactors'],
      revert: ['broken.ts', 'rename.ts', 'deep/a.test.ts'],
      cleanup: async () => {
        await vscode.workspace.fs.delete(ws('deep/a.test.ts')).then(
          () => undefined,
          () => undefined,
        );
      },
    },
  );

  for (const id of ['fix', 'simplify', 'document', 'asyncAwait']) {
    const rf = REFACTORS.find((r) => r.id === id)!;
    it(`"${rf.title}" sends its instruction with the code and lands as a pending diff`, async () => {
      const ed = await openEditor(CODE, 'javascript');
      select(ed, 0, 2);
      server.enqueue({ text: ASYNC, transport: 'ws' });
      await vscode.commands.executeCommand(`sparkEdit.refactor.${id}`);
      const v = a.sessions().find((s) => s.document === ed.document)!;
      assert.ok(v, 'a session started');
      await v.session.whenSettled();
      assert.ok(
        lastInput(server).includes(JSON.stringify(rf.instruction).slice(1, 40)),
        'the template instruction was sent',
      );
      assert.ok(lastInput(server).includes('fetch(url).then'), 'with the code');
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'ended');
      assert.equal(ed.document.getText(), ASYNC);
    });
  }

  it('with no selection, a refactor takes the enclosing function from the document symbols', async () => {
    const ed = await openEditor('const a = 1;\n\n' + CODE + '\nconst b = 2;\n', 'javascript');
    ed.selection = new vscode.Selection(3, 5, 3, 5); // inside load()
    server.enqueue({ text: ASYNC, transport: 'ws' });
    await vscode.commands.executeCommand('sparkEdit.refactor.asyncAwait');
    const v = a.sessions().find((s) => s.document === ed.document)!;
    await v.session.whenSettled();
    assert.equal(v.region.startLine, 2);
    assert.deepEqual(v.region.original, CODE.trimEnd().split('\n'));
  });

  it('a custom refactor from settings', async () => {
    await vscode.workspace
      .getConfiguration('sparkEdit')
      .update(
        'customRefactors',
        [{ name: 'Shout', instruction: 'Make every string literal upper case.' }],
        vscode.ConfigurationTarget.Global,
      );
    const ed = await openEditor('const s = "hi";\n', 'javascript');
    select(ed, 0, 0);
    server.enqueue({ text: 'const s = "HI";\n', transport: 'ws' });
    await vscode.commands.executeCommand('sparkEdit.customRefactor', { name: 'Shout' });
    const v = a.sessions().find((s) => s.document === ed.document)!;
    await v.session.whenSettled();
    assert.ok(lastInput(server).includes('Make every string literal upper case.'));
  });

  it('Rename Symbol uses the language rename and shows it as pending diffs', async () => {
    const doc = await vscode.workspace.openTextDocument(ws('rename.ts'));
    const ed = await vscode.window.showTextDocument(doc);
    ed.selection = new vscode.Selection(0, 17, 0, 17); // on "area"
    const before = server.requests.length;
    const r = await vscode.commands.executeCommand<{ sessionIds: number[] }>('sparkEdit.rename', {
      newName: 'surface',
    });
    assert.ok(r && r.sessionIds.length >= 1, 'pending diffs from the rename provider');
    assert.equal(server.requests.length, before, 'no model call: the language did it');
    for (const id of r.sessionIds) {
      const v = a.session(id)!;
      await v.session.whenSettled();
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: id });
    }
    await waitFor(() => r.sessionIds.every((id) => !a.session(id)), 'accepted');
    assert.equal(
      doc.getText(),
      'export function surface(width: number, height: number) {\n  return width * height;\n}\n\nexport const unit = surface(1, 1);\nexport const big = surface(10, 10);\n',
    );
  });

  it('quick fix on a real TypeScript diagnostic: free to compute, fixes every problem in the function', async () => {
    const doc = await vscode.workspace.openTextDocument(ws('broken.ts'));
    const ed = await vscode.window.showTextDocument(doc);
    await waitFor(
      () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error),
      'the TypeScript error',
      60_000,
    );
    const diag = vscode.languages.getDiagnostics(doc.uri).find((d) => d.severity === vscode.DiagnosticSeverity.Error)!;
    const before = server.requests.length;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((x) => /Spark Edit/.test(x.title));
    assert.ok(fix, `a "Fix with Spark Edit" action among: ${actions.map((x) => x.title).join(', ')}`);
    assert.equal(fix!.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.equal(server.requests.length, before, 'computing the light bulb made no model call');
    const fixed =
      'export function shout(message: string) {\n  const count: number = 3;\n  return message.toUpperCase() + "!".repeat(count);\n}';
    server.enqueue({ text: fixed + '\n', transport: 'ws' });
    ed.selection = new vscode.Selection(diag.range.start, diag.range.start);
    await vscode.commands.executeCommand(fix!.command!.command, ...(fix!.command!.arguments ?? []));
    const v = a.sessions().find((s) => s.document === doc)!;
    await v.session.whenSettled();
    assert.ok(
      lastInput(server).includes(diag.message.slice(0, 30).replace(/"/g, '\\"')),
      'the diagnostic text is in the prompt',
    );
    assert.equal(v.region.startLine, 0, 'the whole function is the context');
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    assert.equal(doc.getText(), fixed + '\n');
  });

  it('refactor actions are offered on a selection (refactor.rewrite)', async () => {
    const ed = await openEditor(CODE, 'javascript');
    select(ed, 0, 2);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      ed.document.uri,
      ed.selection,
      vscode.CodeActionKind.RefactorRewrite.value,
    );
    const titles = actions.filter((x) => /Spark Edit/.test(x.title)).map((x) => x.title);
    assert.deepEqual(titles, [
      'Spark Edit: Fix This',
      'Spark Edit: Simplify',
      'Spark Edit: Add Documentation',
      'Spark Edit: Convert to async/await',
    ]);
    // Synchronous code: nothing to convert, so it is not offered (newcomer: offered on stats.py, the demo said "can't")
    const sync = await openEditor('def mean(xs):\n    return sum(xs) / len(xs)\n', 'python');
    select(sync, 0, 1);
    const plain = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      sync.document.uri,
      sync.selection,
      vscode.CodeActionKind.RefactorRewrite.value,
    );
    assert.deepEqual(
      plain.filter((x) => /Spark Edit/.test(x.title)).map((x) => x.title),
      ['Spark Edit: Fix This', 'Spark Edit: Simplify', 'Spark Edit: Add Documentation'],
    );
  });

  it("the chat's selection chip names the lines selected: dragged to the start of a line, that line is not in it", async () => {
    // Round-8 newcomer: lines 26-27 dragged to the start of line 28 showed "orders.ts:26-28".
    const ed = await openEditor(CODE, 'javascript');
    ed.selection = new vscode.Selection(0, 0, 2, 0);
    const chat = a.chat();
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await chat.whenReady();
    await vscode.window.showTextDocument(ed.document);
    ed.selection = new vscode.Selection(0, 0, 2, 0);
    const chip = chat.chips().find((c) => c.id === 'selection');
    assert.match(chip?.label ?? '', /:1-2$/, JSON.stringify(chip));
  });

  it('Add Tests writes the test file next to the source through a deep job', async () => {
    const src = await vscode.workspace.openTextDocument(ws('deep/a.ts'));
    const ed = await vscode.window.showTextDocument(src);
    select(ed, 0, 3);
    server.enqueue({
      transport: 'anthropic',
      text: "*** Begin Patch\n*** Add File: deep/a.test.ts\n+import { alpha } from './a';\n+test('doubles', () => expect(alpha(2)).toBe(4));\n*** End Patch\n",
    });
    await vscode.commands.executeCommand('sparkEdit.refactor.tests');
    const job = a.deep().queue.jobs[a.deep().queue.jobs.length - 1];
    await job.done;
    assert.equal(job.state, 'done', job.error);
    assert.match(lastInput(server), /deep\/a\.test\.ts/);
    // The new file is a preview (an untitled document) until accepted; Accept creates it on disk.
    await waitFor(
      () => a.sessions().some((s) => isNewFilePreview(s.document) && s.document.getText().includes('doubles')),
      'the new test file has a pending diff',
    );
    const v = a.sessions().find((s) => isNewFilePreview(s.document) && s.document.getText().includes('doubles'))!;
    assert.equal(await fileExists(ws('deep/a.test.ts')), false, 'not on disk before Accept');
    await v.session.whenSettled();
    await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    await waitFor(async () => await fileExists(ws('deep/a.test.ts')), 'created at Accept');
    const testDoc = await vscode.workspace.openTextDocument(ws('deep/a.test.ts'));
    assert.equal(testDoc.getText(), "import { alpha } from './a';\ntest('doubles', () => expect(alpha(2)).toBe(4));\n");
  });

  it('rejecting a file a deep job added leaves nothing on disk and closes its preview', async () => {
    const uri = ws('deep/added-then-rejected.ts');
    const src = await vscode.workspace.openTextDocument(ws('deep/a.ts'));
    const ed = await vscode.window.showTextDocument(src);
    select(ed, 0, 3);
    server.enqueue({
      transport: 'anthropic',
      text: '*** Begin Patch\n*** Add File: deep/added-then-rejected.ts\n+export const x = 1;\n*** End Patch\n',
    });
    const r = await vscode.commands.executeCommand<{ jobId: number }>('sparkEdit.deepEdit', {
      instruction: 'add a module',
      files: [ws('deep/a.ts').toString()],
    });
    const job = a.deep().queue.jobs.find((j) => j.id === r.jobId)!;
    await job.done;
    assert.equal(job.state, 'done', job.error);
    await waitFor(
      () => a.sessions().some((s) => isNewFilePreview(s.document) && s.document.getText().includes('x = 1')),
      'the added file has a pending diff',
    );
    const v = a.sessions().find((s) => isNewFilePreview(s.document) && s.document.getText().includes('x = 1'))!;
    await v.session.whenSettled();
    assert.equal(await fileExists(uri), false, 'not on disk while pending');
    const preview = v.document.uri.toString();
    await vscode.commands.executeCommand('sparkEdit.rejectAll', { sessionId: v.session.id });
    await waitFor(() => v.isEnded, 'ended');
    await waitFor(
      () =>
        !vscode.window.tabGroups.all.some((g) =>
          g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === preview),
        ),
      'its preview tab is closed',
    );
    assert.equal(await fileExists(uri), false, 'never created');
  });

  it('Explain answers in the chat panel, without editing', async () => {
    const ed = await openEditor(CODE, 'javascript');
    select(ed, 0, 2);
    server.enqueue({ text: 'It **fetches** a URL and parses JSON.', transport: 'ws' });
    const text = ed.document.getText();
    await vscode.commands.executeCommand('sparkEdit.refactor.explain');
    const chat = a.chat();
    await waitFor(
      () => chat.messages.some((m) => m.role === 'assistant' && m.text.includes('fetches')),
      'the answer in the chat',
    );
    assert.ok(chat.isReady, 'the webview did the ready handshake');
    assert.ok(lastInput(server).includes('fetch(url).then'), 'the code went as context');
    assert.ok(
      chat.posted.some((m) => m.type === 'delta'),
      'streamed to the webview',
    );
    assert.equal(ed.document.getText(), text);
    assert.equal(a.sessions().length, 0);
  });

  it('chat: Stop ends a streaming answer; Redirect stops it and asks again with the new direction', async () => {
    const chat = a.chat();
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await chat.whenReady();
    server.enqueue({ text: 'slow answer '.repeat(200), tokensPerSecond: 40, transport: 'ws' });
    const n = chat.messages.length;
    void chat.receive({ type: 'send', text: 'tell me a long story', chips: [], mode: 'fast' });
    await waitFor(() => chat.messages.length >= n + 2 && chat.messages[n + 1].text.length > 0, 'streaming');
    await chat.receive({ type: 'stop' });
    await waitFor(
      () => chat.posted.some((m) => m.type === 'done' && m.id === chat.messages[n + 1].id && m.stopped === true),
      'stopped',
    );
    const stoppedAt = chat.messages[n + 1].text.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(chat.messages[n + 1].text.length, stoppedAt, 'nothing arrives after Stop');

    server.enqueue(
      { text: 'first direction '.repeat(200), tokensPerSecond: 40, transport: 'ws' },
      { text: 'Short answer instead.', transport: 'ws' },
    );
    const m = chat.messages.length;
    void chat.receive({ type: 'send', text: 'explain at length', chips: [], mode: 'fast' });
    await waitFor(() => chat.messages.length >= m + 2 && chat.messages[m + 1].text.length > 0, 'streaming');
    await chat.receive({ type: 'redirect', text: 'no, be brief', chips: [], mode: 'fast' });
    await waitFor(
      () => chat.messages.some((x) => x.role === 'assistant' && x.text === 'Short answer instead.'),
      'the redirected answer',
    );
    assert.equal(chat.messages[m + 1].stopped, true, 'the first answer was stopped');
    const input = server.requests[server.requests.length - 1].body.input as Array<{
      role: string;
      content: Array<{ text: string }>;
    }>;
    const partial = chat.messages[m + 1].text;
    assert.ok(partial.length > 0);
    assert.equal(
      input.filter((x) => x.role === 'assistant' && x.content[0].text === partial).length,
      1,
      'the partial answer is sent once',
    );
    assert.match(input[input.length - 1].content[0].text, /interrupted[\s\S]*no, be brief/);
  });

  it('chat: malformed webview messages are dropped', async () => {
    const chat = a.chat();
    const n = chat.messages.length;
    await chat.receive({ type: 'send', text: 42, chips: [], mode: 'fast' });
    await chat.receive({ type: 'eval', code: 'process.exit()' });
    assert.equal(chat.messages.length, n);
  });

  it('files on the ignore list (.env, keys, secrets) are never sent', async () => {
    const doc = await vscode.workspace.openTextDocument(ws('config/.env'));
    const ed = await vscode.window.showTextDocument(doc);
    select(ed, 0, 0);
    const before = server.requests.length;
    const r = await vscode.commands.executeCommand('sparkEdit.editSelection', { instruction: 'rotate the token' });
    assert.equal(r, undefined, 'no edit started');
    const chat = a.chat();
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await chat.whenReady();
    await vscode.window.showTextDocument(doc);
    server.enqueue({ text: 'ok', transport: 'ws' });
    await chat.receive({ type: 'send', text: 'what is in this file?', chips: ['file', 'selection'], mode: 'fast' });
    const sent = JSON.stringify(server.requests.slice(before));
    assert.ok(!sent.includes('do-not-send-me'), 'the secret never reached the model');
    assert.ok(
      chat.posted.some((m) => m.type === 'notice' && /ignore list/.test(m.text)),
      'the chat says why',
    );
  });

  it('a workspace cannot redirect requests (and the key) to another endpoint', async () => {
    const c = vscode.workspace.getConfiguration('sparkEdit');
    await c.update('endpoint', 'https://attacker.invalid/v1', vscode.ConfigurationTarget.Workspace).then(
      () => undefined,
      () => undefined,
    );
    await a.ready();
    await new Promise((r) => setTimeout(r, 300));
    await a.ready();
    assert.ok(a.connection()?.describe.includes(server.url), `still the user's endpoint: ${a.connection()?.describe}`);
    await c.update('endpoint', undefined, vscode.ConfigurationTarget.Workspace).then(
      () => undefined,
      () => undefined,
    );
  });

  it('an API key never shows up in the log, error messages or the chat webview', async () => {
    const KEY = 'sk-spark-test-9f8e7d6c5b4a';
    const keyed = await new ModelServer({ apiKey: KEY }).listen();
    try {
      await vscode.commands.executeCommand('sparkEdit.setApiKey', { provider: 'openai', key: KEY });
      await useServer(a, keyed.url);
      const ed = await openEditor('var k = 1;\n', 'javascript');
      select(ed, 0, 0);
      keyed.enqueue({ text: 'const k = 1;\n' });
      const v = a.session(
        (await vscode.commands.executeCommand<{ sessionId: number }>('sparkEdit.editSelection', {
          instruction: 'const',
        }))!.sessionId,
      )!;
      await v.session.whenSettled();
      assert.equal(v.session.state, 'pending', 'the key was sent where it belongs: the request succeeded');
      assert.equal(keyed.requests.length >= 1, true);
      await v.rejectAll();
      // A wrong key: the auth error must not echo it.
      await vscode.commands.executeCommand('sparkEdit.setApiKey', { provider: 'openai', key: KEY + '-wrong' });
      await a.ready();
      await waitFor(() => a.transport()?.state === 'offline' || a.transport()?.state === 'warm', 'connection attempt');
      const errors = a.transport()?.lastError?.message ?? '';
      const chat = a.chat();
      const everything = [
        ...a.logLines(),
        errors,
        JSON.stringify(chat.posted),
        JSON.stringify(vscode.workspace.getConfiguration('sparkEdit')),
      ].join('\n');
      assert.ok(!everything.includes(KEY), 'the key leaked');
    } finally {
      await vscode.commands.executeCommand('sparkEdit.clearApiKey');
      await useServer(a, server.url);
      await keyed.close();
    }
  });

  it('chat: Copy, Insert at cursor, the fast/deep picker and New chat', async () => {
    const chat = a.chat();
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await chat.whenReady();
    await chat.receive({ type: 'copy', code: 'copied();' });
    assert.equal(await vscode.env.clipboard.readText(), 'copied();');
    const ed = await openEditor('a\nb\n', 'plaintext');
    ed.selection = new vscode.Selection(1, 0, 1, 0);
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await chat.receive({ type: 'insert', code: 'inserted\n' });
    assert.equal(ed.document.getText(), 'a\ninserted\nb\n');
    // The deep model answers when picked.
    server.enqueue({ text: 'from the deep model', transport: 'anthropic' });
    await chat.receive({ type: 'setMode', mode: 'deep' });
    await chat.receive({ type: 'send', text: 'hello deep', chips: [], mode: 'deep' });
    await waitFor(
      () => chat.messages.some((m) => m.role === 'assistant' && m.text === 'from the deep model'),
      'the deep answer',
    );
    assert.equal(server.requests[server.requests.length - 1].transport, 'anthropic');
    await chat.receive({ type: 'setMode', mode: 'fast' });
    await chat.receive({ type: 'newChat' });
    assert.equal(chat.messages.length, 0);
    assert.ok(chat.posted.some((m) => m.type === 'cleared'));
  });
});
