import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { Move, PreviewHistory } from '../core/session/history';
import { RegionSnapshot } from '../core/session/region';
import { EditPromptInput } from '../core/prompt';
import { lineEdits } from '../core/diff/lineEdits';
import { ModelTransport } from '../core/transport/types';
import type { SessionView } from './preview';

/** What it takes to show a pending preview again. */
export interface ViewState {
  region: RegionSnapshot;
  prompt: EditPromptInput;
  model: string;
  transport: ModelTransport;
  /** The multi-place operation it belongs to (editGroups.ts): shown again, it rejoins it. */
  group?: number;
}

export interface GuardHost {
  /** The live previews in a document. */
  views(doc: vscode.TextDocument): SessionView[];
  /** Show a pending preview again over the document's current text. */
  revive(doc: vscode.TextDocument, st: ViewState): SessionView | undefined;
  log(m: string): void;
  /** Whether Redo is Spark Edit's own may have changed (the `sparkEdit.redoIsOurs` context key). */
  changed?(): void;
}

const MAX_STEPS = 2000;
/**
 * How long after an undo/redo command of ours resolves its change may still arrive before the step counts as
 * having done nothing (at the bottom or top of the editor's stack there is no change, so no event tells).
 */
const EXEC_GRACE_MS = 500;

type Dir = 'undo' | 'redo';
/**
 * A save's set-aside and restore (see UndoGuard.asides): the texts shown before, the text written, the resting state
 * the history was at when it was noted, and how many of its saves lie below the document's place in the editor's stack.
 */
interface Aside {
  shown: string[];
  aside: string;
  noted: number;
  /** Saves that made this same pair (auto-save repeats it), and how many of them are below the document's place. */
  n: number;
  below: number;
}
/** An undo/redo command of ours whose change event has not been seen yet. */
interface Expected {
  dir: Dir;
  seen: (e: vscode.TextDocumentChangeEvent) => void;
  gaveUp: boolean;
}

/**
 * Undo/redo for a document that has had previews (issue 11). VS Code's own Undo (Ctrl+Z, the Edit menu, the
 * `undo` command) runs first; its change event comes here instead of to the previews. When the step it took went
 * into the middle of a stream, this keeps stepping (with the same command) until the document is at a resting
 * state (core/session/history.ts), then shows that state's previews again, with their decorations and lenses.
 */
export class UndoGuard {
  readonly history = new PreviewHistory<ViewState[]>();
  /** Moving the document through its history (undo/redo commands of ours may be in flight). */
  private driving = false;
  /** Holders of the document besides the guard (a save setting previews aside: hold()). */
  private holds = 0;
  /**
   * Our undo/redo commands whose change has not arrived (oldest first). In code-server the editor model lives in the
   * browser: a change comes as an event, possibly late, and others' undo/redo (a keystroke, a command) can arrive
   * in between. Each event is matched to one command of ours of its direction; any other is someone else's.
   */
  private readonly expected: Expected[] = [];
  /** Native undo/redo steps taken while the guard or a save held the document: handled when they are done. */
  private readonly foreign: Dir[] = [];

  /** Undo/redo walks the document's history (its previews are dropped until it lands), or a native step waits to. */
  get walking(): boolean {
    return this.driving || this.foreign.length > 0;
  }

  /** Changes to the document are the guard's or a save's own (previews suspended, no checkpoints). */
  get busy(): boolean {
    return this.driving || this.holds > 0;
  }

  /**
   * Another part of the extension edits the document for the guard's sake (a save's set-aside and restore): until
   * the returned release is called, no checkpoint is recorded, and a native undo/redo is handled only afterwards.
   * Holds nest: each release ends its own hold only (a shared flag cleared by one holder let the guard's own late
   * changes pass as the user's while another holder was still at work).
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.afterBusy();
    };
  }

  /**
   * A save has set the previews aside and not shown them again yet (from its set-aside to the end of its restore;
   * `shown`: the text before the set-aside). The editor's top undo step is then the set-aside: a Ctrl+Z in that window
   * (auto-save's, about a tenth of each second with a diff pending) took it back instead of the user's last decision,
   * and the Undo was lost (issue 11, session 11: 'undo of a per-hunk Accept' stayed on the decision, 1 run in 3).
   */
  private aside?: { shown: string; undone: boolean; pair?: Aside };
  /** A save set the previews aside (see `aside`); returns the close, called once they are shown again (or dropped). */
  openAside(shown: string): () => void {
    const mine: { shown: string; undone: boolean; pair?: Aside } = { shown, undone: false };
    this.aside = mine;
    return () => {
      if (this.aside !== mine) return;
      this.aside = undefined;
      this.afterBusy();
    };
  }
  /** The user's Undo took the open set-aside back (see `aside`): the document shows the previews' lines again. */
  get asideUndone(): boolean {
    return !!this.aside?.undone;
  }

