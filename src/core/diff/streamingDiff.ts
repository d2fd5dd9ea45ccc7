/**
 * Streaming line diff: turns a growing rewrite of `original` into line-level decisions as the text arrives.
 * Cost per pushed chunk is O(chunk) plus O(1) amortised per completed line (a hash lookup with a
 * monotonic cursor), so it does not grow with the size of the file.
 *
 * A new line matches the next original line at once, or a distinctive one that is the last copy left within NEAR
 * lines (the lines skipped are removed). Skipping further, up to `lookahead` lines, needs the new lines after it to
 * continue the original there (a run of 2 for a last copy, ANCHOR_RUN otherwise), so code that only looks like the
 * code below does not drag the match past where it resumes. Beyond the lookahead (a big deletion, a long inserted
 * or re-indented block) it re-anchors on a distinctive line that is the last copy left, after a run of ANCHOR_RUN.
 * The lines of a run are held back (not shown) until it confirms or breaks; a broken run's first line is an added
 * line and the others are decided again. The greedy result is made minimal when the stream ends
 * (PreviewRegion.relayoutClean).
 */
export interface DiffSink {
  /** A completed new line that matches nothing yet: an added line, inserted before original[next]. */
  added(line: string): void;
  /** New line equals original[index]; original[from..index) are deleted. */
  matched(index: number, from: number): void;
  /**
   * A completed new line that is original[index] re-indented (see rewriteAt): original[index] is removed and the line
   * added right below it; original[from..index) (lines with no code, e.g. a closing brace) are deleted. Optional: a
   * sink without it gets added() (issue 11: a wrap's old lines stay above their new lines from the moment each is
   * written, instead of the whole old block moving above the new one when the stream ends).
   */
  replaced?(index: number, from: number, line: string): void;
  /** The incomplete last line, or null when there is none worth showing. */
  partial(text: string | null): void;
  /** The stream ended: original[from..] are deleted. */
  finished(from: number): void;
}

export interface StreamingDiffOptions {
  /** How far ahead of the cursor a new line may match an original line. */
  lookahead?: number;
}

/** The longest incomplete line shown while it streams (the whole line lands when its newline arrives). */
export const PARTIAL_MAX = 4000;

const norm = (s: string) => (s.endsWith('\r') ? s.slice(0, -1) : s);

/** Consecutive new lines that must equal the original lines from a far anchor on before the match moves there. */
export const ANCHOR_RUN = 3;
/** Up to this many original lines may be skipped (removed) on one distinctive line; more need a confirming run. */
const NEAR = 8;

/** A line distinctive enough to justify skipping (deleting) original lines to match it. */
function distinctive(line: string, distance: number): boolean {
  const t = line.trim();
  if (t.length < 4 || !/[A-Za-z0-9]/.test(t)) return false;
  return distance <= NEAR || t.length >= 10;
}

/** How many lines with no code (braces, blank lines) a re-indented line may skip to find the line it rewrites. */
const REWRITE_SKIP = 2;

/**
 * The index of the old line `line` rewrites, looking from `start`: an old line with the same code (trimmed text equal,
 * distinctive) but another indentation, past at most REWRITE_SKIP lines with no code; -1 when there is none. The ONE
 * rule the stream (StreamingLineDiff) and the end-of-stream layout (region.ts, hunkOrder) both apply, so a re-indented
 * line sits right below its old line in every state (issue 11: wrapping a block in try/catch).
 */
export function rewriteAt(olds: readonly string[], start: number, line: string): number {
  const t = line.trim();
  if (!distinctive(t, 0)) return -1;
  for (let i = start; i < olds.length && i <= start + REWRITE_SKIP; i++) {
    const o = norm(olds[i]);
    if (o.trim() === t) return o === line ? -1 : i;
    if (distinctive(o, 0)) return -1; // only lines with no code are skipped
  }
  return -1;
}

/** A line's code tokens: words, numbers, string literals, and each other character that is not a space. */
function tokens(s: string): string[] {
  return s.match(/[A-Za-z_$][\w$]*|\d[\w.]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\S/g) ?? [];
}

