import * as vscode from 'vscode';

/**
 * The walkthrough's steps tick when the user does them (issue 15: none ever did). Its `onCommand:` completion
 * events see only the ids the workbench runs: a command that carries arguments from the extension host (a lens's
 * Accept, the quick fix's "Fix with Spark Edit") runs there under VS Code's internal delegation id, so it never
 * counted. Each step therefore also completes on a context key (`onContext:sparkEdit.walkthrough.<step>`), set here
 * the first time one of its commands runs, however it was invoked.
 */
const STEP_OF: Record<string, string> = {
  'sparkEdit.editSelection': 'edit',
  'sparkEdit.editSelectionHoldingKeys': 'edit',
  'sparkEdit.acceptHunk': 'review',
  'sparkEdit.rejectHunk': 'review',
  'sparkEdit.acceptAll': 'review',
  'sparkEdit.acceptSoFar': 'review',
  'sparkEdit.rejectAll': 'review',
  'sparkEdit.redirect': 'redirect',
  'sparkEdit.interrupt': 'redirect',
  'sparkEdit.fixDiagnostics': 'quickfix',
  'sparkEdit.refactor.fix': 'quickfix',
};
const done = new Set<string>();

/** Marks the walkthrough step of command `id` done (once per session; the workbench keeps the tick). */
export function walkthroughTick(id: string): void {
  const step = STEP_OF[id];
  if (!step || done.has(step)) return;
  done.add(step);
  void Promise.resolve(vscode.commands.executeCommand('setContext', `sparkEdit.walkthrough.${step}`, true)).then(
    undefined,
    () => done.delete(step),
  );
}
