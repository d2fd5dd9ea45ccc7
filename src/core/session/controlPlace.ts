import type { Hunk, Row } from './region';

/**
 * Columns a row may take and still show the per-hunk controls after its end (" ✓ Accept  ✗ Reject (Ctrl/⌘+click)",
 * ~35 columns) in an editor ~110 columns wide (code-server at 1400 px with the side bar open). Past it, the controls
 * at the row's end sat beyond the editor's right edge (session 10: Add Tests' new file, whose line 1 is long).
 */
export const SHORT_ROW = 72;

/** Columns of a row's text as drawn, a tab counted as `tabSize`. */
export function rowColumns(text: string, tabSize = 4): number {
  let n = 0;
  for (const ch of text) n += ch === '\t' ? tabSize - (n % tabSize) : 1;
  return n;
}

/**
 * Where a pending hunk's controls go: a region row, and whether after its text ('end') or before it ('start').
 * Never on a removed row (struck through and faded, and so would be the control). The hunk's first added row that is
 * short (≤ SHORT_ROW columns) with the controls at its end; when every added row is long, the first added row with
 * the controls BEFORE its text (its code moves right, the controls are always reachable); while a row streams in it
 * counts as it is now. A hunk that only removes: the end of the row above it, else of the row below it (either may be
 * just outside the region, -1 or rows.length, if the document has that line). Undefined when both neighbours are
 * removed rows or missing.
 */
export function controlPlace(
  rows: readonly Row[],
  h: Hunk,
  first: number,
  exists: (row: number) => boolean,
  tabSize = 4,
): { row: number; at: 'end' | 'start' } | undefined {
  let firstAdded: number | undefined;
  for (let r = first; r < rows.length && rows[r].hunk === h; r++)
    if (rows[r].kind === 'add' || rows[r].kind === 'part') {
      if (rowColumns(rows[r].text, tabSize) <= SHORT_ROW) return { row: r, at: 'end' };
      firstAdded ??= r;
    }
  if (firstAdded !== undefined) return { row: firstAdded, at: 'start' };
  const shown = (r: number) =>
    exists(r) && (r < 0 || r >= rows.length || (rows[r].kind !== 'del' && rows[r].kind !== 'part'));
  if (shown(first - 1)) return { row: first - 1, at: 'end' };
  let end = first;
  while (end < rows.length && rows[end].hunk === h) end++;
  return shown(end) ? { row: end, at: 'end' } : undefined;
}
