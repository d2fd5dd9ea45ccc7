import * as vscode from 'vscode';
import { REFACTORS } from '../core/refactors';

/**
 * "Fix with Spark Edit" on diagnostics (quickfix; every diagnostic in the range fixed at once) and the
 * palette refactors on a selection (refactor.rewrite). Computing the light bulb costs nothing: no model call
 * happens until an action is chosen.
 */
export class SparkCodeActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(
    doc: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    ctx: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const wants = (k: vscode.CodeActionKind) => !ctx.only || ctx.only.contains(k) || k.contains(ctx.only);
    const diags = ctx.diagnostics.filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning);
    if (diags.length && wants(vscode.CodeActionKind.QuickFix)) {
      const a = new vscode.CodeAction(
        diags.length === 1 ? 'Fix with Spark Edit' : `Fix ${diags.length} problems with Spark Edit`,
        vscode.CodeActionKind.QuickFix,
      );
      a.diagnostics = diags;
      a.command = {
        title: a.title,
        command: 'sparkEdit.fixDiagnostics',
        arguments: [{ uri: doc.uri.toString(), line: range.start.line }],
      };
      out.push(a);
    }
    if (!range.isEmpty && wants(vscode.CodeActionKind.RefactorRewrite)) {
      const code = doc.getText(range);
      for (const r of REFACTORS.filter((x) => x.codeAction && (!x.appliesTo || x.appliesTo(code)))) {
        const a = new vscode.CodeAction(`Spark Edit: ${r.title}`, vscode.CodeActionKind.RefactorRewrite);
        a.command = { title: a.title, command: `sparkEdit.refactor.${r.id}` };
        out.push(a);
      }
    }
    return out;
  }
}
