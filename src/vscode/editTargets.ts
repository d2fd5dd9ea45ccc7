import * as vscode from 'vscode';
import { indentBlock } from '../core/blocks';

/** The whole lines a non-empty selection covers: a selection ending at the start of a line does not take that line. */
export function selectedLines(sel: vscode.Selection): { start: number; end: number } {
  const start = sel.start.line;
  const end = sel.end.character === 0 && sel.end.line > start ? sel.end.line - 1 : sel.end.line;
  return { start, end };
}

/** The lines an edit targets: the selection (whole lines), or the enclosing function/class around the cursor. */
export async function targetLines(editor: vscode.TextEditor): Promise<{ start: number; end: number }> {
  const sel = editor.selection;
  return sel.isEmpty ? enclosingBlock(editor.document, sel.active) : selectedLines(sel);
}

/** The innermost function/class/method around a position, from the document's symbols (whole lines). */
export async function enclosingBlock(
  doc: vscode.TextDocument,
  pos: vscode.Position,
): Promise<{ start: number; end: number }> {
  try {
    const symbols = await Promise.race([
      vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000)),
    ]);
    let best: vscode.DocumentSymbol | undefined;
    const walk = (list: vscode.DocumentSymbol[] | undefined) => {
      for (const s of list ?? []) {
        if (!s.range || !s.range.contains(pos)) continue;
        // Named functions, methods and classes: not anonymous callbacks ("then() callback", "<function>").
        const anonymous = /callback$|^<|^\(anonymous/.test(s.name);
        if (
          !anonymous &&
          [
            vscode.SymbolKind.Function,
            vscode.SymbolKind.Method,
            vscode.SymbolKind.Class,
            vscode.SymbolKind.Constructor,
          ].includes(s.kind)
        )
          best = s;
        walk(s.children);
      }
    };
    walk(symbols ?? undefined);
    if (best) return { start: best.range.start.line, end: best.range.end.line };
  } catch {
    /* no symbol provider */
  }
  // No symbols (none for this language, or its server is still starting): go by indentation.
  const lines: string[] = [];
  for (let i = 0; i < doc.lineCount; i++) lines.push(doc.lineAt(i).text);
  return indentBlock(lines, pos.line);
}
