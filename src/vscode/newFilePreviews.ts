import * as vscode from 'vscode';

export const NEW_FILE_SCHEME = 'spark-new';

/**
 * Where a deep job's new file (Add Tests' test file) is previewed before it is accepted: an in-memory file under the
 * file's own name and place (`spark-new:/…/orders.test.ts`; issue 15: the preview was "Untitled-1", and its problems
 * stayed in the Problems count after Reject). Saving it (Ctrl+S, Save All, auto-save) writes here, never to disk;
 * only Accept creates the real file. No language server serves this scheme, so it has no problems of its own.
 */
export class NewFilePreviews implements vscode.FileSystemProvider {
  private readonly files = new Map<string, { data: Uint8Array; ctime: number; mtime: number }>();
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;

  /** The preview of `target` (a file on disk), empty; undefined if a preview of it is open with text in it. */
  fresh(target: vscode.Uri): vscode.Uri | undefined {
    const uri = vscode.Uri.from({ scheme: NEW_FILE_SCHEME, path: target.path });
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && !d.isClosed);
    if (open && open.getText().length > 0) return undefined;
    const now = Date.now();
    this.files.set(uri.toString(), { data: new Uint8Array(), ctime: now, mtime: now });
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.files.delete(uri.toString());
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const f = this.files.get(uri.toString());
    if (f) return { type: vscode.FileType.File, ctime: f.ctime, mtime: f.mtime, size: f.data.length };
    const dir = uri.toString().replace(/\/?$/, '/');
    if ([...this.files.keys()].some((k) => k.startsWith(dir)))
      return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    /* folders exist implicitly */
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const f = this.files.get(uri.toString());
    if (!f) throw vscode.FileSystemError.FileNotFound(uri);
    return f.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): void {
    const f = this.files.get(uri.toString());
    if (!f && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
    const now = Date.now();
    this.files.set(uri.toString(), { data: content, ctime: f?.ctime ?? now, mtime: now });
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  delete(uri: vscode.Uri): void {
    this.files.delete(uri.toString());
  }

  rename(oldUri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(oldUri);
  }
}
