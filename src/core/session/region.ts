import { diffArrays } from 'diff';
import {
  DiffSink,
  PartialVerdict,
  StreamingLineDiff,
  partialAt,
  rewriteAt,
  similarAt,
  similarLine,
} from '../diff/streamingDiff';
import { CutRow, Syntax, structuralCut } from './structure';

/**
 * A preview region is the mirror of a run of whole lines in the document while an edit is previewed:
 *   ctx   unchanged line           orig  original line the stream has not reached yet
 *   del   removed line (shown struck through, still in the document until accepted)
 *   add   added line (in the document, highlighted)
 *   part  the incomplete line being streamed (an add in progress)
 *   user  a line the user typed into the region while it was previewed
 * The document physically holds every row, so rejecting deletes our `add` rows and accepting deletes our
 * `del` rows: user text is never rewritten, only our own rows are removed. User edits are applied to the
 * mirror as they happen, so ranges follow the user's typing.
 */
export type RowKind = 'ctx' | 'orig' | 'del' | 'add' | 'part' | 'user';
export type HunkState = 'streaming' | 'pending' | 'accepted' | 'rejected';

export interface Hunk {
  id: number;
  state: HunkState;
}
export interface Row {
  kind: RowKind;
  text: string;
  hunk: Hunk | null;
  orig: number;
  userEdited?: boolean;
  /** Left by a hunk the user accepted or rejected: the end-of-stream cleanup never moves it. */
  decided?: boolean;
  /** A removed row whose comment prefix the user edited away: the document holds its text as it is (see rowLine). */
  plain?: boolean;
  /** The document's line for this row carries the removed-row prefix now (as last written; the kind may be ahead). */
  prefixed?: boolean;
  /**
   * The document's line still holds `head` characters of the model's withdrawn text before the row's text and `tail`
   * after it: the unfinished line the user typed into (issue 11, HA8: the stream stops at the first key and its half
   * line goes; the keys stay). The next flush writes the row's text alone.
   */
  withdrawn?: { head: number; tail: number };
  /**
   * False: the stream found this original line removed, and the document has not been written since (issue 11, HA9).
   * The document still shows it as the plain line it was, where it was (below the new lines that replace it, until the
   * next flush moves it above them), so it is drawn as that plain line: never a removed line below added ones. True
   * once a flush wrote it as a removed row; undefined for every other row.
   */
  drawnDel?: boolean;
  /**
   * An added row that is the removed row right above it re-indented (streamingDiff.rewriteAt) or changed in a few tokens
   * (streamingDiff.similarAt, session 12): the pair stays together, old above new, in every state (issue 11); rows found
   * removed later are never lifted above it.
   */
  rewrites?: boolean;
}

/**
 * The kind a rendered row is drawn as (decorations, controls): its kind, except a row the stream has just found removed
 * and the document does not show as removed yet (see Row.drawnDel), which is still the plain original line.
 */
export function drawnKind(r: Row): RowKind {
  return r.kind === 'del' && r.drawnDel === false ? 'orig' : r.kind;
}

/**
 * THE mapping from a row to the document's line (issue 11): a removed row is written behind the language's line-comment
 * prefix (src/core/session/removedRows.ts), so the language server sees only the proposal; every other row as it is.
 * Everything that writes region rows to the document goes through here, and everything that reads them back through
 * setRowFromLine, its inverse: rowLine(r) after setRowFromLine(r, line) is `line`, byte for byte.
 */
export function rowLine(r: Row, prefix: string): string {
  return prefix && r.kind === 'del' && !r.plain ? prefix + r.text : r.text;
}

/**
 * A row's text from the document's line (the inverse of rowLine): the prefix the line was written with is not the
 * row's text. What counts is how the line was written (`prefixed`), not the row's kind now: a row that became removed
 * after the last flush is still plain code in the document until the next one.
 */
export function setRowFromLine(r: Row, line: string, prefix: string): void {
  if (r.prefixed && prefix && line.startsWith(prefix)) {
    r.text = line.slice(prefix.length);
    return;
  }
  r.text = line;
  if (r.prefixed) {
    // The user edited the prefix away: the line stays exactly as they made it.
    r.prefixed = false;
    if (r.kind === 'del') r.plain = true;
  }
}

/** Is `line` row `r`'s text behind the removed-row prefix? */
function writtenWithPrefix(r: Row, line: string, prefix: string): boolean {
  return !!prefix && line.length === prefix.length + r.text.length && line.startsWith(prefix) && line.endsWith(r.text);
}

/** The document now holds `line` for row `r` (a flush wrote it). */
function wroteLine(r: Row, line: string, prefix: string): void {
  const p = writtenWithPrefix(r, line, prefix);
  if (p) r.prefixed = true;
  else if (r.prefixed) r.prefixed = false;
}

/** One document edit: replace region rows [from, from+deleteCount) with `lines` (region-relative). */
export interface FlushPlan {
  from: number;
  deleteCount: number;
  lines: string[];
  rowsAfter: number;
  /** The rows [from, from+lines.length) the plan renders, `lines` being their texts (rows keep changing while the edit is in flight). */
  /** `partial`: the row that was the line being written when the plan was made (see PreviewRegion.shownPartial). */
  /** `del`: which of those rows were removed rows when the plan was made (written behind the prefix: Row.drawnDel). */
  snapshot?: { rows: Row[]; partial?: Row | null; del?: boolean[] };
  /** Region version the plan was made at. */
  version?: number;
}

/**
 * A settled region as the document holds it, without the texts (they are the document's lines when it is restored):
 * runs of rows of one kind and hunk. Small: O(runs), so one can be kept for every resting state (undo/redo).
 */
export interface RegionSnapshot {
  startLine: number;
  original: readonly string[];
  runs: Array<{ kind: RowKind; hunk: number; userEdited: boolean; n: number }>;
  hunks: Array<{ id: number; state: HunkState }>;
  userTouched: boolean;
  lineCount: number;
  /** The removed rows' prefix in the document (see rowLine). */
  removedPrefix: string;
}

/** Whether row `r` stays in the region's text if every pending hunk is accepted (or rejected): PreviewRegion.textIf. */
export function rowKeptIf(r: Row, choice: 'accept' | 'reject'): boolean {
  const pending = r.hunk && r.hunk.state !== 'accepted' && r.hunk.state !== 'rejected';
  if (pending && choice === 'accept' && r.kind === 'del' && !r.userEdited) return false;
  return !(pending && choice === 'reject' && (r.kind === 'add' || r.kind === 'part') && !r.userEdited);
}

/** A proposal kept aside by a redirect (PreviewRegion.saveProposal). */
export interface SavedProposal {
  readonly rows: ReadonlyArray<{ row: Row; fields: Row }>;
  readonly original: readonly string[];
  readonly origRows: readonly Row[];
  readonly hunks: ReadonlyArray<{ hunk: Hunk; state: HunkState }>;
  readonly stop: { before: Row | null; reason: string } | null;
  readonly structureCut: { droppedRows: number; nothingLeft: boolean } | null;
  readonly userEdits: number;
}

export interface DecorationRun {
  kind: 'add' | 'del' | 'part';
  from: number;
  to: number;
}

/** What the document will show once a flush plan lands (see PreviewRegion.renderedAfter). */
export interface RenderedAfter {
  runs: DecorationRun[];
  /** Does rendered row `i` carry the removed-row prefix then? */
  prefixed(i: number): boolean;
  /** The rendered rows then (O(region): for the word highlights of a settled preview only; before the plan lands). */
  rows(): Row[];
}

let nextHunkId = 1;

/** `now` is `was` with only word characters added to its last word (no token can have ended in between). */
function grewInWord(was: string, now: string): boolean {
  return /[\w$]$/.test(was) && now.startsWith(was) && /^[\w$]+$/.test(now.slice(was.length));
}

/** How many rows past the frontier the decoration scan looks for rows still drawn there (see scanEnd). */
const AHEAD_SCAN = 3;

/** An original row shown ahead of the stream, with the added (or unfinished) row written right below it, if any. */
type Ahead = { old: Row; add: Row | null };

export class PreviewRegion implements DiffSink {
  rows: Row[];
  /** What the document holds (region-relative), as of the last confirmed flush plus user edits. */
  private rendered: Row[];
  private renderedText: string[];
  private frontierRow: Row | null;
  private frontier = 0;
  private open: Hunk | null = null;
  private partialRow: Row | null = null;
  /**
   * The unfinished row the stream just took out because its line ended (partial(null) comes first): the row that line
   * becomes is this same row when added() follows at once, so a cursor on it stays on it (src/vscode/cursorFollow.ts).
   */
  private droppedPartial: Row | null = null;
  /**
   * The row the document shows as the unfinished line (issue 11, HA8b), as of the last flush that wrote it. The stream
   * may have finished it meanwhile while the flush that writes it out is on its way, or refused because a key reached the
   * editor first (in the browser: the keys after `    for (var i = 0; i`, the model writing on): a key typed into the half
   * line the document still shows is a key typed into the line being written all the same (see beingWritten).
   */
  private shownPartial: Row | null = null;
  readonly hunks: Hunk[] = [];
  /** Hunks where the stream put a re-indented line right below its old line (see replaced). */
  private readonly paired = new Set<Hunk>();
  /**
   * Original rows the stream has not reached, shown ABOVE the added line that changes them a little (see showAhead),
   * in original order, each with the added row written right below it (null: a line with no code skipped to reach it).
   * The display frontier (frontierRow) is past them; the stream's next line is ahead[0].
   */
  private ahead: Ahead[] = [];
  /**
   * The line being written was shown below an old line and then stopped looking like a change of it (see placePartial):
   * it went back above, and stays there until its line ends.
   */
  private partialStays = false;
  /** The line being written, held back as too short to tell (see partial), while it only grows within a word. */
  private unshown: string | null = null;
  private origRows: Row[];
  /** The user changed text inside the region (so we never re-layout it). */
  userTouched = false;
  /** The user replaced the whole region: nothing left to preview. */
  clobbered = false;
  /** How many user edits touched the region's rows (a saved proposal is brought back only if none came since). */
  private userEdits = 0;
  private dirty = true;
  version = 0;
  /** Rows before `lo` and the last `tail` rows are unchanged in text since the last commit. */
  private lo = 0;
  private tail = 0;
  /** Bumped when hunks are created, closed or resolved (CodeLens positions and states). */
  hunkVersion = 0;
  /**
   * Where an interrupted stream stopped (Esc, a truncated or failed answer): the first original row it did not reach
   * (null: it reached the region's end), shown to the user until the edit is decided. Null when it was not cut.
   */
  stop: { before: Row | null; reason: string } | null = null;
  /**
   * The file's syntax (structure.ts): when set, a stopped stream proposes only a prefix of the change that keeps the
   * region's brackets (and Python's blocks) as the original's were.
   */
  syntax?: Syntax;
  /** The last stop cut the change back to a whole construct: how many pending rows went, and whether any hunk is left. */
  structureCut: { droppedRows: number; nothingLeft: boolean } | null = null;

