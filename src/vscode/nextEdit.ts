import * as vscode from 'vscode';
import { registerKeyCommand } from './util/keyCommands';
import { EditHistory } from '../core/nextEdit/history';
import { RequestBudget, Ticket } from '../core/nextEdit/budget';
import {
  NEXT_EDIT_INSTRUCTIONS,
  NextEditSuggestion,
  earlyNextEdit,
  nextEditPrompt,
  nextEditWindow,
  parseNextEdit,
  suggestionFits,
} from '../core/nextEdit/prompt';
import { Connection, ModelConfig, createConnection } from '../core/providers';
import { userMessage } from '../core/protocol/responses';
import { ModelError } from '../core/transport/types';
import { NextEditView } from './nextEditView';

export interface NextEditDeps {
  log(m: string): void;
  /** May this document's content go to a model (workspace trust, the ignore list)? Quiet: no message. */
  allowed(doc: vscode.TextDocument): boolean;
  /** Is a requested edit previewed or streaming in this document? Then no suggestion (and its text is not history). */
  busy(doc: vscode.TextDocument): boolean;
}

/** Pause → shown, per suggestion (the bench reads these). */
export interface NextEditTiming {
  pauseToShownMs: number;
  addedMs: number;
  early: boolean;
}

const CONTEXT_KEY = 'sparkEdit.nextEditVisible';

/**
 * Next-edit suggestions: when the user pauses, ask the fast model (on a socket of its own) for the next edit near
 * the cursor, and show it as decorations (NextEditView). Tab accepts (or first jumps to a suggestion away from the
 * cursor), Esc dismisses, typing dismisses and cancels. Nothing is written to the document before Tab.
 */
export class NextEditController implements vscode.Disposable {
  private conn: Connection | undefined;
  private model = '';
  private readonly budget: RequestBudget;
  /** By document object, not URI: an untitled URI is reused by the next untitled file before the old one is closed. */
  private readonly histories = new Map<vscode.TextDocument, EditHistory>();
  private readonly view = new NextEditView();
  private readonly status = vscode.window.createStatusBarItem(
    'sparkEdit.nextEdit',
    vscode.StatusBarAlignment.Right,
    99,
  );
  private readonly subs: vscode.Disposable[] = [];
  private current: { ed: vscode.TextEditor; s: NextEditSuggestion; version: number; jumped: boolean } | undefined;
  private applying = false;
  private lastChangeAt = 0;
  /** Every suggestion shown, newest last (the bench and the tests read them). */
  readonly timings: NextEditTiming[] = [];
  /** Suggestions that arrived stale (the document or the cursor moved on) and were never shown. */
  staleDropped = 0;
  private readonly shownEmitter = new vscode.EventEmitter<NextEditSuggestion | undefined>();
  /** Fires with the suggestion when one is shown, undefined when it goes away. */
  readonly onDidChange = this.shownEmitter.event;

