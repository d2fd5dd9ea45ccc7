import * as vscode from 'vscode';
import { registerKeyCommand } from './util/keyCommands';
import { boxRefactors } from '../core/refactors';

/**
 * The instruction box at the code remembers (issue 15): ↑ / ↓ go through the recent instructions, as in a shell, and
 * Ctrl+Space (or "/") offers the recent instructions and the refactors as completions. The box is a comment editor
 * (scheme `comment`), the active text editor while it has the keyboard: ↑ / ↓ are bound there only while our box is
 * open (`sparkEdit.promptOpen`) and no suggestion list is shown; in a box of several lines they move the cursor.
 */
export class PromptRecall implements vscode.Disposable {
  /** Where ↑ / ↓ are in the history of the box shown now: -1 is what the user typed (the draft). */
  private nav?: { doc: vscode.TextDocument; index: number; draft: string; shown: string };
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly prompt: { readonly isOpen: boolean; history(): string[]; code(): string }) {
    this.disposables = [
      registerKeyCommand('sparkEdit.inlinePrompt.older', () => this.step(1)),
      registerKeyCommand('sparkEdit.inlinePrompt.newer', () => this.step(-1)),
      vscode.languages.registerCompletionItemProvider(
        { scheme: 'comment' },
        { provideCompletionItems: (doc, pos) => this.completions(doc, pos) },
        '/',
      ),
    ];
  }

  /** ↑ (older) or ↓ (newer): the box's text becomes that instruction, the cursor at its end. */
  private async step(by: 1 | -1): Promise<void> {
    const ed = vscode.window.activeTextEditor;
    if (!this.prompt.isOpen || ed?.document.uri.scheme !== 'comment') return;
    const doc = ed.document;
    const text = doc.getText();
    if (text.includes('\n')) {
      await vscode.commands.executeCommand(by > 0 ? 'cursorUp' : 'cursorDown');
      return;
    }
    // A new box, or the user typed since: start again from what is typed now.
    if (this.nav?.doc !== doc || this.nav.shown !== text) this.nav = { doc, index: -1, draft: text, shown: text };
    const list = this.prompt.history();
    const index = Math.max(-1, Math.min(list.length - 1, this.nav.index + by));
    if (index === this.nav.index) return;
    const next = index === -1 ? this.nav.draft : list[index];
    this.nav.index = index;
    this.nav.shown = next;
    const ok = await ed.edit((b) => b.replace(new vscode.Range(0, 0, doc.lineCount, 0), next), {
      undoStopBefore: true,
      undoStopAfter: true,
    });
    if (!ok) return;
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    ed.selection = new vscode.Selection(end, end);
  }

  /**
   * The recent instructions, then the refactors that apply to the box's lines, each replacing the box's line
   * (filtered by what is typed).
   */
  private completions(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] | undefined {
    if (!this.prompt.isOpen) return undefined;
    const typed = doc.lineAt(pos.line).text.slice(0, pos.character);
    // "/deep …" and "/file …" stay: the completion replaces what follows them.
    const keep = /^\/(?:deep|file|fast)\s+/.exec(typed)?.[0] ?? '';
    const range = new vscode.Range(pos.line, keep.length, pos.line, doc.lineAt(pos.line).text.length);
    const slash = !keep && typed.startsWith('/') ? '/' : '';
    const recent = this.prompt.history().map((h, i) => {
      const c = new vscode.CompletionItem({ label: h, description: 'recent' }, vscode.CompletionItemKind.Text);
      c.insertText = h;
      c.filterText = slash + h;
      c.range = range;
      c.sortText = `a${String(i).padStart(3, '0')}`;
      return c;
    });
    // Only the refactors that apply to the lines the box is about.
    const refactors = boxRefactors(this.prompt.code()).map((r, i) => {
      const c = new vscode.CompletionItem(
        { label: r.title, description: 'refactor' },
        vscode.CompletionItemKind.Function,
      );
      c.insertText = r.instruction;
      c.filterText = `${slash}${r.title} ${r.instruction}`;
      c.detail = r.instruction;
      c.range = range;
      c.sortText = `b${String(i).padStart(3, '0')}`;
      return c;
    });
    return [...recent, ...refactors];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
