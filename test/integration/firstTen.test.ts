/**
 * Issue 15 leftovers (a newcomer's check): hand-edited settings FILES take effect with no reload, and the quick fix's
 * Accept leaves the cursor at the fix (not on the file's last line).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SparkEditApi } from '../../src/vscode/extension';
import { ModelServer } from '../../src/server/modelServer';
import {
  api,
  closeAllReverted,
  domTexts,
  revertFiles,
  screenshot,
  useDefaults,
  waitFor,
  workspaceUri,
} from './helpers';

/**
 * The user settings.json edited as a user does: "Preferences: Open User Settings (JSON)", the text changed in that
 * editor, File: Save. `set` merges keys (undefined removes one); `restore` puts the text back.
 */
async function userSettingsJson() {
  const open = async () => {
    await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    await waitFor(
      () => /settings\.json$/.test(vscode.window.activeTextEditor?.document.uri.path ?? ''),
      'settings.json open',
    );
    return vscode.window.activeTextEditor!;
  };
  const original = (await open()).document.getText();
  // As a user does: the text changed in the settings.json editor, then File: Save.
  const write = async (text: string) => {
    const ed = await open();
    assert.ok(
      await ed.edit((b) => b.replace(new vscode.Range(0, 0, ed.document.lineCount, 0), text)),
      'typed into settings.json',
    );
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(() => !ed.document.isDirty, 'settings.json saved');
  };
  return {
    async set(values: Record<string, unknown>) {
      // The file is JSON with comments in general; the test's own user settings have none.
      const cur = JSON.parse((await open()).document.getText().trim() || '{}') as Record<string, unknown>;
      for (const [k, v] of Object.entries(values))
        if (v === undefined) delete cur[k];
        else cur[k] = v;
      await write(JSON.stringify(cur, null, 2) + '\n');
    },
    restore: () => write(original),
  };
}

describe('Issue 15 polish: the user settings.json edited by hand, no reload', function () {
  this.timeout(90_000);
  let a!: SparkEditApi;
  let server!: ModelServer;
  before(async () => {
    a = await api();
    server = await new ModelServer().listen();
    await useDefaults(a);
    await a.ready();
  });
  after(async () => {
    await closeAllReverted();
    await useDefaults(a);
    await a.ready();
    await server.close();
  });

  it("sparkEdit.demoTokensPerSecond typed into settings.json and saved changes the running demo's speed", async () => {
    const s = await userSettingsJson();
    const n = a.reconnects();
    try {
      assert.equal(a.demoTokensPerSecond(), 1000, 'the default speed');
      await s.set({ 'sparkEdit.demoTokensPerSecond': 41 });
      await waitFor(() => a.demoTokensPerSecond() === 41, '41 tokens/s from settings.json').catch((e: Error) => {
        const seen = vscode.workspace.getConfiguration('sparkEdit').inspect('demoTokensPerSecond');
        throw new Error(`${e.message}; VS Code reads ${JSON.stringify(seen)}`);
      });
      await s.set({ 'sparkEdit.demoTokensPerSecond': undefined });
      await waitFor(() => a.demoTokensPerSecond() === 1000, 'the default back once settings.json drops it');
      assert.equal(a.reconnects(), n, 'a live setting does not reconnect');
    } finally {
      await s.restore();
    }
  });

  it('sparkEdit.endpoint (a reconnect setting) typed into settings.json and saved reconnects to it', async () => {
    const s = await userSettingsJson();
    const n = a.reconnects();
    try {
      await s.set({ 'sparkEdit.endpoint': server.url });
      await waitFor(() => !!a.connection()?.describe.includes(server.url), `the fast model at ${server.url}`);
      assert.ok(!a.usingDemoModel(), 'not the demo model any more');
      assert.ok(a.reconnects() > n, 'a reconnect setting reconnects');
      await s.set({ 'sparkEdit.endpoint': undefined });
      await waitFor(() => a.usingDemoModel(), 'the demo model back');
    } finally {
      await s.restore();
      await waitFor(() => a.usingDemoModel(), 'the demo model back');
    }
  });
});