  /** The rendered row the stop point is marked on (the last one above where the stream stopped), or -1. */
  stopRow(): number {
    if (!this.stop || !this.rendered.length) return -1;
    const i = this.stop.before ? this.rendered.indexOf(this.stop.before) : this.rendered.length;
    return i < 0 ? -1 : Math.max(0, i - 1);
  }

  constructor(
    public startLine: number,
    public original: readonly string[],
    /** Removed rows are written behind this prefix (a line comment of the file's language; '' = as code). */
    readonly removedPrefix = '',
  ) {
    this.rows = original.map((text, i) => ({ kind: 'orig' as RowKind, text, hunk: null, orig: i }));
    this.origRows = [...this.rows];
    this.rendered = [...this.rows];
    this.renderedText = [...original];
    this.frontierRow = this.rows[0] ?? null;
  }

  /** A streaming diff feeding this region. */
  createDiff(): StreamingLineDiff {
    return new StreamingLineDiff(this.original, this);
  }

  get endLine(): number {
    return this.startLine + this.rendered.length;
  }
  get renderedLineCount(): number {
    return this.rendered.length;
  }
  get isDirty(): boolean {
    return this.dirty;
  }

  private touch() {
    this.dirty = true;
    this.version++;
  }
  /** Row `k` (current index) changed text, was inserted, or (removed=true) a row was removed at `k`. */
  private mark(k: number, removed = false) {
    if (k < this.lo) this.lo = k;
    const t = this.rows.length - k - (removed ? 0 : 1);
    if (t < this.tail) this.tail = t;
  }
  private markAll() {
    this.lo = 0;
    this.tail = 0;
    this.runsCache = [];
    this.runsUpTo = 0;
  }
  /** Decoration runs of rendered rows [0, runsUpTo): rows above the frontier keep their kind while streaming. */
  private runsCache: DecorationRun[] = [];
  private runsUpTo = 0;
  /** Where the frontier row was last found in `rendered` (decoration runs stop there, issue 14). */
  private frontierHint = 0;

  private ensureOpen(): Hunk {
    if (!this.open) {
      this.open = { id: nextHunkId++, state: 'streaming' };
      this.hunks.push(this.open);
      this.hunkVersion++;
    }
    return this.open;
  }

  private closeOpen() {
    if (this.open) {
      // The open hunk's rows sit at the stream's frontier: look there first, the whole region only when not found.
      const f = this.frontier,
        open = this.open;
      const near = (k: number) => k >= 0 && k < this.rows.length && this.rows[k].hunk === open;
      const has = near(f - 1) || near(f) || near(f + 1) || this.rows.some((r) => r.hunk === open);
      if (has) this.open.state = 'pending';
      else this.hunks.splice(this.hunks.indexOf(this.open), 1);
      this.open = null;
      this.hunkVersion++;
    }
  }

  /**
   * The user typed into the line the stream is writing: that row is theirs now and stays as they left it (an added
   * row the user edited: kept on Accept and on Reject), and the stream goes on in a new row after it. The stream used
   * to write over it, and every key typed there was gone (newcomer: typing at the end of the streaming line).
   */
  private keepUserPartial(): void {
    if (!this.partialRow?.userEdited) return;
    this.partialRow.kind = 'add';
    this.partialRow = null;
  }

  // ---- DiffSink -------------------------------------------------------------------------------------
  added(line: string): void {
    const h = this.ensureOpen();
    this.keepUserPartial();
    const shown = this.aheadFor(line);
    const dropped = this.droppedPartial;
    this.droppedPartial = null;
    if (dropped && !dropped.userEdited && !this.partialRow) {
      Object.assign(dropped, { kind: 'add', text: line, hunk: h, orig: -1 });
      this.rows.splice(this.frontier, 0, dropped);
      this.mark(this.frontier);
      this.frontier++;
    } else if (this.partialRow) {
      const r = this.partialRow;
      this.partialRow = null;
      if (r.text !== line) this.mark(this.frontier - 1);
      r.kind = 'add';
      r.text = line;
      r.hunk = h;
    } else {
      this.rows.splice(this.frontier, 0, { kind: 'add', text: line, hunk: h, orig: -1 });
      this.mark(this.frontier);
      this.frontier++;
    }
    if (shown) shown.add = this.rows[this.frontier - 1];
    this.touch();
  }

  /**
   * Issue 11, session 12: a new line that is the next original line changed in a few tokens (streamingDiff.similarAt:
   * "use const", a rename) is written BELOW that old line, which stays plain (the stream has not decided it) until the
   * stream reaches the next unchanged line: then it is struck through where it is, right above its new line, as the
   * end-of-stream layout has it (hunkOrder). Before, the new line was written above it and the old line, found removed,
   * hopped above it. Display only: the stream's decisions are unchanged. When the stream keeps the old line after all
   * (a new import written above a similar one), the lines written below it move above it (settleAhead).
   */
  private showAhead(line: string): Ahead | null {
    const f = this.frontierRow;
    if (!f || f.kind !== 'orig' || this.partialRow || this.userTouched) return null;
    return this.aheadTo(similarAt(this.original, f.orig, line));
  }

  /**
   * A finished line: when the unfinished row it was is shown below an old line (placePartial), it stays there if it is
   * that line changed a little (similarLine); if not, that old line is the frontier again and the line goes above it
   * (the hop of a new line that only began like a change). Otherwise as showAhead.
   */
  private aheadFor(line: string): Ahead | null {
    const pair = this.partialPair(this.droppedPartial);
    if (!pair) return this.showAhead(line);
    if (similarLine(pair.old.text, line)) return pair;
    this.retreat(pair);
    return this.showAhead(line);
  }

  /** The pair showing row `row` (the line being written, or the one just taken out) below its old line, if it is. */
  private partialPair(row: Row | null): Ahead | null {
    const last = this.ahead[this.ahead.length - 1];
    return row && last && last.add === row ? last : null;
  }

  /**
   * Take back the last pair shown ahead (with the lines with no code skipped to reach it): its old line is the frontier
   * again. The caller puts the line being written (or what it became) back at the frontier, above that old line.
   */
  private retreat(pair: Ahead): void {
    let first = this.ahead.lastIndexOf(pair);
    while (first > 0 && !this.ahead[first - 1].add) first--;
    const old = this.ahead[first].old;
    this.ahead.splice(first);
    const at = this.rows.indexOf(old);
    if (at < 0) return this.recomputeFrontier();
    this.frontier = at;
    this.frontierRow = old;
  }

  /** Show the old lines up to original line k ahead of the stream (see showAhead); the pair for line k, or null. */
  private aheadTo(k: number): Ahead | null {
    const f = this.frontierRow;
    if (k < 0 || !f) return null;
    let at = this.frontier;
    for (let j = f.orig; j <= k; j++, at++) {
      const o = this.origRows[j];
      if (this.rows[at] !== o || o.kind !== 'orig' || o.userEdited) return null;
    }
    for (let j = f.orig; j < k; j++) this.ahead.push({ old: this.origRows[j], add: null });
    const pair: Ahead = { old: this.origRows[k], add: null };
    this.ahead.push(pair);
    this.frontier = at;
    this.frontierRow = k + 1 < this.origRows.length ? this.origRows[k + 1] : null;
    return pair;
  }

