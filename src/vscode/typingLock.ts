import * as vscode from 'vscode';
import { activeTabShows } from './util/codeEditor';

const SET_READONLY = 'workbench.action.files.setActiveEditorReadonlyInSession';
const RESET_READONLY = 'workbench.action.files.resetActiveEditorReadonlyInSession';

/**
 * The code cannot be typed into while the instruction box opens (issue 15: a fast typist's keys, typed between
 * Ctrl+I and the box having the keyboard, replaced the selected function and auto-save wrote it).
 *
 * The Ctrl+I keybinding runs `runCommands`: first VS Code's own "set active editor read-only in session", in the
 * workbench, before anything reaches the extension host (which can take a second on a cold first Ctrl+I); then
 * Edit Selection, with `typingLocked`. Keys typed into the code meanwhile are refused by the editor ("Cannot edit in
 * read-only editor"), never applied. Invoked otherwise (command palette, a menu), the lock is taken here, as early
 * as the extension host can. The lock is lifted (the file's own read-only state again) as soon as the box has the
 * keyboard (the keys go there; Spark Edit's own edits to the file, e.g. a decision on another pending edit, work
 * again), else once the instruction is sent or cancelled, before any edit is made.
 */
export class TypingLock {
  private released = false;

  private constructor(private readonly editor: vscode.TextEditor) {}

  /** Locks `editor` (its document read-only in this session) unless the keybinding already did. */
  static async take(editor: vscode.TextEditor, lockedByKey: boolean, log: (m: string) => void): Promise<TypingLock> {
    const lock = new TypingLock(editor);
    if (!lockedByKey) {
      try {
        if (vscode.window.activeTextEditor?.document === editor.document)
          await vscode.commands.executeCommand(SET_READONLY);
        else lock.released = true; // not the active editor: nothing locked, nothing to lift
      } catch (e) {
        lock.released = true;
        log(`prompt: could not lock the code while the box opens: ${String(e)}`);
      }
    }
    return lock;
  }

  /** Lifts the lock of the active editor tab (the keybinding took it, but there is no text editor to edit). */
  static async lift(): Promise<void> {
    await Promise.resolve(vscode.commands.executeCommand(RESET_READONLY)).catch(() => undefined);
  }

  /**
   * The code takes typing again (idempotent). Its editor is made active first: the command acts on that one. With
   * `inPlace`, only if its tab is the active one already (the box has the keyboard: it must keep it).
   */
  async release(inPlace = false): Promise<void> {
    if (this.released) return;
    const doc = this.editor.document;
    if (inPlace && !(!doc.isClosed && activeTabShows(doc))) return;
    this.released = true;
    if (doc.isClosed) {
      // Closed while the box was open: lifted when the file shows again (the session's read-only state stays).
      const uri = doc.uri.toString();
      const sub = vscode.window.onDidChangeActiveTextEditor((ed) => {
        if (ed?.document.uri.toString() !== uri) return;
        sub.dispose();
        void vscode.commands.executeCommand(RESET_READONLY);
      });
      return;
    }
    try {
      if (!activeTabShows(doc))
        await vscode.window.showTextDocument(doc, { viewColumn: this.editor.viewColumn, preserveFocus: false });
      await vscode.commands.executeCommand(RESET_READONLY);
    } catch {
      /* the window is closing */
    }
  }
}
