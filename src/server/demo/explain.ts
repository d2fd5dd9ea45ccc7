/**
 * The demo model's chat answers to "Explain" and "What could go wrong?" (session 9 newcomers: Explain said it could
 * not, and "What could go wrong?" got the code documented, which does not answer the question). Both are read from the
 * code with the demo's token scanner (./scan, ./functions): what a function takes, its loops, calls, branches and
 * returns; and risks found by fixed rules, each at the line it is on. Nothing is said that is not in the code: the unit
 * tests check each claim against its line.
 */
import { Fn, findFunctions, outermost } from './functions';
import { Lang, Tok, lineOf, matching, next, prev, scan } from './scan';

/** One thing found, at a line of the code given (0-based). `code` is the text quoted for it (found on that line). */
export interface Fact {
  line: number;
  code: string;
}

export interface Explained {
  fn?: Fn;
  /** The lines described (the function's, or the whole code's). */
  from: number;
  to: number;
  loops: Fact[];
  calls: Fact[];
  branches: Fact[];
  returns: Fact[];
}

export type RiskKind =
  | 'division'
  | 'index'
  | 'money'
  | 'parseInt'
  | 'var'
  | 'unawaited'
  | 'mutation'
  | 'undefined';

export interface Risk extends Fact {
  kind: RiskKind;
  /** The prose: what can go wrong there. */
  text: string;
}

const KEYWORDS =
  /^(if|elif|else|for|while|switch|case|catch|return|typeof|with|function|def|await|new|super|import|delete|void|in|of|yield|not|and|or|is|lambda|print|async|class)$/;

/** Code without its line breaks and runs of spaces, for quoting. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();
const cut = (s: string, n = 70) => (s.length > n ? s.slice(0, n - 1).trimEnd() + '…' : s);

interface Ctx {
  code: string;
  lang: Lang;
  toks: Tok[];
  /** Token indexes (non-whitespace, non-comment) of each function's own range, nested functions left out. */
  fns: Fn[];
}

function context(code: string, lang: Lang): Ctx {
  return { code, lang, toks: scan(code, lang), fns: findFunctions(code, lang) };
}

const lineOfTok = (c: Ctx, k: number) => lineOf(c.code, c.toks[k].start);

/** The lines of a function: its header to its body's end. */
const fnLines = (c: Ctx, f: Fn): [number, number] => [
  f.headerLine,
  c.lang === 'py' ? f.bodyEndLine : lineOf(c.code, f.bodyClose),
];

/** Whether token k lies inside a function nested in `f` (its statements are that function's, not f's). */
function inNested(c: Ctx, f: Fn | undefined, k: number): boolean {
  const line = lineOfTok(c, k);
  return c.fns.some((g) => {
    if (g === f) return false;
    const [a, b] = fnLines(c, g);
    if (f) {
      const [fa, fb] = fnLines(c, f);
      if (a < fa || b > fb || (a === fa && b === fb)) return false;
    }
    if (c.lang === 'ts' && g.bodyOpen >= 0) {
      const s = c.toks[k].start;
      return s > g.bodyOpen && s < g.bodyClose;
    }
    return line > g.headerEndLine && line <= b;
  });
}

/** The text from token a to token b (inclusive), flattened. */
const span = (c: Ctx, a: number, b: number) =>
  flat(c.code.slice(c.toks[a].start, c.toks[b].start + c.toks[b].text.length));

/** The end of the expression starting at token k: before `;`, or (Python, or TS at a line end) the line's end, brackets balanced. */
function exprEnd(c: Ctx, k: number): number {
  let depth = 0,
    last = k - 1;
  for (let j = k; j < c.toks.length; j++) {
    const t = c.toks[j];
    if (t.kind === 'ws') {
      if (depth === 0 && t.text.includes('\n')) {
        // TS: a chain continued on the next line (.then) goes on.
        const n = c.toks[next(c.toks, j)];
        if (c.lang === 'ts' && n && (n.text === '.' || n.text === '?.')) continue;
        break;
      }
      continue;
    }
    if (t.kind === 'comment') continue;
    if (t.kind === 'punct') {
      if ('([{'.includes(t.text)) depth++;
      else if (')]}'.includes(t.text)) {
        if (--depth < 0) break;
      } else if (depth === 0 && (t.text === ';' || t.text === ',')) break;
    }
    last = j;
  }
  return last;
}

