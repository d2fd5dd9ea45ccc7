import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { EditSessions } from './sessions';
import { inlayControlsShown } from './inlayControls';
import { Row, rowKeptIf } from '../core/session/region';

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
    const lenses = this.lensesFor(doc);
    for (const v of this.sessions.viewsFor(doc)) {
      if (v.region.pendingHunks().length && v.timing.acceptLensProvided === undefined) {
        v.timing.acceptLensProvided = performance.now();
        v.timing.lastEditBeforeLens = v.timing.lastEditApplied;
      }
    }
    return lenses;
  }

  private lensesFor(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    const perHunk = !inlayControlsShown(doc);
    for (const v of this.sessions.viewsFor(doc)) {
      // Set aside for a save (its added lines are out of the document this moment): the same lenses, on the lines
      // that are there (issue 11, HA item 3: the lenses went for the set-aside, and came back ≥ 250 ms later).
      const region = v.region;
      const at = (line: number) => {
        const l = Math.min(Math.max(0, line), Math.max(0, doc.lineCount - 1));
        return new vscode.Range(l, 0, l, 0);
      };
      const top = at(region.startLine);
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
      const anchors = region.hunkAnchors().filter((x) => x.hunk.state === 'pending');
      const line = (row: number) => region.startLine + (v.suspended ? keptRowsBefore(region.renderedRows(), row) : row);
      if (v.acceptAllOffered) {
        // Above the first pending hunk, not the region's top (issue 11, HA item 2: after a per-hunk decision the lens
        // sat above the function the decided hunk was in, far from the hunks left).
        const first = anchors.length ? at(line(anchors[0].row)) : top;
        // One operation over several files (issue 11): its Accept All / Reject All decide every file.
        const n = this.sessions.groups.fileCount(v);
        const files = n > 1 ? ` — ${n} files` : '';
        lenses.push(lens(first, `Accept All${files} (Ctrl+Enter)`, 'sparkEdit.acceptAll', sid));
        lenses.push(lens(first, `Reject All${files} (Ctrl+Backspace)`, 'sparkEdit.rejectAll', sid));
      }
      if (!perHunk) continue;
      for (const { hunk: h, row: idx } of anchors) {
        const r = at(line(idx));
        lenses.push(lens(r, '$(check) Accept', 'sparkEdit.acceptHunk', { ...sid, hunkId: h.id }));
        lenses.push(lens(r, '$(close) Reject', 'sparkEdit.rejectHunk', { ...sid, hunkId: h.id }));
      }
    }
    return lenses;
  }
}

/** How many of the rendered rows before `row` stay in the document while it is set aside (what Reject would keep). */
function keptRowsBefore(rows: readonly Row[], row: number): number {
  let n = 0;
  for (let i = 0; i < row && i < rows.length; i++) if (rowKeptIf(rows[i], 'reject')) n++;
  return n;
}
