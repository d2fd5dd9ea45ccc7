import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SparkEditApi } from '../../src/vscode/extension';
import type { SessionView } from '../../src/vscode/preview';
import { ModelServer } from '../../src/server/modelServer';
import { demoRewrite } from '../../src/server/demo';

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function api(): Promise<SparkEditApi> {
  const ext = vscode.extensions.getExtension<SparkEditApi>('spark-edit.spark-edit');
  if (!ext) throw new Error('Spark Edit is not installed in this host');
  return ext.isActive ? ext.exports : await ext.activate();
}

export async function openEditor(content: string, language = 'typescript'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language, content });
  return vscode.window.showTextDocument(doc, { preview: false });
}

export function select(editor: vscode.TextEditor, fromLine: number, toLineInclusive: number) {
  editor.selection = new vscode.Selection(
    fromLine,
    0,
    toLineInclusive,
    editor.document.lineAt(toLineInclusive).text.length,
  );
}

export async function startEdit(a: SparkEditApi, instruction: string): Promise<SessionView> {
  const r = await vscode.commands.executeCommand<{ sessionId: number } | undefined>('sparkEdit.editSelection', {
    instruction,
  });
  if (!r) throw new Error('the edit did not start');
  const v = a.session(r.sessionId);
  if (!v) throw new Error('no session view');
  return v;
}

/**
 * Start an edit whose answer `text` the server holds after `hold` characters, and wait until it is held there: every
 * character up to the hold received by the session and the document in step with the region.
 */
export async function startHeldEdit(
  a: SparkEditApi,
  server: ModelServer,
  o: { text: string; hold: number; instruction: string; tokensPerSecond?: number },
): Promise<SessionView> {
  const held = server.held;
  server.enqueue({ text: o.text, tokensPerSecond: o.tokensPerSecond ?? 400, holdAfterChars: o.hold });
  const v = await startEdit(a, o.instruction);
  await waitFor(
    () => server.held > held && v.session.text.length >= o.hold && v.region.planFlush() === null,
    'the stream held mid-line',
  );
  return v;
}

/** Ask the launcher (outside the host) to screenshot the browser page; waits until it is written. */
export async function screenshot(name: string): Promise<string | undefined> {
  const dir = process.env.SPARK_ARTIFACTS;
  if (!dir) return undefined;
  const req = path.join(dir, `${name}.shot-request`);
  const done = path.join(dir, `${name}.png`);
  fs.writeFileSync(req, name);
  await waitFor(() => fs.existsSync(done) && !fs.existsSync(req), `screenshot ${name}`, 60_000);
  return done;
}

/**
 * What the browser page really shows: text, title, hidden flag and whether it is cut off (wider than its box) of every
 * element matching `selector`, in every frame (the launcher reads the DOM; webviews included). Undefined outside the
 * launcher.
 */
export async function domTexts(
  name: string,
  selector: string,
): Promise<
  Array<{ text: string; shown: string; title: string; hidden: boolean; clipped?: boolean; width?: number }> | undefined
> {
  const dir = process.env.SPARK_ARTIFACTS;
  if (!dir) return undefined;
  const req = path.join(dir, `${name}.text-request`);
  const done = path.join(dir, `${name}.text.json`);
  fs.rmSync(done, { force: true });
  writeWhole(req, JSON.stringify({ selector }));
  await waitFor(() => fs.existsSync(done) && !fs.existsSync(req), `the page's text for ${name}`, 60_000);
  return JSON.parse(fs.readFileSync(done, 'utf8'));
}

/**
 * Press keys in the browser page as a person does (Playwright names: 'Control+Y'), to the element with the focus (the
 * editor put in front last). False outside the launcher (no page): the caller runs the command the key is bound to.
 */
export async function pressKeys(name: string, keys: string[]): Promise<boolean> {
  const dir = process.env.SPARK_ARTIFACTS;
  if (!dir) return false;
  const req = path.join(dir, `${name}.key-request`);
  const done = path.join(dir, `${name}.key-done`);
  fs.rmSync(done, { force: true });
  writeWhole(req, JSON.stringify({ keys }));
  await waitFor(() => fs.existsSync(done) && !fs.existsSync(req), `keys ${keys.join(' ')} pressed (${name})`, 60_000);
  fs.rmSync(done, { force: true });
  return true;
}

