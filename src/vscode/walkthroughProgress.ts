import * as vscode from 'vscode';

/**
 * The walkthrough's steps tick when the user does them (issue 15: none ever did). Its `onCommand:` completion
 * events see only the ids the workbench runs: a command that carries arguments from the extension host (a lens's
 * Accept, the quick fix's "Fix with Spark Edit") runs there under VS Code's internal delegation id, so it never
 * counted. Each step therefore also completes on a context key (`onContext:sparkEdit.walkthrough.<step>`), set here
 * the first time one of its commands runs, however it was invoked.
 *
 * Neither event ticks a step done BEFORE the walkthrough was first opened in the window (session 10: a newcomer did
 * Ctrl+I, Accept, the quick fix and the chat, then opened Get Started: nothing ticked). In the workbench (VS Code
 * 1.139's gettingStartedService, read in code-server's workbench.js) the walkthroughs service is registered
 * `Delayed`: it is made only when something first asks for it, in practice the Welcome page or the walkthrough
 * opening. Until then nobody listens to commands, views or context keys; and when it registers the steps, an
 * `onContext:` expression already true is put in the session's "seen" events WITHOUT ticking the step, which then
 * never ticks in that window. So each step is also marked done through the workbench's own
 * `welcome.markStepComplete` command (the walkthrough's "Mark Done"), which makes the service if needed and stores
 * the step's progress (stored even when the extension's walkthrough is not registered yet: the command then fails
 * after storing, which is ignored). It is not public API: if a VS Code drops it, the key and the command events
 * remain (ticking the steps done after the walkthrough was opened, as before).
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
/** package.json's walkthrough id. */
const WALKTHROUGH = 'sparkEdit.welcome';
const done = new Set<string>();
let extensionId = 'spark-edit.spark-edit';

/** The extension's id as the workbench names it (`<publisher>.<name>`): the walkthrough's steps are under it. */
export function initWalkthroughProgress(id: string): void {
  extensionId = id;
}

/** Marks the walkthrough step of command `id` done (once per session; the workbench keeps the tick). */
export function walkthroughTick(id: string): void {
  const step = STEP_OF[id];
  if (step) walkthroughStepDone(step);
}

/** Marks walkthrough step `step` (package.json's step id) done, whether or not the walkthrough was opened. */
export function walkthroughStepDone(step: string): void {
  if (done.has(step)) return;
  done.add(step);
  void Promise.resolve(vscode.commands.executeCommand('setContext', `sparkEdit.walkthrough.${step}`, true)).then(
    undefined,
    () => done.delete(step),
  );
  void Promise.resolve(
    vscode.commands.executeCommand('welcome.markStepComplete', `${extensionId}#${WALKTHROUGH}#${step}`),
  ).then(undefined, () => undefined); // after storing, it throws while the walkthrough is not registered yet
}