/** tokens() of the old line a line being written is judged against: the same line for every token of it (cached). */
let lastOld = { line: '', tokens: [] as string[] };
function oldTokens(line: string): string[] {
  if (lastOld.line !== line) lastOld = { line, tokens: tokens(line) };
  return lastOld.tokens;
}

/** tokens() of a line not finished yet: a string still open at its end is one (cut) token, not a quote and words. */
function partTokens(s: string): string[] {
  return s.match(/[A-Za-z_$][\w$]*|\d[\w.]*|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|\S/g) ?? [];
}

/** The longest token line compared (longer lines are never "similar": the comparison is quadratic in tokens). */
const SIMILAR_MAX_TOKENS = 80;

/**
 * Is `line` old line `old` changed in a few tokens (issue 11, session 12: "use const", a rename, an upper-cased string):
 * same indentation, both distinctive, one token changed (or one token changed the same way twice: a rename), and the
 * tokens they share (in order) are at least twice as many as those that changed and at least 3 (2 when one token changed
 * in lines of 10 characters or more). Equal lines are not similar (they match).
 */
export function similarLine(old: string, line: string): boolean {
  if (old === line) return false;
  const ind = (s: string) => s.length - s.trimStart().length;
  if (ind(old) !== ind(line) || old.slice(0, ind(old)) !== line.slice(0, ind(line))) return false;
  if (!distinctive(old, 0) || !distinctive(line, 0)) return false;
  const a = tokens(old),
    b = tokens(line);
  if (a.length > SIMILAR_MAX_TOKENS || b.length > SIMILAR_MAX_TOKENS) return false;
  if (Math.abs(a.length - b.length) > 2) return false;
  // Longest common subsequence of the tokens, and the tokens it leaves out on each side.
  const t: number[][] = [new Array<number>(b.length + 1).fill(0)];
  for (let i = 1; i <= a.length; i++) {
    const cur = (t[i] = new Array<number>(b.length + 1).fill(0));
    for (let j = 1; j <= b.length; j++)
      cur[j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], cur[j - 1]);
  }
  const common = t[a.length][b.length];
  const diff = Math.max(a.length - common, b.length - common);
  if (diff < 1 || diff > 2 || common < 2 * diff) return false;
  if (diff === 2) {
    // Two tokens changed only as one rename twice (`count` -> `itemCount` in `const count = … defaults.count;`): a new
    // line whose two changes differ (`import { b } from './b'` / `import { c } from './c'`) is more likely a new line.
    const gone = new Set<string>(),
      came = new Set<string>();
    for (let i = a.length, j = b.length; i > 0 || j > 0;) {
      if (i > 0 && j > 0 && a[i - 1] === b[j - 1]) {
        i--;
        j--;
      } else if (j > 0 && (i === 0 || t[i][j - 1] >= t[i - 1][j])) came.add(b[--j]);
      else gone.add(a[--i]);
    }
    if (gone.size > 1 || came.size > 1) return false;
  }
  return common >= 3 || (diff === 1 && old.trim().length >= 10 && line.trim().length >= 10);
}

/**
 * The index of the old line `line` changes, looking from `start` (past at most REWRITE_SKIP lines with no code, as
 * rewriteAt): the first old line with code, when `line` is it changed in a few tokens (similarLine); -1 otherwise.
 * The region shows that old line above the new one while the stream has not reached it, and the end-of-stream layout
 * keeps the pair (region.ts, hunkOrder): the old line stays above its new line in every state (issue 11, session 12).
 */
export function similarAt(olds: readonly string[], start: number, line: string): number {
  if (!distinctive(line, 0)) return -1;
  const i = codeLineAt(olds, start);
  return i >= 0 && similarLine(norm(olds[i]), line) ? i : -1;
}

/** The first old line with code from `start`, past at most REWRITE_SKIP lines with none; -1 when there is none. */
function codeLineAt(olds: readonly string[], start: number): number {
  for (let i = start; i < olds.length && i <= start + REWRITE_SKIP; i++) if (distinctive(norm(olds[i]), 0)) return i;
  return -1;
}