  constructor(private readonly deps: NextEditDeps) {
    this.budget = new RequestBudget(readNextEditSettings().debounceMs);
    this.status.name = 'Spark Edit next-edit suggestions';
    this.status.command = 'sparkEdit.nextEdit.toggle';
    this.renderStatus();
    this.status.show();
    const reg = (id: string, fn: () => unknown) => this.subs.push(registerKeyCommand(id, fn));
    reg('sparkEdit.nextEdit.accept', () => this.accept());
    reg('sparkEdit.nextEdit.dismiss', () => this.dismiss(true));
    reg('sparkEdit.nextEdit.toggle', () =>
      vscode.workspace
        .getConfiguration('sparkEdit')
        .update('nextEdit.enabled', !this.enabled, vscode.ConfigurationTarget.Global),
    );
    this.subs.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.window.onDidChangeActiveTextEditor((ed) => {
        this.dismiss(true);
        if (ed) this.historyOf(ed.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.histories.delete(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('sparkEdit.nextEdit')) return;
        const was = this.enabled;
        this.settings = readNextEditSettings();
        this.budget.setDebounce(this.settings.debounceMs);
        if (!this.enabled) this.dismiss(true);
        if (this.enabled && !was) {
          // start the histories from the text as it is now
          this.histories.clear();
          for (const ed of vscode.window.visibleTextEditors) this.historyOf(ed.document);
        }
        this.renderStatus();
        void this.conn?.socket?.connect().catch(() => undefined);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.renderStatus()),
    );
    for (const ed of vscode.window.visibleTextEditors) this.historyOf(ed.document);
  }

  private settings = readNextEditSettings();
  get enabled(): boolean {
    return this.settings.enabled;
  }
  get visible(): NextEditSuggestion | undefined {
    return this.current?.s;
  }
  get debounce(): number {
    return this.budget.debounce;
  }
  get requestsStarted(): number {
    return this.budget.started;
  }
  get requestsCancelled(): number {
    return this.budget.cancelled;
  }
  /** The next-edit socket (a second ResponsesSocketTransport, apart from the edits' warm socket). */
  get connection(): Connection | undefined {
    return this.conn;
  }

  /** A connection of its own to the fast model: a cancelled suggestion closes this socket, never the edits' one. */
  setConfig(config: ModelConfig | undefined) {
    this.dismiss(true);
    this.conn?.transport.dispose();
    this.conn = config ? createConnection({ ...config, log: (m) => this.deps.log(`next edit: ${m}`) }) : undefined;
    this.model = config?.model ?? '';
    if (this.enabled) void this.conn?.socket?.connect().catch(() => undefined);
  }

  private historyOf(doc: vscode.TextDocument): EditHistory {
    let h = this.histories.get(doc);
    if (!h) {
      h = new EditHistory(doc.getText());
      this.histories.set(doc, h);
    }
    return h;
  }

  private onChange(e: vscode.TextDocumentChangeEvent) {
    // Off: no work at all per keystroke (or per frame of a streaming edit).
    if (this.applying || !e.contentChanges.length || !this.settings.enabled) return;
    const ed = vscode.window.activeTextEditor;
    if (ed?.document !== e.document) return;
    // Typing dismisses the suggestion and cancels the request; the pause that follows asks again.
    this.dismiss(true);
    // A requested edit's text is not the user's: forget the history (cheap per streamed frame); it starts again after.
    if (this.deps.busy(e.document)) {
      this.histories.delete(e.document);
      return;
    }
    this.historyOf(e.document);
    this.lastChangeAt = performance.now();
    this.budget.schedule((t) => this.request(ed, t));
  }

  private request(ed: vscode.TextEditor, ticket: Ticket): { cancel: () => void; done: Promise<unknown> } | undefined {
    const doc = ed.document;
    const conn = this.conn;
    if (
      !conn ||
      !this.enabled ||
      ed !== vscode.window.activeTextEditor ||
      doc.isClosed ||
      this.deps.busy(doc) ||
      !this.deps.allowed(doc)
    )
      return undefined;
    const t0 = performance.now();
    const h = this.historyOf(doc);
    h.record(doc.getText());
    if (h.isEmpty) return undefined;
    const lines = linesOf(doc);
    const cursor = ed.selection.active.line;
    const win = nextEditWindow(lines, cursor);
    const prompt = nextEditPrompt(
      {
        path: vscode.workspace.asRelativePath(doc.uri, false),
        languageId: doc.languageId,
        history: h.diffs(),
        lines,
        cursorLine: cursor,
      },
      win,
    );
    const version = doc.version;
    this.deps.log(`next edit: asking for line ${cursor + 1} (document version ${version})`);
    const pauseAt = this.lastChangeAt || t0;
    let own = 0; // Spark Edit's own time: building the request, reading the deltas, drawing
    let buf = '';
    let shown = false;
    const offer = (s: NextEditSuggestion, early: boolean, t: number) => {
      shown = this.offer(ed, s, ticket, version);
      if (shown)
        this.timings.push({
          pauseToShownMs: performance.now() - pauseAt,
          addedMs: own + (performance.now() - t),
          early,
        });
    };
    const stream = conn.transport.stream(
      { model: this.model, instructions: NEXT_EDIT_INSTRUCTIONS, input: [userMessage(prompt)], maxOutputTokens: 2048 },
      {
        onDelta: (d) => {
          if (shown || ticket.stale) return;
          const t = performance.now();
          buf += d;
          if (d.includes('\n')) {
            const s = earlyNextEdit(buf.split('\n').slice(0, -1), win, cursor);
            if (s) return offer(s, true, t);
          }
          own += performance.now() - t;
        },
      },
    );
    own += performance.now() - t0;
    const done = stream.done.then(
      (r) => {
        const t = performance.now();
        if (shown || ticket.stale) return;
        if (r.stop.kind !== 'end') {
          this.deps.log(`next edit: no suggestion (the model stopped: ${r.stop.kind})`);
          return;
        }
        const s = parseNextEdit(r.text, win, cursor);
        if (s) offer(s, false, t);
        else this.deps.log('next edit: no edit follows');
      },
      (e: unknown) => {
        if (!(e instanceof ModelError && e.kind === 'cancelled')) this.deps.log(`next edit: ${(e as Error).message}`);
      },
    );
    return { cancel: () => stream.cancel(), done };
  }

  /** Show a suggestion, unless it is stale: a newer pause, typing, another editor, or text that moved. */
  private offer(ed: vscode.TextEditor, s: NextEditSuggestion, ticket: Ticket, version: number): boolean {
    if (
      ticket.stale ||
      ed !== vscode.window.activeTextEditor ||
      ed.document.version !== version ||
      !suggestionFits(s, linesOf(ed.document))
    ) {
      this.staleDropped++;
      this.deps.log('next edit: a stale answer was dropped');
      return false;
    }
    this.current = { ed, s, version, jumped: false };
    this.view.show(ed, s, near(ed, s));
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
    // As VS Code does for inline suggestions (quickSuggestions "offWhenInlineCompletions"): the word-suggest popup
    // does not stay open over a next edit, so the next Tab is the suggestion's. Typing brings the popup back.
    void vscode.commands.executeCommand('hideSuggestWidget');
    this.shownEmitter.fire(s);
    return true;
  }

  /** Esc, typing, another editor: the suggestion goes away; `cancel` also stops the request in flight. */
  dismiss(cancel: boolean) {
    if (cancel) this.budget.cancel();
    if (!this.current) return;
    this.current = undefined;
    this.view.clear();
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
    this.shownEmitter.fire(undefined);
  }

  /** Tab: away from the cursor, jump to the suggestion first; at it, apply it as one undoable edit. */
  async accept(): Promise<boolean> {
    const c = this.current;
    const ed = vscode.window.activeTextEditor;
    if (!c || !ed || ed !== c.ed) {
      this.dismiss(true);
      return false;
    }
    const doc = ed.document;
    if (doc.version !== c.version || !suggestionFits(c.s, linesOf(doc))) {
      this.dismiss(true);
      return false;
    }
    if (!c.jumped && !near(ed, c.s)) {
      c.jumped = true;
      const at = new vscode.Position(
        c.s.start,
        doc.lineAt(Math.min(c.s.start, doc.lineCount - 1)).firstNonWhitespaceCharacterIndex,
      );
      ed.selection = new vscode.Selection(at, at);
      ed.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      this.view.show(ed, c.s, true);
      return true;
    }
    this.dismiss(true);
    const { range, text } = replacement(doc, c.s);
    this.applying = true;
    let ok = false;
    try {
      ok = await ed.edit((b) => b.replace(range, text), { undoStopBefore: true, undoStopAfter: true });
    } finally {
      this.applying = false;
    }
    if (!ok) return false;
    const endLine = Math.min(doc.lineCount - 1, c.s.start + Math.max(1, c.s.newLines.length) - 1);
    const end = doc.lineAt(endLine).range.end;
    ed.selection = new vscode.Selection(end, end);
    this.historyOf(doc).record(doc.getText());
    // The next suggestion may follow at once (a rename flows down the file with Tab, Tab, Tab).
    this.lastChangeAt = performance.now();
    if (this.enabled) this.budget.schedule((t) => this.request(ed, t), 0);
    return true;
  }

  private renderStatus() {
    const on = this.enabled;
    this.status.text = on ? '$(sparkle) Next edit' : '$(circle-slash) Next edit';
    this.status.tooltip = on
      ? `Spark Edit next-edit suggestions are on: when you pause, the code around the cursor and your recent edits go to the fast model${vscode.workspace.isTrusted ? '' : ' (not in this untrusted workspace: Restricted Mode)'}. Click to turn off.`
      : 'Spark Edit next-edit suggestions are off. Click to turn on.';
  }

  dispose() {
    this.budget.dispose();
    this.conn?.transport.dispose();
    this.view.dispose();
    this.status.dispose();
    this.shownEmitter.dispose();
    for (const s of this.subs) s.dispose();
  }
}

export function readNextEditSettings(): { enabled: boolean; debounceMs: number } {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  // On only by the user's own choice: a repository's settings cannot make code go out on every pause.
  const enabled = c.inspect<boolean>('nextEdit.enabled')?.globalValue === true;
  const d = c.get<number>('nextEdit.debounceMs', 100);
  return { enabled, debounceMs: typeof d === 'number' && Number.isFinite(d) ? Math.min(2000, Math.max(0, d)) : 100 };
}

const linesOf = (doc: vscode.TextDocument) => Array.from({ length: doc.lineCount }, (_, i) => doc.lineAt(i).text);

/** Is the cursor on the suggestion (or the line next to it)? Then Tab accepts at once. */
function near(ed: vscode.TextEditor, s: NextEditSuggestion): boolean {
  const l = ed.selection.active.line;
  return l >= s.start - 1 && l <= s.start + Math.max(1, s.oldLines.length);
}

/** The document range the suggestion replaces and its new text (whole lines; an insertion goes before `start`). */
function replacement(doc: vscode.TextDocument, s: NextEditSuggestion): { range: vscode.Range; text: string } {
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  if (!s.oldLines.length) {
    if (s.start >= doc.lineCount) {
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      return { range: new vscode.Range(end, end), text: eol + s.newLines.join(eol) };
    }
    const at = new vscode.Position(s.start, 0);
    return { range: new vscode.Range(at, at), text: s.newLines.join(eol) + eol };
  }
  const last = s.start + s.oldLines.length - 1;
  if (!s.newLines.length) {
    const range =
      last + 1 < doc.lineCount
        ? new vscode.Range(s.start, 0, last + 1, 0)
        : new vscode.Range(
            s.start === 0 ? new vscode.Position(0, 0) : doc.lineAt(s.start - 1).range.end,
            doc.lineAt(last).range.end,
          );
    return { range, text: '' };
  }
  return { range: new vscode.Range(s.start, 0, last, doc.lineAt(last).text.length), text: s.newLines.join(eol) };
}
