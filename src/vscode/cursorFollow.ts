import * as vscode from 'vscode';
import type { FlushPlan, PreviewRegion, Row } from '../core/session/region';
import { anchoredPieces } from '../core/diff/anchoredEdit';

/** One replacement in the document (what `editor.edit` is given). */
export interface DocPiece {
  range: vscode.Range;
  text: string;
}

/** Where a cursor end was before one of the stream's edits: on which region row, at which column of its text. */
interface RowPlace {
  row: Row;
  /** Column in the row's text (the removed-row prefix not counted). */
  col: number;
  /** At the end of the line the stream is writing: it rides along with the end as the line grows. */
  atEnd: boolean;
  /** Lines below the start of the replaced range. */
  offset: number;
}

/**
 * Apply one of the stream's document edits (a flush replaces whole lines) keeping every cursor on the line of code it
 * was on, at the same place in that line's text (issue 11, HA). VS Code keeps a cursor inside replaced lines at the
 * same line and column, so as the stream rewrote the lines around it a cursor left at the end of the line being
 * written ended up inside the struck-through old line, and one in an old line below inside the model's new line:
 * the keys typed next landed there (the newcomer's `order.items.lengthmine B;`, and keys gone with a removed line).
 * A cursor at the end of the line the stream is writing follows that end (the model writes before it, as a
 * terminal does). The edit is made of pieces that leave the character after each cursor untouched
 * (core/diff/anchoredEdit.ts), so the editor itself puts the cursor there as it applies the edit (issue 11, HA8: in the
 * browser a key typed before the extension host moved the cursor back landed inside the model's text). Only for what
 * the pieces cannot promise (a selection, a character after the cursor that changes, CRLF), cursors inside the
 * replaced lines are moved afterwards, when the edit landed and nothing else changed the document meanwhile.
 */
export async function followingRows(
  editor: vscode.TextEditor,
  region: PreviewRegion,
  plan: FlushPlan,
  edit: DocPiece,
  apply: (pieces?: DocPiece[]) => Thenable<boolean>,
): Promise<boolean> {
  const doc = editor.document;
  const first = region.startLine + plan.from;
  const end = first + plan.deleteCount;
  const rows = plan.snapshot?.rows;
  const before = editor.selections;
  const inside = (p: vscode.Position) => p.line >= first && p.line < end;
  if (!rows || !before.some((s) => inside(s.anchor) || inside(s.active))) return apply();
  const rendered = region.renderedRows();
  const place = (p: vscode.Position): RowPlace | null => {
    if (!inside(p)) return null;
    const i = p.line - region.startLine;
    const row = rendered[i];
    if (!row) return null;
    const pre = region.hiddenColumns(i);
    const len = doc.lineAt(p.line).text.length;
    return {
      row,
      col: Math.max(0, p.character - pre),
      // The line being written: the unfinished row, or the added row it just became (an added row's text never changes
      // after that, so for the others "at the end" stays where it was).
      atEnd: (row.kind === 'part' || row.kind === 'add') && !row.userEdited && p.character >= len,
      offset: p.line - first,
    };
  };
  const places = before.map((s) => [place(s.anchor), place(s.active)] as const);
  const lines = plan.lines;
  const prefix = region.removedPrefix;
  const v0 = doc.version;
  const map = (p: vscode.Position, at: RowPlace | null): vscode.Position => {
    if (!at) return p;
    const k = rows.indexOf(at.row);
    if (k < 0) {
      // Its row went (the unfinished line dropped): the line now at that place, same column.
      const line = Math.min(doc.lineCount - 1, first + Math.min(at.offset, Math.max(0, rows.length - 1)));
      const len = doc.lineAt(line).text.length;
      return new vscode.Position(line, at.atEnd ? len : Math.min(at.col, len));
    }
    const text = lines[k];
    const pre = prefix && rows[k].kind === 'del' && text.startsWith(prefix) ? prefix.length : 0;
    return new vscode.Position(first + k, at.atEnd ? text.length : Math.min(text.length, at.col + pre));
  };
  const pieces = anchored(doc, edit, first, lines, before, places, map);
  const ok = await apply(pieces ?? undefined);
  // The pieces put every cursor in place as the editor applied them: nothing to move (issue 11, HA8b). A move here is
  // worse than none: `before` is what the extension host knew when the edit was made, and in the browser the
  // selection can reach it after the keystroke's text does: the move then took the cursor back to where the user's
  // previous key was typed (column 0 of the line the withdrawal left: ` /*kk3*/` ended as `/*kk3*/ `).
  if (pieces || !ok || doc.version !== v0 + 1 || doc.isClosed) return ok;
  const next = before.map((s, i) => new vscode.Selection(map(s.anchor, places[i][0]), map(s.active, places[i][1])));
  if (next.some((s, i) => !editor.selections[i]?.isEqual(s)) || next.length !== editor.selections.length)
    editor.selections = next;
  return ok;
}

/**
 * The edit as pieces that leave the character after each cursor inside it untouched (see anchoredPieces), or null:
 * a selection inside it, a document with CRLF line ends, or a cursor the pieces cannot bring to its place.
 * `map` gives each cursor's place once the edit landed (the document then holds `lines` from line `first`).
 */
function anchored(
  doc: vscode.TextDocument,
  edit: DocPiece,
  first: number,
  lines: readonly string[],
  before: readonly vscode.Selection[],
  places: ReadonlyArray<readonly [RowPlace | null, RowPlace | null]>,
  map: (p: vscode.Position, at: RowPlace | null) => vscode.Position,
): DocPiece[] | null {
  if (doc.eol !== vscode.EndOfLine.LF) return null;
  const start = doc.offsetAt(edit.range.start);
  const old = doc.getText(edit.range);
  // The new text's line starts: the document's line `first + k` begins after (first + k - start line) line ends of it.
  const lineStarts = [0];
  for (let i = edit.text.indexOf('\n'); i >= 0; i = edit.text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const newOffset = (p: vscode.Position): number => {
    const n = p.line - edit.range.start.line;
    if (n < 0 || n >= lineStarts.length) return -1;
    return lineStarts[n] + p.character - (n === 0 ? edit.range.start.character : 0);
  };
  const cursors: Array<{ at: number; to: number }> = [];
  for (let i = 0; i < before.length; i++) {
    const [a, b] = places[i];
    if (!a && !b) continue;
    if (!before[i].isEmpty) return null;
    const to = newOffset(map(before[i].active, b));
    if (to < 0 || map(before[i].active, b).line - first >= lines.length) return null;
    cursors.push({ at: doc.offsetAt(before[i].active) - start, to });
  }
  const pieces = anchoredPieces(old, edit.text, cursors);
  if (!pieces) return null;
  return pieces.map((x) => ({
    range: new vscode.Range(doc.positionAt(start + x.from), doc.positionAt(start + x.to)),
    text: x.text,
  }));
}
