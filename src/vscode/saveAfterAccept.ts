import * as vscode from 'vscode';
import { NEW_FILE_SCHEME } from './newFilePreviews';
import type { SessionView } from './preview';

/**
 * The rule for saving after Accept (issue 15: the first accept saved the file, later ones — the quick fix, a rename
 * over three files, after Undo — left files dirty): **an accepted edit is saved iff its file had no unsaved changes
 * when the edit started**; a file with unsaved changes of the user's is left unsaved. Every accept path ends a preview
 * (Accept All from the lens, the title or the keys; the last per-hunk decision; chat Apply; a quick fix; each file of
 * a rename or a deep edit; a preview shown again by Undo, which keeps the flag of the edit it belongs to), so the rule
 * is applied there, once the file holds no other pending preview (a save would set those aside: SaveGuard). Untitled
 * files and new-file previews are not saved (Accept writes a new file itself).
 */
export class SaveAfterAccept {
  /**
   * Per edit: the file was clean when it started. Kept by session and by prompt input (a redirect makes a new one;
   * a preview shown again by Undo has the one it had when Undo's snapshot was taken).
   */
  private readonly cleanAtStart = new WeakMap<object, boolean>();
  private readonly toSave = new Set<vscode.TextDocument>();

  constructor(private readonly log: (m: string) => void) {}

  /** An edit starts in `doc` (before its first document edit). */
  started(view: SessionView): void {
    const clean = !view.document.isDirty;
    this.cleanAtStart.set(view.session, clean).set(view.session.promptInput, clean);
  }

  /** The preview changed: its prompt input now (a redirect makes a new one) is the edit's too (Undo's snapshots). */
  follow(view: SessionView): void {
    const clean = this.cleanAtStart.get(view.session);
    if (clean !== undefined) this.cleanAtStart.set(view.session.promptInput, clean);
  }

  /**
   * A preview ended (accepted, rejected or dropped); `othersPending`: the file holds other previews still; `moving`:
   * the undo guard or a save is moving the file through its history (a preview it replaces is no decision).
   */
  ended(view: SessionView, othersPending: boolean, moving: boolean): void {
    const doc = view.document;
    // Decided: nothing left pending (a preview dropped by Undo, closed or replaced still has pending hunks).
    const decided = !moving && view.region.pendingHunks().length === 0;
    const accepted = decided && view.region.hunks.some((h) => h.state === 'accepted');
    // A preview shown again by Undo/Redo has a session of its own, and the prompt input of the edit it belongs to.
    const clean = this.cleanAtStart.get(view.session) ?? this.cleanAtStart.get(view.session.promptInput);
    if (accepted && clean) this.toSave.add(doc);
    if (othersPending || moving || !this.toSave.delete(doc)) return;
    if (doc.isClosed || doc.isUntitled || doc.uri.scheme === NEW_FILE_SCHEME || !doc.isDirty) return;
    const rel = vscode.workspace.asRelativePath(doc.uri);
    void Promise.resolve(doc.save()).then(
      (ok) =>
        this.log(`${rel}: ${ok ? 'saved after Accept (it had no unsaved changes before the edit)' : 'not saved'}`),
      (e) => this.log(`${rel}: not saved after Accept: ${String(e)}`),
    );
  }
}
