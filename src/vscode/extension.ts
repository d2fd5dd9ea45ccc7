import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { PreviewRegion, Hunk } from '../core/session/region';
import { ResponsesSocketTransport } from '../core/transport/responsesSocket';
import { ModelError } from '../core/transport/types';
import { ModelServer } from '../server/modelServer';
import { DEFAULT_ENDPOINT, RECONNECT_SETTINGS, SECRET_KEY, Settings, endpointProblem, readSettings } from './config';
import { Decorations, SessionView, createDecorations } from './preview';
import { StatusBar } from './statusBar';

export interface EditArgs { instruction?: string }
export interface HunkArgs { sessionId: number; hunkId: number }

/** What `activate` returns: used by the integration tests (and by anyone scripting Spark Edit). */
export interface SparkEditApi {
  transport(): ResponsesSocketTransport | undefined;
  ready(): Promise<void>;
  sessions(): SessionView[];
  session(id: number): SessionView | undefined;
  endpoint(): string;
  usingDemoModel(): boolean;
}

/**
 * The composition root: the one place where the VS Code-free core is wired to the editor.
 * Everything created here is disposed with the extension.
 */
export async function activate(context: vscode.ExtensionContext): Promise<SparkEditApi> {
  const out = vscode.window.createOutputChannel('Spark Edit', { log: true });
  const log = (m: string) => out.info(m);
  const status = new StatusBar();
  const decorations: Decorations = createDecorations();
  const sessions = new Map<number, SessionView>();
  const lensEmitter = new vscode.EventEmitter<void>();
  context.subscriptions.push(out, status, lensEmitter, decorations.added, decorations.removed, decorations.partial);

  let transport: ResponsesSocketTransport | undefined;
  let demo: ModelServer | undefined;
  let endpoint = '';
  let usingDemo = false;
  let settings: Settings = readSettings();
  let connecting: Promise<void> = Promise.resolve();
  let configProblem: string | undefined;

  async function apiKey(): Promise<string | undefined> {
    return (await context.secrets.get(SECRET_KEY)) || process.env.OPENAI_API_KEY || undefined;
  }

  /** (Re)connect: on activation, and again when a connection setting or the key changes. */
  function connect(): Promise<void> {
    connecting = (async () => {
      transport?.dispose();
      transport = undefined;
      settings = readSettings();
      const key = await apiKey();
      usingDemo = !key && settings.useDemoModelWithoutKey && settings.endpoint === DEFAULT_ENDPOINT;
      if (usingDemo) {
        if (!demo) {
          demo = await new ModelServer({ defaultTokensPerSecond: settings.demoTokensPerSecond }).listen();
          log(`no API key: using the built-in demo model on ${demo.url}`);
        }
        endpoint = demo.url;
      } else {
        if (demo) { await demo.close(); demo = undefined; }
        endpoint = settings.endpoint;
      }
      configProblem = endpointProblem(endpoint, settings.allowInsecureEndpoint);
      if (configProblem) {
        log(configProblem);
        status.setConnection('offline', usingDemo, configProblem);
        return;
      }
      const t = new ResponsesSocketTransport({ url: endpoint, apiKey: key, log });
      transport = t;
      t.onDidChangeState((s) => {
        status.setConnection(s, usingDemo, s === 'offline' && t.lastError ? t.lastError.message : '');
        if (s === 'offline') log(`offline: ${t.lastError?.message ?? 'unknown'}`);
      });
      status.setConnection('connecting', usingDemo);
      log(`connecting to ${endpoint.replace(/\/\/[^@/]*@/, '//')} (model ${settings.model})`);
      await t.connect(); // pre-warm: the socket is open before the first request
    })();
    return connecting;
  }

  context.subscriptions.push({ dispose: () => { transport?.dispose(); void demo?.close(); } });
  void connect();

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (RECONNECT_SETTINGS.some((s) => e.affectsConfiguration(s))) void connect();
  }));
  context.subscriptions.push(context.secrets.onDidChange((e) => { if (e.key === SECRET_KEY) void connect(); }));

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

  function updateContext() {
    const v = activeView();
    void vscode.commands.executeCommand('setContext', 'sparkEdit.streaming', !!v && v.session.isStreaming);
    void vscode.commands.executeCommand('setContext', 'sparkEdit.hasPending', !!v);
  }

  function reportError(v: SessionView, e: ModelError, kept: boolean) {
    const what = kept ? 'What arrived is kept as a pending diff: accept or reject it.' : 'Your text is unchanged.';
    const hint = e.kind === 'auth' ? 'Set a key with "Spark Edit: Set API Key".'
      : e.kind === 'network' || e.kind === 'timeout' ? 'Spark Edit reconnects by itself; try again.'
        : e.kind === 'rate_limit' ? 'Wait a moment and try again.' : '';
    log(`edit ${v.session.id} failed (${e.kind}${e.code ? ` ${e.code}` : ''}): ${e.message}`);
    void vscode.window.showErrorMessage(`Spark Edit: ${e.message} ${what} ${hint}`.trim());
  }

  context.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
    for (const v of viewsFor(e.document)) v.onDocumentChanged(e);
  }));
  context.subscriptions.push(vscode.workspace.onDidCloseTextDocument((doc) => {
    for (const v of [...sessions.values()].filter((s) => s.document === doc)) {
      log(`document closed: edit ${v.session.id} dropped`);
      v.dispose();
    }
  }));
  context.subscriptions.push(vscode.window.onDidChangeVisibleTextEditors((eds) => {
    for (const v of sessions.values()) v.decorate(eds);
  }));
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => updateContext()));
  context.subscriptions.push(vscode.window.onDidChangeTextEditorSelection(() => updateContext()));
  context.subscriptions.push({ dispose: () => { for (const v of sessions.values()) v.dispose(); sessions.clear(); } });

  async function startEdit(args?: EditArgs): Promise<{ sessionId: number } | undefined> {
    let t0 = performance.now();
    const editor = vscode.window.activeTextEditor;
    if (!editor) { void vscode.window.showInformationMessage('Spark Edit: open a file and select code to edit.'); return; }
    const doc = editor.document;
    const sel = editor.selection;
    let startLine = sel.start.line;
    let endLine = sel.end.line;
    if (!sel.isEmpty && sel.end.character === 0 && endLine > startLine) endLine--;
    if (sel.isEmpty) {
      const r = await enclosingBlock(doc, sel.active);
      if (r) { startLine = r.start; endLine = r.end; }
    }
    const overlapping = viewsFor(doc).find((v) => startLine < v.region.endLine && endLine >= v.region.startLine);
    if (overlapping) {
      void vscode.window.showWarningMessage('Spark Edit: this code already has a pending edit. Accept or reject it first.');
      return;
    }
    const lines = endLine - startLine + 1;
    if (lines > settings.maxSelectionLines) {
      void vscode.window.showWarningMessage(`Spark Edit: the selection has ${lines} lines; the limit is ${settings.maxSelectionLines} ("sparkEdit.maxSelectionLines").`);
      return;
    }
    let instruction = args?.instruction;
    if (instruction === undefined) {
      instruction = await vscode.window.showInputBox({ title: 'Spark Edit', prompt: `Edit ${lines} line${lines === 1 ? '' : 's'} of ${vscode.workspace.asRelativePath(doc.uri)}`, placeHolder: 'e.g. add error handling, convert to async/await, rename x to y', ignoreFocusOut: true });
    }
    if (!instruction?.trim()) return;
    if (args?.instruction === undefined) t0 = performance.now(); // time starts when the user confirms, not while they type
    await connecting;
    if (configProblem || !transport) {
      void vscode.window.showErrorMessage(`Spark Edit: ${configProblem ?? 'no model connection'} Open settings to fix it.`, 'Open Settings').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit');
      });
      return;
    }
    const original: string[] = [];
    for (let i = startLine; i <= endLine; i++) original.push(doc.lineAt(i).text);
    const ctx = settings.contextLines;
    const before: string[] = []; const after: string[] = [];
    for (let i = Math.max(0, startLine - ctx); i < startLine; i++) before.push(doc.lineAt(i).text);
    for (let i = endLine + 1; i < Math.min(doc.lineCount, endLine + 1 + ctx); i++) after.push(doc.lineAt(i).text);
    const region = new PreviewRegion(startLine, original);
    const view = new SessionView(doc, region, {
      instruction, code: original.join('\n'), fileName: vscode.workspace.asRelativePath(doc.uri), languageId: doc.languageId,
      before: before.join('\n') || undefined, after: after.join('\n') || undefined,
    }, settings.model, transport, decorations, log, reportError, t0);
    sessions.set(view.session.id, view);
    view.onDidChange(() => { lensEmitter.fire(); updateContext(); });
    view.onDidEnd(() => {
      const s = view.session.stats;
      status.setStats(s);
      log(`edit ${view.session.id} ended: ${view.session.state}; first byte ${s.sendLatencyMs?.toFixed(2)} ms, first token ${s.ttftMs?.toFixed(1)} ms, ${s.tokensPerSecond?.toFixed(0)} tok/s, ${view.flushes} document updates`);
      sessions.delete(view.session.id);
      view.dispose();
      lensEmitter.fire();
      updateContext();
    });
    view.session.onEvent((e) => { if (e.kind === 'state' && (e.state === 'pending' || e.state === 'done')) status.setStats(view.session.stats); });
    view.start();
    updateContext();
    return { sessionId: view.session.id };
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
  reg('sparkEdit.setApiKey', async () => {
    const key = await vscode.window.showInputBox({ title: 'Spark Edit: API Key', prompt: 'Stored in VS Code SecretStorage, never in settings.', password: true, ignoreFocusOut: true });
    if (key === undefined) return;
    if (key.trim()) await context.secrets.store(SECRET_KEY, key.trim());
    void vscode.window.showInformationMessage('Spark Edit: API key saved in SecretStorage.');
  });
  reg('sparkEdit.clearApiKey', async () => { await context.secrets.delete(SECRET_KEY); void vscode.window.showInformationMessage('Spark Edit: API key removed.'); });
  reg('sparkEdit.showLog', () => out.show(true));
  reg('sparkEdit.reconnect', () => connect());

  // ---- CodeLens: Accept / Reject per hunk, Accept All / Reject All, streaming controls ----------------
  context.subscriptions.push(vscode.languages.registerCodeLensProvider({ scheme: '*' }, {
    onDidChangeCodeLenses: lensEmitter.event,
    provideCodeLenses(doc) {
      const lenses: vscode.CodeLens[] = [];
      for (const v of viewsFor(doc)) {
        const region = v.region;
        const top = new vscode.Range(region.startLine, 0, region.startLine, 0);
        const sid = v.session.id;
        if (v.session.isStreaming) {
          lenses.push(new vscode.CodeLens(top, { title: '$(loading~spin) Spark Edit is writing… Stop (Esc)', command: 'sparkEdit.interrupt', arguments: [{ sessionId: sid }] }));
          lenses.push(new vscode.CodeLens(top, { title: 'Redirect…', command: 'sparkEdit.redirect', arguments: [{ sessionId: sid }] }));
        }
        const pending = region.pendingHunks();
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

  updateContext();
  return {
    transport: () => transport,
    ready: () => connecting,
    sessions: () => [...sessions.values()],
    session: (id) => sessions.get(id),
    endpoint: () => endpoint,
    usingDemoModel: () => usingDemo,
  };
}

/** The innermost function/class/method around a position, from the document's symbols (whole lines). */
async function enclosingBlock(doc: vscode.TextDocument, pos: vscode.Position): Promise<{ start: number; end: number } | undefined> {
  try {
    const symbols = await Promise.race([
      vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 1500)),
    ]);
    let best: vscode.DocumentSymbol | undefined;
    const walk = (list: vscode.DocumentSymbol[] | undefined) => {
      for (const s of list ?? []) {
        if (!s.range || !s.range.contains(pos)) continue;
        if ([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Class, vscode.SymbolKind.Constructor].includes(s.kind)) best = s;
        walk(s.children);
      }
    };
    walk(symbols ?? undefined);
    if (best) return { start: best.range.start.line, end: best.range.end.line };
  } catch { /* no symbol provider */ }
  return { start: pos.line, end: pos.line };
}

export function deactivate() { /* everything is in context.subscriptions */ }