  /**
   * The stream decided the lines shown ahead (see showAhead): those before original line `upTo` are removed and stay
   * where they are, each right above its new line (a pair, Row.rewrites), when hunk `h` takes them; from the first one
   * that cannot pair (the stream keeps it or has not reached it, the user typed in it or in its new line, no hunk) they
   * go back: the lines written below them move above them, in the order written, and they are the frontier again (the
   * caller finds them removed as any other line, liftDels).
   */
  private settleAhead(upTo: number, h: Hunk | null): void {
    if (!this.ahead.length) return;
    const ahead = this.ahead;
    this.ahead = [];
    const pairs = (a: Ahead) => {
      const o = a.old,
        n = a.add;
      if (!h || o.orig >= upTo || o.kind !== 'orig' || o.userEdited) return false;
      if (!n) return true; // a line with no code skipped to reach the pair: with it
      const i = this.rows.indexOf(o);
      return i >= 0 && this.rows[i + 1] === n && n.kind === 'add' && n.hunk === h && !n.userEdited;
    };
    let cut = 0;
    while (cut < ahead.length && pairs(ahead[cut])) cut++;
    while (cut > 0 && !ahead[cut - 1].add) cut--; // skipped lines go with the pair after them
    for (const a of ahead.slice(0, cut)) {
      if (!a.add) continue; // removed by the caller, where it is (the hunk has a pair: liftDels leaves it)
      this.removing(a.old, h!);
      // Where it is already: with no prefix the document's line is right, it is drawn removed at once (as liftDels).
      if (!this.removedPrefix) a.old.drawnDel = true;
      a.add.rewrites = true;
      this.paired.add(h!);
      const i = this.rows.indexOf(a.old);
      if (i >= 0) this.mark(i);
    }
    const rest = ahead.slice(cut);
    if (!rest.length) return;
    const first = this.rows.indexOf(rest[0].old);
    if (first >= 0) {
      let end = this.frontierRow ? this.rows.indexOf(this.frontierRow, first) : this.rows.length;
      if (end < 0) end = this.rows.length;
      const span = this.rows.slice(first, end);
      const olds = new Set(rest.map((a) => a.old));
      // The model's rows go above; rows the user typed stay where the user sees them, after the old lines they follow.
      const stays = (r: Row) => olds.has(r) || r.kind === 'user' || !!r.userEdited;
      const moved = [...span.filter((r) => !stays(r)), ...span.filter(stays)];
      this.rows.splice(first, span.length, ...moved);
      this.mark(first);
      if (end > first) this.mark(end - 1);
    }
    this.frontierRow = rest[0].old;
    this.frontier = this.rows.indexOf(rest[0].old, Math.max(0, first));
    if (this.frontier < 0) this.recomputeFrontier();
  }

  replaced(index: number, from: number, line: string): void {
    const h = this.ensureOpen();
    this.keepUserPartial();
    this.settleAhead(index, h);
    const dropped = this.droppedPartial;
    this.droppedPartial = null;
    // The lines with no code it skipped are removed where they are, right above the pair: nothing moves.
    for (let i = from; i < index; i++) {
      const r = this.origRows[i];
      if (!this.removing(r, h)) continue;
      const at = this.rows.indexOf(r, Math.max(0, this.frontier - 1));
      if (at >= 0) this.mark(at);
    }
    const o = this.origRows[index];
    this.removing(o, h);
    let at = this.rows.indexOf(o, Math.max(0, this.frontier - 1));
    if (at < 0) at = this.rows.indexOf(o);
    const row: Row =
      dropped && !dropped.userEdited && !this.partialRow
        ? Object.assign(dropped, { kind: 'add' as RowKind, text: line, hunk: h, orig: -1 })
        : { kind: 'add', text: line, hunk: h, orig: -1 };
    row.rewrites = o.kind === 'del';
    if (row.rewrites) this.paired.add(h);
    // The unfinished row (kept by the user) stays where it is, above; the new row goes right below its old line.
    if (at < 0) at = this.frontier - 1;
    this.rows.splice(at + 1, 0, row);
    this.mark(at);
    this.mark(at + 1);
    this.advanceFrontier(index + 1);
    this.touch();
  }

  partial(text: string | null): void {
    this.keepUserPartial();
    this.droppedPartial = null;
    if (text === null) {
      this.unshown = null;
      if (this.partialRow) {
        this.droppedPartial = this.partialRow;
        this.removeRow(this.partialRow);
        this.partialRow = null;
        this.touch();
      }
      return;
    }
    if (this.partialRow) {
      // Judged again where a token may have ended, not while a word only grows (`subt` → `subtot`): per-token cost.
      const inWord = grewInWord(this.partialRow.text, text);
      this.partialRow.text = text;
      this.mark(this.frontier - 1);
      if (!inWord) this.placePartial(text);
      this.touch();
      return;
    }
    // Not drawn yet (issue 11, session 14): only indentation (a blank row drawn above the old line, whose code then goes
    // below it when it re-indents it); the start of the old line the display goes on with while the lines shown ahead
    // of it are undecided (most likely that line, matched at its newline: it was drawn as a copy of it until then); too
    // little of it to tell a change of the old line from a new line above it (partialAt: maybe).
    const f = this.frontierRow;
    let judged: { at: number; verdict: PartialVerdict } | null = null;
    if (f?.kind === 'orig' && !this.userTouched) {
      if (text.trim() === '') return;
      if (this.ahead.length && f.text.startsWith(text)) return;
      if (this.unshown !== null && grewInWord(this.unshown, text)) return;
      judged = partialAt(this.original, f.orig, text);
      if (judged.verdict === 'maybe') {
        this.unshown = text;
        return;
      }
    }
    this.unshown = null;
    this.partialStays = false;
    let pair: Ahead | null = null;
    if (judged?.verdict === 'change') pair = this.aheadTo(judged.at);
    else if (judged) this.staysIfNew(judged.verdict, text);
    this.putPartial((this.partialRow = { kind: 'part', text, hunk: this.ensureOpen(), orig: -1 }));
    if (pair) pair.add = this.partialRow;
    this.touch();
  }

  /** The line being written is held back as too short to tell (see partial): the session draws it after a pause. */
  get hasUnshown(): boolean {
    return this.unshown !== null && !this.partialRow;
  }

  /**
   * The stream paused with the line being written held back as too short to tell (a model that stops after `  const`):
   * draw it where a new line goes, above the old line (it moves below it once it shows the change, placePartial), so a
   * pause never hides what arrived (editSession, UNSHOWN_MS). False when there is nothing held back.
   */
  revealUnshown(): boolean {
    const text = this.unshown;
    if (text === null || this.partialRow) return false;
    this.unshown = null;
    this.partialStays = false;
    this.putPartial((this.partialRow = { kind: 'part', text, hunk: this.ensureOpen(), orig: -1 }));
    this.touch();
    return true;
  }

  /**
   * Issue 11, session 14: the line being written goes where the finished line will go. Shown below the old line it
   * already shows it changes (streamingDiff.partialAt: `  const sum` under `  var sum = 0;`, a re-indent on its way),
   * else above the lines the stream has not reached (an insertion). It moves at most twice, early: down once it shows
   * the change, and back above, for good, once it cannot be that change any more (the old line stays where it is).
   */
  private placePartial(text: string): void {
    const p = this.partialRow;
    if (!p || this.rows[this.frontier - 1] !== p) return;
    const pair = this.partialPair(p);
    if (pair) {
      if (partialAt(this.original, pair.old.orig, text).verdict !== 'new') return;
      this.removeRow(p);
      this.retreat(pair);
      this.partialStays = true;
    } else {
      if (this.partialStays || this.userTouched) return;
      const f = this.frontierRow;
      if (!f || f.kind !== 'orig') return;
      const { at, verdict } = partialAt(this.original, f.orig, text);
      if (verdict !== 'change') return this.staysIfNew(verdict, text);
      this.removeRow(p);
      const down = this.aheadTo(at);
      if (down) down.add = p;
    }
    this.putPartial(p);
    this.touch();
  }

  /** The unfinished row goes in at the frontier: above the lines not reached yet, or below the old line shown ahead. */
  private putPartial(p: Row): void {
    this.rows.splice(this.frontier, 0, p);
    this.mark(this.frontier);
    this.frontier++;
  }

  /**
   * A line being written that cannot be a change of the old line, judged at the end of a token, stays where it is (more
   * tokens only add changes) and is not judged again: this runs on every token of the line (bench: per-token cost).
   */
  private staysIfNew(verdict: PartialVerdict, text: string): void {
    if (verdict === 'new' && !/[\w$]$/.test(text)) this.partialStays = true;
  }

  matched(index: number, from: number): void {
    this.droppedPartial = null;
    if (this.ahead.length) this.settleAhead(index, from < index ? this.ensureOpen() : null);
    if (from < index) {
      const h = this.ensureOpen();
      const dels: Row[] = [];
      for (let i = from; i < index; i++) if (this.removing(this.origRows[i], h)) dels.push(this.origRows[i]);
      this.liftDels(h, dels);
    }
    const m = this.origRows[index];
    if (m.kind === 'orig') m.kind = 'ctx';
    this.closeOpen();
    this.advanceFrontier(index + 1);
    this.touch();
  }

  finished(from: number): void {
    this.unshown = null;
    this.keepUserPartial();
    this.droppedPartial = null;
    if (this.partialRow) {
      this.removeRow(this.partialRow);
      this.partialRow = null;
    }
    if (this.ahead.length) this.settleAhead(this.original.length, this.ensureOpen());
    if (from < this.original.length) {
      const h = this.ensureOpen();
      const dels: Row[] = [];
      for (let i = from; i < this.original.length; i++)
        if (this.removing(this.origRows[i], h)) dels.push(this.origRows[i]);
      this.liftDels(h, dels);
    }
    this.closeOpen();
    this.frontierRow = null;
    this.frontier = this.rows.length;
    this.touch();
  }

  /**
   * An original line the stream found removed becomes a row of hunk `h`, unless the user typed into it: then it is
   * theirs (issue 11, HA8), kept on Accept and on Reject like an added row they edited. Either way it moves with the
   * removed rows (liftDels), so the original lines keep their order. False: not an original line (nothing to move).
   */
  private removing(r: Row, h: Hunk): boolean {
    if (r.kind !== 'orig') return false;
    if (r.userEdited) r.kind = 'user';
    else {
      r.kind = 'del';
      r.hunk = h;
      r.drawnDel = false; // the document shows it as the plain line it was until a flush writes it (drawnKind)
    }
    return true;
  }

