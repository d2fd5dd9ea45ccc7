/**
 * The bracket and block structure of code (issue 11, round 4): when a stream stops early (Esc, an output limit, a
 * broken connection), the pending preview proposes only a prefix of the change that leaves the region's structure as
 * the original's was. "Whole lines only" is not "a whole construct": `try {` plus one streamed line above the old body
 * is invalid code once accepted.
 *
 * A small tokenizer, good enough to skip brackets inside strings and comments: line and block comments, quoted strings
 * (escapes honoured), template literals and Python's triple-quoted strings. Regular-expression literals are not told
 * apart from division (a bracket inside one counts).
 */
export interface Syntax {
  lineComments: string[];
  blockComments: Array<[string, string]>;
  /** Quote characters whose strings end at the line's end (or at the quote). */
  quotes: string[];
  /** Delimiters of strings that may span lines (template literals, triple quotes). */
  multiline: string[];
  /** Blocks are made by indentation after a line ending in ':' (Python). */
  indentBlocks: boolean;
}

const C_LIKE: Syntax = {
  lineComments: ['//'],
  blockComments: [['/*', '*/']],
  quotes: ['"', "'"],
  multiline: ['`'],
  indentBlocks: false,
};
const HASH: Syntax = { lineComments: ['#'], blockComments: [], quotes: ['"', "'"], multiline: [], indentBlocks: false };
const PYTHON: Syntax = {
  lineComments: ['#'],
  blockComments: [],
  quotes: ['"', "'"],
  multiline: ['"""', "'''"],
  indentBlocks: true,
};

/** The syntax of a VS Code language id (C-like unless known otherwise). */
export function syntaxFor(languageId: string | undefined): Syntax {
  switch (languageId) {
    case 'python':
      return PYTHON;
    case 'shellscript':
    case 'ruby':
    case 'perl':
    case 'r':
    case 'yaml':
    case 'toml':
    case 'dockerfile':
    case 'makefile':
    case 'powershell':
      return HASH;
    default:
      return C_LIKE;
  }
}

const OPEN = '([{';
const CLOSE = ')]}';

/**
 * The code's characters outside strings and comments, line by line (strings and comments become spaces, so columns
 * and line ends stay where they were).
 */
export function codeOnly(lines: readonly string[], syn: Syntax): string[] {
  return scan(lines, syn).code;
}

/** codeOnly, and the end marker of a block comment or multi-line string still open at the end (null: none). */
export function scan(lines: readonly string[], syn: Syntax): { code: string[]; open: string | null } {
  const out: string[] = [];
  let inBlock: string | null = null; // the end marker of an open block comment or multi-line string
  for (const line of lines) {
    let o = '';
    let i = 0;
    while (i < line.length) {
      if (inBlock) {
        const j = findEnd(line, i, inBlock);
        if (j < 0) {
          o += ' '.repeat(line.length - i);
          i = line.length;
          break;
        }
        o += ' '.repeat(j + inBlock.length - i);
        i = j + inBlock.length;
        inBlock = null;
        continue;
      }
      if (syn.lineComments.some((c) => line.startsWith(c, i))) {
        o += ' '.repeat(line.length - i);
        break;
      }
      const block = syn.blockComments.find(([b]) => line.startsWith(b, i));
      if (block) {
        inBlock = block[1];
        o += ' '.repeat(block[0].length);
        i += block[0].length;
        continue;
      }
      const ml = syn.multiline.find((m) => line.startsWith(m, i));
      if (ml) {
        inBlock = ml;
        o += ' '.repeat(ml.length);
        i += ml.length;
        continue;
      }
      const q = line[i];
      if (syn.quotes.includes(q)) {
        const j = findEnd(line, i + 1, q);
        const end = j < 0 ? line.length : j + 1; // an unclosed quote ends with its line
        o += ' '.repeat(end - i);
        i = end;
        continue;
      }
      o += q;
      i++;
    }
    out.push(o);
  }
  return { code: out, open: inBlock };
}

/** The index of `end` in `line` from `i`, skipping backslash escapes (block comments have none that matter). */
function findEnd(line: string, i: number, end: string): number {
  for (let k = i; k < line.length; k++) {
    if (line[k] === '\\' && end !== '*/') {
      k++;
      continue;
    }
    if (line.startsWith(end, k)) return k;
  }
  return -1;
}

