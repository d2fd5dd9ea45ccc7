import * as vscode from 'vscode';
import { DEEP_INSTRUCTIONS, deepPrompt } from '../core/deep/prompt';
import { DeepJob, JobQueue } from '../core/deep/jobs';
import { StreamingPatchParser, PatchOp, place } from '../core/deep/patch';
import { Connection } from '../core/providers';
import { userMessage } from '../core/protocol/responses';
import { ModelError, describeStop } from '../core/transport/types';
import type { SessionView } from './preview';

export interface DeepRequest {
  instruction: string;
  files: vscode.Uri[];
  focus?: { uri: vscode.Uri; startLine: number; endLine: number };
}

export interface Conflict { jobId: number; path: string; reason: string; old: string[]; new: string[] }

export interface DeepDeps {
  connection(): Connection | undefined;
  model(): string;
  log(m: string): void;
  /** May this file's content go to a model? */
  allowed(doc: vscode.TextDocument): boolean;
  /** Show one hunk as a pending inline diff (the same UI as fast edits). Undefined when it cannot be placed. */
  preview(doc: vscode.TextDocument, startLine: number, oldLines: string[], newLines: string[], instruction: string): SessionView | undefined;
}

const MAX_FILE_CHARS = 200_000;
const hunkOf = (op: Exclude<PatchOp, { kind: 'delete' }>) => (op.kind === 'add' ? { old: [], new: op.lines } : { old: op.old, new: op.new });

/**
 * Deep mode: heavier requests run as background jobs (a queue, progress in a notification and the status bar,
 * cancel at any time). The model answers with a patch; each hunk is placed in the file as it is *now* and
 * lands as a pending inline diff as soon as its block is complete. Hunks over lines the user changed meanwhile
 * are conflicts: reported, never applied.
 */
export class DeepController implements vscode.Disposable {
  readonly queue: JobQueue;
  readonly conflicts: Conflict[] = [];
  readonly landed = new Map<number, SessionView[]>();
  private readonly status = vscode.window.createStatusBarItem('sparkEdit.deep', vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: DeepDeps, maxConcurrent: number) {
    this.queue = new JobQueue(maxConcurrent);
    this.status.name = 'Spark Edit deep jobs';
    this.status.command = 'sparkEdit.cancelDeepJobs';
    this.disposables.push({ dispose: this.queue.onDidChange(() => this.renderStatus()).dispose });
  }

  setMaxConcurrent(n: number) { this.queue.maxConcurrent = n; }

  private renderStatus() {
    const active = this.queue.active;
    if (!active.length) { this.status.hide(); return; }
    const running = active.filter((j) => j.state === 'running');
    this.status.text = `$(sync~spin) Spark deep: ${running.length} running${active.length > running.length ? `, ${active.length - running.length} queued` : ''}`;
    this.status.tooltip = active.map((j) => `${j.title}: ${j.note}`).join('\n') + '\n\nClick to cancel.';
    this.status.show();
  }

