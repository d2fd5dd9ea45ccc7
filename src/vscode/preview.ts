import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { EditSession, SessionState } from '../core/session/editSession';
import { FlushPlan, Hunk, PreviewRegion, RenderedAfter } from '../core/session/region';
import { CharRange, changedChars } from '../core/diff/wordDiff';
import { keepingCursor } from './util/keepCursor';
import { DocPiece, followingRows } from './cursorFollow';
import { beforeOwnEdit } from './util/ownEdits';
import { changesHanded, type ChangeReceipt, type OwnEditInFlight } from '../core/util/changeHold';
import { ModelError, ModelTransport } from '../core/transport/types';
import { EditPromptInput } from '../core/prompt';
import { firstHunkDelay, flushDelay } from '../core/util/frameClock';
import { settlesWithin } from '../core/util/settlesWithin';

/** Document updates are coalesced to about the display rate, so a 1,000+ tok/s stream never floods the host (the first goes out at once). */
const FRAME_MS = 16;
/** Until the stream's first hunk is whole, its updates go out at most this often (see firstHunkDelay). */
const FIRST_HUNK_HOLD_MS = 50;
/** How long a decision waits for a suspended view (set aside for a save, moved by undo) to come back: see whenBack. */
const WHEN_BACK_MS = 5000;
/** How long the first document edit waits for its gate (the code taking typing again after the box). */
const FIRST_EDIT_GATE_MS = 5000;

export interface Decorations {
  added: vscode.TextEditorDecorationType;
  removed: vscode.TextEditorDecorationType;
  partial: vscode.TextEditorDecorationType;
  /** Where an interrupted stream stopped (its text per range: "⋯ stopped (Esc)"), until the edit is decided. */
  stopped: vscode.TextEditorDecorationType;
  /** Word-level highlights inside paired changed lines. */
  addedChars: vscode.TextEditorDecorationType;
  removedChars: vscode.TextEditorDecorationType;
  /** The line-comment prefix of removed rows (issue 11, see core/session/removedRows.ts): not shown. */
  removedPrefix: vscode.TextEditorDecorationType;
}

export function createDecorations(): Decorations {
  return {
    added: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('sparkEdit.addedLineBackground'),
      overviewRulerColor: new vscode.ThemeColor('sparkEdit.addedLineBackground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
    removed: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('sparkEdit.removedLineBackground'),
      textDecoration: 'line-through',
      opacity: '0.65',
      overviewRulerColor: new vscode.ThemeColor('sparkEdit.removedLineBackground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
    addedChars: vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('sparkEdit.addedTextBackground'),
    }),
    removedChars: vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('sparkEdit.removedTextBackground'),
    }),
    // The CSS after `none;` reaches the span VS Code draws for the range: the prefix takes no room on screen.
    removedPrefix: vscode.window.createTextEditorDecorationType({
      textDecoration: 'none; font-size: 0; visibility: hidden',
    }),
    partial: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('sparkEdit.addedLineBackground'),
      after: { contentText: ' ▍', color: new vscode.ThemeColor('sparkEdit.streamingCursor') },
    }),
    stopped: vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 1.5em' },
    }),
  };
}

/** Every live preview, so the decorations of a document can show all of its previews at once. */
const liveViews = new Set<SessionView>();

/** A flush plan about to be sent: what the document will show once it lands (see SessionView.decorate). */
export interface Ahead {
  /** The preview the edit is for: drawn as `after` says (as it is now without), even while suspended when `shown`. */
  view?: SessionView;
  after?: RenderedAfter;
  shown?: boolean;
  /** The document line (before the edit) where the replaced lines end, and how many lines the edit adds. */
  endLine: number;
  delta: number;
}

/** The decoration ranges last sent for a document (issue 11; what the tests read through the API). */
export interface SentDecorations {
  added: vscode.Range[];
  removed: vscode.Range[];
  partial: vscode.Range[];
  addedChars: vscode.Range[];
  removedChars: vscode.Range[];
  /** The removed rows' comment prefixes (not shown). */
  hidden: vscode.Range[];
  stopped?: vscode.DecorationOptions[];
  /** The document's version when they were sent, and whether they were sent ahead of an edit in flight. */
  version?: number;
  ahead?: boolean;
}
const sent = new WeakMap<vscode.TextDocument, SentDecorations>();
/**
 * Per document: a preview edit on its way whose decorations went out ahead of it (issue 11). Until it lands, a redraw
 * of the document's previews (another preview's late update, an editor shown) waits for it: drawn from the previews as
 * they are, it would take back the decorations of the rows that edit brings, and the workbench painted those rows
 * with their `//` and no strike-through (a held update of an interrupted preview redrew while a second preview's
 * first edit was on its way: 6 of 15 runs of the removed-rows test).
 */
