import * as vscode from 'vscode';
import { NEW_FILE_SCHEME, NewFilePreviews } from './newFilePreviews';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { DEEP_INSTRUCTIONS, deepPrompt } from '../core/deep/prompt';
import { DeepJob, JobQueue } from '../core/deep/jobs';
import { StreamingPatchParser, PatchOp, PlacedHunk, combineHunks, place } from '../core/deep/patch';
import { Connection } from '../core/providers';
import { userMessage } from '../core/protocol/responses';
import { ModelError, describeStop } from '../core/transport/types';
import type { SessionView } from './preview';
import { ContentPolicy } from '../core/policy';
import { DEFAULT_DEEP_LIMITS, DeepBudget, DeepLimits, checkWritePath } from '../core/deep/pathPolicy';

export interface DeepRequest {
  instruction: string;
  files: vscode.Uri[];
  focus?: { uri: vscode.Uri; startLine: number; endLine: number };
  /**
   * A file the job adds is shown in front, with the keyboard (Add Tests: the new test file's preview, issue 15), if
   * the user is still in the file the request was made from; else in the background, as every other file.
   */
  showAdded?: boolean;
}

export interface Conflict {
  jobId: number;
  path: string;
  reason: string;
  old: string[];
  new: string[];
}
/** A change the model asked for that Spark Edit refused (path policy, real path): never written. */
export interface Refusal {
  jobId: number;
  path: string;
  reason: string;
}
/** A change to an existing file that was not part of the request: held until the user confirms it by name. */
export interface Held {
  jobId: number;
  path: string;
  op: Exclude<PatchOp, { kind: 'delete' }>;
}

export interface DeepDeps {
  connection(): Connection | undefined;
  model(): string;
  log(m: string): void;
  /** May this file's content go to a model? */
  allowed(doc: vscode.TextDocument): boolean;
  /** Show one hunk as a pending inline diff (the same UI as fast edits). Undefined when it cannot be placed. */
  preview(
    doc: vscode.TextDocument,
    startLine: number,
    oldLines: string[],
    newLines: string[],
    instruction: string,
    /** The job's operation (issue 11): its previews are decided together. */
    group?: number,
  ): SessionView | undefined;
  /** A new multi-place operation (editGroups.ts) for a job's previews. */
  newGroup(label: string): number;
  /** The ignore list in effect (a model never writes those files either). */
  policy(): ContentPolicy;
  /** Scrub keys from text that came from a server before it is shown. */
  redact(text: string): string;
  limits?: DeepLimits;
}

/**
 * Where a workspace path really leads: the real path of its deepest existing ancestor, which must be strictly
 * inside (the real path of) a workspace folder. A symlinked folder leading outside the workspace is refused.
 */
export async function realWorkspacePath(
  uri: vscode.Uri,
): Promise<{ ok: true; rel: string } | { ok: false; reason: string }> {
  if (uri.scheme !== 'file') return { ok: false, reason: 'deep mode writes only to files on disk' };
  let p = uri.fsPath;
  const rest: string[] = [];
  let real: string | undefined;
  for (let i = 0; i < 256 && real === undefined; i++) {
    try {
      real = nodePath.join(await fs.realpath(p), ...[...rest].reverse());
    } catch {
      const parent = nodePath.dirname(p);
      if (parent === p) break;
      rest.push(nodePath.basename(p));
      p = parent;
    }
  }
  if (real === undefined) return { ok: false, reason: 'its location cannot be resolved' };
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (f.uri.scheme !== 'file') continue;
    const root = await fs.realpath(f.uri.fsPath).catch(() => f.uri.fsPath);
    const rel = nodePath.relative(root, real);
    if (rel && !rel.startsWith('..') && !nodePath.isAbsolute(rel))
      return { ok: true, rel: rel.split(nodePath.sep).join('/') };
  }
  return { ok: false, reason: 'it resolves (through a symbolic link) to a place outside the workspace folders' };
}

