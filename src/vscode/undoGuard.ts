import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { Move, PreviewHistory } from '../core/session/history';
import { RegionSnapshot } from '../core/session/region';
import { EditPromptInput } from '../core/prompt';
import { ModelTransport } from '../core/transport/types';
import type { SessionView } from './preview';

/** What it takes to show a pending preview again. */
export interface ViewState { region: RegionSnapshot; prompt: EditPromptInput; model: string; transport: ModelTransport }

export interface GuardHost {
  /** The live previews in a document. */
  views(doc: vscode.TextDocument): SessionView[];
  /** Show a pending preview again over the document's current text. */
  revive(doc: vscode.TextDocument, st: ViewState): SessionView | undefined;
  log(m: string): void;
}

const MAX_STEPS = 2000;

/**
 * Undo/redo for a document that has had previews (issue 11). VS Code's own Undo (Ctrl+Z, the Edit menu, the
 * `undo` command) runs first; its change event comes here instead of to the previews. When the step it took went
 * into the middle of a stream, this keeps stepping (with the same command) until the document is at a resting
 * state (core/session/history.ts), then shows that state's previews again, with their decorations and lenses.
 */
export class UndoGuard {
  readonly history = new PreviewHistory<ViewState[]>();
  /** Moving the document through its history: changes are ours, previews are suspended. */
  busy = false;

  constructor(readonly document: vscode.TextDocument, private readonly host: GuardHost) {}

  private hash(): string { return createHash('sha1').update(this.document.getText()).digest('base64'); }
  /** The document's text, as the guard identifies it. */
  textHash(): string { return this.hash(); }

  /**
   * Saves that set previews aside (issue 12): VS Code puts an undo stop before and after save participants, so the
   * set-aside (text `shown` becomes `aside`, which is written) is a native undo step of its own, and the restore after
   * the save (back to `shown`, with the stream's next lines joining it) is another. The pair is no state of anyone's:
   * undo and redo go through both halves at once. `aside` is usually the original's text, so a step that lands on it
   * is told apart by the other half: undoing the set-aside gives a preview's text back (`shown`: the text when the
   * save began, or, when a preview edit in flight landed after VS Code's undo stop and so joined the set-aside's
   * step, one of the texts the last preview edits left; or the set-aside text itself when that edit was the first).
   */
  private readonly asides: Array<{ shown: string[]; aside: string }> = [];
  /** Texts the preview's latest own edits left (newest last). */
  private readonly recent: string[] = [];
  noteOwnEdit(): void { this.recent.push(this.hash()); if (this.recent.length > 4) this.recent.shift(); }
  /** Previews were just set aside for a save; the text when the save began was `shown`. */
  noteSetAside(shown: string): void {
    const aside = this.hash();
    if (aside === shown) return;
    const pair = { shown: [...new Set([...this.recent, shown])], aside };
    const key = (p: { shown: string[]; aside: string }) => `${p.aside}|${p.shown.join(',')}`;
    if (this.asides.some((p) => key(p) === key(pair))) return; // auto-save repeats the same pair
    this.asides.push(pair);
    if (this.asides.length > 200) this.asides.shift();
  }
  private isAside(h: string): boolean { return this.asides.some((p) => p.aside === h); }

  /**
   * The native step just taken (`dir`, from text `before` when known) landed on a save's set-aside text: take the
   * pair's other half too. Returns whether it did (undo: the set-aside undone; redo: the restore redone).
   */
  private async passAside(dir: 'undo' | 'redo', before: string | undefined): Promise<boolean> {
    const h = this.hash();
    const pairs = this.asides.filter((p) => p.aside === h);
    if (!pairs.length) return false;
    if (dir === 'redo') return before !== undefined && (before === h || pairs.some((p) => p.shown.includes(before))) && this.exec('redo');
    if (!await this.exec('undo')) return false;
    const now = this.hash();
    if (now === h || pairs.some((p) => p.shown.includes(now))) return true;
    await this.exec('redo'); // the set-aside's text was a real state's too (the original before the preview): back to it
    return false;
  }

  /** The document rests (no preview in it streams or has edits to apply): record it as a checkpoint. */
  checkpoint(): void {
    if (this.busy || this.document.isClosed) return;
    this.record();
  }

  private record(): boolean {
    const all = this.host.views(this.document);
    if (all.some((v) => v.session.isStreaming || v.region.planFlush() !== null)) return false;
    const views = all.filter((v) => v.region.pendingHunks().length > 0); // a preview with nothing pending is about to end
    const state: ViewState[] = views.map((v) => ({ region: v.region.snapshot(), prompt: v.session.promptInput, model: v.model, transport: v.transport }));
    const sig = JSON.stringify(state.map((s) => [s.region.startLine, s.region.runs, s.region.hunks]));
    this.history.record(this.hash(), sig, state);
    return true;
  }

