/**
 * The block around a line by indentation, for when the document has no symbols (yet): the nearest line
 * above with less indentation that opens a function/class (else any less-indented opener), down to its
 * closing line. Lines are 0-based, inclusive.
 */
export function indentBlock(lines: readonly string[], line: number): { start: number; end: number } {
  const indent = (s: string) => /^\s*/.exec(s)![0].replace(/\t/g, '    ').length;
  const blank = (s: string) => s.trim() === '';
  if (line < 0 || line >= lines.length || blank(lines[line])) return { start: line, end: line };
  // Named definitions only (an anonymous callback is not "the function around the cursor").
  const opensFn =
    /\b(function\s*\*?\s*[\w$]+|def\s+\w+|class\s+\w+|fn\s+\w+|func\s+[\w(]|fun\s+\w+|sub\s+\w+)|^\s*(export\s+)?(const|let|var)\s+[\w$]+\s*=\s*(async\s*)?(\([^)]*\)|[\w$]+)\s*=>|^\s*(public\s+|private\s+|protected\s+|static\s+|async\s+)*(?!(if|for|while|switch|catch|return|else)\b)[\w$]+\s*\([^)]*\)\s*(:\s*[^{]+)?\{\s*$/;
  const opens = /[{:([]\s*$|\b(do|then)\s*$/;
  let want = indent(lines[line]);
  let header = -1;
  let fallback = -1;
  for (let i = line - 1; i >= 0 && want > 0; i--) {
    if (blank(lines[i])) continue;
    const ind = indent(lines[i]);
    if (ind < want) {
      if (opensFn.test(lines[i])) {
        header = i;
        break;
      }
      if (fallback < 0 && opens.test(lines[i])) fallback = i;
      want = ind;
    }
  }
  if (header < 0) header = fallback;
  if (header < 0)
    return opensFnAt(lines, line) ? { start: line, end: closeOf(lines, line, indent) } : { start: line, end: line };
  return { start: header, end: closeOf(lines, header, indent) };

  function opensFnAt(ls: readonly string[], i: number) {
    return opensFn.test(ls[i]);
  }
}

function closeOf(lines: readonly string[], header: number, indent: (s: string) => number): number {
  const base = indent(lines[header]);
  let end = header;
  for (let i = header + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const ind = indent(lines[i]);
    if (ind > base) {
      end = i;
      continue;
    }
    if (ind === base && /^\s*(\}|\)|\]|end\b)/.test(lines[i])) end = i;
    break;
  }
  return end;
}
