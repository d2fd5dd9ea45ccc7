/**
 * A small token scanner for the demo model: enough to tell code from strings and comments, so that renames and
 * keyword changes never touch text inside a string literal or a comment. Concatenating the tokens gives back the
 * source exactly. Not a parser: the demo uses it for token-level edits it can do safely, and says when it cannot.
 */
export type Lang = 'ts' | 'py';
export type TokKind = 'id' | 'str' | 'comment' | 'num' | 'punct' | 'ws';
export interface Tok {
  kind: TokKind;
  text: string;
  start: number;
}

const PUNCT3 = ['===', '!==', '**=', '...', '>>>', '<<=', '>>='];
const PUNCT2 = [
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '**',
  '//',
  '->',
  ':=',
  '<<',
  '>>',
  '|=',
  '&=',
];

export function scan(src: string, lang: Lang): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const push = (kind: TokKind, end: number) => {
    out.push({ kind, text: src.slice(i, end), start: i });
    i = end;
  };
  // Whether a "/" here starts a regular expression (JS/TS): after an operator or at the start.
  const regexOk = () => {
    for (let k = out.length - 1; k >= 0; k--) {
      const t = out[k];
      if (t.kind === 'ws' || t.kind === 'comment') continue;
      return t.kind === 'punct'
        ? !/^[)\]}]$/.test(t.text)
        : t.kind === 'id' && /^(return|typeof|case|in|of|delete|void|throw|new)$/.test(t.text);
    }
    return true;
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      let e = i;
      while (e < src.length && /\s/.test(src[e])) e++;
      push('ws', e);
      continue;
    }
    if (/[A-Za-z_$\u00c0-\uffff]/.test(c)) {
      let e = i;
      while (e < src.length && /[\w$\u00c0-\uffff]/.test(src[e])) e++;
      push('id', e);
      continue;
    }
    if (/\d/.test(c) || (c === '.' && /\d/.test(src[i + 1] ?? ''))) {
      let e = i + 1;
      while (e < src.length && /[\w.]/.test(src[e])) e++;
      push('num', e);
      continue;
    }
    if (lang === 'py') {
      if (c === '#') {
        const e = src.indexOf('\n', i);
        push('comment', e < 0 ? src.length : e);
        continue;
      }
      if (c === '"' || c === "'") {
        push('str', pyStringEnd(src, i));
        continue;
      }
    } else {
      if (c === '/' && src[i + 1] === '/') {
        const e = src.indexOf('\n', i);
        push('comment', e < 0 ? src.length : e);
        continue;
      }
      if (c === '/' && src[i + 1] === '*') {
        const e = src.indexOf('*/', i + 2);
        push('comment', e < 0 ? src.length : e + 2);
        continue;
      }
      if (c === '"' || c === "'") {
        push('str', quotedEnd(src, i, c));
        continue;
      }
      if (c === '`') {
        push('str', templateEnd(src, i));
        continue;
      }
      if (c === '/' && regexOk()) {
        push('str', regexEnd(src, i));
        continue;
      }
    }
    const three = src.slice(i, i + 3),
      two = src.slice(i, i + 2);
    push('punct', i + (PUNCT3.includes(three) ? 3 : PUNCT2.includes(two) ? 2 : 1));
  }
  return out;
}

function quotedEnd(src: string, i: number, q: string): number {
  let e = i + 1;
  while (e < src.length && src[e] !== q && src[e] !== '\n') e += src[e] === '\\' ? 2 : 1;
  return Math.min(src.length, e + 1);
}

/** A template literal, `${…}` expressions included (nested braces and strings are skipped over). */
function templateEnd(src: string, i: number): number {
  let e = i + 1;
  while (e < src.length && src[e] !== '`') {
    if (src[e] === '\\') {
      e += 2;
      continue;
    }
    if (src[e] === '$' && src[e + 1] === '{') {
      let depth = 1;
      e += 2;
      while (e < src.length && depth) {
        const ch = src[e];
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        else if (ch === '"' || ch === "'") {
          e = quotedEnd(src, e, ch);
          continue;
        } else if (ch === '`') {
          e = templateEnd(src, e);
          continue;
        }
        e++;
      }
      continue;
    }
    e++;
  }
  return Math.min(src.length, e + 1);
}

function regexEnd(src: string, i: number): number {
  let e = i + 1,
    cls = false;
  while (e < src.length && src[e] !== '\n') {
    const ch = src[e];
    if (ch === '\\') {
      e += 2;
      continue;
    }
    if (ch === '[') cls = true;
    else if (ch === ']') cls = false;
    else if (ch === '/' && !cls) break;
    e++;
  }
  e++;
  while (e < src.length && /[a-z]/i.test(src[e])) e++;
  return Math.min(src.length, e);
}

function pyStringEnd(src: string, i: number): number {
  const q = src[i];
  if (src.startsWith(q.repeat(3), i)) {
    const e = src.indexOf(q.repeat(3), i + 3);
    return e < 0 ? src.length : e + 3;
  }
  return quotedEnd(src, i, q);
}

/** Python string prefixes (f"", r'', b"") scan as an identifier followed by a string: true for such a prefix. */
export function isStringPrefix(toks: Tok[], k: number): boolean {
  return (
    toks[k].kind === 'id' &&
    /^[rbfu]{1,2}$/i.test(toks[k].text) &&
    toks[k + 1]?.kind === 'str' &&
    toks[k + 1].start === toks[k].start + toks[k].text.length
  );
}

/** The index of the next token that is not white space or a comment (or toks.length). */
export function next(toks: Tok[], k: number): number {
  let j = k + 1;
  while (j < toks.length && (toks[j].kind === 'ws' || toks[j].kind === 'comment')) j++;
  return j;
}
export function prev(toks: Tok[], k: number): number {
  let j = k - 1;
  while (j >= 0 && (toks[j].kind === 'ws' || toks[j].kind === 'comment')) j--;
  return j;
}

/** The index of the bracket closing the one at k ((, [ or {), or -1 when it is not closed in this code. */
export function matching(toks: Tok[], k: number): number {
  const open = toks[k].text,
    close = ({ '(': ')', '[': ']', '{': '}' } as Record<string, string>)[open];
  let depth = 0;
  for (let j = k; j < toks.length; j++) {
    if (toks[j].kind !== 'punct') continue;
    if (toks[j].text === open) depth++;
    else if (toks[j].text === close && --depth === 0) return j;
  }
  return -1;
}

/** Do the brackets of this code balance (strings and comments aside)? */
export function balanced(toks: Tok[]): boolean {
  const stack: string[] = [];
  for (const t of toks) {
    if (t.kind !== 'punct') continue;
    if ('([{'.includes(t.text)) stack.push(t.text);
    else if (')]}'.includes(t.text)) {
      const o = stack.pop();
      if (o !== { ')': '(', ']': '[', '}': '{' }[t.text]) return false;
    }
  }
  return stack.length === 0;
}

let starts: { src: string; at: number[] } | undefined;
/** Offsets where each line of `src` starts (cached for the last text asked about: callers ask many times per text). */
export function lineStarts(src: string): number[] {
  if (starts?.src === src) return starts.at;
  const at = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) at.push(i + 1);
  starts = { src, at };
  return at;
}

/** The 0-based line of `offset` in `src` (a binary search: the demo asks this for every function of a 2,000-line file). */
export const lineOf = (src: string, offset: number) => {
  const at = lineStarts(src);
  let lo = 0,
    hi = at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (at[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
};
