import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { PreviewRegion, Hunk } from '../core/session/region';
import { ResponsesSocketTransport } from '../core/transport/responsesSocket';
import { ModelError, ModelTransport } from '../core/transport/types';
import { StaticTransport } from '../core/transport/fallback';
import { Connection, ModelConfig, PRESETS, createConnection, preset } from '../core/providers';
import { route } from '../core/deep/router';
import { InputMessage, userMessage } from '../core/protocol/responses';
import { EDIT_INSTRUCTIONS, EditPromptInput, editContextPrompt } from '../core/prompt';
import { ModelServer } from '../server/modelServer';
import { LEGACY_SECRET_KEY, ModelSettings, RECONNECT_SETTINGS, Settings, endpointProblem, ignoredFiles, readSettings, secretKeyFor } from './config';
import { Redactor, safeUrl } from '../core/security/redact';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DeepController } from './deep';
import { REFACTORS, fixInstruction, testFileFor } from '../core/refactors';
import { indentBlock } from '../core/blocks';
import { ContentPolicy } from '../core/policy';
import { checkWritePath } from '../core/deep/pathPolicy';
import { SparkCodeActions } from './codeActions';
import { ChatViewProvider } from './chat';
import { Decorations, SessionView, createDecorations } from './preview';
import { StatusBar } from './statusBar';
import { UndoGuard, ViewState } from './undoGuard';
import { formatTimeline } from '../core/util/timeline';
import { InlinePrompt } from './inlinePrompt';

export interface EditArgs {
  instruction?: string;
  mode?: 'fast' | 'deep';
  /** Edit these lines (inclusive) instead of the selection. */
  lines?: { start: number; end: number };
  /** Extra files for a deep request (e.g. the test file of Add Tests). */
  files?: vscode.Uri[];
  command?: import('../core/deep/router').CommandKind;
  /** Asks for the instruction when none is given (default: the input box); callers in this extension host only. */
  ask?: () => Thenable<string | undefined>;
}
export interface DeepArgs { instruction?: string; files?: string[] }
export interface HunkArgs { sessionId: number; hunkId: number }

/** What `activate` returns: used by the integration tests (and by anyone scripting Spark Edit). */
export interface SparkEditApi {
  /** The fast model's warm socket, when its wire has one. */
  transport(): ResponsesSocketTransport | undefined;
  connection(): Connection | undefined;
  deepConnection(): Connection | undefined;
  deep(): DeepController;
  chat(): ChatViewProvider;
  /** The most recent lines of the Spark Edit log. */
  logLines(): string[];
  ready(): Promise<void>;
  sessions(): SessionView[];
  session(id: number): SessionView | undefined;
  /**
   * Resolves once the previews a save of `doc` set aside are shown again (at once when none are). `save()` resolves
   * before that: VS Code gives extensions no way to hold it until the onDidSave listeners are done.
   */
  whenShownAgain(doc: vscode.TextDocument): Promise<void>;
  endpoint(): string;
  usingDemoModel(): boolean;
}

/**
 * The composition root: the one place where the VS Code-free core is wired to the editor.
 * Everything created here is disposed with the extension.
 */
