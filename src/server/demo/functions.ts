/** Where the functions are in a piece of code (demo model): TypeScript/JavaScript by tokens, Python by indentation. */
import { Lang, Tok, lineOf, lineStarts, matching, next, prev, scan } from './scan';

export interface Fn {
  name: string;
  params: Array<{ name: string; type?: string }>;
  /** The line the declaration starts on (0-based, in the code given). */
  headerLine: number;
  /** The last line of the header (Python: the line ending in ":"; TS: the line of "{"). */
  headerEndLine: number;
  /** TS: offsets of the body's braces. Python: the body's last line. */
  bodyOpen: number;
  bodyClose: number;
  bodyEndLine: number;
  isAsync: boolean;
  /** TS: the offset where "async " goes to make this function async. */
  asyncAt: number;
  returnType?: string;
  indent: string;
}

const NOT_METHOD =
  /^(if|for|while|switch|catch|return|typeof|with|function|await|new|super|import|delete|void|in|of|yield)$/;

export function findFunctions(code: string, lang: Lang): Fn[] {
  return lang === 'py' ? pyFunctions(code) : tsFunctions(code, scan(code, 'ts'));
}

const indentAt = (code: string, line: number) => {
  const at = lineStarts(code);
  return /^[ \t]*/.exec(code.slice(at[line] ?? code.length, at[line + 1] ?? code.length))![0];
};

export function tsFunctions(code: string, toks: Tok[]): Fn[] {
  const out: Fn[] = [];
  for (let k = 0; k < toks.length; k++) {
    if (toks[k].kind !== 'punct' || toks[k].text !== '(') continue;
    const p = prev(toks, k);
    const before = p >= 0 ? toks[p] : undefined;
    let name = '',
      start = -1,
      arrow = false;
    if (before?.kind === 'id' && before.text === 'function') {
      start = p;
    } else if (before?.kind === 'id' && toks[prev(toks, p)]?.text === 'function') {
      name = before.text;
      start = prev(toks, p);
    } else if (before?.kind === 'id' && before.text !== 'async' && !NOT_METHOD.test(before.text)) {
      name = before.text;
      start = p;
    } else if (!before || ['=', 'async', '(', ',', ':', '?', '||', '??', '&&'].includes(before.text)) {
      arrow = true;
      start = before?.text === 'async' ? p : k;
    } else continue;
    const close = matching(toks, k);
    if (close < 0) continue;
    let j = next(toks, close),
      returnType: string | undefined;
    if (toks[j]?.text === ':') {
      const from = next(toks, j);
      let depth = 0;
      j = from;
      if (toks[j]?.text === '{') {
        const m = matching(toks, j);
        if (m < 0) continue;
        j = next(toks, m);
      }
      while (j < toks.length) {
        const t = toks[j].text;
        if (depth === 0 && (t === '{' || t === '=>' || t === ';')) break;
        if ('(<['.includes(t)) depth++;
        else if (')>]'.includes(t)) depth--;
        j++;
      }
      returnType = code.slice(toks[from]?.start ?? 0, toks[j]?.start ?? code.length).trim();
    }
    if (arrow) {
      if (toks[j]?.text !== '=>') continue;
      j = next(toks, j);
    }
    if (toks[j]?.text !== '{') continue;
    const bodyClose = matching(toks, j);
    if (bodyClose < 0) continue;
    // The declaration's first token: back over function/async/export/default/modifiers, or "const NAME =".
    let s = start;
    if (arrow || toks[s]?.text === 'function') {
      let q = prev(toks, s);
      if (toks[q]?.text === 'async' && q !== s) {
        s = q;
        q = prev(toks, s);
      }
      if (toks[q]?.text === '=' && toks[prev(toks, q)]?.kind === 'id') {
        name = toks[prev(toks, q)].text;
        s = prev(toks, q);
        q = prev(toks, s);
        if (/^(const|let|var)$/.test(toks[q]?.text ?? '')) {
          s = q;
          q = prev(toks, s);
        }
      }
    }
    for (
      let q = prev(toks, s);
      q >= 0 &&
      /^(export|default|async|static|public|private|protected|get|set|override|readonly)$/.test(toks[q].text) &&
      toks[q].kind === 'id';
      q = prev(toks, q)
    )
      s = q;
    const isAsync = toks.slice(s, k).some((t) => t.kind === 'id' && t.text === 'async');
    const asyncTok = arrow ? k : toks.findIndex((t, i) => i >= s && i <= k && t.text === 'function');
    out.push({
      name,
      params: tsParams(toks.slice(k + 1, close), code),
      headerLine: lineOf(code, toks[s].start),
      headerEndLine: lineOf(code, toks[j].start),
      bodyOpen: toks[j].start,
      bodyClose: toks[bodyClose].start,
      bodyEndLine: lineOf(code, toks[bodyClose].start),
      isAsync,
      asyncAt: toks[asyncTok >= 0 ? asyncTok : s].start,
      returnType,
      indent: indentAt(code, lineOf(code, toks[s].start)),
    });
  }
  return out;
}