describe('Issue 15 polish: the cursor after "Fix with Spark Edit" + Accept', function () {
  this.timeout(90_000);
  let a!: SparkEditApi;
  before(async () => {
    a = await api();
    await useDefaults(a);
    await a.ready();
  });
  // A test's accepted fix may reach the disk (a save while pending, auto-save): the misspelling goes back after each test.
  let shipping: Uint8Array;
  before(async () => {
    shipping = await vscode.workspace.fs.readFile(workspaceUri('demo/shipping.ts'));
  });
  afterEach(async () => {
    for (const v of a.sessions()) await v.rejectAll();
    await revertFiles(['demo/shipping.ts']);
    // Put the misspelling back through the document, not by writing the file from outside: code-server may not see
    // an outside write before the next test opens the (cached) document, which then has no error to fix.
    const doc = await vscode.workspace.openTextDocument(workspaceUri('demo/shipping.ts'));
    const original = new TextDecoder().decode(shipping);
    if (doc.getText() !== original) {
      const we = new vscode.WorkspaceEdit();
      we.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      assert.ok(await vscode.workspace.applyEdit(we), 'shipping.ts restored');
    }
    if (doc.isDirty) await doc.save();
    assert.equal(doc.getText(), original);
    await closeAllReverted();
  });

  for (const save of [false, true])
    it(`the demo quick fix on shipping.ts: after Accept the cursor is at the fix, not on the last line${save ? ' (saved while pending, as auto-save does)' : ''}`, async () => {
      const doc = await vscode.workspace.openTextDocument(workspaceUri('demo/shipping.ts'));
      const ed = await vscode.window.showTextDocument(doc);
      await waitFor(
        () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error),
        'the TypeScript error (subtotl)',
        60_000,
      );
      const diag = vscode.languages
        .getDiagnostics(doc.uri)
        .find((d) => d.severity === vscode.DiagnosticSeverity.Error)!;
      ed.selection = new vscode.Selection(diag.range.start, diag.range.start); // where Ctrl+. was pressed
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        diag.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find((x) => /Spark Edit/.test(x.title))!;
      assert.ok(fix, 'the quick fix is offered');
      await vscode.commands.executeCommand(fix.command!.command, ...(fix.command!.arguments ?? []));
      const v = a.sessions().find((s) => s.document === doc)!;
      assert.ok(v, 'a pending fix');
      await v.session.whenSettled();
      // The answer has ended, but the preview's last coalesced document edit may not have landed yet (flaky in CI:
      // it removed a line above the cursor after the test had placed it, "lines 8+1→0", so the save saw line 8).
      await v.settled();
      // The cursor on the misspelled (removed) line of the pending diff, as the user left it.
      const misspelled = doc
        .getText()
        .split('\n')
        .findIndex((l) => l.includes('subtotl >='));
      ed.selection = new vscode.Selection(misspelled, 6, misspelled, 6);
      await waitFor(() => ed.selection.active.line === misspelled, 'the cursor on the misspelled line');
      const pendingAt = ed.selection.active.line;
      if (save) {
        await doc.save();
        const afterSave = ed.selection.active.line;
        await a.whenShownAgain(doc);
        assert.equal(
          ed.selection.active.line,
          pendingAt,
          `a save while pending leaves the cursor where it was (right after the save: line ${afterSave}); ${a
            .logLines()
            .filter((l) => /cursor|save/.test(l))
            .slice(-6)
            .join(' | ')}`,
        );
      }
      await vscode.commands.executeCommand('sparkEdit.acceptAll', { sessionId: v.session.id });
      await waitFor(() => v.isEnded, 'accepted');
      assert.match(doc.getText(), /if \(subtotal >= FREE_SHIPPING_FROM\)/, 'the misspelled name is fixed');
      const fixedLine = doc
        .getText()
        .split('\n')
        .findIndex((l) => l.includes('subtotal >='));
      const at = ed.selection.active;
      assert.ok(
        Math.abs(at.line - fixedLine) <= 1,
        `the cursor is at (or next to) the fixed line ${fixedLine + 1}, not at line ${at.line + 1} of ${doc.lineCount}`,
      );
      assert.ok(ed.selection.isEmpty, 'no selection appeared');
    });
});

describe('Issue 15 polish: the chat badge shows the whole model name at the default side-bar width', function () {
  this.timeout(90_000);
  it('"demo model" is not cut off (the page is read; screenshot chat-badge.png)', async function () {
    const a = await api();
    await useDefaults(a);
    await a.ready();
    await vscode.commands.executeCommand('sparkEdit.chat.focus');
    await a.chat().whenReady();
    if (!(await domTexts('chat-badge-probe', '#model.model-badge'))) this.skip(); // no launcher to read the page
    let badge: { text: string; clipped?: boolean; width?: number } | undefined;
    await waitFor(async () => {
      // The chat shown (laid out, not a hidden webview of before), saying demo model.
      badge = (await domTexts('chat-badge', '#model.model-badge'))?.find((b) => (b.width ?? 0) > 0);
      return badge?.text === 'demo model';
    }, 'the chat badge shown, saying demo model');
    await screenshot('chat-badge');
    // Read again, as the screenshot shows it (the first read may come before the webview's layout settles).
    const shown = (await domTexts('chat-badge-shown', '#model.model-badge'))!.filter((b) => (b.width ?? 0) > 0);
    assert.ok(shown.length > 0, 'the badge is shown');
    for (const b of [badge!, ...shown])
      assert.equal(
        b.clipped,
        false,
        `the badge is cut off (an ellipsis): ${JSON.stringify(b)}; see test-artifacts/chat-badge.png`,
      );
    const toolbar = await domTexts('chat-toolbar', '.toolbar > *');
    const cut = toolbar!.filter((e) => e.clipped && (e.width ?? 0) > 0).map((e) => e.text);
    assert.deepEqual(cut, [], 'nothing in the chat toolbar is cut off');
  });
});
