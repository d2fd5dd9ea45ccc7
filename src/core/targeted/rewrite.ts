import { DiffSink, PARTIAL_MAX, StreamingLineDiff } from '../diff/streamingDiff';
import { TargetedParser } from './format';
import { MatchHow, Reindent, applyReindent, place } from './place';

/**
 * Turns a stream of targeted blocks into the same line decisions a streaming rewrite of the scope produces, as a
 * "virtual rewrite": the original up to a block's located anchor, then the block's lines as they stream, and, at the
 * end, the untouched rest. It drives the preview region's DiffSink directly (the alignment is known exactly, so no
 * line matching is needed): a block's hunk appears as soon as it is placed, its added lines stream in live, and a
 * hunk is complete (acceptable) as soon as the next unchanged line arrives, while later blocks still stream.
 * Interrupting leaves every line the answer did not reach untouched (the region's own interrupt).
 *
 * Nothing is guessed: a block that cannot be placed unambiguously is left out and reported; so is the rest of a block
 * whose removed line turns out not to match the code.
 */
export interface BlockReport {
  /** 1-based, in the order of the answer. */
  block: number;
  outcome: 'placed' | 'unplaced' | 'cut';
  how?: MatchHow;
  /** Line of the scope (0-based) where it was placed. */
  at?: number;
  reason?: string;
  /** The block's first old line, to name it to the user. */
  firstLine?: string;
}

export interface TargetedRewriteOptions {
  /** Each block as it is decided (placed, unplaced, cut short). */
  onBlock?: (r: BlockReport) => void;
  /** Anything else worth logging (a rewrite instead of blocks, another file, a missing End Patch). */
  onNote?: (m: string) => void;
}

type BlockState =
  // Not placed yet: its old lines (context, removed) and, in order with them, any added lines held back (`seq`: an
  // index into `old`, or the added line itself). Held back: added lines before any old line (an insertion placed by
  // the context after it), and every line of a block whose leading lines were ambiguous (`deferred`: placed at its
  // end on all its old lines, trailing context included).
  | {
      kind: 'collect';
      header: string;
      old: string[];
      removed: boolean[];
      seq: Array<number | string>;
      deferred: boolean;
    }
  | { kind: 'placed'; reindent: Reindent | null; how: MatchHow; staleContext: number }
  | { kind: 'skip' }
  | { kind: 'none' };

export class TargetedRewrite {
  private readonly parser: TargetedParser;
  /** Next original line not yet decided (kept, removed). */
  private cursor = 0;
  /** First original line not yet reported to the sink: [from, cursor) are removed lines waiting for the next kept one. */
  private from = 0;
  private block: BlockState = { kind: 'none' };
  private blockNo = 0;
  private partial: string[] = [];
  private partialLen = 0;
  private sawEnd = false;
  private done = false;
  /** Before the first line is known: raw text held to decide between blocks and a plain rewrite. */
  private mode: 'undecided' | 'blocks' | 'rewrite' = 'undecided';
  private held: string[] = [];
  private rewrite: StreamingLineDiff | null = null;
  readonly reports: BlockReport[] = [];

  constructor(
    private readonly original: readonly string[],
    private readonly sink: DiffSink,
    private readonly o: TargetedRewriteOptions = {},
  ) {
    this.parser = new TargetedParser({
      block: (h) => {
        this.closeBlock();
        this.blockNo++;
        this.block = { kind: 'collect', header: h, old: [], removed: [], seq: [], deferred: false };
      },
      old: (t, removed) => this.old(t, removed),
      addPiece: (p) => this.addPiece(p),
      addEnd: (t) => this.addEnd(t),
      foreign: (w) =>
        this.o.onNote?.(`the answer tried to ${w}: ignored (a targeted edit changes only the code being edited)`),
      endPatch: () => {
        this.closeBlock();
        this.sawEnd = true;
      },
      line: (l) => this.inspect(l),
    });
  }

  /** The answer was a whole rewrite rather than blocks (it is shown as one). */
  get wasRewrite(): boolean {
    return this.mode === 'rewrite';
  }
  get placed(): number {
    return this.reports.filter((r) => r.outcome === 'placed').length;
  }
  get blocks(): number {
    return this.blockNo;
  }

  push(chunk: string): void {
    if (this.done || !chunk) return;
    if (this.mode === 'rewrite') {
      this.rewrite!.push(chunk);
      return;
    }
    if (this.mode === 'undecided') this.held.push(chunk);
    this.parser.push(chunk);
    this.settle();
  }