/**
 * What the line still being written, `part`, shows of the old line it may change (issue 11, session 14): `change` (it
 * already shows it changes that line a little: the region writes it below it, where the finished line goes when it is
 * similar), `maybe` (too little of it to tell a change from a new line above it: the region does not draw it yet, or
 * it would move a token later), `new` (drawn above the lines the stream has not reached, as any new line). Before, the
 * half-written `  const sum = 0` was drawn above `  var sum = 0;` and dropped below it at its newline.
 */
export type PartialVerdict = 'change' | 'maybe' | 'new';

/**
 * The old line the line being written is judged against, looking from `start` as similarAt does (the first old line
 * with code past at most REWRITE_SKIP lines with none), and the verdict; at -1 when there is none.
 */
export function partialAt(
  olds: readonly string[],
  start: number,
  part: string,
): { at: number; verdict: PartialVerdict } {
  const i = codeLineAt(olds, start);
  return i < 0 ? { at: -1, verdict: 'new' } : { at: i, verdict: partialVerdict(norm(olds[i]), part) };
}

/**
 * `change`: its code so far is the start of the old line's code under another indentation (a re-indent on its way,
 * rewriteAt), or under the same indentation it shares a word (or two other tokens) with the old line after the token
 * it changed and, so far, changed at most one token (one rename: twice), as similarLine asks of the whole line;
 * `maybe`: the same, with nothing shared after the change yet (`  const` under `  var sum = 0;`). The last word may be cut (`subt` of `subtotal`, `s` of `sum`).
 */
