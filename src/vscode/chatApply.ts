import * as vscode from 'vscode';
import { checkWritePath } from '../core/deep/pathPolicy';
import { Ctx } from './ctx';
import { enclosingBlock, targetLines } from './editTargets';
import { EditSessions } from './sessions';

/**
 * Apply a chat code block through the inline diff preview: over the selection in the target editor; else over
 * the symbol whose first line the block starts with; else added at the cursor.
 */
export class ChatApply {
  constructor(
    private readonly ctx: Ctx,
    private readonly sessions: EditSessions,
  ) {}

  async apply(
    code: string,
    _language: string,
    path: string | undefined,
    editor: vscode.TextEditor | undefined,
  ): Promise<string> {
    const doc = await this.targetDocument(path, editor);
    const ed =
      vscode.window.visibleTextEditors.find((e) => e.document === doc) ??
      (await vscode.window.showTextDocument(doc, { preserveFocus: true, preview: false }));
    const newLines = code.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
    const { start, end } = ed.selection.isEmpty ? await placeBlock(ed, newLines) : await targetLines(ed);
    const oldLines: string[] = [];
    for (let i = start; i <= end; i++) oldLines.push(doc.lineAt(i).text);
    const v = this.sessions.previewChange(doc, start, oldLines, newLines, 'apply from chat');
    if (!v) throw new Error('another pending edit covers those lines: accept or reject it first');
    // Apply was the user's own click: the keyboard goes to the diff, so Ctrl+Enter / Ctrl+Backspace act on it at once
    // (focus stayed in the chat, and the keys did nothing until the user clicked into the editor).
    await vscode.window.showTextDocument(doc, { viewColumn: ed.viewColumn, preserveFocus: false, preview: false });
    const rel = vscode.workspace.asRelativePath(doc.uri);
    return oldLines.length
      ? `Previewing the change over ${rel} lines ${start + 1}-${end + 1}: accept or reject it in the editor.`
      : `Previewing ${newLines.length} new line${newLines.length === 1 ? '' : 's'} in ${rel} at line ${start + 1}: accept or reject in the editor.`;
  }

  /** The file the block names, when the path policy lets a model name it; else the chat's editor. */
  private async targetDocument(
    path: string | undefined,
    editor: vscode.TextEditor | undefined,
  ): Promise<vscode.TextDocument> {
    let doc: vscode.TextDocument | undefined;
    // The path a code block names is model output: the deep-mode path policy decides if it may be a target.
    const verdict = path ? checkWritePath(path, this.ctx.gate.policy) : undefined;
    if (verdict && !verdict.ok) this.ctx.log(`chat apply: ${verdict.reason}; applying to the active editor instead`);
    if (verdict?.ok) {
      const found = await vscode.workspace.findFiles(
        `**/${verdict.path.replace(/[[\]{}]/g, '?')}`,
        '**/node_modules/**',
        1,
      );
      if (found[0]) doc = await vscode.workspace.openTextDocument(found[0]);
    }
    if (!doc && editor && !editor.document.isClosed) doc = editor.document;
    if (!doc) throw new Error('open the file to apply it to');
    return doc;
  }
}

/**
 * With no selection: the symbol whose first line the block starts with, else the lines from that first line to the
 * block's last line, else an insert at the cursor. Inclusive; end = start - 1 means insert.
 */
async function placeBlock(ed: vscode.TextEditor, newLines: string[]): Promise<{ start: number; end: number }> {
  const doc = ed.document;
  const insert = { start: ed.selection.active.line, end: ed.selection.active.line - 1 };
  const first = newLines.find((l) => l.trim())?.trim();
  let k = -1;
  if (first)
    for (let i = 0; i < doc.lineCount; i++)
      if (doc.lineAt(i).text.trim() === first) {
        k = i;
        break;
      }
  const block =
    k >= 0
      ? await enclosingBlock(doc, new vscode.Position(k, doc.lineAt(k).firstNonWhitespaceCharacterIndex))
      : undefined;
  const last = [...newLines]
    .reverse()
    .find((l) => l.trim())
    ?.trim();
  if (block && block.start === k && block.end > k) return { start: block.start, end: block.end };
  if (k < 0 || !last) return insert;
  for (let i = k; i < Math.min(doc.lineCount, k + newLines.length * 2 + 5); i++)
    if (doc.lineAt(i).text.trim() === last) return { start: k, end: i };
  return insert;
}
