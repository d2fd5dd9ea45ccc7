import * as vscode from 'vscode';
import { registerKeyCommand } from './util/keyCommands';
import { activeTabShows } from './util/codeEditor';
import { boxRefactors } from '../core/refactors';
import type { EarlyKeys } from './earlyKeys';
import { PickerText } from '../core/pickerText';
import { PromptHistory } from './promptHistory';

/**
 * The instruction box at the code (issue 15): a comment-thread input anchored under the lines to edit (the public
 * API's way to put a text input inside the editor), focused at once; Enter (or Ctrl+Enter) sends, Esc cancels.
 * ↑ / ↓ in it go through the recent instructions and Ctrl+Space offers them and the refactors (promptRecall.ts); its
 * title bar has "Recent & Refactors…", a picker of both. With
 * `sparkEdit.promptStyle: "quickInput"` that picker is the prompt itself (at the top of the window), typed text
 * included. Every instruction sent either way is remembered (the last 20, on disk: promptHistory.ts).
 */
export interface PromptTarget {
  editor: vscode.TextEditor;
  startLine: number;
  endLine: number;
  deep?: boolean;
  /** Nothing was selected: say that "/file …" edits the whole file. */
  noSelection?: boolean;
  /** A redirect of a running or pending edit: its instruction so far. */
  redirect?: string;
  /** Keys typed into the code before the box had the keyboard: they go into the box (or the picker). */
  keys?: EarlyKeys;
  /** Runs once the box (or the picker) has the keyboard. */
  onFocused?: () => void;
  /** Runs when the box is sent or cancelled, before it closes (the code takes typing again: TypingLock). */
  beforeClose?: (sent: boolean) => Thenable<void>;
  /**
   * Once an instruction is sent: when to close the picker ('edit', issue 17: once the first document edit has landed),
   * to give the box's keyboard back ('out': right behind the first edit) and to remove the box ('hunk': once the first
   * hunk's controls have landed). Without it, at once.
   */
  closeLater?: (close: () => void, when?: 'edit' | 'out' | 'hunk') => void;
}

export const PROMPT_CONTROLLER = 'sparkEdit.prompt';
/** Context key: the instruction box at the code is open (set when it opens, cleared when it is sent or cancelled). */
const PROMPT_OPEN = 'sparkEdit.promptOpen';
/**
 * Context key: an instruction was sent from the box, and the code has not had the keyboard back since (its edit may
 * have started): Esc then is for that edit, wherever the keyboard is (session 12: Esc ~50 ms after Enter went to the
 * code, which had no use for it yet, and the whole diff arrived; this session: at 150 ms, with the box gone and the code
 * not focused yet, it went nowhere).
 */
const SENDING = 'sparkEdit.sending';
const SENDING_MS = 1000;

export class InlinePrompt implements vscode.Disposable {
  private readonly ctrl = vscode.comments.createCommentController(PROMPT_CONTROLLER, 'Spark Edit');
  private open?: {
    thread: vscode.CommentThread;
    resolve: (s: string | undefined) => void;
    target: PromptTarget;
    reveal: vscode.Disposable;
    /** The box's input (a document of scheme `comment`), once it has the keyboard. */
    input?: vscode.TextDocument;
  };
  private readonly disposables: vscode.Disposable[] = [];
  /** The box whose Enter is on its way (sparkEdit.inlinePrompt.enter waits for the keys typed before it). */
  private entering: vscode.CommentThread | undefined;
  private readonly cancelled = new vscode.EventEmitter<vscode.TextDocument>();
  /**
   * The box was cancelled by Esc (in it, or in the code while it opened): its lines' selection is back, and the next
   * Ctrl+Backspace would be the editor's, deleting it (session 12: a person pressed Esc right after Enter, which
   * cancelled the box before the instruction went, then Ctrl+Backspace to reject: the function was deleted).
   */
  readonly onDidCancelByEsc = this.cancelled.event;
  private readonly escClosing = new vscode.EventEmitter<vscode.TextDocument>();
  /**
   * Esc in a box already sent, still drawn while it closes, once its edit has started: for that edit (Esc 150 ms after
   * Enter went to the closing box, which had nothing left to cancel, and the edit wrote on).
   */
  readonly onDidEscInClosingBox = this.escClosing.event;
  /** The document of the box last sent (what an Esc in it while it closes is about). */
  private lastSent: vscode.TextDocument | undefined;
  /**
   * The instruction sent from the box, until the code has the keyboard again (SENDING); whether Esc came before its
   * edit started (escapeSent), and whether it started (takeSent).
   */
  private sent: { doc: vscode.TextDocument; escaped: boolean; started: boolean } | undefined;
  /** Cancels the picker shown now (one prompt at a time). */
  private cancelPicker?: () => void;

