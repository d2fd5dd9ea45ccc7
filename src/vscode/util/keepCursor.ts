import * as vscode from 'vscode';
import { mapLineThroughReplace } from '../../core/diff/cursorMap';

/**
 * Replace `oldCount` lines at `startLine` by `newLines` through `apply`, keeping the editor's cursors and selections
 * where the user left them (see mapLineThroughReplace): only when the edit landed and nothing else changed the
 * document meanwhile, and only for cursors that were inside the replaced lines (VS Code maps the others right).
 */
export async function keepingCursor(
  editor: vscode.TextEditor | undefined,
  startLine: number,
  oldCount: number,
  newLines: readonly string[],
  apply: () => Thenable<boolean>,
  log?: (m: string) => void,
): Promise<boolean> {
  if (!editor) return apply();
  const doc = editor.document;
  const oldLines: string[] = [];
  for (let i = startLine; i < Math.min(doc.lineCount, startLine + oldCount); i++) oldLines.push(doc.lineAt(i).text);
  const before = editor.selections;
  const v0 = doc.version;
  // The user moved the cursor (a click, an arrow key) while the edit was on its way: where it is now is theirs, and
  // `before` is stale (issue 11, HB: putting it back there sent the next keys to a line the user had left).
  let moved = false;
  const watch = vscode.window.onDidChangeTextEditorSelection((e) => {
    if (e.textEditor === editor && e.kind !== undefined) moved = true;
  });
  let ok: boolean;
  try {
    ok = await apply();
  } finally {
    watch.dispose();
  }
  const inside = (p: vscode.Position) => p.line >= startLine && p.line < startLine + oldLines.length;
  if (
    !ok ||
    moved ||
    doc.version !== v0 + 1 ||
    doc.isClosed ||
    !before.some((s) => inside(s.anchor) || inside(s.active))
  ) {
    log?.(
      `cursor: not kept (edit ${ok ? 'applied' : 'failed'}${moved ? ', moved meanwhile' : ''}, version ${v0}→${doc.version}, lines ${startLine}+${oldLines.length}, cursor ${before.map((x) => x.active.line).join(',')})`,
    );
    return ok;
  }
  const map = (p: vscode.Position) => {
    const line = Math.min(doc.lineCount - 1, startLine + mapLineThroughReplace(oldLines, newLines, p.line - startLine));
    return new vscode.Position(line, Math.min(p.character, doc.lineAt(line).text.length));
  };
  const next = before.map((s) => new vscode.Selection(map(s.anchor), map(s.active)));
  log?.(
    `cursor: lines ${startLine}+${oldLines.length}→${newLines.length}: line ${before[0].active.line} → ${next[0].active.line} (VS Code put it at ${editor.selections[0]?.active.line})`,
  );
  if (next.some((s, i) => !editor.selections[i]?.isEqual(s)) || next.length !== editor.selections.length)
    editor.selections = next;
  return ok;
}