  constructor(
    readonly document: vscode.TextDocument,
    private readonly host: GuardHost,
  ) {
    this.history.onTruncate = (i) => this.dropAsidesAfter(i);
  }

  /**
   * A new branch from resting state `i`: the editor's redo stack is gone, and with it the saves' pairs above the
   * document's place (history indices are reused, so a stale pair once took a later state's text for a set-aside).
   */
  private dropAsidesAfter(i: number): void {
    for (let k = this.asides.length - 1; k >= 0; k--) {
      const p = this.asides[k];
      if (p.noted > i) this.asides.splice(k, 1);
      else if (p.noted === i) {
        p.n = p.below;
        if (!p.n) this.asides.splice(k, 1);
      }
    }
  }

  private hash(): string {
    return createHash('sha1').update(this.document.getText()).digest('base64');
  }
  /** The document's text, as the guard identifies it. */
  textHash(): string {
    return this.hash();
  }

  /**
   * Saves that set previews aside (issue 12): VS Code puts an undo stop before and after save participants, so the
   * set-aside (text `shown` becomes `aside`, which is written) is a native undo step of its own, and the restore after
   * the save (back to `shown`, with the stream's next lines joining it) is another. The pair is no state of anyone's:
   * undo and redo go through both halves at once. `aside` is usually the original's text, so a step that lands on it
   * is told apart by the other half: undoing the set-aside gives a preview's text back (`shown`: the text when the
   * save began, or, when a preview edit in flight landed after VS Code's undo stop and so joined the set-aside's
   * step, one of the texts the last preview edits left; or the set-aside text itself when that edit was the first).
   */
  private readonly asides: Aside[] = [];
  /** The open set-aside's pair (see `aside`): when an Undo took it back already, that half is above the document. */
  private pairOpened(p: Aside): void {
    if (!this.aside || this.aside.pair) return;
    this.aside.pair = p;
    if (this.aside.undone) p.below = Math.max(0, p.below - 1);
  }
  /** Texts the preview's latest own edits left (newest last). */
  private readonly recent: string[] = [];
  noteOwnEdit(): void {
    this.recent.push(this.hash());
    if (this.recent.length > 4) this.recent.shift();
  }
  /** Previews were just set aside for a save; the text when the save began was `shown`. */
  noteSetAside(shown: string): void {
    const aside = this.hash();
    if (aside === shown) return;
    // The set-aside is an editor edit: the editor's Redo ends here, though the states ahead are still the user's.
    this.history.cutRedo();
    // `noted`: the resting state the history was at (the pair's undo steps lie between it and the next one).
    const pair = { shown: [...new Set([...this.recent, shown])], aside, noted: this.history.index, n: 1, below: 1 };
    const key = (p: Aside) => `${p.noted}|${p.aside}|${p.shown.join(',')}`;
    const same = this.asides.find((p) => key(p) === key(pair));
    if (same) {
      // Auto-save repeats the same pair: one more of it in the editor's stack, below the document's place.
      same.n++;
      same.below = Math.min(same.n, same.below + 1);
      this.pairOpened(same);
      return;
    }
    this.pairOpened(pair);
    this.asides.push(pair);
    if (this.asides.length > 200) this.asides.shift();
  }
  private isAside(h: string, dir: Dir): boolean {
    return this.asidesHere(dir).some((p) => p.aside === h);
  }
  /**
   * The pairs whose undo steps lie on the way of an undo/redo from the history's position: noted at the resting state
   * before it or at it (undo), at it (redo), and below the document's place in the editor's stack (undo) or above it
   * (redo). A text alone does not tell: a Reject's result is the original's text, as is every save's set-aside of that
   * preview, so an undo that landed on the rejected text went on through an older pair, and the already rejected hunk
   * came back; a redo of the Reject went on past it (issue 11, HA item 2).
   * The pairs noted at the state before lie in the span of the state the document is at (its stream, its decision):
   * on the way only when the document is exactly at that state. Above it (the user typed after a Reject, `at` is
   * false) they are below that state, not on the way: undoing the typing lands on the Reject's text, which is the
   * set-aside's, and taking it for the pair undid the Reject with the typing (issue 11, the newcomer's Esc, Reject
   * All, "x", one Ctrl+Z).
   */
  private asidesHere(dir: Dir): Aside[] {
    const i = this.history.index;
    const spanBelow = this.history.at;
    return this.asides.filter((p) =>
      dir === 'undo'
        ? p.below > 0 && (p.noted === i || (spanBelow && p.noted === i - 1))
        : p.below < p.n && p.noted === i,
    );
  }

