import * as vscode from 'vscode';
import { REFACTORS, Refactor, fixInstruction, testFileFor } from '../../core/refactors';
import { ChatViewProvider } from '../chat';
import { Command } from '../commandManager';
import { readSettings } from '../config';
import { enclosingBlock, targetLines } from '../editTargets';
import { InlineEditController } from '../inlineEdit';
import { caretAfterChange } from '../../core/util/caret';

type Lines = { start: number; end: number };

/** One built-in refactor (Fix This, Simplify, Add Documentation, …): an inline edit, or a chat question for Explain. */
class RefactorCommand implements Command {
  readonly id: string;
  constructor(
    private readonly rf: Refactor,
    private readonly edits: InlineEditController,
    private readonly chat: ChatViewProvider,
  ) {
    this.id = `sparkEdit.refactor.${rf.id}`;
  }

  async execute(args?: { lines?: Lines }) {
    const { rf } = this;
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(`Spark Edit: open a file to use "${rf.title}".`);
      return;
    }
    const lines = args?.lines ?? (await targetLines(editor));
    if (rf.kind === 'explain') return this.chat.ask(rf.instruction, { uri: editor.document.uri, lines });
    if (rf.kind === 'tests') return this.addTests(editor, lines);
    return this.edits.start({ instruction: rf.instruction, lines, command: rf.kind });
  }

  /** Add Tests: names the test file, and takes it along when it exists. */
  private async addTests(editor: vscode.TextEditor, lines: Lines) {
    const rel = vscode.workspace.asRelativePath(editor.document.uri, false);
    const testRel = testFileFor(rel);
    const root = vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri;
    const testUri = root ? vscode.Uri.joinPath(root, testRel) : undefined;
    const exists = testUri
      ? await vscode.workspace.fs.stat(testUri).then(
          () => true,
          () => false,
        )
      : false;
    const instruction = `${this.rf.instruction}\nTest file: ${testRel} (${exists ? 'it exists: add to it with *** Update File' : 'it does not exist yet: create it with *** Add File'}).`;
    return this.edits.start({ instruction, lines, command: 'tests', files: exists && testUri ? [testUri] : [] });
  }
}

/** Custom Refactor…: one of the user's own refactors from their settings. */
class CustomRefactorCommand implements Command {
  readonly id = 'sparkEdit.customRefactor';
  constructor(private readonly edits: InlineEditController) {}

  async execute(args?: { name?: string }) {
    // From user settings only: instructions a repository wrote are never sent with your key.
    const custom = readSettings().customRefactors;
    if (!custom.length) {
      void vscode.window
        .showInformationMessage(
          'Spark Edit: no custom refactors yet: add some to "sparkEdit.customRefactors" (name + instruction).',
          'Open Settings',
        )
        .then((c) => {
          if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit.customRefactors');
        });
      return;
    }
    const pick = args?.name
      ? custom.find((c) => c.name === args.name)
      : (
          await vscode.window.showQuickPick(
            custom.map((c) => ({ label: c.name, detail: c.instruction, c })),
            { title: 'Spark Edit: Custom Refactor' },
          )
        )?.c;
    if (!pick) return;
    return this.edits.start({ instruction: pick.instruction });
  }
}

/** Fix Problems Here (the quick fix): every warning and error in the enclosing block, fixed at once. */
class FixDiagnosticsCommand implements Command {
  readonly id = 'sparkEdit.fixDiagnostics';
  constructor(private readonly edits: InlineEditController) {}

  async execute(args?: { uri?: string; line?: number }) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const doc = editor.document;
    const line = args?.line ?? editor.selection.active.line;
    const block = await enclosingBlock(doc, new vscode.Position(line, 0));
    const diags = vscode.languages
      .getDiagnostics(doc.uri)
      .filter(
        (d) =>
          d.severity <= vscode.DiagnosticSeverity.Warning &&
          d.range.start.line >= block.start &&
          d.range.end.line <= block.end,
      );
    const lines = diags.length
      ? {
          start: Math.min(block.start, ...diags.map((d) => d.range.start.line)),
          end: Math.max(block.end, ...diags.map((d) => d.range.end.line)),
        }
      : block;
    const info = diags.map((d) => ({
      line: d.range.start.line,
      message: d.message,
      source: d.source,
      code: typeof d.code === 'object' ? d.code.value : d.code,
      severity: (['error', 'warning', 'info', 'hint'] as const)[d.severity],
    }));
    if (!info.length) {
      void vscode.window.showInformationMessage('Spark Edit: no problems here to fix.');
      return;
    }
    const caret = editor.selection.active;
    const lineText = doc.lineAt(caret.line).text;
    const r = await this.edits.start({ instruction: fixInstruction(info), lines, command: 'fix' });
    if (r?.sessionId !== undefined) this.edits.whenEnded(r.sessionId, () => placeCaret(editor, caret, lineText));
    return r;
  }
}

/**
 * After the fix (issue 15): the caret was left mid-word (the stream carries it along). On the line it was on: at the
 * end of the word the fix changed there (as after typing the fix), else back at its column.
 */
function placeCaret(editor: vscode.TextEditor, caret: vscode.Position, lineText: string) {
  const doc = editor.document;
  if (doc.isClosed || caret.line >= doc.lineCount || !editor.selection.isEmpty) return;
  if (editor.selection.active.line !== caret.line) return; // the user moved on, or the lines moved
  const p = new vscode.Position(caret.line, caretAfterChange(lineText, doc.lineAt(caret.line).text, caret.character));
  editor.selection = new vscode.Selection(p, p);
}

/** The refactor and quick-fix commands. */
export function refactorCommands(edits: InlineEditController, chat: ChatViewProvider): Command[] {
  return [
    ...REFACTORS.map((rf) => new RefactorCommand(rf, edits, chat)),
    new CustomRefactorCommand(edits),
    new FixDiagnosticsCommand(edits),
  ];
}
