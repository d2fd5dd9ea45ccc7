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
  let open: string | null = null; // the end marker of an open block comment or multi-line string
  for (const line of lines) {
    const r = scanLine(line, open, syn);
    out.push(r.code);
    open = r.open;
  }
  return { code: out, open };
}

/** One line of `scan`, from the open block comment or multi-line string `open` (null: none). */
function scanLine(line: string, open: string | null, syn: Syntax): { code: string; open: string | null } {
  let inBlock = open;
  let o = '';
  let i = 0;
  while (i < line.length) {
    if (inBlock) {
      const j = findEnd(line, i, inBlock);
      if (j < 0) {
        o += ' '.repeat(line.length - i);
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
    const ml = block ? undefined : syn.multiline.find((m) => line.startsWith(m, i));
    if (block || ml) {
      inBlock = block ? block[1] : ml!;
      const len = block ? block[0].length : ml!.length;
      o += ' '.repeat(len);
      i += len;
      continue;
    }
    const q = line[i];
    if (syn.quotes.includes(q)) {
      const j = findEnd(line, i + 1, q);
      const stop = j < 0 ? line.length : j + 1; // an unclosed quote ends with its line
      o += ' '.repeat(stop - i);
      i = stop;
      continue;
    }
    o += q;
    i++;
  }
  return { code: o, open: inBlock };
}

/** Where a left-to-right bracket scan is: the open comment/string, the open brackets, the unmatched closers. */
interface ScanState {
  open: string | null;
  stack: string[];
  closers: string;
}
const fresh = (): ScanState => ({ open: null, stack: [], closers: '' });
const copy = (st: ScanState): ScanState => ({ open: st.open, stack: [...st.stack], closers: st.closers });

function close(st: ScanState, ch: string): void {
  const c = CLOSE.indexOf(ch);
  if (st.stack.length && st.stack[st.stack.length - 1] === OPEN[c]) st.stack.pop();
  else st.closers += ch;
}

function feed(st: ScanState, line: string, syn: Syntax): void {
  const r = scanLine(line, st.open, syn);
  st.open = r.open;
  for (const ch of r.code)
    if (OPEN.includes(ch)) st.stack.push(ch);
    else if (CLOSE.includes(ch)) close(st, ch);
}

/** `st` followed by text whose own scan (from nothing open) gave `w`. */
function append(st: ScanState, w: ScanState): void {
  for (const ch of w.closers) close(st, ch);
  st.stack.push(...w.stack);
  st.open = w.open;
}

const signatureOf = (st: ScanState): string =>
  // A comment or string left open hides everything after it: that differs from any closed one.
  st.closers + '|' + st.stack.join('') + (st.open ? ` open ${st.open}` : '');

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
  const st = fresh();
  for (const l of lines) feed(st, l, syn);
  return signatureOf(st);
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
 * those are tried, from the end. The scan states after every accepted prefix are kept, and the rows after the last
 * pending one (the lines the stream never reached) are scanned once: a try costs the pending rows after its cut.
 * Past `budget` scanned rows (a huge change stopped early with nothing balanced) it gives up: 0, nothing proposed.
 */
export function structuralCut(rows: readonly CutRow[], syn: Syntax, budget = 100_000): number {
  const n = rows.length;
  const text = (c: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = i < c ? rows[i].accepted : rows[i].rejected;
      if (t !== null) out.push(t);
    }
    return out;
  };
  let last = n - 1;
  while (last >= 0 && !rows[last].pending) last--;
  if (last < 0) return n;
  const orig = shapeOf(text(0), syn);
  const blocksOk = (c: number) => !syn.indentBlocks || bodilessBlocks(text(c), syn) <= orig.bodiless;
  const pre: ScanState[] = [fresh()];
  for (let i = 0; i < n; i++) {
    const st = copy(pre[i]);
    const t = rows[i].accepted;
    if (t !== null) feed(st, t, syn);
    pre.push(st);
  }
  if (signatureOf(pre[n]) === orig.brackets && blocksOk(n)) return n;
  const tail = fresh();
  const tailRows: string[] = [];
  for (let i = last + 1; i < n; i++) {
    const t = rows[i].rejected;
    if (t !== null) {
      feed(tail, t, syn);
      tailRows.push(t);
    }
  }
  let spent = 0;
  for (let c = last; c > 0; c--) {
    if (!rows[c - 1].pending) continue;
    const st = copy(pre[c]);
    for (let i = c; i <= last; i++) {
      const t = rows[i].rejected;
      if (t !== null) feed(st, t, syn);
    }
    spent += last - c + 1;
    if (st.open === null) append(st, tail);
    else {
      for (const t of tailRows) feed(st, t, syn);
      spent += tailRows.length;
    }
    if (signatureOf(st) === orig.brackets && blocksOk(c)) return c;
    if (spent > budget) return 0;
  }
  return 0;
}