  constructor(
    private readonly recent: PromptHistory,
    private readonly log: (m: string) => void = () => undefined,
  ) {
    this.ctrl.options = {
      prompt: 'Tell Spark Edit what to change (Enter to send, Esc to cancel)',
      placeHolder:
        'e.g. add error handling, rename a to b — ↑ recent instructions, Ctrl+Space refactors, "/deep …" for the deep model',
    };
    this.disposables.push(
      this.ctrl,
      this.cancelled,
      this.escClosing,
      // From the editing comment's Send (or Enter): the comment, its body now what was typed.
      vscode.commands.registerCommand('sparkEdit.inlinePrompt.submit', (c?: vscode.Comment) =>
        this.finish(this.open?.thread, c ? (typeof c.body === 'string' ? c.body : c.body.value) : undefined),
      ),
      // Enter in the box: through the extension host, after the characters typed before it (they may still pass
      // through the `type` override, EarlyKeys: one ordered channel), then VS Code's own submit.
      registerKeyCommand('sparkEdit.inlinePrompt.enter', async () => {
        const o = this.open;
        this.entering = o?.thread;
        // From this Enter on, Esc is for the edit it sends: set before the box's submit blurs it (an Esc in between
        // went nowhere, session 13). And keys typed after it are for the code, not the box (which lost them).
        if (o && o.target.redirect === undefined) this.sending(o.target.editor.document);
        // The box's text is read here (its input is a document the extension host has, in order with this Enter):
        // VS Code's submit was one more round trip, and it took the box's editor away before the first edit. As it
        // was at this Enter when no typed character is on its way to it: a Backspace or an arrow pressed right after
        // Enter edited the instruction before it was read (session 15, a newcomer: "use cons" sent).
        const input = vscode.window.activeTextEditor?.document;
        const ours = !!o && !!input && input === o.input && !input.isClosed;
        const atEnter = ours && o?.target.keys?.idle !== false ? input!.getText() : undefined;
        o?.target.keys?.toCode();
        await this.open?.target.keys?.settled();
        const text = atEnter ?? (ours && !input!.isClosed ? input!.getText() : '');
        if (o && this.open === o && text.trim()) return this.finish(o.thread, text);
        await vscode.commands.executeCommand('editor.action.submitComment');
        // Nothing sent (the box stays open): Esc is the box's again (a later one must not stop its next Enter).
        if (o && this.open === o) {
          if (this.sent?.doc === o.target.editor.document && !this.sent.started) this.sending(undefined);
          o.target.keys?.backToBox(); // and the keys typed since go into it, as before the Enter
        }
      }),
      registerKeyCommand('sparkEdit.inlinePrompt.cancel', () => this.cancelByEsc()),
      vscode.commands.registerCommand('sparkEdit.inlinePrompt.pick', async () => {
        const o = this.open;
        if (!o) return;
        const text = await this.pick(o.target);
        if (text !== undefined && this.open === o) this.finish(o.thread, text);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.open && d === this.open.target.editor.document) this.finish(this.open.thread, undefined);
      }),
    );
  }

  /** Its recent instructions read first: they are on disk (global storage) and survive a stopped server. */
  static async create(
    context: Pick<vscode.ExtensionContext, 'globalState' | 'globalStorageUri'>,
    log: (m: string) => void,
  ): Promise<InlinePrompt> {
    return new InlinePrompt(await PromptHistory.load(context.globalState, context.globalStorageUri, log), log);
  }

  /**
   * Esc pressed in the code while the box at `doc` opens (issue 11: it takes ~250 ms and a round trip to get the
   * keyboard; the code has it meanwhile): cancel the box, never act on the code. True when there was one to cancel.
   */
  cancelOpenFor(doc: vscode.TextDocument): boolean {
    if (this.open?.target.editor.document !== doc) return false;
    this.log('prompt: Esc before the box had the keyboard: the box is cancelled, the code is left as it is');
    this.cancelByEsc();
    return true;
  }

  /**
   * Esc after the box sent its instruction, before its edit started: the edit is not started (takeSent says so). True
   * when there was such an instruction.
   */
  escapeSent(): boolean {
    const s = this.sent;
    if (s?.started) this.escClosing.fire(s.doc); // for its edit: it stops
    if (!s || s.escaped || s.started) return !!s;
    s.escaped = true;
    this.log('prompt: Esc right after the instruction was sent, before its edit started: it is not started');
    this.cancelled.fire(s.doc); // nothing pending: Ctrl+Backspace says so, never deletes the lines (emptyStopGuard.ts)
    void vscode.window.showInformationMessage(
      'Spark Edit: stopped (Esc) before the edit started. Your code is as it was.',
    );
    return true;
  }

  /** An instruction for `doc` is on its way (SENDING set; kept if it is already: an Esc may have come), or none. */
  private sending(doc: vscode.TextDocument | undefined) {
    if (doc && this.sent?.doc === doc && !this.sent.started) return;
    this.sent = doc && { doc, escaped: false, started: false };
    void Promise.resolve(vscode.commands.executeCommand('setContext', SENDING, !!doc)).then(undefined, () => 0);
  }

  /** The edit of the instruction sent for `doc` starts now (or never): whether Esc came first (see escapeSent). */
  takeSent(doc: vscode.TextDocument): boolean {
    const s = this.sent;
    if (s?.doc !== doc || s.started) return false;
    s.started = true;
    // Esc stays for this edit until the code has the keyboard back (at most SENDING_MS).
    const end = () => {
      focus.dispose();
      clearTimeout(timer);
      if (this.sent !== s) return;
      this.sent = undefined;
      void Promise.resolve(vscode.commands.executeCommand('setContext', SENDING, false)).then(undefined, () => 0);
    };
    const focus = vscode.window.onDidChangeActiveTextEditor((ed) => ed?.document === doc && end());
    const timer = setTimeout(end, SENDING_MS);
    if (vscode.window.activeTextEditor?.document === doc) end();
    return s.escaped;
  }

  /** Esc: the box is cancelled. One that came while its Enter was on its way says so: nothing was sent. */
  private cancelByEsc() {
    const o = this.open;
    if (!o) {
      // The box is still drawn, its instruction sent: Esc is for it, or for its edit once started.
      if (!this.escapeSent() && this.lastSent) this.escClosing.fire(this.lastSent);
      return;
    }
    const afterEnter = this.entering === o.thread;
    this.finish(o.thread, undefined);
    this.cancelled.fire(o.target.editor.document);
    if (!afterEnter) return;
    this.log('prompt: Esc came right after Enter, before the instruction was sent: nothing was sent');
    void vscode.window.showInformationMessage(
      'Spark Edit: the instruction was not sent: Esc came right after Enter, so the box was cancelled. Your code is as it was.',
    );
  }

  /** The box at the code is open. */
  get isOpen(): boolean {
    return !!this.open;
  }

  /** The code the open box is about (its lines), '' when none is open. */
  code(): string {
    return this.open ? targetCode(this.open.target) : '';
  }

  history(): string[] {
    return this.recent.get();
  }

  private remember(text: string) {
    void this.recent.remember(text);
  }

  /** The instruction for these lines: from the box at the code, or from the picker (`quickInput`). */
  ask(target: PromptTarget, style: 'inline' | 'quickInput'): Promise<string | undefined> {
    if (style === 'quickInput')
      // Remembered once the picker is gone (it closes with the first document edit): the write (a message to the
      // workbench) no longer goes out ahead of the first change (issue 17).
      return this.pick(target, (sent) => {
        if (sent?.trim()) this.remember(sent);
      });
    if (this.open) this.finish(this.open.thread, undefined); // one prompt at a time
    const doc = target.editor.document;
    const range = new vscode.Range(target.startLine, 0, target.endLine, doc.lineAt(target.endLine).text.length);
    // One comment in edit mode: its editor is the input. The thread starts collapsed and opens once VS Code has
    // made its widget, because only that transition moves the keyboard focus into an editing comment (a reply box
    // shown with the thread is focused before it is laid out, so the keys would go on to the code).
    const comment: vscode.Comment = {
      body: '',
      mode: vscode.CommentMode.Editing,
      author: { name: 'Instruction' },
      contextValue: 'sparkEditPrompt',
    };
    const thread = this.ctrl.createCommentThread(doc.uri, range, [comment]);
    thread.canReply = false;
    thread.contextValue = 'sparkEditPrompt';
    thread.label =
      target.redirect !== undefined
        ? `Spark Edit: redirect this edit (was: ${target.redirect}) (Enter to send, Esc to cancel)`
        : `Spark Edit${target.deep ? ' (deep)' : ''}: edit ${describe(target)} (Enter to send, Esc to cancel)`;
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Collapsed;
    // A round trip to the workbench first (the thread's creation is then there), then a little time to make its widget.
    // `sparkEdit.promptOpen`: the box at the code is open (false again when it closes: finish).
    void Promise.resolve(vscode.commands.executeCommand('setContext', PROMPT_OPEN, true)).then(() =>
      setTimeout(() => {
        if (this.open?.thread === thread) thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
      }, 250),
    );
    // The whole box in view (issue 15: Send/Cancel were cut off at the editor's bottom edge): once the box has the
    // keyboard (its input is the active text editor, so it is laid out), the line below it is revealed.
    const reveal = vscode.window.onDidChangeActiveTextEditor((ed) => {
      if (ed?.document.uri.scheme !== 'comment' || this.open?.thread !== thread) return;
      reveal.dispose();
      this.open.input = ed.document;
      // The box's input is a Markdown document (VS Code names it commentinput-….md), so Ctrl+Space offered VS Code's
      // Markdown snippets (bold, code block, heading…) among ours: this one document becomes plain text (the user's
      // Markdown files are left as they are).
      void Promise.resolve(vscode.languages.setTextDocumentLanguage(ed.document, 'plaintext')).then(undefined, (e) =>
        this.log(`prompt: the box stays Markdown (${String(e)})`),
      );
      revealBox(target);
      target.keys?.intoBox();
      target.onFocused?.();
    });
    return new Promise((resolve) => {
      this.open = { thread, resolve, target, reveal };
    });
  }

  private finish(thread: vscode.CommentThread | undefined, text: string | undefined) {
    const o = this.open;
    if (!o || (thread && thread !== o.thread)) {
      thread?.dispose();
      return;
    }
    this.open = undefined;
    if (this.entering === o.thread) this.entering = undefined;
    void Promise.resolve(vscode.commands.executeCommand('setContext', PROMPT_OPEN, false)).then(undefined, () => 0);
    if (text?.trim()) this.lastSent = o.target.editor.document;
    if (text?.trim() && o.target.redirect === undefined) this.sending(o.target.editor.document);
    else if (this.sent && !this.sent.started) this.sending(undefined); // its Enter sent nothing (cancelled, empty)
    o.reveal.dispose();
    // While the box still has the keyboard, the code is made writable again: keys typed after Enter / Esc reach it.
    // The keyboard goes back to the code (the box had it): Esc, Ctrl+Enter and typing act on the edit again. Then the
    // box goes: disposed first, it took the keyboard with it, and until the code had it keys went nowhere (session 13,
    // the browser: one of four characters typed right after Enter lost, an Esc at 150 ms ignored). Not if another
    // editor took it meanwhile (a click).
    let back: Promise<unknown> | undefined;
    const focus = () => {
      if (back) return;
      const ed = o.target.editor;
      const active = vscode.window.activeTextEditor?.document;
      const elsewhere = !!o.input && !!active && active !== o.input && active !== ed.document;
      back =
        ed.document.isClosed || elsewhere
          ? Promise.resolve()
          : Promise.resolve(
              // The box's own group (the usual case): the workbench's focus command, not showTextDocument, which
              // goes through opening the editor again (felt, 4 interleaved pairs of 10 edits at load 2–6: first
              // change 70–82 vs 81–108 ms p50, first usable Accept 112–152 vs 137–173, session 16).
              vscode.window.tabGroups.activeTabGroup.viewColumn === ed.viewColumn && activeTabShows(ed.document)
                ? vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup')
                : vscode.window.showTextDocument(ed.document, { viewColumn: ed.viewColumn, preserveFocus: false }),
            ).then(undefined, () => undefined);
    };
    const close = () => {
      focus();
      void back!.then(() => o.thread.dispose());
      if (sent) this.remember(sent);
    };
    const sent = text?.trim() ? text.trim() : undefined;
    const go = () => {
      if (sent && o.target.closeLater) {
        // Issue 17: the keyboard comes back right behind the first edit, in the tick it is sent, at most 30 ms from
        // here (PromptClose), and the box goes once the first hunk's controls have landed (at most 150 ms): its zone
        // leaving is work for the workbench, and done before them the title's ✓ waited for it. Characters typed into
        // it meanwhile go to the code (toCode). The return is work for the workbench too (its blur, focus and context
        // keys: ≈ 20–30 ms on 2 cores). Session 18, interleaved felt runs (p50): made right here, before the request,
        // the first edit waited behind it (first change 65 / 71 ms); once the first edit had landed, the title's ✓
        // did (✓ 118 / 131 ms, first change 45 / 52); right behind the first edit (the edit drawn first, the return's
        // work done before the first hunk): first change 52 / 52 vs 55 / 55, ✓ 110 / 112 vs 129 / 131 once landed
        // (two A/Bs, 4 and 3 runs a side). Not later: the extension host cannot tell whether the box still has the
        // keyboard (its input stays the active text editor when Quick Open takes it), and a return made after a
        // Ctrl+P took it from Quick Open, whose keys then went into the code (session 15, a newcomer, 4 of 4 with the
        // return at the first hunk; the browser step, CI 51, with the return at the first edit but 300 ms after
        // Enter).
        o.target.closeLater(focus, 'out');
        o.resolve(sent);
        o.target.closeLater(close, 'hunk');
        return;
      }
      o.resolve(sent);
      close();
    };
    void Promise.resolve(o.target.beforeClose?.(!!sent)).then(go, go);
  }

  /** The picker: what is typed is the instruction; ↑/↓ go through the recent instructions and the refactors. */
  private async pick(target: PromptTarget, onHidden?: (sent?: string) => void): Promise<string | undefined> {
    if (target.keys?.replaced) return undefined; // a later Ctrl+I took over while this one was on its way
    this.cancelPicker?.(); // one prompt at a time (issue 15: a quick Ctrl+I, Esc, Ctrl+I)
    await target.keys?.stopHolding(); // every key the keybindings held is in `pending` now (EarlyKeys)
    if (target.keys?.replaced) return undefined;
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { instruction?: string }>();
    qp.title = `Spark Edit${target.deep ? ': Deep Edit' : ''}`;
    qp.placeholder = `Edit ${describe(target)}: type an instruction, or pick a recent one or a refactor`;
    qp.ignoreFocusOut = true;
    qp.matchOnDetail = true;
    const fixed = this.pickerItems(targetCode(target));
    const typed = (v: string) => ({ label: v, description: 'send this instruction', instruction: v, alwaysShow: true });
    qp.items = fixed;
    // The instruction is the extension host's account of the keys (PickerText), never the input's value: the keys
    // typed into the code before the picker had the keyboard arrive here, the later ones in the input (two writers).
    const text = new PickerText();
    const held = target.keys?.pending ?? '';
    return new Promise((resolve) => {
      let done = false;
      let hidden = false;
      let sent: string | undefined;
      const hide = () => {
        if (!hidden) qp.hide();
        hidden = true;
      };
      let writes = 0;
      let late = 0;
      const send = (t: string | undefined) => {
        if (done) return;
        done = true;
        this.log(
          `prompt: picker ${t === undefined ? 'cancelled' : 'sent'}: ${held.length} key(s) typed into the code before ` +
            `it showed, ${late} after, ${writes} write(s) of the keys into it`,
        );
        if (this.cancelPicker === cancel) this.cancelPicker = undefined;
        sent = t;
        resolve(t);
        if (t?.trim() && target.closeLater) target.closeLater(hide);
        else hide();
      };
      const cancel = () => send(undefined);
      this.cancelPicker = cancel;
      /** The input lacks keys of the account: written whole, marked first (see PickerText). */
      const write = () => {
        const w = !done && text.toWrite();
        if (!w) return;
        writes++;
        qp.value = w[0];
        setTimeout(() => done || (qp.value = w[1]), 0); // a second update, after the first is sent
      };
      const fromCode = (keys: string) => {
        text.late(keys);
        const entered = text.entered; // an Enter typed into the code: what was typed before it is the instruction
        if (entered?.trim()) return send(entered.trim());
        write();
      };
      qp.onDidChangeValue((v) => {
        text.changed(v);
        qp.items = text.text.trim() ? [typed(text.text), ...fixed] : fixed;
        write();
      });
      qp.onDidAccept(() => send(chosen(qp.selectedItems[0] ?? qp.activeItems[0], text.text)));
      qp.onDidHide(() => {
        hidden = true; // Esc in the moment before it closes with the first edit: closed, nothing left to do
        send(undefined);
        qp.dispose();
        onHidden?.(sent);
      });
      // Keys typed into the code before the picker shows, then those that reach the extension host after it.
      target.keys?.toPicker((k) => {
        late += k.length;
        fromCode(k);
      });
      qp.show();
      // The workbench focuses the picker's input while it shows it (QuickInputController.show, in the same task as
      // this $createOrUpdate), and handles what is sent from here after it in order: the code can take typing again
      // now (TypingLock), so the first edit after Enter has nothing to wait for (issue 17).
      target.onFocused?.();
      if (held) fromCode(held);
    });
  }

  private pickerItems(code: string): Array<vscode.QuickPickItem & { instruction?: string }> {
    return [
      ...(this.history().length ? [{ label: 'Recent', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...this.history().map((h) => ({ label: h, instruction: h, iconPath: new vscode.ThemeIcon('history') })),
      { label: 'Refactors', kind: vscode.QuickPickItemKind.Separator },
      ...boxRefactors(code).map((r) => ({
        label: r.title,
        detail: r.instruction,
        instruction: r.instruction,
        iconPath: new vscode.ThemeIcon('lightbulb'),
      })),
    ];
  }

  dispose() {
    if (this.open) this.finish(this.open.thread, undefined);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * What Enter sends. Typed text wins over a highlighted item unless the item is what was typed or what it starts
 * (the typed-text item comes back from the extension host a moment after the keys; Enter pressed before that must
 * not send whichever refactor the picker's own filter happened to highlight).
 */
export function chosen(item: { label: string; instruction?: string } | undefined, value: string): string | undefined {
  const typed = value.trim();
  if (!typed) return item?.instruction;
  if (item?.instruction && item.label.toLowerCase().startsWith(typed.toLowerCase())) return item.instruction;
  return typed;
}

function targetCode(t: PromptTarget): string {
  const doc = t.editor.document;
  if (doc.isClosed) return '';
  return doc.getText(new vscode.Range(t.startLine, 0, t.endLine, doc.lineAt(t.endLine).text.length));
}

function describe(t: PromptTarget): string {
  const n = t.endLine - t.startLine + 1;
  const where = `${n} line${n === 1 ? '' : 's'} of ${vscode.workspace.asRelativePath(t.editor.document.uri)}`;
  return t.noSelection ? `${where} (around the cursor) — or "/file …" for the whole file` : where;
}

/** The line after the box's lines at the bottom of the view at most (the box sits between them), else its first at the top. */
function revealBox(t: PromptTarget) {
  const doc = t.editor.document;
  if (doc.isClosed) return;
  if (t.endLine + 1 < doc.lineCount)
    t.editor.revealRange(new vscode.Range(t.endLine + 1, 0, t.endLine + 1, 0), vscode.TextEditorRevealType.Default);
  else t.editor.revealRange(new vscode.Range(t.startLine, 0, t.startLine, 0), vscode.TextEditorRevealType.AtTop);
}