function tsParams(toks: Tok[], code: string): Array<{ name: string; type?: string }> {
  const parts: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.kind === 'punct' && '([{<'.includes(t.text)) depth++;
    if (t.kind === 'punct' && ')]}>'.includes(t.text)) depth--;
    if (depth === 0 && t.text === ',') parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts
    .map((ts) => ts.filter((t) => t.kind !== 'ws' && t.kind !== 'comment'))
    .filter((ts) => ts.length)
    .map((ts) => {
      const i = ts.findIndex((t) => !/^(public|private|protected|readonly|\.\.\.)$/.test(t.text));
      const name = ts[i]?.kind === 'id' ? ts[i].text : '{…}';
      const colon = ts.findIndex((t, k) => k > i && t.text === ':');
      const eq = ts.findIndex((t, k) => k > colon && t.text === '=');
      const type =
        colon >= 0
          ? code
              .slice(
                ts[colon + 1]?.start ?? 0,
                eq > 0 ? ts[eq].start : ts[ts.length - 1].start + ts[ts.length - 1].text.length,
              )
              .trim()
          : undefined;
      return { name, type };
    });
}

export function pyFunctions(code: string): Fn[] {
  const lines = code.split('\n');
  const out: Fn[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^([ \t]*)(async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(lines[i]);
    if (!m) continue;
    let h = i,
      depth = 0,
      done = false;
    for (; h < lines.length && !done; h++) {
      for (const t of scan(lines[h], 'py')) {
        if (t.kind !== 'punct') continue;
        if ('([{'.includes(t.text)) depth++;
        else if (')]}'.includes(t.text)) depth--;
      }
      if (depth === 0 && /:\s*(#.*)?$/.test(lines[h])) done = true;
    }
    if (!done) continue;
    const headerEnd = h - 1;
    let end = headerEnd;
    for (let b = headerEnd + 1; b < lines.length; b++) {
      if (!lines[b].trim()) continue;
      if (/^[ \t]*/.exec(lines[b])![0].length <= m[1].length) break;
      end = b;
    }
    if (end === headerEnd) continue; // a one-line def (def f(): pass) or a body beyond this code
    const header = lines.slice(i, headerEnd + 1).join('\n');
    const inner = header.slice(header.indexOf('(') + 1, header.lastIndexOf(')'));
    const params = inner
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== 'self' && s !== 'cls' && s !== '*' && s !== '/')
      .map((s) => ({ name: /^\**([A-Za-z_]\w*)/.exec(s)?.[1] ?? s, type: /:\s*([^=]+)/.exec(s)?.[1].trim() }));
    out.push({
      name: m[3],
      params,
      headerLine: i,
      headerEndLine: headerEnd,
      bodyOpen: -1,
      bodyClose: -1,
      bodyEndLine: end,
      isAsync: !!m[2],
      asyncAt: -1,
      indent: m[1],
    });
  }
  return out;
}

/** The functions not inside another one of the list (the demo edits those whole). */
export function outermost(fns: Fn[]): Fn[] {
  return fns.filter(
    (f) =>
      !fns.some(
        (g) =>
          g !== f &&
          g.headerLine <= f.headerLine &&
          g.bodyEndLine >= f.bodyEndLine &&
          (g.headerLine < f.headerLine || g.bodyEndLine > f.bodyEndLine),
      ),
  );
}

/** The code's indentation step (two spaces unless the code says otherwise). */
export function indentUnit(code: string, lang: Lang): string {
  const sizes = code
    .split('\n')
    .map((l) => /^ */.exec(l)![0].length)
    .filter((n) => n > 0);
  if (/^\t/m.test(code)) return '\t';
  const min = sizes.length ? Math.min(...sizes) : lang === 'py' ? 4 : 2;
  return ' '.repeat(Math.min(8, Math.max(2, min)));
}

/** Names declared in the code (and the code around it). */
export function declaredNames(text: string, lang: Lang): Set<string> {
  const toks = scan(text, lang);
  const out = new Set<string>();
  toks.forEach((t, k) => {
    if (t.kind !== 'id') return;
    const p = toks[prev(toks, k)]?.text ?? '',
      n = toks[next(toks, k)]?.text ?? '';
    if (/^(const|let|var|function|class|interface|type|def|import|as|enum)$/.test(p)) out.add(t.text);
    if (lang === 'py' && (n === '=' || n === 'in') && p !== '.') out.add(t.text);
  });
  for (const f of findFunctions(text, lang)) for (const x of f.params) out.add(x.name);
  // Everything an import statement names.
  for (const l of text.split('\n'))
    if (/^\s*(import|from)\b/.test(l))
      for (const m of l.replace(/(['"]).*?\1/g, '').matchAll(/[A-Za-z_$][\w$]*/g)) out.add(m[0]);
  // TS destructuring/import lists and for-of variables are rarer in the demo; parameters of arrows: `(x) =>`, `x =>`.
  toks.forEach((t, k) => {
    if (
      t.kind === 'id' &&
      (toks[next(toks, k)]?.text === '=>' ||
        (toks[next(toks, k)]?.text === ')' && toks[next(toks, next(toks, k))]?.text === '=>'))
    )
      out.add(t.text);
  });
  return out;
}