  /**
   * Old above new, in every state: lines just found removed move above the lines their hunk added while
   * streaming (added lines arrive before the stream knows which original lines they replace).
   */
  private liftDels(h: Hunk, dels: Row[]) {
    if (!dels.length) return;
    // A hunk with re-indented lines below their old ones (a wrap): nothing moves; the lines found removed at its end
    // stay where they are, below the lines written since the last pair (issue 11, session 11).
    const inPlace = this.paired.has(h);
    // The removed rows are original lines at or after the frontier: search from there first.
    let first = this.rows.indexOf(dels[0], Math.max(0, this.frontier - 1));
    if (first < 0) first = this.rows.indexOf(dels[0]);
    if (first < 0) return;
    // The hunk's added rows sit right above its first removed row (user rows typed among them stay with them).
    let top = first;
    for (let k = first - 1; k >= 0 && !inPlace; k--) {
      const r = this.rows[k];
      if (r.hunk === h && r.kind !== 'del' && !r.rewrites) top = k;
      else if (!(r.kind === 'user' && r.hunk === null)) break;
    }
    const set = new Set(dels);
    let last = first;
    for (let k = first, left = dels.length; k < this.rows.length && left; k++)
      if (set.has(this.rows[k])) {
        last = k;
        left--;
      }
    if (top === first) {
      // They stay where they are, but their document lines change (the removed rows' prefix, see rowLine). With no
      // prefix the document's lines are already right: they are drawn removed at once (no flush would rewrite them).
      if (!this.removedPrefix) for (const r of dels) if (r.kind === 'del') r.drawnDel = true;
      this.mark(first);
      this.mark(last);
      return;
    }
    const moved = this.rows.slice(first, last + 1).filter((r) => set.has(r));
    const stay = this.rows.slice(first, last + 1).filter((r) => !set.has(r));
    this.rows.splice(top, last + 1 - top, ...moved, ...this.rows.slice(top, first), ...stay);
    this.mark(top);
    this.mark(last);
  }

  private advanceFrontier(nextOrig: number) {
    this.frontierRow = nextOrig < this.origRows.length ? this.origRows[nextOrig] : null;
    // Usually a short forward scan from the old frontier (rows between are the ones just decided).
    if (!this.frontierRow) {
      this.frontier = this.rows.length;
      return;
    }
    let i = this.frontier;
    while (i < this.rows.length && this.rows[i] !== this.frontierRow) i++;
    this.frontier = i < this.rows.length ? i : this.rows.indexOf(this.frontierRow);
    if (this.frontier < 0) this.frontier = this.rows.length;
  }

  private recomputeFrontier() {
    if (!this.frontierRow) {
      this.frontier = this.rows.length;
      return;
    }
    const i = this.rows.indexOf(this.frontierRow);
    if (i >= 0) {
      this.frontier = i;
      return;
    }
    // The user deleted the frontier line: the next original line still present takes its place.
    for (let k = this.frontierRow.orig + 1; k < this.origRows.length; k++) {
      const j = this.rows.indexOf(this.origRows[k]);
      if (j >= 0) {
        this.frontier = j;
        this.frontierRow = this.origRows[k];
        return;
      }
    }
    this.frontierRow = null;
    this.frontier = this.rows.length;
  }

  private removeRow(r: Row) {
    const i = r === this.partialRow && this.rows[this.frontier - 1] === r ? this.frontier - 1 : this.rows.indexOf(r);
    if (i < 0) return;
    this.rows.splice(i, 1);
    this.mark(i, true);
    if (i < this.frontier) this.frontier--;
  }

  /**
   * Start over from what the region holds now (after rejectAll): every row becomes an unreached original
   * line of a new baseline, for a redirected stream. The document mirror is untouched.
   */
  rebase(): void {
    this.unshown = null;
    this.droppedPartial = null;
    this.stop = null;
    this.original = this.rows.map((r) => r.text);
    this.rows.forEach((r, i) => {
      r.kind = 'orig';
      r.hunk = null;
      r.orig = i;
      r.decided = undefined;
    });
    this.origRows = [...this.rows];
    this.open = null;
    this.partialRow = null;
    this.frontierRow = this.rows[0] ?? null;
    this.ahead = [];
    this.frontier = 0;
    this.hunkVersion++;
    this.markAll();
    this.touch();
  }

  /**
   * The proposal as it stands (rows, hunks, baseline, stop mark), kept by a redirect (issue 11) so that a redirect that
   * ends with nothing new to propose (a refusal, an empty or unchanged answer, a failure, Esc before anything whole)
   * brings it back exactly: the same rows and hunk objects, so the document, decorations and controls are as before.
   */
  saveProposal(): SavedProposal {
    return {
      rows: this.rows.map((row) => ({ row, fields: { ...row } })),
      original: this.original,
      origRows: [...this.origRows],
      hunks: this.hunks.map((hunk) => ({ hunk, state: hunk.state })),
      stop: this.stop && { ...this.stop },
      structureCut: this.structureCut,
      userEdits: this.userEdits,
    };
  }

  /**
   * Back to a saved proposal (see saveProposal); the document follows at the next flush. Refused (false) when the user
   * edited the region since: their typing is never thrown away to bring a proposal back.
   */
  restoreProposal(s: SavedProposal): boolean {
    this.droppedPartial = null;
    if (s.userEdits !== this.userEdits || this.clobbered) return false;
    for (const { row, fields } of s.rows) {
      for (const k of Object.keys(row) as Array<keyof Row>) if (!(k in fields)) delete row[k];
      Object.assign(row, fields);
    }
    this.rows = s.rows.map((x) => x.row);
    this.original = s.original;
    this.origRows = [...s.origRows];
    for (const { hunk, state } of s.hunks) hunk.state = state === 'streaming' ? 'pending' : state;
    this.hunks.splice(0, this.hunks.length, ...s.hunks.map((x) => x.hunk));
    this.stop = s.stop && { ...s.stop };
    this.structureCut = s.structureCut;
    this.open = null;
    this.partialRow = null;
    this.frontierRow = null;
    this.ahead = [];
    this.frontier = this.rows.length;
    this.hunkVersion++;
    this.markAll();
    this.touch();
    return true;
  }

  /** The region as rendered now (call when in sync and not streaming). */
  snapshot(): RegionSnapshot {
    const runs: RegionSnapshot['runs'] = [];
    const hunks = new Map<number, Hunk>();
    for (const r of this.rendered) {
      const hunk = r.hunk ? r.hunk.id : 0;
      if (r.hunk) hunks.set(r.hunk.id, r.hunk);
      const userEdited = !!r.userEdited;
      const last = runs[runs.length - 1];
      if (last && last.kind === r.kind && last.hunk === hunk && last.userEdited === userEdited) last.n++;
      else runs.push({ kind: r.kind, hunk, userEdited, n: 1 });
    }
    return {
      startLine: this.startLine,
      original: this.original,
      runs,
      userTouched: this.userTouched,
      lineCount: this.rendered.length,
      removedPrefix: this.removedPrefix,
      hunks: [...hunks.values()].map((h) => ({ id: h.id, state: h.state === 'streaming' ? 'pending' : h.state })),
    };
  }

  /** A settled region again, from a snapshot and the document's lines it covers (exactly what the snapshot saw). */
  static restore(snap: RegionSnapshot, lines: readonly string[]): PreviewRegion {
    if (lines.length !== snap.lineCount)
      throw new Error(`restore: ${lines.length} lines for a ${snap.lineCount}-line snapshot`);
    const region = new PreviewRegion(snap.startLine, snap.original, snap.removedPrefix);
    const hunks = new Map(snap.hunks.map((h) => [h.id, { id: h.id, state: h.state } as Hunk]));
    const rows: Row[] = [];
    let k = 0;
    for (const run of snap.runs) {
      for (let i = 0; i < run.n; i++, k++) {
        const row: Row = {
          kind: run.kind === 'orig' ? 'ctx' : run.kind === 'part' ? 'add' : run.kind,
          text: '',
          hunk: hunks.get(run.hunk) ?? null,
          orig: -1,
        };
        // The snapshot was taken in step with the document: a removed row's line has the prefix unless the user removed it.
        if (row.kind === 'del' && snap.removedPrefix) row.prefixed = lines[k].startsWith(snap.removedPrefix);
        setRowFromLine(row, lines[k], snap.removedPrefix);
        if (row.kind === 'del' && snap.removedPrefix && !row.prefixed) row.plain = true;
        if (run.userEdited) row.userEdited = true;
        rows.push(row);
      }
    }
    region.rows = rows;
    region.rendered = [...rows];
    region.renderedText = [...lines];
    region.origRows = rows.filter((r) => r.kind === 'ctx' || r.kind === 'del');
    region.hunks.push(...[...hunks.values()].filter((h) => rows.some((r) => r.hunk === h)));
    region.frontierRow = null;
    region.frontier = rows.length;
    region.userTouched = snap.userTouched;
    region.markAll();
    region.dirty = false;
    region.lo = rows.length;
    region.tail = rows.length;
    region.hunkVersion++;
    return region;
  }

  // ---- Hunks ---------------------------------------------------------------------------------------
  /** Pending hunks in document order. */
  pendingHunks(): Hunk[] {
    return this.hunks.filter((h) => h.state === 'pending');
  }

  accept(h: Hunk): boolean {
    if (h.state !== 'pending') return false;
    this.resolveHunk(h, 'accepted');
    return true;
  }

  reject(h: Hunk): boolean {
    if (h.state !== 'pending' && h.state !== 'streaming') return false;
    this.resolveHunk(h, 'rejected');
    return true;
  }

  private resolveHunk(h: Hunk, to: 'accepted' | 'rejected') {
    const dropKind: RowKind[] = to === 'accepted' ? ['del'] : ['add', 'part'];
    this.rows = this.rows.filter((r) => {
      if (r.hunk !== h) return true;
      if (dropKind.includes(r.kind) && !r.userEdited) return false;
      r.kind = r.userEdited ? 'user' : 'ctx';
      r.hunk = null;
      r.decided = true;
      r.plain = undefined;
      r.rewrites = undefined;
      return true;
    });
    if (this.partialRow && this.partialRow.hunk === null) this.partialRow = null;
    h.state = to;
    if (this.open === h) this.open = null;
    this.recomputeFrontier();
    this.markAll();
    this.hunkVersion++;
    this.touch();
  }

