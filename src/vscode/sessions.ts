import { activeCodeEditor } from './util/codeEditor';
import * as vscode from 'vscode';
import { reportLeftOutBlocks } from './targeted';
import { performance } from 'node:perf_hooks';
import { Hunk, PreviewRegion } from '../core/session/region';
import { removedPrefix } from '../core/session/removedRows';
import { syntaxFor } from '../core/session/structure';
import { readRemovedLines } from './config';
import { ModelError, ModelTransport } from '../core/transport/types';
import { StaticTransport } from '../core/transport/fallback';
import { InputMessage } from '../core/protocol/responses';
import { EditPromptInput } from '../core/prompt';
import { Ctx } from './ctx';
import { endedLine, reportError, timelineOf } from './editReports';
import { Decorations, SessionView, createDecorations } from './preview';
import { ChangeHold, type ChangeReceipt } from '../core/util/changeHold';
import { UndoGuard, ViewState } from './undoGuard';
import { Disposable } from './util/dispose';
import { EditGroups } from './editGroups';

export interface HunkArgs {
  sessionId: number;
  hunkId: number;
}

/**
 * The pending edits (one `SessionView` each): creating and reviving them, their undo guards, the context keys, and
 * what happens to them when their document changes, closes, is renamed or deleted, or its tab closes.
 */
export class EditSessions extends Disposable {
  private readonly views = new Map<number, SessionView>();
  /** Undo/redo across previews (issue 11): one guard per document that has had a preview. */
  private readonly guards = new Map<vscode.TextDocument, UndoGuard>();
  private readonly contextKeys = new Map<string, boolean>();
  private readonly decorations: Decorations = createDecorations();
  private readonly lensEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires when the CodeLenses of a pending edit may have changed. */
  readonly onDidChangeLenses = this.lensEmitter.event;
  /** Multi-place operations (issue 11): one Accept All / Reject All over the previews of a rename or deep job. */
  readonly groups: EditGroups;

  constructor(private readonly ctx: Ctx) {
    super();
    this.groups = this._register(new EditGroups(ctx.log));
    const d = this.decorations;
    for (const t of [d.added, d.removed, d.partial, d.stopped, d.addedChars, d.removedChars, d.removedPrefix])
      this._register(t);
    this._register({
      dispose: () => {
        for (const v of this.views.values()) v.dispose();
        this.views.clear();
      },
    });
    this.listen();
  }

  all(): SessionView[] {
    return [...this.views.values()];
  }
  get(id: number): SessionView | undefined {
    return this.views.get(id);
  }

  viewsFor(doc: vscode.TextDocument): SessionView[] {
    return [...this.views.values()].filter((v) => v.document === doc && !v.isEnded);
  }

  /** The session under the cursor, else the newest in the active editor's file. */
  activeView(): SessionView | undefined {
    const ed = activeCodeEditor();
    if (!ed) return undefined;
    const vs = this.viewsFor(ed.document);
    const line = ed.selection.active.line;
    return vs.find((v) => line >= v.region.startLine && line < v.region.endLine) ?? vs[vs.length - 1];
  }

  /** The session a command names, else the active one. */
  viewFromArgs(args?: { sessionId?: number }): SessionView | undefined {
    return args?.sessionId !== undefined ? this.views.get(args.sessionId) : this.activeView();
  }

  hunkFromArgs(args?: HunkArgs): { v: SessionView; h: Hunk } | undefined {
    const v = this.viewFromArgs(args);
    const h = v?.region.hunks.find((x) => x.id === args?.hunkId);
    return v && h ? { v, h } : undefined;
  }

  /** Context keys change rarely but are recomputed on every cursor move: only changes go to the workbench. */
  updateContext(): void {
    const v = this.activeView();
    this.setContext('sparkEdit.streaming', !!v && v.session.isStreaming);
    this.setContext('sparkEdit.hasPending', !!v);
    const doc = activeCodeEditor()?.document;
    this.setContext('sparkEdit.redoIsOurs', !!doc && !!this.guards.get(doc)?.redoIsOurs);
    this.setContext('sparkEdit.canContinue', !!v && v.session.canContinue);
    // The editor title's ✓ (issue 17): "Accept (stops writing)" while the stream writes, Accept All once it ended.
    const soFar = !!v && v.acceptSoFarOffered;
    this.setContext('sparkEdit.canAcceptSoFar', soFar);
    this.setContext('sparkEdit.canAcceptAll', !soFar && !!v && !v.session.isStreaming && v.acceptAllOffered);
    this.groups.updateStatus(v);
  }

  refreshLenses(): void {
    this.lensEmitter.fire();
  }

  /** The undo guard or a save is moving `doc` through its history (see SparkEditApi.undoBusy). */
  undoBusy(doc: vscode.TextDocument): boolean {
    return this.guards.get(doc)?.busy ?? false;
  }

  hasGuard(doc: vscode.TextDocument): boolean {
    return this.guards.has(doc);
  }

