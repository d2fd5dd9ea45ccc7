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
 * Keys typed between Ctrl+I and that moment would go to the selected code. Until the box is expanded, Spark Edit
 * holds the editor's `type` command (as Vim-like extensions do; not if another extension owns it), and keys that
 * still reached the code after Ctrl+I arrived (before the workbench knew of the hold, or between the release and
 * the focus) are undone there. All of them, in the order typed, go into the box once it has the focus; an Enter
 * among them sends the instruction.
 */
export class PromptFocus implements vscode.Disposable {
  private settle: (ok: boolean) => void = () => undefined;
  /** Resolves once the box has the keyboard (true), or when it gave up / the prompt ended (false). */
  readonly focused = new Promise<boolean>((r) => (this.settle = r));
  private typeOverride?: vscode.Disposable;
  /** What was typed since Ctrl+I arrived (held, or into the code), in order. */
  private typed: string[] = [];
  private codeWatch?: vscode.Disposable;
  private before?: { text: string; version: number; selections: readonly vscode.Selection[] };
  private input?: vscode.TextDocument;
  /** The box's editor, once it is the active text editor. */
  private box?: vscode.TextEditor;
  /** Typed keys on their way into the box (see withHeld). */
  private landing = '';
  private done = false;
  private thread!: vscode.CommentThread;
  private readonly disposables: vscode.Disposable[] = [];

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

  /** Before the thread is made: from now on, what is typed is kept for the box. */
  capture(): void {
    const doc = this.code.document;
    this.before = { text: doc.getText(), version: doc.version, selections: this.code.selections };
    this.codeWatch = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc) for (const c of e.contentChanges) this.typed.push(c.text);
    });
    try {
      this.typeOverride = vscode.commands.registerCommand('type', (args: { text?: string }) => {
        if (!this.done) this.typed.push(args?.text ?? '');
        else return vscode.commands.executeCommand('default:type', args); // a late call: VS Code's typing
      });
    } catch {
      this.o.log('prompt: another extension handles typing; keys typed before the box has the focus reach the code');
    }
  }

  /** The thread is made (collapsed): open it and move the keyboard into it. */
  open(thread: vscode.CommentThread): void {
    this.thread = thread;
    void this.focus();
  }

  private async focus() {
    const t0 = Date.now();
    this.input = await this.inputDocument(2000);
    // Typing goes where the focus is again (the box, once expanded); keys that reach the code meanwhile are taken
    // back. The release reaches the workbench before the expand (messages keep their order).
    this.typeOverride?.dispose();
    this.typeOverride = undefined;
    for (let attempt = 1; attempt <= 4 && this.o.alive() && !this.done; attempt++) {
      if (attempt > 1) {
        this.thread.collapsibleState = vscode.CommentThreadCollapsibleState.Collapsed;
        await vscode.commands.executeCommand('setContext', 'sparkEdit.promptOpen', true); // a round trip
      }
      this.thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
      if (await this.activeIsInput(attempt === 1 ? 1500 : 1000)) {
        this.o.log(`prompt: the box has the keyboard after ${Date.now() - t0} ms (attempt ${attempt})`);
        return this.finish(true);
      }
    }
    if (this.o.alive()) this.o.log('prompt: the box did not get the keyboard focus; click it to type');
    await this.finish(false);
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
    if (this.isInput(vscode.window.activeTextEditor)) {
      this.box = vscode.window.activeTextEditor;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(false);
      }, ms);
      const sub = vscode.window.onDidChangeActiveTextEditor((ed) => {
        if (!this.isInput(ed)) return;
        this.input ??= ed!.document;
        this.box = ed;
        clearTimeout(timer);
        sub.dispose();
        resolve(true);
      });
      this.disposables.push(sub, { dispose: () => clearTimeout(timer) });
    });
  }

  /** Undo what was typed into the code since Ctrl+I arrived (the text goes to the box instead). */
  private async restoreCode(): Promise<void> {
    const ed = this.code;
    const doc = ed.document;
    const b = this.before;
    if (!b || doc.isClosed || doc.version === b.version) return;
    const now = doc.getText();
    let p = 0;
    while (p < now.length && p < b.text.length && now[p] === b.text[p]) p++;
    let q = 0;
    while (q < now.length - p && q < b.text.length - p && now[now.length - 1 - q] === b.text[b.text.length - 1 - q])
      q++;
    const range = new vscode.Range(doc.positionAt(p), doc.positionAt(now.length - q));
    const ok = await ed.edit((e) => e.replace(range, b.text.slice(p, b.text.length - q)), {
      undoStopBefore: false,
      undoStopAfter: false,
    });
    if (ok) {
      ed.selections = b.selections;
      this.o.log('prompt: keys typed into the code while the box opened were moved to the box');
    }
  }

  private async finish(ok: boolean) {
    if (this.done) return;
    this.done = true;
    this.typeOverride?.dispose();
    this.typeOverride = undefined;
    this.codeWatch?.dispose();
    const text = this.typed.join('');
    this.typed = [];
    if (text) await this.restoreCode();
    const nl = text.indexOf('\n');
    const box = this.box;
    if (!text || !this.o.alive()) {
      /* nothing typed, or the prompt ended */
    } else if (ok && nl >= 0) this.o.send(text.slice(0, nl));
    else if (ok && box) {
      // Into the box's own editor (never whatever has the focus when it lands), at the start: keys typed straight
      // into the box meanwhile came after these.
      this.landing = text;
      if (await box.edit((e) => e.insert(new vscode.Position(0, 0), text))) {
        const end = box.document.lineAt(box.document.lineCount - 1).range.end;
        box.selection = new vscode.Selection(end, end);
      }
      if (this.landing === text) this.landing = '';
    } else this.o.prefill(nl >= 0 ? text.slice(0, nl) : text); // the box never got the keyboard: shown in it
    this.settle(ok);
  }

  /** Sending now, `body` what the box shows: keys still on their way into it come first. */
  withHeld(body: string): string {
    const held = this.typed.join('');
    if (held) void this.restoreCode(); // keys that went into the code are the instruction's, not the code's
    const landing = this.landing && !body.startsWith(this.landing) ? this.landing : '';
    this.landing = '';
    this.typed = [];
    const nl = held.indexOf('\n');
    return landing + (nl >= 0 ? held.slice(0, nl) : held) + body;
  }

  dispose() {
    if (!this.done) {
      this.done = true;
      this.typeOverride?.dispose();
      this.typeOverride = undefined;
      this.codeWatch?.dispose();
      this.settle(false);
    }
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