  /**
   * The native step just taken (`dir`, from text `before` when known) landed on a save's set-aside text: take the
   * pair's other half too. Returns whether it did (undo: the set-aside undone; redo: the restore redone).
   */
  private async passAside(dir: 'undo' | 'redo', before: string | undefined): Promise<boolean> {
    const h = this.hash();
    const pairs = this.asidesHere(dir).filter((p) => p.aside === h);
    if (!pairs.length) return false;
    // The pair crossed: the oldest of those ahead (redo), the newest of those behind (undo); several can share texts.
    if (dir === 'redo') {
      const p = pairs.find((x) => before !== undefined && (before === h || x.shown.includes(before)));
      if (!p || !(await this.step('redo'))) return false;
      p.below++;
      return true;
    }
    if (!(await this.step('undo'))) return false;
    const now = this.hash();
    const p = [...pairs].reverse().find((x) => now === h || x.shown.includes(now));
    if (p) {
      p.below--;
      return true;
    }
    await this.step('redo'); // the set-aside's text was a real state's too (the original before the preview): back to it
    return false;
  }

  /** The document rests (no preview in it streams or has edits to apply): record it as a checkpoint. */
  checkpoint(decided = false): void {
    if (this.document.isClosed) return;
    if (decided && !this.driving && this.holds > 0) {
      // A save holds the document (its set-aside or restore): a decision that lands meanwhile (Ctrl+Enter while
      // auto-save's participant runs) is a resting state all the same. Skipping it left no state to Redo to, and Undo
      // went past it (issue 11, session 10): recorded once the save lets go and no preview is set aside. Only a
      // decision's (a view that ended or synced while shown): a preview a save drops (it could not be shown again) is
      // suspended when it ends and leaves no state anyone meant.
      this.deferred = true;
      return;
    }
    if (this.busy) return;
    this.record();
  }
  private deferred = false;

  private record(): boolean {
    const all = this.host.views(this.document);
    if (all.some((v) => v.session.isStreaming || v.region.planFlush() !== null)) return false;
    const views = all.filter((v) => v.region.pendingHunks().length > 0); // a preview with nothing pending is about to end
    const state: ViewState[] = views.map((v) => ({
      region: v.region.snapshot(),
      prompt: v.session.promptInput,
      model: v.model,
      transport: v.transport,
      group: v.groupId,
    }));
    const sig = JSON.stringify(state.map((s) => [s.region.startLine, s.region.runs, s.region.hunks]));
    this.history.record(this.hash(), sig, state, this.document.getText());
    return true;
  }

  /**
   * Redo is Spark Edit's own here (issue 11, session 10): the document rests on a checkpoint with states ahead, but a
   * save with its diff pending set the diff aside with an editor edit, which ended the editor's Redo (VS Code drops
   * the redo stack on any edit; the public API cannot keep it). Redo then writes the next state's text as one editor
   * edit (so Undo takes it back natively) and shows its previews, as the editor's Redo would have.
   */
  get redoIsOurs(): boolean {
    return this.history.ownRedo() !== undefined;
  }