  guardFor(doc: vscode.TextDocument): UndoGuard {
    let g = this.guards.get(doc);
    if (!g) {
      g = new UndoGuard(doc, {
        views: (d) => this.viewsFor(d),
        revive: (d, st) => this.revive(d, st),
        log: this.ctx.log,
        changed: () => this.updateContext(),
      });
      this.guards.set(doc, g);
    }
    return g;
  }

  /** A change already known in full (deep-mode hunk, semantic rename, chat Apply) as a pending inline diff, unless lines overlap another. */
  previewChange(
    doc: vscode.TextDocument,
    startLine: number,
    oldLines: string[],
    newLines: string[],
    instruction: string,
    group?: number,
  ): SessionView | undefined {
    if (
      this.viewsFor(doc).some(
        (v) => startLine < v.region.endLine && startLine + Math.max(1, oldLines.length) > v.region.startLine,
      )
    )
      return undefined;
    const transport = new StaticTransport(newLines.length ? newLines.join('\n') + '\n' : '');
    const view = this.create(
      doc,
      startLine,
      oldLines,
      { instruction, code: oldLines.join('\n') },
      'deep',
      transport,
      performance.now(),
    );
    if (group !== undefined) {
      this.groups.join(group, view);
      this.lensEmitter.fire();
    }
    return view;
  }

  /** One pending edit in one document: the view that previews it, wired to CodeLens, context keys and stats. */
  create(
    doc: vscode.TextDocument,
    startLine: number,
    original: string[],
    prompt: EditPromptInput,
    model: string,
    transport: ModelTransport,
    t0: number,
    warm?: { responseId: string; context: InputMessage },
  ): SessionView {
    this.guardFor(doc).checkpoint(); // the state before this preview: where undo returns to
    // Removed lines as comments for every preview: streamed edits and known changes (deep, rename, chat Apply).
    const region = new PreviewRegion(startLine, original, removedPrefix(doc.languageId, readRemovedLines()));
    region.syntax = syntaxFor(doc.languageId); // a stopped stream proposes whole constructs only (issue 11)
    const view = new SessionView(
      doc,
      region,
      prompt,
      model,
      transport,
      this.decorations,
      this.ctx.log,
      this.onError,
      t0,
    );
    reportLeftOutBlocks(view.session, this.ctx.log); // targeted blocks left out: say so (the listener ends with the session)
    if (warm) view.session.useWarmup(warm);
    this.wire(view, transport);
    view.start();
    this.updateContext();
    return view;
  }

  /** A pending preview shown again by undo/redo, over the document's current text (which is exactly the snapshot's). */
  private revive(doc: vscode.TextDocument, st: ViewState): SessionView | undefined {
    const n = st.region.lineCount;
    if (doc.isClosed || st.region.startLine + n > doc.lineCount) return undefined;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(doc.lineAt(st.region.startLine + i).text);
    const view = new SessionView(
      doc,
      PreviewRegion.restore(st.region, lines),
      st.prompt,
      st.model,
      st.transport,
      this.decorations,
      this.ctx.log,
      this.onError,
      performance.now(),
      true,
    );
    if (st.group !== undefined) this.groups.join(st.group, view);
    this.wire(view, st.transport);
    view.decorate();
    this.lensEmitter.fire();
    this.updateContext();
    return view;
  }

  private readonly onError = (v: SessionView, e: ModelError, kept: boolean): void =>
    reportError(v, e, kept, { log: this.ctx.log, redact: this.ctx.redact, continued: () => this.updateContext() });

  private wire(view: SessionView, transport: ModelTransport): void {
    const { log, status } = this.ctx;
    const doc = view.document;
    const guard = this.guardFor(doc);
    view.hooks = {
      ownEdit: (streaming) => {
        guard.history.noteOwnEdit(streaming);
        guard.noteOwnEdit();
      },
      synced: () => guard.checkpoint(!view.suspended), // a per-hunk decision during a save: recorded after it
    };
    this.views.set(view.session.id, view);
    view.onDidChange(() => {
      if (view.timing.firstHunkReady === undefined && view.region.pendingHunks().length)
        view.timing.firstHunkReady = performance.now();
      this.lensEmitter.fire();
      this.updateContext();
    });
    view.onDidEnd(() => {
      if (transport.name !== 'static') status.setStats(view.session.stats);
      if (transport.name !== 'static') log(timelineOf(view));
      log(endedLine(view, transport));
      this.views.delete(view.session.id);
      this.guards.get(doc)?.checkpoint(!view.suspended); // the accepted or rejected result (a dropped view is suspended)
      // After the other end listeners (deep mode's among them): disposing now would drop them mid-delivery.
      queueMicrotask(() => view.dispose());
      this.lensEmitter.fire();
      this.updateContext();
    });
    view.session.onEvent((e) => {
      if (transport.name !== 'static' && e.kind === 'state' && (e.state === 'pending' || e.state === 'done'))
        status.setStats(view.session.stats);
      // The model answered with the code unchanged: say so (not only in the status bar). Not when the answer was
      // stopped before its first change (Esc 80-150 ms after Enter was told "the model returned the code unchanged").
      if (e.kind !== 'state' || e.state !== 'done' || view.session.error || view.region.hunks.length) return;
      if (view.region.stop) log(`edit ${view.session.id}: ${view.region.stop.reason} before any change arrived`);
      else if (!view.session.leftOut && view.session.text.length > 0) {
        log(`edit ${view.session.id}: no changes proposed (the model returned the code unchanged)`);
        void vscode.window.showInformationMessage(
          'Spark Edit: no changes proposed — the model returned the code unchanged.',
        );
      }
    });
  }

