import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SparkEditApi } from '../../src/vscode/extension';
import { ModelServer } from '../../src/server/modelServer';
import {
  api,
  closeAllReverted,
  domTexts,
  openFileWith,
  revertFiles,
  useDefaults,
  waitFor,
  workspaceUri,
} from './helpers';

const G = vscode.ConfigurationTarget.Global;
const cfg = () => vscode.workspace.getConfiguration('sparkEdit');

/** The Spark Edit status bar item's text as the page shows it (the extension's own view when there is no launcher). */
async function pageStatus(a: SparkEditApi, name: string): Promise<string> {
  const found = await domTexts(name, '.statusbar-item');
  return found ? (found.map((e) => e.text).find((t) => /Spark/.test(t)) ?? '') : a.statusBar().text;
}

/** The chat badge as the page shows it (the webview's DOM), or the last `models` message without a launcher. */
async function pageBadge(
  a: SparkEditApi,
  name: string,
): Promise<{ text: string; title: string; hidden: boolean } | undefined> {
  const found = await domTexts(name, '#model.model-badge');
  if (found) return found[0];
  const m = [...a.chat().posted].reverse().find((p) => p.type === 'models');
  return m && m.type === 'models' ? { text: m.fast.name, title: m.fast.title, hidden: false } : undefined;
}

describe('Issue 15: live settings', function () {
  let a: SparkEditApi;
  before(async () => {
    a = await api();
    await useDefaults(a);
    await a.ready();
  });
  after(async () => {
    for (const k of [
      'demoTokensPerSecond',
      'contextLines',
      'prewarm',
      'maxSelectionLines',
      'deep.enabled',
      'deep.selectionLines',
      'deep.contextChars',
      'deep.maxConcurrentJobs',
      'customRefactors',
      'deep.model',
      'wire',
    ])
      await cfg().update(k, undefined, G);
    await useDefaults(a);
    await a.ready();
  });

  it("sparkEdit.demoTokensPerSecond changes the running demo model's speed, with no reconnect", async () => {
    assert.ok(a.usingDemoModel(), 'the demo model runs');
    assert.equal(a.demoTokensPerSecond(), 1000, 'the default speed');
    const n = a.reconnects();
    await cfg().update('demoTokensPerSecond', 37, G);
    await waitFor(() => a.demoTokensPerSecond() === 37, 'the demo server to stream at 37 tokens/s');
    await cfg().update('demoTokensPerSecond', undefined, G);
    await waitFor(() => a.demoTokensPerSecond() === 1000, 'back to 1000 tokens/s');
    assert.equal(a.reconnects(), n, 'a live setting does not reconnect');
  });

  it('every live setting is in effect at once, with no reconnect', async () => {
    const n = a.reconnects();
    const conn = a.connection();
    const values: Record<string, unknown> = {
      contextLines: 7,
      prewarm: false,
      maxSelectionLines: 123,
      'deep.enabled': false,
      'deep.selectionLines': 55,
      'deep.contextChars': 4321,
      'deep.maxConcurrentJobs': 5,
      customRefactors: [{ name: 'Shout', instruction: 'Upper-case it.' }],
    };
    for (const [k, v] of Object.entries(values)) await cfg().update(k, v, G);
    await waitFor(() => a.deep().queue.maxConcurrent === 5, 'the deep job limit');
    const s = a.settings();
    assert.deepEqual(
      [
        s.contextLines,
        s.prewarm,
        s.maxSelectionLines,
        s.rules.enabled,
        s.rules.deepSelectionLines,
        s.rules.deepContextChars,
        s.maxConcurrentJobs,
        s.customRefactors.map((r) => r.name),
      ],
      [7, false, 123, false, 55, 4321, 5, ['Shout']],
    );
    assert.equal(a.reconnects(), n, 'no reconnect');
    assert.equal(a.connection(), conn, 'the same connection object');
    for (const k of Object.keys(values)) await cfg().update(k, undefined, G);
    await waitFor(() => a.deep().queue.maxConcurrent === 2 && a.settings().contextLines === 40, 'the defaults back');
    assert.equal(a.reconnects(), n, 'still no reconnect');
  });

  it('the live ignore list applies at once: a newly ignored file is refused, with no reconnect', async () => {
    const n = a.reconnects();
    const ed = await openFileWith(workspaceUri('live-ignored.ts'), 'const a = 1;\n');
    try {
      await cfg().update('ignoredFiles', ['**/live-ignored.ts'], G);
      ed.selection = new vscode.Selection(0, 0, 0, 5);
      assert.equal(
        await vscode.commands.executeCommand('sparkEdit.editSelection', { instruction: 'x' }),
        undefined,
        'refused: the file is on the ignore list now',
      );
      assert.equal(a.reconnects(), n, 'no reconnect');
    } finally {
      await cfg().update('ignoredFiles', undefined, G);
      await closeAllReverted();
      await vscode.workspace.fs.delete(workspaceUri('live-ignored.ts')).then(
        () => undefined,
        () => undefined,
      );
    }
  });

  it('a connection setting (sparkEdit.deep.model) reconnects exactly once and the new model is in use', async () => {
    await a.ready();
    const n = a.reconnects();
    await cfg().update('deep.model', 'spark-deep-x', G);
    await waitFor(() => a.deepConnection()?.model === 'spark-deep-x', 'the deep connection to use the new model');
    await a.ready();
    assert.equal(a.reconnects(), n + 1, 'exactly one reconnect');
    assert.equal(a.models().deep.model, 'spark-deep-x');
    await cfg().update('deep.model', undefined, G);
    await waitFor(() => a.deepConnection()?.model === 'spark-demo', 'back to the demo');
    await a.ready();
    assert.equal(a.reconnects(), n + 2);
  });
});