  start(req: DeepRequest): DeepJob {
    const title = req.instruction.length > 60 ? req.instruction.slice(0, 57) + '…' : req.instruction;
    const job = this.queue.enqueue(title, (ctx) => this.run(job, req, ctx));
    this.deps.log(`deep job ${job.id} queued: "${req.instruction}" over ${req.files.length} file(s)`);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Spark Edit deep: ${title}`, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => job.cancel());
      const sub = this.queue.onDidChange((j) => { if (j === job) progress.report({ message: j.note }); });
      return job.done.finally(() => sub.dispose());
    });
    return job;
  }

  private async run(job: DeepJob, req: DeepRequest, ctx: import('../core/deep/jobs').JobContext): Promise<void> {
    const conn = this.deps.connection();
    if (!conn) throw new Error('no deep model is configured (sparkEdit.deep.*)');
    // What the model sees: a snapshot of each file now. Hunks are placed against the file as it is when they land.
    const byPath = new Map<string, { uri: vscode.Uri; snapshot: string[] }>();
    const files: Array<{ path: string; text: string }> = [];
    let budget = MAX_FILE_CHARS;
    for (const uri of req.files) {
      const doc = await vscode.workspace.openTextDocument(uri);
      if (!this.deps.allowed(doc)) { this.deps.log(`deep job ${job.id}: ${uri.toString()} left out (ignore list or untrusted workspace)`); continue; }
      const text = doc.getText();
      if (text.length > budget) { this.deps.log(`deep job ${job.id}: ${uri.toString()} left out (context budget)`); continue; }
      budget -= text.length;
      const path = vscode.workspace.asRelativePath(uri, false);
      byPath.set(path, { uri, snapshot: text.split(/\r?\n/) });
      files.push({ path, text });
    }
    const focus = req.focus ? { path: vscode.workspace.asRelativePath(req.focus.uri, false), startLine: req.focus.startLine, endLine: req.focus.endLine } : undefined;
    const views: SessionView[] = [];
    this.landed.set(job.id, views);
    let chain = Promise.resolve();
    let chars = 0;
    const files0 = new Set<string>();
    const onOp = (op: PatchOp) => { chain = chain.then(() => this.land(job, op, byPath, req.instruction, views, files0, ctx.cancelled)).catch((e) => this.deps.log(`deep job ${job.id}: ${e}`)); };
    const parser = new StreamingPatchParser(onOp);
    const s = conn.transport.stream({ model: this.deps.model(), instructions: DEEP_INSTRUCTIONS, input: [userMessage(deepPrompt(req.instruction, files, focus))] }, {
      onDelta: (d) => { chars += d.length; parser.push(d); ctx.progress(`${chars} characters, ${views.length} change${views.length === 1 ? '' : 's'} ready`); },
      onRestart: () => this.deps.log(`deep job ${job.id}: the stream restarted`),
    });
    ctx.onCancel(() => {
      s.cancel();
      // Cancelled: nothing of this job stays in the documents.
      void chain.then(async () => { for (const v of views) await v.rejectAll(); });
    });
    let stopped: string | undefined;
    try {
      stopped = describeStop((await s.done).stop);
    } catch (e) {
      if (e instanceof ModelError && e.kind === 'cancelled') return;
      throw e;
    }
    if (stopped) {
      // Only complete patch blocks are ever placed: what the model did not finish is not applied.
      this.deps.log(`deep job ${job.id}: ${stopped}`);
      void vscode.window.showWarningMessage(`Spark Edit: ${stopped} Only the changes it finished are shown; the rest of your code is unchanged.`);
    } else {
      // A finished answer: its last block counts even without "*** End Patch". A cut-off one's last block is
      // unfinished (its removed lines may lack their replacement): it is dropped, never placed.
      parser.end();
    }
    await chain;
    if (ctx.cancelled) return;
    for (const w of parser.warnings) this.deps.log(`deep job ${job.id}: ${w}`);
    const conflicts = this.conflicts.filter((c) => c.jobId === job.id);
    this.deps.log(`deep job ${job.id} done: ${views.length} change(s) in ${files0.size} file(s), ${conflicts.length} conflict(s)`);
    void this.announce(views, files0.size, conflicts);
  }

  private async land(job: DeepJob, op: PatchOp, byPath: Map<string, { uri: vscode.Uri; snapshot: string[] }>, instruction: string, views: SessionView[], files: Set<string>, cancelled: boolean) {
    if (cancelled || job.state === 'cancelled') return;
    if (op.kind === 'delete') { this.deps.log(`deep job ${job.id}: the model asked to delete ${op.path}; Spark Edit never deletes files itself`); return; }
    let target = byPath.get(op.path);
    let doc: vscode.TextDocument;
    let created: vscode.Uri | undefined;
    if (!target) {
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!root || op.path.includes('..')) { this.conflict(job, op.path, 'the file is not in the workspace', hunkOf(op)); return; }
      const uri = vscode.Uri.joinPath(root, op.path);
      if (op.kind === 'add') {
        const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
        if (!exists) {
          const we = new vscode.WorkspaceEdit();
          we.createFile(uri, { ignoreIfExists: true });
          if (await vscode.workspace.applyEdit(we)) created = uri;
          else this.deps.log(`deep job ${job.id}: could not create ${op.path}`);
        }
      }
      try { doc = await vscode.workspace.openTextDocument(uri); } catch { this.conflict(job, op.path, 'the file does not exist', hunkOf(op)); return; }
      target = { uri, snapshot: doc.getText().split(/\r?\n/) };
      byPath.set(op.path, target);
    } else {
      doc = await vscode.workspace.openTextDocument(target.uri);
    }
    const current = doc.getText().split(/\r?\n/);
    let view: SessionView | undefined;
    if (op.kind === 'add') {
      const empty = doc.getText().length === 0;
      view = empty ? this.deps.preview(doc, 0, [], op.lines, instruction) : undefined;
      if (!view) { this.conflict(job, op.path, 'the file to add already has content', { old: [], new: op.lines }); return; }
      // A file this job created goes away again when its content is rejected (or the job is cancelled).
      if (created) { const uri = created; view.onDidEnd(() => { this.removeIfEmpty(job, uri).catch((e) => this.deps.log(`deep job ${job.id}: ${e}`)); }); }
    } else {
      const p = place(current, target.snapshot, op.old);
      if (p.kind === 'conflict') { this.conflict(job, op.path, p.reason, op); return; }
      if (p.moved) this.deps.log(`deep job ${job.id}: ${op.path}: lines moved since the request; rebased to line ${p.line + 1}`);
      view = this.deps.preview(doc, p.line, op.old, op.new, instruction);
      if (!view) { this.conflict(job, op.path, 'another pending edit covers these lines', op); return; }
    }
    views.push(view);
    files.add(op.path);
  }

  /** Delete a file this job created if it is still empty: nothing of a rejected job stays behind. */
  private async removeIfEmpty(job: DeepJob, uri: vscode.Uri) {
    const rel = vscode.workspace.asRelativePath(uri, false);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc && doc.getText().length > 0) { this.deps.log(`deep job ${job.id}: kept ${rel} (it has content)`); return; }
    const onDisk = await vscode.workspace.fs.stat(uri).then((s) => s.size, () => -1);
    if (onDisk !== 0) { this.deps.log(`deep job ${job.id}: kept ${rel} (${onDisk < 0 ? 'already gone' : 'saved with content'})`); return; }
    // WorkspaceEdit.deleteFile reverts the (empty) working copy first, so no "save changes?" prompt.
    const we = new vscode.WorkspaceEdit();
    we.deleteFile(uri, { ignoreIfNotExists: true });
    if (!(await vscode.workspace.applyEdit(we))) { this.deps.log(`deep job ${job.id}: could not remove ${rel}, which it had created`); return; }
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
    this.deps.log(`deep job ${job.id}: removed ${rel}, which it had created (its content was rejected)`);
  }

  private conflict(job: DeepJob, path: string, reason: string, op: { old: string[]; new: string[] }) {
    this.conflicts.push({ jobId: job.id, path, reason, old: op.old, new: op.new });
    this.deps.log(`deep job ${job.id}: conflict in ${path}: ${reason} (not applied)`);
  }

  private async announce(views: SessionView[], files: number, conflicts: Conflict[]) {
    if (conflicts.length) {
      const pick = await vscode.window.showWarningMessage(
        `Spark Edit: ${conflicts.length} change${conflicts.length === 1 ? '' : 's'} of the deep edit ${conflicts.length === 1 ? 'was' : 'were'} not applied (${conflicts[0].reason}).`, 'Show Conflicts');
      if (pick) await this.showConflicts(conflicts);
    }
    if (views.length) {
      const pick = await vscode.window.showInformationMessage(`Spark Edit: deep edit ready — ${views.length} change${views.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, pending your review.`, 'Review');
      if (pick && !views[0].isEnded) await vscode.window.showTextDocument(views[0].document, { preview: false });
    }
  }

  async showConflicts(conflicts: Conflict[] = this.conflicts) {
    const text = conflicts.map((c) => `# ${c.path}: ${c.reason}\n` + c.old.map((l) => '-' + l).join('\n') + '\n' + c.new.map((l) => '+' + l).join('\n')).join('\n\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: text });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose() {
    this.queue.dispose();
    this.status.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