  /**
   * Stop streaming here: the rewrite ends at the current frontier; untouched original lines stay as they are.
   * `dropOpen`: the user stopped the stream (Esc, Stop, Accept All while it writes): the hunk still open is dropped
   * (below). A stop by the model (output limit, broken answer) keeps its whole lines, so Continue can finish them.
   */
  interrupt(reason = 'stopped', o: { dropOpen?: boolean } = {}): void {
    this.unshown = null;
    this.droppedPartial = null;
    if (this.partialRow) {
      // Never half a line: the unfinished row is left out (an unclosed `/**` would colour the rest of the file), and
      // the original lines it would have replaced stay as they are, as every line the stream did not reach.
      // A row the user typed in is theirs and stays.
      if (this.partialRow.userEdited) this.partialRow.kind = 'add';
      else this.removeRow(this.partialRow);
      this.partialRow = null;
    }
    this.settleAhead(0, null); // the lines shown ahead are lines it did not reach: back below what it wrote
    this.stop = { before: this.frontierRow, reason };
    for (const r of this.rows) if (r.kind === 'orig') r.kind = 'ctx';
    // The hunk still open when the stream stopped has no proven end: its added lines arrived, but which original
    // lines they replace was not known yet ("use const" stopped after `const res = …` kept `var res = …` below it:
    // a redeclaration once accepted). When the user stopped it, a hunk counts once the stream moved past it.
    const had = this.pendingHunks().length + (this.open && this.rows.some((r) => r.hunk === this.open) ? 1 : 0);
    const droppedOpen = o.dropOpen ? this.dropOpen() : 0;
    this.closeOpen();
    this.structureCut = null;
    if (this.syntax) this.keepWholeConstructs(this.syntax);
    const cut = this.structureCut as { droppedRows: number } | null; // set by keepWholeConstructs
    if (had > 0 && this.pendingHunks().length === 0)
      this.structureCut = { droppedRows: (cut?.droppedRows ?? 0) + droppedOpen, nothingLeft: true };
    this.frontierRow = null;
    this.frontier = this.rows.length;
    this.markAll();
    this.touch();
  }

  /**
   * How many pending hunks a stop by the user (Esc, Stop, Accept while it writes) would leave now, changing nothing:
   * the unfinished line and the open hunk withdrawn, the rest cut to whole constructs, as interrupt(…, { dropOpen })
   * does (issue 17: the title's ✓ is offered mid-stream only when accepting would keep something).
   */
  keptIfStopped(): number {
    const pending = this.pendingHunks().length;
    if (pending === 0 || !this.syntax) return pending;
    const open = this.open;
    const cut: CutRow[] = [];
    const hunkAt: Array<Hunk | null> = [];
    for (const r of this.rows) {
      const add = r.kind === 'add' || r.kind === 'part';
      if (r === this.partialRow && !r.userEdited) continue; // never half a line
      if (open && r.hunk === open) {
        if (add && !r.userEdited) continue; // the open hunk's added rows are dropped, its removed rows are original again
        cut.push({ pending: false, accepted: r.text, rejected: r.text });
        hunkAt.push(null);
        continue;
      }
      const p = !!r.hunk && r.hunk.state === 'pending';
      cut.push({
        pending: p,
        accepted: p && r.kind === 'del' && !r.userEdited ? null : r.text,
        rejected: p && add && !r.userEdited ? null : r.text,
      });
      hunkAt.push(p ? r.hunk : null);
    }
    const c = structuralCut(cut, this.syntax);
    return new Set(hunkAt.slice(0, c).filter((h) => h !== null)).size;
  }

  /**
   * After a stop: the open hunk's rows go back to the original (as keepWholeConstructs does for the rows after its
   * cut): added rows are dropped (a row the user typed in stays, as theirs), removed rows are original lines again.
   * Returns how many rows it touched.
   */
  private dropOpen(): number {
    const open = this.open;
    if (!open) return 0;
    this.open = null;
    const { keep, dropped } = withdrawRows(this.rows, (r) => r.hunk === open);
    if (this.stop?.before && !keep.includes(this.stop.before)) this.stop.before = null;
    this.rows = keep;
    const i = this.hunks.indexOf(open);
    if (i >= 0) this.hunks.splice(i, 1);
    this.hunkVersion++;
    return dropped;
  }

  /**
   * After a stop: keep only the longest prefix of the change that leaves the structure as the original's (brackets
   * balanced as they were, no Python block left without its body). The rows after the cut go back to the original:
   * added rows are dropped (a row the user typed in stays, as theirs), removed rows are plain original lines again.
   */
  private keepWholeConstructs(syn: Syntax): void {
    const pending = (r: Row) => !!r.hunk && r.hunk.state === 'pending';
    const isAdd = (r: Row) => r.kind === 'add' || r.kind === 'part';
    const cut: CutRow[] = this.rows.map((r) => {
      const p = pending(r);
      return {
        pending: p,
        accepted: p && r.kind === 'del' && !r.userEdited ? null : r.text,
        rejected: p && isAdd(r) && !r.userEdited ? null : r.text,
      };
    });
    const c = structuralCut(cut, syn);
    if (c === this.rows.length) return;
    const had = this.pendingHunks().length;
    const tail = withdrawRows(this.rows.slice(c), pending);
    const keep = [...this.rows.slice(0, c), ...tail.keep];
    const dropped = tail.dropped;
    if (this.stop) this.stop.before = keep[c] ?? null; // marked on the last kept row
    this.rows = keep;
    for (let i = this.hunks.length - 1; i >= 0; i--)
      if (this.hunks[i].state === 'pending' && !keep.some((r) => r.hunk === this.hunks[i])) this.hunks.splice(i, 1);
    this.hunkVersion++;
    this.structureCut = { droppedRows: dropped, nothingLeft: had > 0 && this.pendingHunks().length === 0 };
  }

  /** Every unresolved hunk rejected: the region holds the original plus the user's own edits. */
  rejectAll(): void {
    if (this.open) this.reject(this.open);
    for (const h of this.pendingHunks()) this.reject(h);
    for (const r of this.rows) if (r.kind === 'orig') r.kind = 'ctx';
    this.touch();
  }

  acceptAll(): void {
    for (const h of this.pendingHunks()) this.accept(h);
  }

  /** The text the region would hold if every pending hunk were accepted (or rejected). */
  textIf(choice: 'accept' | 'reject'): string[] {
    return this.rows.filter((r) => rowKeptIf(r, choice)).map((r) => r.text);
  }

  /**
   * After the stream ends, make the diff minimal where the greedy streaming match left it worse. The region is cut
   * into segments at rows the user decided (hunks accepted or rejected while streaming stay exactly as decided) and
   * each segment is checked against a lower bound of a minimal diff (the lines its old and new sides do not share,
   * counted as multisets, O(rows)): when it is at the bound nothing is recomputed; otherwise the segment is
   * re-diffed (Myers, bounded to `maxCells` ≈ lines × edit distance, so a huge change cannot stall the host's
   * thread; past the bound each hunk is refined on its own lines, as before). Accept-all and reject-all give
   * exactly the same texts before and after; removed lines come before added ones in every hunk.
   * Never when the user has typed in the region: user work is never re-laid out.
   */
  relayoutClean(maxCells = 16_000_000): boolean {
    if (this.userTouched) return false;
    if (this.rows.some((r) => r.kind === 'orig' || r.kind === 'part' || r.kind === 'user')) return false;
    const out: Row[] = [];
    const pending: Hunk[] = [];
    let changed = false;
    for (let i = 0; i < this.rows.length;) {
      if (!relayoutFree(this.rows[i])) {
        out.push(this.rows[i]);
        i++;
        continue;
      }
      let j = i;
      while (j < this.rows.length && relayoutFree(this.rows[j])) j++;
      const seg = this.rows.slice(i, j);
      i = j;
      if (keepsPairs(seg)) {
        // Re-indented lines right below their old ones, as the stream showed them (issue 11): kept as they are.
        for (const r of seg) if (r.hunk && !pending.includes(r.hunk)) pending.push(r.hunk);
        out.push(...seg);
        continue;
      }
      const start = out.length;
      // Each hunk refined on its own lines first (cheap); the segment re-diffed only if that is still clearly worse.
      const refined: Row[] = [],
        refinedHunks: Hunk[] = [];
      refineHunks(seg, refined, refinedHunks);
      if (!relayoutSegment(refined, out, pending, maxCells)) {
        for (const r of refined) out.push(r);
        pending.push(...refinedHunks);
      }
      changed = changed || out.length - start !== seg.length || seg.some((r, k) => out[start + k] !== r);
    }
    const decided = this.hunks.filter((h) => h.state === 'accepted' || h.state === 'rejected');
    this.hunks.splice(0, this.hunks.length, ...decided, ...pending);
    this.rows = out;
    this.recomputeFrontier();
    this.markAll();
    this.hunkVersion++;
    this.touch();
    return changed;
  }

