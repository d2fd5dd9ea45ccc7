import * as vscode from 'vscode';

/**
 * What the tab's dirty mark (●) says with Spark Edit (issue 11, HB round 8): **the document differs from the file on
 * disk**, as for any file. A pending diff is in the document, never on disk (a save writes the original plus your
 * typing: saveGuard.ts), so while one shows the tab is dirty, also right after Ctrl+S, in every state (streaming,
 * pending, after a per-hunk decision, after a redirect the model declined). The public API cannot write other text
 * than the document's nor clear the mark without a save, so that is the one consistent meaning.
 *
 * The other half: when a decision brings the document back to exactly what the file holds (Reject All after a save
 * wrote the original), VS Code still marks it dirty (it counts edits, not texts) and the newcomer saw a ● on a file
 * that had nothing unsaved. Then, and only then, the same bytes are saved again: the file's content does not change
 * and the mark goes.
 */
export async function cleanIfOnDisk(doc: vscode.TextDocument, stillQuiet: () => boolean, log: (m: string) => void) {
  if (doc.isClosed || doc.isUntitled || doc.uri.scheme !== 'file' || !doc.isDirty) return;
  const version = doc.version;
  let onDisk: string;
  try {
    onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
  } catch {
    return;
  }
  // Not if anything changed meanwhile (a keystroke, another edit): only a document that is the file, byte for byte.
  if (doc.isClosed || doc.version !== version || !doc.isDirty || !stillQuiet() || onDisk !== doc.getText()) return;
  log(
    `${vscode.workspace.asRelativePath(doc.uri)}: the document is what the file holds again; saved (same bytes) so it is not marked dirty`,
  );
  await doc.save();
}