  /** Spark Edit's own Redo (see redoIsOurs); false when it is not ours to do or the edit did not land. */
  async redoOwn(): Promise<boolean> {
    // Auto-save's set-aside and restore hold the document a moment each second: the key waits for them (a Redo that
    // came then fell through to the editor's, which had nothing: 1 of 10 host runs).
    if (this.busy || this.foreign.length || this.aside) await this.whenIdle(1500);
    const to = this.history.ownRedo();
    const ed = vscode.window.visibleTextEditors.find((x) => x.document === this.document);
    if (to === undefined || this.busy || this.foreign.length || this.aside || !ed) return false;
    const target = this.history.list[to];
    const from = this.history.index;
    this.driving = true;
    let ok = true;
    try {
      const now = this.document.getText();
      const edits = target.text === now ? [] : lineEdits(now, target.text!);
      for (const v of this.host.views(this.document)) v.drop();
      if (edits.length)
        ok = await ed.edit(
          (b) => {
            for (const x of edits)
              b.replace(new vscode.Range(this.document.positionAt(x.from), this.document.positionAt(x.to)), x.text);
          },
          { undoStopBefore: true, undoStopAfter: true },
        );
      if (ok && this.hash() === target.hash) {
        this.history.ownRedone(to);
        for (const st of target.state) this.host.revive(this.document, st);
      } else {
        // A keystroke beat the edit: nothing redone; the state the document rests on keeps its previews.
        ok = false;
        if (this.hash() === this.history.list[from].hash)
          for (const st of this.history.list[from].state) this.host.revive(this.document, st);
      }
      this.host.log(
        `redo (Spark Edit's own, the editor's was cut by a save): state ${from} → ${ok ? to : 'not redone'}`,
      );
    } catch (e) {
      ok = false;
      this.host.log(`redo (own): ${(e as Error).stack ?? e}`);
    } finally {
      this.driving = false;
    }
    this.afterBusy();
    return ok;
  }

  /**
   * A native undo or redo changed the document (not one of ours). Called synchronously from the change event: when
   * the step undid or redid the user's own typing (the text is no checkpoint, nothing streams), the previews follow
   * it like any edit of the user's; otherwise they are dropped and the resting state's previews shown again.
   */
  onUndoRedo(dir: Dir, e: vscode.TextDocumentChangeEvent): void {
    const mine = this.expected.findIndex((x) => x.dir === dir);
    if (mine >= 0) {
      const [x] = this.expected.splice(mine, 1);
      if (x.gaveUp)
        this.host.log(`${dir}: a step of ours arrived after it was given up on; the walk takes it into account`);
      x.seen(e);
      return;
    }
    if (!this.driving && this.aside && !this.aside.undone && dir === 'undo' && this.hash() === this.aside.shown) {
      // The user's Undo took a save's set-aside back (see `aside`): the save shows its previews again without an edit
      // (SaveGuard.unpark), and the Undo the user asked for is taken once it has.
      this.aside.undone = true;
      if (this.aside.pair) this.aside.pair.below = Math.max(0, this.aside.pair.below - 1); // that half is above now
      this.host.log("undo: it took back a save's set-aside; the undo asked for is taken once the save is done");
      this.foreign.push(dir);
      return;
    }
    if (this.busy) {
      // Someone else's step (the user's Ctrl+Z, another extension) while the guard walks or a save holds the text.
      this.host.log(`${dir}: a native ${dir} came while the document was busy; it is handled after`);
      this.foreign.push(dir);
      return;
    }
    this.native(dir, e);
  }

  /** A native undo or redo (not ours) just changed the document, which nothing else holds. */
  private native(dir: Dir, e: vscode.TextDocumentChangeEvent): void {
    const views = this.host.views(this.document);
    this.host.log(`${dir}: a native ${dir} (v${this.document.version}, ${views.length} preview(s))`);
    if (!views.some((v) => v.session.isStreaming)) {
      const plan = dir === 'undo' ? this.history.planUndo() : this.history.planRedo();
      if (plan.kind === 'once' && !this.isAside(this.hash(), dir)) {
        const j = this.history.land(this.hash(), dir);
        if (j < 0 && !this.history.intoOwnEdits(dir)) {
          for (const v of views) v.onDocumentChanged(e);
          return;
        }
        if (j < 0) return void this.drive(dir); // into our own edits only: on to a resting state (drive)
        this.driving = true; // the dropped previews' end must not record a checkpoint
        try {
          for (const v of views) v.drop();
          for (const st of this.history.list[j].state) this.host.revive(this.document, st);
        } finally {
          this.driving = false;
        }
        this.afterBusy();
        return;
      }
    }
    void this.drive(dir);
  }

