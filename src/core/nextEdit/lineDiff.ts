/** One run of changed lines: `oldLines` (at `oldStart`, 0-based) became `newLines`. */
export interface LineHunk {
  oldStart: number;
  oldLines: string[];
  newLines: string[];
}

/**
 * The changed runs between two small line arrays (an LCS table: next-edit regions are a few dozen lines, so the
 * quadratic table is a few thousand cells). Hunks come in document order.
 */
export function lineHunks(a: readonly string[], b: readonly string[]): LineHunk[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf),
    B = b.slice(pre, b.length - suf);
  if (!A.length && !B.length) return [];
  if (A.length * B.length > 250_000) return [{ oldStart: pre, oldLines: A, newLines: B }];
  const n = A.length,
    m = B.length;
  const t: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) t[i][j] = A[i] === B[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out: LineHunk[] = [];
  let cur: LineHunk | undefined;
  let i = 0,
    j = 0;
  const flush = () => {
    if (cur) out.push(cur);
    cur = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) {
      flush();
      i++;
      j++;
      continue;
    }
    cur ??= { oldStart: pre + i, oldLines: [], newLines: [] };
    if (j < m && (i >= n || t[i][j + 1] >= t[i + 1][j])) cur.newLines.push(B[j++]);
    else cur.oldLines.push(A[i++]);
  }
  flush();
  return out;
}

/** A unified-diff-like text of hunks (for prompts and logs): `@@ line N` then `-old` / `+new` lines. */
export function formatHunks(hunks: readonly LineHunk[]): string {
  return hunks
    .map((h) =>
      [`@@ line ${h.oldStart + 1}`, ...h.oldLines.map((l) => '-' + l), ...h.newLines.map((l) => '+' + l)].join('\n'),
    )
    .join('\n');
}
