import { commonEnds } from './commonEnds';

/**
 * Where the caret goes on a line an accepted edit changed (issue 15: after "Fix with Spark Edit" on a misspelled
 * name it stayed at its column, mid-word). If the caret was in (or at an edge of) the word the edit changed, it
 * goes to the end of that word as it is now, as after typing the fix; otherwise it keeps its column. Columns are
 * UTF-16 offsets, as VS Code's.
 */
export function caretAfterChange(oldLine: string, newLine: string, col: number): number {
  if (oldLine === newLine) return Math.min(col, newLine.length);
  const isWord = (ch: string | undefined) => ch !== undefined && /[\w$]/.test(ch);
  // The changed span: [prefix, oldLine.length - suffix) in the old line, [prefix, newLine.length - suffix) in the new.
  const { prefix, suffix } = commonEnds(oldLine, newLine);
  // The old word around the caret.
  let ws = col;
  while (ws > 0 && isWord(oldLine[ws - 1])) ws--;
  let we = col;
  while (we < oldLine.length && isWord(oldLine[we])) we++;
  if (ws === we) return Math.min(col, newLine.length); // not in a word
  const changedEnd = oldLine.length - suffix;
  if (we < prefix || ws > changedEnd) return Math.min(col, newLine.length); // the word did not change
  // The end of the word the changed span ends in (or touches), in the new line.
  let end = Math.max(prefix, newLine.length - suffix);
  if (end > 0 && !isWord(newLine[end]) && !isWord(newLine[end - 1])) return Math.min(col, newLine.length);
  while (end < newLine.length && isWord(newLine[end])) end++;
  return end;
}
