import * as vscode from 'vscode';
import { Command } from '../commandManager';
import { EditArgs, InlineEditController } from '../inlineEdit';
import { EditSessions, HunkArgs } from '../sessions';

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
  readonly id = 'sparkEdit.acceptAll';
  constructor(private readonly sessions: EditSessions) {}
  async execute(args?: SessionArgs) {
    const v = this.sessions.viewFromArgs(args);
    if (v) await this.sessions.groups.decideAll(v, 'accept'); // every file of a multi-place operation (issue 11)
  }
}

class RejectAllCommand implements Command {
  readonly id = 'sparkEdit.rejectAll';
  constructor(private readonly sessions: EditSessions) {}
  async execute(args?: SessionArgs) {
    const v = this.sessions.viewFromArgs(args);
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

/** Stop Generating (Esc): what arrived stays as a pending diff. */
class InterruptCommand implements Command {
  readonly id = 'sparkEdit.interrupt';
  constructor(private readonly sessions: EditSessions) {}
  execute(args?: SessionArgs) {
    const v = this.sessions.viewFromArgs(args);
    if (v?.interrupt()) this.sessions.updateContext();
  }
}

/** Redirect a running or pending edit with a new instruction. */
class RedirectCommand implements Command {
  readonly id = 'sparkEdit.redirect';
  constructor(private readonly sessions: EditSessions) {}
  async execute(args?: SessionArgs & { instruction?: string }) {
    const v = this.sessions.viewFromArgs(args);
    if (!v) return;
    const instruction =
      args?.instruction ??
      (await vscode.window.showInputBox({
        title: 'Spark Edit: Redirect',
        prompt: `Change direction (was: ${v.session.instruction})`,
        ignoreFocusOut: true,
      }));
    if (!instruction?.trim() || v.isEnded) return;
    v.redirect(instruction);
    this.sessions.updateContext();
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

/** The commands that start an inline edit and act on pending ones. */
export function editCommands(edits: InlineEditController, sessions: EditSessions): Command[] {
  return [
    new EditSelectionCommand(edits),
    new AcceptAllCommand(sessions),
    new RejectAllCommand(sessions),
    new AcceptHunkCommand(sessions),
    new RejectHunkCommand(sessions),
    new InterruptCommand(sessions),
    new RedirectCommand(sessions),
    new ContinueCommand(sessions),
  ];
}
