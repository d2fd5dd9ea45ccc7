import * as vscode from 'vscode';

/**
 * Which files a rename may touch (issue 11). A language server often knows only the files that are open: TypeScript
 * with no tsconfig.json (the demo workspace) builds an inferred project from the open files, so renaming `total` in
 * orders.ts missed shipping.ts, which imports it, and the file on disk was left broken. Before asking the rename
 * provider, the workspace files of the same language family that mention the name (a whole word) are opened (not
 * shown), so the server sees them; after, the files that mention it but got no edit are named to the user.
 */

const JS_FAMILY = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
const JS_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
const EXCLUDE = '**/{node_modules,.git,dist,out,build}/**';
/** Files listed, files read, and files opened at most (a rename in a huge workspace stays quick). */
const MAX_LISTED = 5000;
const MAX_BYTES = 1_000_000;
const MAX_OPENED = 50;

function globFor(doc: vscode.TextDocument): string | undefined {
  if (JS_FAMILY.includes(doc.languageId)) return JS_GLOB;
  const ext = /\.[A-Za-z0-9]+$/.exec(doc.uri.path)?.[0];
  return ext ? `**/*${ext}` : undefined;
}

/**
 * The workspace files (other than `doc`) of `doc`'s language family whose text mentions `name` as a whole word;
 * the ones not open yet are opened, so the language server knows them before the rename is asked for.
 */
export async function filesMentioning(doc: vscode.TextDocument, name: string): Promise<vscode.Uri[]> {
  const glob = globFor(doc);
  if (!glob || !name || doc.uri.scheme === 'untitled' || !vscode.workspace.workspaceFolders?.length) return [];
  const word = new RegExp(`(?<![\\w$])${name.replace(/[.*+?^${}()|[\]\\$-]/g, '\\$&')}(?![\\w$])`);
  const found: vscode.Uri[] = [];
  const uris = await vscode.workspace.findFiles(glob, EXCLUDE, MAX_LISTED);
  for (const uri of uris) {
    if (uri.toString() === doc.uri.toString()) continue;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    if (open) text = open.getText();
    else {
      const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
      if (!stat || stat.size > MAX_BYTES) continue;
      const bytes = await Promise.resolve(vscode.workspace.fs.readFile(uri)).catch(() => undefined);
      if (!bytes) continue;
      text = Buffer.from(bytes).toString('utf8');
    }
    if (word.test(text)) found.push(uri);
  }
  let opened = 0;
  for (const uri of found) {
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) continue;
    if (++opened > MAX_OPENED) break;
    await Promise.resolve(vscode.workspace.openTextDocument(uri)).catch(() => undefined);
  }
  return found;
}

/** The files that mention the name but the rename does not change. */
export function leftOut(mentioning: vscode.Uri[], edit: vscode.WorkspaceEdit): vscode.Uri[] {
  return mentioning.filter((u) => !edit.has(u) || edit.get(u).length === 0);
}
