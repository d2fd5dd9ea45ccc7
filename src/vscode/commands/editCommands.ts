import * as vscode from 'vscode';
import { Command } from '../commandManager';
import { EditArgs, InlineEditController } from '../inlineEdit';
import { EditSessions, HunkArgs } from '../sessions';
import { InlinePrompt } from '../inlinePrompt';
import { SessionView } from '../preview';
import { EarlyKeys } from '../earlyKeys';
import { EmptyStopGuard } from '../emptyStopGuard';

type SessionArgs = { sessionId?: number };

/** Edit Selection (Ctrl+I). */
export class EditSelectionCommand implements Command {
  readonly id = 'sparkEdit.editSelection';
  constructor(private readonly edits: InlineEditController) {}
  execute(args?: EditArgs) {
    return this.edits.start(args);
  }
}

class AcceptAllCommand implements Command {
  readonly id: string = 'sparkEdit.acceptAll';
  constructor(private readonly sessions: EditSessions) {}
  async execute(args?: SessionArgs) {
    const v = this.sessions.viewFromArgs(args);
    if (v) await this.sessions.groups.decideAll(v, 'accept'); // every file of a multi-place operation (issue 11)
  }
}

/**
 * The editor title's ✓ while the stream writes (issue 17): stops it and accepts what the stop keeps, the complete
 * hunks cut to whole constructs (never the open one), exactly as Accept All does mid-stream; offered only when that is
 * something (context key sparkEdit.canAcceptSoFar). Its label says it stops the writing.
 */
class AcceptSoFarCommand extends AcceptAllCommand {
  override readonly id = 'sparkEdit.acceptSoFar';
}

class RejectAllCommand implements Command {
  readonly id = 'sparkEdit.rejectAll';
  constructor(
    private readonly sessions: EditSessions,
    private readonly prompt: InlinePrompt,
  ) {}
  async execute(args?: SessionArgs) {
    const v = this.sessions.viewFromArgs(args);
    // Esc (the keybinding: no args) while a box at this file opens, before it has the keyboard: it cancels the box.
    // It rejected the pending diff a redirect was asked for (issue 11: the proposal was lost).
    if (v && !args && this.prompt.cancelOpenFor(v.document)) return;
    if (v) await this.sessions.groups.decideAll(v, 'reject'); // every file of a multi-place operation (issue 11)
  }
}

class AcceptHunkCommand implements Command {
  readonly id = 'sparkEdit.acceptHunk';
  constructor(private readonly sessions: EditSessions) {}
  async execute(args?: HunkArgs) {
    const x = this.sessions.hunkFromArgs(args);
    if (x) await x.v.acceptHunk(x.h);
  }
}

class RejectHunkCommand implements Command {
  readonly id = 'sparkEdit.rejectHunk';
  constructor(private readonly sessions: EditSessions) {}
  async execute(args?: HunkArgs) {
    const x = this.sessions.hunkFromArgs(args);
    if (x) await x.v.rejectHunk(x.h);
  }
}

/**
 * Esc right after Enter, once the whole answer was in (the demo writes one in ~100 ms): there was nothing to stop, and
 * it did nothing, without a word (session 15, a newcomer: "Esc silently ignored", 5 of 5 at 83–120 ms).
 */
function completeBeforeEsc(log: (m: string) => void) {
  log('Esc: the answer was already complete, nothing to stop (said so)');
  void vscode.window.showInformationMessage(
    'Spark Edit: the answer was already complete when Esc came — nothing to stop. Ctrl+Backspace rejects it, Ctrl+Enter accepts it.',
  );
}

/** Stop Generating (Esc): what arrived stays as a pending diff. */
class InterruptCommand implements Command {
  readonly id = 'sparkEdit.interrupt';
  constructor(
    private readonly sessions: EditSessions,
    private readonly prompt: InlinePrompt,
    private readonly emptyStop: EmptyStopGuard,
    private readonly log: (m: string) => void,
  ) {}
  execute(args?: SessionArgs) {
    if (!args && this.prompt.escapeSent()) return; // Esc right after the box's Enter: its edit is not started
    const v = this.sessions.viewFromArgs(args);
    if (v && !args && this.prompt.cancelOpenFor(v.document)) return; // Esc meant for the box (see RejectAllCommand)
    if (v && !args && !v.session.isStreaming && v.region.pendingHunks().length) return completeBeforeEsc(this.log);
    if (!v?.interrupt()) return;
    this.sessions.updateContext();
    // Kept nothing: for a moment Ctrl+Backspace / Ctrl+Enter say so instead of deleting a word (emptyStopGuard.ts).
    if (v.region.pendingHunks().length === 0) this.emptyStop.arm(v.document);
  }
}

