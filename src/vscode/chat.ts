import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import {
  CHAT_INSTRUCTIONS,
  ChatContext,
  ChatMessage,
  ChatMode,
  ChipKind,
  ContextChip,
  HostToWebview,
  WebviewToHost,
  chatPrompt,
  parseWebviewMessage,
} from '../core/chat/protocol';
import { ModelsInUse, modelDetails, shortModelName } from '../core/modelLabels';
import { assistantMessage, userMessage } from '../core/protocol/responses';
import { ActiveStream, ModelError, ModelTransport, describeStop } from '../core/transport/types';
import { selectedLines } from './editTargets';
import { walkthroughStepDone } from './walkthroughProgress';

export interface ChatDeps {
  model(mode: ChatMode): { transport: ModelTransport; model: string } | undefined;
  /** The models in use (the live connections) and their change event: the badge follows them. */
  models(): ModelsInUse;
  onDidChangeModels: vscode.Event<ModelsInUse>;
  log(m: string): void;
  /** Scrub keys from server text before it is shown or stored. */
  redact(text: string): string;
  /** May this document's content go to a model (trusted workspace, not on the ignore list)? */
  allowed(doc: vscode.TextDocument): boolean;
  /** Apply a code block through the inline diff preview; returns what happened, for the chat to say. */
  apply(
    code: string,
    language: string,
    path: string | undefined,
    editor: vscode.TextEditor | undefined,
  ): Promise<string>;
}

const HISTORY_KEY = 'sparkEdit.chat.history';
const MAX_HISTORY = 200;
/** A chat answer longer than this is stopped (what arrived is kept), so a runaway stream cannot flood the view. */
export const MAX_CHAT_ANSWER_CHARS = 1_000_000;
const FRAME_MS = 16;

