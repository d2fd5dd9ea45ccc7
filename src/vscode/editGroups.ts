import * as vscode from 'vscode';
import type { SessionView } from './preview';

interface Group {
  id: number;
  /** What the operation is, for messages ("rename sum to subtotal", "deep job 3"). */
  label: string;
  /** The previews of the operation still pending (several per file when undo showed one again). */
  live: Set<SessionView>;
  /** Every file the operation touches (URI strings), in the order they were added. */
  files: string[];
  /** Files whose preview ended by a decision (accepted or rejected, whole or hunk by hunk). */
  decided: Set<string>;
}

const rel = (uri: string) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri));

/**
 * A multi-place operation is ONE edit (issue 11): a rename across files, a deep job's changes to several files. Each
 * file keeps its own pending preview (its own undo history, its own per-hunk decisions), and the previews of one
 * operation form a group: Accept All / Reject All on any member decides every member, or none.
 */
export class EditGroups implements vscode.Disposable {
  private next = 1;
  private readonly groups = new Map<number, Group>();
  private readonly status = vscode.window.createStatusBarItem('sparkEdit.group', vscode.StatusBarAlignment.Right, 98);

  constructor(private readonly log: (m: string) => void) {
    this.status.name = 'Spark Edit pending operation';
  }

  create(label: string): number {
    const id = this.next++;
    this.groups.set(id, { id, label, live: new Set(), files: [], decided: new Set() });
    return id;
  }

  /** `view` belongs to operation `id` (a new member, or one shown again by undo/redo). */
  join(id: number, view: SessionView): void {
    const g = this.groups.get(id);
    if (!g) return;
    view.groupId = id;
    const uri = view.document.uri.toString();
    if (!g.files.includes(uri)) g.files.push(uri);
    g.decided.delete(uri);
    g.live.add(view);
    view.onDidEnd(() => {
      g.live.delete(view);
      // Ended with nothing pending: decided. Ended with hunks pending: dropped (its file closed, its lines replaced,
      // or undo/redo about to show it again, which joins again).
      if (!view.region.pendingHunks().length && ![...g.live].some((v) => v.document.uri.toString() === uri))
        g.decided.add(uri);
    });
  }

  /** The number of files of the operation `view` belongs to (1 when it is on its own). */
  fileCount(view: SessionView): number {
    const g = view.groupId !== undefined ? this.groups.get(view.groupId) : undefined;
    return g ? g.files.length : 1;
  }

  label(view: SessionView): string | undefined {
    return view.groupId !== undefined ? this.groups.get(view.groupId)?.label : undefined;
  }

  /** The pending previews of `view`'s operation (only `view` when it is on its own). */
  members(view: SessionView): SessionView[] {
    const g = view.groupId !== undefined ? this.groups.get(view.groupId) : undefined;
    const live = g ? [...g.live].filter((v) => !v.isEnded) : [];
    return live.includes(view) ? live : [view];
  }

  /**
   * Accept or reject every pending preview of `view`'s operation, or none: a member that cannot be decided (its file
   * was closed or its preview dropped while the others are pending, its document no longer holds the preview) blocks
   * the whole decision, and the message names the file. Returns whether the decision was made.
   */
  async decideAll(view: SessionView, how: 'accept' | 'reject'): Promise<boolean> {
    const g = view.groupId !== undefined ? this.groups.get(view.groupId) : undefined;
    const members = this.members(view);
    if (!g || (members.length <= 1 && g.files.length <= 1)) {
      await (how === 'accept' ? view.acceptAll() : view.rejectAll());
      return true;
    }
    for (const m of members) await m.settled();
    const blocked = this.blocker(g, members);
    if (blocked) {
      this.log(`${g.label}: ${how} all refused: ${blocked}`);
      const here = members.filter((m) => m.document === view.document);
      const only = `${how === 'accept' ? 'Accept' : 'Reject'} in ${rel(view.document.uri.toString())} Only`;
      void vscode.window
        .showWarningMessage(`Spark Edit: nothing was ${how}ed: ${blocked}.`, only)
        .then(async (pick) => {
          if (pick) for (const m of here) await (how === 'accept' ? m.acceptAll() : m.rejectAll());
        });
      return false;
    }
    this.log(`${g.label}: ${how} all in ${members.length} file(s)`);
    for (const m of members) await (how === 'accept' ? m.acceptAll() : m.rejectAll());
    const failed = members.filter((m) => !m.isEnded || !m.matchesDocument()).map((m) => rel(m.document.uri.toString()));
    if (failed.length) {
      this.log(`${g.label}: ${how} all: not done in ${failed.join(', ')}`);
      void vscode.window.showErrorMessage(
        `Spark Edit: the ${how} did not complete in ${failed.join(', ')}; the other files were ${how}ed (Undo there goes back to the pending edit).`,
      );
      return false;
    }
    return true;
  }

  /** Why the operation cannot be decided as a whole now, or undefined. */
  private blocker(g: Group, members: SessionView[]): string | undefined {
    for (const uri of g.files) {
      if (g.decided.has(uri)) continue;
      const m = members.filter((v) => v.document.uri.toString() === uri);
      if (!m.length)
        return `${rel(uri)}'s part of "${g.label}" is no longer pending (its file was closed or its lines replaced)`;
      const bad = m.find((v) => v.document.isClosed || (!v.suspended && !v.matchesDocument()));
      if (bad) {
        const lines = bad.region.renderedLines();
        const at = lines.findIndex(
          (t, i) =>
            bad.region.startLine + i >= bad.document.lineCount ||
            bad.document.lineAt(bad.region.startLine + i).text !== t,
        );
        this.log(`${g.label}: ${rel(uri)}: the preview's line ${bad.region.startLine + at + 1} is not in the document`);
        return `${rel(uri)} no longer holds its pending edit`;
      }
    }
    return undefined;
  }

  /** The status bar says how many files the pending operation in the active editor spans. */
  updateStatus(active: SessionView | undefined): void {
    const g = active?.groupId !== undefined ? this.groups.get(active.groupId) : undefined;
    if (!active || !g || g.files.length <= 1) {
      // Only when shown: hide() sends the workbench a message every time, and this runs with every edit (issue 17).
      if (this.statusShown) this.status.hide();
      this.statusShown = false;
      return;
    }
    const pending = new Set([...g.live].filter((v) => !v.isEnded).map((v) => v.document.uri.toString())).size;
    this.status.text = `$(files) ${g.label}: ${pending} of ${g.files.length} files pending`;
    this.status.tooltip = `Accept All (Ctrl+Enter) / Reject All (Ctrl+Backspace) decide every file:\n${g.files.map(rel).join('\n')}`;
    this.status.show();
    this.statusShown = true;
  }
  private statusShown = false;

  /** What the status bar shows (for the tests). */
  get statusText(): string {
    return this.status.text;
  }

  dispose(): void {
    this.status.dispose();
    this.groups.clear();
  }
}