const aheadInFlight = new WeakMap<vscode.TextDocument, { redraw: boolean }>();
/** An edit of `doc` sent with its decorations: on its way until the returned function says it landed (then `redraw`). */
function onItsWay(doc: vscode.TextDocument, redraw: () => void): () => void {
  const mine = { redraw: false };
  aheadInFlight.set(doc, mine);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const now = aheadInFlight.get(doc);
    // Another preview's edit went out after this one: its decorations drew this preview as it was before this edit.
    if (now !== mine) {
      if (now) now.redraw = true;
      return;
    }
    aheadInFlight.delete(doc);
    if (mine.redraw) redraw();
  };
}
/** The decorations Spark Edit last sent to the editors of `doc` (undefined: never, no editor showed it). */
export function sentDecorations(doc: vscode.TextDocument): SentDecorations | undefined {
  return sent.get(doc);
}

interface ExpectedChange extends OwnEditInFlight {
  version: number;
  start: vscode.Position;
  end: vscode.Position;
  text: string;
  commit: () => void;
  /** Called once the editor answered (see ChangeHold). */
  waiters: Array<() => void>;
}

/**
 * One edit previewed in one document: keeps the document in step with the session's preview region,
 * applies the user's own typing to the region, and draws decorations. Never moves focus or the cursor.
 */
export class SessionView implements vscode.Disposable {
  readonly session: EditSession;
  private flushTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private expected: ExpectedChange | null = null;
  private undoStopNext = true; // the first preview edit starts its own undo group
  /** The first edit waits for this (the code taking typing again after the box: TypingLock), the request does not. */
  private firstEditGate: Promise<unknown> | undefined;
  private waitingOnGate = false;
  private ended = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly endEmitter = new vscode.EventEmitter<void>();
  readonly onDidEnd = this.endEmitter.event;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Hunks or state changed (for CodeLens and context keys). */
  readonly onDidChange = this.changeEmitter.event;
  private lastLensKey = '';
  flushes = 0;
  /** The multi-place operation (rename across files, deep job) this preview is part of: see editGroups.ts. */
  groupId?: number;
  /** Set by the undo guard (issue 11): our own edits, and the moments the document rests in step with the preview. */
  hooks: { ownEdit?(streaming: boolean): void; synced?(): void } = {};
  /** The undo guard is moving the document through its history: this view neither edits nor follows changes. */
  /** Set aside (a save) or moved by the undo guard: neither edits nor follows the document, and is not drawn. */
  suspended = false;
  /** A decision's edit (accept/reject) is being applied, as opposed to the stream's. */
  private deciding = false;
  /** performance.now() marks for the edit's timeline (see core/util/timeline.ts); codeLens.ts and inlayControls.ts add the control marks. */
  readonly timing: {
    firstEditSent?: number;
    firstEditApplied?: number;
    lastEditApplied?: number;
    /** The stream completed its first hunk (before the edit that shows it: firstHunkReady). */
    firstHunkStreamed?: number;
    firstHunkReady?: number;
    acceptLensProvided?: number;
    lastEditBeforeLens?: number;
    /** The first per-hunk Accept inlay hint provided (inlayControls.ts). */
    acceptInlayProvided?: number;
  } = {};

  constructor(
    readonly document: vscode.TextDocument,
    region: PreviewRegion,
    prompt: EditPromptInput,
    readonly model: string,
    readonly transport: ModelTransport,
    private readonly decorations: Decorations,
    private readonly log: (m: string) => void,
    private readonly onError: (v: SessionView, e: ModelError, kept: boolean) => void,
    commandStartedAt: number,
    /** A preview restored by undo/redo: pending from the start, no stream. */
    resumed = false,
  ) {
    this.session = new EditSession({ region, prompt, model, transport, commandStartedAt, log, resumed });
    liveViews.add(this);
    this.disposables.push({
      dispose: this.session.onEvent((ev) => {
        if (ev.kind === 'content') this.scheduleFlush(true);
        else if (ev.kind === 'state') this.onState(ev.state);
        else if (ev.kind === 'error') this.onError(this, ev.error, ev.kept);
      }).dispose,
    });
  }

  get region(): PreviewRegion {
    return this.session.region;
  }
  /**
   * Accept All is offered (lens and the editor title's ✓) once there is something whole to accept: two or more
   * pending hunks while streaming (Accept All then stops the stream), or any pending hunk once it ended.
   */
  get acceptAllOffered(): boolean {
    const n = this.region.pendingHunks().length;
    return n > 1 || (n > 0 && !this.session.isStreaming);
  }

  /**
   * The editor title's ✓ while the stream writes (issue 17: a plain-click Accept with the first hunk): "Accept (stops
   * writing)" stops the stream and accepts what a stop keeps (the complete hunks, cut to whole constructs; the open
   * one dropped), so it is offered only when that is something. Once the stream ended, Accept All takes its place.
   */
  get acceptSoFarOffered(): boolean {
    if (!this.session.isStreaming || this.region.pendingHunks().length === 0) {
      this.keptCache = undefined; // a redirect or Continue starts over
      return false;
    }
    // keptIfStopped() walks every row: per flush (each one moves the selection, which recomputes the context keys) it
    // took the extension host's event-loop lag at 1,000 tok/s into a 2,000-line file from p99 4 to 11 ms (plaintext,
    // bench A/B). So it runs only when the hunks change (one completes, is decided or opens) or the user types in the
    // region, and once a stop would keep something the answer stays yes for this stream: rows of complete hunks do
    // not change while the stream writes below them (if the user's typing made it wrong, the ✓ stops the stream and
    // says that nothing whole was left, as Esc does).
    if (this.keptCache?.kept) return true;
    const key = `${this.region.hunks.length}|${this.region.pendingHunks().length}|${this.userEdits}`;
    if (this.keptCache?.key !== key) this.keptCache = { key, kept: this.region.keptIfStopped() };
    return this.keptCache.kept > 0;
  }
  private keptCache: { key: string; kept: number } | undefined;
  private userEdits = 0;

