import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { EditSessions } from './sessions';

/** CodeLens on pending edits: Accept / Reject per hunk, Accept All / Reject All, the streaming controls. */
export class PendingEditLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  /** `newFiles`: the deep jobs' new files (uri → workspace path), created on disk only when accepted. */
  constructor(
    private readonly sessions: EditSessions,
    private readonly newFiles: ReadonlyMap<string, string>,
  ) {
    this.onDidChangeCodeLenses = sessions.onDidChangeLenses;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const v of this.sessions.viewsFor(doc)) {
      if (v.suspended) continue; // set aside for a save: its lines are not in the document this moment
      const region = v.region;
      const top = new vscode.Range(region.startLine, 0, region.startLine, 0);
      const sid = v.session.id;
      const newFile = this.newFiles.get(doc.uri.toString());
      if (newFile)
        lenses.push(
          new vscode.CodeLens(top, {
            title: `$(new-file) New file ${newFile}: created on disk only when you accept`,
            command: '',
          }),
        );
      if (v.session.isStreaming) {
        lenses.push(
          new vscode.CodeLens(top, {
            title: '$(loading~spin) Spark Edit is writing… Stop (Esc)',
            command: 'sparkEdit.interrupt',
            arguments: [{ sessionId: sid }],
          }),
        );
        lenses.push(
          new vscode.CodeLens(top, {
            title: 'Redirect…',
            command: 'sparkEdit.redirect',
            arguments: [{ sessionId: sid }],
          }),
        );
      }
      if (v.session.canContinue)
        lenses.push(
          new vscode.CodeLens(top, {
            title: '$(debug-continue) Continue (the model stopped early)',
            command: 'sparkEdit.continue',
            arguments: [{ sessionId: sid }],
          }),
        );
      const pending = region.pendingHunks();
      if (pending.length && v.timing.acceptLensProvided === undefined) {
        v.timing.acceptLensProvided = performance.now();
        v.timing.lastEditBeforeLens = v.timing.lastEditApplied;
      }
      if (pending.length > 1 || (pending.length > 0 && !v.session.isStreaming)) {
        // One operation over several files (issue 11): its Accept All / Reject All decide every file.
        const n = this.sessions.groups.fileCount(v);
        const files = n > 1 ? ` — ${n} files` : '';
        lenses.push(
          new vscode.CodeLens(top, {
            title: `Accept All${files} (Ctrl+Enter)`,
            command: 'sparkEdit.acceptAll',
            arguments: [{ sessionId: sid }],
          }),
        );
        lenses.push(
          new vscode.CodeLens(top, {
            title: `Reject All${files} (Ctrl+Backspace)`,
            command: 'sparkEdit.rejectAll',
            arguments: [{ sessionId: sid }],
          }),
        );
      }
      for (const { hunk: h, row: idx } of region.hunkAnchors()) {
        if (h.state !== 'pending') continue;
        const at = new vscode.Range(region.startLine + idx, 0, region.startLine + idx, 0);
        lenses.push(
          new vscode.CodeLens(at, {
            title: '$(check) Accept',
            command: 'sparkEdit.acceptHunk',
            arguments: [{ sessionId: sid, hunkId: h.id }],
          }),
        );
        lenses.push(
          new vscode.CodeLens(at, {
            title: '$(close) Reject',
            command: 'sparkEdit.rejectHunk',
            arguments: [{ sessionId: sid, hunkId: h.id }],
          }),
        );
      }
    }
    return lenses;
  }
}