/**
 * Write a request file the launcher polls for as a whole (a temporary name, then a rename): written in place, the
 * launcher read it empty once (truncated, not yet written: "Unexpected end of JSON input", session 17).
 */
function writeWhole(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A deep job's new file, previewed before Accept (named in memory: NewFilePreviews, or untitled). */
export function isNewFilePreview(doc: vscode.TextDocument): boolean {
  return doc.isUntitled || doc.uri.scheme === 'spark-new';
}

/** Revert and close every editor (closeAllEditors would block on a save prompt for a dirty untitled file). */
export async function closeAllReverted(): Promise<void> {
  for (let i = 0; i < 30 && vscode.window.activeTextEditor; i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

const SERVER_SETTINGS = ['provider', 'endpoint', 'wire', 'predictions', 'deep.provider', 'deep.endpoint'];

/** Point both models at a loopback test server (user settings), with any other settings given; waits for it. */
export async function useServer(a: SparkEditApi, url: string, values: Record<string, unknown> = {}): Promise<void> {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  const all: Record<string, unknown> = { endpoint: url, 'deep.endpoint': url, ...values };
  for (const k of SERVER_SETTINGS) await c.update(k, k in all ? all[k] : undefined, vscode.ConfigurationTarget.Global);
  await a.ready();
  await waitFor(
    () => !!a.connection()?.describe.includes(url) && !!a.deepConnection()?.describe.includes(url),
    'the connections to use the test server',
  );
  await a.ready();
}

/** Back to the defaults: with no key, the built-in demo model (what the browser steps and `npm start` use). */
export async function useDefaults(a: SparkEditApi, extra: string[] = []): Promise<void> {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  for (const k of [...SERVER_SETTINGS, ...extra]) await c.update(k, undefined, vscode.ConfigurationTarget.Global);
  await waitFor(() => a.usingDemoModel(), 'the demo model');
}

export const workspaceUri = (rel: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, rel);

/** Write a file on disk and open it in an editor. */
export async function openFileWith(uri: vscode.Uri, content: string): Promise<vscode.TextEditor> {
  await vscode.workspace.fs.writeFile(uri, Buffer.from(content));
  return vscode.window.showTextDocument(uri);
}

export const fileExists = (uri: vscode.Uri): Thenable<boolean> =>
  vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );

/**
 * Files of a suite's own, one per test (a document closed by one test may still be in memory when the next one
 * starts): `fileFor(name)` gives a new workspace file `<prefix>-<name>-<n>.ts`; `used` lists them for revertFiles.
 */
export function suiteFiles(prefix: string): { fileFor: (name: string) => vscode.Uri; used: string[] } {
  let n = 0;
  const used: string[] = [];
  return {
    used,
    fileFor: (name) => {
      const rel = `${prefix}-${name}-${++n}.ts`;
      used.push(rel);
      return workspaceUri(rel);
    },
  };
}

/** Revert workspace files a test may have left dirty. */
export async function revertFiles(rels: string[]): Promise<void> {
  for (const rel of rels) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === workspaceUri(rel).toString());
    if (doc?.isDirty) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
}

/** The inlay hints VS Code resolves for the whole document (the per-hunk ✓/✗ controls are hints). */
export async function inlayHintsOf(doc: vscode.TextDocument): Promise<vscode.InlayHint[]> {
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  return (
    (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range)) ?? []
  );
}

/** The code lenses VS Code resolves for the document. */
export async function codeLensesOf(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
}

/** A hint's label text, part by part (executeInlayHintProvider drops the parts' commands: the label tells them). */
export const hintLabels = (h: vscode.InlayHint): string[] =>
  typeof h.label === 'string' ? [h.label] : h.label.map((p) => p.value);

/**
 * A real-host suite that writes its own workspace files: `serverHooks` (the loopback model, a clean slate after each
 * test) with the files it wrote reverted after each test, and `suiteFiles(prefix)` to name them.
 */
export function hostSuite(
  prefix: string,
  set: (a: SparkEditApi, server: ModelServer) => void,
): { fileFor: (name: string) => vscode.Uri; used: string[] } {
  const files = suiteFiles(prefix);
  serverHooks(set, { cleanup: async () => revertFiles(files.used) });
  return files;
}

