import * as vscode from 'vscode';
import { Command } from '../commandManager';
import { Ctx } from '../ctx';
import { InlineEditController } from '../inlineEdit';
import { EditSessions } from '../sessions';

/**
 * Rename Symbol…: a semantic rename through the language's rename provider, shown as pending diffs; the model only
 * when there is none.
 */
export class RenameCommand implements Command {
  readonly id = 'sparkEdit.rename';
  constructor(
    private readonly ctx: Ctx,
    private readonly sessions: EditSessions,
    private readonly edits: InlineEditController,
  ) {}

  async execute(args?: { newName?: string }) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const doc = editor.document;
    const pos = editor.selection.active;
    const wordRange = doc.getWordRangeAtPosition(pos);
    const oldName = wordRange ? doc.getText(wordRange) : '';
    const newName =
      args?.newName ??
      (await vscode.window.showInputBox({
        title: 'Spark Edit: Rename Symbol',
        value: oldName,
        prompt: `Rename ${oldName || 'the symbol'} to…`,
      }));
    if (!newName?.trim() || newName === oldName) return;
    let edit: vscode.WorkspaceEdit | undefined;
    try {
      edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
        'vscode.executeDocumentRenameProvider',
        doc.uri,
        pos,
        newName,
      );
    } catch (e) {
      this.ctx.log(`rename provider: ${(e as Error).message}`);
    }
    if (edit && edit.size > 0) return this.previewWorkspaceEdit(edit, `rename ${oldName} to ${newName}`);
    this.ctx.log(`no rename provider for ${doc.languageId}: asking the model`);
    return this.edits.start({
      instruction: `Rename ${oldName} to ${newName} everywhere in this code (declarations and uses), changing nothing else.`,
    });
  }

  /**
   * Show a WorkspaceEdit as pending inline diffs: one edit per file, from its first to its last touched line, so
   * every hunk is coloured and one Accept All / Reject All covers the whole operation there.
   */
  private async previewWorkspaceEdit(
    edit: vscode.WorkspaceEdit,
    instruction: string,
  ): Promise<{ sessionIds: number[] }> {
    const ids: number[] = [];
    for (const [uri, edits] of edit.entries()) {
      if (!edits.length) continue;
      const doc = await vscode.workspace.openTextDocument(uri);
      const sorted = [...edits].sort((x, y) => x.range.start.compareTo(y.range.start));
      const start = sorted[0].range.start.line;
      const end = Math.max(...sorted.map((e) => e.range.end.line));
      const oldLines: string[] = [];
      for (let i = start; i <= end; i++) oldLines.push(doc.lineAt(i).text);
      const base = doc.offsetAt(new vscode.Position(start, 0));
      let text = oldLines.join('\n');
      for (const e of [...sorted].reverse()) {
        const a = doc.offsetAt(e.range.start) - base,
          b = doc.offsetAt(e.range.end) - base;
        text = text.slice(0, a) + e.newText + text.slice(b);
      }
      const v = this.sessions.previewChange(doc, start, oldLines, text.split('\n'), instruction);
      if (v) ids.push(v.session.id);
      else
        void vscode.window.showWarningMessage(
          `Spark Edit: ${vscode.workspace.asRelativePath(uri)} already has a pending edit over those lines: accept or reject it first.`,
        );
    }
    return { sessionIds: ids };
  }
}
