import { diffWords } from 'diff';

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
 * Word-level highlights (issue 11): within each hunk, removed lines are paired in order with added lines, and the
 * words that differ in each pair are returned, so a rename shows what changed instead of a red and a green line.
 * Pairs of lines with nothing in common are left to the whole-line colours. Cost follows the changed lines only.
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
    for (let k = 0; k < Math.min(dels.length, adds.length); k++) {
      const a = rows[dels[k]].text,
        b = rows[adds[k]].text;
      if (a.length > maxLineLength || b.length > maxLineLength) continue;
      const parts = diffWords(a, b);
      let same = 0;
      for (const p of parts) if (!p.added && !p.removed && p.value.trim()) same += p.value.length;
      if (same === 0) continue; // nothing in common: the line colours say it all
      let ca = 0,
        cb = 0;
      // Each changed part, word by word (whitespace is never highlighted).
      const words = (row: number, at: number, value: string, kind: 'add' | 'del') => {
        for (const m of value.matchAll(/\S+/g))
          out.push({ row, from: at + m.index!, to: at + m.index! + m[0].length, kind });
      };
      for (const p of parts) {
        if (p.removed) {
          words(dels[k], ca, p.value, 'del');
          ca += p.value.length;
        } else if (p.added) {
          words(adds[k], cb, p.value, 'add');
          cb += p.value.length;
        } else {
          ca += p.value.length;
          cb += p.value.length;
        }
      }
    }
  }
  return out;
}
