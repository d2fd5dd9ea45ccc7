import * as vscode from 'vscode';

const HISTORY_KEY = 'sparkEdit.promptHistory';
const FILE = 'prompt-history.json';
export const MAX_HISTORY = 20;

/**
 * The recent instructions of the box at the code (↑ / ↓, completions, the picker), newest first.
 *
 * Kept in a small file under the extension's global storage on the machine the extension runs on, written whole on
 * each send (a temporary file, then a rename: never half-written), read at activation; global state is kept too and
 * read when there is no file yet. Global state alone did not survive (session 9 newcomers): under code-server it
 * lives in the browser's storage and is written late, so a new browser, or a server stopped (Ctrl+C, SIGTERM, SIGKILL)
 * a few seconds after the send, came back with ↑ recalling nothing.
 */
export class PromptHistory {
  private list: string[];
  private writing: Promise<void> = Promise.resolve();
  private readonly file?: vscode.Uri;

  private constructor(
    private readonly state: vscode.Memento,
    dir: vscode.Uri | undefined,
    private readonly log: (m: string) => void,
  ) {
    this.list = clean(state.get<unknown>(HISTORY_KEY, []));
    this.file = dir && vscode.Uri.joinPath(dir, FILE);
  }

  /** The history of the file (else of global state), read before the box is first shown. */
  static async load(
    state: vscode.Memento,
    dir: vscode.Uri | undefined,
    log: (m: string) => void = () => undefined,
  ): Promise<PromptHistory> {
    const h = new PromptHistory(state, dir, log);
    if (!h.file) return h;
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(h.file));
      h.list = clean(JSON.parse(text));
    } catch (e) {
      if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound'))
        log(`prompt history: ${h.file.toString()} unreadable (${String(e)}); using global state`);
    }
    return h;
  }

  get(): string[] {
    return [...this.list];
  }

  /** `text` becomes the newest; written to disk at once. Resolves when the file is written. */
  remember(text: string): Promise<void> {
    const t = text.trim();
    if (!t) return this.writing;
    this.list = [t, ...this.list.filter((h) => h !== t)].slice(0, MAX_HISTORY);
    const snapshot = JSON.stringify(this.list);
    void Promise.resolve(this.state.update(HISTORY_KEY, [...this.list])).then(undefined, () => undefined);
    const file = this.file;
    if (!file) return this.writing;
    // One write at a time, in order: the last send is what stays on disk.
    this.writing = this.writing.then(async () => {
      try {
        const dir = vscode.Uri.joinPath(file, '..');
        await vscode.workspace.fs.createDirectory(dir);
        const tmp = vscode.Uri.joinPath(dir, `${FILE}.${process.pid}.tmp`);
        await vscode.workspace.fs.writeFile(tmp, new TextEncoder().encode(snapshot));
        await vscode.workspace.fs.rename(tmp, file, { overwrite: true });
      } catch (e) {
        this.log(`prompt history: could not write ${file.toString()} (${String(e)})`);
      }
    });
    return this.writing;
  }
}

function clean(v: unknown): string[] {
  return Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && !!x.trim()).slice(0, MAX_HISTORY)
    : [];
}
