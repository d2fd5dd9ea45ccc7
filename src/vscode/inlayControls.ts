import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import type { EditSessions } from './sessions';
import type { Hunk, PreviewRegion } from '../core/session/region';

/** The labels of the per-hunk controls (the felt bench looks for ACCEPT_LABEL in the editor's DOM). */
export const ACCEPT_LABEL = '✓ Accept';
export const REJECT_LABEL = '✗ Reject';
/** The space the controls' label starts with (the label's first part). */
export const HINT_PAD = ' ';

/**
 * What runs an inlay hint's command: VS Code's link gesture, not a plain click (a plain click only moves the caret).
 * The modifier is Ctrl (⌘ on macOS) unless `editor.multiCursorModifier` is "ctrlCmd", which makes it Alt (⌥). In
 * the browser (code-server) the extension host cannot tell the viewer's OS: both are named.
 */
export function clickGesture(): string {
  const alt = vscode.workspace.getConfiguration('editor').get<string>('multiCursorModifier', 'alt') === 'ctrlCmd';
  const web = vscode.env.uiKind === vscode.UIKind.Web;
  const mac = !web && process.platform === 'darwin';
  if (alt) return mac ? '⌥+click' : web ? 'Alt/⌥+click' : 'Alt+click';
  return mac ? '⌘+click' : web ? 'Ctrl/⌘+click' : 'Ctrl+click';
}

type Rows = ReturnType<PreviewRegion['renderedRows']>;

/**
 * The region row whose end carries a pending hunk's controls, never a removed row (struck through and faded, and so
 * would be the control): the hunk's first added row (still the partial row while it streams in); for a hunk that only removes, the row above it, else the row
 * below it (either may be just outside the region, -1 or rows.length, if the document has that line). Undefined when
 * both neighbours are removed rows or missing.
 */
export function controlRow(rows: Rows, h: Hunk, first: number, exists: (row: number) => boolean): number | undefined {
  for (let r = first; r < rows.length && rows[r].hunk === h; r++)
    if (rows[r].kind === 'add' || rows[r].kind === 'part') return r;
  const shown = (r: number) =>
    exists(r) && (r < 0 || r >= rows.length || (rows[r].kind !== 'del' && rows[r].kind !== 'part'));
  if (shown(first - 1)) return first - 1;
  let end = first;
  while (end < rows.length && rows[end].hunk === h) end++;
  return shown(end) ? end : undefined;
}

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
 * with the hunk. At the end of the hunk's first added row (the row above when it only removes: never on a struck-through
 * removed row) they push no code around (no line is inserted, nothing before them moves). Labelled with the gesture
 * that runs them (clickGesture): inlay hint commands need Ctrl/⌘+click, a plain click only moves the caret.
 * The whole edit's controls (Accept All / Reject All, Stop / Redirect) stay CodeLens above the edit.
 */
export class PendingEditInlayControls implements vscode.InlayHintsProvider {
  readonly onDidChangeInlayHints: vscode.Event<void>;

  constructor(private readonly sessions: EditSessions) {
    this.onDidChangeInlayHints = sessions.onDidChangeLenses;
  }

  provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    const hints: vscode.InlayHint[] = [];
    const gesture = clickGesture();
    for (const v of this.sessions.viewsFor(doc)) {
      if (v.suspended || v.isEnded) continue; // a set-aside preview's lines are not in the document this moment
      const region = v.region;
      const sid = v.session.id;
      const rows = region.renderedRows();
      for (const { hunk: h, row: first } of region.hunkAnchors()) {
        if (h.state !== 'pending') continue;
        const row = controlRow(
          rows,
          h,
          first,
          (r) => region.startLine + r >= 0 && region.startLine + r < doc.lineCount,
        );
        if (row === undefined) continue; // nowhere but a removed row: Accept All / Reject All (CodeLens) decide it
        const line = region.startLine + row;
        if (line < 0 || line >= doc.lineCount || line < range.start.line || line > range.end.line) continue;
        const args = [{ sessionId: sid, hunkId: h.id }];
        const accept = new vscode.InlayHintLabelPart(ACCEPT_LABEL);
        accept.command = { title: 'Accept this change', command: 'sparkEdit.acceptHunk', arguments: args };
        accept.tooltip = `${gesture} accepts this change (Ctrl+Enter accepts the whole edit)`;
        const reject = new vscode.InlayHintLabelPart(REJECT_LABEL);
        reject.command = { title: 'Reject this change', command: 'sparkEdit.rejectHunk', arguments: args };
        reject.tooltip = `${gesture} rejects this change (Ctrl+Backspace rejects the whole edit)`;
        // A real space first: the workbench's paddingLeft alone is a few pixels, the label looked glued to the code.
        const hint = new vscode.InlayHint(doc.lineAt(line).range.end, [
          new vscode.InlayHintLabelPart(HINT_PAD),
          accept,
          new vscode.InlayHintLabelPart('  '),
          reject,
          new vscode.InlayHintLabelPart(` (${gesture})`),
        ]);
        hint.paddingLeft = true;
        hints.push(hint);
      }
      if (hints.length && v.timing.acceptInlayProvided === undefined) v.timing.acceptInlayProvided = performance.now();
    }
    return hints;
  }
}
