import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ContentPolicy } from '../core/policy';
import { ignoredFiles } from './config';
import { Disposable } from './util/dispose';

/** May this document's content go to a model? Says why not, with a way out, when it may not. */
export class ContentGate extends Disposable {
  private current: ContentPolicy;

  constructor(
    ignored: string[],
    private readonly log: (m: string) => void,
  ) {
    super();
    this.current = new ContentPolicy(ignored);
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sparkEdit.ignoredFiles')) this.current = new ContentPolicy(ignoredFiles());
      }),
    );
  }

  /** The ignore list in effect (rebuilt when sparkEdit.ignoredFiles changes). */
  get policy(): ContentPolicy {
    return this.current;
  }

  allowed(doc: vscode.TextDocument, quiet = false): boolean {
    let r = this.current.check(vscode.workspace.asRelativePath(doc.uri, false), vscode.workspace.isTrusted);
    const real = r.ok ? realRelPath(doc.uri) : undefined;
    if (real !== undefined) {
      const rr = this.current.check(real, true);
      if (!rr.ok)
        r = {
          ok: false,
          reason: `${vscode.workspace.asRelativePath(doc.uri, false)} is a link to ${real}, which matches "sparkEdit.ignoredFiles": its content is never sent to a model`,
        };
    }
    if (r.ok) return true;
    this.log(`not sent: ${r.reason}`);
    if (!quiet) {
      const trust = !vscode.workspace.isTrusted;
      void vscode.window
        .showWarningMessage(`Spark Edit: ${r.reason}.`, trust ? 'Manage Workspace Trust' : 'Open Settings')
        .then((c) => {
          if (c === 'Manage Workspace Trust') void vscode.commands.executeCommand('workbench.trust.manage');
          else if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'sparkEdit.ignoredFiles');
        });
    }
    return false;
  }
}

/** The ignore list applies to where a file really is too: `notes.txt -> .env` is `.env`. */
function realRelPath(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return undefined;
  try {
    const real = fs.realpathSync(uri.fsPath);
    if (real === uri.fsPath) return undefined;
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      const root = (() => {
        try {
          return fs.realpathSync(f.uri.fsPath);
        } catch {
          return f.uri.fsPath;
        }
      })();
      const rel = nodePath.relative(root, real);
      if (rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel)) return rel.split(nodePath.sep).join('/');
    }
    return real.split(nodePath.sep).join('/').replace(/^\/+/, ''); // outside the workspace: its full path
  } catch {
    return undefined;
  }
}
