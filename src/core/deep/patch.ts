/**
 * The `*** Begin Patch` format OpenAI's Codex models are trained on, parsed as it streams. A hunk is
 * emitted as soon as its block is closed by the next marker, so deep-mode edits land block by block.
 *
 *   *** Begin Patch
 *   *** Update File: src/a.ts
 *   @@ optional header
 *    context
 *   -removed
 *   +added
 *   *** Add File: src/b.ts
 *   +new file line
 *   *** Delete File: src/c.ts
 *   *** End Patch
 */
export type PatchOp =
  | { kind: 'update'; path: string; old: string[]; new: string[] }
  | { kind: 'add'; path: string; lines: string[] }
  | { kind: 'delete'; path: string };

export class StreamingPatchParser {
  /** The incomplete line, as the pieces that arrived (never re-scanned: parsing is linear in the answer). */
  private parts: string[] = [];
  private file: { kind: 'update' | 'add' | 'delete'; path: string } | null = null;
  private old: string[] = [];
  private neu: string[] = [];
  private addLines: string[] = [];
  private inHunk = false;
  private began = false;
  ended = false;
  readonly warnings: string[] = [];

  constructor(private readonly onOp: (op: PatchOp) => void) {}

  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      const line = this.parts.length ? this.parts.join('') + piece : piece;
      this.parts = [];
      start = nl + 1;
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (start < chunk.length) this.parts.push(start ? chunk.slice(start) : chunk);
  }

  end(): void {
    if (this.parts.length) {
      const l = this.parts.join('');
      this.parts = [];
      this.line(l);
    }
    this.closeFile();
    if (!this.began) this.warnings.push('the answer had no "*** Begin Patch"');
  }

  private line(l: string) {
    if (this.ended) return;
    if (/^\*\*\* Begin Patch\s*$/.test(l)) {
      this.began = true;
      return;
    }
    if (/^\*\*\* End Patch\s*$/.test(l)) {
      this.closeFile();
      this.ended = true;
      return;
    }
    // No lazy quantifier before `\s*$`: that is quadratic on a long line of spaces. The path is trimmed here.
    const m = /^\*\*\* (Update|Add|Delete) File:(.*)$/.exec(l);
    if (m && m[2].trim()) {
      this.closeFile();
      this.began = true;
      this.file = { kind: m[1].toLowerCase() as 'update' | 'add' | 'delete', path: m[2].trim() };
      if (this.file.kind === 'delete') {
        this.onOp({ kind: 'delete', path: this.file.path });
        this.file = null;
      }
      return;
    }
    if (/^\*\*\* (Move to|End of File)/.test(l)) return;
    if (!this.file) return; // prose around the patch
    if (this.file.kind === 'add') {
      if (l.startsWith('+')) this.addLines.push(l.slice(1));
      return;
    }
    if (l.startsWith('@@')) {
      this.closeHunk();
      this.inHunk = true;
      return;
    }
    this.inHunk = true;
    if (l.startsWith('+')) this.neu.push(l.slice(1));
    else if (l.startsWith('-')) this.old.push(l.slice(1));
    else {
      const c = l.startsWith(' ') ? l.slice(1) : l;
      this.old.push(c);
      this.neu.push(c);
    }
  }

  private closeHunk() {
    if (this.file?.kind === 'update' && this.inHunk && (this.old.length || this.neu.length)) {
      // Trailing blank context lines are usually formatting noise: drop those both sides share.
      while (
        this.old.length &&
        this.neu.length &&
        this.old[this.old.length - 1] === '' &&
        this.neu[this.neu.length - 1] === ''
      ) {
        this.old.pop();
        this.neu.pop();
      }
      this.onOp({ kind: 'update', path: this.file.path, old: this.old, new: this.neu });
    }
    this.old = [];
    this.neu = [];
    this.inHunk = false;
  }

  private closeFile() {
    if (!this.file) return;
    if (this.file.kind === 'update') this.closeHunk();
    else if (this.file.kind === 'add') {
      this.onOp({ kind: 'add', path: this.file.path, lines: this.addLines });
      this.addLines = [];
    }
    this.file = null;
  }
}

/**
 * Where `old` stands in `lines`: every start index where it matches exactly (then ignoring trailing
 * whitespace). The caller decides what to do with zero (conflict) or several (nearest to a hint) matches.
 */
export function locate(lines: readonly string[], old: readonly string[]): number[] {
  if (old.length === 0) return [];
  const find = (eq: (a: string, b: string) => boolean) => {
    const out: number[] = [];
    for (let i = 0; i + old.length <= lines.length; i++) {
      let ok = true;
      for (let k = 0; k < old.length; k++)
        if (!eq(lines[i + k], old[k])) {
          ok = false;
          break;
        }
      if (ok) out.push(i);
    }
    return out;
  };
  const exact = find((a, b) => a === b);
  return exact.length ? exact : find((a, b) => a.trimEnd() === b.trimEnd());
}

export type Placement = { kind: 'apply'; line: number; moved: boolean } | { kind: 'conflict'; reason: string };

/**
 * Place a hunk in the document as it is now. `snapshot` is the file as the model saw it. Lines that moved
 * (the user edited elsewhere) are rebased; lines the user changed make a conflict: never applied over user work.
 */
export function place(current: readonly string[], snapshot: readonly string[], old: readonly string[]): Placement {
  const inSnapshot = locate(snapshot, old);
  const now = locate(current, old);
  if (now.length === 0) {
    return inSnapshot.length
      ? { kind: 'conflict', reason: 'you changed these lines while the deep edit ran' }
      : { kind: 'conflict', reason: "the model's patch does not match the file" };
  }
  const hint = inSnapshot[0] ?? 0;
  const best = now.reduce((a, b) => (Math.abs(b - hint) < Math.abs(a - hint) ? b : a));
  return { kind: 'apply', line: best, moved: best !== hint };
}

/** A hunk placed in the current text: its old lines start at `line`. */
export interface PlacedHunk<T = unknown> {
  line: number;
  old: readonly string[];
  new: readonly string[];
  tag: T;
}

/**
 * Several placed hunks of one file as ONE change (issue 11: a deep job's changes to a file are one pending edit):
 * the lines from the first hunk's start to the last hunk's end, old and new, with the unchanged lines between the
 * hunks in both. Hunks overlapping an earlier one (in line order) are left out and returned in `overlapping`.
 */
export function combineHunks<T>(
  current: readonly string[],
  hunks: readonly PlacedHunk<T>[],
): { start: number; oldLines: string[]; newLines: string[]; used: PlacedHunk<T>[]; overlapping: PlacedHunk<T>[] } {
  const sorted = [...hunks].sort((a, b) => a.line - b.line);
  const used: PlacedHunk<T>[] = [];
  const overlapping: PlacedHunk<T>[] = [];
  let end = -1;
  for (const h of sorted) {
    // Two insertions at one line, or a hunk starting inside the previous one: not both can apply.
    if (
      used.length &&
      (h.line < end || (h.line === end && h.old.length === 0 && used[used.length - 1].line === h.line))
    )
      overlapping.push(h);
    else {
      used.push(h);
      end = h.line + h.old.length;
    }
  }
  if (!used.length) return { start: 0, oldLines: [], newLines: [], used, overlapping };
  const start = used[0].line;
  const oldLines = current.slice(start, end);
  const newLines: string[] = [];
  let at = start;
  for (const h of used) {
    newLines.push(...current.slice(at, h.line), ...h.new);
    at = h.line + h.old.length;
  }
  return { start, oldLines, newLines, used, overlapping };
}