function partialVerdict(old: string, part: string): PartialVerdict {
  const ind = (s: string) => s.length - s.trimStart().length;
  const oc = old.slice(ind(old)),
    pc = part.slice(ind(part));
  if (pc === '') return 'new'; // only its indentation so far (the region does not draw it)
  if (oc.startsWith(pc)) return 'change';
  if (old.slice(0, ind(old)) !== part.slice(0, ind(part))) return 'new';
  const a = oldTokens(oc),
    b = partTokens(pc);
  if (a.length > SIMILAR_MAX_TOKENS || b.length > SIMILAR_MAX_TOKENS) return 'new';
  const first = soFar(a, b);
  const cut = b[b.length - 1];
  if (first === 'change' || !(/[\w$]$/.test(pc) || /^['"`]/.test(cut))) return first;
  // The last word (or string) may be cut: judged as the word it begins too, if the old line has one (`s` of `sum`) or
  // the line so far (the second `itemC` of a rename to `itemCount`).
  const begun = (w: string) => w.length > cut.length && w.startsWith(cut);
  const whole = a.find(begun) ?? b.slice(0, -1).find(begun);
  if (!whole) return first;
  const then = soFar(a, [...b.slice(0, -1), whole]);
  return then === 'change' || first === 'maybe' ? (then === 'change' ? 'change' : 'maybe') : then;
}

/**
 * Tokens `b` (a line's start) against `a` (a whole line), by the cheapest alignment of `b` with a start of `a` (tokens
 * of `a` after it are not reached yet): at most one token changed so far (a rename: the same one twice), and a word or
 * two other tokens (`+=`) in common after the change (`change`: before it, a new line like the old one, `import { c`
 * above `import { b }`, shares as much) or not yet (`maybe`); else `new`.
 */
function soFar(a: string[], b: string[]): PartialVerdict {
  const n = a.length,
    m = b.length;
  if (m > n + SO_FAR_MAX / 2) return 'new'; // more than two tokens came, whatever the alignment
  // d[i][j]: tokens changed (came + gone) aligning a[0, i) with b[0, j); only the band |i - j| <= SO_FAR_MAX can be
  // within the verdict's 2 + 2 changes. Kept by column (b's tokens) between calls: the line being written grows by a
  // token at a time against the same old line, so only the columns of its new tokens are computed (every token of a
  // line being written is judged: bench, per-token cost).
  const h = n + 1;
  if (dp.a !== a || dp.cells.length < h * (m + 1)) {
    if (dp.cells.length < h * (m + 1)) dp.cells = new Int16Array(Math.max(2 * h * (m + 1), dp.cells.length));
    dp.a = a;
    dp.b = [];
  }
  const d = dp.cells;
  const at = (i: number, j: number) => (i - j > SO_FAR_MAX || j - i > SO_FAR_MAX ? FAR : d[j * h + i]);
  let valid = 0; // columns 0..valid-1 hold b's prefix
  while (valid < m && valid < dp.b.length && dp.b[valid] === b[valid]) valid++;
  for (let j = valid === 0 ? 0 : valid + 1; j <= m; j++)
    for (let i = Math.max(0, j - SO_FAR_MAX); i <= Math.min(n, j + SO_FAR_MAX); i++)
      d[j * h + i] =
        i === 0
          ? j
          : j === 0
            ? i
            : Math.min(a[i - 1] === b[j - 1] ? at(i - 1, j - 1) : FAR, at(i - 1, j) + 1, at(i, j - 1) + 1);
  dp.b = b;
  let i = Math.max(0, m - SO_FAR_MAX);
  for (let k = i + 1; k <= Math.min(n, m + SO_FAR_MAX); k++) if (at(k, m) <= at(i, m)) i = k; // ties: the one matching more
  if (at(i, m) > SO_FAR_MAX) return 'new';
  // Walk back (last token first), counting without allocating: tokens that came and went (and whether each side is
  // one token only), and what the lines share after the first change (before it, a new line like the old one,
  // `import { c` above `import { b }`, shares as much).
  let came = 0,
    gone = 0,
    oneCame: string | null = null,
    oneGone: string | null = null,
    mixed = false,
    shared = 0,
    sharedWord = false,
    after = 0,
    afterWord = false;
  for (let j = m; i > 0 || j > 0;) {
    if (i > 0 && j > 0 && a[i - 1] === b[j - 1] && at(i, j) === at(i - 1, j - 1)) {
      shared++;
      sharedWord ||= /^[\w$'"`]/.test(a[i - 1]);
      i--;
      j--;
      continue;
    }
    if (j > 0 && at(i, j) === at(i, j - 1) + 1) {
      const t = b[--j];
      came++;
      if (oneCame === null) oneCame = t;
      else mixed ||= oneCame !== t;
    } else {
      const t = a[--i];
      gone++;
      if (oneGone === null) oneGone = t;
      else mixed ||= oneGone !== t;
    }
    after = shared;
    afterWord = sharedWord;
  }
  if (came > 2 || gone > 2 || mixed) return 'new';
  return afterWord || after >= 2 ? 'change' : 'maybe';
}

/** The most tokens changed (came + gone) a line being written may show and still be a change (2 + 2). */
const SO_FAR_MAX = 4;
const FAR = 1000;
/** soFar's table, kept by column for the old line `a` and the tokens `b` last judged. */
const dp = { a: [] as string[], b: [] as string[], cells: new Int16Array(1024) };

/** Does added line `line` replace removed line `old` as a pair (re-indented, rewriteAt; or changed a little, similarLine)? */
export function pairsWith(old: string, line: string): boolean {
  return (old.trim() === line.trim() && old !== line) || similarLine(old, line);
}

export class StreamingLineDiff {
  private readonly index = new Map<string, { at: number[]; cursor: number }>();
  private next = 0; // first original line not yet decided
  /** The incomplete line, as the pieces that arrived: never re-joined per chunk (linear on one very long line). */
  private parts: string[] = [];
  private partLen = 0;
  /** The incomplete line so far is a prefix of original[next] (kept up to date chunk by chunk). */
  private prefixOk = true;
  /** A partial line longer than PARTIAL_MAX was shown cut; it is not re-sent until the line ends. */
  private partialCut = false;
  private done = false;
  private readonly lookahead: number;
  /** Code-fence filter state: models sometimes wrap the rewrite in ``` despite instructions. */
  private heldFence: string | null = null;
  private firstLine = true;
  private partialShown = false;
  /** New lines held back while a far anchor is being confirmed: they equal original[heldAt, heldAt + held.length). */
  private held: string[] = [];
  private heldAt = -1;
  private need = 0;
  /** How many blank lines the answer so far ends with (see keepBlankTail). */
  private blankTail = 0;
  /** The lines added since the last line matched (see changedAbove), the last ones only. */
  private addedRun: string[] = [];

  constructor(
    private readonly original: readonly string[],
    private readonly sink: DiffSink,
    opts: StreamingDiffOptions = {},
  ) {
    this.lookahead = opts.lookahead ?? 64;
    for (let i = 0; i < original.length; i++) {
      const k = norm(original[i]);
      let e = this.index.get(k);
      if (!e) {
        e = { at: [], cursor: 0 };
        this.index.set(k, e);
      }
      e.at.push(i);
    }
  }

  /** Linear in the input: each character is looked at a bounded number of times, however long the line. */
  push(chunk: string): void {
    if (this.done || chunk.length === 0) return;
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      const line = this.partLen ? this.parts.join('') + piece : piece;
      this.clearBuf();
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    if (start < chunk.length) this.append(start ? chunk.slice(start) : chunk);
    this.showPartial();
  }

  private clearBuf() {
    this.parts = [];
    this.partLen = 0;
    this.prefixOk = true;
    this.partialCut = false;
  }

  private append(s: string) {
    if (this.prefixOk) {
      const at = this.held.length ? this.heldAt + this.held.length : this.next;
      const o = at < this.original.length ? this.original[at] : undefined;
      this.prefixOk = o !== undefined && o.startsWith(s, this.partLen);
    }
    this.parts.push(s);
    this.partLen += s.length;
  }

  private showPartial() {
    // Show the incomplete line only once it cannot be the next original line (avoids flicker).
    const show = this.partLen > 0 && !this.prefixOk && !(this.firstLine && this.parts[0].charCodeAt(0) === 96 /* ` */);
    if (!show) {
      if (this.partialShown) {
        this.sink.partial(null);
        this.partialShown = false;
      }
      return;
    }
    if (this.partialCut) return;
    const b = this.parts.length > 1 ? this.parts.join('') : this.parts[0];
    if (b.length > PARTIAL_MAX) {
      // A very long line (minified code, base64) is shown cut until it ends: re-sending it per chunk is quadratic.
      this.partialCut = true;
      this.parts = [b];
      this.sink.partial(b.slice(0, PARTIAL_MAX) + ' …');
    } else {
      this.parts = [b];
      this.sink.partial(b);
    }
    this.partialShown = true;
  }

  private line(line: string) {
    if (this.firstLine) {
      this.firstLine = false;
      if (/^\s*```[\w+-]*\s*$/.test(line)) return; // opening fence
    }
    if (this.heldFence !== null) {
      const held = this.heldFence;
      this.heldFence = null;
      this.answerLine(held);
    }
    if (/^\s*```\s*$/.test(line)) {
      this.heldFence = line;
      return;
    } // maybe the closing fence: decide later
    this.answerLine(line);
  }

  /** One line of the answer, decided (each once; decide itself may decide held lines again). */
  private answerLine(line: string) {
    this.blankTail = line.trim() === '' ? this.blankTail + 1 : 0;
    this.decide(line);
  }

  private decide(line: string) {
    if (this.partialShown) {
      this.sink.partial(null);
      this.partialShown = false;
    }
    const k = norm(line);
    if (this.held.length) {
      const at = this.heldAt + this.held.length;
      if (at < this.original.length && norm(this.original[at]) === k) {
        this.held.push(line);
        if (this.held.length >= this.need) this.takeAnchor();
        return;
      }
      this.releaseHeld();
      if (this.held.length) {
        this.decide(line);
        return;
      } // a held line started another anchor: this line follows it
    }
    const e = this.index.get(k);
    if (e) {
      while (e.cursor < e.at.length && e.at[e.cursor] < this.next) e.cursor++;
      if (e.cursor < e.at.length) {
        const q = e.at[e.cursor];
        const skip = q - this.next;
        const last = e.at.length - e.cursor === 1;
        if (skip === 0 || (skip <= NEAR && last && distinctive(line, skip)) || this.changedAbove(skip)) {
          const from = this.next;
          this.next = q + 1;
          e.cursor++;
          this.addedRun = [];
          this.sink.matched(q, from);
          return;
        }
        // Skipping more lines needs the next new line(s) to follow the original too (code that looks like the
        // code below, e.g. an inserted method, must not drag the match past the place it resumes); beyond the
        // lookahead only a line that is the last copy left can anchor.
        const far = skip > this.lookahead;
        if (distinctive(line, skip) && (!far || last)) {
          this.held = [line];
          this.heldAt = q;
          this.need = far || !last ? ANCHOR_RUN : 2;
          return;
        }
      }
    }
    const r = this.sink.replaced ? rewriteAt(this.original, this.next, k) : -1;
    if (r >= 0) {
      const from = this.next;
      this.next = r + 1;
      this.addedRun = [];
      this.sink.replaced!(r, from, line);
      return;
    }
    this.add(line);
  }

  private add(line: string) {
    this.addedRun.push(norm(line));
    if (this.addedRun.length > NEAR) this.addedRun.shift();
    this.sink.added(line);
  }

  /**
   * The `skip` original lines from next are the last lines added, each changed a little (similarLine: "use const",
   * a rename): a line after them that is the original's next one (a closing brace, too common to skip lines for on
   * its own) matches there, and they are removed, each right above its new line (issue 11, session 12).
   */
  private changedAbove(skip: number): boolean {
    const run = this.addedRun;
    if (skip < 1 || skip > run.length) return false;
    for (let i = 0; i < skip; i++)
      if (!similarLine(norm(this.original[this.next + i]), run[run.length - skip + i])) return false;
    return true;
  }

  /** The held run confirmed the anchor: original[next, heldAt) are removed, the held lines match. */
  private takeAnchor() {
    const at = this.heldAt,
      n = this.held.length;
    this.held = [];
    this.heldAt = -1;
    for (let i = 0; i < n; i++) {
      const from = this.next;
      this.next = at + i + 1;
      this.addedRun = [];
      this.sink.matched(at + i, from);
    }
  }

  /**
   * The complete answer ends on at least as many blank lines as the original (issue 11): a model (the demo too)
   * answers the code without the blank line a selection ended on, and nobody asked to delete it. The original's
   * trailing blank lines the answer left out are taken as the answer's last lines, so they stay.
   */
  private keepBlankTail() {
    let m = 0;
    while (m < this.original.length && this.original[this.original.length - 1 - m].trim() === '') m++;
    for (let i = this.original.length - m + this.blankTail; i < this.original.length; i++)
      this.answerLine(norm(this.original[i]));
  }

  /** The run broke: the first held line is an added line; the others are decided again by the usual rules. */
  private releaseHeld() {
    const held = this.held;
    this.held = [];
    this.heldAt = -1;
    this.add(held[0]);
    for (let i = 1; i < held.length; i++) this.decide(held[i]);
  }

  /** The stream ended. The trailing incomplete line (if any) is a line; a held closing fence is dropped. */
  end(): void {
    if (this.done) return;
    const rest = this.partLen ? this.parts.join('') : '';
    this.clearBuf();
    if (this.partialShown) {
      this.sink.partial(null);
      this.partialShown = false;
    }
    if (rest.length > 0 && !/^\s*```\s*$/.test(rest)) {
      if (this.heldFence !== null) {
        const h = this.heldFence;
        this.heldFence = null;
        this.answerLine(h);
      }
      this.answerLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
    }
    this.keepBlankTail();
    while (this.held.length) this.releaseHeld(); // an unconfirmed anchor at the end: its lines are added lines
    this.heldFence = null;
    this.done = true;
    this.sink.finished(this.next);
  }
}

/**
 * The new lines a complete model answer yields, by exactly the rules the streaming diff applies; given the original,
 * with the original's trailing blank lines the answer left out (see keepBlankTail).
 */
export function outputLines(text: string, original: readonly string[] = []): string[] {
  const out: string[] = [];
  const d = new StreamingLineDiff([], {
    added: (l) => out.push(l),
    matched: () => undefined,
    partial: () => undefined,
    finished: () => undefined,
  });
  d.push(text);
  d.end();
  const blanks = (ls: readonly string[]) => {
    let n = 0;
    while (n < ls.length && ls[ls.length - 1 - n].trim() === '') n++;
    return n;
  };
  for (let i = original.length - blanks(original) + blanks(out); i < original.length; i++) out.push(norm(original[i]));
  return out;
}
