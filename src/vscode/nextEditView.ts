import * as vscode from 'vscode';
import type { NextEditSuggestion } from '../core/nextEdit/prompt';
import { changedSpan } from '../core/diff/wordDiff';

/**
 * How a next-edit suggestion is drawn: decorations only, never text in the document. Its own, lighter colours
 * (a dotted blue outline, struck-through old text, the new text as italic ghost text after it), not the red/green of
 * a requested edit, and a Tab hint: "Tab: accept" on the suggestion, "Tab: go to the suggestion" at the cursor
 * when the suggestion is elsewhere.
 */
export class NextEditView implements vscode.Disposable {
  private readonly removed = vscode.window.createTextEditorDecorationType({
    textDecoration: 'line-through',
    opacity: '0.6',
    border: '1px dotted',
    borderColor: new vscode.ThemeColor('sparkEdit.nextEditBorder'),
    backgroundColor: new vscode.ThemeColor('sparkEdit.nextEditBackground'),
  });
  private readonly inserted = vscode.window.createTextEditorDecorationType({});
  private readonly hint = vscode.window.createTextEditorDecorationType({});
  private drawnOn: vscode.TextEditor | undefined;

  show(ed: vscode.TextEditor, s: NextEditSuggestion, near: boolean) {
    this.clear();
    this.drawnOn = ed;
    const { removed, inserted } = shapes(ed.document, s);
    ed.setDecorations(this.removed, removed);
    ed.setDecorations(this.inserted, inserted);
    const hints: vscode.DecorationOptions[] = [];
    const lastLine = Math.min(ed.document.lineCount - 1, s.start + Math.max(1, s.oldLines.length) - 1);
    hints.push(hintAt(ed.document, lastLine, near ? '⇥ Tab: accept · Esc: dismiss' : '⇥ Tab: accept (after the jump)'));
    const cur = ed.selection.active.line;
    if (!near && cur !== lastLine)
      hints.push(hintAt(ed.document, cur, `⇥ Tab: go to the suggested edit on line ${s.start + 1}`));
    ed.setDecorations(this.hint, hints);
  }

  clear() {
    const ed = this.drawnOn;
    this.drawnOn = undefined;
    if (!ed) return;
    for (const t of [this.removed, this.inserted, this.hint]) ed.setDecorations(t, []);
  }

  dispose() {
    this.clear();
    this.removed.dispose();
    this.inserted.dispose();
    this.hint.dispose();
  }
}

const ghost = (text: string): vscode.ThemableDecorationAttachmentRenderOptions => ({
  contentText: text,
  fontStyle: 'italic',
  color: new vscode.ThemeColor('sparkEdit.nextEditText'),
  border: '1px dotted',
  borderColor: new vscode.ThemeColor('sparkEdit.nextEditBorder'),
  backgroundColor: new vscode.ThemeColor('sparkEdit.nextEditBackground'),
});

function hintAt(doc: vscode.TextDocument, line: number, text: string): vscode.DecorationOptions {
  const end = doc.lineAt(line).range.end;
  return {
    range: new vscode.Range(end, end),
    renderOptions: {
      after: {
        contentText: `  ${text}`,
        color: new vscode.ThemeColor('editorCodeLens.foreground'),
        fontStyle: 'italic',
      },
    },
  };
}

/**
 * Where to strike and where to show new text. Same number of lines: per line, the changed middle (common prefix and
 * suffix of whole tokens kept) is struck and its replacement follows it. Otherwise the old lines are struck whole and the new
 * lines follow the last one (or the line above, for an insertion), joined by ⏎.
 */
function shapes(
  doc: vscode.TextDocument,
  s: NextEditSuggestion,
): { removed: vscode.DecorationOptions[]; inserted: vscode.DecorationOptions[] } {
  const removed: vscode.DecorationOptions[] = [],
    inserted: vscode.DecorationOptions[] = [];
  if (s.oldLines.length && s.oldLines.length === s.newLines.length) {
    s.oldLines.forEach((a, i) => {
      const b = s.newLines[i];
      if (a === b) return;
      const span = changedSpan(a, b);
      if (!span) return;
      // Whole tokens (issue 15): "sum" → "subtotal" strikes "sum", never the "m" between "su" and "btotal".
      const r = new vscode.Range(s.start + i, span.from, s.start + i, span.to);
      if (!r.isEmpty) removed.push({ range: r });
      const add = span.insert;
      if (add) inserted.push({ range: new vscode.Range(r.end, r.end), renderOptions: { after: ghost(add) } });
    });
    return { removed, inserted };
  }
  s.oldLines.forEach((a, i) => {
    if (a.length) removed.push({ range: new vscode.Range(s.start + i, 0, s.start + i, a.length) });
  });
  const text = s.newLines.length ? s.newLines.map((l) => l.trim()).join(' ⏎ ') : '';
  if (text) {
    const at = s.oldLines.length ? s.start + s.oldLines.length - 1 : Math.max(0, s.start - 1);
    const end = doc.lineAt(Math.min(at, doc.lineCount - 1)).range.end;
    inserted.push({
      range: new vscode.Range(end, end),
      renderOptions: { after: ghost(`${s.oldLines.length || s.start === 0 ? ' → ' : ' ⏎ '}${text}`) },
    });
  }
  return { removed, inserted };
}