  // ---- Document synchronisation ---------------------------------------------------------------------
  /**
   * The single edit that brings the document from `rendered` to `rows`, or null when in sync. Costs
   * O(changed rows): only the dirty range since the last commit is compared.
   */
  planFlush(): FlushPlan | null {
    const a = this.renderedText;
    const b = this.rows;
    const pf = this.removedPrefix;
    const ra = this.rendered;
    const min = Math.min(a.length, b.length);
    let p = Math.min(this.lo, min);
    // A row is unchanged when it is the same row with the same line: a row of equal text but another kind (a removed
    // line and the added line that repeats it) is not, or the mirror would pair the document's lines with wrong rows.
    // (A removed row the document already shows as it is, where it is, is drawn removed from now on: Row.drawnDel.)
    while (p < min && ra[p] === b[p] && a[p] === rowLine(b[p], pf)) {
      if (b[p].drawnDel === false) b[p].drawnDel = true;
      p++;
    }
    if (p === a.length && p === b.length) {
      this.dirty = false;
      this.lo = b.length;
      this.tail = b.length;
      return null;
    }
    let s = Math.max(0, Math.min(this.tail, min - p));
    while (
      s < min - p &&
      ra[a.length - 1 - s] === b[b.length - 1 - s] &&
      a[a.length - 1 - s] === rowLine(b[b.length - 1 - s], pf)
    ) {
      if (b[b.length - 1 - s].drawnDel === false) b[b.length - 1 - s].drawnDel = true;
      s++;
    }
    const end = b.length - s;
    const rows = b.slice(p, end);
    const lines = rows.map((r) => rowLine(r, pf));
    return {
      from: p,
      deleteCount: a.length - s - p,
      lines,
      rowsAfter: b.length,
      snapshot: { rows, partial: this.partialRow, del: rows.map((r) => r.kind === 'del') },
      version: this.version,
    };
  }

  /** The document now holds the plan's result. */
  commitFlush(plan: FlushPlan | null): void {
    const pf = this.removedPrefix;
    // (The row that was being written when the plan was made: the stream may have finished it since.)
    const wrote = plan?.snapshot ? plan.snapshot.rows : this.rows;
    const partial = plan?.snapshot ? plan.snapshot.partial : this.partialRow;
    if (this.shownPartial && wrote.includes(this.shownPartial)) this.shownPartial = null;
    if (partial && wrote.includes(partial)) this.shownPartial = partial;
    if (plan?.snapshot) {
      spliceIn(this.rendered, plan.from, plan.deleteCount, plan.snapshot.rows);
      spliceIn(this.renderedText, plan.from, plan.deleteCount, plan.lines);
      for (const r of plan.snapshot.rows) r.withdrawn = undefined;
      // Rows written as removed are drawn removed from now on (a row found removed after the plan was made: not yet).
      const del = plan.snapshot.del;
      if (del) plan.snapshot.rows.forEach((r, k) => del[k] && (r.drawnDel = true));
      if (pf) plan.snapshot.rows.forEach((r, k) => wroteLine(r, plan.lines[k], pf));
    } else {
      this.rendered = [...this.rows];
      this.renderedText = this.rows.map((r) => rowLine(r, pf));
      for (const r of this.rows) {
        r.withdrawn = undefined;
        if (r.kind === 'del') r.drawnDel = true;
      }
      if (pf) this.rows.forEach((r, k) => wroteLine(r, this.renderedText[k], pf));
    }
    this.settleRuns(plan ? plan.from : 0);
    if (plan && plan.version === this.version) {
      this.dirty = false;
      this.lo = this.rows.length;
      this.tail = this.rows.length;
    } else {
      // Rows changed while the edit was in flight: the dirty range still covers them, and the rows the plan wrote (a
      // planFlush() in between may have found rows and mirror equal, then they were the rows before this edit).
      this.dirty = true;
      if (plan) {
        this.lo = Math.min(this.lo, plan.from);
        this.tail = Math.min(this.tail, Math.max(0, this.rendered.length - (plan.from + plan.lines.length)));
      }
    }
  }

  /** The document region now holds exactly `lines` as plain text (a whole-region replace by the adapter). */
  resetTo(lines: string[]): void {
    this.droppedPartial = null;
    this.shownPartial = null;
    this.stop = null;
    this.rows = lines.map((text) => ({ kind: 'ctx' as RowKind, text, hunk: null, orig: -1 }));
    this.rendered = [...this.rows];
    this.renderedText = [...lines];
    for (const h of this.hunks) if (h.state === 'pending' || h.state === 'streaming') h.state = 'accepted';
    this.open = null;
    this.partialRow = null;
    this.frontierRow = null;
    this.ahead = [];
    this.frontier = this.rows.length;
    this.markAll();
    this.dirty = false;
    this.lo = this.rows.length;
    this.tail = this.rows.length;
    this.hunkVersion++;
  }

  /**
   * Contiguous runs of decorated rows (region-relative row indices, end exclusive) as rendered now.
   * The runs of the settled prefix are cached and the scan stops at the stream's frontier (the rows after it are
   * original lines not reached yet), so this costs O(runs) plus the rows near the frontier, whatever the region's size.
   */
  decorationRuns(): DecorationRun[] {
    const runs = this.runsCache.slice();
    scanRuns(this.rendered, this.runsUpTo, this.scanEnd(), runs);
    return runs;
  }

  /**
   * Where decorated rows end in `rendered`: the frontier row, or past it while a row shown ahead of it is still drawn
   * there (the document lags the rows: an unfinished line shown below the old line it seemed to change and since moved
   * back above it, lines shown ahead that went back; see placePartial, settleAhead). Those rows sit within a few rows of
   * the frontier: the scan goes on while one of the next AHEAD_SCAN rows is drawn added, removed or unfinished. O(1) otherwise.
   */
  private scanEnd(): number {
    const rows = this.rendered;
    let k = this.renderedFrontier();
    const plain = (r: Row | undefined) => !r || (r.kind !== 'add' && r.kind !== 'del' && r.kind !== 'part');
    for (;;) {
      let more = false;
      for (let w = 1; w <= AHEAD_SCAN && !more; w++) more = !plain(rows[k + w]);
      if (!more || k >= rows.length) return Math.min(k + 1, rows.length);
      k++;
    }
  }

  /**
   * What the document will show once `plan` lands, before it does (issue 11): the adapter sends these decorations in
   * the same tick as the edit, so no removed row is drawn without its decoration, its comment prefix visible (the
   * edit's change event, after which decorationRuns() would say so, comes back a round trip later). Call it in the
   * tick the plan was made: the plan's rows may change once it is in flight. O(runs + the plan's rows).
   */
  renderedAfter(plan: FlushPlan): RenderedAfter {
    const a = plan.from,
      b = a + plan.deleteCount,
      mid = plan.snapshot?.rows ?? [],
      d = mid.length - plan.deleteCount;
    const pf = this.removedPrefix,
      rendered = this.rendered,
      lines = plan.lines;
    const now = this.decorationRuns();
    const runs: DecorationRun[] = [];
    for (const r of now) if (r.from < a) runs.push({ kind: r.kind, from: r.from, to: Math.min(r.to, a) });
    const inPlan: DecorationRun[] = [];
    scanRuns(mid, 0, mid.length, inPlan, (r) => r.kind); // the plan's rows as it writes them (made this tick)
    for (const r of inPlan) runs.push({ kind: r.kind, from: r.from + a, to: r.to + a });
    for (const r of now) if (r.to > b) runs.push({ kind: r.kind, from: Math.max(r.from, b) + d, to: r.to + d });
    const prefixed = (i: number): boolean => {
      if (i < a) return !!rendered[i]?.prefixed;
      if (i < a + mid.length) return writtenWithPrefix(mid[i - a], lines[i - a], pf);
      return !!rendered[i - d]?.prefixed;
    };
    return { runs, prefixed, rows: () => [...rendered.slice(0, a), ...mid, ...rendered.slice(b)] };
  }

  /**
   * The frontier row's index in `rendered` (its length when the stream is not running). Every rendered row after it
   * is an original line the stream has not reached (rows change kind only once the stream passes them), so none is
   * decorated. The frontier only moves forward: the search starts where it was last found.
   */
  private renderedFrontier(): number {
    const f = this.frontierRow,
      rows = this.rendered;
    if (!f) return rows.length;
    let k = Math.max(this.runsUpTo, Math.min(this.frontierHint, rows.length));
    while (k < rows.length && rows[k] !== f) k++;
    if (k === rows.length) {
      k = this.runsUpTo;
      while (k < rows.length && rows[k] !== f) k++;
    } // rows above it went
    this.frontierHint = k;
    return k;
  }

  /** After a commit: rows before min(first changed row, frontier-1) are settled until hunks change or the user edits. */
  private settleRuns(from: number) {
    const stable = Math.max(0, Math.min(from, this.frontier - 1, this.aheadRendered(), this.rendered.length));
    if (stable < this.runsUpTo) {
      this.runsCache = this.runsCache
        .filter((r) => r.from < stable)
        .map((r) => (r.to > stable ? { ...r, to: stable } : r));
      this.runsUpTo = stable;
    } else if (stable > this.runsUpTo) {
      scanRuns(this.rendered, this.runsUpTo, stable, this.runsCache);
      this.runsUpTo = stable;
    }
  }

  /** Where the first line shown ahead of the stream is in `rendered` (Infinity: none): its kind is not settled yet. */
  private aheadRendered(): number {
    if (!this.ahead.length) return Infinity;
    const o = this.ahead[0].old;
    for (let k = Math.min(this.renderedFrontier(), this.rendered.length - 1); k >= 0; k--)
      if (this.rendered[k] === o) return k;
    return 0;
  }

  /** First rendered row of each unresolved hunk, in one pass (CodeLens positions). */
  hunkAnchors(): Array<{ hunk: Hunk; row: number }> {
    const out: Array<{ hunk: Hunk; row: number }> = [];
    const seen = new Set<Hunk>();
    const rows = this.rendered;
    for (let i = 0; i < rows.length; i++) {
      const h = rows[i].hunk;
      if (h && !seen.has(h)) {
        seen.add(h);
        out.push({ hunk: h, row: i });
      }
    }
    return out;
  }

