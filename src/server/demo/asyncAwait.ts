/**
 * The demo's "Convert to async/await": a `return p.then(…).catch(…)` (or a chain used as a statement) becomes
 * awaits in a try/catch, and the function becomes async. Anything it cannot convert faithfully is a plain "can't".
 */
import { Result, cannot } from './edits';
import { indentUnit } from './functions';
import { tsFunctions } from './functions';
import { Lang, Tok, matching, next, prev, scan } from './scan';

interface Link {
  kind: 'then' | 'catch' | 'finally';
  param?: string;
  expr?: string;
  body?: string[];
}

export function toAsyncAwait(code: string, lang: Lang): Result {
  if (lang === 'py')
    return cannot('Python code has no promise chains to convert. The demo model cannot rewrite callbacks.');
  const toks = scan(code, 'ts');
  const first = toks.findIndex(
    (t, k) =>
      t.kind === 'id' &&
      /^(then|catch|finally)$/.test(t.text) &&
      toks[prev(toks, k)]?.text === '.' &&
      toks[next(toks, k)]?.text === '(',
  );
  if (first < 0) return cannot('There are no promise chains (.then/.catch) here to convert.');
  // The statement: back to `return` (or the start of an expression statement) at the same bracket depth.
  let s = prev(toks, prev(toks, first)),
    depth = 0;
  for (; s >= 0; s--) {
    const t = toks[s].text;
    if (toks[s].kind === 'punct' && ')]}'.includes(t)) depth++;
    else if (toks[s].kind === 'punct' && '([{'.includes(t)) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (t === ';' || t === 'return')) break;
  }
  const isReturn = toks[s]?.text === 'return';
  const baseFrom = next(toks, s);
  if (s >= 0 && !isReturn && !/^[;{}]$/.test(toks[s].text))
    return cannot(
      'The promise chain is inside another expression. The demo model only converts a chain that is a statement of its own.',
    );
  const stmt = isReturn ? s : baseFrom;
  const unit = indentUnit(code, lang);
  const links: Link[] = [];
  let k = prev(toks, first); // the "." before then
  const base = code.slice(toks[baseFrom].start, toks[k].start).trim();
  while (toks[k]?.text === '.' && /^(then|catch|finally)$/.test(toks[next(toks, k)]?.text ?? '')) {
    const name = next(toks, k),
      open = next(toks, name),
      close = matching(toks, open);
    if (close < 0) return cannot('The promise chain is not complete in the selection. Select the whole function.');
    const link = callback(code, toks, open, close, unit);
    if (typeof link === 'string') return cannot(link);
    links.push({ kind: toks[name].text as Link['kind'], ...link });
    k = next(toks, close);
  }
  let endTok = k;
  if (toks[k]?.text === ';') endTok = k;
  else endTok = prev(toks, k);
  const lines = code.split('\n');
  const startLine = code.slice(0, toks[stmt].start).split('\n').length - 1,
    endLine = code.slice(0, toks[endTok].start).split('\n').length - 1;
  if (
    code.slice(code.lastIndexOf('\n', toks[stmt].start - 1) + 1, toks[stmt].start).trim() ||
    lines[endLine]
      .slice(toks[endTok].start + toks[endTok].text.length - (code.lastIndexOf('\n', toks[endTok].start) + 1))
      .trim()
  ) {
    return cannot(
      'The promise chain shares its lines with other code. The demo model only converts a chain that is a statement of its own.',
    );
  }
  const body = build(base, links, isReturn, unit);
  if (typeof body === 'string') return cannot(body);
  // The function around it becomes async (its header must be in the code).
  const fn = tsFunctions(code, toks)
    .filter((f) => f.bodyOpen < toks[stmt].start && f.bodyClose > toks[stmt].start)
    .pop();
  if (!fn)
    return cannot(
      'The function around this chain is not in the selection. Select the whole function so the demo can make it async.',
    );
  const ind = /^[ \t]*/.exec(lines[startLine])![0];
  let out = [...lines.slice(0, startLine), ...body.map((l) => (l ? ind + l : l)), ...lines.slice(endLine + 1)].join(
    '\n',
  );
  if (!fn.isAsync) {
    const at = fn.asyncAt;
    out = out.slice(0, at) + 'async ' + out.slice(at);
  }
  return { code: out };
}

