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
 * The override goes when the box is cancelled, not before: removed while keys are on their way, it lost them
 * (measured, with the override removed once typing paused 300 ms). When the box is sent, characters typed after its
 * Enter are carried to the code (toCode): into the box while it closes they were lost; the override goes once typing
 * has paused with the code focused. The cost: in that moment a Ctrl+Z pressed right after characters typed into the
 * code can overtake them (they make a round trip through the extension host; measured in session 10).
 *
 * Keys typed before the override reaches the workbench (one round trip to the extension host after Ctrl+I; over a
 * second on a cold first Ctrl+I): the Ctrl+I keybinding sets the context key `sparkEdit.holdingKeys` in the
 * workbench, with the lock, and while it is set the letters and the space typed into the locked code run
 * `sparkEdit.holdKey` (keybindings, see HOLD_KEY), in order with Edit Selection and the overridden `type`: held too.
 * No cost outside that window (a `type` override for good would send every key typed anywhere through the
 * extension host). Not held: other characters typed before the override is there (digits and punctuation depend on
 * the keyboard layout: refused by the lock); keys bound to commands (Backspace, arrows, paste: in the box, one pressed within a round trip of the
 * character before it can overtake that character); IME composition. If another extension owns `type` (one
 * override per extension host), nothing is held: the keys are refused as before, and that is logged.
 */
/** After the box was sent, the override stays until typing pauses this long with the code focused (toCode). */
const CARRY_QUIET_MS = 400;
/** …and at most this long after Enter. */
const CARRY_MAX_MS = 3000;

/** Set by the Ctrl+I keybinding (in the workbench, with the lock) until the box or the picker has the keyboard. */
export const HOLDING_KEYS = 'sparkEdit.holdingKeys';

export class EarlyKeys implements vscode.Disposable {
  /** The keys being held now (one prompt at a time), for `sparkEdit.holdKey`. */
  private static current?: EarlyKeys;
  private held = '';
  private holding = true;
  private chain: Promise<unknown> = Promise.resolve();
  private lastKey: Promise<unknown> = Promise.resolve();
  private sub?: vscode.Disposable;
  /** Where keys typed into the code go while the picker is the prompt (see toPicker). */
  private sink?: (text: string) => void;
  private readonly t0 = performance.now();
  private firstAt?: number;
  /** How many of the held keys came from the keybindings of the first round trip (sparkEdit.holdKey). */
  private byKeybinding = 0;
  /** A later prompt took over (one prompt at a time): this one's picker or box is not to show. */
  replaced = false;

  private constructor(
    private readonly doc: vscode.TextDocument,
    private readonly log: (m: string) => void,
  ) {}

  /** Starts holding keys typed into `doc`'s editor; undefined if `type` cannot be overridden (another owner). */
  static start(doc: vscode.TextDocument, log: (m: string) => void): EarlyKeys | undefined {
    const keys = new EarlyKeys(doc, log);
    // One prompt at a time: one still closing (a quick Ctrl+I, Esc, Ctrl+I) gives `type` up to this one. Its context
    // key is this one's now (set by this Ctrl+I): not cleared.
    const before = EarlyKeys.current;
    if (before) {
      before.holding = false;
      before.replaced = true;
      before.dispose();
    }
    try {
      keys.sub = vscode.commands.registerCommand('type', (args?: { text?: string }) => keys.typed(args?.text ?? ''));
    } catch (e) {
      log(`prompt: keys typed before the box opens are refused (another extension owns "type": ${String(e)})`);
      EarlyKeys.unhold();
      return undefined;
    }
    EarlyKeys.current = keys;
    return keys;
  }

  /**
   * `sparkEdit.holdKey`: a letter or space typed into the locked code while `sparkEdit.holdingKeys` is set (the
   * keybindings of the first round trip after Ctrl+I); typed as usual when nothing holds (refused by the lock).
   */
  static holdKey(args?: { text?: string }): unknown {
    const text = args?.text ?? '';
    const keys = EarlyKeys.current;
    if (!keys) return vscode.commands.executeCommand('default:type', { text });
    if (keys.holding) keys.byKeybinding++;
    return keys.typed(text);
  }