const MAX_FILE_CHARS = 200_000;
/** A file a deep job's hunks land in: its snapshot when the request was made (or, new, where to create it). */
interface LandTarget {
  uri: vscode.Uri;
  snapshot: string[];
  createAt?: vscode.Uri;
}

interface LandState {
  byPath: Map<string, LandTarget>;
  instruction: string;
  views: SessionView[];
  files: Set<string>;
  budget: DeepBudget;
  onLimit(why: string): void;
  shown: Set<string>;
  /** The user confirmed these changes by name (files outside the request). */
  confirmed?: boolean;
  /** The operation the job's previews form (issue 11), made with its first preview. */
  group?: number;
  label: string;
  /** DeepRequest.showAdded: the file the request was made from. */
  showAddedFrom?: vscode.Uri;
}

type UpdateOp = Extract<PatchOp, { kind: 'update' }>;

const LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescriptreact',
  js: 'javascript',
  jsx: 'javascriptreact',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  json: 'json',
  md: 'markdown',
  css: 'css',
  html: 'html',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  sh: 'shellscript',
  yml: 'yaml',
  yaml: 'yaml',
};
const languageOf = (path: string) => LANGUAGES[path.split('.').pop()?.toLowerCase() ?? ''] ?? 'plaintext';

/** Open a document in a tab without taking the user's place: the editor they were in comes back to the front. */
async function showInBackground(doc: vscode.TextDocument) {
  if (vscode.window.visibleTextEditors.some((e) => e.document === doc)) return;
  const prev = vscode.window.activeTextEditor;
  await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true, viewColumn: prev?.viewColumn });
  if (prev && !prev.document.isClosed && prev.document !== doc)
    await vscode.window.showTextDocument(prev.document, {
      preview: false,
      preserveFocus: true,
      viewColumn: prev.viewColumn,
    });
}

/** Close an untitled preview without a "save changes?" prompt (emptied first: an empty untitled closes silently). */
async function closeUntitled(doc: vscode.TextDocument) {
  if (doc.isClosed) return;
  if (doc.getText().length) {
    const we = new vscode.WorkspaceEdit();
    we.delete(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
    await vscode.workspace.applyEdit(we);
  }
  // A named preview (NewFilePreviews) is saved empty, to memory, so that it closes without a prompt.
  if (doc.uri.scheme === NEW_FILE_SCHEME && doc.isDirty) await doc.save();
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === doc.uri.toString());
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}

const sizeText = (chars: number) =>
  chars >= 1e6 ? `${Math.round(chars / 1e5) / 10} MB` : `${Math.max(1, Math.round(chars / 1000))} KB`;

const hunkOf = (op: Exclude<PatchOp, { kind: 'delete' }>) =>
  op.kind === 'add' ? { old: [], new: op.lines } : { old: op.old, new: op.new };

/**
 * Deep mode: heavier requests run as background jobs (a queue, progress in a notification and the status bar,
 * cancel at any time). The model answers with a patch; each hunk is placed in the file as it is *now* and
 * lands as a pending inline diff as soon as its block is complete. Hunks over lines the user changed meanwhile
 * are conflicts: reported, never applied.
 */
export class DeepController implements vscode.Disposable {
  readonly queue: JobQueue;
  readonly conflicts: Conflict[] = [];
  readonly refused: Refusal[] = [];
  readonly held: Held[] = [];
  /** Untitled previews of files a job adds (preview document URI → the workspace path Accept creates). */
  readonly newFiles = new Map<string, string>();
  /** Where those previews live (registered for NEW_FILE_SCHEME in extension.ts). */
  readonly previews = new NewFilePreviews();
  /** How much one answer may change (files, bytes, answer size). */
  limits: DeepLimits;
  readonly landed = new Map<number, SessionView[]>();
  private readonly status = vscode.window.createStatusBarItem('sparkEdit.deep', vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly deps: DeepDeps,
    maxConcurrent: number,
  ) {
    this.queue = new JobQueue(maxConcurrent);
    this.limits = deps.limits ?? DEFAULT_DEEP_LIMITS;
    this.status.name = 'Spark Edit deep jobs';
    this.status.command = 'sparkEdit.cancelDeepJobs';
    this.disposables.push({ dispose: this.queue.onDidChange(() => this.renderStatus()).dispose });
  }

