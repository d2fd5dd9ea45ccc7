import { LineHunk, formatHunks, lineHunks } from './lineDiff';

/**
 * A file's recent edit history as diffs. `record(text)` is called when the user pauses: what changed since the last
 * snapshot becomes one entry (its line hunks); the newest `max` entries are kept. An accepted suggestion is
 * recorded the same way, so the model sees the rename it is propagating.
 */
export class EditHistory {
  private snapshot: string[];
  private readonly entries: LineHunk[][] = [];

  constructor(
    text: string,
    private readonly max = 5,
    private readonly maxHunkLines = 30,
  ) {
    this.snapshot = split(text);
  }

  /** Take what changed since the last snapshot into the history; returns whether anything did. */
  record(text: string): boolean {
    const now = split(text);
    const hunks = lineHunks(this.snapshot, now).filter(
      (h) => h.oldLines.length + h.newLines.length <= this.maxHunkLines,
    );
    this.snapshot = now;
    if (!hunks.length) return false;
    // Typing in several pauses on one line (`w` → `wid` → `width`) is one edit: `w` → `width`.
    const prev = this.entries[this.entries.length - 1];
    const a = prev?.length === 1 ? prev[0] : undefined,
      b = hunks.length === 1 ? hunks[0] : undefined;
    if (
      a &&
      b &&
      a.oldStart === b.oldStart &&
      a.newLines.length === b.oldLines.length &&
      a.newLines.every((l, i) => l === b.oldLines[i])
    ) {
      const merged = { oldStart: a.oldStart, oldLines: a.oldLines, newLines: b.newLines };
      if (
        merged.oldLines.length === merged.newLines.length &&
        merged.oldLines.every((l, i) => l === merged.newLines[i])
      )
        this.entries.pop();
      else prev[0] = merged;
      return true;
    }
    this.entries.push(hunks.slice(-3));
    if (this.entries.length > this.max) this.entries.shift();
    return true;
  }

  /** Forget the changes made since the last snapshot (text the user did not write: an accepted Spark Edit preview). */
  rebase(text: string): void {
    this.snapshot = split(text);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** The entries, oldest first, each as diff text. */
  diffs(): string[] {
    return this.entries.map(formatHunks);
  }

  /** The newest entry's hunks (what the user just did). */
  last(): readonly LineHunk[] {
    return this.entries[this.entries.length - 1] ?? [];
  }
}

const split = (text: string) => text.replace(/\r\n/g, '\n').split('\n');