  /**
   * A native undo or redo changed the document (not one of ours). Called synchronously from the change event: when
   * the step undid or redid the user's own typing (the text is no checkpoint, nothing streams), the previews follow
   * it like any edit of the user's; otherwise they are dropped and the resting state's previews shown again.
   */
  onUndoRedo(dir: 'undo' | 'redo', e: vscode.TextDocumentChangeEvent): void {
    if (this.busy) return;
    const views = this.host.views(this.document);
    if (!views.some((v) => v.session.isStreaming)) {
      const plan = dir === 'undo' ? this.history.planUndo() : this.history.planRedo();
      if (plan.kind === 'once' && !this.isAside(this.hash())) {
        const j = this.history.land(this.hash(), dir);
        if (j < 0) { for (const v of views) v.onDocumentChanged(e); return; }
        this.busy = true; // the dropped previews' end must not record a checkpoint
        try {
          for (const v of views) v.drop();
          for (const st of this.history.list[j].state) this.host.revive(this.document, st);
        } finally { this.busy = false; }
        return;
      }
    }
    void this.drive(dir);
  }

  private async drive(dir: 'undo' | 'redo'): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    // The text before the step just taken, when known (a checkpoint the document was at).
    let before: string | undefined = this.history.at && this.history.index >= 0 ? this.history.list[this.history.index].hash : undefined;
    try {
      let stepAgain = false;
      let forced: Move | undefined;
      const streaming = this.host.views(this.document).filter((v) => v.session.isStreaming);
      if (streaming.length && dir === 'undo') {
        // Undo while the model writes: put that step back, stop, keep what arrived as a pending preview (a state of
        // its own, so Redo can return to it), then undo that whole preview.
        const views = this.host.views(this.document);
        for (const v of views) { v.suspend(); if (v.session.isStreaming) v.session.interrupt(); } // no more text arrives
        if (!await this.exec('redo')) this.host.log('undo while streaming: the step could not be put back');
        for (const v of views) {
          if (!v.matchesDocument()) { this.host.log('undo while streaming: a preview no longer matches the document; it is dropped'); v.drop(); continue; }
          v.resume();
          await v.settled();
        }
        before = this.hash();
        stepAgain = true;
        // What arrived is a resting state of its own (Redo returns to it); with no preview left, straight to the original.
        if (!this.host.views(this.document).length || !this.record()) forced = { kind: 'until', to: this.history.index };
      }
      const plan: Move = forced ?? (dir === 'undo' ? this.history.planUndo() : this.history.planRedo());
      for (const v of this.host.views(this.document)) v.drop();
      if (stepAgain && !await this.exec(dir)) return;
      let j = -1;
      if (plan.kind === 'jump') {
        await this.exec(dir === 'undo' ? 'redo' : 'undo');
        this.history.jump(plan.to);
        j = plan.to;
      } else if (plan.kind === 'once') {
        // The step landed on a save's set-aside: through the pair; if that left the text where it was, the step the
        // user asked for is still to take.
        for (let n = 0; n < MAX_STEPS && await this.passAside(dir, before); n++) {
          const now = this.hash();
          if (before === undefined || now !== before || !await this.exec(dir)) break;
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
            if (await this.passAside(dir, before)) { before = h; continue; } // a save's set-aside, not the state wanted
            this.history.jump(plan.to); j = plan.to; break;
          }
          before = h;
          if (!await this.exec(dir)) { j = this.history.land(h, dir); break; }
        }
        if (j < 0) this.host.log(`${dir}: could not reach the preview's resting state (${n} steps); the document is left as the editor's history has it`);
      }
      this.host.log(`${dir}${stepAgain ? ' while streaming' : ''}: ${plan.kind}${'to' in plan ? ` to state ${plan.to}` : ''} → ${j >= 0 ? `state ${j} (${this.history.list[j].state.length} preview(s))` : 'no resting state'}`);
      if (j >= 0) for (const st of this.history.list[j].state) this.host.revive(this.document, st);
    } catch (e) {
      this.host.log(`${dir}: ${(e as Error).stack ?? e}`);
    } finally {
      this.busy = false;
    }
  }

  /** Run the editor's own undo/redo on this document; false if it cannot (not the active editor) or did nothing. */
  private async exec(cmd: 'undo' | 'redo'): Promise<boolean> {
    const ed = vscode.window.activeTextEditor;
    if (!ed || ed.document !== this.document) return false;
    const v0 = this.document.version;
    await vscode.commands.executeCommand(cmd);
    for (let i = 0; i < 20 && this.document.version === v0; i++) await new Promise((r) => setTimeout(r, 5));
    return this.document.version !== v0;
  }
}