  /**
   * The keybindings stop holding, and every key they caught is here (`pending`): the workbench answers after the
   * keys typed before it cleared the context key, on the same channel. For the picker: what was held starts its
   * text (PickerText), and keys heard later go to its sink.
   */
  async stopHolding(): Promise<void> {
    await Promise.resolve(vscode.commands.executeCommand('setContext', HOLDING_KEYS, false)).then(undefined, () => 0);
  }

  /**
   * At activation: the Ctrl+I keybinding that holds the first round trip's keys sets its context key with the
   * workbench's own `_setContext` (the API's `setContext` is the extension host's: a round trip, and unknown to
   * `runCommands`, which then stops before Edit Selection). Offered only where that command exists
   * (`sparkEdit.canHoldKeys`); else Ctrl+I locks without holding, as before.
   */
  static async enable(log: (m: string) => void): Promise<void> {
    const all = await vscode.commands.getCommands(false);
    if (!all.includes('_setContext')) {
      log('prompt: keys typed in the first moment after Ctrl+I are refused (no "_setContext" in this VS Code)');
      return;
    }
    await vscode.commands.executeCommand('setContext', 'sparkEdit.canHoldKeys', true);
    log('prompt: keys typed right after Ctrl+I are held for the box (sparkEdit.canHoldKeys)');
  }

  /** The keybindings stop holding (the box or the picker has the keyboard, or the prompt is gone). */
  private static unhold() {
    void Promise.resolve(vscode.commands.executeCommand('setContext', HOLDING_KEYS, false)).then(undefined, () => 0);
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
    if (this.carry) return this.carried(text);
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

  /** The box was cancelled: what was typed into it and not passed on yet is dropped (see dispose). */
  private dropped = false;

  /**
   * VS Code's own typing into the focused editor, after what was passed on before (order kept). Characters that
   * arrive while the one before them is on its way are typed together, in one round trip once it has landed: one
   * round trip each, an instruction typed fast into the box (20 characters) took its Enter 100–265 ms to read
   * (session 16, the browser), and the keyboard's return to the code waited for it.
   */
  private pass(text: string) {
    if (!text) return;
    if (this.batch) {
      this.batch.text += text;
      return;
    }
    const batch = { text };
    this.batch = batch;
    this.passing++;
    this.chain = this.lastKey = this.chain
      .then(() => {
        if (this.batch === batch) this.batch = undefined;
        return this.dropped ? undefined : vscode.commands.executeCommand('default:type', { text: batch.text });
      })
      .catch((e) => this.log(`prompt: typed text was lost: ${String(e)}`))
      .finally(() => this.passing--);
  }
  private passing = 0;
  /** The characters waiting to be typed together (see pass); closed when anything else joins the chain after them. */
  private batch: { text: string } | undefined;

  /** No character passed on to VS Code's typing is still on its way (the box shows every one). */
  get idle(): boolean {
    return this.passing === 0;
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
        `${this.firstAt?.toFixed(0)} ms after Edit Selection started; ${this.byKeybinding} held by the keybindings)`,
    );
    const enter = text.search(/\r?\n/);
    if (enter < 0) return this.pass(text);
    this.pass(text.slice(0, enter));
    const rest = text.slice(enter + (text[enter] === '\r' ? 2 : 1));
    this.batch = undefined;
    this.chain = this.chain
      .then(() => (this.dropped ? undefined : vscode.commands.executeCommand('editor.action.submitComment')))
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
    this.retire();
    this.sink = sink;
  }

  /** No more holding (the box or the picker has the keyboard); characters typed into the box pass on. */
  retire() {
    if (this.holding) EarlyKeys.unhold();
    this.holding = false;
  }

  /** After the box was sent (see toCode): characters typed since, not yet typed into the code. */
  private carry:
    { text: string; focus: vscode.Disposable; quiet?: ReturnType<typeof setTimeout>; until: number } | undefined;

  /**
   * The box was sent: characters typed after its Enter go to the code, in order, at its cursor. Typed into the box
   * while it closes (it has the keyboard for a moment), they were lost with it, and the rest landed in the code
   * without them (session 12: a person typing right after Enter, 5 of 5). They wait until the code has the keyboard,
   * then are typed into it; the override goes once typing has paused for CARRY_QUIET_MS with the code focused (never
   * while keys may be on their way to it: they would be lost), at most CARRY_MAX_MS after Enter.
   */
  toCode(): void {
    this.retire();
    if (!this.sub || this.carry) return;
    const focus = vscode.window.onDidChangeActiveTextEditor(() => this.carried(''));
    this.carry = { text: '', focus, until: performance.now() + CARRY_MAX_MS };
    this.carried('');
  }