  get isEnded(): boolean {
    return this.ended;
  }

  start() {
    this.session.start();
    this.changeEmitter.fire();
  }

  private onState(s: SessionState) {
    this.changeEmitter.fire();
    if (s === 'done' || s === 'failed') void this.settleAndEnd();
  }

  private lastFlushAt: number | undefined;
  /** The flush plan whose decorations were sent with its edit (see decorate's `ahead`). */
  private aheadSent: FlushPlan | undefined;
  private scheduleFlush(fromStream = false) {
    const firstHunk = this.timing.firstHunkStreamed === undefined;
    if (firstHunk && this.region.pendingHunks().length) this.timing.firstHunkStreamed = performance.now();
    if (this.ended) return;
    // The first change after a quiet frame goes out at once; later ones wait for the frame to end (core/util/frameClock.ts).
    // The first hunk completed in the stream goes out at once too, with its controls (issue 17: the first usable Accept;
    // the next ones wait for the frame, so a stream of many small hunks still coalesces), also when an update was
    // already waiting; and until it completes the stream's updates are held back (firstHunkDelay) so that no edit of
    // ours is on its way when it does.
    const hunkDone = this.pendingShown === 0 && this.region.pendingHunks().length > 0;
    if (this.inFlight) {
      // Once the update on its way has landed, this one is scheduled (a timer set now went off right after it landed,
      // before the hold below could apply): flush marks it.
      void this.flush(fromStream);
      return;
    }
    const now = performance.now();
    if (this.flushTimer) {
      // An update already waits: it goes sooner for the first whole hunk (at once) or for the user's typing (the
      // frame's end, not the stream's hold).
      if (!fromStream) this.timerStreamOnly = false;
      const sooner = hunkDone ? 0 : fromStream ? Infinity : flushDelay(now, this.lastFlushAt, FRAME_MS);
      if (now + sooner >= this.flushDue) return;
      clearTimeout(this.flushTimer);
    } else this.timerStreamOnly = fromStream;
    const delay = hunkDone
      ? 0
      : this.timerStreamOnly && firstHunk && this.session.isStreaming
        ? firstHunkDelay(now, this.lastFlushAt, FRAME_MS, FIRST_HUNK_HOLD_MS)
        : flushDelay(now, this.lastFlushAt, FRAME_MS);
    this.flushDue = now + delay;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush(this.timerStreamOnly);
    }, delay);
  }
  /** When the waiting update is due, and whether only the stream asked for it (the first-hunk hold applies). */
  private flushDue = 0;
  private timerStreamOnly = true;
  /** An update asked for while one was on its way, by the stream only. */
  private againStreamOnly = true;
  /** How many pending hunks the document shows (as of the last edit sent): the controls were told of them with it. */
  private pendingShown = 0;

  /**
   * In the tick an edit of ours is sent: when it changes the pending hunks (the first one completes), the controls
   * (the context keys of the title's ✓, the lens and inlay events) go to the workbench with it, in one message batch,
   * not after its round trip (issue 17: the ✓ came one edit round trip, 20–60 ms, after the hunk it accepts).
   */
  private controlsWithEdit(): void {
    const n = this.region.pendingHunks().length;
    if (n === this.pendingShown) return;
    this.pendingShown = n;
    this.changeEmitter.fire();
  }

  /** Bring the document in line with the region now (one edit), then decorate. */
  flush(fromStream = false): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      if (!fromStream) this.againStreamOnly = false;
      return this.inFlight;
    }
    this.inFlight = this.doFlush().finally(() => {
      this.inFlight = null;
      this.lastFlushAt = performance.now();
      if (this.again) {
        this.again = false;
        const streamOnly = this.againStreamOnly;
        this.againStreamOnly = true;
        this.scheduleFlush(streamOnly);
      }
    });
    return this.inFlight;
  }

  /** Runs `f` once the first document edit has landed (or failed) (issue 17: the picker closes then). */
  withFirstEdit(f: () => void): void {
    this.firstEditSent = f;
  }
  private firstEditSent: (() => void) | undefined;
  /** Runs `f` right after the first document edit is sent, in the same tick (or failed to be). */
  withFirstEditOut(f: () => void): void {
    this.firstEditOut = f;
  }
  private firstEditOut: (() => void) | undefined;

  /** Runs `f` once the edit that brings the first hunk's controls has landed (issue 17: the box at the code goes then). */
  withFirstHunk(f: () => void): void {
    this.firstHunkSent = f;
  }
  private firstHunkSent: (() => void) | undefined;
  private afterControls(sending: Thenable<unknown>) {
    const f = this.firstHunkSent;
    if (!f || !this.pendingShown) return;
    this.firstHunkSent = undefined;
    void Promise.resolve(sending).then(f, f);
  }

  /** The first document edit waits for `gate` (issue 17: the request goes out without waiting for it). */
  gateFirstEdit(gate: Promise<unknown> | undefined): void {
    this.firstEditGate = gate;
  }

  private async doFlush(): Promise<void> {
    if (this.firstEditGate) {
      const gate = this.firstEditGate;
      this.firstEditGate = undefined;
      this.waitingOnGate = true;
      try {
        // Bounded: a gate that never opens must not hold the preview, nor every decision that settles it, for ever.
        if (!(await settlesWithin(gate, FIRST_EDIT_GATE_MS)))
          this.log(
            `edit ${this.session.id}: the first edit waited ${FIRST_EDIT_GATE_MS / 1000} s for the code to take typing again; it goes ahead`,
          );
      } finally {
        this.waitingOnGate = false;
      }
    }
    // A change held until one of our edits is answered (see ChangeHold) is not in the mirror yet: plan after it.
    for (let held = changesHanded(this.document); held; held = changesHanded(this.document)) await held;
    const region = this.region;
    if (this.document.isClosed || this.suspended || this.ended) return;
    const plan = region.planFlush();
    if (!plan) {
      this.pendingShown = region.pendingHunks().length; // the document shows them already
      this.afterControls(Promise.resolve());
    }
    if (plan) {
      const undoStop = this.undoStopNext;
      this.timing.firstEditSent ??= performance.now();
      if (!(await this.applyOwn(plan, () => region.commitFlush(plan), undoStop, undoStop))) {
        // The user typed first (the edit is version-checked): their change is in the region by now; retry.
        this.again = true;
        return;
      }
      this.undoStopNext = false;
      this.flushes++;
      this.hooks.ownEdit?.(!this.deciding);
      this.timing.lastEditApplied = performance.now();
      this.timing.firstEditApplied ??= this.timing.lastEditApplied;
    }
    // While streaming, the decorations sent with the edit are complete (no word highlights, no stop mark) unless the
    // rows changed in flight: no second round of the same ranges.
    const sentAhead = !!plan && this.aheadSent === plan && region.version === plan.version && this.session.isStreaming;
    if (!sentAhead) this.decorate();
    const key = this.lensKey();
    if (key !== this.lastLensKey) {
      this.lastLensKey = key;
      this.changeEmitter.fire();
    }
    if (this.session.state === 'pending' && !this.ended && !this.suspended && !region.planFlush())
      this.hooks.synced?.();
  }

  private lensKey(): string {
    // Hunk rows above the stream's frontier do not move unless hunks change or the user edits (which bumps startLine or hunkVersion).
    return `${this.session.state}|${this.region.startLine}|${this.region.hunkVersion}|${this.region.renderedLineCount}`;
  }

  /** A visible editor showing this document (never opens or focuses one). */
  editor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((e) => e.document === this.document);
  }

  /**
   * Draw the document's previews. With `ahead` (issue 11), as the document will be once this view's flush plan lands:
   * sent in the same tick as the edit, so the workbench applies both before it paints (a removed row drawn without
   * its decoration shows its comment prefix and no strike-through).
   */
  decorate(editors: readonly vscode.TextEditor[] = vscode.window.visibleTextEditors, ahead?: Ahead) {
    const waiting = ahead ? undefined : aheadInFlight.get(this.document);
    if (waiting) {
      waiting.redraw = true; // once the edit on its way has landed (aheadLanded)
      return;
    }
    const eds = editors.filter((ed) => ed.document === this.document);
    if (!eds.length) return;
    const d = this.ranges(ahead);
    for (const ed of eds) {
      ed.setDecorations(this.decorations.addedChars, d.addedChars);
      ed.setDecorations(this.decorations.removedChars, d.removedChars);
      ed.setDecorations(this.decorations.removedPrefix, d.hidden);
    }
    for (const ed of eds) {
      ed.setDecorations(this.decorations.added, d.added);
      ed.setDecorations(this.decorations.removed, d.removed);
      ed.setDecorations(this.decorations.partial, d.partial);
      if (!ahead) ed.setDecorations(this.decorations.stopped, d.stopped ?? []);
    }
    sent.set(this.document, { ...d, version: this.document.version, ahead: !!ahead });
  }

  /** The decoration ranges of every live preview of this document (see decorate). */
  private ranges(ahead?: Ahead): SentDecorations {
    // One set of decoration types for every preview: a document's ranges are those of all its live previews
    // (each used to overwrite the others', so only one of several edits in a file was coloured).
    const d: SentDecorations = { added: [], removed: [], partial: [], addedChars: [], removedChars: [], hidden: [] };
    d.stopped = [];
    for (const v of liveViews) {
      const mine = ahead?.view === v;
      // A suspended preview's lines are not in the document (unless this edit puts them back: `shown`).
      if (v.document !== this.document || v.ended || (v.suspended && !(mine && ahead?.shown))) continue;
      const after = mine ? ahead?.after : undefined;
      // A preview below the edit in flight moves with it.
      const shift = ahead && !mine && v.region.startLine >= ahead.endLine ? ahead.delta : 0;
      const start = v.region.startLine + shift;
      const prefixed = after ? after.prefixed : (i: number) => v.region.prefixColumns(i) > 0;
      const cols = (i: number) => (prefixed(i) ? v.region.removedPrefix.length : 0);
      for (const r of after ? after.runs : v.region.decorationRuns()) {
        (r.kind === 'add' ? d.added : r.kind === 'del' ? d.removed : d.partial).push(
          new vscode.Range(start + r.from, 0, start + r.to - 1, 0),
        );
        if (r.kind === 'del' && v.region.removedPrefix)
          for (let i = r.from; i < r.to; i++) {
            const n = cols(i);
            if (n) d.hidden.push(new vscode.Range(start + i, 0, start + i, n));
          }
      }
      const words = after ? (v.session.isStreaming ? [] : changedChars(after.rows())) : v.wordHighlights();
      for (const c of words) {
        const n = c.kind === 'del' ? cols(c.row) : 0; // row text starts after the prefix
        (c.kind === 'add' ? d.addedChars : d.removedChars).push(
          new vscode.Range(start + c.row, n + c.from, start + c.row, n + c.to),
        );
      }
      const mark = ahead ? undefined : v.stopMark();
      if (mark) {
        const end = this.document.lineAt(mark.line).range.end;
        d.stopped.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: mark.text } } });
      }
    }
    return d;
  }

  /** Where the interrupted stream stopped, marked at the end of the last line above it until the edit is decided. */
  stopMark(): { line: number; text: string } | undefined {
    const at = this.session.isStreaming || this.ended ? -1 : this.region.stopRow();
    if (at < 0 || !this.region.stop) return undefined;
    return {
      line: Math.min(this.region.startLine + at, this.document.lineCount - 1),
      text: `⋯ ${this.region.stop.reason}`,
    };
  }

  private words: { key: string; ranges: CharRange[] } = { key: '', ranges: [] };
  /** Word-level highlights of the settled preview (none while streaming: lines are still being paired). */
  wordHighlights(): CharRange[] {
    if (this.session.isStreaming || this.ended) return [];
    const key = `${this.region.version}|${this.region.hunkVersion}|${this.region.startLine}|${this.region.renderedLineCount}`;
    if (this.words.key !== key) this.words = { key, ranges: changedChars(this.region.renderedRows()) };
    return this.words.ranges;
  }

  /**
   * Called for every change to this document (also while a save or the undo guard holds it). Returns whether the
   * change was this view's own edit. A suspended view does not follow changes but keeps them (`missed`, with the
   * version each made): when the edit that set it aside did not land, they are the user's and it follows them on
   * resume (issue 11, HA: dropping them left the mirror behind the document, and Reject then wrote over the typing).
   */
  onDocumentChanged(e: vscode.TextDocumentChangeEvent, r: ChangeReceipt = this.receive(e)): boolean {
    if (this.ended || e.contentChanges.length === 0) return false;
    const x = r.match as ExpectedChange | null;
    // Our edit, unless the editor refused it: then the change that looked like it was the user's key typed first,
    // the same text at the same place (issue 11, CI 36; see ChangeHold). Not answered yet (the hold timed out): ours.
    if (x && x === this.expected && x.answered !== false) {
      this.expected = null;
      x.commit();
      return true;
    }
    if (x && x.answered === false)
      this.log(`edit ${this.session.id}: a change that looked like our edit was the user's (the edit was refused)`);
    if (this.suspended) {
      this.missed.push({ e, version: r.version });
      return false;
    }
    this.followUserEdit(e);
    return false;
  }
  private missed: Array<{ e: vscode.TextDocumentChangeEvent; version: number }> = [];

  /** What this view makes of a change as it arrives: its version, and which edit of ours in flight it looks like. */
  receive(e: vscode.TextDocumentChangeEvent): ChangeReceipt {
    const x = this.expected;
    const match = x && e.document.version === x.version && isExpectedChange(e, x) ? x : null;
    return { version: e.document.version, match };
  }

  /** The user's own edit: into the region's mirror, then a flush. */
  private followUserEdit(e: vscode.TextDocumentChangeEvent): void {
    // Changes in one event are non-overlapping; apply bottom-up so positions hold.
    this.userEdits++;
    const changes = [...e.contentChanges].sort((a, b) => b.range.start.compareTo(a.range.start));
    for (const c of changes) {
      this.region.applyUserEdit(
        c.range.start.line,
        c.range.start.character,
        c.range.end.line,
        c.range.end.character,
        c.text.replace(/\r\n/g, '\n'),
      );
    }
    if (this.region.clobbered) {
      this.log('the previewed region was replaced by the user: the preview is dropped, nothing is changed');
      this.session.dispose();
      this.end();
      return;
    }
    // Typing into the line the model is writing, or into code below it: the stream stops there (issue 11, HA).
    if (this.region.takeEditedAhead() && this.session.isStreaming) this.session.interrupt({ userEdit: true });
    this.scheduleFlush();
  }

  /**
   * Lines the user changed while this view was set aside for a save (issue 11, HB), now in the document as it shows
   * them: followed as the user's edits (whole-line replacements, document lines), like a keystroke on those lines.
   */
  followLines(lines: ReadonlyArray<{ line: number; from: string; to: string }>) {
    const contentChanges = lines.map((l) => ({
      range: new vscode.Range(l.line, 0, l.line, l.from.length),
      text: l.to,
    }));
    this.followUserEdit({ contentChanges } as unknown as vscode.TextDocumentChangeEvent);
  }

  /** Stop following the document (the undo guard moves it); `drop` then ends the view without touching the text. */
  suspend() {
    this.suspended = true;
    this.missed = [];
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
  drop() {
    this.suspend();
    this.session.dispose();
    this.end();
    this.wakeDecisions();
  }
  /**
   * Follow the document again. `after`: the document version from which the changes that came while suspended are
   * the user's, to be followed now, in order (-1: all of them; the edit that set the view aside did not land). Without
   * it they are not followed: the caller knows the document holds what the view last rendered (matchesDocument).
   */
  resume(after?: number) {
    this.suspended = false;
    const missed = this.missed;
    this.missed = [];
    if (after !== undefined)
      for (const m of missed) if (m.version > after && !this.ended && !this.suspended) this.followUserEdit(m.e);
    this.wakeDecisions();
  }
  /** Decisions (accept/reject) made while the view is suspended (set aside for a save) wait until it is back. */
  private decisionWaiters: Array<() => void> = [];
  private wakeDecisions() {
    for (const f of this.decisionWaiters.splice(0)) f();
  }
  /**
   * Resolves once the view is back (or ended); false when it is still suspended after `WHEN_BACK_MS`. Whoever suspends
   * a view resumes or drops it on every path (errors too), so this bound is a last resort: a decision must never wait
   * for ever (CI 33: a cleanup Reject All hung for 30 s).
   */
  private async whenBack(): Promise<boolean> {
    if (!this.suspended || this.ended) return true;
    const back = await settlesWithin(new Promise<void>((r) => this.decisionWaiters.push(r)), WHEN_BACK_MS);
    return back || !this.suspended || this.ended;
  }

  /**
   * A decision came while the view is suspended and it did not come back within the bound. If the document shows the
   * preview as last rendered, the view follows it again and the decision goes on. Otherwise its lines are set aside
   * (the document holds the original plus the user's typing): Reject ends the view there without touching the text;
   * Accept is refused with a message (nothing changes; it can be tried again).
   */
  private decideWhileAway(how: 'accept' | 'reject'): 'go' | 'done' {
    this.log(
      `edit ${this.session.id}: a decision waited ${WHEN_BACK_MS / 1000} s for the preview to come back (${this.describe()})`,
    );
    if (this.matchesDocument()) {
      this.resume();
      return 'go';
    }
    if (how === 'reject') {
      this.log(`edit ${this.session.id}: rejected while set aside; the document keeps the original and your typing`);
      this.drop();
    } else
      void vscode.window.showWarningMessage(
        'Spark Edit: the edit is set aside for a save and could not be accepted yet. Nothing was changed; try again.',
      );
    return 'done';
  }
  /** Where this view stands, in one line (a decision that hangs says why: tests' cleanup, the log). */
  describe(): string {
    const d = this.document;
    return [
      `edit ${this.session.id}: ${this.session.state}${this.session.isStreaming ? ' (streaming)' : ''}`,
      this.ended ? 'ended' : 'live',
      this.suspended ? 'suspended' : 'following',
      `decisions waiting ${this.decisionWaiters.length}`,
      `flush ${this.inFlight ? 'in flight' : 'idle'}${this.flushTimer ? ', timer set' : ''}${this.firstEditGate ? ', first-edit gate set' : ''}${this.waitingOnGate ? ', waiting on the first-edit gate' : ''}`,
      `flushes ${this.flushes}`,
      `document v${d.version}${d.isClosed ? ' closed' : ''}${d.isDirty ? ' dirty' : ''} ${d.uri.scheme}`,
      `rows ${this.region.startLine}+${this.region.renderedLines().length}, plan ${this.region.planFlush() ? 'pending' : 'none'}`,
    ].join('; ');
  }
  /** Does the document hold exactly what this view last rendered? */
  matchesDocument(): boolean {
    const lines = this.region.renderedLines();
    const start = this.region.startLine;
    if (start + lines.length > this.document.lineCount) return false;
    return lines.every((t, i) => this.document.lineAt(start + i).text === t);
  }
  /** Settle this view's pending document edits (for the undo guard). */
  async settled(): Promise<void> {
    await this.settleFlushes();
  }

  // ---- user actions ----------------------------------------------------------------------------------
  async acceptHunk(h: Hunk) {
    await this.resolve(() => this.session.acceptHunk(h));
  }
  async rejectHunk(h: Hunk) {
    await this.resolve(() => this.session.rejectHunk(h));
  }

  private async resolve(act: () => boolean) {
    if (!(await this.whenBack()) && this.decideWhileAway('accept') === 'done') return;
    if (this.ended) return;
    if (this.session.isStreaming) await this.inFlight;
    else {
      await this.settleFirst();
      this.undoStopNext = true;
    } // each decision on a settled preview is its own undo step
    this.deciding = true;
    try {
      if (!act()) return;
      await this.flush();
    } finally {
      this.deciding = false;
    }
  }

  interrupt(): boolean {
    return this.session.interrupt();
  }
  redirect(instruction: string) {
    if (!this.session.isStreaming) this.undoStopNext = true; // the new stream starts its own undo span
    this.session.redirect(instruction);
    this.changeEmitter.fire();
  }
  /** The model stopped at its output limit: ask it for the rest (see EditSession.continueAnswer). */
  continueAnswer(): boolean {
    if (!this.session.isStreaming) this.undoStopNext = true; // the rest streams in its own undo span, like a redirect
    const ok = this.session.continueAnswer();
    if (ok) this.changeEmitter.fire();
    return ok;
  }

  /**
   * Before a decision: stop a running stream (what arrived becomes a pending preview of its own) and let the document
   * show the pending preview in full, so it is a state undo can return to.
   */
  private async settleFirst() {
    if (this.session.isStreaming) this.session.interrupt();
    await this.settleFlushes();
    if (this.session.state === 'pending') this.hooks.synced?.();
  }

  /** Accept everything: one edit (one undo step) that removes the removed lines. Undo gives the pending preview back. */
  acceptAll(): Promise<void> {
    return this.decideAll(() => this.session.acceptAll(), 'accept');
  }

  /** Reject everything: the document holds the original plus whatever the user typed meanwhile. */
  rejectAll(): Promise<void> {
    return this.decideAll(() => this.session.rejectAll(), 'reject');
  }

  /** A decision over the whole preview: on the settled preview, as one undo step of its own, then the view ends. */
  private async decideAll(decide: () => void, how: 'accept' | 'reject') {
    if (!(await this.whenBack()) && this.decideWhileAway(how) === 'done') return;
    if (this.ended) return;
    await this.settleFirst();
    this.undoStopNext = true;
    this.deciding = true;
    try {
      decide();
      await this.settleAndEnd();
    } finally {
      this.deciding = false;
    }
  }

  private async settleFlushes() {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (let i = 0; i < 50 && (this.inFlight || this.region.planFlush()); i++) {
      if (this.inFlight) await this.inFlight;
      else await this.flush();
    }
  }

  /**
   * The session is done or failed: its last changes go to the document, then the view ends. A view set aside (a save,
   * an undo walk) ends only once it is back (bounded by whenBack): ended while suspended, its last edit never went out
   * (issue 11, session 10: a stop that kept nothing, during an auto-save, left the model's withdrawn lines in the file
   * as plain code with nothing pending).
   */
  private async settleAndEnd() {
    for (let i = 0; i < 5 && !this.ended; i++) {
      if (this.suspended && !(await this.whenBack())) break;
      await this.settleFlushes();
      if (!this.suspended) break; // set aside again while settling: wait for it to be back again
    }
    this.end();
  }

  /**
   * Apply one edit of ours: version-checked through the editor when one shows the document, else a WorkspaceEdit.
   * Its change event is recognised as ours and runs `commit`; if the event was not matched (should not happen),
   * the mirror is resynchronised once the edit has landed.
   */
  private async applyOwn(
    plan: FlushPlan,
    commit: () => void,
    undoBefore: boolean,
    undoAfter: boolean,
  ): Promise<boolean> {
    const edit = toDocumentEdit(this.document, this.region.startLine, plan);
    const v0 = this.document.version;
    let landed = () => {}; // set once the edit is sent with its decorations (onItsWay)
    const expected: ExpectedChange = {
      version: v0 + 1,
      start: edit.range.start,
      end: edit.range.end,
      text: edit.text,
      commit: () => {
        commit();
        landed();
      },
      waiters: [],
      onAnswer(f) {
        if (this.answered === undefined) this.waiters.push(f);
        else f();
      },
    };
    this.expected = expected;
    const editor = this.editor();
    let ok: boolean;
    try {
      if (editor) {
        const apply = (pieces: DocPiece[] = [edit]) => {
          beforeOwnEdit(this.document, 'preview'); // tests only: the user's keystroke first (util/ownEdits.ts)
          // The controls just before the edit, in its message batch (issue 17: the workbench updates the title's ✓ before
          // it draws the edit; after it, the ✓ waited for that work: A/B session 11, first usable Accept 142 → 134 ms p50).
          this.controlsWithEdit();
          const sending = editor.edit((b) => pieces.forEach((p) => b.replace(p.range, p.text)), {
            undoStopBefore: undoBefore,
            undoStopAfter: undoAfter,
          });
          // In the same tick: the workbench gets the decorations with the edit (issue 11).
          this.aheadSent = plan;
          this.decorate(undefined, {
            view: this,
            after: this.region.renderedAfter(plan),
            endLine: this.region.startLine + plan.from + plan.deleteCount,
            delta: plan.lines.length - plan.deleteCount,
          });
          landed = onItsWay(this.document, () => this.decorate());
          beforeOwnEdit(this.document, 'previewSent'); // tests only: a keystroke right after our edit (util/ownEdits.ts)
          // Right behind it, in the same tick (issue 17: the box's keyboard return; see InlinePrompt.finish).
          const out = this.firstEditOut;
          this.firstEditOut = undefined;
          out?.();
          const f = this.firstEditSent;
          this.firstEditSent = undefined;
          // Once the edit has landed, in a message of its own: sent with it, the picker's closing was done before the
          // workbench answered the edit (23–120 ms, --frames), and the next edits (the first hunk, its ✓) waited.
          if (f) void Promise.resolve(sending).then(f, f);
          this.afterControls(sending);
          return sending;
        };
        // A decision keeps the cursor where the user left it (issue 15: after Accept it jumped to the last line).
        ok = this.deciding
          ? await keepingCursor(
              editor,
              this.region.startLine + plan.from,
              plan.deleteCount,
              plan.lines,
              apply,
              this.log,
            )
          : await followingRows(editor, this.region, plan, edit, apply);
      } else {
        const we = new vscode.WorkspaceEdit();
        we.replace(this.document.uri, edit.range, edit.text);
        beforeOwnEdit(this.document, 'preview');
        const sending = vscode.workspace.applyEdit(we);
        this.controlsWithEdit();
        this.afterControls(sending);
        ok = await sending;
      }
    } catch (e) {
      ok = false;
      this.log(`preview edit failed: ${(e as Error).message}`);
    }
    // The answer is in: a change held because it looked like this edit is handed on now, ours or the user's.
    expected.answered = ok;
    for (const f of expected.waiters.splice(0)) f();
    if (this.expected === expected) {
      this.expected = null;
      if (ok && this.document.version > v0) commit();
    }
    landed();
    if (!ok) this.decorate(); // the decorations sent ahead were for an edit that did not land
    return ok;
  }

  end() {
    if (this.ended) return;
    this.ended = true;
    this.wakeDecisions(); // a view can end while suspended (its stream failed or finished with nothing to propose)
    liveViews.delete(this);
    clearTimeout(this.flushTimer);
    this.decorate();
    this.endEmitter.fire();
    this.changeEmitter.fire();
  }

  dispose() {
    this.session.dispose();
    this.end();
    for (const d of this.disposables) d.dispose();
    this.endEmitter.dispose();
    this.changeEmitter.dispose();
  }
}

