import type * as vscode from 'vscode';

/**
 * A test seam (issue 11, HA): called in the same tick as each of Spark Edit's own document edits, right before it is
 * sent (a preview's flush, a save's set-aside and its restore). A test makes its own edit here, which reaches the editor
 * first: the user's keystroke landing between our edit's construction and its application, on demand instead of by
 * the luck of a loaded machine. Never set outside tests.
 */
export type BeforeOwnEdit = (doc: vscode.TextDocument, what: 'preview' | 'setAside' | 'restore') => void;

let hook: BeforeOwnEdit | undefined;

export function setBeforeOwnEdit(h: BeforeOwnEdit | undefined): void {
  hook = h;
}

export function beforeOwnEdit(doc: vscode.TextDocument, what: 'preview' | 'setAside' | 'restore'): void {
  hook?.(doc, what);
}