export async function activate(context: vscode.ExtensionContext): Promise<SparkEditApi> {
  const out = vscode.window.createOutputChannel('Spark Edit', { log: true });
  const recentLog: string[] = [];
  // Every line logged, shown or stored that may carry server text goes through one redaction (known keys,
  // Bearer/sk- tokens, URL credentials).
  const redactor = new Redactor();
  const redact = (t: string) => redactor.redact(t);
  const log = (m: string) => {
    m = redact(m);
    out.info(m);
    recentLog.push(m);
    if (recentLog.length > 500) recentLog.splice(0, 250);
  };
  const status = new StatusBar();
  const decorations: Decorations = createDecorations();
  const sessions = new Map<number, SessionView>();
  const lensEmitter = new vscode.EventEmitter<void>();
  context.subscriptions.push(out, status, lensEmitter, decorations.added, decorations.removed, decorations.partial, decorations.addedChars, decorations.removedChars);

  let fast: Connection | undefined;
  let deepConn: Connection | undefined;
  let fastModel = '';
  let deepModel = '';
  let demo: ModelServer | undefined;
  let endpoint = '';
  let usingDemo = false;
  let settings: Settings = readSettings();
  let connecting: Promise<void> = Promise.resolve();
  let configProblem: string | undefined;
  let deepProblem: string | undefined;

  /** May this document's content go to a model? Says why not, with a way out, when it may not. */
  let policy = new ContentPolicy(settings.ignoredFiles); // rebuilt when sparkEdit.ignoredFiles changes
  /** The ignore list applies to where a file really is too: `notes.txt -> .env` is `.env`. */
  function realRelPath(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') return undefined;
    try {
      const real = fs.realpathSync(uri.fsPath);
      if (real === uri.fsPath) return undefined;
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        const root = (() => { try { return fs.realpathSync(f.uri.fsPath); } catch { return f.uri.fsPath; } })();
        const rel = nodePath.relative(root, real);
        if (rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel)) return rel.split(nodePath.sep).join('/');
      }
      return real.split(nodePath.sep).join('/').replace(/^\/+/, ''); // outside the workspace: its full path
    } catch { return undefined; }
  }
  function allowed(doc: vscode.TextDocument, quiet = false): boolean {
    let r = policy.check(vscode.workspace.asRelativePath(doc.uri, false), vscode.workspace.isTrusted);
    const real = r.ok ? realRelPath(doc.uri) : undefined;
    if (real !== undefined) {
      const rr = policy.check(real, true);
      if (!rr.ok) r = { ok: false, reason: `${vscode.workspace.asRelativePath(doc.uri, false)} is a link to ${real}, which matches "sparkEdit.ignoredFiles": its content is never sent to a model` };
    }
    if (r.ok) return true;
    log(`not sent: ${r.reason}`);
    if (!quiet) {
      const trust = !vscode.workspace.isTrusted;
      void vscode.window.showWarningMessage(`Spark Edit: ${r.reason}.`, trust ? 'Manage Workspace Trust' : 'Open Settings').then((c) => {
        if (c === 'Manage Workspace Trust') void vscode.commands.executeCommand('workbench.trust.manage');
        else if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit.ignoredFiles');
      });
    }
    return false;
  }

  /**
   * The key for a provider. An environment key belongs to the provider's own host: a custom endpoint gets only a
   * key stored in Spark Edit (Set API Key), never one it happened to find in the environment.
   */
  async function keyFor(providerId: string, customEndpoint = false): Promise<string | undefined> {
    const p = preset(providerId);
    return (await context.secrets.get(secretKeyFor(p.id)))
      || (p.id === 'openai' ? await context.secrets.get(LEGACY_SECRET_KEY) : undefined)
      || (p.envKey && !customEndpoint ? process.env[p.envKey] : undefined) || undefined;
  }

  /** Every key this session could know, for redaction. */
  async function refreshKnownKeys() {
    const keys: Array<string | undefined> = [await context.secrets.get(LEGACY_SECRET_KEY)];
    for (const p of PRESETS) {
      keys.push(await context.secrets.get(secretKeyFor(p.id)));
      if (p.envKey) keys.push(process.env[p.envKey]);
    }
    redactor.setKeys(keys);
  }

  /** A model configuration from settings; with no key and no explicit endpoint, the built-in demo model. */
  async function resolveModel(ms: ModelSettings, setting: string): Promise<{ config: ModelConfig; demo: boolean; problem?: string }> {
    const p = preset(ms.provider);
    const key = await keyFor(p.id, !!ms.endpoint && ms.endpoint.replace(/\/+$/, '') !== p.baseUrl.replace(/\/+$/, ''));
    const useDemo = !key && settings.useDemoModelWithoutKey && !ms.endpoint && p.keyRequired;
    if (useDemo && !demo) {
      demo = await new ModelServer({ defaultTokensPerSecond: settings.demoTokensPerSecond }).listen();
      log(`no API key: using the built-in demo model on ${demo.url}`);
    }
    const baseUrl = useDemo ? demo!.url : (ms.endpoint || p.baseUrl);
    const config: ModelConfig = {
      preset: p, baseUrl, model: ms.model || (useDemo ? 'spark-demo' : p.defaultModel), apiKey: key,
      predictions: ms.predictions === 'auto' ? p.predictions : ms.predictions === 'on', wire: ms.wire, log,
    };
    return { config, demo: useDemo, problem: endpointProblem(baseUrl, settings.allowInsecureEndpoint, setting) };
  }

  /** (Re)connect: on activation, and again when a connection setting or a key changes. */
  function connect(): Promise<void> {
    // Serialised: a reconnect waits for the one before it, so two never interleave.
    connecting = connecting.catch(() => undefined).then(async () => {
      fast?.transport.dispose(); deepConn?.transport.dispose();
      fast = undefined; deepConn = undefined;
      settings = readSettings();
      await refreshKnownKeys();
      deep.setMaxConcurrent(settings.maxConcurrentJobs);
      const f = await resolveModel(settings.fast, 'sparkEdit.endpoint');
      const d = await resolveModel(settings.deep, 'sparkEdit.deep.endpoint');
      usingDemo = f.demo;
      endpoint = f.config.baseUrl;
      fastModel = f.config.model; deepModel = d.config.model;
      if (!f.demo && !d.demo && demo) { await demo.close(); demo = undefined; }
      deepProblem = d.problem;
      if (!d.problem) { deepConn = createConnection(d.config); log(`deep model: ${deepConn.describe}${d.demo ? ' (demo)' : ''}`); }
      configProblem = f.problem;
      if (configProblem) {
        log(configProblem);
        status.setConnection('offline', usingDemo, redact(configProblem));
        return;
      }
      const c = createConnection(f.config);
      fast = c;
      log(`fast model: ${c.describe}${f.demo ? ' (demo)' : ''}`);
      c.fallback?.onDidDisableSocket((m) => status.setConnection('warm', usingDemo, m, 'HTTP'));
      if (c.socket) {
        const t = c.socket;
        t.onDidChangeState((st) => {
          status.setConnection(st, usingDemo, st === 'offline' && t.lastError ? redact(t.lastError.message) : '');
          if (st === 'offline') log(`offline: ${t.lastError?.message ?? 'unknown'}`);
        });
        status.setConnection('connecting', usingDemo);
        await t.connect(); // pre-warm: the socket is open before the first request
      } else {
        status.setConnection('warm', usingDemo, c.describe, f.config.preset.protocol === 'anthropic' ? 'Anthropic' : 'HTTP');
      }
    }).catch((e) => {
      configProblem = `could not set up the model connection: ${(e as Error).message}`;
      log(configProblem);
      status.setConnection('offline', usingDemo, configProblem);
    });
    return connecting;
  }

  const deep = new DeepController({
    connection: () => deepConn,
    model: () => deepModel,
    log,
    allowed: (doc) => allowed(doc, true),
    preview: (doc, startLine, oldLines, newLines, instruction) => deepPreview(doc, startLine, oldLines, newLines, instruction),
    policy: () => policy,
    redact,
  }, settings.maxConcurrentJobs);
  context.subscriptions.push(deep);

  const chat = new ChatViewProvider(context, {
    model: (mode) => {
      const conn = mode === 'deep' ? deepConn : fast;
      return conn ? { transport: conn.transport, model: mode === 'deep' ? deepModel : fastModel } : undefined;
    },
    usingDemo: () => usingDemo,
    log,
    redact,
    allowed: (doc) => allowed(doc, true),
    apply: (code, language, path, editor) => applyCode(code, language, path, editor),
  });
  // Issue 15: the instruction is asked for at the code (or in the picker: sparkEdit.promptStyle).
  const inlinePrompt = new InlinePrompt(context.globalState);
  context.subscriptions.push(inlinePrompt);
  context.subscriptions.push(chat, vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chat, { webviewOptions: { retainContextWhenHidden: true } }));

  /**
   * Apply a chat code block through the inline diff preview: over the selection in the target editor; else over
   * the symbol whose first line the block starts with; else added at the cursor.
   */
  async function applyCode(code: string, _language: string, path: string | undefined, editor: vscode.TextEditor | undefined): Promise<string> {
    let doc: vscode.TextDocument | undefined;
    // The path a code block names is model output: the deep-mode path policy decides if it may be a target.
    const verdict = path ? checkWritePath(path, policy) : undefined;
    if (verdict && !verdict.ok) log(`chat apply: ${verdict.reason}; applying to the active editor instead`);
    if (verdict?.ok) {
      const found = await vscode.workspace.findFiles(`**/${verdict.path.replace(/[[\]{}]/g, '?')}`, '**/node_modules/**', 1);
      if (found[0]) doc = await vscode.workspace.openTextDocument(found[0]);
    }
    if (!doc && editor && !editor.document.isClosed) doc = editor.document;
    if (!doc) throw new Error('open the file to apply it to');
    const ed = vscode.window.visibleTextEditors.find((e) => e.document === doc) ?? await vscode.window.showTextDocument(doc, { preserveFocus: true, preview: false });
    const newLines = code.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
    let start: number; let end: number; // inclusive; end = start - 1 means insert
    if (!ed.selection.isEmpty) {
      ({ start, end } = await targetLines(ed));
    } else {
      const first = newLines.find((l) => l.trim())?.trim();
      let k = -1;
      if (first) for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.trim() === first) { k = i; break; }
      const block = k >= 0 ? await enclosingBlock(doc, new vscode.Position(k, doc.lineAt(k).firstNonWhitespaceCharacterIndex)) : undefined;
      const last = [...newLines].reverse().find((l) => l.trim())?.trim();
      if (block && block.start === k && block.end > k) { start = block.start; end = block.end; }
      else if (k >= 0 && last) {
        let e = -1;
        for (let i = k; i < Math.min(doc.lineCount, k + newLines.length * 2 + 5); i++) if (doc.lineAt(i).text.trim() === last) { e = i; break; }
        if (e >= k) { start = k; end = e; } else { start = ed.selection.active.line; end = start - 1; }
      } else { start = ed.selection.active.line; end = start - 1; }
    }
    const oldLines: string[] = [];
    for (let i = start; i <= end; i++) oldLines.push(doc.lineAt(i).text);
    const v = deepPreview(doc, start, oldLines, newLines, 'apply from chat');
    if (!v) throw new Error('another pending edit covers those lines: accept or reject it first');
    // Apply was the user's own click: the keyboard goes to the diff, so Ctrl+Enter / Ctrl+Backspace act on it at once
    // (focus stayed in the chat, and the keys did nothing until the user clicked into the editor).
    await vscode.window.showTextDocument(doc, { viewColumn: ed.viewColumn, preserveFocus: false, preview: false });
    const rel = vscode.workspace.asRelativePath(doc.uri);
    return oldLines.length
      ? `Previewing the change over ${rel} lines ${start + 1}-${end + 1}: accept or reject it in the editor.`
      : `Previewing ${newLines.length} new line${newLines.length === 1 ? '' : 's'} in ${rel} at line ${start + 1}: accept or reject in the editor.`;
  }

  context.subscriptions.push({ dispose: () => { fast?.transport.dispose(); deepConn?.transport.dispose(); void demo?.close(); } });
  void connect();

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (RECONNECT_SETTINGS.some((s) => e.affectsConfiguration(s))) void connect();
    if (e.affectsConfiguration('sparkEdit.ignoredFiles')) policy = new ContentPolicy(ignoredFiles());
  }));
  context.subscriptions.push(context.secrets.onDidChange((e) => { if (e.key.startsWith(LEGACY_SECRET_KEY)) void connect(); }));
  void refreshKnownKeys();

  // ---- sessions ------------------------------------------------------------------------------------
  function viewsFor(doc: vscode.TextDocument): SessionView[] {
    return [...sessions.values()].filter((v) => v.document === doc && !v.isEnded);
  }
  function activeView(): SessionView | undefined {
    const ed = vscode.window.activeTextEditor;
    if (!ed) return undefined;
    const vs = viewsFor(ed.document);
    // The session under the cursor, else the newest in the file.
    const line = ed.selection.active.line;
    return vs.find((v) => line >= v.region.startLine && line < v.region.endLine) ?? vs[vs.length - 1];
  }

  // Context keys change rarely but are recomputed on every cursor move: send only changes to the workbench.
  const contextKeys = new Map<string, boolean>();
  const setContext = (key: string, value: boolean) => {
    if (contextKeys.get(key) === value) return;
    contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  function updateContext() {
    const v = activeView();
    setContext('sparkEdit.streaming', !!v && v.session.isStreaming);
    setContext('sparkEdit.hasPending', !!v);
    setContext('sparkEdit.canContinue', !!v && v.session.canContinue);
  }

  function reportError(v: SessionView, e: ModelError, kept: boolean) {
    if (e.kind === 'stopped' || e.kind === 'declined') {
      // The model ended its answer itself (an output limit, a filter, a refusal): its own message says what was kept.
      log(`edit ${v.session.id}: ${e.message}`);
      if (v.session.canContinue) {
        void vscode.window.showWarningMessage(`Spark Edit: ${e.message}`, 'Continue').then((c) => { if (c === 'Continue' && !v.isEnded) { v.continueAnswer(); updateContext(); } });
      } else void vscode.window.showWarningMessage(`Spark Edit: ${e.message}`);
      return;
    }
    const what = kept ? 'What arrived is kept as a pending diff: accept or reject it.' : 'Your text is unchanged.';
    const hint = e.kind === 'auth' ? 'Set a key with "Spark Edit: Set API Key".'
      : e.kind === 'network' || e.kind === 'timeout' ? 'Spark Edit reconnects by itself; try again.'
        : e.kind === 'rate_limit' ? 'Wait a moment and try again.' : '';
    log(`edit ${v.session.id} failed (${e.kind}${e.code ? ` ${e.code}` : ''}): ${e.message}`);
    void vscode.window.showErrorMessage(redact(`Spark Edit: ${e.message} ${what} ${hint}`.trim()));
  }

  // Undo/redo across previews (issue 11): one guard per document that has had a preview.
  const guards = new Map<vscode.TextDocument, UndoGuard>();
  const guardFor = (doc: vscode.TextDocument): UndoGuard => {
    let g = guards.get(doc);
    if (!g) { g = new UndoGuard(doc, { views: viewsFor, revive: reviveView, log }); guards.set(doc, g); }
    return g;
  };
  context.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
    const g = guards.get(e.document);
    if (g?.busy || e.contentChanges.length === 0) return; // the guard is moving the document through its history
    if (g && (e.reason === vscode.TextDocumentChangeReason.Undo || e.reason === vscode.TextDocumentChangeReason.Redo)) {
      g.onUndoRedo(e.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : 'redo', e);
      return;
    }
    let ours = false;
    for (const v of viewsFor(e.document)) ours = v.onDocumentChanged(e) || ours;
    if (g && !ours) g.history.noteUserEdit();
  }));
  context.subscriptions.push(vscode.workspace.onDidCloseTextDocument((doc) => {
    guards.delete(doc);
    for (const v of [...sessions.values()].filter((s) => s.document === doc)) {
      log(`document closed: edit ${v.session.id} dropped`);
      v.dispose();
    }
  }));
  // Renaming or deleting a file with a pending diff: reject it first (the original comes back), so the preview's
  // removed and added lines never travel with the file without a way to resolve them.
  const beforeFileOp = (uris: readonly vscode.Uri[], what: string): Promise<void> => {
    const targets = [...sessions.values()].filter((v) => uris.some((u) => v.document.uri.toString() === u.toString() || v.document.uri.toString().startsWith(u.toString() + '/')));
    if (!targets.length) return Promise.resolve();
    log(`${what}: rejecting ${targets.length} pending edit(s) first`);
    void vscode.window.showInformationMessage(`Spark Edit: a pending edit was rejected because its file is being ${what}.`);
    return Promise.all(targets.map((v) => v.rejectAll())).then(() => undefined);
  };
  context.subscriptions.push(
    vscode.workspace.onWillRenameFiles((e) => e.waitUntil(beforeFileOp(e.files.map((f) => f.oldUri), 'renamed'))),
    vscode.workspace.onWillDeleteFiles((e) => e.waitUntil(beforeFileOp(e.files, 'deleted'))),
  );

  // Saving a document that holds a pending preview (auto-save, Save All, save on quit, Ctrl+S): the file on disk must
  // never get the preview's mixed state (removed and added lines both). A save cannot be cancelled, but a save
  // participant runs before the text is taken: each preview is suspended and its lines set aside (the document goes
  // back to the original plus your typing, which is what is written), and right after the save the same lines come
  // back and the same preview goes on, still streaming if it was: no decision, no stream and no keystroke is lost.
  // The set-aside and the restore are the guard's own edits (busy), so undo never lands between them.
  const setAside = new Map<string, { parked: Array<{ view: SessionView; startLine: number; shown: string[]; aside: string[] }>; finish: () => void }>();
  /** Saves whose previews are not shown again yet (from the save participant to the end of the restore). */
  const showingAgain = new Map<string, { done: Promise<void>; resolve: () => void }>();
  const beginSetAside = (uri: string): (() => void) => {
    let resolve!: () => void;
    const entry = { done: new Promise<void>((r) => { resolve = r; }), resolve: () => resolve() };
    const prev = showingAgain.get(uri);
    showingAgain.set(uri, entry);
    return () => { if (showingAgain.get(uri) === entry) showingAgain.delete(uri); entry.resolve(); prev?.resolve(); };
  };
  const replaceLines = async (doc: vscode.TextDocument, startLine: number, count: number, lines: string[]): Promise<boolean> => {
    const end = startLine + count;
    const range = end < doc.lineCount ? new vscode.Range(startLine, 0, end, 0) : new vscode.Range(startLine, 0, doc.lineCount - 1, doc.lineAt(doc.lineCount - 1).text.length);
    const text = lines.join('\n') + (end < doc.lineCount && lines.length ? '\n' : '');
    // In an editor: no undo stops of its own, so the set-aside and the restore join the undo steps around them.
    const ed = vscode.window.visibleTextEditors.find((x) => x.document === doc);
    if (ed) return ed.edit((b) => b.replace(range, text), { undoStopBefore: false, undoStopAfter: false });
    const we = new vscode.WorkspaceEdit();
    we.replace(doc.uri, range, text);
    return vscode.workspace.applyEdit(we);
  };
  context.subscriptions.push(vscode.workspace.onWillSaveTextDocument((e) => {
    if (e.document.isUntitled) return; // an untitled preview (a deep job's new file) has no mixed state; Save As is explicit
    const vs = viewsFor(e.document).filter((v) => !v.isEnded);
    if (!vs.length) return;
    const uri = e.document.uri.toString();
    const finish = beginSetAside(uri);
    // The text at VS Code's undo stop before the save participants: edits still in flight (settled below) join the
    // set-aside's undo step, so undoing that step gives this text back.
    const shown = guardFor(e.document).textHash();
    e.waitUntil((async () => {
      let handedOn = false; // to the restore after the save, which calls finish()
      try {
        const guard = guardFor(e.document);
        const parked: Array<{ view: SessionView; startLine: number; shown: string[]; aside: string[] }> = [];
        for (const v of vs) await v.settled(); // the document in step with each preview
        guard.busy = true;
        try {
          // Bottom-up, so the line numbers above stay right.
          for (const v of vs.sort((x, y) => y.region.startLine - x.region.startLine)) {
            if (v.isEnded) continue;
            v.suspend();
            v.decorate(); // no colours on lines about to move (the set-aside lines would be coloured wrongly)
            if (!v.matchesDocument()) { v.resume(); log(`save: edit ${v.session.id} is out of step with the document; it is rejected for the save`); await v.rejectAll(); continue; }
            const startLine = v.region.startLine;
            const shown = v.region.renderedRows().map((r) => r.text);
            const aside = v.region.textIf('reject');
            if (!await replaceLines(e.document, startLine, shown.length, aside)) { v.resume(); continue; }
            parked.push({ view: v, startLine, shown, aside });
          }
        } finally { guard.busy = false; }
        if (parked.length) {
          guard.noteSetAside(shown); setAside.set(uri, { parked, finish }); handedOn = true;
          // A save that writes nothing (the set-aside text equals the file: VS Code may skip the write) or fails sends
          // no onDidSave: the previews must not stay set aside (a decision would wait for ever). The text to write was
          // taken right after the participants, so showing the previews again later than that is safe.
          const doc = e.document;
          setTimeout(() => { if (setAside.get(uri)?.parked === parked) { log(`save of ${vscode.workspace.asRelativePath(doc.uri)}: no save reported within 1.5 s; the pending edit(s) are shown again`); void showAgain(doc); } }, 1500);
        }
        log(`save of ${vscode.workspace.asRelativePath(e.document.uri)}: ${parked.length} pending edit(s) set aside, so the file is written without them (reason ${e.reason})`);
      } finally { if (!handedOn) finish(); }
    })());
  }));
  context.subscriptions.push(vscode.workspace.onDidSaveTextDocument((doc) => showAgain(doc)));
  /** Put set-aside previews back (after the save, or after a save that never reported: see the fallback above). */
  async function showAgain(doc: vscode.TextDocument): Promise<void> {
    const entry = setAside.get(doc.uri.toString());
    if (!entry) return;
    setAside.delete(doc.uri.toString());
    const { parked } = entry;
    try {
      const guard = guardFor(doc);
      const back: SessionView[] = [];
      guard.busy = true;
      try {
        // In the set-aside order (bottom-up), so the line numbers above stay right.
        for (const p of parked) {
          const v = p.view;
          const now: string[] = [];
          for (let i = p.startLine; i < Math.min(doc.lineCount, p.startLine + p.aside.length); i++) now.push(doc.lineAt(i).text);
          if (v.isEnded) continue; // it ended while set aside (nothing to propose): the document holds its result
          if (now.join('\n') !== p.aside.join('\n') || !await replaceLines(doc, p.startLine, p.aside.length, p.shown)) {
            // The document changed in between: the text stays as written (original plus your typing), the preview goes.
            log(`save of ${vscode.workspace.asRelativePath(doc.uri)}: edit ${v.session.id} could not be shown again (the document changed meanwhile); it is dropped`);
            v.drop();
            continue;
          }
          v.resume();
          if (!v.matchesDocument()) { log(`save: edit ${v.session.id} does not match the document after the save; it is dropped`); v.drop(); continue; }
          back.push(v);
        }
      } finally { guard.busy = false; }
      // Only now (the guard no longer busy) may a preview that rests record its state for undo.
      await Promise.all(back.map((v) => v.flush()));
      lensEmitter.fire();
      updateContext();
    } finally { entry.finish(); }
  }

  // Closing a file's last tab (whether saved or reverted) drops its previews and stops their streams. The
  // document itself may stay open in the extension host for a while, so tabs are what tell.
  context.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs((e) => {
    const uriOf = (t: vscode.Tab) => (t.input instanceof vscode.TabInputText ? t.input.uri.toString() : '');
    const closed = new Set(e.closed.map(uriOf));
    if (!closed.size) return;
    const open = new Set(vscode.window.tabGroups.all.flatMap((g) => g.tabs).map(uriOf));
    for (const v of [...sessions.values()]) {
      const u = v.document.uri.toString();
      // Only files whose own tab just closed (deep-mode previews may sit in files that never had a tab).
      if (!closed.has(u) || open.has(u)) continue;
      log(`${vscode.workspace.asRelativePath(v.document.uri)} was closed: edit ${v.session.id} dropped`);
      v.dispose();
    }
  }));
  context.subscriptions.push(vscode.window.onDidChangeVisibleTextEditors((eds) => {
    for (const v of sessions.values()) v.decorate(eds);
  }));
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => updateContext()));
  context.subscriptions.push(vscode.window.onDidChangeTextEditorSelection(() => updateContext()));
  context.subscriptions.push({ dispose: () => { for (const v of sessions.values()) v.dispose(); sessions.clear(); } });

  /** A change already known in full (deep-mode hunk, semantic rename) as a pending inline diff, unless lines overlap another. */
  function deepPreview(doc: vscode.TextDocument, startLine: number, oldLines: string[], newLines: string[], instruction: string): SessionView | undefined {
    if (viewsFor(doc).some((v) => startLine < v.region.endLine && startLine + Math.max(1, oldLines.length) > v.region.startLine)) return undefined;
    return createView(doc, startLine, oldLines, { instruction, code: oldLines.join('\n') }, 'deep', new StaticTransport(newLines.length ? newLines.join('\n') + '\n' : ''), performance.now());
  }

  /** One pending edit in one document: the view that previews it, wired to CodeLens, context keys and stats. */
  function createView(doc: vscode.TextDocument, startLine: number, original: string[], prompt: EditPromptInput, model: string, transport: ModelTransport, t0: number, warm?: { responseId: string; context: InputMessage }): SessionView {
    guardFor(doc).checkpoint(); // the state before this preview: where undo returns to
    const region = new PreviewRegion(startLine, original);
    const view = new SessionView(doc, region, prompt, model, transport, decorations, log, reportError, t0);
    if (warm) view.session.useWarmup(warm);
    wireView(view, transport);
    view.start();
    updateContext();
    return view;
  }

  /** A pending preview shown again by undo/redo, over the document's current text (which is exactly the snapshot's). */
  function reviveView(doc: vscode.TextDocument, st: ViewState): SessionView | undefined {
    const n = st.region.lineCount;
    if (doc.isClosed || st.region.startLine + n > doc.lineCount) return undefined;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(doc.lineAt(st.region.startLine + i).text);
    const view = new SessionView(doc, PreviewRegion.restore(st.region, lines), st.prompt, st.model, st.transport, decorations, log, reportError, performance.now(), true);
    wireView(view, st.transport);
    view.decorate();
    lensEmitter.fire();
    updateContext();
    return view;
  }

  function wireView(view: SessionView, transport: ModelTransport) {
    const doc = view.document;
    const guard = guardFor(doc);
    view.hooks = { ownEdit: (streaming) => { guard.history.noteOwnEdit(streaming); guard.noteOwnEdit(); }, synced: () => guard.checkpoint() };
    sessions.set(view.session.id, view);
    view.onDidChange(() => {
      if (view.timing.firstHunkReady === undefined && view.region.pendingHunks().length) view.timing.firstHunkReady = performance.now();
      lensEmitter.fire();
      updateContext();
    });
    view.onDidEnd(() => {
      const s = view.session.stats;
      if (transport.name !== 'static') status.setStats(s);
      if (transport.name !== 'static') log(timelineOf(view));
      log(`edit ${view.session.id} ended: ${view.session.state}; first byte ${s.sendLatencyMs?.toFixed(2)} ms, first token ${s.ttftMs?.toFixed(1)} ms, ${s.tokensPerSecond?.toFixed(0)} tok/s over ${s.transport ?? transport.name}${s.fellBack ? ' (fell back to HTTP)' : ''}${s.acceptedPredictionTokens !== undefined ? `, prediction ${s.acceptedPredictionTokens} accepted / ${s.rejectedPredictionTokens} rejected` : ''}, ${view.flushes} document updates`);
      sessions.delete(view.session.id);
      guards.get(doc)?.checkpoint(); // the accepted or rejected result
      // After the other end listeners (deep mode's among them): disposing now would drop them mid-delivery.
      queueMicrotask(() => view.dispose());
      lensEmitter.fire();
      updateContext();
    });
    view.session.onEvent((e) => {
      if (transport.name !== 'static' && e.kind === 'state' && (e.state === 'pending' || e.state === 'done')) status.setStats(view.session.stats);
      // The model answered with the code unchanged: say so (not only in the status bar).
      if (e.kind === 'state' && e.state === 'done' && !view.session.error && view.session.text.length > 0 && view.region.hunks.length === 0) {
        log(`edit ${view.session.id}: no changes proposed (the model returned the code unchanged)`);
        void vscode.window.showInformationMessage('Spark Edit: no changes proposed — the model returned the code unchanged.');
      }
    });
  }

  /** Workspace files the instruction names (e.g. "also update utils.ts"), besides `except`. */
  async function mentionedFiles(instruction: string, except: vscode.Uri): Promise<vscode.Uri[]> {
    const names = [...new Set(instruction.match(/[\w./-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|cs|cpp|cc|c|h|hpp|rb|php|swift|json|md|css|scss|html|vue|svelte)\b/g) ?? [])];
    const out: vscode.Uri[] = [];
    for (const n of names.slice(0, 10)) {
      const found = await vscode.workspace.findFiles(`**/${n.replace(/^\.\//, '')}`, '**/node_modules/**', 2);
      for (const u of found) if (u.toString() !== except.toString() && !out.some((o) => o.toString() === u.toString()) && !policy.ignored(vscode.workspace.asRelativePath(u, false))) out.push(u);
    }
    return out;
  }

  async function startEdit(args?: EditArgs): Promise<{ sessionId?: number; jobId?: number } | undefined> {
    let t0 = performance.now();
    const editor = vscode.window.activeTextEditor;
    if (!editor) { void vscode.window.showInformationMessage('Spark Edit: open a file and select code to edit.'); return; }
    const doc = editor.document;
    const { start: startLine, end: endLine } = args?.lines ?? await targetLines(editor);
    const lines = endLine - startLine + 1;
    let instruction = args?.instruction;
    let warmup: ReturnType<typeof prewarm> = undefined;
    if (instruction === undefined) {
      warmup = prewarm(doc, startLine, endLine);
      instruction = await (args?.ask?.() ?? inlinePrompt.ask({ editor, startLine, endLine, deep: args?.mode === 'deep' }, vscode.workspace.getConfiguration('sparkEdit').get<'inline' | 'quickInput'>('promptStyle', 'inline')));
      t0 = performance.now(); // time starts when the user confirms, not while they type
    }
    if (!instruction?.trim()) return;
    if (!allowed(doc)) return;
    const ctx = settings.contextLines;
    const contextChars = Math.min(doc.getText().length, (lines + 2 * ctx) * 80);
    const others = [...(args?.files ?? []), ...await mentionedFiles(instruction, doc.uri)];
    const r = route({ instruction, explicit: args?.mode, selectionLines: lines, contextChars, mentionedFiles: others.length, command: args?.command }, settings.rules);
    log(`route: ${r.mode} — ${r.reasons.join('; ')}`);
    if (r.mode === 'deep') {
      if (!await deepReady()) return;
      const job = deep.start({ instruction: r.instruction, files: [doc.uri, ...others], focus: { uri: doc.uri, startLine, endLine } });
      return { jobId: job.id };
    }
    instruction = r.instruction;
    const overlapping = viewsFor(doc).find((v) => startLine < v.region.endLine && endLine >= v.region.startLine);
    if (overlapping) {
      void vscode.window.showWarningMessage('Spark Edit: this code already has a pending edit. Accept or reject it first.');
      return;
    }
    if (lines > settings.maxSelectionLines) {
      void vscode.window.showWarningMessage(`Spark Edit: the selection has ${lines} lines; the limit is ${settings.maxSelectionLines} ("sparkEdit.maxSelectionLines").`);
      return;
    }
    await connecting;
    if (configProblem || !fast) {
      void vscode.window.showErrorMessage(redact(`Spark Edit: ${configProblem ?? 'no model connection'} Open settings to fix it.`), 'Open Settings').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit');
      });
      return;
    }
    const { original, prompt } = editContext(doc, startLine, endLine);
    // The warm-up counts only if it sent exactly this context (the document may have changed meanwhile).
    const context = userMessage(editContextPrompt(prompt));
    const warmId = warmup && warmup.context.content[0].text === context.content[0].text ? await warmup.id : undefined;
    if (warmup && !warmId) log('the warm-up was not used (the code changed, or it failed): the whole prompt is sent');
    const view = createView(doc, startLine, original, { ...prompt, instruction }, fastModel, fast.transport, t0, warmId ? { responseId: warmId, context } : undefined);
    // The selection collapses to its start (the top of the edit, where its lenses are) once the instruction is
    // submitted: it would grow over the preview and muddy its colours.
    if (!editor.selection.isEmpty && editor.document === doc) editor.selection = new vscode.Selection(editor.selection.start, editor.selection.start);
    return { sessionId: view.session.id };
  }

  /** The code to edit and its surroundings, as the prompt sends them. */
  function editContext(doc: vscode.TextDocument, startLine: number, endLine: number): { original: string[]; prompt: Omit<EditPromptInput, 'instruction'> } {
    const ctx = settings.contextLines;
    const original: string[] = [];
    for (let i = startLine; i <= endLine; i++) original.push(doc.lineAt(i).text);
    const before: string[] = []; const after: string[] = [];
    for (let i = Math.max(0, startLine - ctx); i < startLine; i++) before.push(doc.lineAt(i).text);
    for (let i = endLine + 1; i < Math.min(doc.lineCount, endLine + 1 + ctx); i++) after.push(doc.lineAt(i).text);
    return { original, prompt: { code: original.join('\n'), fileName: vscode.workspace.asRelativePath(doc.uri), languageId: doc.languageId, before: before.join('\n') || undefined, after: after.join('\n') || undefined } };
  }

  /**
   * While the user types the instruction, send the code ahead on the warm socket (`generate: false`): the model
   * reads it now, and the edit then sends only the instruction, chained to it. Only where the code may be sent
   * at all (ignored files, untrusted workspaces never), on a Responses socket that is open.
   */
  function prewarm(doc: vscode.TextDocument, startLine: number, endLine: number): { context: InputMessage; id: Promise<string | undefined> } | undefined {
    const socket = fast?.socket;
    if (!settings.prewarm || !socket || socket.state !== 'warm' || fast?.fallback?.socketDisabled || configProblem) return undefined;
    if (endLine - startLine + 1 > settings.maxSelectionLines || !allowed(doc, true)) return undefined;
    const context = userMessage(editContextPrompt(editContext(doc, startLine, endLine).prompt));
    const id = socket.prewarm({ model: fastModel, instructions: EDIT_INSTRUCTIONS, input: [context] });
    void id.then((r) => log(r ? `warm-up sent the code ahead (${r})` : 'the warm-up failed; the edit will send everything'));
    return { context, id };
  }

  /**
   * Show a WorkspaceEdit (e.g. a semantic rename) as pending inline diffs: one edit per file, from its first to its
   * last touched line, so every hunk is coloured and one Accept All / Reject All covers the whole operation there.
   */
  async function previewWorkspaceEdit(edit: vscode.WorkspaceEdit, instruction: string): Promise<{ sessionIds: number[] }> {
    const ids: number[] = [];
    for (const [uri, edits] of edit.entries()) {
      if (!edits.length) continue;
      const doc = await vscode.workspace.openTextDocument(uri);
      const sorted = [...edits].sort((x, y) => x.range.start.compareTo(y.range.start));
      const start = sorted[0].range.start.line;
      const end = Math.max(...sorted.map((e) => e.range.end.line));
      const oldLines: string[] = [];
      for (let i = start; i <= end; i++) oldLines.push(doc.lineAt(i).text);
      const base = doc.offsetAt(new vscode.Position(start, 0));
      let text = oldLines.join('\n');
      for (const e of [...sorted].reverse()) {
        const a = doc.offsetAt(e.range.start) - base, b = doc.offsetAt(e.range.end) - base;
        text = text.slice(0, a) + e.newText + text.slice(b);
      }
      const v = deepPreview(doc, start, oldLines, text.split('\n'), instruction);
      if (v) ids.push(v.session.id);
      else void vscode.window.showWarningMessage(`Spark Edit: ${vscode.workspace.asRelativePath(uri)} already has a pending edit over those lines: accept or reject it first.`);
    }
    return { sessionIds: ids };
  }

  /** Is the deep model connected? Says why not when it is not. */
  async function deepReady(): Promise<boolean> {
    await connecting;
    if (deepConn) return true;
    void vscode.window.showErrorMessage(redact(`Spark Edit: deep mode is not available: ${deepProblem ?? 'no deep model'}`));
    return false;
  }

  async function startDeep(args?: DeepArgs): Promise<{ jobId?: number } | undefined> {
    if (args?.files?.length) {
      const instruction = args.instruction ?? await vscode.window.showInputBox({ title: 'Spark Edit: Deep Edit', ignoreFocusOut: true });
      if (!instruction?.trim()) return;
      if (!await deepReady()) return;
      const files: vscode.Uri[] = [];
      for (const f of args.files) {
        const uri = /^[a-z][\w+.-]*:/i.test(f) ? vscode.Uri.parse(f) : vscode.Uri.file(f);
        if (allowed(await vscode.workspace.openTextDocument(uri))) files.push(uri);
      }
      if (!files.length) return;
      return { jobId: deep.start({ instruction, files }).id };
    }
    return startEdit({ instruction: args?.instruction, mode: 'deep' });
  }

  /** Send a tiny request to the fast (and deep) model and report the latency. */
  async function testConnection(): Promise<string[]> {
    await connecting;
    const out: string[] = [];
    for (const [name, conn, model, problem] of [['fast', fast, fastModel, configProblem], ['deep', deepConn, deepModel, deepProblem]] as const) {
      if (!conn) { out.push(`${name}: not configured — ${problem ?? 'no connection'}`); continue; }
      const t0 = performance.now();
      try {
        const r = await conn.transport.stream({ model, instructions: 'Reply with the single word OK.', input: [userMessage('ping')], maxOutputTokens: 16 }, { onDelta: () => undefined }).done;
        const first = r.stats.firstTokenAt !== undefined ? `${(r.stats.firstTokenAt - t0).toFixed(0)} ms to first token, ` : '';
        out.push(`${name}: OK — ${first}${(performance.now() - t0).toFixed(0)} ms in all (${conn.describe})`);
      } catch (e) {
        out.push(redact(`${name}: FAILED — ${(e as Error).message} (${conn.describe})`));
      }
    }
    return out;
  }

  function viewFromArgs(args?: { sessionId?: number }): SessionView | undefined {
    return args?.sessionId !== undefined ? sessions.get(args.sessionId) : activeView();
  }
  function hunkFromArgs(args?: HunkArgs): { v: SessionView; h: Hunk } | undefined {
    const v = viewFromArgs(args);
    const h = v?.region.hunks.find((x) => x.id === args?.hunkId);
    return v && h ? { v, h } : undefined;
  }

  const reg = (id: string, fn: (...a: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  reg('sparkEdit.editSelection', (args?: EditArgs) => startEdit(args));
  reg('sparkEdit.deepEdit', (args?: DeepArgs) => startDeep(args));
  for (const rf of REFACTORS) {
    reg(`sparkEdit.refactor.${rf.id}`, async (args?: { lines?: { start: number; end: number } }) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) { void vscode.window.showInformationMessage(`Spark Edit: open a file to use "${rf.title}".`); return; }
      const lines = args?.lines ?? await targetLines(editor);
      if (rf.kind === 'explain') return chat.ask(rf.instruction, { uri: editor.document.uri, lines });
      if (rf.kind === 'tests') {
        const rel = vscode.workspace.asRelativePath(editor.document.uri, false);
        const testRel = testFileFor(rel);
        const root = vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri;
        const testUri = root ? vscode.Uri.joinPath(root, testRel) : undefined;
        const exists = testUri ? await vscode.workspace.fs.stat(testUri).then(() => true, () => false) : false;
        const instruction = `${rf.instruction}\nTest file: ${testRel} (${exists ? 'it exists: add to it with *** Update File' : 'it does not exist yet: create it with *** Add File'}).`;
        return startEdit({ instruction, lines, command: 'tests', files: exists && testUri ? [testUri] : [] });
      }
      return startEdit({ instruction: rf.instruction, lines, command: rf.kind });
    });
  }
  reg('sparkEdit.customRefactor', async (args?: { name?: string }) => {
    // From user settings only: instructions a repository wrote are never sent with your key.
    const custom = readSettings().customRefactors;
    if (!custom.length) { void vscode.window.showInformationMessage('Spark Edit: no custom refactors yet: add some to "sparkEdit.customRefactors" (name + instruction).', 'Open Settings').then((c) => { if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit.customRefactors'); }); return; }
    const pick = args?.name ? custom.find((c) => c.name === args.name) : (await vscode.window.showQuickPick(custom.map((c) => ({ label: c.name, detail: c.instruction, c })), { title: 'Spark Edit: Custom Refactor' }))?.c;
    if (!pick) return;
    return startEdit({ instruction: pick.instruction });
  });
  reg('sparkEdit.fixDiagnostics', async (args?: { uri?: string; line?: number }) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const doc = editor.document;
    const line = args?.line ?? editor.selection.active.line;
    const block = await enclosingBlock(doc, new vscode.Position(line, 0));
    // Every problem inside the block is fixed at once.
    const diags = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning && d.range.start.line >= block.start && d.range.end.line <= block.end);
    const lines = diags.length ? { start: Math.min(block.start, ...diags.map((d) => d.range.start.line)), end: Math.max(block.end, ...diags.map((d) => d.range.end.line)) } : block;
    const info = diags.map((d) => ({ line: d.range.start.line, message: d.message, source: d.source, code: typeof d.code === 'object' ? d.code.value : d.code, severity: (['error', 'warning', 'info', 'hint'] as const)[d.severity] }));
    if (!info.length) { void vscode.window.showInformationMessage('Spark Edit: no problems here to fix.'); return; }
    return startEdit({ instruction: fixInstruction(info), lines, command: 'fix' });
  });
  reg('sparkEdit.rename', async (args?: { newName?: string }) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const doc = editor.document;
    const pos = editor.selection.active;
    const wordRange = doc.getWordRangeAtPosition(pos);
    const oldName = wordRange ? doc.getText(wordRange) : '';
    const newName = args?.newName ?? await vscode.window.showInputBox({ title: 'Spark Edit: Rename Symbol', value: oldName, prompt: `Rename ${oldName || 'the symbol'} to…` });
    if (!newName?.trim() || newName === oldName) return;
    // Semantic rename through the language's rename provider, shown as pending diffs; the model only when there is none.
    let edit: vscode.WorkspaceEdit | undefined;
    try { edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, pos, newName); } catch (e) { log(`rename provider: ${(e as Error).message}`); }
    if (edit && edit.size > 0) return previewWorkspaceEdit(edit, `rename ${oldName} to ${newName}`);
    log(`no rename provider for ${doc.languageId}: asking the model`);
    return startEdit({ instruction: `Rename ${oldName} to ${newName} everywhere in this code (declarations and uses), changing nothing else.` });
  });
  reg('sparkEdit.cancelDeepJobs', async () => {
    const active = deep.queue.active;
    if (!active.length) { void vscode.window.showInformationMessage('Spark Edit: no deep jobs are running.'); return; }
    for (const j of active) j.cancel();
    void vscode.window.showInformationMessage(`Spark Edit: cancelled ${active.length} deep job${active.length === 1 ? '' : 's'}.`);
  });
  reg('sparkEdit.showConflicts', () => deep.showConflicts());
  reg('sparkEdit.testConnection', async (args?: { quiet?: boolean }) => {
    const lines = await testConnection();
    for (const l of lines) log(`test connection: ${l}`);
    if (!args?.quiet) {
      const failed = lines.some((l) => /FAILED|not configured/.test(l));
      void (failed ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(`Spark Edit: ${lines.join(' · ')}`);
    }
    return lines;
  });
  reg('sparkEdit.acceptAll', async (args?: { sessionId?: number }) => { const v = viewFromArgs(args); if (v) await v.acceptAll(); });
  reg('sparkEdit.rejectAll', async (args?: { sessionId?: number }) => { const v = viewFromArgs(args); if (v) await v.rejectAll(); });
  reg('sparkEdit.acceptHunk', async (args?: HunkArgs) => { const x = hunkFromArgs(args); if (x) await x.v.acceptHunk(x.h); });
  reg('sparkEdit.rejectHunk', async (args?: HunkArgs) => { const x = hunkFromArgs(args); if (x) await x.v.rejectHunk(x.h); });
  reg('sparkEdit.interrupt', (args?: { sessionId?: number }) => { const v = viewFromArgs(args); if (v?.interrupt()) updateContext(); });
  reg('sparkEdit.redirect', async (args?: { sessionId?: number; instruction?: string }) => {
    const v = viewFromArgs(args);
    if (!v) return;
    const instruction = args?.instruction ?? await vscode.window.showInputBox({ title: 'Spark Edit: Redirect', prompt: `Change direction (was: ${v.session.instruction})`, ignoreFocusOut: true });
    if (!instruction?.trim() || v.isEnded) return;
    v.redirect(instruction);
    updateContext();
  });
  reg('sparkEdit.continue', (args?: { sessionId?: number }) => { const v = viewFromArgs(args); if (v?.continueAnswer()) updateContext(); });
  reg('sparkEdit.setApiKey', async (args?: { provider?: string; key?: string }) => {
    const current = settings.fast.provider;
    const providerId = args?.provider ?? (await vscode.window.showQuickPick(
      PRESETS.filter((p) => p.keyRequired || p.id === 'openai-compatible').map((p) => ({ label: p.label, description: p.id === current ? 'fast model' : p.id === settings.deep.provider ? 'deep model' : undefined, id: p.id })),
      { title: 'Spark Edit: API key for which provider?' }))?.id;
    if (!providerId) return;
    const key = args?.key ?? await vscode.window.showInputBox({ title: `Spark Edit: API Key (${preset(providerId).label})`, prompt: 'Stored in VS Code SecretStorage, never in settings or logs.', password: true, ignoreFocusOut: true });
    if (key === undefined) return;
    if (key.trim()) await context.secrets.store(secretKeyFor(providerId), key.trim());
    if (!args?.key) void vscode.window.showInformationMessage(`Spark Edit: API key for ${preset(providerId).label} saved in SecretStorage.`);
  });
  reg('sparkEdit.clearApiKey', async () => {
    for (const p of PRESETS) await context.secrets.delete(secretKeyFor(p.id));
    await context.secrets.delete(LEGACY_SECRET_KEY);
    void vscode.window.showInformationMessage('Spark Edit: API keys removed.');
  });
  reg('sparkEdit.showLog', () => out.show(true));
  reg('sparkEdit.reconnect', () => connect());

  // ---- CodeLens: Accept / Reject per hunk, Accept All / Reject All, streaming controls ----------------
  context.subscriptions.push(vscode.languages.registerCodeLensProvider({ scheme: '*' }, {
    onDidChangeCodeLenses: lensEmitter.event,
    provideCodeLenses(doc) {
      const lenses: vscode.CodeLens[] = [];
      for (const v of viewsFor(doc)) {
        if (v.suspended) continue; // set aside for a save: its lines are not in the document this moment
        const region = v.region;
        const top = new vscode.Range(region.startLine, 0, region.startLine, 0);
        const sid = v.session.id;
        const newFile = deep.newFiles.get(doc.uri.toString());
        if (newFile) lenses.push(new vscode.CodeLens(top, { title: `$(new-file) New file ${newFile}: created on disk only when you accept`, command: '' }));
        if (v.session.isStreaming) {
          lenses.push(new vscode.CodeLens(top, { title: '$(loading~spin) Spark Edit is writing… Stop (Esc)', command: 'sparkEdit.interrupt', arguments: [{ sessionId: sid }] }));
          lenses.push(new vscode.CodeLens(top, { title: 'Redirect…', command: 'sparkEdit.redirect', arguments: [{ sessionId: sid }] }));
        }
        if (v.session.canContinue) lenses.push(new vscode.CodeLens(top, { title: '$(debug-continue) Continue (the model stopped early)', command: 'sparkEdit.continue', arguments: [{ sessionId: sid }] }));
        const pending = region.pendingHunks();
        if (pending.length && v.timing.acceptLensProvided === undefined) {
          v.timing.acceptLensProvided = performance.now();
          v.timing.lastEditBeforeLens = v.timing.lastEditApplied;
        }
        if (pending.length > 1 || (pending.length > 0 && !v.session.isStreaming)) {
          lenses.push(new vscode.CodeLens(top, { title: 'Accept All (Ctrl+Enter)', command: 'sparkEdit.acceptAll', arguments: [{ sessionId: sid }] }));
          lenses.push(new vscode.CodeLens(top, { title: 'Reject All (Ctrl+Backspace)', command: 'sparkEdit.rejectAll', arguments: [{ sessionId: sid }] }));
        }
        for (const { hunk: h, row: idx } of region.hunkAnchors()) {
          if (h.state !== 'pending') continue;
          const at = new vscode.Range(region.startLine + idx, 0, region.startLine + idx, 0);
          lenses.push(new vscode.CodeLens(at, { title: '$(check) Accept', command: 'sparkEdit.acceptHunk', arguments: [{ sessionId: sid, hunkId: h.id }] }));
          lenses.push(new vscode.CodeLens(at, { title: '$(close) Reject', command: 'sparkEdit.rejectHunk', arguments: [{ sessionId: sid, hunkId: h.id }] }));
        }
      }
      return lenses;
    },
  }));

  context.subscriptions.push(vscode.languages.registerCodeActionsProvider({ scheme: '*' }, new SparkCodeActions(), { providedCodeActionKinds: SparkCodeActions.providedCodeActionKinds }));

  updateContext();
  return {
    transport: () => fast?.socket,
    connection: () => fast,
    deepConnection: () => deepConn,
    deep: () => deep,
    chat: () => chat,
    logLines: () => [...recentLog],
    ready: () => connecting,
    sessions: () => [...sessions.values()],
    session: (id) => sessions.get(id),
    whenShownAgain: (doc) => showingAgain.get(doc.uri.toString())?.done ?? Promise.resolve(),
    endpoint: () => endpoint,
    usingDemoModel: () => usingDemo,
  };
}

