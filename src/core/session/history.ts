/**
 * Undo/redo across a preview's whole life (issue 11). The preview writes the model's lines into the document, so
 * its edits are in the editor's undo stack, and VS Code splits them into many undo steps (a save, auto-save
 * included, closes the open step). Undo must only ever land on states the user could have meant: the original,
 * a pending preview (with its decorations and lenses), the accepted result, and their own typing around them.
 *
 * Those resting states are recorded here as checkpoints, identified by the document's text (a hash) and ordered
 * like the undo stack. Between two checkpoints lies a span of native undo steps: `stream` (the model's lines
 * arriving: intermediate states nobody meant, crossed in one go), `step` (one decision or the user's typing: one
 * native step), or `none` (a decision that changed no text, e.g. accepting pure additions: no native step).
 * The adapter undoes natively until it reaches the checkpoint the plan names, then restores its previews.
 *
 * Pure: no `vscode` import; `S` is whatever the adapter needs to restore the previews of a state.
 */
export type Span = 'none' | 'step' | 'stream';
export interface Checkpoint<S> {
  hash: string;
  sig: string;
  span: Span;
  state: S;
  /** The document's text (kept for the newest MAX_TEXTS checkpoints): what Spark Edit's own Redo writes (ownRedo). */
  text?: string;
}

/** How many checkpoints keep their text for Spark Edit's own Redo (older ones can only be redone by the editor). */
export const MAX_TEXTS = 100;

export type Move =
  /** One native step; then look the landing state up. */
  | { kind: 'once' }
  /** No native step belongs here: undo the one that was taken (it went past a checkpoint of the same text), land on `to`. */
  | { kind: 'jump'; to: number }
  /** Keep stepping natively until the text is checkpoint `to`'s. */
  | { kind: 'until'; to: number };

export class PreviewHistory<S> {
  readonly list: Checkpoint<S>[] = [];
  /** The last checkpoint at or before the document's position in its undo stack (-1: before all of them). */
  index = -1;
  /** The document is exactly at `list[index]`. */
  at = false;
  private ownEdits = 0;
  private streamed = false;
  /** Called when the checkpoints after `index` are dropped (a new branch: the editor's redo stack is gone too). */
  onTruncate?: (index: number) => void;
  /**
   * The last checkpoint the editor's own Redo can reach (Infinity: all of them). A save with a diff pending sets the
   * diff aside and shows it again with two editor edits, and any edit ends the editor's Redo although the states ahead
   * are still the user's (the decision they undid): past this point Redo is Spark Edit's own (ownRedo).
   */
  nativeRedoTop = Infinity;

  /** The editor's Redo was just cut (a save's set-aside while the document is at a checkpoint with states ahead). */
  cutRedo(): void {
    if (this.at && this.index + 1 < this.list.length) this.nativeRedoTop = Math.min(this.nativeRedoTop, this.index);
  }

  /** The checkpoint Spark Edit's own Redo goes to (the editor's Redo cannot), or undefined. */
  ownRedo(): number | undefined {
    if (!this.at || this.index < this.nativeRedoTop || this.index + 1 >= this.list.length) return undefined;
    // Back over what the Undo went over in one step (the editor groups typed characters into one undo step; each
    // was recorded while a diff was pending): a newcomer's Redo after that Undo gave `x` of the typed `xyz`.
    const to = this.skipped?.to === this.index ? this.skipped.from : this.index + 1;
    return this.list[to]?.text !== undefined ? to : undefined;
  }
  /** An Undo that went over checkpoints in one native step, from `from` down to `to`. */
  private skipped?: { from: number; to: number };

  /**
   * An Undo landed on checkpoint `to` by putting the editor's step back with its Redo (a `jump`: the decision undone
   * made no text change, e.g. Accept All of added lines only): the editor's Redo stack is empty there, so Redo to the
   * state ahead is Spark Edit's own (session 17: Redo after that Undo did nothing).
   */
  jumpedBack(to: number): void {
    this.jump(to);
    if (to + 1 < this.list.length) this.nativeRedoTop = Math.min(this.nativeRedoTop, to);
  }

  /** Spark Edit's own Redo wrote checkpoint `to`'s text as an editor edit: the editor's Redo ends there now. */
  ownRedone(to: number): void {
    this.jump(to);
    this.nativeRedoTop = to;
  }