  private carried(text: string) {
    const c = this.carry;
    if (!c) return this.pass(text);
    const active = vscode.window.activeTextEditor?.document;
    const inCode = active === this.doc;
    // Another editor has the keyboard (a tab clicked right after Enter): what is typed is for it. Held for the code,
    // it was dropped after CARRY_MAX_MS, 3 s of typing gone without a word (session 16, a newcomer: 12 of 12 clicks
    // at 30–300 ms after Enter).
    const elsewhere = !!active && !inCode && active.uri.scheme !== 'comment';
    if (!inCode && !elsewhere) c.text += text;
    else {
      // What was typed before the code had the keyboard: at its cursors as the extension host knows them (still where
      // the box left them). Keys typed since: VS Code's own typing, at the cursor as it is then (a helper's Ctrl+End
      // right after Enter was followed by text typed at the old cursor, part of it refused), or in the other editor.
      if (c.text) this.intoCode(c.text);
      c.text = '';
      this.pass(text);
    }
    clearTimeout(c.quiet);
    const last = performance.now() >= c.until;
    const done = inCode || elsewhere || last;
    c.quiet = setTimeout(() => (done ? this.endCarry() : this.carried('')), last ? 0 : CARRY_QUIET_MS);
  }

  /**
   * Typed into the code at its cursors, after what was passed on before. Not VS Code's typing (`default:type` types
   * into the focused editor): when the extension host hears the code is active again, the keyboard may not be in it
   * yet (the browser: four characters carried, none landed).
   */
  private intoCode(text: string) {
    this.batch = undefined;
    this.chain = this.lastKey = this.chain
      .then(async () => {
        // Version-checked: refused when another edit (the stream's) landed first; then at the cursors as they are now.
        for (let tries = 0; tries < 5; tries++) {
          const ed = vscode.window.visibleTextEditors.find((e) => e.document === this.doc);
          if (!ed || this.dropped) return;
          const edit = (b: vscode.TextEditorEdit) => ed.selections.forEach((sel) => b.replace(sel, text));
          if (await ed.edit(edit, { undoStopBefore: false, undoStopAfter: false })) return;
        }
        this.log(`prompt: ${text.length} key(s) typed after Enter were lost: the code kept changing`);
      })
      .catch((e) => this.log(`prompt: typed text was lost: ${String(e)}`));
  }

  /** No more carrying: what was carried and is not in the code yet (undefined: nothing was being carried). */
  private stopCarry(): string | undefined {
    const c = this.carry;
    if (!c) return undefined;
    this.carry = undefined;
    clearTimeout(c.quiet);
    c.focus.dispose();
    return c.text;
  }

  private endCarry() {
    const text = this.stopCarry();
    if (text === undefined) return;
    if (text) this.log(`prompt: ${text.length} key(s) typed after Enter were dropped: the code never had the keyboard`);
    this.dispose();
  }

  /** The box's Enter sent nothing (it stays open): the keys carried since go into it after all, and later ones too. */
  backToBox(): void {
    this.pass(this.stopCarry() ?? '');
  }

  /** Done with the box: the override goes, unless keys typed after its Enter are being carried to the code. */
  done(): void {
    if (!this.carry) this.dispose();
  }

  /**
   * `cancelled`: the box was cancelled (Esc), and what was typed into it and not yet passed on is dropped. Passed on
   * after the box closed, it was typed into the code, over the lines selected again (session 12: Esc right after the
   * instruction and Enter left "name total to acc" in place of the function).
   */
  dispose(cancelled = false) {
    if (cancelled) this.dropped = true;
    if (this.carry) return this.endCarry(); // (cancelled, or a new Ctrl+I: what was carried is dropped)
    this.retire();
    if (EarlyKeys.current === this) EarlyKeys.current = undefined;
    this.sub?.dispose();
    this.sub = undefined;
  }
}