  /**
   * The guard or a save let go of the document: take the native steps that came meanwhile, one at a time. When the
   * document is still exactly at the resting state just landed on, the walk took the step back (it steps by text
   * until it reaches its target), so it is taken again; otherwise it is in the document and is handled as taken.
   */
  private afterBusy(): void {
    if (this.busy || (this.aside && this.foreign.length)) return;
    if (this.deferred && !this.document.isClosed && !this.host.views(this.document).some((v) => v.suspended)) {
      this.deferred = false;
      this.record();
    }
    if (!this.foreign.length || this.document.isClosed) return this.wakeIdle();
    const dir = this.foreign.shift()!;
    const at = this.history.at && this.history.index >= 0 && this.history.list[this.history.index].hash === this.hash();
    if (at) void this.replay(dir);
    else void this.drive(dir);
  }

  /**
   * Resolves true once nothing moves the document (no walk, no save's hold, no native step waiting), false after `ms`.
   * A save that comes while the guard walks waits for it (issue 11, HB: the walk's intermediate texts were written).
   */
  whenIdle(ms: number): Promise<boolean> {
    if (!this.busy && !this.foreign.length && !this.aside) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(wake);
        resolve(false);
      }, ms);
      this.idleWaiters.add(wake);
    });
  }
  private readonly idleWaiters = new Set<() => void>();
  /** Called each time the guard lets go of the document with nothing left to do (see whenIdle). */
  readonly onIdle = new Set<() => void>();
  private wakeIdle(): void {
    const waiting = this.aside ? [] : [...this.idleWaiters]; // a set-aside still open: once it closes
    for (const f of waiting) this.idleWaiters.delete(f);
    for (const f of waiting) f();
    for (const f of [...this.onIdle]) f();
    this.host.changed?.();
  }

  private async replay(dir: Dir): Promise<void> {
    this.driving = true;
    let e: vscode.TextDocumentChangeEvent | undefined;
    try {
      e = await this.exec(dir);
    } finally {
      this.driving = false;
      this.expected.length = 0;
    }
    this.host.log(`${dir}: a native ${dir} that came while busy, taken again: ${e ? 'done' : 'nothing to take'}`);
    if (e) this.native(dir, e);
    else this.afterBusy();
  }

  /**
   * Undo while the model writes: put that step back, stop, keep what arrived as a pending preview (a state of its own,
   * so Redo can return to it); the caller then undoes that whole preview. Returns the text then, and the walk to force
   * when no preview is left (straight to the original).
   */
  private async stopForUndo(): Promise<{ before: string; forced?: Move }> {
    const views = this.host.views(this.document);
    for (const v of views) {
      v.suspend();
      if (v.session.isStreaming) v.session.interrupt();
    } // no more text arrives
    if (!(await this.step('redo'))) this.host.log('undo while streaming: the step could not be put back');
    for (const v of views) {
      if (!v.matchesDocument()) {
        this.host.log('undo while streaming: a preview no longer matches the document; it is dropped');
        v.drop();
        continue;
      }
      v.resume();
      await v.settled();
    }
    const before = this.hash();
    if (!this.host.views(this.document).length || !this.record())
      return { before, forced: { kind: 'until', to: this.history.index } };
    return { before };
  }

  private async drive(dir: Dir): Promise<void> {
    if (this.busy) {
      this.foreign.push(dir);
      return;
    }
    this.driving = true;
    // The text before the step just taken, when known (a checkpoint the document was at).
    let before: string | undefined =
      this.history.at && this.history.index >= 0 ? this.history.list[this.history.index].hash : undefined;
    const from = this.history.describe();
    const ownOnly = this.history.intoOwnEdits(dir); // what the native step just taken went into
    try {
      let stepAgain = false;
      let forced: Move | undefined;
      if (dir === 'undo' && this.host.views(this.document).some((v) => v.session.isStreaming)) {
        ({ before, forced } = await this.stopForUndo());
        stepAgain = true;
      }
      // The native step went into Spark Edit's own edits since the last resting state (half a stream, a decision's
      // edit not recorded yet), no typing among them: no one meant the text it landed on (session 17: Ctrl+Backspace
      // or Ctrl+Enter and Ctrl+Z at once while a save held the document left a lone `/*` of a streamed doc comment,
      // written to disk). An Undo walks on to that resting state; a Redo above the one such an Undo walked down to is
      // put back (nothing recorded lies ahead: the stream ended while a save held the document).
      const ownWalk = ownOnly && !stepAgain && this.history.index >= 0;
      if (ownWalk) {
        forced = { kind: dir === 'undo' ? 'until' : 'jump', to: this.history.index };
        this.host.log(`${dir}: it went into Spark Edit's own edits only; back to a resting state`);
      }
      const plan: Move = forced ?? (dir === 'undo' ? this.history.planUndo() : this.history.planRedo());
      for (const v of this.host.views(this.document)) v.drop();
      if (stepAgain && !(await this.step(dir))) return;
      let j = -1;
      if (plan.kind === 'jump') {
        await this.step(dir === 'undo' ? 'redo' : 'undo');
        if (dir === 'undo') this.history.jumpedBack(plan.to);
        else this.history.jump(plan.to);
        j = plan.to;
      } else if (plan.kind === 'once') {
        // The step landed on a save's set-aside: through the pair; if that left the text where it was, the step the
        // user asked for is still to take.
        for (let n = 0; n < MAX_STEPS && (await this.passAside(dir, before)); n++) {
          const now = this.hash();
          if (before === undefined || now !== before || !(await this.step(dir))) break;
          before = now;
        }
        j = this.history.land(this.hash(), dir);
      } else if (plan.to < 0) {
        j = -1; // no resting state before the stream (should not happen: one is recorded when a preview starts)
      } else {
        const want = this.history.list[plan.to].hash;
        let n = 0;
        for (; n < MAX_STEPS; n++) {
          const h = this.hash();
          if (h === want) {
            if (await this.passAside(dir, before)) {
              before = h;
              continue;
            } // a save's set-aside, not the state wanted
            if (this.hash() !== want) continue; // someone else's step came meanwhile: on with the walk
            this.history.jump(plan.to);
            j = plan.to;
            break;
          }
          before = h;
          if (!(await this.step(dir))) {
            j = this.history.land(h, dir);
            break;
          }
        }
        if (j < 0)
          this.host.log(
            `${dir}: could not reach the preview's resting state (${n} steps); the document is left as the editor's history has it`,
          );
      }
      if (ownWalk && dir === 'undo' && j >= 0) this.history.walkedDownTo(j);
      this.host.log(
        `${dir}${stepAgain ? ' while streaming' : ''} from ${from}: ${plan.kind}${'to' in plan ? ` to state ${plan.to}` : ''} → ${j >= 0 ? `state ${j} (${this.history.list[j].state.length} preview(s))` : 'no resting state'}`,
      );
      if (j >= 0) for (const st of this.history.list[j].state) this.host.revive(this.document, st);
    } catch (e) {
      this.host.log(`${dir}: ${(e as Error).stack ?? e}`);
      // None of the previews this walk suspended stays so (a decision on it would wait for ever): dropped, as the walk
      // would have; the document keeps what the editor's history has.
      for (const v of this.host.views(this.document)) if (v.suspended) v.drop();
    } finally {
      this.driving = false;
      this.expected.length = 0; // steps given up on that never came: they did nothing
    }
    this.afterBusy();
  }

  /** Run the editor's own undo/redo on this document; false if it cannot (not the active editor) or did nothing. */
  private async step(cmd: Dir): Promise<boolean> {
    return (await this.exec(cmd)) !== undefined;
  }

  /**
   * Run the editor's own undo/redo and wait for its change event (matched in onUndoRedo), not for a version number:
   * the version also moves for others' changes. Undefined when it did nothing (no event within EXEC_GRACE_MS of the
   * command resolving); a change that still comes later stays ours until the walk ends.
   */
  private async exec(cmd: Dir): Promise<vscode.TextDocumentChangeEvent | undefined> {
    const ed = vscode.window.activeTextEditor;
    if (!ed || ed.document !== this.document) return undefined;
    const t0 = performance.now();
    const v0 = this.document.version;
    let seen!: (e: vscode.TextDocumentChangeEvent) => void;
    const got = new Promise<vscode.TextDocumentChangeEvent>((r) => {
      seen = r;
    });
    const x: Expected = { dir: cmd, seen, gaveUp: false };
    this.expected.push(x);
    await vscode.commands.executeCommand(cmd);
    const tCmd = performance.now() - t0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const e = await Promise.race([
      got,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), EXEC_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!e) x.gaveUp = true;
    this.host.log(
      `undo guard: ${cmd} v${v0}→v${this.document.version}, command ${Math.round(tCmd)} ms, ${e ? `change after ${Math.round(performance.now() - t0)} ms` : 'no change'}`,
    );
    return e;
  }
}
