import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import type { EditSessions } from './sessions';
import { controlPlace } from '../core/session/controlPlace';

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
 * with the hunk. At the end of the hunk's first short added row (the row above when it only removes: never on a
 * struck-through removed row) they push no code around (no line is inserted, nothing before them moves); before the
 * text of its first added row when every added row is too long to show them after its end (controlPlace). Labelled with the gesture
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
    const tabSize = vscode.workspace.getConfiguration('editor', doc).get<number>('tabSize', 4);
    for (const v of this.sessions.viewsFor(doc)) {
      if (v.suspended || v.isEnded) continue; // a set-aside preview's lines are not in the document this moment
      const region = v.region;
      const sid = v.session.id;
      const rows = region.renderedRows();
      for (const { hunk: h, row: first } of region.hunkAnchors()) {
        if (h.state !== 'pending') continue;
        const place = controlPlace(
          rows,
          h,
          first,
          (r) => region.startLine + r >= 0 && region.startLine + r < doc.lineCount,
          tabSize,
        );
        if (place === undefined) continue; // nowhere but a removed row: Accept All / Reject All (CodeLens) decide it
        const line = region.startLine + place.row;
        if (line < 0 || line >= doc.lineCount || line < range.start.line || line > range.end.line) continue;
        const args = [{ sessionId: sid, hunkId: h.id }];
        const accept = new vscode.InlayHintLabelPart(ACCEPT_LABEL);
        accept.command = { title: 'Accept this change', command: 'sparkEdit.acceptHunk', arguments: args };
        accept.tooltip = `${gesture} accepts this change (Ctrl+Enter accepts the whole edit)`;
        const reject = new vscode.InlayHintLabelPart(REJECT_LABEL);
        reject.command = { title: 'Reject this change', command: 'sparkEdit.rejectHunk', arguments: args };
        reject.tooltip = `${gesture} rejects this change (Ctrl+Backspace rejects the whole edit)`;
        // A real space first: the workbench's paddingLeft alone is a few pixels, the label looked glued to the code.
        // Before the text of a row too long to show them after its end (controlPlace): the same label, padded right.
        const start = place.at === 'start';
        const hint = new vscode.InlayHint(start ? doc.lineAt(line).range.start : doc.lineAt(line).range.end, [
          ...(start ? [] : [new vscode.InlayHintLabelPart(HINT_PAD)]),
          accept,
          new vscode.InlayHintLabelPart('  '),
          reject,
          new vscode.InlayHintLabelPart(` (${gesture})`),
          ...(start ? [new vscode.InlayHintLabelPart(HINT_PAD)] : []),
        ]);
        if (start) hint.paddingRight = true;
        else hint.paddingLeft = true;
        hints.push(hint);
      }
      if (hints.length && v.timing.acceptInlayProvided === undefined) v.timing.acceptInlayProvided = performance.now();
    }
    return hints;
  }
}