  /** The value last sent for a context key (what `when` clauses see), e.g. `sparkEdit.hasPending`. */
  contextValue(key: string): boolean | undefined {
    return this.contextKeys.get(key);
  }

  private setContext(key: string, value: boolean): void {
    if (this.contextKeys.get(key) === value) return;
    this.contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  private listen(): void {
    this._register(
      vscode.workspace.onDidChangeTextDocument(
        (e) => e.contentChanges.length > 0 && this.hold.offer(e, this.viewsFor(e.document)),
      ),
    );
    this._register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.guards.delete(doc);
        for (const v of this.all().filter((s) => s.document === doc)) {
          this.ctx.log(`document closed: edit ${v.session.id} dropped`);
          v.dispose();
        }
      }),
    );
    this._register(
      vscode.workspace.onWillRenameFiles((e) =>
        e.waitUntil(
          this.beforeFileOp(
            e.files.map((f) => f.oldUri),
            'renamed',
          ),
        ),
      ),
    );
    this._register(vscode.workspace.onWillDeleteFiles((e) => e.waitUntil(this.beforeFileOp(e.files, 'deleted'))));
    this._register(vscode.window.tabGroups.onDidChangeTabs((e) => this.onTabsChanged(e)));
    this._register(
      vscode.window.onDidChangeVisibleTextEditors((eds) => {
        for (const v of this.views.values()) v.decorate(eds);
      }),
    );
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()));
    this._register(vscode.window.onDidChangeTextEditorSelection(() => this.updateContext()));
  }

  /** Changes that look like one of our edits wait for its answer, and the changes after them too (issue 11, CI 36). */
  private readonly hold = new ChangeHold<vscode.TextDocument, vscode.TextDocumentChangeEvent, SessionView>(
    (e, receipts) => this.onDocumentChanged(e, receipts),
    (m) => this.ctx.log(m),
  );

  private onDocumentChanged(e: vscode.TextDocumentChangeEvent, receipts: Map<SessionView, ChangeReceipt>): void {
    const g = this.guards.get(e.document);
    // Undo/redo go to the guard even while it is busy: it tells its own steps from others' (issue 11).
    if (g && (e.reason === vscode.TextDocumentChangeReason.Undo || e.reason === vscode.TextDocumentChangeReason.Redo)) {
      g.onUndoRedo(e.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : 'redo', e);
      return;
    }
    // The guard or a save moving the document suspends the previews it moves, and they keep what comes meanwhile: a
    // keystroke that beat the guard's edit is followed once it is known that the edit failed (issue 11, HA). The
    // others follow every change (the user's; a set-aside below them, which leaves them where they are).
    let ours = false;
    for (const [v, r] of receipts) ours = v.onDocumentChanged(e, r) || ours;
    if (g && !ours && !g.busy) g.history.noteUserEdit();
  }

  /**
   * Renaming or deleting a file with a pending diff: reject it first (the original comes back), so the preview's
   * removed and added lines never travel with the file without a way to resolve them.
   */
  private beforeFileOp(uris: readonly vscode.Uri[], what: string): Promise<void> {
    const targets = this.all().filter((v) =>
      uris.some(
        (u) => v.document.uri.toString() === u.toString() || v.document.uri.toString().startsWith(u.toString() + '/'),
      ),
    );
    if (!targets.length) return Promise.resolve();
    this.ctx.log(`${what}: rejecting ${targets.length} pending edit(s) first`);
    void vscode.window.showInformationMessage(
      `Spark Edit: a pending edit was rejected because its file is being ${what}.`,
    );
    return Promise.all(targets.map((v) => v.rejectAll())).then(() => undefined);
  }

  /**
   * Closing a file's last tab (whether saved or reverted) drops its previews and stops their streams. The
   * document itself may stay open in the extension host for a while, so tabs are what tell.
   */
  private onTabsChanged(e: vscode.TabChangeEvent): void {
    const uriOf = (t: vscode.Tab) => (t.input instanceof vscode.TabInputText ? t.input.uri.toString() : '');
    const closed = new Set(e.closed.map(uriOf));
    if (!closed.size) return;
    const open = new Set(vscode.window.tabGroups.all.flatMap((g) => g.tabs).map(uriOf));
    for (const v of this.all()) {
      const u = v.document.uri.toString();
      // Only files whose own tab just closed (deep-mode previews may sit in files that never had a tab).
      if (!closed.has(u) || open.has(u)) continue;
      this.ctx.log(`${vscode.workspace.asRelativePath(v.document.uri)} was closed: edit ${v.session.id} dropped`);
      v.dispose();
    }
  }
}
