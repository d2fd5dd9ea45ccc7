import * as vscode from 'vscode';

/**
 * The keyboard into the instruction box at the code, by signals rather than by timing (issue 15 polish).
 *
 * VS Code moves the focus into an editing comment only when its thread goes from collapsed to expanded while its
 * widget exists. So the thread is created collapsed, and expanded once the comment's input document (a `comment:`
 * document, which VS Code creates with the widget) has reached the extension host. Whether the focus landed is
 * seen, not guessed: the box's editor becomes the active text editor. If it does not, the thread is collapsed and
 * expanded again (a few times).
 *
 * Keys typed between Ctrl+I and that moment would go to the selected code. Meanwhile Spark Edit takes the editor's
 * `type` command (as Vim-like extensions do, only while the box opens): what is typed into the code is kept and
 * typed into the box once it has the focus; an Enter among it sends the instruction. If another extension owns
 * `type`, nothing is taken (the keys then reach the code, as before).
 */
export class PromptFocus implements vscode.Disposable {
  private settle: (ok: boolean) => void = () => undefined;
  /** Resolves once the box has the keyboard (true), or when it gave up / the prompt ended (false). */
  readonly focused = new Promise<boolean>((r) => (this.settle = r));
  private typeOverride?: vscode.Disposable;
  private buffered = '';
  private input?: vscode.TextDocument;
  private done = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** Typing forwarded to VS Code's own `type`, in order. */
  private chain: Thenable<unknown> = Promise.resolve();

  constructor(
    private readonly code: vscode.TextEditor,
    private readonly o: {
      /** Comment documents that existed before the thread was made (not its input). */
      known: Set<string>;
      log: (m: string) => void;
      /** Enter was typed before the box had the focus: send this. */
      send: (text: string) => void;
      /** The box did not get the keyboard: show what was typed in it. */
      prefill: (text: string) => void;
      /** Still this prompt's box? */
      alive: () => boolean;
    },
  ) {}

