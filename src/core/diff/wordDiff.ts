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
 * Word-level highlights (issue 11): within each hunk, removed lines are paired with the added lines they most
 * resemble (in order: see pairRows), and the tokens that differ in each pair are returned, so a rename shows what
 * changed instead of a red and a green line. A token is highlighted whole (issue 15); a change of indentation is
 * never highlighted and never shifts the pairing. Pairs of lines with little in common are left to the whole-line
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
    const pairs = pairRows(
      dels.map((r) => rows[r].text),
      adds.map((r) => rows[r].text),
    );
    for (const [d, a] of pairs)
      out.push(...pairHighlights(rows[dels[d]].text, rows[adds[a]].text, dels[d], adds[a], maxLineLength));
  }
  return out;
}

/** The visible tokens of a line (whitespace left out). */
const visibleTokens = (line: string) => codeTokens(line).filter((t) => t.trim());

/** How alike two lines are, from 0 to 1: the share of their visible tokens they have in common (as multisets). */
export function lineSimilarity(a: string, b: string): number {
  const ta = visibleTokens(a),
    tb = visibleTokens(b);
  if (!ta.length || !tb.length) return 0;
  const count = new Map<string, number>();
  for (const t of ta) count.set(t, (count.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of tb) {
    const c = count.get(t) ?? 0;
    if (c > 0) {
      common++;
      count.set(t, c - 1);
    }
  }
  return (2 * common) / (ta.length + tb.length);
}

/** Below this, a removed and an added line are different lines (one was removed, the other written anew). */
const MIN_SIMILARITY = 0.4;
/** Hunks larger than this (removed × added lines) are paired in order, without the search. */
const MAX_PAIRING_CELLS = 40_000;

/**
 * Which removed line (index in `a`) became which added line (index in `b`): the in-order pairing of the most alike
 * lines (a dynamic programme over the hunk, maximising the total similarity; pairs below MIN_SIMILARITY are never
 * made). So a block wrapped in `try {`…`}` pairs each line with its re-indented self, not with the line above it.
 */
export function pairRows(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  if (!a.length || !b.length) return [];
  const sim = (i: number, j: number) => lineSimilarity(a[i], b[j]);
  if (a.length * b.length > MAX_PAIRING_CELLS) {
    const out: Array<[number, number]> = [];
    for (let k = 0; k < Math.min(a.length, b.length); k++) if (sim(k, k) >= MIN_SIMILARITY) out.push([k, k]);
    return out;
  }
  const w = b.length + 1;
  const score = new Float64Array((a.length + 1) * w);
  const s = new Float64Array(a.length * b.length);
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const x = sim(i - 1, j - 1);
      s[(i - 1) * b.length + (j - 1)] = x;
      const diag = x >= MIN_SIMILARITY ? score[(i - 1) * w + j - 1] + x : -1;
      score[i * w + j] = Math.max(score[(i - 1) * w + j], score[i * w + j - 1], diag);
    }
  const out: Array<[number, number]> = [];
  for (let i = a.length, j = b.length; i > 0 && j > 0;) {
    const x = s[(i - 1) * b.length + (j - 1)];
    if (x >= MIN_SIMILARITY && score[i * w + j] === score[(i - 1) * w + j - 1] + x) {
      out.push([i - 1, j - 1]);
      i--;
      j--;
    } else if (score[i * w + j] === score[(i - 1) * w + j]) i--;
    else j--;
  }
  return out.reverse();
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * The changed tokens of one removed/added pair; none when the lines are long or share no visible token. The
 * leading whitespace of each line is left out of the comparison: a re-indented line highlights only what changed.
 */
function pairHighlights(a: string, b: string, delRow: number, addRow: number, maxLineLength: number): CharRange[] {
  if (a.length > maxLineLength || b.length > maxLineLength) return [];
  const ia = indentOf(a),
    ib = indentOf(b);
  const parts = diffArrays(codeTokens(a.slice(ia)), codeTokens(b.slice(ib)));
  let same = 0;
  for (const p of parts) if (!p.added && !p.removed) for (const t of p.value) if (t.trim()) same += t.length;
  if (same === 0) return []; // nothing in common: the line colours say it all
  const out: CharRange[] = [];
  let ca = ia,
    cb = ib;
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
