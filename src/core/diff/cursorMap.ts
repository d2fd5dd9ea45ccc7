import { commonEnds } from '../util/commonEnds';

/**
 * Where the user's cursor goes when Spark Edit replaces a block of lines it was in (an Accept, a Reject, a save
 * setting a preview aside and showing it again): VS Code would move a cursor inside a replaced range to the range's
 * end (after Accept on the demo quick fix, the file's last line). Issue 15.
 *
 * `line` is relative to the block. A line outside the block keeps its place (shifted by the size change when below);
 * a line kept by the replacement (in the common prefix or suffix, or the same non-blank text in the changed middle)
 * stays that line; any other goes to the first changed line: next to the change.
 */
export function mapLineThroughReplace(oldLines: readonly string[], newLines: readonly string[], line: number): number {
  if (line < 0) return line;
  if (line >= oldLines.length) return line + newLines.length - oldLines.length;
  const { prefix: p, suffix: s } = commonEnds(oldLines, newLines);
  if (line < p) return line;
  if (line >= oldLines.length - s) return line + newLines.length - oldLines.length;
  const text = oldLines[line];
  if (text.trim()) {
    const i = newLines.slice(p, newLines.length - s).indexOf(text);
    if (i >= 0) return p + i;
  }
  return Math.max(0, Math.min(p, newLines.length - 1));
}
