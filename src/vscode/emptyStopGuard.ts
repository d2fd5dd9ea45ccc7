import * as vscode from 'vscode';
import type { Command } from './commandManager';

/** How long after an Esc that kept nothing Ctrl+Backspace / Ctrl+Enter say so instead of editing (at most). */
export const EMPTY_STOP_GUARD_MS = 10_000;
/** The stop's own clean-up edits land within this; a document change after it is the user's. */
const CLEANUP_MS = 500;

/**
 * Session 10: a newcomer pressed Esc mid-stream (it kept nothing: no change was whole yet), then Ctrl+Backspace as
 * the box had said ("Esc, then Reject All"): with nothing pending that is the editor's delete-word, and it edited
 * their code. After such a stop, `sparkEdit.stoppedEmpty` routes Ctrl+Backspace / Ctrl+Enter here (package.json):
 * the first press says nothing is pending and changes nothing, and ends the guard, so a second press is the
 * editor's own again. The guard also ends when the user edits that document, or after EMPTY_STOP_GUARD_MS (time to
 * read the stop's notice). The cost: one press answered with a notice instead of a delete-word (or Ctrl+Enter) for a
 * user who meant it right after an empty stop.
 */
export class EmptyStopGuard implements Command {
  readonly id = 'sparkEdit.nothingPending';
  private armed: { timer: ReturnType<typeof setTimeout>; edits: vscode.Disposable; why: 'stop' | 'cancel' } | undefined;

  /**
   * An Esc just stopped an edit of `doc` and kept nothing ('stop'), or cancelled the instruction box at `doc`, whose
   * lines are selected again ('cancel', session 12: Ctrl+Backspace then deleted the selection).
   */
  arm(doc: vscode.TextDocument, why: 'stop' | 'cancel' = 'stop'): void {
    this.end();
    const at = Date.now();
    void vscode.commands.executeCommand('setContext', 'sparkEdit.stoppedEmpty', true);
    this.armed = {
      why,
      timer: setTimeout(() => this.end(), EMPTY_STOP_GUARD_MS),
      edits: vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === doc && e.contentChanges.length && Date.now() - at > CLEANUP_MS) this.end();
      }),
    };
  }

  private end(): void {
    if (!this.armed) return;
    clearTimeout(this.armed.timer);
    this.armed.edits.dispose();
    this.armed = undefined;
    void vscode.commands.executeCommand('setContext', 'sparkEdit.stoppedEmpty', false);
  }

  execute(what?: 'accept' | 'reject') {
    const why = this.armed?.why ?? 'stop';
    this.end();
    const key = what === 'accept' ? 'Ctrl+Enter' : 'Ctrl+Backspace';
    const cause =
      why === 'cancel' ? 'the instruction box was cancelled (Esc), nothing was sent' : 'the stop (Esc) kept nothing';
    void vscode.window.showInformationMessage(
      `Spark Edit: nothing to ${what ?? 'reject'}: ${cause}, your code is as it was. ${key} again is the editor's own.`,
    );
  }
}