  /** Blocks or a rewrite, once a line of the answer says which (see `inspect`). */
  private settle() {
    if (this.mode !== 'undecided' || this.verdict === undefined) return;
    if (this.verdict === 'blocks') {
      this.mode = 'blocks';
      this.held = [];
      return;
    }
    this.mode = 'rewrite';
    this.o.onNote?.(
      'the model answered with a rewrite of the code instead of targeted blocks: it is shown as a rewrite',
    );
    this.rewrite = new StreamingLineDiff(this.original, this.sink);
    for (const c of this.held.splice(0)) this.rewrite.push(c);
  }

  private verdict: 'blocks' | 'rewrite' | undefined;
  private originalSet: Set<string> | undefined;

  /**
   * Each complete line while undecided: a patch marker means blocks (prose before it is skipped); a distinctive line
   * of the code itself means the model rewrote the code (shown as a rewrite, from its first line). Anything else
   * (prose, new lines) waits for the next line.
   */
  private inspect(line: string) {
    if (this.mode !== 'undecided' || this.verdict !== undefined) return;
    const t = line.trim();
    if (!t || t.startsWith('```')) return;
    if (t.startsWith('*** Begin Patch') || t.startsWith('@@')) {
      this.verdict = 'blocks';
      return;
    }
    if (t.length < 4 || !/[A-Za-z0-9]/.test(t)) return;
    this.originalSet ??= new Set(this.original.map((l) => l.trim()));
    if (this.originalSet.has(t)) this.verdict = 'rewrite';
  }

  /** The answer is complete: decide the last block, keep every line after it, finish the region. */
  end(): void {
    if (this.done) return;
    if (this.mode === 'rewrite') {
      this.done = true;
      this.rewrite!.end();
      return;
    }
    this.parser.end();
    this.settle();
    if ((this.mode as string) === 'rewrite') {
      this.done = true;
      this.rewrite!.end();
      return;
    }
    this.closeBlock();
    this.done = true;
    if (!this.parser.sawBegin)
      this.o.onNote?.(
        'the answer was neither targeted blocks (no "*** Begin Patch") nor a rewrite of this code: nothing was changed',
      );
    else if (!this.sawEnd)
      this.o.onNote?.(
        'the answer ended without "*** End Patch": its last block may be incomplete (review it before accepting)',
      );
    this.keepUntil(this.original.length);
    this.sink.finished(this.from);
  }

  /** Original lines [cursor, to) stay as they are. */
  private keepUntil(to: number) {
    for (; this.cursor < to; this.cursor++) {
      this.sink.matched(this.cursor, this.from);
      this.from = this.cursor + 1;
    }
  }

  private old(text: string, removed: boolean) {
    const b = this.block;
    if (b.kind === 'collect') {
      b.seq.push(b.old.length);
      b.old.push(text);
      b.removed.push(removed);
      return;
    }
    if (b.kind === 'placed') this.follow(b, text, removed);
  }

  /** A line of a placed block: the code must go on matching it (a context line may be stale; a removed line may not). */
  private follow(b: Extract<BlockState, { kind: 'placed' }>, text: string, removed: boolean) {
    const here = this.cursor < this.original.length ? this.original[this.cursor] : undefined;
    const same = here !== undefined && here.trim().replace(/\s+/g, ' ') === text.trim().replace(/\s+/g, ' ');
    if (removed) {
      if (same) {
        this.cursor++;
        return;
      }
      this.cut(`a line it removes ("${text.trim().slice(0, 60)}") is not where the block says`);
      return;
    }
    // Context is unchanged by definition: the code's own line is kept, whatever the model remembered.
    if (here === undefined) return;
    if (!same) b.staleContext++;
    this.keepUntil(this.cursor + 1);
  }

  private addPiece(p: string) {
    if (this.holding()) return; // shown once the block is placed
    const b = this.placeIfCollecting();
    if (b.kind !== 'placed') return;
    // A very long line (minified code) is shown cut until it ends: re-joining it per piece would be quadratic.
    if (this.partialLen > PARTIAL_MAX) return;
    this.partial.push(p);
    this.partialLen += p.length;
    const text = this.partial.join('');
    this.partial = [text];
    const shown = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (shown)
      this.sink.partial(
        applyReindent(shown.length > PARTIAL_MAX ? shown.slice(0, PARTIAL_MAX) + ' …' : shown, b.reindent),
      );
  }