/**
 * The side-panel chat (a webview view). Strict CSP with a nonce, scripts and styles only from media/,
 * a typed message protocol with a ready handshake; model output is rendered as sanitised Markdown in the
 * webview and never runs. History is kept per workspace.
 */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'sparkEdit.chat';
  private view?: vscode.WebviewView;
  private ready = false;
  private outbox: HostToWebview[] = [];
  private history: ChatMessage[];
  private mode: ChatMode = 'fast';
  private current: { stream: ActiveStream; id: string; text: string } | null = null;
  private pendingDelta: { id: string; text: string } | null = null;
  private deltaTimer: NodeJS.Timeout | undefined;
  private lastEditor: vscode.TextEditor | undefined;
  private chipTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly waiters: Array<() => void> = [];
  /** Every message posted to the webview (for tests). */
  readonly posted: HostToWebview[] = [];

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly deps: ChatDeps,
  ) {
    this.history = ctx.workspaceState
      .get<ChatMessage[]>(HISTORY_KEY, [])
      .filter((m) => m && typeof m.text === 'string')
      .slice(-MAX_HISTORY);
    this.lastEditor = vscode.window.activeTextEditor;
    const refresh = () => {
      clearTimeout(this.chipTimer);
      this.chipTimer = setTimeout(() => this.post({ type: 'chips', chips: this.chips() }), 150);
    };
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // Not an input box (the instruction box at the code is a `comment:` document): the code stays the context.
        if (e && e.document.uri.scheme !== 'comment') this.lastEditor = e;
        refresh();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === this.lastEditor) refresh();
      }),
      vscode.languages.onDidChangeDiagnostics(() => refresh()),
      deps.onDidChangeModels((m) => this.post(modelsMessage(m))),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }
  get messages(): readonly ChatMessage[] {
    return this.history;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.ctx.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = this.html(view.webview, media);
    // The walkthrough's chat step: its `onView:` event is heard only once the walkthrough was opened.
    walkthroughStepDone('chat');
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw) => {
        void this.receive(raw);
      }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
      }),
    );
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'chat.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}"><title>Spark Edit Chat</title></head>
<body><div id="spark-chat"></div><script nonce="${nonce}" src="${script}"></script></body></html>`;
  }

  private post(m: HostToWebview) {
    this.posted.push(m);
    if (this.posted.length > 2000) this.posted.splice(0, 1000);
    if (!this.view || !this.ready) {
      if (m.type !== 'chips') this.outbox.push(m);
      return;
    }
    void this.view.webview.postMessage(m);
  }

  /** Resolves once the webview has said it is ready. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  /** A message from the webview (also how tests drive the chat): validated, then handled. */
  async receive(raw: unknown): Promise<void> {
    const m = parseWebviewMessage(raw);
    if (!m) {
      this.deps.log('chat: dropped a malformed message from the webview');
      return;
    }
    await this.onMessage(m);
  }

  private async onMessage(m: WebviewToHost) {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.outbox = [];
        void this.view?.webview.postMessage({
          type: 'init',
          history: this.history,
          chips: this.chips(),
          mode: this.mode,
          demo: this.deps.models().fast.demo,
        } satisfies HostToWebview);
        this.post(modelsMessage(this.deps.models()));
        this.waiters.splice(0).forEach((w) => w());
        return;
      case 'send':
        return this.send(m.text, m.chips, m.mode);
      case 'redirect': {
        const partial = this.current?.text ?? '';
        this.stop();
        return this.send(m.text, m.chips, m.mode, partial);
      }
      case 'stop':
        this.stop();
        return;
      case 'newChat':
        this.stop();
        this.history = [];
        await this.save();
        this.post({ type: 'cleared' });
        return;
      case 'setMode':
        this.mode = m.mode;
        return;
      case 'copy': {
        // In a browser-hosted VS Code the clipboard can be blocked: never wait on it for ever.
        const ok = await Promise.race([
          Promise.resolve(vscode.env.clipboard.writeText(m.code)).then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
        ]);
        this.post(
          ok
            ? { type: 'notice', text: 'Copied to the clipboard.', level: 'info' }
            : {
                type: 'notice',
                text: 'The clipboard is not available here (the browser blocked it): select the code and copy it by hand.',
                level: 'error',
              },
        );
        return;
      }
      case 'insert': {
        const ed = this.lastEditor;
        if (!ed || ed.document.isClosed) {
          this.post({ type: 'notice', text: 'Open a file to insert into.', level: 'error' });
          return;
        }
        const ok = await ed.edit((b) => b.insert(ed.selection.active, m.code));
        this.post({
          type: 'notice',
          text: ok
            ? `Inserted into ${vscode.workspace.asRelativePath(ed.document.uri)}.`
            : 'The file changed meanwhile; try again.',
          level: ok ? 'info' : 'error',
        });
        return;
      }
      case 'apply': {
        try {
          const what = await this.deps.apply(m.code, m.language, m.path, this.lastEditor);
          this.post({ type: 'notice', text: what, level: 'info' });
        } catch (e) {
          this.post({ type: 'notice', text: `Could not apply: ${(e as Error).message}`, level: 'error' });
        }
        return;
      }
    }
  }

  /** The context the user can attach, from the editor they last used. */
  chips(): ContextChip[] {
    const ed = this.lastEditor;
    const chips: ContextChip[] = [];
    if (ed && !ed.document.isClosed) {
      const rel = vscode.workspace.asRelativePath(ed.document.uri);
      chips.push({ id: 'file', label: rel, detail: `${ed.document.lineCount} lines` });
      if (!ed.selection.isEmpty) {
        const l = selectedLines(ed.selection); // lines 26-27 dragged to the start of 28 are 26-27 (round-8 newcomer)
        chips.push({ id: 'selection', label: `${rel}:${l.start + 1}-${l.end + 1}` });
      }
      const diags = vscode.languages
        .getDiagnostics(ed.document.uri)
        .filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
      if (diags.length)
        chips.push({ id: 'diagnostics', label: `${diags.length} problem${diags.length === 1 ? '' : 's'}` });
    }
    const open = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputText).length;
    if (open > 1) chips.push({ id: 'openEditors', label: `${open} open editors` });
    return chips;
  }

  private contextFor(
    kinds: ChipKind[],
    focus?: { uri: vscode.Uri; lines: { start: number; end: number } },
  ): ChatContext[] {
    const out: ChatContext[] = [];
    const ed = focus
      ? (vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === focus.uri.toString()) ??
        this.lastEditor)
      : this.lastEditor;
    if (!ed || ed.document.isClosed) return out;
    const doc = ed.document;
    const rel = vscode.workspace.asRelativePath(doc.uri);
    if (!this.deps.allowed(doc)) {
      this.post({
        type: 'notice',
        text: vscode.workspace.isTrusted
          ? `${rel} is on the ignore list (sparkEdit.ignoredFiles): its content was not attached.`
          : 'This workspace is not trusted: no file content was attached.',
        level: 'info',
      });
      return out;
    }
    const lines = focus?.lines ?? (!ed.selection.isEmpty ? selectedLines(ed.selection) : undefined);
    if ((kinds.includes('selection') || focus) && lines) {
      const text: string[] = [];
      for (let i = lines.start; i <= lines.end && i < doc.lineCount; i++) text.push(doc.lineAt(i).text);
      out.push({ kind: 'selection', label: `${rel}:${lines.start + 1}-${lines.end + 1}`, body: text.join('\n') });
    }
    if (kinds.includes('file')) {
      const text = doc.getText();
      out.push({
        kind: 'file',
        label: rel,
        body: text.length > 60_000 ? text.slice(0, 60_000) + '\n… (truncated)' : text,
      });
    }
    if (kinds.includes('diagnostics')) {
      const diags = vscode.languages
        .getDiagnostics(doc.uri)
        .filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
      out.push({
        kind: 'diagnostics',
        label: `problems in ${rel}`,
        body: diags.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join('\n'),
      });
    }
    if (kinds.includes('openEditors')) {
      const tabs = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .map((t) => (t.input instanceof vscode.TabInputText ? vscode.workspace.asRelativePath(t.input.uri) : undefined))
        .filter(Boolean);
      out.push({ kind: 'openEditors', label: 'open editors', body: tabs.join('\n') });
    }
    return out;
  }

  /** Ask from a command (e.g. Explain): opens the chat and sends with the given code as context. */
  async ask(text: string, focus?: { uri: vscode.Uri; lines: { start: number; end: number } }): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    await Promise.race([this.whenReady(), new Promise((r) => setTimeout(r, 10_000))]);
    await this.send(text, [], this.mode, undefined, focus);
  }

  private async send(
    text: string,
    chips: ChipKind[],
    mode: ChatMode,
    redirectedFrom?: string,
    focus?: { uri: vscode.Uri; lines: { start: number; end: number } },
  ) {
    if (!text.trim()) return;
    if (this.current) this.stop();
    const m = this.deps.model(mode);
    if (!m) {
      this.post({
        type: 'notice',
        text: `The ${mode} model is not configured (see Spark Edit: Show Log).`,
        level: 'error',
      });
      return;
    }
    const context = this.contextFor(chips, focus);
    const user: ChatMessage = { id: newId(), role: 'user', text, mode, context: context.map((c) => c.label) };
    this.history.push(user);
    this.post({ type: 'message', message: user });
    const prior = this.history
      .slice(0, -1)
      .slice(-20)
      .filter((h) => h.text && !h.error);
    // A redirect: the stopped partial answer is already the last assistant message of the history.
    const prompt = chatPrompt(text, context);
    const input = [
      ...prior.map((h) => (h.role === 'user' ? userMessage(h.text) : assistantMessage(h.text))),
      userMessage(
        redirectedFrom !== undefined ? `The user interrupted your answer above. New direction:\n\n${prompt}` : prompt,
      ),
    ];
    const answer: ChatMessage = { id: newId(), role: 'assistant', text: '', mode };
    this.history.push(answer);
    this.post({ type: 'message', message: answer });
    let tooLong = false;
    const stream = m.transport.stream(
      { model: m.model, instructions: CHAT_INSTRUCTIONS, input },
      {
        onDelta: (d) => {
          if (tooLong) return;
          if (answer.text.length + d.length > MAX_CHAT_ANSWER_CHARS) {
            tooLong = true;
            stream.cancel();
            return;
          }
          answer.text += d;
          if (this.current) this.current.text = answer.text;
          this.queueDelta(answer.id, d);
        },
        onRestart: () => {
          answer.text = '';
          this.flushDelta();
          this.post({ type: 'done', id: answer.id, error: 'restarted' });
        },
      },
    );
    this.current = { stream, id: answer.id, text: '' };
    try {
      const r = await stream.done;
      this.flushDelta();
      // A truncated, filtered or refused answer is not a finished one: the user is told which.
      const stopped = describeStop(r.stop);
      if (stopped) {
        answer.error = stopped;
        this.deps.log(`chat: ${stopped}`);
      }
      this.post(stopped ? { type: 'done', id: answer.id, error: stopped } : { type: 'done', id: answer.id });
    } catch (e) {
      this.flushDelta();
      const err = e as ModelError;
      if (tooLong) {
        answer.error = `The answer passed ${MAX_CHAT_ANSWER_CHARS / 1e6} MB and was stopped; what arrived is kept.`;
        this.post({ type: 'done', id: answer.id, error: answer.error });
        this.deps.log(`chat: ${answer.error}`);
      } else if (err.kind === 'cancelled') {
        answer.stopped = true;
        this.post({ type: 'done', id: answer.id, stopped: true });
      } else {
        // Server text (an error body, a stream error event) may echo a key: scrubbed before it is shown or stored.
        answer.error = this.deps.redact(err.message ?? String(e));
        this.post({ type: 'done', id: answer.id, error: answer.error });
        this.deps.log(`chat failed: ${answer.error}`);
      }
    } finally {
      if (this.current?.id === answer.id) this.current = null;
      await this.save();
    }
  }

  /** Deltas are coalesced to the display rate: one message per frame, however fast the model is. */
  private queueDelta(id: string, text: string) {
    if (this.pendingDelta && this.pendingDelta.id === id) this.pendingDelta.text += text;
    else {
      this.flushDelta();
      this.pendingDelta = { id, text };
    }
    if (!this.deltaTimer)
      this.deltaTimer = setTimeout(() => {
        this.deltaTimer = undefined;
        this.flushDelta();
      }, FRAME_MS);
  }

  private flushDelta() {
    clearTimeout(this.deltaTimer);
    this.deltaTimer = undefined;
    const p = this.pendingDelta;
    this.pendingDelta = null;
    if (p && p.text) this.post({ type: 'delta', id: p.id, text: p.text });
  }

  stop() {
    const c = this.current;
    this.current = null;
    c?.stream.cancel();
  }

  private async save() {
    if (this.history.length > MAX_HISTORY) this.history = this.history.slice(-MAX_HISTORY);
    await this.ctx.workspaceState.update(HISTORY_KEY, this.history);
  }

  dispose() {
    this.stop();
    clearTimeout(this.chipTimer);
    clearTimeout(this.deltaTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** The badge of each mode, from the models in use. */
function modelsMessage(m: ModelsInUse): HostToWebview {
  const title = modelDetails(m).join('\n');
  return {
    type: 'models',
    fast: { name: shortModelName(m.fast), demo: m.fast.demo, title },
    deep: { name: shortModelName(m.deep), demo: m.deep.demo, title },
  };
}

let counter = 0;
const newId = () => `m${Date.now().toString(36)}${(counter++).toString(36)}`;
