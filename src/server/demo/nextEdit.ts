import { parseNextEditPrompt } from '../../core/nextEdit/prompt';

/**
 * The demo model's next-edit answer: the editable lines with the next edit applied, derived from the newest edit in
 * the history. Three common cases:
 *  - a changed signature (`function f(a)` → `function f(a, b)`): calls `f(x)` below get the new argument;
 *  - a rename (one identifier replaced by another on a line): the other uses of the old name;
 *  - a repeated pattern (any other one-place change on a line, e.g. `var ` → `let `, `==` → `===`): similar lines.
 * Anything else: the lines unchanged (no suggestion).
 */
export function demoNextEdit(promptText: string): string {
  const p = parseNextEditPrompt(promptText);
  if (!p) return '';
  const lines = [...p.editable];
  const change = lastLineChange(p.history);
  if (!change) return lines.join('\n') + '\n';
  const sig = signatureChange(change.old, change.new);
  if (sig) return lines.map((l) => addArguments(l, sig)).join('\n') + '\n';
  const sub = substitution(change.old, change.new);
  // Only a finished-looking change is repeated: one that keeps the line's brackets and quotes as they were (a
  // half-typed `order: Ord` or `(res) add` is not a pattern), and swaps a word for a word or an operator for an operator.
  if (!sub || shape(change.old) !== shape(change.new) || kind(sub.from) !== kind(sub.to) || !kind(sub.from))
    return lines.join('\n') + '\n';
  // `var` → `let` is a pattern, `return` → `ord` is half a word typed over a keyword.
  const kw = keywords(p.path);
  const k = kw(sub.from);
  if (k === 'mixed' || k !== kw(sub.to) || (k === 'keywords' && !SWAPS.some((g) => g.has(sub.from) && g.has(sub.to))))
    return lines.join('\n') + '\n';
  // A word is replaced as a whole word (`0` → `n` leaves `10` alone), an operator where it stands between spaces as
  // an operator does (not `"x==y"` in a string).
  const re =
    kind(sub.from) === 'word'
      ? new RegExp(`(?<![\\w$.])${esc(sub.from)}(?![\\w$])`, 'g')
      : new RegExp(`(?<=\\s)${esc(sub.from)}(?=\\s)`, 'g');
  const inComment = isComment(change.new);
  const next = lines.map((l) => {
    if (isComment(l) !== inComment) return l; // a word changed in a comment is not a rename in the code, nor back
    const m = l.replace(re, sub.to);
    return shape(m) === shape(l) ? m : l; // never a suggestion that unbalances a line
  });
  return next.join('\n') + '\n';
}

const isComment = (line: string) => /^\s*(?:\/\/|#|\/?\*)/.test(line);

const JS_KEYWORDS =
  'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
  'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
  'yield let static implements interface package private protected public await async as of type declare ' +
  'readonly abstract keyof infer is namespace module';
const PY_KEYWORDS =
  'False None True and as assert async await break class continue def del elif else except finally for from ' +
  'global if import in is lambda nonlocal not or pass raise return try while with yield';

/** Keywords that stand in for each other: swapping one for another is a pattern (`var` → `let`). */
const SWAPS = [new Set(['var', 'let', 'const']), new Set(['public', 'private', 'protected'])];

/** Are a substitution's words all keywords of the file's language, none, or some (not a pattern to repeat)? */
function keywords(path: string): (s: string) => 'keywords' | 'names' | 'mixed' {
  const set = new Set((/\.py$/.test(path) ? PY_KEYWORDS : JS_KEYWORDS).split(' '));
  return (s) => {
    const words = s.match(/[\w$]+/g) ?? [];
    const n = words.filter((w) => set.has(w)).length;
    return n === 0 ? 'names' : n === words.length ? 'keywords' : 'mixed';
  };
}

/** The line's brackets and quotes, in order: a change that keeps them keeps the line's structure. */
const shape = (line: string) => line.replace(/[^()[\]{}<>'"`]/g, '');

/** A word (identifiers, keywords, numbers), an operator (`==`, `!==`, `+=`), or neither (brackets, mixed text). */
function kind(s: string): 'word' | 'op' | undefined {
  const t = s.trim();
  if (/^[\w$]+(?:\s+[\w$]+)*$/.test(t)) return 'word';
  if (/^[-+*/%=!&|^~?:.]+$/.test(t)) return 'op';
  return undefined;
}

/** The newest one-line change in the history: the last `-old` / `+new` pair of equal-length hunks. */
function lastLineChange(history: string[]): { old: string; new: string } | undefined {
  for (let k = history.length - 1; k >= 0; k--) {
    const hunks = history[k].split(/^@@.*$/m).map((h) => h.split('\n').filter(Boolean));
    for (let i = hunks.length - 1; i >= 0; i--) {
      const minus = hunks[i].filter((l) => l.startsWith('-')).map((l) => l.slice(1));
      const plus = hunks[i].filter((l) => l.startsWith('+')).map((l) => l.slice(1));
      if (minus.length && minus.length === plus.length) {
        for (let j = minus.length - 1; j >= 0; j--) if (minus[j] !== plus[j]) return { old: minus[j], new: plus[j] };
      }
    }
  }
  return undefined;
}

/** The changed part of a line: the smallest from → to that turns `a` into `b`, widened to whole words. */
function substitution(a: string, b: string): { from: string; to: string } | undefined {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  // widened to whole words, and whole operators (`==` → `===` is the operator, not an inserted `=`)
  for (const w of [/[\w$]/, /[-+*/%=!&|^~?<>]/]) {
    while (p > 0 && w.test(a[p - 1])) p--;
    while (s > 0 && w.test(a[a.length - s])) s--;
  }
  const from = a.slice(p, a.length - s),
    to = b.slice(p, b.length - s);
  return from.trim() && from !== to ? { from, to } : undefined;
}

interface Signature {
  name: string;
  added: string[];
  oldCount: number;
}

/** `function f(a)` → `function f(a, b)` (or a method / arrow const): the parameters added at the end. */
function signatureChange(a: string, b: string): Signature | undefined {
  const decl =
    /(?:function\s+([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?|^\s*(?:async\s+)?([A-Za-z_$][\w$]*))\s*\(([^)]*)\)/;
  const x = decl.exec(a),
    y = decl.exec(b);
  if (!x || !y) return undefined;
  const name = x[1] ?? x[2] ?? x[3];
  if (name !== (y[1] ?? y[2] ?? y[3]) || /^(if|for|while|switch|catch|return)$/.test(name)) return undefined;
  const params = (s: string) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  const pa = params(x[4]),
    pb = params(y[4]);
  if (pb.length <= pa.length || pa.some((q, i) => q !== pb[i])) return undefined;
  const added = pb.slice(pa.length).map((q) => q.replace(/[?]?\s*[:=].*$/, '').trim());
  return { name, added, oldCount: pa.length };
}

/** Calls `name(x)` with the old number of arguments get the added parameters (by name, as placeholders). */
function addArguments(line: string, sig: Signature): string {
  if (new RegExp(`function\\s+${esc(sig.name)}\\b|\\b${esc(sig.name)}\\s*=`).test(line)) return line;
  return line.replace(new RegExp(`(?<![\\w$])${esc(sig.name)}\\(([^()]*)\\)`, 'g'), (m, args: string) => {
    const n = args
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean).length;
    if (n !== sig.oldCount) return m;
    return `${sig.name}(${[args.trim(), ...sig.added].filter(Boolean).join(', ')})`;
  });
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
