import * as vscode from 'vscode';
import { EditSession } from '../core/session/editSession';

/**
 * Editor side of targeted edits (src/core/targeted): the whole-file scope ("/file …" in the instruction box) and the
 * message when blocks of an answer could not be placed (they were left out; nothing was changed there).
 */

/** `/file …`: the instruction applies to the whole file (targeted blocks make that fast). */
export function fileScope(instruction: string): { instruction: string; wholeFile: boolean } {
  const m = /^\/file\b\s*/i.exec(instruction.trim());
  return m
    ? { instruction: instruction.trim().slice(m[0].length), wholeFile: true }
    : { instruction, wholeFile: false };
}

/** Say so, visibly, when a targeted answer had blocks that could not be placed safely. */
export function reportLeftOutBlocks(session: EditSession, log: (m: string) => void): vscode.Disposable {
  return session.onEvent((e) => {
    if (e.kind !== 'notice') return;
    log(`edit ${session.id}: ${e.message}`);
    // Ask Again while what was placed is still pending (the session then lives on); otherwise select and ask again.
    const again = session.region.pendingHunks().length > 0 ? ['Ask Again'] : [];
    void vscode.window.showWarningMessage(`Spark Edit: ${e.message}`, ...again, 'Show Log').then((c) => {
      if (c === 'Ask Again') {
        if (!session.retryLeftOut())
          void vscode.window.showInformationMessage('Spark Edit: this edit is no longer pending.');
      } else if (c) void vscode.commands.executeCommand('sparkEdit.showLog');
    });
  });
}
