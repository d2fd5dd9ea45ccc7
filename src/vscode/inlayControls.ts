import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { EditSessions } from './sessions';

/** The labels of the per-hunk controls (the felt bench looks for ACCEPT_LABEL in the editor's DOM). */
export const ACCEPT_LABEL = '✓ Accept';
export const REJECT_LABEL = '✗ Reject';

/**
 * Whether the editor draws inlay hints for this document (`editor.inlayHints.enabled`, per language). "on" and
 * "onUnlessPressed" show them; "off" and "offUnlessPressed" (shown only while Ctrl+Alt is held) do not, and then the
 * per-hunk controls stay CodeLens (codeLens.ts), so they are never missing.
 */
export function inlayControlsShown(doc: vscode.TextDocument): boolean {
  const v = vscode.workspace.getConfiguration('editor', doc).get<string>('inlayHints.enabled', 'on');
  return v === 'on' || v === 'onUnlessPressed';
}

/**
 * Per-hunk Accept / Reject as clickable inlay hints at the end of each pending hunk's first row (issue 17).
 * VS Code 1.139 asks inlay hint providers again ~25 ms after a document change or a provider's change event
 * (InlayHintsController, LanguageFeatureDebounce min 25 ms), against ≥ 250 ms for CodeLens, so the controls appear
 * with the hunk. At the end of the hunk's first added row (its first row when it only removes) they push no code around (no line is inserted, nothing before them moves).
 * The whole edit's controls (Accept All / Reject All, Stop / Redirect) stay CodeLens above the edit.
 */
export class PendingEditInlayControls implements vscode.InlayHintsProvider {
  readonly onDidChangeInlayHints: vscode.Event<void>;

  constructor(private readonly sessions: EditSessions) {
    this.onDidChangeInlayHints = sessions.onDidChangeLenses;
  }

  provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const hints: vscode.InlayHint[] = [];
    for (const v of this.sessions.viewsFor(doc)) {
      if (v.suspended || v.isEnded) continue; // a set-aside preview's lines are not in the document this moment
      const region = v.region;
      const sid = v.session.id;
      const rows = region.renderedRows();
      for (const { hunk: h, row: first } of region.hunkAnchors()) {
        if (h.state !== 'pending') continue;
        // On the hunk's first added row (a removed row is struck through and faded, and so would be the control),
        // on its first row when it only removes.
        let row = first;
        while (row < rows.length && rows[row].hunk === h && rows[row].kind !== 'add') row++;
        if (row >= rows.length || rows[row].hunk !== h) row = first;
        const line = region.startLine + row;
        if (line >= doc.lineCount || line < range.start.line || line > range.end.line) continue;
        const args = [{ sessionId: sid, hunkId: h.id }];
        const accept = new vscode.InlayHintLabelPart(ACCEPT_LABEL);
        accept.command = { title: 'Accept this change', command: 'sparkEdit.acceptHunk', arguments: args };
        accept.tooltip = 'Accept this change (Ctrl+Enter accepts the whole edit)';
        const reject = new vscode.InlayHintLabelPart(REJECT_LABEL);
        reject.command = { title: 'Reject this change', command: 'sparkEdit.rejectHunk', arguments: args };
        reject.tooltip = 'Reject this change (Ctrl+Backspace rejects the whole edit)';
        const hint = new vscode.InlayHint(doc.lineAt(line).range.end, [
          accept,
          new vscode.InlayHintLabelPart('  '),
          reject,
        ]);
        hint.paddingLeft = true;
        hints.push(hint);
      }
      if (hints.length && v.timing.acceptInlayProvided === undefined) v.timing.acceptInlayProvided = performance.now();
    }
    return hints;
  }
}
