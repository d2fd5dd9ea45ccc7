import { FlushPlan, PreviewRegion } from '../../src/core/session/region';

/** Marks that tell the user's own text apart from the model's and the original's (stripped for comparisons). */
export const INS = '\u2063U'; // a line the user inserted starts with this mark
export const TYPED = '\u2062t'; // text the user typed into a line
export const strip = (doc: string[]): string[] =>
  doc.filter((l) => !l.startsWith(INS)).map((l) => l.replace(new RegExp(`${TYPED}\\d+\\.`, 'g'), ''));

/**
 * A simulated editor document around a preview region, shared by the property tests (property.test.ts,
 * removedRows.test.ts). Flushes can be planned now and landed later, as the host applies edits asynchronously: the
 * edit is version-checked, so it fails if the user changed the document meanwhile (the adapter then plans again).
 * The user's own edits carry unique marks, so that each can be checked to survive exactly once.
 */
export class SimDocument {
  readonly inserted: string[] = [];
  readonly typed: string[] = [];
  private marks = 0;
  private held: FlushPlan | null = null;
  private heldStart = 0;
  private userSince = false;

  constructor(
    readonly doc: string[],
    public region: PreviewRegion,
  ) {}

  /** Plan a flush whose edit stays in flight (see land). */
  plan(): void {
    if (this.held) return;
    this.held = this.region.planFlush();
    this.heldStart = this.region.startLine;
    this.userSince = false;
  }

  /** The edit in flight reaches the document, unless the user changed it since the plan. */
  land(): void {
    if (this.held && !this.userSince) {
      this.doc.splice(this.heldStart + this.held.from, this.held.deleteCount, ...this.held.lines);
      this.region.commitFlush(this.held);
    }
    this.held = null;
  }

  /** Land what is in flight, then plan and apply a flush at once. */
  flush(): void {
    this.land();
    const plan = this.region.planFlush();
    if (plan) this.apply(plan);
  }

  /** A planned flush reaches the document at once. */
  apply(plan: FlushPlan): void {
    this.doc.splice(this.region.startLine + plan.from, plan.deleteCount, ...plan.lines);
    this.region.commitFlush(plan);
  }

  /** The user types a new line before document line `at` (at the very end when `at` is the line count). */
  insertLine(at: number): void {
    const mark = `${INS}${this.marks++}.`;
    if (at < this.doc.length) {
      this.region.applyUserEdit(at, 0, at, 0, mark + '\n');
      this.doc.splice(at, 0, mark);
    } else {
      const last = this.doc.length - 1;
      if (last < 0) return;
      this.region.applyUserEdit(last, this.doc[last].length, last, this.doc[last].length, '\n' + mark);
      this.doc.push(mark);
    }
    this.inserted.push(mark);
    this.userSince = true;
  }

  /** The user types a marked word into document line `at` at column `col`. */
  type(at: number, col: number): void {
    const mark = `${TYPED}${this.marks++}.`;
    this.region.applyUserEdit(at, col, at, col, mark);
    this.doc[at] = this.doc[at].slice(0, col) + mark + this.doc[at].slice(col);
    this.typed.push(mark);
    this.userSince = true;
  }

  /** The kind of the region's row shown on document line `docLine`, or 'outside'. */
  kindAt(docLine: number): string {
    const i = docLine - this.region.startLine;
    const rows = this.region.renderedRows();
    return i >= 0 && i < rows.length ? rows[i].kind : 'outside';
  }
}

/**
 * Is `doc` the `expected` lines plus lines of the user's own (issue 11, HA8): every expected line in order (its typed
 * marks stripped), and every other line one the user inserted or typed into (a removed line they edited is theirs:
 * kept on Accept)?
 */
export function expectedPlusUserLines(doc: readonly string[], expected: readonly string[]): boolean {
  const typed = new RegExp(`${TYPED}\\d+\\.`, 'g');
  const clean = (l: string) => l.replace(typed, '');
  const users = (l: string) => l.startsWith(INS) || clean(l) !== l;
  const memo = new Map<number, boolean>();
  const ok = (i: number, j: number): boolean => {
    if (i === doc.length) return j === expected.length;
    const key = i * (expected.length + 1) + j;
    const m = memo.get(key);
    if (m !== undefined) return m;
    const r =
      (j < expected.length && !doc[i].startsWith(INS) && clean(doc[i]) === expected[j] && ok(i + 1, j + 1)) ||
      (users(doc[i]) && ok(i + 1, j));
    memo.set(key, r);
    return r;
  };
  return ok(0, 0);
}

/**
 * Row `i` is in a hunk where the stream put re-indented lines right below their old ones (a wrap, issue 11 session 11):
 * its layout is the stream's own, nothing moving (lineOrder "nothing changes places"), not removed-above-added.
 */
export function beforePair(
  rows: ReadonlyArray<{ kind: string; rewrites?: boolean; hunk: unknown }>,
  i: number,
): boolean {
  const h = rows[i].hunk;
  return !!h && rows.some((r) => r.hunk === h && r.kind === 'add' && r.rewrites);
}
