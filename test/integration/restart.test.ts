import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import type { ModelServer } from '../../src/server/modelServer';
import type { SparkEditApi } from '../../src/vscode/extension';
import { api, closeAllReverted, openEditor, ORIGINAL, REWRITE, select, serverHooks, waitFor } from './helpers';

/**
 * The box's history survives a stopped server (session 9 newcomers: after code-server was restarted, ↑ in the box
 * recalled nothing). Two steps in two servers on the same user-data-dir: `SPARK_RESTART_GREP='box history survives'`
 * makes scripts/run-integration.mjs run the first step, SIGKILL code-server 2 s later, start it again with a new
 * browser and run the second step (SPARK_RESTARTED=1). A full run (no SPARK_TEST_GREP: `npm test`, CI) does this by
 * default. Without the restart the second step is skipped.
 */
const INSTRUCTION = 'restart-proof instruction 7d1';

const openBox = async (ed: vscode.TextEditor) => {
  select(ed, 2, 9);
  const asked = vscode.commands.executeCommand('sparkEdit.editSelection');
  await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'comment', 'the box', 20_000);
  return { asked, doc: vscode.window.activeTextEditor!.document };
};

describe('box history survives a server restart', function () {
  this.timeout(90_000);
  const restarted = process.env.SPARK_RESTARTED === '1';

  describe('before the restart', () => {
    let a!: SparkEditApi;
    let server!: ModelServer;
    serverHooks((x, s) => {
      a = x;
      server = s;
    });
    it('step 1: an instruction is sent from the box', async function () {
      if (restarted) this.skip();
      const ed = await openEditor(ORIGINAL);
      server.enqueue({ text: REWRITE.split('\n').slice(2, 10).join('\n') + '\n' });
      const { asked } = await openBox(ed);
      for (const ch of INSTRUCTION) await vscode.commands.executeCommand('type', { text: ch });
      await vscode.commands.executeCommand('sparkEdit.inlinePrompt.enter');
      await asked;
      const v = a.sessions().find((x) => !x.isEnded)!;
      await v.session.whenSettled();
      await v.rejectAll();
    });
  });

  describe('after the restart', () => {
    it('step 2: ↑ in the box recalls the instruction sent before the server was killed', async function () {
      if (!restarted) this.skip();
      await api();
      const ed = await openEditor(ORIGINAL);
      const { asked, doc } = await openBox(ed);
      // In a full run the browser flows send their own instructions after step 1 (and before the kill): the newest
      // comes first, so ↑ is pressed until it comes back (the history keeps 20 distinct ones).
      const seen: string[] = [];
      for (let i = 0; i < 20 && !seen.includes(INSTRUCTION); i++) {
        await vscode.commands.executeCommand('sparkEdit.inlinePrompt.older');
        const t = doc.getText();
        if (t === seen[seen.length - 1]) break; // the oldest one: ↑ goes no further
        seen.push(t);
      }
      await vscode.commands.executeCommand('sparkEdit.inlinePrompt.cancel');
      await asked;
      await closeAllReverted();
      assert.ok(seen.length > 0 && seen[0] !== '', '↑ recalled something after the restart');
      assert.ok(
        seen.includes(INSTRUCTION),
        `↑ recalled the instruction sent before the restart; it went through: ${JSON.stringify(seen)}`,
      );
    });
  });
});