/** The edit's timeline as one log line, in epoch ms (the bench's browser stage reads it: bench/README.md). */
function timelineOf(view: SessionView): string {
  const at = (t: number | undefined) => (t === undefined ? undefined : performance.timeOrigin + t);
  const s = view.session.stats, t0 = view.session.startedAt, tm = view.timing;
  return formatTimeline({
    id: view.session.id, command: performance.timeOrigin + t0,
    marks: {
      sent: at(s.sendLatencyMs === undefined ? undefined : t0 + s.sendLatencyMs), firstToken: at(s.ttftMs === undefined ? undefined : t0 + s.ttftMs),
      firstEditSent: at(tm.firstEditSent), firstEditApplied: at(tm.firstEditApplied), firstHunkReady: at(tm.firstHunkReady),
      lastEditApplied: at(tm.acceptLensProvided !== undefined ? tm.lastEditBeforeLens : tm.lastEditApplied), acceptLensProvided: at(tm.acceptLensProvided),
    },
  });
}

/** The lines an edit targets: the selection (whole lines), or the enclosing function/class around the cursor. */
async function targetLines(editor: vscode.TextEditor): Promise<{ start: number; end: number }> {
  const sel = editor.selection;
  let start = sel.start.line;
  let end = sel.end.line;
  if (!sel.isEmpty && sel.end.character === 0 && end > start) end--;
  if (sel.isEmpty) ({ start, end } = await enclosingBlock(editor.document, sel.active));
  return { start, end };
}

/** The innermost function/class/method around a position, from the document's symbols (whole lines). */
async function enclosingBlock(doc: vscode.TextDocument, pos: vscode.Position): Promise<{ start: number; end: number }> {
  try {
    const symbols = await Promise.race([
      vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000)),
    ]);
    let best: vscode.DocumentSymbol | undefined;
    const walk = (list: vscode.DocumentSymbol[] | undefined) => {
      for (const s of list ?? []) {
        if (!s.range || !s.range.contains(pos)) continue;
        // Named functions, methods and classes: not anonymous callbacks ("then() callback", "<function>").
        const anonymous = /callback$|^<|^\(anonymous/.test(s.name);
        if (!anonymous && [vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Class, vscode.SymbolKind.Constructor].includes(s.kind)) best = s;
        walk(s.children);
      }
    };
    walk(symbols ?? undefined);
    if (best) return { start: best.range.start.line, end: best.range.end.line };
  } catch { /* no symbol provider */ }
  // No symbols (none for this language, or its server is still starting): go by indentation.
  const lines: string[] = [];
  for (let i = 0; i < doc.lineCount; i++) lines.push(doc.lineAt(i).text);
  return indentBlock(lines, pos.line);
}

export function deactivate() { /* everything is in context.subscriptions */ }
