/** The demo's Fix This: a misspelled name (from the editor's diagnostic or found by itself), an off-by-one loop bound, a division by an empty list's length. */
import { Result, cannot } from './edits';
import { declaredNames, findFunctions, indentUnit } from './functions';
import { Lang, next, prev, scan } from './scan';

const GLOBALS = new Set([
  'console',
  'Math',
  'JSON',
  'Promise',
  'Array',
  'Object',
  'Number',
  'String',
  'Boolean',
  'Date',
  'Error',
  'TypeError',
  'RangeError',
  'Map',
  'Set',
  'fetch',
  'window',
  'document',
  'undefined',
  'NaN',
  'Infinity',
  'globalThis',
  'process',
  'require',
  'module',
  'exports',
  'this',
  'super',
  'null',
  'true',
  'false',
  'len',
  'sum',
  'range',
  'print',
  'self',
  'cls',
  'None',
  'True',
  'False',
  'min',
  'max',
  'abs',
  'list',
  'dict',
  'set',
  'tuple',
  'str',
  'int',
  'float',
  'bool',
  'enumerate',
  'zip',
  'sorted',
  'isinstance',
  'ValueError',
  'TypeError',
  'Exception',
  'RuntimeError',
  'KeyError',
  'open',
  'map',
  'filter',
  'any',
  'all',
  'round',
  'super',
]);
const KW =
  /^(break|case|catch|class|const|continue|debugger|default|delete|do|else|enum|export|extends|finally|for|function|if|import|in|instanceof|new|return|switch|throw|try|typeof|var|void|while|with|let|static|yield|await|async|of|as|from|interface|type|implements|keyof|readonly|public|private|protected|number|string|boolean|any|unknown|never|object|def|lambda|pass|and|or|not|is|elif|except|raise|global|nonlocal|assert|del|get|set)$/;

export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? d[i - 2][j - 2] + 1 : Infinity,
      );
  return d[a.length][b.length];
}

/** Replace the identifier `bad` by `good` (tokens only: never in strings or comments). */
function replaceName(code: string, lang: Lang, bad: string, good: string, property: boolean): string {
  const toks = scan(code, lang);
  return toks
    .map((t, k) =>
      t.kind === 'id' && t.text === bad && (toks[prev(toks, k)]?.text === '.') === property ? good : t.text,
    )
    .join('');
}

/** `context`: the code with the lines around it, in the document's order. */
export function fix(instruction: string, code: string, lang: Lang, context: string): Result {
  const diags = [...instruction.matchAll(/^- line \d+: [^:]*: (.*)$/gm)].map((m) => m[1]);
  if (diags.length) {
    let out = code;
    const unknown: string[] = [];
    for (const d of diags) {
      const mean = /(Cannot find name|Property) '([\w$]+)'.*?Did you mean '([\w$]+)'/.exec(d);
      const missing = mean
        ? null
        : /Cannot find name '([\w$]+)'|"([\w$]+)" is not defined|undefined name '([\w$]+)'|name '([\w$]+)' is not defined/.exec(
            d,
          );
      if (mean) {
        out = replaceName(out, lang, mean[2], mean[3], mean[1] === 'Property');
        continue;
      }
      const bad = missing?.slice(1).find(Boolean);
      const good = bad && closest(bad, declaredNames(context, lang));
      if (bad && good) {
        out = replaceName(out, lang, bad, good, false);
        continue;
      }
      unknown.push(d);
    }
    if (out !== code) return { code: out };
    return cannot(`The demo model only fixes misspelled names. It cannot fix: ${unknown.join('; ')}.`);
  }
  return findBugs(code, lang, context);
}

function closest(bad: string, names: Set<string>): string | undefined {
  let best: string | undefined,
    bd = Infinity;
  for (const n of names) {
    if (n === bad) continue;
    const d = distance(bad.toLowerCase(), n.toLowerCase());
    if (d < bd && d <= Math.max(1, Math.floor(n.length / 4))) {
      bd = d;
      best = n;
    }
  }
  return best;
}

/** Bugs the demo can find without an editor diagnostic. */
function findBugs(code: string, lang: Lang, context: string): Result {
  const declared = declaredNames(context, lang);
  const toks = scan(code, lang);
  const found: string[] = [];
  let out = code;
  const seen = new Set<string>();
  toks.forEach((t, k) => {
    if (t.kind !== 'id' || seen.has(t.text) || declared.has(t.text) || GLOBALS.has(t.text) || KW.test(t.text)) return;
    const p = toks[prev(toks, k)]?.text,
      n = toks[next(toks, k)]?.text;
    if (p === '.' || p === ':' || n === ':' || (lang === 'py' && n === '=')) return;
    seen.add(t.text);
    const good = closest(t.text, declared);
    if (good) {
      out = replaceName(out, lang, t.text, good, false);
      found.push(`${t.text} → ${good}`);
    }
  });
  // Off-by-one: `i <= xs.length` in a loop condition reads one past the end.
  out = out.replace(/(for\s*\([^;]*;\s*[\w$]+\s*)<=(\s*[\w$.[\]]+\.length\s*;)/g, (_m, a, b) => {
    found.push('<= length → < length');
    return `${a}<${b}`;
  });
  if (lang === 'py') out = guardEmpty(out, found);
  if (!found.length)
    return cannot(
      "The demo model found no bug it knows how to fix here. It spots misspelled names, off-by-one loop bounds and divisions by an empty list's length.",
    );
  return { code: out };
}

/**
 * Python: an empty sequence argument fails with no clear message: `/ len(xs)` raises ZeroDivisionError, and indexing
 * it (or a sorted copy: `ordered = sorted(xs)`, `ordered[middle]`, as a median does) raises IndexError. Every
 * function that does either without an emptiness check gets one that raises a clear ValueError first.
 */
function guardEmpty(code: string, found: string[]): string {
  const lines = code.split('\n');
  const unit = indentUnit(code, 'py');
  for (const f of findFunctions(code, 'py').reverse()) {
    const body = lines.slice(f.headerEndLine + 1, f.bodyEndLine + 1).join('\n');
    const name = emptyUse(body, f.params.map((p) => p.name));
    if (!name || new RegExp(`if\\s+(not\\s+${name}|len\\(${name}\\)\\s*==\\s*0)`).test(body)) continue;
    let at = f.headerEndLine + 1;
    const first = lines[at] ?? '';
    const ind = /^[ \t]*/.exec(lines.slice(at).find((l) => l.trim()) ?? '')![0] || f.indent + unit;
    const doc = /^\s*("""|''')/.exec(first);
    if (doc) {
      if (first.split(doc[1]).length <= 2) {
        at++;
        while (at <= f.bodyEndLine && !lines[at].includes(doc[1])) at++;
      }
      at++;
    }
    lines.splice(at, 0, `${ind}if not ${name}:`, `${ind}${unit}raise ValueError("${f.name}() of an empty sequence")`);
    found.push(`${f.name}: empty ${name}`);
  }
  return lines.join('\n');
}

/** The parameter a function body divides by the length of, or indexes (itself or a sorted/list copy of it). */
function emptyUse(body: string, params: string[]): string | undefined {
  for (const p of params) {
    const names = [p];
    for (const c of body.matchAll(new RegExp(`(\\w+)\\s*=\\s*(?:sorted|list|tuple)\\(\\s*${p}\\s*[,)]`, 'g')))
      names.push(c[1]);
    const alt = names.join('|');
    if (new RegExp(`/\\s*len\\((?:${alt})\\)|\\b(?:${alt})\\[`).test(body)) return p;
  }
  return undefined;
}