  setMaxConcurrent(n: number) {
    this.queue.maxConcurrent = n;
  }

  private renderStatus() {
    const active = this.queue.active;
    if (!active.length) {
      this.status.hide();
      return;
    }
    const running = active.filter((j) => j.state === 'running');
    this.status.text = `$(sync~spin) Spark deep: ${running.length} running${active.length > running.length ? `, ${active.length - running.length} queued` : ''}`;
    this.status.tooltip = active.map((j) => `${j.title}: ${j.note}`).join('\n') + '\n\nClick to cancel.';
    this.status.show();
  }

  start(req: DeepRequest): DeepJob {
    const title = req.instruction.length > 60 ? req.instruction.slice(0, 57) + '…' : req.instruction;
    const job = this.queue.enqueue(title, (ctx) => this.run(job, req, ctx));
    this.deps.log(`deep job ${job.id} queued: "${req.instruction}" over ${req.files.length} file(s)`);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Spark Edit deep: ${title}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => job.cancel());
        const sub = this.queue.onDidChange((j) => {
          if (j === job) progress.report({ message: j.note });
        });
        return job.done.finally(() => sub.dispose());
      },
    );
    return job;
  }

  private async run(job: DeepJob, req: DeepRequest, ctx: import('../core/deep/jobs').JobContext): Promise<void> {
    const conn = this.deps.connection();
    if (!conn) throw new Error('no deep model is configured (sparkEdit.deep.*)');
    // What the model sees: a snapshot of each file now. Hunks are placed against the file as it is when they land.
    const { byPath, files } = await this.snapshot(job, req);
    const focus = req.focus
      ? {
          path: vscode.workspace.asRelativePath(req.focus.uri, false),
          startLine: req.focus.startLine,
          endLine: req.focus.endLine,
        }
      : undefined;
    const views: SessionView[] = [];
    this.landed.set(job.id, views);
    let chars = 0;
    const files0 = new Set<string>();
    const limits = this.limits;
    const budget = new DeepBudget(limits);
    let stopped: string | undefined; // why the answer was cut short (a limit): what landed before stays pending
    const stop = (why: string) => {
      if (stopped) return;
      stopped = why;
      this.deps.log(`deep job ${job.id}: stopped: ${why}`);
      s.cancel();
    };
    const land: LandState = {
      byPath,
      instruction: req.instruction,
      views,
      files: files0,
      budget,
      onLimit: stop,
      shown: new Set<string>(),
      label: `deep job ${job.id}`,
      showAddedFrom: req.showAdded ? req.focus?.uri : undefined,
    };
    const lander = this.lander(job, land, () => ctx.cancelled);
    const onOp = (op: PatchOp) => {
      if (!stopped) lander.push(op);
    };
    const parser = new StreamingPatchParser(onOp);
    const s = conn.transport.stream(
      {
        model: this.deps.model(),
        instructions: DEEP_INSTRUCTIONS,
        input: [userMessage(deepPrompt(req.instruction, files, focus))],
      },
      {
        onDelta: (d) => {
          if (stopped) return;
          chars += d.length;
          if (chars > limits.maxAnswerChars) {
            stop(`the answer passed ${sizeText(limits.maxAnswerChars)}`);
            return;
          }
          parser.push(d);
          ctx.progress(`${chars} characters, ${views.length} change${views.length === 1 ? '' : 's'} ready`);
        },
        onRestart: () => this.deps.log(`deep job ${job.id}: the stream restarted`),
      },
    );
    ctx.onCancel(() => {
      s.cancel();
      // Cancelled: nothing of this job stays in the documents.
      void lander.done().then(async () => {
        for (const v of views) await v.rejectAll();
      });
    });
    let modelStop: string | undefined; // the model ended its answer early (an output limit, a filter)
    try {
      modelStop = describeStop((await s.done).stop);
    } catch (e) {
      if (!(e instanceof ModelError && e.kind === 'cancelled'))
        throw new Error(this.deps.redact((e as Error)?.message ?? String(e)));
      if (!stopped) return;
    }
    if (modelStop) {
      // Only complete patch blocks are ever placed: what the model did not finish is not applied.
      this.deps.log(`deep job ${job.id}: ${modelStop}`);
      void vscode.window.showWarningMessage(
        `Spark Edit: ${modelStop} Only the changes it finished are shown; the rest of your code is unchanged.`,
      );
    } else if (!stopped) {
      // A finished answer: its last block counts even without "*** End Patch". A cut-off one's last block (the model
      // stopped, or one of our limits stopped it) is unfinished (its removed lines may lack their replacement): it
      // is dropped, never placed.
      parser.end();
    }
    lander.end(); // complete blocks only: what a limit cut off never reached the batch
    await lander.done();
    if (ctx.cancelled) return;
    if (budget.exceeded && !stopped) stopped = budget.exceeded;
    for (const w of parser.warnings) this.deps.log(`deep job ${job.id}: ${w}`);
    this.report(job, views, files0, stopped);
  }

  /**
   * Lands a job's patch operations in order. A file's hunks land together, as ONE pending edit (issue 11), once the
   * answer moves on to another file or ends (`end`).
   */
  private lander(job: DeepJob, land: LandState, cancelled: () => boolean) {
    let chain = Promise.resolve();
    let batch: UpdateOp[] = [];
    const then = (f: () => Promise<void>) => {
      chain = chain.then(f).catch((e) => this.deps.log(`deep job ${job.id}: ${e}`));
    };
    const end = () => {
      const ops = batch;
      batch = [];
      if (ops.length) then(() => this.landUpdates(job, ops, land, cancelled()));
    };
    return {
      push: (op: PatchOp) => {
        if (op.kind === 'update') {
          if (batch.length && batch[0].path !== op.path) end();
          batch.push(op);
          return;
        }
        end();
        then(() => this.land(job, op, land, cancelled()));
      },
      end,
      done: () => chain,
    };
  }

  /** A job's answer is in: log and announce what landed, conflicted, was refused or is held. */
  private report(job: DeepJob, views: SessionView[], files: Set<string>, stopped: string | undefined): void {
    const conflicts = this.conflicts.filter((c) => c.jobId === job.id);
    const refused = this.refused.filter((c) => c.jobId === job.id);
    const held = this.held.filter((c) => c.jobId === job.id);
    this.deps.log(
      `deep job ${job.id} done: ${views.length} change(s) in ${files.size} file(s), ${conflicts.length} conflict(s), ${refused.length} refused, ${held.length} held for confirmation`,
    );
    void this.announce(job.id, views, files.size, conflicts, refused, held, stopped);
  }

  /** The files of a request as the model will see them (ignored, untrusted and over-budget files left out). */
  private async snapshot(job: DeepJob, req: DeepRequest) {
    const byPath = new Map<string, { uri: vscode.Uri; snapshot: string[] }>();
    const files: Array<{ path: string; text: string }> = [];
    let contextLeft = MAX_FILE_CHARS;
    for (const uri of req.files) {
      const doc = await vscode.workspace.openTextDocument(uri);
      if (!this.deps.allowed(doc)) {
        this.deps.log(`deep job ${job.id}: ${uri.toString()} left out (ignore list or untrusted workspace)`);
        continue;
      }
      const text = doc.getText();
      if (text.length > contextLeft) {
        this.deps.log(`deep job ${job.id}: ${uri.toString()} left out (context budget)`);
        continue;
      }
      contextLeft -= text.length;
      const path = vscode.workspace.asRelativePath(uri, false);
      byPath.set(path, { uri, snapshot: text.split(/\r?\n/) });
      files.push({ path, text });
    }
    return { byPath, files };
  }

  /** Land the held changes of a job (to files that were not part of its request): the user confirmed them by name. */
  async releaseHeld(jobId: number): Promise<number> {
    const held = this.held.filter((h) => h.jobId === jobId);
    if (!held.length) return 0;
    for (const h of held) this.held.splice(this.held.indexOf(h), 1);
    const job = this.queue.jobs.find((j) => j.id === jobId);
    const views = this.landed.get(jobId) ?? [];
    this.landed.set(jobId, views);
    const land: LandState = {
      byPath: new Map(),
      instruction: 'deep edit (confirmed)',
      views,
      files: new Set<string>(),
      budget: new DeepBudget(this.limits),
      onLimit: () => undefined,
      shown: new Set<string>(),
      confirmed: true,
      label: `deep job ${jobId} (confirmed files)`,
    };
    const before = views.length;
    const j = job ?? ({ id: jobId, state: 'done' } as DeepJob);
    const updates = new Map<string, UpdateOp[]>();
    for (const h of held)
      if (h.op.kind === 'update') updates.set(h.op.path, [...(updates.get(h.op.path) ?? []), h.op]);
      else await this.land(j, h.op, land, false);
    for (const ops of updates.values()) await this.landUpdates(j, ops, land, false);
    return views.length - before;
  }

  private refuse(job: DeepJob, path: string, reason: string) {
    this.refused.push({ jobId: job.id, path, reason });
    this.deps.log(`deep job ${job.id}: refused to write ${JSON.stringify(path)}: ${reason}`);
  }

  /** The path a hunk may be written to, or undefined (refused, with the reason logged and reported). */
  private async checkPath(
    job: DeepJob,
    rawPath: string,
    o: LandState,
  ): Promise<{ path: string; uri: vscode.Uri } | undefined> {
    // Every path in the answer is untrusted: the pure policy first, then where it really leads on disk.
    const policy = this.deps.policy();
    const verdict = checkWritePath(rawPath, policy);
    if (!verdict.ok) {
      this.refuse(job, rawPath, verdict.reason);
      return undefined;
    }
    const path = verdict.path;
    const target = o.byPath.get(path);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = target?.createAt ?? target?.uri ?? (root ? vscode.Uri.joinPath(root, path) : undefined);
    if (!uri) {
      this.refuse(job, path, 'no workspace folder is open');
      return undefined;
    }
    const real = await realWorkspacePath(uri);
    if (!real.ok) {
      this.refuse(job, path, real.reason);
      return undefined;
    }
    const again = checkWritePath(real.rel, policy);
    if (!again.ok) {
      this.refuse(job, path, `it leads to ${real.rel}: ${again.reason.replace(/^"[^"]*": /, '')}`);
      return undefined;
    }
    return { path, uri };
  }

  /** Open (or, for a new file, create as an untitled preview) the document a first hunk for `path` lands in. */
  private async openTarget(
    job: DeepJob,
    op: Exclude<PatchOp, { kind: 'delete' }>,
    o: LandState,
    path: string,
    uri: vscode.Uri,
  ): Promise<{ doc: vscode.TextDocument; target: LandTarget } | undefined> {
    let doc: vscode.TextDocument;
    let target: LandTarget;
    const exists = await vscode.workspace.fs.stat(uri).then(
      () => true,
      () => false,
    );
    if (op.kind === 'add' && !exists) {
      // A new file exists only as a preview until it is accepted; it is created on disk then. The preview has the
      // file's name (an in-memory file: NewFilePreviews), else (one is open with text) it is an untitled document.
      const named = this.previews.fresh(uri);
      doc = named
        ? await vscode.workspace.openTextDocument(named)
        : await vscode.workspace.openTextDocument({ content: '', language: languageOf(path) });
      this.newFiles.set(doc.uri.toString(), path);
      target = { uri: doc.uri, snapshot: [''], createAt: uri };
      o.byPath.set(path, target);
    } else {
      if (!exists) {
        this.conflict(job, path, 'the file does not exist', hunkOf(op));
        return undefined;
      }
      if (op.kind === 'update' && !o.confirmed) {
        // The model never saw this file: it is changed only if the user confirms it by name.
        this.held.push({ jobId: job.id, path, op: { ...op, path } });
        this.deps.log(
          `deep job ${job.id}: ${path} was not part of the request: its change is held until you confirm it`,
        );
        return undefined;
      }
      try {
        doc = await vscode.workspace.openTextDocument(uri);
      } catch {
        this.conflict(job, path, 'the file cannot be opened', hunkOf(op));
        return undefined;
      }
      target = { uri, snapshot: doc.getText().split(/\r?\n/) };
      o.byPath.set(path, target);
    }
    return { doc, target };
  }

  private async land(job: DeepJob, op: PatchOp, o: LandState, cancelled: boolean) {
    if (cancelled || job.state === 'cancelled') return;
    if (op.kind === 'delete') {
      this.deps.log(`deep job ${job.id}: the model asked to delete ${op.path}; Spark Edit never deletes files itself`);
      return;
    }
    const checked = await this.checkPath(job, op.path, o);
    if (!checked) return;
    const { path, uri } = checked;
    let target = o.byPath.get(path);
    const lines = op.kind === 'add' ? op.lines : [...op.old, ...op.new];
    if (
      !o.budget.admit(
        path,
        lines.reduce((n, l) => n + l.length + 1, 0),
      )
    ) {
      o.onLimit(o.budget.exceeded!);
      return;
    }
    const opened = target
      ? { doc: await vscode.workspace.openTextDocument(target.uri), target }
      : await this.openTarget(job, op, o, path, uri);
    if (!opened) return;
    const doc = opened.doc;
    target = opened.target;
    await this.showOnce(o, path, doc); // first: placed against the text as it is right before the preview starts
    const current = doc.getText().split(/\r?\n/);
    let view: SessionView | undefined;
    if (op.kind === 'add') {
      const empty = doc.getText().length === 0;
      view = empty ? this.deps.preview(doc, 0, [], op.lines, o.instruction, this.groupOf(o)) : undefined;
      if (!view) {
        this.conflict(job, path, 'the file to add already has content', { old: [], new: op.lines });
        return;
      }
      if (target.createAt) {
        const at = target.createAt;
        const d = doc;
        view.onDidEnd(() => {
          this.createOnAccept(job, d, at).catch((e) => this.deps.log(`deep job ${job.id}: ${e}`));
        });
      }
    } else {
      const p = place(current, target.snapshot, op.old);
      if (p.kind === 'conflict') {
        this.conflict(job, path, p.reason, op);
        return;
      }
      if (p.moved)
        this.deps.log(`deep job ${job.id}: ${path}: lines moved since the request; rebased to line ${p.line + 1}`);
      view = this.deps.preview(doc, p.line, op.old, op.new, o.instruction, this.groupOf(o));
      if (!view) {
        this.conflict(job, path, 'another pending edit covers these lines', op);
        return;
      }
    }
    await this.record(o, view, path, doc);
  }

  /** The job's operation: every preview of the job is decided together (issue 11). */
  private groupOf(o: LandState): number {
    o.group ??= this.deps.newGroup(o.label);
    return o.group;
  }

  private async record(o: LandState, view: SessionView, path: string, doc: vscode.TextDocument) {
    o.views.push(view);
    o.files.add(path);
    await this.showOnce(o, path, doc);
  }

  /**
   * Every file a deep job changes is shown: opened in a tab (the editor the user was in comes back to the front).
   * Before its preview is placed and streams in, so the hunks are placed against the text right before the preview
   * starts and no editor appears or hides while its edits are in flight.
   */
  private async showOnce(o: LandState, path: string, doc: vscode.TextDocument) {
    if (o.shown.has(path)) return;
    o.shown.add(path);
    const from = vscode.window.activeTextEditor;
    if (o.byPath.get(path)?.createAt && o.showAddedFrom?.toString() === from?.document.uri.toString())
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false, viewColumn: from?.viewColumn });
    else await showInBackground(doc);
  }

  /**
   * A job's hunks for one existing file, as ONE pending edit (issue 11): each is placed in the file as it is now
   * (conflicts reported one by one, never applied), then all placed hunks become one preview from the first to the
   * last, so one Accept All covers every hunk and every hunk is coloured.
   */
  private async landUpdates(job: DeepJob, ops: UpdateOp[], o: LandState, cancelled: boolean) {
    if (cancelled || job.state === 'cancelled' || !ops.length) return;
    if (ops.length === 1) return this.land(job, ops[0], o, cancelled);
    const checked = await this.checkPath(job, ops[0].path, o);
    if (!checked) return;
    const { path, uri } = checked;
    const admitted: UpdateOp[] = [];
    for (const op of ops) {
      const size = [...op.old, ...op.new].reduce((n, l) => n + l.length + 1, 0);
      if (!o.budget.admit(path, size)) {
        o.onLimit(o.budget.exceeded!);
        break;
      }
      admitted.push(op);
    }
    if (!admitted.length) return;
    let target = o.byPath.get(path);
    const heldBefore = this.held.length;
    const opened = target
      ? { doc: await vscode.workspace.openTextDocument(target.uri), target }
      : await this.openTarget(job, admitted[0], o, path, uri);
    if (!opened) {
      // Held for confirmation (a file outside the request): the whole file's change is held together.
      if (this.held.length > heldBefore)
        for (const op of admitted.slice(1)) this.held.push({ jobId: job.id, path, op: { ...op, path } });
      return;
    }
    const doc = opened.doc;
    target = opened.target;
    await this.showOnce(o, path, doc); // first: placed against the text as it is right before the preview starts
    const current = doc.getText().split(/\r?\n/);
    const placed: PlacedHunk<UpdateOp>[] = [];
    for (const op of admitted) {
      const p = place(current, target.snapshot, op.old);
      if (p.kind === 'conflict') this.conflict(job, path, p.reason, op);
      else {
        if (p.moved)
          this.deps.log(`deep job ${job.id}: ${path}: lines moved since the request; rebased to line ${p.line + 1}`);
        placed.push({ line: p.line, old: op.old, new: op.new, tag: op });
      }
    }
    const c = combineHunks(current, placed);
    for (const h of c.overlapping) this.conflict(job, path, 'it overlaps another change of the same answer', h.tag);
    if (!c.used.length) return;
    const view = this.deps.preview(doc, c.start, c.oldLines, c.newLines, o.instruction, this.groupOf(o));
    if (!view) {
      for (const h of c.used) this.conflict(job, path, 'another pending edit covers these lines', h.tag);
      return;
    }
    this.deps.log(`deep job ${job.id}: ${path}: ${c.used.length} hunks as one pending edit`);
    await this.record(o, view, path, doc);
  }

  /**
   * A file the job added, once its preview ends: accepted (the untitled preview has content) → created on disk with
   * that content and opened; rejected → nothing is written. The untitled preview is closed either way.
   */
  private async createOnAccept(job: DeepJob, preview: vscode.TextDocument, at: vscode.Uri) {
    const rel = vscode.workspace.asRelativePath(at, false);
    this.newFiles.delete(preview.uri.toString());
    const text = preview.isClosed ? '' : preview.getText();
    if (text.length > 0) {
      const real = await realWorkspacePath(at);
      const verdict = real.ok ? checkWritePath(real.rel, this.deps.policy()) : real;
      if (!verdict.ok) {
        this.deps.log(`deep job ${job.id}: ${rel} not created: ${verdict.reason}`);
        void vscode.window.showWarningMessage(
          `Spark Edit: ${rel} was not created: ${verdict.reason}. Its text stays in the untitled editor.`,
        );
        return;
      }
      const we = new vscode.WorkspaceEdit();
      we.createFile(at, { overwrite: false, contents: Buffer.from(text) });
      if (!(await vscode.workspace.applyEdit(we))) {
        this.deps.log(`deep job ${job.id}: could not create ${rel}`);
        void vscode.window.showWarningMessage(
          `Spark Edit: ${rel} could not be created (a file of that name appeared meanwhile?). The accepted text stays in the untitled editor.`,
        );
        return;
      }
      this.deps.log(`deep job ${job.id}: created ${rel} (accepted)`);
      await closeUntitled(preview);
      this.previews.forget(preview.uri);
      await vscode.window.showTextDocument(at, { preview: false, preserveFocus: true });
    } else {
      this.deps.log(`deep job ${job.id}: ${rel} not created (its content was rejected)`);
      await closeUntitled(preview);
      this.previews.forget(preview.uri);
    }
  }

  private conflict(job: DeepJob, path: string, reason: string, op: { old: string[]; new: string[] }) {
    this.conflicts.push({ jobId: job.id, path, reason, old: op.old, new: op.new });
    this.deps.log(`deep job ${job.id}: conflict in ${path}: ${reason} (not applied)`);
  }

  private async announce(
    jobId: number,
    views: SessionView[],
    files: number,
    conflicts: Conflict[],
    refused: Refusal[],
    held: Held[],
    stopped: string | undefined,
  ) {
    const list = (xs: Array<{ path: string }>) => {
      const u = [...new Set(xs.map((x) => x.path))];
      return u.slice(0, 5).join(', ') + (u.length > 5 ? ` and ${u.length - 5} more` : '');
    };
    if (stopped)
      void vscode.window.showWarningMessage(
        `Spark Edit: the deep edit was stopped: ${stopped}. What arrived before is pending your review; the rest was not applied.`,
      );
    if (refused.length) {
      void vscode.window.showWarningMessage(
        `Spark Edit: the deep edit tried to write ${refused.length === 1 ? 'a file' : `${refused.length} files`} it may not: ${list(refused)} (${refused[0].reason.replace(/^"[^"]*": /, '')}). Nothing was written there.`,
      );
    }
    if (held.length) {
      const n = new Set(held.map((h) => h.path)).size;
      void vscode.window
        .showWarningMessage(
          `Spark Edit: the deep edit also changes ${n} file${n === 1 ? '' : 's'} that ${n === 1 ? 'was' : 'were'} not part of the request (the model never saw ${n === 1 ? 'it' : 'them'}): ${list(held)}. Nothing is changed there unless you review ${n === 1 ? 'it' : 'them'}.`,
          `Review Changes to ${list(held)}`,
        )
        .then((pick) => {
          if (pick) void this.releaseHeld(jobId);
        });
    }
    if (conflicts.length) {
      const pick = await vscode.window.showWarningMessage(
        `Spark Edit: ${conflicts.length} change${conflicts.length === 1 ? '' : 's'} of the deep edit ${conflicts.length === 1 ? 'was' : 'were'} not applied (${conflicts[0].reason}).`,
        'Show Conflicts',
      );
      if (pick) await this.showConflicts(conflicts);
    }
    // Issue 15: not when a preview of it is in front already (Add Tests' test file, a deep edit of the file in view):
    // "ready … Review" over the preview itself was a second, redundant toast.
    const inFront = views.some((v) => !v.isEnded && v.document === vscode.window.activeTextEditor?.document);
    if (views.length && inFront) this.deps.log(`deep job ${jobId}: ready, its preview in front (no toast)`);
    else if (views.length) {
      const pick = await vscode.window.showInformationMessage(
        `Spark Edit: deep edit ready — ${views.length} change${views.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, pending your review.`,
        'Review',
      );
      if (pick && !views[0].isEnded) await vscode.window.showTextDocument(views[0].document, { preview: false });
    }
  }

  async showConflicts(conflicts: Conflict[] = this.conflicts) {
    const text = conflicts
      .map(
        (c) =>
          `# ${c.path}: ${c.reason}\n` +
          c.old.map((l) => '-' + l).join('\n') +
          '\n' +
          c.new.map((l) => '+' + l).join('\n'),
      )
      .join('\n\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: text });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose() {
    this.queue.dispose();
    this.status.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