/** Redirect a running or pending edit with a new instruction: asked in the box at the code (issue 15). */
class RedirectCommand implements Command {
  readonly id = 'sparkEdit.redirect';
  constructor(
    private readonly sessions: EditSessions,
    private readonly prompt: InlinePrompt,
    private readonly log: (m: string) => void,
  ) {}
  async execute(args?: SessionArgs & { instruction?: string }) {
    const v = this.sessions.viewFromArgs(args);
    if (!v) return;
    const instruction = args?.instruction ?? (await this.ask(v));
    if (!instruction?.trim() || v.isEnded) return;
    v.redirect(instruction);
    this.sessions.updateContext();
  }

  /** The box at the edit's lines when its file shows (and `promptStyle` is "inline"); else the input box. */
  private ask(v: SessionView): Thenable<string | undefined> {
    const doc = v.document;
    const active = vscode.window.activeTextEditor;
    const editor = active?.document === doc ? active : vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const style = vscode.workspace.getConfiguration('sparkEdit').get<'inline' | 'quickInput'>('promptStyle', 'inline');
    if (editor && style === 'inline' && !doc.isClosed) {
      // Keys typed before the box has the keyboard are held for it (EarlyKeys): with no lock (the stream still writes
      // into the file), they went into the code, and auto-save wrote them (newcomer, round 5: `add dexport function`).
      const keys = EarlyKeys.start(doc, this.log);
      const last = doc.lineCount - 1;
      const startLine = Math.min(v.region.startLine, last);
      const endLine = Math.min(Math.max(startLine, v.region.endLine - 1), last);
      const beforeClose = () => Promise.resolve(keys?.dispose());
      return this.prompt
        .ask({ editor, startLine, endLine, redirect: v.session.instruction, keys, beforeClose }, 'inline')
        .finally(() => keys?.dispose());
    }
    return vscode.window.showInputBox({
      title: 'Spark Edit: Redirect',
      prompt: `Change direction (was: ${v.session.instruction})`,
      ignoreFocusOut: true,
    });
  }
}

/** Continue an answer the model stopped early. */
class ContinueCommand implements Command {
  readonly id = 'sparkEdit.continue';
  constructor(private readonly sessions: EditSessions) {}
  execute(args?: SessionArgs) {
    const v = this.sessions.viewFromArgs(args);
    if (v?.continueAnswer()) this.sessions.updateContext();
  }
}

/**
 * Redo (Ctrl+Y, Ctrl+Shift+Z; Cmd+Shift+Z) while the editor's own Redo was cut by a save with a diff pending (context
 * key sparkEdit.redoIsOurs; issue 11, session 10): Spark Edit redoes the state the user undid. Otherwise the editor's.
 */
class RedoCommand implements Command {
  readonly id = 'sparkEdit.redo';
  constructor(private readonly sessions: EditSessions) {}
  async execute() {
    const doc = vscode.window.activeTextEditor?.document;
    const g = doc && this.sessions.hasGuard(doc) ? this.sessions.guardFor(doc) : undefined;
    if (g?.redoIsOurs && (await g.redoOwn())) return;
    await vscode.commands.executeCommand('redo');
  }
}

/** The commands that start an inline edit and act on pending ones. */
export function editCommands(
  edits: InlineEditController,
  sessions: EditSessions,
  prompt: InlinePrompt,
  log: (m: string) => void,
): Command[] {
  const emptyStop = new EmptyStopGuard();
  // Esc cancelled the box: its lines are selected again, and Ctrl+Backspace would delete them (emptyStopGuard.ts).
  prompt.onDidCancelByEsc((doc) => emptyStop.arm(doc, 'cancel')); // ends with the prompt's emitter
  const interrupt = new InterruptCommand(sessions, prompt, emptyStop, log);
  prompt.onDidEscInClosingBox((doc) => {
    const v = sessions.all().find((x) => x.document === doc && x.session.isStreaming);
    // As the command (the Esc of the code would have run it): the walkthrough's "redirect" step ticks either way.
    if (v) void vscode.commands.executeCommand('sparkEdit.interrupt', { sessionId: v.session.id });
    else if (sessions.viewsFor(doc).some((x) => x.region.pendingHunks().length)) completeBeforeEsc(log);
  });
  return [
    emptyStop,
    new EditSelectionCommand(edits),
    // Ctrl+I while keys are held (EarlyKeys): an id no extension activates on, so the workbench sends it at once. The
    // first run of a contributed command in a session waits a round trip for its activation event, and the keys
    // typed meanwhile reached the extension host before it (issue 15: the session's first Ctrl+I got nothing).
    { id: 'sparkEdit.editSelectionHoldingKeys', execute: (a?: EditArgs) => edits.start(a) },
    new AcceptAllCommand(sessions),
    new AcceptSoFarCommand(sessions),
    new RejectAllCommand(sessions, prompt),
    new AcceptHunkCommand(sessions),
    new RejectHunkCommand(sessions),
    interrupt,
    new RedirectCommand(sessions, prompt, log),
    new ContinueCommand(sessions),
    new RedoCommand(sessions),
    { id: 'sparkEdit.holdKey', execute: (a?: { text?: string }) => EarlyKeys.holdKey(a) }, // Ctrl+I's first round trip
  ];
}
