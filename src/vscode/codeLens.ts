import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { EditSessions } from './sessions';
import { inlayControlsShown } from './inlayControls';

function lens(at: vscode.Range, title: string, command: string, args?: unknown): vscode.CodeLens {
  return new vscode.CodeLens(at, { title, command, arguments: args === undefined ? undefined : [args] });
}

/**
 * CodeLens on pending edits: Accept All / Reject All and the streaming controls above the edit. The per-hunk
 * Accept / Reject are inlay hints (inlayControls.ts: they appear with the hunk, CodeLens ≥ 250 ms after the last
 * change); they are lenses here only where the editor draws no inlay hints (`editor.inlayHints.enabled` off).
 */
export class PendingEditLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subs: vscode.Disposable[];

  /** `newFiles`: the deep jobs' new files (uri → workspace path), created on disk only when accepted. */
  constructor(
    private readonly sessions: EditSessions,
    private readonly newFiles: ReadonlyMap<string, string>,
  ) {
    this.subs = [
      sessions.onDidChangeLenses(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('editor.inlayHints.enabled')) this.changed.fire();
      }),
    ];
  }

  dispose() {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    const perHunk = !inlayControlsShown(doc);
    for (const v of this.sessions.viewsFor(doc)) {
      if (v.suspended) continue; // set aside for a save: its lines are not in the document this moment
      const region = v.region;
      const top = new vscode.Range(region.startLine, 0, region.startLine, 0);
      const sid = { sessionId: v.session.id };
      const newFile = this.newFiles.get(doc.uri.toString());
      if (newFile) lenses.push(lens(top, `$(new-file) New file ${newFile}: created on disk only when you accept`, ''));
      if (v.session.isStreaming) {
        lenses.push(lens(top, '$(loading~spin) Spark Edit is writing… Stop (Esc)', 'sparkEdit.interrupt', sid));
        lenses.push(lens(top, 'Redirect…', 'sparkEdit.redirect', sid));
      }
      if (v.session.canContinue) {
        lenses.push(lens(top, '$(debug-continue) Continue (the model stopped early)', 'sparkEdit.continue', sid));
        // Nothing proposed yet (issue 11): the only other choice is to leave the code as it is.
        if (!region.pendingHunks().length) lenses.push(lens(top, 'Dismiss (Esc)', 'sparkEdit.rejectAll', sid));
      }
      const pending = region.pendingHunks();
      if (pending.length && v.timing.acceptLensProvided === undefined) {
        v.timing.acceptLensProvided = performance.now();
        v.timing.lastEditBeforeLens = v.timing.lastEditApplied;
      }
      if (v.acceptAllOffered) {
        // One operation over several files (issue 11): its Accept All / Reject All decide every file.
        const n = this.sessions.groups.fileCount(v);
        const files = n > 1 ? ` — ${n} files` : '';
        lenses.push(lens(top, `Accept All${files} (Ctrl+Enter)`, 'sparkEdit.acceptAll', sid));
        lenses.push(lens(top, `Reject All${files} (Ctrl+Backspace)`, 'sparkEdit.rejectAll', sid));
      }
      if (!perHunk) continue;
      for (const { hunk: h, row: idx } of region.hunkAnchors()) {
        if (h.state !== 'pending') continue;
        const at = new vscode.Range(region.startLine + idx, 0, region.startLine + idx, 0);
        lenses.push(lens(at, '$(check) Accept', 'sparkEdit.acceptHunk', { ...sid, hunkId: h.id }));
        lenses.push(lens(at, '$(close) Reject', 'sparkEdit.rejectHunk', { ...sid, hunkId: h.id }));
      }
    }
    return lenses;
  }
}