  private addEnd(text: string) {
    if (!this.holding()) this.placeIfCollecting();
    const b = this.block;
    if (b.kind === 'collect') {
      b.seq.push(text);
      return;
    }
    this.partial = [];
    this.partialLen = 0;
    if (b.kind !== 'placed') return;
    this.sink.added(applyReindent(text, b.reindent));
  }

  /** Added lines are held back (not placed yet): none of its old lines and no header, or ambiguous so far. */
  private holding(): boolean {
    const b = this.block;
    return b.kind === 'collect' && (b.deferred || (!b.header && b.old.length === 0));
  }

  private placeIfCollecting(): BlockState {
    if (this.block.kind === 'collect') this.placeBlock(this.block, false);
    return this.block;
  }

  /**
   * Place a block on the old lines it has so far. `final`: the block is complete. Before that, leading lines that
   * occur more than once defer the block (its added lines are held back) in case its trailing context tells the
   * places apart; a complete block that is still ambiguous, or one that matches nowhere, is left out.
   */
  private placeBlock(b: Extract<BlockState, { kind: 'collect' }>, final: boolean) {
    const p = place({ lines: this.original, from: this.cursor, old: b.old, removed: b.removed, header: b.header });
    const firstLine = (b.old.find((l) => l.trim()) ?? b.header).trim().slice(0, 80);
    if (!p.ok && p.ambiguous && !final) {
      b.deferred = true;
      return;
    }
    if (!p.ok) {
      this.block = { kind: 'skip' };
      this.report({ block: this.blockNo, outcome: 'unplaced', reason: p.reason, firstLine });
      return;
    }
    this.keepUntil(p.at);
    const placed: BlockState = { kind: 'placed', reindent: p.reindent, how: p.how, staleContext: 0 };
    this.block = placed;
    this.report({ block: this.blockNo, outcome: 'placed', how: p.how, at: p.at, firstLine });
    for (let i = 0; i < b.seq.length && this.block === placed; i++) {
      const x = b.seq[i];
      if (typeof x === 'string') this.sink.added(applyReindent(x, p.reindent));
      else this.follow(placed, b.old[x], b.removed[x]);
    }
  }

  private cut(reason: string) {
    // The lines this change group removed so far (since the last kept line) stay: never half a change group.
    this.cursor = this.from;
    const r = this.reports[this.reports.length - 1];
    if (r && r.block === this.blockNo) {
      r.outcome = 'cut';
      r.reason = reason;
    }
    this.block = { kind: 'skip' };
    this.partial = [];
    this.partialLen = 0;
    this.sink.partial(null);
    this.o.onBlock?.({ block: this.blockNo, outcome: 'cut', reason, firstLine: r?.firstLine });
  }

  private closeBlock() {
    const b = this.block;
    if (b.kind === 'collect' && (b.seq.length > 0 || b.header)) this.placeBlock(b, true);
    else if (b.kind === 'collect')
      this.report({ block: this.blockNo, outcome: 'unplaced', reason: 'it is empty', firstLine: b.header });
    const after = this.block;
    if (after.kind === 'placed' && after.staleContext)
      this.o.onNote?.(
        `block ${this.blockNo}: ${after.staleContext} context line(s) did not match the code (kept as the code has them)`,
      );
    this.block = { kind: 'none' };
  }

  private report(r: BlockReport) {
    this.reports.push(r);
    this.o.onBlock?.(r);
  }
}

/** What the user is told about blocks that were left out (undefined when every block was placed). */
export function leftOutMessage(reports: readonly BlockReport[]): string | undefined {
  const bad = reports.filter((r) => r.outcome !== 'placed');
  if (bad.length === 0) return undefined;
  const one = (r: BlockReport) =>
    `change ${r.block}${r.firstLine ? ` (at "${r.firstLine.slice(0, 40)}")` : ''}: ${r.outcome === 'cut' ? 'partly left out, ' : ''}${r.reason}`;
  return `${bad.length} of ${reports.length} change${reports.length === 1 ? '' : 's'} could not be placed safely and ${bad.length === 1 ? 'was' : 'were'} left out — ${bad.slice(0, 3).map(one).join('; ')}${bad.length > 3 ? '; …' : ''}. Nothing was changed there: select that code and ask again.`;
}