describe('Issue 15: truthful model labels', function () {
  let a: SparkEditApi;
  let server: ModelServer;
  before(async () => {
    a = await api();
    server = await new ModelServer().listen();
    await useDefaults(a);
    await a.ready();
  });
  after(async () => {
    await vscode.commands.executeCommand('sparkEdit.clearApiKey');
    await closeAllReverted();
    await useDefaults(a, ['provider']);
    await a.ready();
    await server.close();
  });
  afterEach(async () => {
    a.deep().queue.cancelAll();
    server.clearScript();
    for (const v of a.sessions()) await v.rejectAll();
    await revertFiles(['deep/a.ts']);
  });

  it('setting a key makes the status bar and the chat badge name the real models, without a reload; removing it brings the demo back', async () => {
    // Chat Completions: no socket is opened to the provider's host, so nothing leaves this machine.
    await cfg().update('provider', 'openai-chat', G);
    await waitFor(() => a.connection()?.describe.includes('Chat Completions') === true, 'the openai-chat preset');
    await a.ready();
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await a.chat().whenReady();
    await waitFor(
      async () => /Spark \(demo model\)/.test(await pageStatus(a, 'labels-demo-status')),
      'the status bar to say demo model',
    );
    await waitFor(
      async () => (await pageBadge(a, 'labels-demo-badge'))?.text === 'demo model',
      'the chat badge to say demo model',
    );

    await vscode.commands.executeCommand('sparkEdit.setApiKey', {
      provider: 'openai-chat',
      key: 'sk-labels-test-0123456789',
    });
    await waitFor(() => a.models().fast.model === 'gpt-4.1-mini' && !a.models().fast.demo, 'the real fast model');
    await a.ready();
    assert.equal(a.models().deep.model, 'gpt-4.1', "deep uses the same provider's deep model (no Anthropic key)");
    assert.equal(a.deepConnection()?.model, 'gpt-4.1');
    await waitFor(
      async () => /Spark \(gpt-4\.1-mini, deep gpt-4\.1\)/.test(await pageStatus(a, 'labels-key-status')),
      'the status bar to name both models',
    );
    await waitFor(
      async () => (await pageBadge(a, 'labels-key-badge'))?.text === 'gpt-4.1-mini',
      'the chat badge to name the fast model',
    );
    assert.ok(!/demo/.test(a.statusBar().text), a.statusBar().text);

    await vscode.commands.executeCommand('sparkEdit.clearApiKey');
    await waitFor(() => a.models().fast.demo && a.models().deep.demo, 'the demo model back');
    await waitFor(
      async () => /Spark \(demo model\)/.test(await pageStatus(a, 'labels-cleared-status')),
      'the status bar to say demo model again',
    );
    await waitFor(
      async () => (await pageBadge(a, 'labels-cleared-badge'))?.text === 'demo model',
      'the chat badge to say demo model again',
    );
    await cfg().update('provider', undefined, G);
    await a.ready();
  });

  it("with only an OpenAI key, a deep request names the deep model the labels show (the same provider's deep model)", async () => {
    await cfg().update('endpoint', server.url, G); // the OpenAI preset, at the loopback server
    await vscode.commands.executeCommand('sparkEdit.setApiKey', {
      provider: 'openai',
      key: 'sk-deep-label-0123456789',
    });
    await waitFor(
      () => a.deepConnection()?.describe.includes(server.url) === true,
      "deep on the fast provider's connection",
    );
    await a.ready();
    const label = a.models().deep;
    assert.equal(label.model, 'gpt-5.1-codex');
    assert.ok(!label.demo && /Deep mode uses OpenAI/.test(label.note ?? ''), label.note);
    assert.match(a.statusBar().text, /deep gpt-5\.1-codex\)/);
    const before = server.requests.length;
    const r = await vscode.commands.executeCommand<{ jobId: number }>('sparkEdit.deepEdit', {
      instruction: 'use const',
      files: [workspaceUri('deep/a.ts').toString()],
    });
    await a
      .deep()
      .queue.jobs.find((j) => j.id === r.jobId)!
      .done.catch(() => undefined);
    const sent = server.requests.slice(before);
    assert.equal(sent.length, 1, 'the deep request reached the OpenAI endpoint (not the demo)');
    assert.equal(sent[0].body.model, label.model, 'the model the deep request names is the one the labels show');
    for (const v of a.sessions()) await v.rejectAll();
    await vscode.commands.executeCommand('sparkEdit.clearApiKey');
    await cfg().update('endpoint', undefined, G);
    await waitFor(() => a.usingDemoModel(), 'the demo model');
    await a.ready();
  });

  it('a fast provider with no deep model: deep says plainly it uses the demo model and how to change it', async () => {
    await cfg().update('provider', 'cerebras', G);
    await cfg().update('endpoint', server.url, G);
    await waitFor(
      () =>
        a.connection()?.describe.includes(server.url) === true &&
        a.connection()?.describe.includes('Cerebras') === true,
      'Cerebras at the loopback server',
    );
    await a.ready();
    const deep = a.models().deep;
    assert.ok(deep.demo, 'deep runs on the demo model');
    assert.match(deep.note ?? '', /demo model.*Set API Key.*sparkEdit\.deep\.provider/);
    assert.match(a.statusBar().text, /deep demo model\)/);
    assert.match(a.statusBar().tooltip.replace(/\\/g, ''), /Deep mode uses the built-in demo model/);
    const before = server.requests.length;
    const r = await vscode.commands.executeCommand<{ jobId: number }>('sparkEdit.deepEdit', {
      instruction: 'use const',
      files: [workspaceUri('deep/a.ts').toString()],
    });
    await a
      .deep()
      .queue.jobs.find((j) => j.id === r.jobId)!
      .done.catch(() => undefined);
    assert.equal(server.requests.length, before, 'the deep request went to the demo model, as the label says');
    for (const v of a.sessions()) await v.rejectAll();
    await cfg().update('endpoint', undefined, G);
    await cfg().update('provider', undefined, G);
    await waitFor(() => a.usingDemoModel(), 'the demo model');
    await a.ready();
  });
});