  renderedRows(): readonly Row[] {
    return this.rendered;
  }
  /** Columns of rendered row `i` that are the removed-row prefix, not its text (0 for every other row; see rowLine). */
  prefixColumns(i: number): number {
    const r = this.rendered[i];
    return r?.prefixed ? this.removedPrefix.length : 0;
  }
  /**
   * Columns of rendered row `i`'s document line before its text: the removed-row prefix, or the model's withdrawn text
   * not written out yet (Row.withdrawn). Cursor columns in the line minus these are columns in the row's text.
   */
  hiddenColumns(i: number): number {
    const r = this.rendered[i];
    return this.prefixColumns(i) + (r?.withdrawn?.head ?? 0);
  }
  /** The texts the document holds for the region (row texts may already be ahead, e.g. a growing partial line). */
  renderedLines(): readonly string[] {
    return this.renderedText;
  }

  /**
   * The user changed the document: replace [startLine:startCol, endLine:endCol) (document coordinates,
   * before the change) with `text`. Keeps the mirror and the region position in step.
   */
  applyUserEdit(startLine: number, startCol: number, endLine: number, endCol: number, text: string): void {
    const nl = countNewlines(text);
    const rs = startLine - this.startLine;
    const re = endLine - this.startLine;
    const len = this.rendered.length;
    const lineDelta = nl - (endLine - startLine);
    const emptyRange = startLine === endLine && startCol === endCol;
    // Entirely before the region (an edit that ends at column 0 of the first row does not touch it).
    if (re < 0 || (re === 0 && endCol === 0 && (rs < 0 || (emptyRange && text.endsWith('\n'))))) {
      this.startLine += lineDelta;
      return;
    }
    if (rs >= len || len === 0) return; // after the region
    this.undropPartial(Math.max(0, rs), Math.min(re, len - 1));
    if (this.touchesUnwritten(Math.max(0, rs), Math.min(re, len - 1))) this.editedAhead = true;
    this.userEdits++;
    this.touch();
    this.markAll();
    this.userTouched = true;
    const fromStart = rs < 0 || (rs === 0 && startCol === 0);
    const toEnd = re > len - 1 || (re === len - 1 && endCol >= this.renderedText[len - 1].length);
    if (fromStart && toEnd && !(emptyRange && rs === 0)) {
      // The whole region was replaced by the user.
      this.clobbered = true;
      this.startLine = startLine;
      this.rows = [];
      this.rendered = [];
      this.renderedText = [];
      this.frontierRow = null;
      this.ahead = [];
      this.frontier = 0;
      return;
    }
    const segs = text.split('\n');
    if (rs < 0) {
      // Crosses the region start: only the tail of the edit stays in the region, merged into row `re`.
      const keep = this.rendered[re];
      const newText = segs[segs.length - 1] + this.renderedText[re].slice(endCol);
      this.removeRendered(0, re); // rows 0..re-1 gone
      setRowFromLine(keep, newText, this.removedPrefix);
      keep.withdrawn = undefined;
      this.takenByUser(keep);
      this.renderedText[0] = newText;
      this.startLine = startLine + nl;
      this.recomputeFrontier();
      return;
    }
    const lastRow = Math.min(re, len - 1);
    const prefix = this.renderedText[rs].slice(0, startCol);
    const suffix = re <= len - 1 ? this.renderedText[re].slice(endCol) : '';
    if (re > len - 1) {
      // Crosses the region end: the region now ends with the first line of the edit.
      const keep = this.rendered[rs];
      this.removeRendered(rs + 1, lastRow + 1);
      setRowFromLine(keep, prefix + segs[0], this.removedPrefix);
      keep.withdrawn = undefined;
      this.takenByUser(keep);
      this.renderedText[rs] = prefix + segs[0];
      this.recomputeFrontier();
      return;
    }
    const newLines = (prefix + text + suffix).split('\n');
    const oldCount = re - rs + 1;
    if (emptyRange && startCol === 0 && text.endsWith('\n')) {
      // Whole new lines typed above row rs.
      this.insertRendered(rs, segs.slice(0, -1), 'before');
      this.recomputeFrontier();
      return;
    }
    // Row rs keeps its identity with the first new line; the rest are user rows; extra old rows go.
    const first = this.rendered[rs];
    // The model's text on the line being written is withdrawn (issue 11, HA8): the stream stops at the user's first key
    // there, and its half line never stays beside the keys (`    for ( /*kk1*/`): the keys alone are the user's line.
    const head = this.modelChars(rs, startCol, 'head');
    const tail = this.modelChars(re, this.renderedText[re].length - endCol, 'tail');
    const n = newLines.length;
    const firstText = newLines[0].slice(head, n === 1 ? newLines[0].length - tail : undefined);
    const onlyDeleted = this.beingWritten(rs) && !first.userEdited && n === 1 && !firstText;
    setRowFromLine(first, firstText, this.removedPrefix);
    first.withdrawn = head || (n === 1 && tail) ? { head, tail: n === 1 ? tail : 0 } : undefined;
    if (!onlyDeleted) this.takenByUser(first); // (keys that only deleted the model's text: nothing of theirs to keep)
    this.renderedText[rs] = newLines[0];
    if (oldCount > 1) this.removeRendered(rs + 1, re + 1);
    if (n > 1) {
      this.insertRendered(rs, newLines.slice(1), 'after');
      const last = this.rendered[rs + n - 1];
      if (tail) {
        last.text = newLines[n - 1].slice(0, newLines[n - 1].length - tail);
        last.withdrawn = { head: 0, tail };
      }
    }
    this.recomputeFrontier();
  }

  /**
   * How many characters of row `r`'s document line before (`head`) or after (`tail`) the user's edit are the model's
   * text to withdraw: all of them on the line being written (nothing of it was the user's yet), up to the withdrawn
   * part not written out yet on a row already typed into (see Row.withdrawn), none elsewhere.
   */
  private modelChars(i: number, upTo: number, side: 'head' | 'tail'): number {
    const r = this.rendered[i];
    if (this.beingWritten(i) && !r.userEdited && !r.withdrawn) return upTo;
    return r.withdrawn ? Math.min(r.withdrawn[side], upTo) : 0;
  }

  /**
   * Is rendered row `i` the line being written as the document shows it: the unfinished row, or the row that was
   * unfinished when last written out and that the document still shows unfinished (see shownPartial), or that a stop
   * has just taken out while the document still shows it (a key there before the flush that removes it landed: the
   * model's half line stayed in the file as the user's, on Accept and on Reject; property test, session 14)?
   */
  private beingWritten(i: number): boolean {
    const r = this.rendered[i];
    if (r === this.partialRow) return true;
    if (r !== this.shownPartial) return false;
    return !this.rows.includes(r) || this.renderedText[i] !== rowLine(r, this.removedPrefix);
  }

  /**
   * The user edited row `r`: it is theirs now, kept on Accept and on Reject. A removed row too (issue 11, HA8: keys
   * typed into a struck-through line were gone on Accept All): it leaves its hunk and is plain code again.
   */
  private takenByUser(r: Row): void {
    r.userEdited = true;
    if (!this.rows.includes(r)) {
      // A row a decision took out a moment ago (an accepted removal, a rejected addition), still in the document until
      // the decision's edit lands: the user's keys there stay, so the row does too, as theirs.
      const at = this.rendered.indexOf(r);
      let k = at - 1;
      while (k >= 0 && !this.rows.includes(this.rendered[k])) k--;
      this.rows.splice(k < 0 ? 0 : this.rows.indexOf(this.rendered[k]) + 1, 0, r);
      Object.assign(r, { kind: 'user', hunk: null, decided: true, plain: undefined });
      return;
    }
    if (r.kind !== 'del') return;
    const h = r.hunk;
    r.kind = 'user';
    r.hunk = null;
    r.plain = undefined;
    if (h && h !== this.open && !this.rows.some((x) => x.hunk === h)) this.hunks.splice(this.hunks.indexOf(h), 1);
    this.hunkVersion++;
  }

  /**
   * Does the user's edit of rendered rows [from, to] touch code the stream has not written yet: the line it is writing
   * or an original line below it (issue 11, HA: the stream would write over those keys or later propose removing the
   * line they are in)? The session stops the stream there (see takeEditedAhead).
   */
  private touchesUnwritten(from: number, to: number): boolean {
    for (let i = from; i <= to; i++) {
      const r = this.rendered[i];
      if (this.beingWritten(i) || r.kind === 'orig') return true;
    }
    return false;
  }
  private editedAhead = false;
  /**
   * The user edits the unfinished line the stream took out a moment ago (its line ended; the document still shows it
   * until the next flush): it is the line being written again, so the keys stay (keepUserPartial) and the stream stops.
   */
  private undropPartial(from: number, to: number): void {
    const d = this.droppedPartial;
    if (!d || this.partialRow) return;
    for (let i = from; i <= to; i++)
      if (this.rendered[i] === d) {
        this.droppedPartial = null;
        this.rows.splice(this.frontier, 0, d);
        this.mark(this.frontier);
        this.frontier++;
        this.partialRow = d;
        return;
      }
  }
  /** Whether a user edit touched code the stream has not written yet since the last call (see touchesUnwritten). */
  takeEditedAhead(): boolean {
    const x = this.editedAhead;
    this.editedAhead = false;
    return x;
  }

  private removeRendered(from: number, to: number) {
    const gone = this.rendered.splice(from, to - from);
    this.renderedText.splice(from, to - from);
    const set = new Set(gone);
    this.rows = this.rows.filter((r) => !set.has(r));
    if (this.partialRow && set.has(this.partialRow)) this.partialRow = null;
  }

