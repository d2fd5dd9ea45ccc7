import * as vscode from 'vscode';

/**
 * The active editor of code: the active text editor, or, while the box at the code has the keyboard (its input is
 * then the active text editor, a document of scheme `comment`), the editor of the tab it sits in. The edit's context
 * keys (the title's ✓, Esc) are for that file then too (issue 17: the box now stays until the first hunk's controls
 * have landed, and the ✓ waited for the keyboard to come back).
 */
export function activeCodeEditor(): vscode.TextEditor | undefined {
  const ed = vscode.window.activeTextEditor;
  if (ed?.document.uri.scheme !== 'comment') return ed;
  const group = vscode.window.tabGroups.activeTabGroup;
  const tab = group.activeTab?.input;
  if (!(tab instanceof vscode.TabInputText)) return undefined;
  const uri = tab.uri.toString();
  const shown = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === uri);
  return shown.find((e) => e.viewColumn === group.viewColumn) ?? shown[0];
}

/** The active tab of the active group shows `doc` (the box at the code sits in that tab's editor, though the API's active text editor is the box). */
export function activeTabShows(doc: vscode.TextDocument): boolean {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return tab instanceof vscode.TabInputText && tab.uri.toString() === doc.uri.toString();
}
