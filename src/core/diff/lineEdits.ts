import { lineHunks } from '../nextEdit/lineDiff';

/** Replace `oldText.slice(from, to)` by `text` (offsets into the old text; edits in order, never overlapping). */
export interface TextEdit {
  from: number;
  to: number;
  text: string;
}

/**
 * The edits that turn `oldText` into `newText`, one per run of changed lines: the lines the two share are left
 * alone, so an editor's cursor on one of them never moves (issue 11, HB: a save's set-aside and restore replaced a
 * whole preview block, and the cursor in it went elsewhere until it was put back, a round trip later). Offsets are
 * worked out as if both texts ended with '\n', so a run at the very end (no newline after it) is handled like any other.
 */
export function lineEdits(oldText: string, newText: string): TextEdit[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const offs: number[] = [0];
  for (const l of a) offs.push(offs[offs.length - 1] + l.length + 1);
  const len = oldText.length;
  const out: TextEdit[] = [];
  for (const h of lineHunks(a, b)) {
    let from = offs[h.oldStart];
    let to = offs[h.oldStart + h.oldLines.length];
    let text = h.newLines.length ? h.newLines.join('\n') + '\n' : '';
    if (to > len) {
      // The run reaches the '\n' assumed after the old text: taken off both sides.
      if (text) {
        text = text.slice(0, -1);
        to = len;
        if (from > len) {
          from = len;
          text = '\n' + text;
        }
      } else {
        from = Math.max(0, from - 1);
        to = len;
      }
    }
    out.push({ from, to, text });
  }
  return out;
}

/** `oldText` with `edits` applied (tests, checks). */
export function applyEdits(oldText: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += oldText.slice(at, e.from) + e.text;
    at = e.to;
  }
  return out + oldText.slice(at);
}