/** The name called at `(` token k: `a.b.c` (a chain of names), or undefined when it is not a call. */
function callee(c: Ctx, k: number): { name: string; from: number } | undefined {
  const p = prev(c.toks, k);
  if (p < 0 || c.toks[p].kind !== 'id') return undefined;
  const dotted = ['.', '?.'].includes(c.toks[prev(c.toks, p)]?.text ?? '');
  if (KEYWORDS.test(c.toks[p].text) && !dotted) return undefined; // `.catch(` is a call, `catch (` is not
  const pp = prev(c.toks, p);
  if (pp >= 0 && /^(function|def|class)$/.test(c.toks[pp].text)) return undefined;
  let from = p;
  for (;;) {
    const dot = prev(c.toks, from);
    if (dot < 0 || (c.toks[dot].text !== '.' && c.toks[dot].text !== '?.')) break;
    const id = prev(c.toks, dot);
    if (id < 0 || c.toks[id].kind !== 'id') {
      from = dot; // `lines[i].trim(`: the method name only
      break;
    }
    from = id;
  }
  const name = flat(c.code.slice(c.toks[from].start, c.toks[p].start + c.toks[p].text.length));
  return { name, from };
}

/** A method or function declaration's own header (TS: `total(order: Order)` is not a call). */
function isHeader(c: Ctx, k: number): boolean {
  const line = lineOfTok(c, k);
  return c.fns.some((f) => {
    if (f.headerLine !== line || !f.name) return false;
    const p = prev(c.toks, k);
    return c.toks[p]?.text === f.name && (c.lang === 'py' || c.toks[next(c.toks, matching(c.toks, k))]?.text !== ';');
  });
}

/** What each outermost function in the code takes, does and returns (or the code as a whole, if it has none). */
export function explain(code: string, lang: Lang): Explained[] {
  const c = context(code, lang);
  const top = outermost(c.fns);
  const parts: Array<Fn | undefined> = top.length ? top : [undefined];
  return parts.map((fn) => {
    const [from, to] = fn ? fnLines(c, fn) : [0, code.split('\n').length - 1];
    const e: Explained = { fn, from, to, loops: [], calls: [], branches: [], returns: [] };
    const seenCalls = new Set<string>();
    for (let k = 0; k < c.toks.length; k++) {
      const t = c.toks[k];
      const line = lineOfTok(c, k);
      if (line < from || line > to || t.kind === 'ws' || t.kind === 'comment' || t.kind === 'str') continue;
      if (inNested(c, fn, k)) continue;
      if (t.kind === 'id' && (t.text === 'for' || t.text === 'while')) {
        const lineText = code.split('\n')[line];
        // Python: `for` inside an expression (sum(x for x in xs)) is a generator, not a loop statement.
        const statement = lang === 'ts' || new RegExp(`^\\s*${t.text}\\b`).test(lineText);
        if (!statement) continue;
        const head =
          lang === 'ts' && c.toks[next(c.toks, k)]?.text === '('
            ? span(c, k, matching(c.toks, next(c.toks, k)))
            : flat(lineText).replace(/:$/, '');
        e.loops.push({ line, code: cut(head) });
      } else if (t.kind === 'id' && (t.text === 'if' || t.text === 'elif' || t.text === 'switch')) {
        const lineText = code.split('\n')[line];
        if (lang === 'py' && !new RegExp(`^\\s*(else\\s+)?${t.text}\\b`).test(lineText)) continue; // x if c else y
        const n = next(c.toks, k);
        const head =
          lang === 'ts' && c.toks[n]?.text === '('
            ? span(c, k, matching(c.toks, n))
            : flat(lineText.slice(lineText.indexOf(t.text))).replace(/:.*$/, '');
        e.branches.push({ line, code: cut(head) });
      } else if (t.kind === 'id' && t.text === 'return') {
        const n = next(c.toks, k);
        const end = n >= 0 ? exprEnd(c, n) : -1;
        const expr = n >= 0 && end >= n && lineOfTok(c, n) === line ? span(c, n, end) : '';
        e.returns.push({ line, code: cut(expr) });
      } else if (t.kind === 'punct' && t.text === '(' && !isHeader(c, k)) {
        const cal = callee(c, k);
        if (!cal || seenCalls.has(cal.name) || (fn && cal.name === fn.name && line === fn.headerLine)) continue;
        seenCalls.add(cal.name);
        e.calls.push({ line: lineOfTok(c, cal.from), code: cal.name });
      }
    }
    return e;
  });
}

