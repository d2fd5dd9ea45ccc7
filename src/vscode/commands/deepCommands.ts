import * as vscode from 'vscode';
import { Command } from '../commandManager';
import { ModelConnections } from '../connections';
import { Ctx } from '../ctx';
import { DeepController } from '../deep';
import { InlineEditController } from '../inlineEdit';

export interface DeepArgs {
  instruction?: string;
  files?: string[];
}

/** Deep Edit…: a background job on the deep model over the given files, else over the selection. */
class DeepEditCommand implements Command {
  readonly id = 'sparkEdit.deepEdit';
  constructor(
    private readonly ctx: Ctx,
    private readonly connections: ModelConnections,
    private readonly deep: DeepController,
    private readonly edits: InlineEditController,
  ) {}

  async execute(args?: DeepArgs): Promise<{ jobId?: number } | undefined> {
    if (!args?.files?.length) return this.edits.start({ instruction: args?.instruction, mode: 'deep' });
    const instruction =
      args.instruction ?? (await vscode.window.showInputBox({ title: 'Spark Edit: Deep Edit', ignoreFocusOut: true }));
    if (!instruction?.trim()) return;
    if (!(await this.connections.deepReady())) return;
    const files: vscode.Uri[] = [];
    for (const f of args.files) {
      const uri = /^[a-z][\w+.-]*:/i.test(f) ? vscode.Uri.parse(f) : vscode.Uri.file(f);
      if (this.ctx.gate.allowed(await vscode.workspace.openTextDocument(uri))) files.push(uri);
    }
    if (!files.length) return;
    return { jobId: this.deep.start({ instruction, files }).id };
  }
}

class CancelDeepJobsCommand implements Command {
  readonly id = 'sparkEdit.cancelDeepJobs';
  constructor(private readonly deep: DeepController) {}
  execute() {
    const active = this.deep.queue.active;
    if (!active.length) {
      void vscode.window.showInformationMessage('Spark Edit: no deep jobs are running.');
      return;
    }
    for (const j of active) j.cancel();
    void vscode.window.showInformationMessage(
      `Spark Edit: cancelled ${active.length} deep job${active.length === 1 ? '' : 's'}.`,
    );
  }
}

class ShowConflictsCommand implements Command {
  readonly id = 'sparkEdit.showConflicts';
  constructor(private readonly deep: DeepController) {}
  execute() {
    return this.deep.showConflicts();
  }
}

/** The deep-mode commands. */
export function deepCommands(
  ctx: Ctx,
  connections: ModelConnections,
  deep: DeepController,
  edits: InlineEditController,
): Command[] {
  return [
    new DeepEditCommand(ctx, connections, deep, edits),
    new CancelDeepJobsCommand(deep),
    new ShowConflictsCommand(deep),
  ];
}