  private insertRendered(at: number, lines: string[], where: 'before' | 'after') {
    const ref = this.rendered[at];
    const newRows: Row[] = lines.map((text) => ({
      kind: 'user' as RowKind,
      text,
      hunk: null,
      orig: -1,
      userEdited: true,
    }));
    const rAt = where === 'before' ? at : at + 1;
    this.rendered.splice(rAt, 0, ...newRows);
    this.renderedText.splice(rAt, 0, ...lines);
    let i = this.rows.indexOf(ref);
    if (i < 0) i = Math.min(at, this.rows.length);
    else if (where === 'after') i++;
    this.rows.splice(i, 0, ...newRows);
  }
}

/** A row the end-of-stream cleanup may re-lay out: unchanged text or a row of an undecided hunk, never the user's. */
function relayoutFree(r: Row): boolean {
  if (r.userEdited) return false;
  if (r.hunk) return r.hunk.state === 'pending' || r.hunk.state === 'streaming';
  return r.kind === 'ctx' && !r.decided;
}

/**
 * A segment's old and new sides, how many removed + added rows it shows, and the lower bound of a minimal diff: the
 * lines one side has more copies of than the other.
 */
function changedAndBound(seg: Row[]): { oldRows: Row[]; newRows: Row[]; shown: number; bound: number } {
  const oldRows = seg.filter((r) => r.kind !== 'add');
  const newRows = seg.filter((r) => r.kind !== 'del');
  const count = new Map<string, number>();
  for (const r of oldRows) count.set(r.text, (count.get(r.text) ?? 0) + 1);
  for (const r of newRows) count.set(r.text, (count.get(r.text) ?? 0) - 1);
  let bound = 0;
  for (const c of count.values()) bound += Math.abs(c);
  return { oldRows, newRows, shown: seg.length * 2 - oldRows.length - newRows.length, bound };
}

/**
 * A segment where the stream put re-indented lines right below their old ones (a wrap: Row.rewrites) keeps that layout
 * at the end (issue 11: the whole old block moved above the new one), unless it is further from a minimal diff than
 * issue 14's budget allows (max(10, 10%) extra lines): a minimal diff may pair an old closing brace with a new one
 * elsewhere, which reads worse.
 */
function keepsPairs(seg: Row[]): boolean {
  // Only a wrap's pairs (re-indented lines): a line changed a little is paired again by hunkOrder after any re-diff.
  if (!seg.some((r, i) => r.rewrites && r.kind === 'add' && seg[i - 1]?.text.trim() === r.text.trim())) return false;
  const { shown, bound } = changedAndBound(seg);
  return shown - bound <= Math.max(10, Math.ceil(bound * 0.1));
}

/**
 * Re-diff one segment (rows of unchanged text and undecided hunks) when it is clearly worse than a minimal diff
 * could be. Appends the new layout to `out` and its hunks to `hunks`; false (nothing appended) when the segment
 * is close enough to minimal or its diff too large for `maxCells`.
 */
function relayoutSegment(seg: Row[], out: Row[], hunks: Hunk[], maxCells: number): boolean {
  const { oldRows, newRows, shown, bound } = changedAndBound(seg);
  if (shown <= bound) return false; // at the bound: minimal already
  const cap = Math.min(shown - 1, Math.floor(maxCells / Math.max(1, oldRows.length + newRows.length)));
  const parts = diffArrays(
    oldRows.map((r) => r.text),
    newRows.map((r) => r.text),
    { maxEditLength: cap },
  );
  if (!parts) return false;
  const shared = new Set(seg.filter((r) => r.kind === 'ctx'));
  let oi = 0,
    ni = 0;
  let cur: Hunk | null = null;
  let curDel: Row[] = [],
    curAdd: Row[] = [];
  const close = () => {
    if (cur) {
      out.push(...hunkOrder(curDel, curAdd));
      hunks.push(cur);
      cur = null;
      curDel = [];
      curAdd = [];
    }
  };
  for (const p of parts) {
    const n = p.value.length;
    if (!p.added && !p.removed) {
      close();
      for (let k = 0; k < n; k++) {
        const r = oldRows[oi++];
        ni++;
        r.kind = 'ctx';
        r.hunk = null;
        out.push(r);
      }
      continue;
    }
    cur ??= { id: nextHunkId++, state: 'pending' };
    if (p.removed)
      for (let k = 0; k < n; k++) {
        const r = oldRows[oi++];
        r.kind = 'del';
        r.hunk = cur;
        curDel.push(r);
      }
    else {
      for (let k = 0; k < n; k++) {
        const r = newRows[ni++];
        // An unchanged row is on both sides: as an added line it is a row of its own.
        if (shared.has(r)) curAdd.push({ kind: 'add', text: r.text, hunk: cur, orig: -1 });
        else {
          r.kind = 'add';
          r.hunk = cur;
          curAdd.push(r);
        }
      }
    }
  }
  close();
  return true;
}

/**
 * One hunk's removed and added rows in the order the stream shows them (issue 11): removed rows above added ones, except
 * that an added line which is a removed line re-indented (streamingDiff.rewriteAt, the stream's own rule) or changed in
 * a few tokens (streamingDiff.similarAt, the region's rule while streaming: showAhead) sits right below it, where the stream wrote it (with the lines without code it skipped right above the pair), and the removed
 * rows left after the last pair go at the end, where the stream found them (region.liftDels). With no such line it is
 * the usual removed-then-added block.
 */
function hunkOrder(dels: Row[], adds: Row[]): Row[] {
  const out: Row[] = [];
  const texts = dels.map((r) => r.text);
  let d = 0; // the removed rows before it are placed (d > 0: the hunk has a pair)
  for (const a of adds) {
    let k = a.userEdited ? -1 : rewriteAt(texts, d, a.text);
    if (k < 0 && !a.userEdited) k = similarAt(texts, d, a.text); // a line changed a little: below its old line too
    a.rewrites = k >= 0;
    if (k < 0) {
      out.push(a);
      continue;
    }
    out.push(...dels.slice(d, k), dels[k], a);
    d = k + 1;
  }
  // With pairs (a wrap), the rest stays where the stream found it removed, at the end; else above what was added.
  out.splice(d > 0 ? out.length : 0, 0, ...dels.slice(d));
  return out;
}

/** Each hunk refined on its own lines (lines the greedy match put in both become unchanged), removed lines first. */
function refineHunks(seg: Row[], out: Row[], hunks: Hunk[], maxCellsPerHunk = 4_000_000) {
  for (let i = 0; i < seg.length;) {
    const r = seg[i];
    if (!r.hunk) {
      out.push(r);
      i++;
      continue;
    }
    const h = r.hunk;
    let j = i;
    while (j < seg.length && seg[j].hunk === h) j++;
    const rows = seg.slice(i, j);
    i = j;
    const dels = rows.filter((x) => x.kind === 'del');
    const adds = rows.filter((x) => x.kind === 'add');
    if (dels.length === 0 || adds.length === 0 || dels.length * adds.length > maxCellsPerHunk) {
      hunks.push(h);
      out.push(...hunkOrder(dels, adds));
      continue;
    }
    const parts = diffArrays(
      dels.map((x) => x.text),
      adds.map((x) => x.text),
    );
    let di = 0,
      ai = 0;
    let cur: Hunk | null = null;
    let curDel: Row[] = [],
      curAdd: Row[] = [];
    const close = () => {
      if (cur) {
        out.push(...hunkOrder(curDel, curAdd));
        curDel = [];
        curAdd = [];
        cur = null;
      }
    };
    for (const p of parts) {
      if (!p.added && !p.removed) {
        close();
        for (let k = 0; k < p.value.length; k++) {
          const row = dels[di++];
          ai++;
          row.kind = 'ctx';
          row.hunk = null;
          out.push(row);
        }
        continue;
      }
      if (!cur) {
        cur = { id: nextHunkId++, state: 'pending' };
        hunks.push(cur);
      }
      if (p.removed)
        for (let k = 0; k < p.value.length; k++) {
          const row = dels[di++];
          row.hunk = cur;
          curDel.push(row);
        }
      else
        for (let k = 0; k < p.value.length; k++) {
          const row = adds[ai++];
          row.hunk = cur;
          curAdd.push(row);
        }
    }
    close();
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** a.splice(at, del, ...items) without spreading a large array into arguments. */
function spliceIn<T>(a: T[], at: number, del: number, items: T[]): void {
  if (items.length < 10_000) {
    a.splice(at, del, ...items);
    return;
  }
  const tail = a.slice(at + del);
  a.length = at;
  for (const x of items) a.push(x);
  for (const x of tail) a.push(x);
}

/** Append the decoration runs of rows[from, to) to `runs`, merging with its last run (copied, never mutated). */
function scanRuns(
  rows: readonly Row[],
  from: number,
  to: number,
  runs: DecorationRun[],
  kindOf: (r: Row) => RowKind = drawnKind,
): void {
  for (let i = from; i < to; i++) {
    const k = kindOf(rows[i]);
    if (k !== 'add' && k !== 'del' && k !== 'part') continue;
    const last = runs[runs.length - 1];
    if (last && last.kind === k && last.to === i) runs[runs.length - 1] = { kind: k, from: last.from, to: i + 1 };
    else runs.push({ kind: k, from: i, to: i + 1 });
  }
}

/**
 * The rows `take` picks go back to the original (a stop's cut, the open hunk on Esc): added rows are dropped (a row
 * the user typed in stays, as theirs), removed rows are plain original lines again. Returns the rows left and how
 * many were picked.
 */
function withdrawRows(rows: Row[], take: (r: Row) => boolean): { keep: Row[]; dropped: number } {
  const keep: Row[] = [];
  let dropped = 0;
  for (const r of rows) {
    if (!take(r)) {
      keep.push(r);
      continue;
    }
    dropped++;
    const add = r.kind === 'add' || r.kind === 'part';
    if (add && !r.userEdited) continue;
    r.kind = add ? 'user' : 'ctx';
    r.hunk = null;
    r.plain = undefined;
    keep.push(r);
  }
  return { keep, dropped };
}