/**
 * The brackets left unmatched, in order: closers with no opener, then openers never closed (a mismatched closer
 * counts as unmatched and leaves the opener open). Equal signatures: the code fits its surroundings the same way.
 */
export function bracketSignature(lines: readonly string[], syn: Syntax): string {
  const stack: string[] = [];
  let closers = '';
  const { code, open } = scan(lines, syn);
  for (const l of code)
    for (const ch of l) {
      const o = OPEN.indexOf(ch);
      if (o >= 0) {
        stack.push(ch);
        continue;
      }
      const c = CLOSE.indexOf(ch);
      if (c < 0) continue;
      if (stack.length && stack[stack.length - 1] === OPEN[c]) stack.pop();
      else closers += ch;
    }
  // A comment or string left open hides everything after it: that differs from any closed one.
  return closers + '|' + stack.join('') + (open ? ` open ${open}` : '');
}

const indentOf = (l: string) => l.length - l.trimStart().length;

/**
 * Indentation blocks left without a body (Python): a line ending in ':' (outside strings, comments and brackets) whose
 * next non-blank line is not indented deeper, and a `try:` block with no `except`/`finally` after it.
 */
export function bodilessBlocks(lines: readonly string[], syn: Syntax): number {
  if (!syn.indentBlocks) return 0;
  const code = codeOnly(lines, syn);
  let n = 0;
  let depth = 0; // open brackets: a ':' inside them is a slice or a dict, not a block
  for (let i = 0; i < code.length; i++) {
    const atStart = depth;
    for (const ch of code[i]) {
      if (OPEN.includes(ch)) depth++;
      else if (CLOSE.includes(ch)) depth = Math.max(0, depth - 1);
    }
    const t = code[i].trimEnd();
    if (atStart > 0 || depth > 0 || !t.endsWith(':')) continue;
    const ind = indentOf(code[i]);
    let j = i + 1;
    while (j < code.length && code[j].trim() === '') j++;
    if (j >= code.length || indentOf(code[j]) <= ind) {
      n++;
      continue;
    }
    if (/^\s*try\s*:$/.test(t)) {
      let k = j;
      while (k < code.length && (code[k].trim() === '' || indentOf(code[k]) > ind)) k++;
      if (k >= code.length || indentOf(code[k]) !== ind || !/^\s*(except\b|finally\b)/.test(code[k])) n++;
    }
  }
  return n;
}

/** What a prefix of a change must keep from the original: its bracket signature, and no more bodiless blocks. */
export interface Shape {
  brackets: string;
  bodiless: number;
}
export function shapeOf(lines: readonly string[], syn: Syntax): Shape {
  return { brackets: bracketSignature(lines, syn), bodiless: bodilessBlocks(lines, syn) };
}
/** Is `s` as well-formed as the original's shape `orig`? */
export function keepsShape(s: Shape, orig: Shape): boolean {
  return s.brackets === orig.brackets && s.bodiless <= orig.bodiless;
}

/** One row of a stopped preview: its text if the change is accepted (null: gone) and if rejected. */
export interface CutRow {
  accepted: string | null;
  rejected: string | null;
  /** Part of a pending hunk (the only rows a cut changes). */
  pending: boolean;
}

/**
 * Where to cut a stopped change: the largest `c` such that rows [0, c) as accepted and rows [c, n) as rejected keep
 * the shape of the all-rejected text (the original plus what the user decided or typed). `rows.length`: the whole
 * change keeps it; 0: no prefix does (nothing balanced is left). Only cuts right after a pending row can differ, so
 * those are tried, from the end: O(pending rows × rows) at worst, usually one or two tries.
 */
export function structuralCut(rows: readonly CutRow[], syn: Syntax): number {
  const n = rows.length;
  const text = (c: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = i < c ? rows[i].accepted : rows[i].rejected;
      if (t !== null) out.push(t);
    }
    return out;
  };
  const orig = shapeOf(text(0), syn);
  if (!rows.some((r) => r.pending) || keepsShape(shapeOf(text(n), syn), orig)) return n;
  for (let c = n - 1; c > 0; c--) {
    if (!rows[c - 1].pending) continue;
    if (keepsShape(shapeOf(text(c), syn), orig)) return c;
  }
  return 0;
}
