import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';

/**
 * The keys typed between Ctrl+I and the instruction box having the keyboard (issue 15). The code is read-only then
 * (TypingLock), so the editor refused them and the start of the instruction was lost. While the box is open, VS
 * Code's `type` command (every character typed into a text editor, the box included) is overridden, as Vim
 * extensions do: characters typed into the locked code are held, in order, and never applied to it. Once the box
 * has the keyboard they are typed into it (a held Enter then sends it); later characters typed into the box are
 * passed on to VS Code's own `default:type`, in order. Enter in the box goes through the extension host too
 * (`sparkEdit.inlinePrompt.enter`), after them: VS Code's own Enter sent the box before they landed (measured).
 * The override goes when the box is sent or cancelled, not before: removed while keys are on their way, it lost
 * them (measured, with the override removed once typing paused 300 ms); keys typed into the code after the box
 * are never passed on (a Ctrl+Z pressed after them would overtake them: measured).
 *
 * Not held: keys typed before the override reaches the workbench (one round trip to the extension host after
 * Ctrl+I); keys bound to commands (Backspace, arrows, paste: in the box, one pressed within a round trip of the
 * character before it can overtake that character); IME composition. If another extension owns `type` (one
 * override per extension host), nothing is held: the keys are refused as before, and that is logged.
 */
export class EarlyKeys implements vscode.Disposable {
  private held = '';
  private holding = true;
  private chain: Promise<unknown> = Promise.resolve();
  private lastKey: Promise<unknown> = Promise.resolve();
  private sub?: vscode.Disposable;
  /** Where keys typed into the code go while the picker is the prompt (see toPicker). */
  private sink?: (text: string) => void;
  private readonly t0 = performance.now();
  private firstAt?: number;

  private constructor(
    private readonly doc: vscode.TextDocument,
    private readonly log: (m: string) => void,
  ) {}

  /** Starts holding keys typed into `doc`'s editor; undefined if `type` cannot be overridden (another owner). */
  static start(doc: vscode.TextDocument, log: (m: string) => void): EarlyKeys | undefined {
    const keys = new EarlyKeys(doc, log);
    try {
      keys.sub = vscode.commands.registerCommand('type', (args?: { text?: string }) => keys.typed(args?.text ?? ''));
    } catch (e) {
      log(`prompt: keys typed before the box opens are refused (another extension owns "type": ${String(e)})`);
      return undefined;
    }
    return keys;
  }

  /** What was typed into the code and not yet put into the box. */
  get pending(): string {
    return this.held;
  }

  /** Every character passed on so far has landed (in the focused editor: the box while it is open). */
  settled(): Promise<unknown> {
    return this.lastKey;
  }

  private typed(text: string) {
    const active = vscode.window.activeTextEditor?.document;
    if (this.sink && active === this.doc) return this.sink(text); // typed before the picker had the keyboard
    if (this.holding && active === this.doc) {
      this.firstAt ??= performance.now() - this.t0;
      this.held += text;
      return;
    }
    if (this.holding && active?.uri.scheme === 'comment') {
      // Typed into the box before the extension host heard it has the keyboard: after the held keys.
      this.held += text;
      this.intoBox();
      return;
    }
    this.pass(text); // the box (or another editor): VS Code's own typing
  }

  /** VS Code's own typing into the focused editor, after what was passed on before (order kept). */
  private pass(text: string) {
    if (!text) return;
    this.chain = this.lastKey = this.chain
      .then(() => vscode.commands.executeCommand('default:type', { text }))
      .catch((e) => this.log(`prompt: typed text was lost: ${String(e)}`));
  }

  /**
   * The box has the keyboard: the held keys are typed into it; a held Enter sends it (VS Code's Enter in the box),
   * and what was typed after that Enter is typed on once it is sent.
   */
  intoBox() {
    if (!this.holding) return;
    const text = this.held;
    this.held = '';
    this.retire();
    if (!text) return;
    this.log(
      `prompt: ${text.length} key(s) typed before the box had the keyboard go into it (the first held ` +
        `${this.firstAt?.toFixed(0)} ms after Edit Selection started)`,
    );
    const enter = text.search(/\r?\n/);
    if (enter < 0) return this.pass(text);
    this.pass(text.slice(0, enter));
    const rest = text.slice(enter + (text[enter] === '\r' ? 2 : 1));
    this.chain = this.chain
      .then(() => vscode.commands.executeCommand('editor.action.submitComment'))
      .catch((e) => this.log(`prompt: a typed Enter did not send the box: ${String(e)}`))
      .then(() => this.pass(rest));
  }

  /**
   * The picker is the prompt: what was held starts its text (see pending), and keys typed into the code that reach
   * the extension host after it is shown (typed before it had the keyboard) go to `sink`, never on to VS Code's
   * typing, which would put them into the code once the lock is lifted.
   */
  toPicker(sink: (text: string) => void) {
    this.held = '';
    this.holding = false;
    this.sink = sink;
  }

  /** No more holding (the box or the picker has the keyboard); characters typed into the box pass on. */
  retire() {
    this.holding = false;
  }

  dispose() {
    this.holding = false;
    this.sub?.dispose();
    this.sub = undefined;
  }
}
