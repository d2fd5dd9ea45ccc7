import * as vscode from 'vscode';

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
 * as the extension host can. The lock is lifted (the file's own read-only state again) once the instruction is
 * sent or cancelled, before any edit is made.
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
      } catch (e) {
        log(`prompt: could not lock the code while the box opens: ${String(e)}`);
      }
    }
    return lock;
  }

  /** The code takes typing again (idempotent). Its editor is made active first: the command acts on that one. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const doc = this.editor.document;
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
      // The active editor tab (the box at the code is inside it, though the API's active text editor is the box).
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      if (!(tab instanceof vscode.TabInputText && tab.uri.toString() === doc.uri.toString()))
        await vscode.window.showTextDocument(doc, { viewColumn: this.editor.viewColumn, preserveFocus: false });
      await vscode.commands.executeCommand(RESET_READONLY);
    } catch {
      /* the window is closing */
    }
  }
}