/** One callback argument: `(x) => expr`, `x => { … }`, `function (x) { … }`; a string says why not. */
function callback(code: string, toks: Tok[], open: number, close: number, unit: string): Omit<Link, 'kind'> | string {
  let k = next(toks, open);
  if (toks[k]?.text === 'async') return 'A callback in the chain is async itself. The demo model cannot untangle that.';
  let param: string | undefined;
  if (toks[k]?.text === 'function') {
    k = next(toks, k);
    if (toks[k]?.kind === 'id') k = next(toks, k);
  }
  if (toks[k]?.text === '(') {
    const pc = matching(toks, k);
    const inner = toks.slice(k + 1, pc).filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
    if (inner.length > 1 && inner[1].text !== ':')
      return 'A callback in the chain takes several parameters or destructures. The demo model cannot convert that.';
    param = inner[0]?.text;
    k = next(toks, pc);
  } else if (toks[k]?.kind === 'id') {
    param = toks[k].text;
    k = next(toks, k);
  } else return 'The chain passes a function by name. The demo model only converts inline callbacks.';
  if (toks[k]?.text === '=>') k = next(toks, k);
  if (toks[k]?.text === '{') {
    const bc = matching(toks, k);
    if (next(toks, bc) !== close)
      return 'The chain passes two callbacks to then(). The demo model cannot convert that.';
    const text = code.slice(toks[k].start + 1, toks[bc].start);
    const lines = text.split('\n').filter((l, i, a) => l.trim() || (i > 0 && i < a.length - 1));
    const ind = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
    return {
      param,
      body: lines
        .map((l) => l.slice(Number.isFinite(ind) ? ind : 0).replace(/\s+$/, ''))
        .filter((l, i, a) => l || (i > 0 && i < a.length - 1)),
    };
  }
  const expr = code.slice(toks[k].start, toks[close].start).trim();
  if (!expr || scan(expr, 'ts').some((t, i, a) => t.text === ',' && depthAt(a, i) === 0))
    return 'The chain passes two callbacks to then(). The demo model cannot convert that.';
  void unit;
  return { param, expr };
}

function depthAt(toks: Tok[], i: number): number {
  let d = 0;
  for (let j = 0; j < i; j++) {
    if ('([{'.includes(toks[j].text)) d++;
    else if (')]}'.includes(toks[j].text)) d--;
  }
  return d;
}

/** The statements: awaits for each then, a try/catch for a catch, try/finally for finally. */
function build(base: string, links: Link[], isReturn: boolean, unit: string): string[] | string {
  const main: string[] = [];
  let cur = base;
  const names = new Set<string>();
  let i = 0;
  for (; i < links.length && links[i].kind === 'then'; i++) {
    const l = links[i];
    if (l.param) {
      if (names.has(l.param))
        return `Two callbacks in the chain use the name ${l.param}. The demo model cannot rename them apart.`;
      names.add(l.param);
      main.push(`const ${l.param} = await ${cur};`);
    } else main.push(`await ${cur};`);
    if (l.expr !== undefined) cur = l.expr;
    else {
      const ret = lastReturn(l.body!);
      if (ret === 'nested')
        return 'A callback in the chain returns from more than one place. The demo model cannot inline it.';
      main.push(...l.body!.slice(0, ret ? -1 : undefined));
      cur = ret ? ret.expr : 'undefined';
    }
  }
  const rest = links.slice(i);
  if (rest.some((l, j) => l.kind === 'then' || (l.kind === 'catch' && j > 0)))
    return 'The chain goes on after its catch(). The demo model cannot convert that faithfully.';
  const inTry = rest.length > 0;
  // Inside try, a returned promise is awaited so that its rejection reaches the catch; a call may return one,
  // a plain value (res.ok) needs no await.
  const mayBePromise = /\)\s*$/.test(cur);
  main.push(
    isReturn
      ? `return ${inTry && mayBePromise ? 'await ' : ''}${cur};`
      : cur === 'undefined' || !mayBePromise
        ? cur === 'undefined'
          ? ''
          : `${cur};`
        : `await ${cur};`,
  );
  const block = (ls: string[]) => ls.filter((l, j) => l || j < ls.length - 1).map((l) => (l ? unit + l : l));
  if (!inTry) return main.filter((l) => l);
  let out = ['try {', ...block(main.filter((l) => l))];
  for (const l of rest) {
    const handler =
      l.expr !== undefined ? [isReturn && l.kind === 'catch' ? `return ${l.expr};` : `${l.expr};`] : l.body!;
    if (!isReturn && l.body && l.body.some((x) => /\breturn\b/.test(x)))
      return 'The catch callback returns a value the statement drops. The demo model cannot convert that faithfully.';
    if (l.kind === 'finally' && l.body?.some((x) => /\breturn\b/.test(x)))
      return 'The finally callback returns a value. The demo model cannot convert that faithfully.';
    out = [
      ...out,
      l.kind === 'catch' ? `} catch${l.param ? ` (${l.param})` : ''} {` : '} finally {',
      ...block(handler),
    ];
  }
  return [...out, '}'];
}

function lastReturn(body: string[]): { expr: string } | undefined | 'nested' {
  const returns = body.filter((l) => /\breturn\b/.test(l)).length;
  const last = [...body].reverse().find((l) => l.trim());
  const m = last ? /^return\s+([\s\S]*?);?\s*$/.exec(last) : null;
  if (returns === 0) return undefined;
  if (returns > 1 || !m) return 'nested';
  return { expr: m[1] };
}