  /** The comment documents open now (taken before the thread is made). */
  static commentDocs(): Set<string> {
    return new Set(
      vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'comment').map((d) => d.uri.toString()),
    );
  }

  private thread!: vscode.CommentThread;
  private captured: Promise<void> = Promise.resolve();

  /** Before the thread is made: from now on, typing is kept for the box. */
  capture(): void {
    try {
      this.typeOverride = vscode.commands.registerCommand('type', (args: { text?: string }) => this.onType(args));
    } catch {
      this.o.log('prompt: another extension handles typing; keys typed before the box has the focus reach the code');
    }
    this.captured = this.takeBackStrayKeys();
  }

  /** The thread is made (collapsed): open it and move the keyboard into it. */
  open(thread: vscode.CommentThread): void {
    this.thread = thread;
    void this.captured.then(() => this.focus());
  }

  /**
   * Keys typed in the moment between Ctrl+I and the workbench knowing of the `type` override went into the code
   * (they arrive here after the command, so the text at `start` is the text before them): once the override is
   * known (a round trip), those changes are undone and their text goes first into the box.
   */
  private async takeBackStrayKeys() {
    const ed = this.code;
    const doc = ed.document;
    const before = { text: doc.getText(), version: doc.version, selections: ed.selections };
    const typed: string[] = [];
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc) for (const c of e.contentChanges) typed.push(c.text);
    });
    try {
      await vscode.commands.executeCommand('setContext', 'sparkEdit.promptOpen', true);
    } finally {
      sub.dispose();
    }
    if (!this.typeOverride || doc.version === before.version || doc.isClosed || this.done) return;
    const now = doc.getText();
    let p = 0;
    while (p < now.length && p < before.text.length && now[p] === before.text[p]) p++;
    let q = 0;
    while (
      q < now.length - p &&
      q < before.text.length - p &&
      now[now.length - 1 - q] === before.text[before.text.length - 1 - q]
    )
      q++;
    const range = new vscode.Range(doc.positionAt(p), doc.positionAt(now.length - q));
    const ok = await ed.edit((b) => b.replace(range, before.text.slice(p, before.text.length - q)), {
      undoStopBefore: false,
      undoStopAfter: false,
    });
    if (!ok) return;
    ed.selections = before.selections;
    this.buffered = typed.join('') + this.buffered;
    this.o.log(
      `prompt: ${typed.join('').length} character(s) typed into the code before the box opened moved to the box`,
    );
  }

  private async focus() {
    const t0 = Date.now();
    this.input = await this.inputDocument(2000);
    if (!this.o.alive()) return this.finish(false);
    for (let attempt = 1; attempt <= 4 && this.o.alive(); attempt++) {
      if (attempt > 1) {
        this.thread.collapsibleState = vscode.CommentThreadCollapsibleState.Collapsed;
        await this.roundTrip(); // a round trip: the collapse is there before the expand
      }
      this.thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
      if (await this.activeIsInput(attempt === 1 ? 1500 : 1000)) {
        this.o.log(`prompt: the box has the keyboard after ${Date.now() - t0} ms (attempt ${attempt})`);
        return this.finish(true);
      }
    }
    this.o.log('prompt: the box did not get the keyboard focus; click it to type');
    this.finish(false);
  }

  private roundTrip(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', 'sparkEdit.promptOpen', true);
  }

  /** The box's input document: one that appears after the thread was made, with VS Code's comment-input name. */
  private inputDocument(ms: number): Promise<vscode.TextDocument | undefined> {
    const isInput = (d: vscode.TextDocument) =>
      d.uri.scheme === 'comment' && /commentinput-/.test(d.uri.path) && !this.o.known.has(d.uri.toString());
    const there = vscode.workspace.textDocuments.find(isInput);
    if (there) return Promise.resolve(there);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(undefined);
      }, ms);
      const sub = vscode.workspace.onDidOpenTextDocument((d) => {
        if (!isInput(d)) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(d);
      });
      this.disposables.push(sub, { dispose: () => clearTimeout(timer) });
    });
  }

  private isInput(ed: vscode.TextEditor | undefined): boolean {
    if (!ed) return false;
    const d = ed.document;
    return this.input
      ? d === this.input
      : d.uri.scheme === 'comment' && /commentinput-/.test(d.uri.path) && !this.o.known.has(d.uri.toString());
  }

  private activeIsInput(ms: number): Promise<boolean> {
    if (this.isInput(vscode.window.activeTextEditor)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(false);
      }, ms);
      const sub = vscode.window.onDidChangeActiveTextEditor((ed) => {
        if (!this.isInput(ed)) return;
        if (!this.input) this.input = ed!.document;
        clearTimeout(timer);
        sub.dispose();
        resolve(true);
      });
      this.disposables.push(sub, { dispose: () => clearTimeout(timer) });
    });
  }

  /**
   * Typing while the box opens is kept for the box, in order (also keys typed after the focus landed and before
   * that was seen: they follow the earlier ones). Once done, the override is gone; a late call is VS Code's typing.
   */
  private onType(args: { text?: string }) {
    if (!this.done) {
      this.buffered += args?.text ?? '';
      return;
    }
    this.chain = this.chain.then(() => vscode.commands.executeCommand('default:type', args));
    return this.chain;
  }

  private finish(ok: boolean) {
    if (this.done) return;
    this.done = true;
    const text = this.buffered;
    this.buffered = '';
    this.typeOverride?.dispose(); // typing goes straight to VS Code again
    this.typeOverride = undefined;
    const nl = text.indexOf('\n');
    if (ok && text) {
      if (nl >= 0) this.o.send(text.slice(0, nl));
      else this.chain = this.chain.then(() => vscode.commands.executeCommand('default:type', { text }));
    } else if (text && this.o.alive()) {
      // The box never got the keyboard: the keys still go into it (its text), never onto the selected code.
      this.o.prefill(nl >= 0 ? text.slice(0, nl) : text);
    }
    void Promise.resolve(this.chain).then(() => this.settle(ok));
  }

  dispose() {
    if (!this.done) {
      this.done = true;
      this.typeOverride?.dispose();
      this.typeOverride = undefined;
      this.settle(false);
    }
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