/**
 * Is this change event our expected edit? Either exactly its replacement, or (seen in code-server when the document
 * has no visible editor, so the edit goes through a WorkspaceEdit) the same edit reported as a smaller diff: several
 * changes, all inside the replaced range, after which the document holds the replacement text there. Taking such an
 * event for the user's typing doubled preview lines and lost others.
 */
function isExpectedChange(e: vscode.TextDocumentChangeEvent, x: ExpectedChange): boolean {
  const cs = e.contentChanges;
  if (cs.length === 1 && cs[0].range.start.isEqual(x.start) && cs[0].range.end.isEqual(x.end) && cs[0].text === x.text)
    return true;
  if (!cs.every((c) => c.range.start.isAfterOrEqual(x.start) && c.range.end.isBeforeOrEqual(x.end))) return false;
  const lines = x.text.split('\n');
  const end =
    lines.length === 1
      ? x.start.translate(0, x.text.length)
      : new vscode.Position(x.start.line + lines.length - 1, lines[lines.length - 1].length);
  return e.document.getText(new vscode.Range(x.start, end)) === x.text;
}

/** Translate "replace region rows [from, from+deleteCount) with lines" into a document range and text. */
export function toDocumentEdit(
  doc: vscode.TextDocument,
  startLine: number,
  plan: FlushPlan,
): { range: vscode.Range; text: string } {
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const a = startLine + plan.from;
  const b = a + plan.deleteCount;
  if (b < doc.lineCount) {
    return { range: new vscode.Range(a, 0, b, 0), text: plan.lines.map((l) => l + eol).join('') };
  }
  // The edit reaches the document's last line: work from the end of the line before.
  const last = doc.lineCount - 1;
  if (a > 0) {
    const prev = a - 1;
    return {
      range: new vscode.Range(prev, doc.lineAt(prev).text.length, last, doc.lineAt(last).text.length),
      text: plan.lines.map((l) => eol + l).join(''),
    };
  }
  return { range: new vscode.Range(0, 0, last, doc.lineAt(last).text.length), text: plan.lines.join(eol) };
}