const MONEY = /^(price|prices|amount|cost|costs|subtotal|total|sum|fee|fees|tax|discount|balance|payment)$/i;
const MUTATORS =
  /^(push|pop|shift|unshift|splice|sort|reverse|fill|copyWithin|append|extend|insert|remove|clear|update|add|delete|set|setdefault|popitem)$/;

/** What the rules share: the code, its tokens and functions, and how a risk is added. */
interface RuleCtx {
  c: Ctx;
  lang: Lang;
  lines: string[];
  code: string;
  out: Risk[];
  add: (kind: RiskKind, line: number, quoted: string, text: string) => void;
  scope: (k: number) => string;
  guarded: (k: number, name: string) => boolean;
  sig: (k: number) => number;
  fnOf: (k: number) => Fn | undefined;
  params: Set<string>;
  asyncNames: Set<string>;
}
/** A rule at one token: `n` and `p` are the next and previous significant tokens. */
type Rule = (r: RuleCtx, at: { k: number; t: Tok; line: number; n: number; p: number }) => void;

/** A division whose divisor can be 0 (or an empty collection's length). */
const divisionRule: Rule = ({ c, lang, add, guarded }, { t, line, n, k }) => {
  if (t.kind === 'punct' && (t.text === '/' || t.text === '//' || t.text === '/=' || t.text === '%')) {
    if (lang === 'ts' && t.text === '//') return;
    const end = exprEndOperand(c, n);
    if (end < n) return;
    const divisor = span(c, n, end);
    if (/^[\d.]+$/.test(divisor) && Number(divisor) !== 0) return; // a non-zero literal
    const empty = /^len\((.+)\)$/.exec(divisor)?.[1] ?? /^(.+)\.length$/.exec(divisor)?.[1];
    const core = empty ?? divisor;
    if (guarded(k, core)) return;
    add(
      'division',
      line,
      divisor,
      empty
        ? `divides by \`${divisor}\`: if \`${empty}\` is empty, that is a division by zero (${lang === 'py' ? 'ZeroDivisionError' : 'the result is NaN or Infinity'}), and nothing here checks for it`
        : `divides by \`${divisor}\`, and nothing here checks that it is not 0 (${lang === 'py' ? 'ZeroDivisionError' : 'the result would be Infinity or NaN'})`,
    );
  }
};

