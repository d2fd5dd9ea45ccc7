import { lineHunks } from './lineDiff';

/** Marks a request as a next-edit suggestion (the demo model keys on it). */
export const NEXT_EDIT_MARK = 'Spark Edit next-edit';

export const NEXT_EDIT_INSTRUCTIONS = [
  `You are ${NEXT_EDIT_MARK} prediction: you predict the next edit a programmer will make, from their recent edits.`,
  'You receive the file name and language, the recent edits as diffs (oldest first), and the code around the cursor; the',
  'lines between <editable> and </editable> are the ones you may change.',
  'Reply with the complete <editable> lines rewritten with the ONE next edit applied (continue a rename, update call sites',
  'of a changed signature, repeat the same change on similar lines), plain text, no fences, no commentary.',
  'If no edit clearly follows from the recent edits, reply with the editable lines unchanged.',
].join('\n');

export interface NextEditContext {
  path: string;
  languageId: string;
  /** Recent edits (EditHistory.diffs()), oldest first. */
  history: string[];
  /** The whole document's lines. */
  lines: string[];
  cursorLine: number;
}

/** The editable window around the cursor and its read-only context. */
export interface NextEditWindow {
  start: number;
  end: number;
  before: string[];
  editable: string[];
  after: string[];
}

/** Lines above / below the cursor that the model may rewrite, and read-only context beyond them. */
export const WINDOW = { above: 2, below: 20, context: 8 };

export function nextEditWindow(lines: readonly string[], cursorLine: number, w = WINDOW): NextEditWindow {
  const c = Math.max(0, Math.min(lines.length - 1, cursorLine));
  const start = Math.max(0, c - w.above),
    end = Math.min(lines.length - 1, c + w.below); // inclusive
  return {
    start,
    end,
    before: lines.slice(Math.max(0, start - w.context), start),
    editable: lines.slice(start, end + 1),
    after: lines.slice(end + 1, end + 1 + w.context),
  };
}

export function nextEditPrompt(ctx: NextEditContext, win = nextEditWindow(ctx.lines, ctx.cursorLine)): string {
  const parts = [`File: ${ctx.path} (${ctx.languageId})`, 'Recent edits (oldest first):'];
  for (const d of ctx.history) parts.push(`<edit>\n${d}\n</edit>`);
  parts.push(`The cursor is on line ${ctx.cursorLine - win.start + 1} of the editable lines.`);
  if (win.before.length) parts.push(`<before>\n${win.before.join('\n')}\n</before>`);
  parts.push(`<editable>\n${win.editable.join('\n')}\n</editable>`);
  if (win.after.length) parts.push(`<after>\n${win.after.join('\n')}\n</after>`);
  parts.push('Rewrite the <editable> lines with the next edit applied. Output only those lines.');
  return parts.join('\n');
}

/** Read a next-edit prompt back (the demo model and the tests). */
export function parseNextEditPrompt(
  text: string,
): { history: string[]; editable: string[]; cursor: number; path: string } | null {
  const e = /<editable>\n([\s\S]*?)\n?<\/editable>/.exec(text);
  if (!e) return null;
  const history = [...text.matchAll(/<edit>\n([\s\S]*?)\n<\/edit>/g)].map((m) => m[1]);
  const cursor = Number(/The cursor is on line (\d+)/.exec(text)?.[1] ?? 1) - 1;
  const path = /^File: (.*?) \(/m.exec(text)?.[1] ?? '';
  return { history, editable: e[1].split('\n'), cursor, path };
}

/** One suggested edit: lines `start..start+oldLines.length-1` of the document become `newLines`. */
export interface NextEditSuggestion {
  start: number;
  oldLines: string[];
  newLines: string[];
}

/**
 * The model's answer as ONE small edit: the changed run of lines (a line diff of the editable window against the
 * answer) nearest the cursor, at or below it first. Undefined when the answer changes nothing, is cut off (fewer
 * lines than a real rewrite) or rewrites too much to be a "next edit".
 */
export function parseNextEdit(
  answer: string,
  win: NextEditWindow,
  cursorLine: number,
  maxLines = 12,
): NextEditSuggestion | undefined {
  let text = answer.replace(/\r\n/g, '\n');
  const fence = /^```[^\n]*\n([\s\S]*?)\n```\s*$/.exec(text.trim());
  if (fence) text = fence[1];
  text = text
    .replace(/^<editable>\n/, '')
    .replace(/\n?<\/editable>\s*$/, '')
    .replace(/\n$/, '');
  const out = text.split('\n');
  if (out.length < win.editable.length / 2) return undefined; // a cut-off or empty answer is not an edit
  const hunks = lineHunks(win.editable, out).filter((h) => Math.max(h.oldLines.length, h.newLines.length) <= maxLines);
  if (!hunks.length) return undefined;
  const c = cursorLine - win.start;
  const dist = (h: { oldStart: number; oldLines: string[] }) => {
    const end = h.oldStart + Math.max(1, h.oldLines.length) - 1;
    return h.oldStart > c ? h.oldStart - c : end < c ? (c - end) * 2 + 1 : 0; // below the cursor is preferred
  };
  const best = hunks.reduce((a, b) => (dist(b) < dist(a) ? b : a));
  return { start: win.start + best.oldStart, oldLines: best.oldLines, newLines: best.newLines };
}

/**
 * The suggestion before the answer is complete (the streaming diff's early show): the first changed run whose end
 * the model has already passed (two lines after it agree with the original again), when it is at or below the
 * cursor. `complete` = the answer's complete lines so far. Undefined until such a run is known.
 */
export function earlyNextEdit(
  complete: readonly string[],
  win: NextEditWindow,
  cursorLine: number,
  maxLines = 12,
): NextEditSuggestion | undefined {
  const ed = win.editable;
  let i = 0;
  while (i < complete.length && i < ed.length && complete[i] === ed[i]) i++;
  if (i >= complete.length || i >= ed.length) return undefined;
  for (let j = i; j < complete.length && j - i <= maxLines; j++) {
    // Lines changed in place (the common case): one line that agrees again at the same offset ends the run.
    if (j > i && j < ed.length && complete[j] === ed[j]) {
      const s = { start: win.start + i, oldLines: ed.slice(i, j), newLines: complete.slice(i, j) };
      return s.start + s.oldLines.length - 1 >= cursorLine ? s : undefined;
    }
    for (let m = i; j + 1 < complete.length && m + 1 < ed.length && m - i <= maxLines; m++) {
      if (ed[m] === complete[j] && ed[m + 1] === complete[j + 1] && (m > i || j > i)) {
        const s = { start: win.start + i, oldLines: ed.slice(i, m), newLines: complete.slice(i, j) };
        return s.start + Math.max(1, s.oldLines.length) - 1 >= cursorLine ? s : undefined;
      }
    }
  }
  return undefined;
}

/** Does the suggestion still fit the document (its old lines are where they were)? */
export function suggestionFits(s: NextEditSuggestion, lines: readonly string[]): boolean {
  if (s.start < 0 || s.start + s.oldLines.length > lines.length) return false;
  return s.oldLines.every((l, i) => lines[s.start + i] === l);
}
