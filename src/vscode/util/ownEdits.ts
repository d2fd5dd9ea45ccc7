import type * as vscode from 'vscode';

/**
 * A test seam (issue 11, HA): called in the same tick as each of Spark Edit's own document edits, right before it is
 * sent (a preview's flush, a save's set-aside and its restore). A test makes its own edit here, which reaches the editor
 * first: the user's keystroke landing between our edit's construction and its application, on demand instead of by
 * the luck of a loaded machine. Never set outside tests.
 * `previewSent`: called right AFTER a preview flush is sent, with its decorations (issue 11, HA8): a keystroke made there
 * reaches the editor after our edit and before anything the extension host does once it hears the edit landed (in the
 * browser every key is a round trip to the extension host while the flushes go on); a redraw made there comes while
 * the edit is on its way.
 */
export type OwnEditKind = 'preview' | 'previewSent' | 'setAside' | 'restore';
export type BeforeOwnEdit = (doc: vscode.TextDocument, what: OwnEditKind) => void;

let hook: BeforeOwnEdit | undefined;

export function setBeforeOwnEdit(h: BeforeOwnEdit | undefined): void {
  hook = h;
}

export function beforeOwnEdit(doc: vscode.TextDocument, what: OwnEditKind): void {
  hook?.(doc, what);
}