/** Indexing a possibly empty array. */
const indexRule: Rule = ({ c, lang, lines, add, scope, guarded, sig }, { t, line, p, k }) => {
  if (t.kind === 'punct' && t.text === '[' && p >= 0 && (c.toks[p].kind === 'id' || c.toks[p].text === ')')) {
    const close = matching(c.toks, k);
    if (close < 0 || sig(k + 1) === close) return; // `number[]`: a type
    if (c.toks[p].kind === 'id' && KEYWORDS.test(c.toks[p].text)) return;
    const index = span(c, sig(k + 1), prev(c.toks, close));
    if (/^["'`]/.test(index)) return; // a key lookup, not a position
    const arr = c.toks[p].kind === 'id' ? (callee(c, k)?.name ?? c.toks[p].text) : '';
    if (!arr) return;
    const base = arr.split('.').pop()!;
    // An index bounded by a loop over the length, or a function that checks the length first: left alone.
    const s = scope(k);
    const esc = base.replace(/[$]/g, '\\$');
    if (new RegExp(`(<|<=)\\s*[\\w.]*${esc}\\.length|in\\s+range\\(\\s*len\\(\\s*${esc}\\s*\\)`).test(s)) return;
    if (guarded(k, base) || inLengthBranch(lines, line, toks0(c, k), base)) return;
    add(
      'index',
      line,
      `${arr}[${index}]`,
      `reads \`${arr}[${index}]\`: if \`${arr}\` is empty, there is no element there (${lang === 'py' ? 'IndexError' : 'the value is undefined'}), and nothing here checks for it`,
    );
  }
};

/** Money in floating-point arithmetic (TypeScript's number always is; Python's only with a float in it). */
const moneyRule: Rule = ({ c, lang, lines, code, out, add }, { t, line, n, p }) => {
  if (t.kind === 'id' && MONEY.test(t.text) && c.toks[n]?.text !== '(' && c.toks[p]?.text !== 'def') {
    const lineToks = c.toks.filter((x) => lineOf(code, x.start) === line && x.kind === 'punct');
    const arith = lineToks.some((x) => /^(\*|\/|\+|-|\+=|-=|\*=|\/=)$/.test(x.text));
    const float = lang === 'ts' || /\d\.\d/.test(lines[line]);
    if (arith && float && !out.some((r) => r.kind === 'money' && r.line === line))
      add(
        'money',
        line,
        t.text,
        `computes with \`${t.text}\` in floating-point numbers: money in floats picks up rounding errors (0.1 + 0.2 is 0.30000000000000004); whole cents, or a decimal type, are exact`,
      );
  }
};

/** parseInt without a radix. */
const parseIntRule: Rule = ({ c, add }, { t, line, n, k }) => {
  if (t.kind === 'id' && t.text === 'parseInt' && c.toks[n]?.text === '(') {
    const close = matching(c.toks, n);
    let depth = 0,
      comma = false;
    for (let j = n; j <= close && close > 0; j++) {
      const x = c.toks[j];
      if (x.kind !== 'punct') continue;
      if ('([{'.includes(x.text)) depth++;
      else if (')]}'.includes(x.text)) depth--;
      else if (x.text === ',' && depth === 1) comma = true;
    }
    if (close > 0 && !comma)
      add(
        'parseInt',
        line,
        span(c, k, close),
        `calls \`${span(c, k, close)}\` without a radix: give it one (\`parseInt(s, 10)\`) so that the base is never guessed`,
      );
  }
};

/** var: function-scoped and hoisted. */
const varRule: Rule = ({ c, lang, add }, { t, line, n }) => {
  if (lang === 'ts' && t.kind === 'id' && t.text === 'var' && c.toks[n]?.kind === 'id')
    add(
      'var',
      line,
      `var ${c.toks[n].text}`,
      `declares \`var ${c.toks[n].text}\`: \`var\` is function-scoped and hoisted, so \`${c.toks[n].text}\` exists in the whole function, outside its block too; \`let\` or \`const\` keep it to its block`,
    );
};

/** A promise nobody waits for: a call to fetch or to an async function of this code, as a statement of its own. */
const unawaitedRule: Rule = ({ c, lang, add, fnOf, asyncNames }, { t, line, n, p, k }) => {
  if (lang === 'ts' && t.kind === 'id' && c.toks[n]?.text === '(' && (t.text === 'fetch' || asyncNames.has(t.text))) {
    const before = c.toks[p];
    const statementStart = p < 0 || [';', '{', '}'].includes(before.text);
    const fn = fnOf(k);
    if (statementStart && !(fn && fn.name === t.text && fn.headerLine === line))
      add(
        'unawaited',
        line,
        `${t.text}(`,
        `calls \`${t.text}(…)\` without \`await\` or \`return\`: the promise is dropped, its errors are never seen, and the code goes on before it is done`,
      );
  }
};

/** Mutating an argument: a parameter changed in place. */
const mutationRule: Rule = ({ c, add, sig, fnOf, params }, { t, line, n, p, k }) => {
  if (t.kind === 'id' && params.has(t.text) && c.toks[p]?.text !== '.') {
    const fn = fnOf(k);
    if (!fn || !fn.params.some((x) => x.name === t.text) || line <= fn.headerEndLine) return;
    const dot = n;
    if (c.toks[dot]?.text === '.' && c.toks[sig(dot + 1)]?.kind === 'id') {
      const m = sig(dot + 1);
      const after = sig(m + 1);
      const method = c.toks[m].text;
      const op = c.toks[after]?.text ?? '';
      if ((MUTATORS.test(method) && op === '(') || /^(=|\+=|-=|\*=|\/=|\+\+|--)$/.test(op))
        add(
          'mutation',
          line,
          `${t.text}.${method}`,
          op === '('
            ? `calls \`${t.text}.${method}(…)\`, which changes the caller's \`${t.text}\` in place (an argument, not a copy)`
            : `assigns to \`${t.text}.${method}\`, which changes the caller's \`${t.text}\` (an argument, not a copy)`,
        );
    } else if (c.toks[dot]?.text === '[') {
      const close = matching(c.toks, dot);
      const op = close > 0 ? c.toks[sig(close + 1)]?.text : '';
      if (op && /^(=|\+=|-=|\*=|\/=)$/.test(op))
        add(
          'mutation',
          line,
          `${t.text}[`,
          `assigns into \`${t.text}[…]\`, which changes the caller's \`${t.text}\` in place (an argument, not a copy)`,
        );
    }
  }
};

/** Possibly undefined: .find(…) (TS) or .get(…) (Python) used at once. */
const undefinedRule: Rule = ({ c, lang, add, sig }, { t, line, n, p }) => {
  if (t.kind === 'id' && (t.text === (lang === 'ts' ? 'find' : 'get')) && c.toks[p]?.text === '.') {
    const open = n;
    if (c.toks[open]?.text !== '(') return;
    const close = matching(c.toks, open);
    const after = close > 0 ? c.toks[sig(close + 1)] : undefined;
    if (after && (after.text === '.' || after.text === '['))
      add(
        'undefined',
        line,
        `.${t.text}(`,
        `uses the result of \`.${t.text}(…)\` at once: it is ${lang === 'ts' ? 'undefined' : 'None'} when nothing matches, and then this line throws`,
      );
  }
};

const RULES: Rule[] = [divisionRule, indexRule, moneyRule, parseIntRule, varRule, unawaitedRule, mutationRule, undefinedRule];

/** The risks the demo's rules find in the code, in line order. */
export function risks(code: string, lang: Lang): Risk[] {
  const c = context(code, lang);
  const out: Risk[] = [];
  const lines = code.split('\n');
  const add = (kind: RiskKind, line: number, quoted: string, text: string) => {
    if (!out.some((r) => r.kind === kind && r.line === line && r.code === quoted))
      out.push({ kind, line, code: quoted, text });
  };
  const fnOf = (k: number) => {
    const line = lineOfTok(c, k);
    const inside = c.fns.filter((f) => {
      const [a, b] = fnLines(c, f);
      return line >= a && line <= b;
    });
    return inside[inside.length - 1];
  };
  /** The text of the function around token k (or the whole code), for guards. */
  const scope = (k: number) => {
    const f = fnOf(k);
    if (!f) return code;
    const [a, b] = fnLines(c, f);
    return lines.slice(a, b + 1).join('\n');
  };
  /** Whether the function around token k checks `name` for 0 / empty (in a condition) before relying on it. */
  const guarded = (k: number, name: string) => {
    const x = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const len = `(?:len\\(\\s*${x}\\s*\\)|${x}\\.length)`;
    const checks = new RegExp(
      [
        `\\bnot\\s+(?:${x}|${len})(?![\\w.(\\[])`,
        `!\\s*(?:${x}|${len})(?![\\w.(\\[])`,
        `(?:${x}|${len})\\s*(?:===?|!==?|>=?|<=?)\\s*[01]\\b`,
        `\\b[01]\\s*(?:===?|!==?|>=?|<=?)\\s*(?:${x}|${len})(?![\\w.(\\[])`,
        `\\b(?:if|elif|while|assert)\\s*\\(?\\s*(?:${x}|${len})\\s*\\)?\\s*(?::|\\{|$|&&|\\|\\||and\\b|or\\b)`,
      ].join('|'),
    );
    return scope(k)
      .split('\n')
      .some((l) => /\b(if|elif|while|assert)\b|\?/.test(l) && checks.test(l));
  };
  const sig = (k: number) => {
    let j = k;
    while (j < c.toks.length && (c.toks[j].kind === 'ws' || c.toks[j].kind === 'comment')) j++;
    return j;
  };
  const params = new Set(c.fns.flatMap((f) => f.params.map((p) => p.name)));
  const asyncNames = new Set(c.fns.filter((f) => f.isAsync && f.name).map((f) => f.name));

  const r: RuleCtx = { c, lang, lines, code, out, add, scope, guarded, sig, fnOf, params, asyncNames };
  for (let k = 0; k < c.toks.length; k++) {
    const t = c.toks[k];
    if (t.kind === 'ws' || t.kind === 'comment' || t.kind === 'str') continue;
    const at = { k, t, line: lineOfTok(c, k), n: sig(k + 1), p: prev(c.toks, k) };
    for (const rule of RULES) rule(r, at);
  }
  return out.sort((a, b) => a.line - b.line);
}


/** The column of token k on its line. */
const toks0 = (c: Ctx, k: number) => c.toks[k].start - (c.code.lastIndexOf('\n', c.toks[k].start - 1) + 1);

/**
 * Whether the code at (line, col) runs only under a condition on `name`'s length: the same line after an `if …` that
 * names it (`if len(xs) % 2: return xs[m]`), or the block of the nearest less-indented `if`/`elif` line above.
 */
function inLengthBranch(lines: string[], line: number, col: number, name: string): boolean {
  const len = new RegExp(`len\\(\\s*${name}\\s*\\)|\\b${name}\\.length\\b`);
  const cond = /^\s*(?:\}\s*else\s+)?(?:if|elif)\b|^\s*else\s+if\b/;
  const here = lines[line].slice(0, col);
  if (cond.test(here) && len.test(here)) return true;
  const indent = /^\s*/.exec(lines[line])![0].length;
  for (let l = line - 1; l >= 0; l--) {
    if (!lines[l].trim()) continue;
    const i = /^\s*/.exec(lines[l])![0].length;
    if (i < indent) return cond.test(lines[l]) && len.test(lines[l]);
  }
  return false;
}

/** The divisor after a division operator at token k: a name chain with calls and indexes, a literal, or (…). */
function exprEndOperand(c: Ctx, k: number): number {
  let j = k;
  if (j >= c.toks.length) return -1;
  if (c.toks[j].text === '(') return matching(c.toks, j);
  if (c.toks[j].kind !== 'id' && c.toks[j].kind !== 'num') return -1;
  for (;;) {
    const n = next(c.toks, j);
    const t = c.toks[n];
    if (!t || lineOf(c.code, t.start) !== lineOf(c.code, c.toks[j].start)) return j;
    if ((t.text === '(' || t.text === '[') && c.toks[j].kind !== 'num') {
      const m = matching(c.toks, n);
      if (m < 0) return j;
      j = m;
    } else if ((t.text === '.' || t.text === '?.') && c.toks[next(c.toks, n)]?.kind === 'id') j = next(c.toks, n);
    else return j;
  }
}

/** Lines as the user sees them: `line` is 0-based in the code, `first` the code's first line in the file (1-based). */
const at = (line: number, first: number) => `line ${line + first}`;
const lineSpan = (from: number, to: number, first: number) =>
  from === to ? at(from, first) : `lines ${from + first}–${to + first}`;

const list = (xs: string[]) =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

/** "Explain": prose, one paragraph per function. */
export function explainAnswer(code: string, lang: Lang, first = 1): string {
  const out: string[] = [];
  for (const e of explain(code, lang)) {
    const f = e.fn;
    const span = lineSpan(e.from, e.to, first);
    const name = f?.name ? `**\`${f.name}\`**` : '**An anonymous function**';
    const head = f
      ? `${name} (${span})${f.isAsync ? ', an async function,' : ''}`
      : `This code (${span}, not a whole function)`;
    const takes = f
      ? f.params.length
        ? ` takes ${list(f.params.map((p) => `\`${p.name}\`${p.type ? ` (${p.type})` : ''}`))}.`
        : ' takes no arguments.'
      : '';
    const does: string[] = [];
    if (e.loops.length)
      does.push(
        `It loops: ${list(e.loops.map((l) => `\`${l.code}\` (${at(l.line, first)})`))}.`,
      );
    if (e.branches.length)
      does.push(`It branches on ${list(e.branches.map((b) => `\`${b.code}\` (${at(b.line, first)})`))}.`);
    if (e.calls.length) does.push(`It calls ${list(e.calls.map((x) => `\`${x.code}(…)\` (${at(x.line, first)})`))}.`);
    const rets = e.returns.filter((r) => r.code);
    if (rets.length) does.push(`It returns ${list(rets.map((r) => `\`${r.code}\` (${at(r.line, first)})`))}.`);
    else if (f && e.returns.length) does.push(`It returns early with no value (${at(e.returns[0].line, first)}).`);
    else if (f && !f.returnType) does.push('It has no return statement.');
    if (f?.returnType) does.push(`Its declared return type is \`${f.returnType}\`.`);
    if (!does.length)
      does.push(
        'The demo model finds no loops, branches, calls or returns here to describe; a real model would explain what it declares.',
      );
    out.push(`${head}${takes} ${does.join(' ')}`.replace(/\s+/g, ' ').trim());
  }
  return out.join('\n\n');
}

/** "What could go wrong?": the risks found, each at its line, or plainly none. */
export function risksAnswer(code: string, lang: Lang, first = 1): string {
  const found = risks(code, lang);
  if (!found.length)
    return (
      'The demo model found none of the risks it checks for here (a division that can be by zero, indexing a ' +
      'possibly empty list, money in floats, parseInt without a radix, var, an unawaited promise, a changed ' +
      'argument, a possibly undefined value). That does not mean there are none: a real model would look deeper ' +
      '(set an API key).'
    );
  return [
    `The demo model's rules found ${found.length === 1 ? 'one risk' : `${found.length} risks`}:`,
    '',
    ...found.map((r) => `- ${at(r.line, first)} ${r.text}.`),
    '',
    'These are fixed rules, not a review: a real model would look deeper (set an API key).',
  ].join('\n');
}
