import * as vscode from 'vscode';
import { Command } from '../commandManager';
import { Ctx } from '../ctx';
import { InlineEditController } from '../inlineEdit';
import { EditSessions } from '../sessions';
import type { SessionView } from '../preview';
import { filesMentioning, leftOut } from '../renameScope';

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
    // The files that use the name are opened first: a language server may only know the open ones (issue 11).
    const mentioning = oldName ? await filesMentioning(doc, oldName) : [];
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
    if (edit && edit.size > 0) {
      this.sayLeftOut(leftOut(mentioning, edit), oldName);
      return this.previewWorkspaceEdit(edit, `rename ${oldName} to ${newName}`);
    }
    this.ctx.log(`no rename provider for ${doc.languageId}: asking the model`);
    return this.edits.start({
      instruction: `Rename ${oldName} to ${newName} everywhere in this code (declarations and uses), changing nothing else.`,
    });
  }

  /** Files that mention the name but are not in the rename are named, never silently left as they were. */
  private sayLeftOut(files: vscode.Uri[], oldName: string): void {
    if (!files.length) return;
    const names = files.map((u) => vscode.workspace.asRelativePath(u));
    this.ctx.log(
      `rename ${oldName}: not changed by the rename provider, though they mention ${oldName}: ${names.join(', ')}`,
    );
    const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '');
    void vscode.window.showInformationMessage(
      `Spark Edit: ${names.length === 1 ? 'this file mentions' : `${names.length} files mention`} "${oldName}" but the language's rename does not change ${names.length === 1 ? 'it' : 'them'} (another symbol of that name, or a file the language server does not see): ${shown}.`,
    );
  }

  /**
   * Show a WorkspaceEdit as pending inline diffs: one edit per file, from its first to its last touched line, so
   * every hunk is coloured; across files, one operation (issue 11): Accept All / Reject All in any of them decides
   * every file. When a file cannot show its part (another pending edit covers those lines), nothing is shown.
   */
  private async previewWorkspaceEdit(
    edit: vscode.WorkspaceEdit,
    instruction: string,
  ): Promise<{ sessionIds: number[]; groupId?: number }> {
    const entries = edit.entries().filter(([, edits]) => edits.length > 0);
    const group = entries.length > 1 ? this.sessions.groups.create(instruction) : undefined;
    const views: SessionView[] = [];
    for (const [uri, edits] of entries) {
      const doc = await vscode.workspace.openTextDocument(uri);
      const { start, oldLines, newLines } = fileChange(doc, edits);
      const v = this.sessions.previewChange(doc, start, oldLines, newLines, instruction, group);
      if (v) {
        views.push(v);
        continue;
      }
      // Half a rename is worse than none: take back what is shown, say which file blocked.
      for (const shown of views) await shown.rejectAll();
      void vscode.window.showWarningMessage(
        `Spark Edit: nothing was renamed: ${vscode.workspace.asRelativePath(uri)} already has a pending edit over those lines: accept or reject it first.`,
      );
      return { sessionIds: [] };
    }
    if (views.length > 1)
      this.ctx.log(`${instruction}: one pending edit in each of ${views.length} files (one Accept All decides all)`);
    return { sessionIds: views.map((v) => v.session.id), groupId: group };
  }
}

/** One file's text edits as one change from its first to its last touched line. */
function fileChange(
  doc: vscode.TextDocument,
  edits: vscode.TextEdit[],
): { start: number; oldLines: string[]; newLines: string[] } {
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
  return { start, oldLines, newLines: text.split('\n') };
}
