import { diffArrays } from 'diff';

/** Characters to highlight inside a changed line (region-relative row, [from, to) columns). */
export interface CharRange {
  row: number;
  from: number;
  to: number;
  kind: 'add' | 'del';
}

interface RowLike {
  kind: string;
  text: string;
  hunk: { id: number } | null;
}

/**
 * The code tokens of a line, in order, covering it: string literals (quotes included, an unclosed one to the end),
 * identifiers, numbers (with a fraction, exponent or suffix), runs of whitespace, and each other character alone.
 * Highlights snap to these, so `sum` → `subtotal` marks the whole word, never "su[m]btotal" (issue 15).
 */
const TOKEN =
  /"(?:[^"\\]|\\.)*"?|(?<![\p{L}\p{N}_])'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?|[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*|\.?\d(?:[eE][+-]|[\w.])*|\s+|[^]/gu;
export function codeTokens(line: string): string[] {
  return line.match(TOKEN) ?? [];
}

/**
 * The changed middle of a one-line change, snapped to whole tokens: [from, to) of `a` is replaced by `insert`
 * (the common token prefix and suffix kept). Null when the lines are equal.
 */
export function changedSpan(a: string, b: string): { from: number; to: number; insert: string } | null {
  if (a === b) return null;
  const ta = codeTokens(a),
    tb = codeTokens(b);
  let p = 0;
  while (p < ta.length && p < tb.length && ta[p] === tb[p]) p++;
  let q = 0;
  while (q < ta.length - p && q < tb.length - p && ta[ta.length - 1 - q] === tb[tb.length - 1 - q]) q++;
  const len = (ts: string[], n: number) => ts.slice(0, n).join('').length;
  const from = len(ta, p),
    to = len(ta, ta.length - q);
  return { from, to, insert: b.slice(len(tb, p), len(tb, tb.length - q)) };
}

/**
 * Word-level highlights (issue 11): within each hunk, removed lines are paired in order with added lines, and the
 * tokens that differ in each pair are returned, so a rename shows what changed instead of a red and a green line.
 * A token is highlighted whole (issue 15). Pairs of lines with nothing in common are left to the whole-line
 * colours. Cost follows the changed lines only.
 */
export function changedChars(rows: readonly RowLike[], maxLineLength = 400): CharRange[] {
  const out: CharRange[] = [];
  let i = 0;
  while (i < rows.length) {
    const h = rows[i].hunk;
    if (!h) {
      i++;
      continue;
    }
    const dels: number[] = [],
      adds: number[] = [];
    let j = i;
    for (; j < rows.length && rows[j].hunk === h; j++) {
      if (rows[j].kind === 'del') dels.push(j);
      else if (rows[j].kind === 'add') adds.push(j);
    }
    i = j;
    for (let k = 0; k < Math.min(dels.length, adds.length); k++)
      out.push(...pairHighlights(rows[dels[k]].text, rows[adds[k]].text, dels[k], adds[k], maxLineLength));
  }
  return out;
}

/** The changed tokens of one removed/added pair; none when the lines are long or share no visible token. */
function pairHighlights(a: string, b: string, delRow: number, addRow: number, maxLineLength: number): CharRange[] {
  if (a.length > maxLineLength || b.length > maxLineLength) return [];
  const parts = diffArrays(codeTokens(a), codeTokens(b));
  let same = 0;
  for (const p of parts) if (!p.added && !p.removed) for (const t of p.value) if (t.trim()) same += t.length;
  if (same === 0) return []; // nothing in common: the line colours say it all
  const out: CharRange[] = [];
  let ca = 0,
    cb = 0;
  for (const p of parts) {
    for (const t of p.value) {
      // Each changed token (whitespace is never highlighted).
      if (p.removed || p.added) {
        const row = p.removed ? delRow : addRow,
          at = p.removed ? ca : cb;
        const last = out[out.length - 1];
        if (!t.trim()) {
          /* whitespace: never highlighted */
        } else if (last && last.row === row && last.to === at)
          last.to = at + t.length; // one range per changed run
        else out.push({ row, from: at, to: at + t.length, kind: p.removed ? 'del' : 'add' });
      }
      if (!p.added) ca += t.length;
      if (!p.removed) cb += t.length;
    }
  }
  return out;
}