/**
 * The hooks every real-host suite needs: a loopback model server the extension talks to, a clean slate after each
 * test (pending edits rejected, script cleared, editors reverted and closed), and the defaults back at the end.
 */
export function serverHooks(
  set: (a: SparkEditApi, server: ModelServer) => void,
  o: { resetSettings?: string[]; revert?: string[]; cleanup?: (a: SparkEditApi) => Promise<void> } = {},
): void {
  let a!: SparkEditApi;
  let server!: ModelServer;
  before(async () => {
    a = await api();
    server = await new ModelServer().listen();
    set(a, server);
    await useServer(a, server.url);
  });
  after(async () => {
    await closeAllReverted();
    await useDefaults(a, o.resetSettings);
    await server.close();
  });
  afterEach(async () => {
    // Each step names itself if it hangs (CI: an anonymous 90 s "after each" timeout after a test that had passed).
    for (const v of a.sessions())
      await named(v.rejectAll(), `Reject All of session ${v.session.id} (cleanup)`, 30_000, () =>
        [`now: ${v.describe()}`, 'last log lines:', ...a.logLines().slice(-25)].join('\n'),
      );
    server.clearScript();
    await named(o.cleanup?.(a), 'the suite cleanup');
    if (o.revert) await named(revertFiles(o.revert), 'reverting the fixtures');
    await named(closeAllReverted(), 'closing the editors (cleanup)');
  });
}

/** `p`, or an error that says what did not finish within `ms` (a hung step in a hook says which one it was). */
export async function named<T>(p: Promise<T> | T, what: string, ms = 30_000, state?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not finish in ${ms / 1000} s${state ? `\n${state()}` : ''}`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export { ORIGINAL, REWRITE } from '../shared/varsFile';

/**
 * Auto-save off for a suite (code-server's web default is afterDelay, 1 s): a save sets a pending diff aside and
 * shows it again, so a line number a test read and the position it then types at can be one text apart (a harness
 * race, not a person's click; round 9, under load: keys typed at the end of `// footer` landed on the line after it).
 * Cells that test auto-save switch it on themselves and back to off (`autoSave(...)`).
 */
export function autoSaveOffForSuite(): void {
  before(() => autoSave('off'));
  after(() => autoSave(undefined));
}
export async function autoSave(mode: 'off' | 'afterDelay' | undefined, delayMs?: number): Promise<void> {
  const files = vscode.workspace.getConfiguration('files');
  await files.update('autoSaveDelay', delayMs, vscode.ConfigurationTarget.Global);
  await files.update('autoSave', mode, vscode.ConfigurationTarget.Global);
}

/** A function of the demo's orders.ts (its first line starts with `header`; lines from..to) and the demo's answer. */
export function demoFunction(header: string, instruction: string) {
  const src = fs.readFileSync(workspaceUri('demo/orders.ts').fsPath, 'utf8');
  const lines = src.split('\n');
  const from = lines.findIndex((l) => l.startsWith(header));
  let to = from;
  while (lines[to] !== '}') to++;
  return { src, lines, from, to, answer: demoRewrite(instruction, lines.slice(from, to + 1).join('\n')) };
}

/**
 * A one-hunk answer (issue 11): `total` wrapped in try/catch. Stopped anywhere before its end it has nothing complete,
 * so the stop withdraws every line it wrote. `WRAP_FOR` is the line being written when held at `WRAP_HOLD`.
 */
export const WRAP_FUNCTION = [
  'export function total(items: number[]) {',
  '  var sum = 0;',
  '  for (const x of items) {',
  '    sum += x;',
  '  }',
  '  return sum;',
  '}',
];
export const WRAP_ANSWER = [
  'export function total(items: number[]) {',
  '  try {',
  '    var sum = 0;',
  '    for (var i = 0; i < items.length; i++) {',
  '      sum += items[i];',
  '    }',
  '    return sum;',
  '  } catch (err) {',
  '    throw err;',
  '  }',
  '}',
  '',
].join('\n');
export const WRAP_FOR = '    for (var i = 0; i';
export const WRAP_HOLD = WRAP_ANSWER.indexOf(WRAP_FOR) + WRAP_FOR.length;