  /** The preview changed the document (any of its own edits). */
  noteOwnEdit(streaming: boolean): void {
    this.ownEdits++;
    this.at = false;
    if (streaming) this.streamed = true;
  }
  /** The user (or another extension) changed the document, not by undo/redo: the native redo stack is gone. */
  noteUserEdit(): void {
    this.truncate();
    this.at = false;
    this.userEdited = true;
  }
  private userEdited = false;
  /** Since the last checkpoint the document changed by Spark Edit's own edits only (a stream, a decision's edit). */
  get ownEditsOnly(): boolean {
    return !this.at && this.ownEdits > 0 && !this.userEdited;
  }
  /**
   * An Undo walked down through Spark Edit's own edits to this checkpoint (the guard's `until` walk): the editor's Redo
   * above it replays them, and none of their texts is a state anyone meant. Until a new checkpoint or the user's typing.
   */
  private ownAbove?: number;
  walkedDownTo(to: number): void {
    this.ownAbove = to;
  }
  /** A native step in direction `dir` just taken went into Spark Edit's own edits only (see ownEditsOnly, ownAbove). */
  intoOwnEdits(dir: 'undo' | 'redo'): boolean {
    return this.ownEditsOnly || (dir === 'redo' && this.ownAbove === this.index);
  }

  private truncate(): void {
    this.skipped = undefined;
    this.ownAbove = undefined;
    this.onTruncate?.(this.index);
    this.list.length = this.index + 1;
    this.nativeRedoTop = Infinity; // a new branch: nothing ahead
  }

  /** A resting state was reached. Returns whether it is new. */
  record(hash: string, sig: string, state: S, text?: string): boolean {
    const cur = this.at && this.index >= 0 ? this.list[this.index] : undefined;
    if (cur && cur.hash === hash && cur.sig === sig) {
      this.ownEdits = 0;
      this.streamed = false;
      return false;
    }
    const span: Span =
      this.ownEdits > 0 ? (this.streamed ? 'stream' : 'step') : cur && cur.hash === hash ? 'none' : 'step';
    this.truncate();
    this.list.push({ hash, sig, span, state, text });
    if (this.list.length > MAX_TEXTS) delete this.list[this.list.length - 1 - MAX_TEXTS].text;
    this.index = this.list.length - 1;
    this.at = true;
    this.ownEdits = 0;
    this.streamed = false;
    this.userEdited = false;
    return true;
  }

  planUndo(): Move {
    if (!this.at || this.index <= 0) return { kind: 'once' };
    const c = this.list[this.index];
    return c.span === 'none'
      ? { kind: 'jump', to: this.index - 1 }
      : c.span === 'stream'
        ? { kind: 'until', to: this.index - 1 }
        : { kind: 'once' };
  }

  planRedo(): Move {
    if (!this.at || this.index + 1 >= this.list.length) return { kind: 'once' };
    const n = this.list[this.index + 1];
    return n.span === 'none'
      ? { kind: 'jump', to: this.index + 1 }
      : n.span === 'stream'
        ? { kind: 'until', to: this.index + 1 }
        : { kind: 'once' };
  }

  /**
   * A native undo/redo landed on text `hash`: the checkpoint it is (the nearest in the direction moved), or -1 when
   * it is no checkpoint (the user's own history).
   */
  land(hash: string, dir: 'undo' | 'redo'): number {
    const was = this.at ? this.index : undefined;
    const from = this.at && dir === 'undo' ? this.index - 1 : dir === 'undo' ? this.index : this.index + 1;
    const order: number[] = [];
    if (dir === 'undo') {
      for (let j = from; j >= 0; j--) order.push(j);
      for (let j = from + 1; j < this.list.length; j++) order.push(j);
    } else {
      for (let j = from; j < this.list.length; j++) order.push(j);
      for (let j = from - 1; j >= 0; j--) order.push(j);
    }
    for (const j of order)
      if (j >= 0 && this.list[j].hash === hash) {
        this.jump(j);
        if (dir === 'undo' && was !== undefined && j < was - 1) this.skipped = { from: was, to: j };
        return j;
      }
    if (this.at && dir === 'undo') this.index = Math.max(-1, this.index - 1);
    this.at = false;
    return -1;
  }

  /** Where the document is in the history, for the log: `state 2 of 3 (stream)`, `after state 1 of 2 (step)`. */
  describe(): string {
    const c = this.index >= 0 ? this.list[this.index] : undefined;
    return `${this.at ? '' : 'after '}state ${this.index} of ${this.list.length}${c ? ` (${c.span})` : ''}${this.ownEdits ? `, ${this.ownEdits} own edit(s)` : ''}`;
  }

  jump(to: number): void {
    this.skipped = undefined;
    this.index = to;
    this.at = true;
    this.ownEdits = 0;
    this.streamed = false;
    this.userEdited = false;
  }
}
