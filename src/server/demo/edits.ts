/** The demo model's simple edits, each valid code in the file's language or a plain "can't". */
import { Fn, declaredNames, findFunctions, indentUnit, outermost, tsFunctions } from './functions';
import { Lang, Tok, balanced, matching, next, prev, scan } from './scan';

export type Result = { code: string } | { cannot: string };
export const cannot = (why: string): Result => ({ cannot: why });

export function describe(name: string): string {
  const words =
    name
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/_/g, ' ')
      .toLowerCase()
      .trim() || 'this function';
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

/** Doc comments (JSDoc) or docstrings for every function that has none. */
export function document(code: string, lang: Lang): Result {
  const lines = code.split('\n');
  const fns = findFunctions(code, lang);
  if (!fns.length) return cannot('There is no function here to document.');
  const inserts = new Map<number, string[]>();
  for (const f of fns) {
    if (lang === 'py') {
      const first = lines.slice(f.headerEndLine + 1).find((l) => l.trim());
      if (!first || /^\s*[rbu]?("""|''')/.test(first)) continue;
      const ind = /^[ \t]*/.exec(first)![0];
      const args = f.params.length
        ? ['', `${ind}Args:`, ...f.params.map((p) => `${ind}    ${p.name}: The ${p.name.replace(/_/g, ' ')}.`)]
        : [];
      const doc = args.length
        ? [`${ind}"""${describe(f.name)}`, ...args, `${ind}"""`]
        : [`${ind}"""${describe(f.name)}"""`];
      inserts.set(f.headerEndLine + 1, doc);
    } else {
      // Declarations only: an anonymous callback passed along (`.catch((err) => {`) has no line of its own for a
      // doc comment (it went between `.then(…)` and `.catch(…)`, issue 15).
      if (!f.name) continue;
      const above = lines
        .slice(0, f.headerLine)
        .reverse()
        .find((l) => l.trim());
      if (above && /\*\/\s*$/.test(above)) continue;
      const ind = f.indent;
      const doc = [
        `${ind}/**`,
        `${ind} * ${describe(f.name)}`,
        ...f.params.map(
          (p) => `${ind} * @param ${p.name} The ${p.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}.`,
        ),
        `${ind} */`,
      ];
      inserts.set(f.headerLine, doc);
    }
  }
  if (!inserts.size) return cannot('Every function here is documented already.');
  const out: string[] = [];
  lines.forEach((l, i) => {
    out.push(...(inserts.get(i) ?? []), l);
  });
  return { code: out.join('\n') };
}

/** var/let → const where the variable is never assigned again (let where it is, or where var's scope is needed). */
export function useConst(code: string, lang: Lang, rest = ''): Result {
  if (lang === 'py') return cannot('Python has no const declarations.');
  const toks = scan(code, 'ts');
  const bodies = new Set(tsFunctions(code, toks).map((f) => f.bodyOpen));
  const restToks = scan(rest, 'ts');
  const usedAfter = usedAfterInScope(code, rest, 'ts');
  const ids = toks.map((t, k) => ({ t, k })).filter(({ t }) => t.kind === 'id');
  const assigned = new Set<string>();
  for (const { t, k } of ids) {
    const n = toks[next(toks, k)],
      p = toks[prev(toks, k)];
    if (p?.text === '.' || /^(var|let|const)$/.test(p?.text ?? '')) continue;
    if (
      (n && /^([-+*/%&|^]|\*\*|<<|>>|>>>|&&|\|\||\?\?)?=$/.test(n.text)) ||
      n?.text === '++' ||
      n?.text === '--' ||
      p?.text === '++' ||
      p?.text === '--'
    )
      assigned.add(t.text);
  }
  let changed = false;
  const out = toks.map((t) => t.text);
  for (const { t, k } of ids) {
    if (t.text !== 'var' && t.text !== 'let') continue;
    const nameK = next(toks, k);
    if (toks[nameK]?.kind !== 'id') continue;
    const name = toks[nameK].text;
    const inFor = toks[prev(toks, k)]?.text === '(' && toks[prev(toks, prev(toks, k))]?.text === 'for';
    let after = next(toks, nameK);
    if (toks[after]?.text === ':') {
      while (after < toks.length && !['=', ';', ',', ')', 'of', 'in'].includes(toks[after].text))
        after = next(toks, after);
    }
    const init = toks[after]?.text === '=' || (inFor && /^(of|in)$/.test(toks[after]?.text ?? ''));
    const declaredTwice =
      ids.filter((x) => x.t.text === name && /^(var|let)$/.test(toks[prev(toks, x.k)]?.text ?? '')).length > 1;
    // The first declarator only, when a second one follows: "let a = 1, b" keeps its keyword.
    const multi = (() => {
      let d = 0;
      for (let j = after; j < toks.length; j++) {
        const x = toks[j].text;
        if ('([{'.includes(x)) d++;
        else if (')]}'.includes(x)) {
          if (--d < 0) return false;
        } else if (d === 0 && (x === ';' || /\n/.test(x))) return false;
        else if (d === 0 && x === ',') return true;
      }
      return false;
    })();
    // The code after the selection: a var used there only beyond its block keeps var (its scope is the function's);
    // a name assigned there in its block is not const.
    const usedInBlock = usedAfter(name, true);
    if (t.text === 'var' && !usedInBlock && usedAfter(name)) continue;
    if (usedInBlock && assignedIn(restToks, name)) assigned.add(name);
    const outside = t.text === 'var' && (declaredTwice || usedOutsideBlock(toks, k, name, bodies));
    let kw = t.text;
    if (!multi && init && !assigned.has(name) && !declaredTwice && !outside) kw = 'const';
    else if (t.text === 'var' && !outside) kw = 'let';
    if (kw !== t.text) {
      out[k] = kw;
      changed = true;
    }
  }
  if (!changed)
    return cannot(
      ids.some(({ t }) => t.text === 'var' || t.text === 'let')
        ? 'The var and let here are kept. Each is assigned again, or used where its scope reaches beyond the selection (a block not closed in it): select the whole function.'
        : 'There is no var or let here that could become const.',
    );
  return { code: out.join('') };
}

/** Is a var declared at k used after the block (or for statement) it is declared in? Then let would break it. */
function usedOutsideBlock(toks: Tok[], k: number, name: string, bodies: Set<number>): boolean {
  const stack: number[] = [];
  for (let j = 0; j < k; j++) {
    if (toks[j].kind !== 'punct') continue;
    if (toks[j].text === '{' || toks[j].text === '(') stack.push(j);
    else if ((toks[j].text === '}' || toks[j].text === ')') && stack.length) stack.pop();
  }
  const open = stack[stack.length - 1];
  // The top of the code, or a function body's own block: var and let mean the same there.
  if (open === undefined || bodies.has(toks[open].start)) return false;
  let end: number;
  if (toks[open].text === '(') {
    // for (var i …) body: the scope ends with the loop's body.
    const close = matching(toks, open),
      b = next(toks, close);
    end = toks[b]?.text === '{' ? matching(toks, b) : toks.findIndex((t, j) => j > close && t.text === ';');
  } else end = matching(toks, open);
  if (end < 0) return true;
  return toks.some((t, j) => j > end && t.kind === 'id' && t.text === name && toks[prev(toks, j)]?.text !== '.');
}

const KEYWORDS =
  /^(break|case|catch|class|const|continue|debugger|default|delete|do|else|enum|export|extends|false|finally|for|function|if|import|in|instanceof|new|null|return|super|switch|this|throw|true|try|typeof|var|void|while|with|let|static|yield|await|def|lambda|pass|None|True|False|and|or|not|is|elif|except|raise|from|as|global|nonlocal|assert|del)$/;

/** Rename an identifier in code (declarations and uses), never inside strings or comments, never a property after ".". */
export function rename(code: string, lang: Lang, from: string, to: string, after = ''): Result {
  if (!/^[A-Za-z_$][\w$]*$/.test(to) || KEYWORDS.test(to) || (lang === 'py' && to.includes('$')))
    return cannot(`"${to}" is not a valid name.`);
  const toks = scan(code, lang);
  if (toks.some((t) => t.kind === 'id' && t.text === to))
    return cannot(`"${to}" is already used in this code. Renaming ${from} to it would mix the two up.`);
  if (
    lang === 'ts' &&
    new RegExp(
      `export\\s+(default\\s+)?(async\\s+)?(function|const|let|var|class|interface|type|enum)\\s+${from.replace(/\$/g, '\\$')}(?![\\w$])`,
    ).test(code)
  ) {
    return cannot(
      `${from} is exported, so other files may use it. The demo only sees this code: use F2 (Rename Symbol) to rename it everywhere.`,
    );
  }
  if (
    code
      .split('\n')
      .some(
        (l) =>
          /^\s*(import|from)\b/.test(l) && new RegExp(`(?<![\\w$'"])${from.replace(/\$/g, '\\$')}(?![\\w$'"])`).test(l),
      )
  ) {
    return cannot(
      `${from} is imported from another module. Renaming it here alone would break the import: use F2 (Rename Symbol) to rename it everywhere.`,
    );
  }
  if (toks.some((t) => t.kind === 'id' && t.text === from) && !declaredNames(code, lang).has(from)) {
    return cannot(
      `${from} is declared outside this code. Renaming it here alone would leave it undefined: select the code that declares it too, or use F2 (Rename Symbol).`,
    );
  }
  if (usedAfterInScope(code, after, lang)(from))
    return cannot(
      `${from} is used after the selection too. Renaming it here alone would break that code: select the whole function, or use F2 (Rename Symbol).`,
    );
  let n = 0;
  const re = new RegExp(`(?<![\\w$.])${from.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  const out = toks.map((t, k) => {
    if (t.kind === 'id' && t.text === from && toks[prev(toks, k)]?.text !== '.') {
      n++;
      return to;
    }
    // Code inside a template literal's ${…} or an f-string's {…}.
    if (
      t.kind === 'str' &&
      (t.text.startsWith('`') ||
        (lang === 'py' &&
          k > 0 &&
          /f/i.test(toks[k - 1].text) &&
          toks[k - 1].kind === 'id' &&
          toks[k - 1].start + toks[k - 1].text.length === t.start))
    ) {
      const holes = t.text.startsWith('`') ? /\$\{([^}]*)\}/g : /(?<!\{)\{([^{}]*)\}/g;
      return t.text.replace(holes, (m) =>
        m.replace(re, () => {
          n++;
          return to;
        }),
      );
    }
    return t.text;
  });
  if (!n)
    return cannot(
      toks.some((t) => t.text === from)
        ? `${from} appears here only as a property (after "."). Renaming a property needs its type's declaration too: use F2 (Rename Symbol).`
        : `There is no ${from} in this code.`,
    );
  return { code: out.join('') };
}

/** Upper-case the text of plain string literals (not template literals with ${}, module names or f-strings). */
export function upperStrings(code: string, lang: Lang): Result {
  const toks = scan(code, lang);
  let changed = false;
  const out = toks.map((t, k) => {
    if (t.kind !== 'str' || !/^['"]/.test(t.text)) return t.text;
    const p = toks[prev(toks, k)]?.text ?? '';
    if (/^(from|import|require)$/.test(p) || (p === '(' && toks[prev(toks, prev(toks, k))]?.text === 'require'))
      return t.text;
    if (lang === 'py' && k > 0 && toks[k - 1].kind === 'id' && toks[k - 1].start + toks[k - 1].text.length === t.start)
      return t.text;
    const up = t.text.replace(/\\.|[^\\]/g, (c) => (c.length === 1 ? c.toUpperCase() : c));
    if (up !== t.text) changed = true;
    return up;
  });
  return changed ? { code: out.join('') } : cannot('There are no string literals here to upper-case.');
}

/** Wrap each function's body in try/catch (try/except); plain statements only when nothing they declare is used after them. */
export function errorHandling(code: string, lang: Lang, after = '', before = '', path = ''): Result {
  // A declaration file, or an interface / class / module body, holds no statements to wrap.
  if (lang === 'ts' && (/\.d\.[cm]?ts$/.test(path) || inDeclarationBody(before)))
    return cannot('There is nothing here to run inside a try block. This code is declarations, not statements.');
  const lines = code.split('\n');
  if (lang === 'py' && blockGoesOn(lines, after))
    return cannot(
      'The selection ends inside a block that goes on below it. Select the whole block (a function, a loop, an if) or the whole function.',
    );
  const unit = indentUnit(code, lang);
  const fns = outermost(findFunctions(code, lang));
  const out = [...lines];
  let done = 0;
  for (const f of [...fns].sort((a, b) => b.headerLine - a.headerLine)) {
    const wrapped = lang === 'py' ? wrapPy(lines, f, unit) : wrapTs(code, lines, f, unit);
    if (!wrapped) continue;
    out.splice(wrapped.from, wrapped.to - wrapped.from + 1, ...wrapped.lines);
    done++;
  }
  if (done) return { code: out.join('\n') };
  if (fns.length && fns.every((f) => bodyIsTry(lines, f)))
    return cannot('The functions here already handle their errors. Their bodies are a try block.');
  if (fns.length)
    return cannot(
      `The selection ends inside ${fns.map((f) => f.name || 'a function').join(', ')}. Its body or docstring is not all selected: select the whole function.`,
    );
  return wrapStatements(code, lang, after, unit);
}

/** Python: the line after the selection is indented deeper than the selection's first line (a block cut by its end). */
function blockGoesOn(lines: string[], after: string): boolean {
  const first = lines.find((l) => l.trim() && !/^\s*#/.test(l));
  const nextLine = after.split('\n').find((l) => l.trim() && !/^\s*#/.test(l));
  if (first === undefined || nextLine === undefined) return false;
  return /^[ \t]*/.exec(nextLine)![0].length > /^[ \t]*/.exec(first)![0].length;
}

/** The function's body, after its header (and a docstring), starts with a try block. */
function bodyIsTry(lines: string[], f: Fn): boolean {
  const rest = lines.slice(f.headerEndLine + 1, f.bodyEndLine + 1).join('\n');
  return /^\s*(?:[rbu]?("""|''')[\s\S]*?\1\s*)?try\s*[:{]/.test(rest);
}

function wrapTs(
  code: string,
  lines: string[],
  f: Fn,
  unit: string,
): { from: number; to: number; lines: string[] } | undefined {
  const open = code.slice(0, f.bodyOpen).split('\n').length - 1,
    close = f.bodyEndLine;
  if (!/\{\s*$/.test(lines[open]) || !/^\s*\}/.test(lines[close]) || close <= open + 1) return undefined;
  const body = lines.slice(open + 1, close);
  if (/^\s*try\s*\{/.test(body.find((l) => l.trim()) ?? '') && /^\s*\}/.test(lines[close - 1])) return undefined;
  const ind = /^[ \t]*/.exec(body.find((l) => l.trim()) ?? '')![0] || f.indent + unit;
  const what = f.name ? `${f.name} failed:` : 'failed:';
  return {
    from: open + 1,
    to: close - 1,
    lines: [
      `${ind}try {`,
      ...body.map((l) => (l.trim() ? unit + l : l)),
      `${ind}} catch (err) {`,
      `${ind}${unit}console.error('${what}', err);`,
      `${ind}${unit}throw err;`,
      `${ind}}`,
    ],
  };
}

function wrapPy(lines: string[], f: Fn, unit: string): { from: number; to: number; lines: string[] } | undefined {
  let from = f.headerEndLine + 1;
  const first = lines.slice(from).findIndex((l) => l.trim());
  if (first < 0) return undefined;
  const ind = /^[ \t]*/.exec(lines[from + first])![0];
  // A docstring stays the first statement.
  const doc = /^\s*[rbu]?("""|''')/.exec(lines[from + first]);
  if (doc) {
    let e = from + first;
    if (!(lines[e].split(doc[1]).length > 2)) {
      e++;
      while (e <= f.bodyEndLine && !lines[e].includes(doc[1])) e++;
    }
    from = e + 1;
  }
  if (from > f.bodyEndLine) return undefined;
  const body = lines.slice(from, f.bodyEndLine + 1);
  if (/^\s*try\s*:/.test(body.find((l) => l.trim()) ?? '')) return undefined;
  return {
    from,
    to: f.bodyEndLine,
    lines: [
      `${ind}try:`,
      ...body.map((l) => (l.trim() ? unit + l : l)),
      `${ind}except Exception as err:`,
      `${ind}${unit}raise RuntimeError(f"${f.name} failed: {err}") from err`,
    ],
  };
}

function wrapStatements(code: string, lang: Lang, after: string, unit: string): Result {
  const toks = scan(code, lang);
  if (lang === 'ts' && !balanced(toks))
    return cannot(
      'The selection is not whole statements. Select a whole function (or whole statements) to add error handling.',
    );
  const lines = code.split('\n');
  const firstLine = lines.find((l) => l.trim()) ?? '';
  const ind = /^[ \t]*/.exec(firstLine)![0];
  if (lines.some((l) => l.trim() && /^[ \t]*/.exec(l)![0].length < ind.length))
    return cannot(
      'The selection is not whole statements. Select a whole function (or whole statements) to add error handling.',
    );
  if (/^\s*(case|default)\b|^\s*(else|elif|except|finally|catch)\b/.test(firstLine))
    return cannot('The selection starts in the middle of a statement. Select a whole function (or whole statements).');
  if (
    lang === 'ts' &&
    lines.some(
      (l) =>
        /^[ \t]*/.exec(l)![0] === ind &&
        /^\s*(export|import|interface|enum|declare|namespace|function|class|abstract|type\s+[\w$]+\s*[=<])\b/.test(l),
    )
  )
    return cannot(
      'Declarations cannot go inside a try block. The selection holds some (a function, an interface, an export…): select the statements of one function, or the whole function.',
    );
  // A method chain or an expression going on across the selection's edge (`.then(…)` on the next line).
  const lastLine = [...lines].reverse().find((l) => l.trim()) ?? '';
  const nextLine = after.split('\n').find((l) => l.trim()) ?? '';
  const goesOn = /^\s*(?:\.(?!\.)|\?|:|&&|\|\||\+|-|\*|\/|=)/;
  if (lang === 'ts' && (goesOn.test(firstLine) || goesOn.test(nextLine) || /[,(=+\-*/&|?:.]\s*$/.test(lastLine)))
    return cannot(
      'The selection is part of a longer statement. Select the whole statement (or the whole function) to add error handling.',
    );
  if (lang === 'py') {
    const code0 = lines.filter((l) => l.trim() && !/^\s*#/.test(l));
    if (!code0.length) return cannot('There are only comments here: no statement to run inside a try block.');
    // The last statement's block goes on after the selection (`for x in xs:` with its body below).
    const deeper = /^[ \t]*/.exec(nextLine)![0].length > ind.length && !!nextLine.trim();
    if (deeper || /:\s*(#.*)?$/.test(lastLine))
      return cannot(
        'The selection is part of a longer statement (its block goes on below). Select the whole block or the whole function.',
      );
  }
  // Names the statements declare at their own level would be hidden from the code after them by the try block.
  const declared =
    lang === 'py'
      ? lines
          .filter((l) => /^[ \t]*/.exec(l)![0] === ind)
          .map((l) => /^\s*([A-Za-z_]\w*)\s*(?:[-+*/]?=)(?!=)/.exec(l)?.[1])
          .filter((x): x is string => !!x)
      : toks
          .filter((t, k) => t.kind === 'id' && /^(const|let|var|class|function)$/.test(toks[prev(toks, k)]?.text ?? ''))
          .map((t) => t.text);
  const used = declared.filter((n) => new RegExp(`(?<![\\w$.])${n.replace(/\$/g, '\\$')}(?![\\w$])`).test(after));
  if (lang === 'ts' && used.length)
    return cannot(
      `Wrapping this in try would hide ${used.join(', ')} from the code after it. ${used.length === 1 ? 'It is' : 'They are'} declared in the selection and used below it: select the whole function instead.`,
    );
  const body = lines.map((l) => (l.trim() ? unit + l : l));
  while (body.length && !body[body.length - 1].trim()) body.pop();
  return {
    code:
      lang === 'py'
        ? [
            `${ind}try:`,
            ...body,
            `${ind}except Exception as err:`,
            `${ind}${unit}raise RuntimeError(f"failed: {err}") from err`,
          ].join('\n')
        : [
            `${ind}try {`,
            ...body,
            `${ind}} catch (err) {`,
            `${ind}${unit}console.error('failed:', err);`,
            `${ind}${unit}throw err;`,
            `${ind}}`,
          ].join('\n'),
  };
}

/** Is `name` assigned (`=`, `+=`, `++`…) in these tokens? */
function assignedIn(toks: Tok[], name: string): boolean {
  return toks.some((t, k) => {
    if (t.kind !== 'id' || t.text !== name || toks[prev(toks, k)]?.text === '.') return false;
    const n = toks[next(toks, k)]?.text ?? '',
      p = toks[prev(toks, k)]?.text ?? '';
    return /^([-+*/%&|^]|\*\*|<<|>>|>>>|&&|\|\||\?\?)?=$/.test(n) || /^(\+\+|--)$/.test(n) || /^(\+\+|--)$/.test(p);
  });
}

/**
 * Is a name the code declares used after the code, while its declaration is still in scope? (A rename of a
 * selection that ends before the function does would leave those uses undefined.) TS: by braces, from the
 * shallowest declaration (`varAsLet`: a var's block, not its function); Python: by indentation, until the function
 * (or the module) it is declared in ends. The code is scanned once; the check is asked per name.
 */
export function usedAfterInScope(
  code: string,
  after: string,
  lang: Lang,
): (name: string, varAsLet?: boolean) => boolean {
  if (!after.trim()) return () => false;
  if (lang === 'py') return (name) => pyUsedAfter(code, after, name);
  const toks = scan(code + '\n' + after, 'ts');
  const bodies = new Set(tsFunctions(code, scan(code, 'ts')).map((f) => f.bodyOpen));
  return (name, varAsLet = false) => tsUsedAfter(toks, code.length, bodies, name, varAsLet);
}

function pyUsedAfter(code: string, after: string, name: string): boolean {
  const lines = code.split('\n');
  const ind = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const re = new RegExp(`(?<![\\w.])${name}(?!\\w)`);
  let scope = Infinity;
  lines.forEach((l, i) => {
    if (!re.test(l.replace(/#.*$/, ''))) return;
    const def = /^\s*(?:async\s+)?def\s/.test(l);
    if (def) scope = Math.min(scope, ind(l) + 1);
    else if (new RegExp(`^\\s*${name}\\s*(?:[-+*/]?=)(?!=)|\\bfor\\s+${name}\\b`).test(l)) {
      // an assignment: in scope until the def above it in the selection ends, or the file's top level
      const d = lines.slice(0, i).reverse().find((x) => /^\s*(?:async\s+)?def\s/.test(x) && ind(x) < ind(l));
      scope = Math.min(scope, d !== undefined ? ind(d) + 1 : ind(l) === 0 ? 0 : 1);
    }
  });
  if (scope === Infinity) return false;
  for (const l of after.split('\n')) {
    if (!l.trim()) continue;
    if (ind(l) < scope) return false;
    if (re.test(l.replace(/#.*$/, ''))) return true;
  }
  return false;
}

function tsUsedAfter(toks: Tok[], end: number, bodies: Set<number>, name: string, varAsLet: boolean): boolean {
  const fnDepths: number[] = []; // the depths inside the function bodies open here (a var's scope)
  let depth = 0,
    scope = Infinity;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.start >= end && depth < scope) return false;
    if (t.kind === 'punct' && t.text === '{') {
      depth++;
      if (bodies.has(t.start)) fnDepths.push(depth);
    } else if (t.kind === 'punct' && t.text === '}') {
      if (fnDepths[fnDepths.length - 1] === depth) fnDepths.pop();
      depth--;
      if (depth < scope) scope = Infinity; // the declaration's block ended inside the code
    } else if (t.kind === 'id' && t.text === name && toks[prev(toks, k)]?.text !== '.') {
      if (t.start >= end) return true;
      const p = toks[prev(toks, k)]?.text ?? '';
      if (p === 'var' && !varAsLet) scope = Math.min(scope, fnDepths[fnDepths.length - 1] ?? 0);
      else if (/^(const|let|var|function|class)$/.test(p)) scope = Math.min(scope, depth);
      else if (p === '(' || p === ',') scope = Math.min(scope, depth + 1); // a parameter: its function's body
    }
  }
  return false;
}

/** Is the end of `before` inside an interface, class, enum, namespace or `declare` body (not a function's)? */
function inDeclarationBody(before: string): boolean {
  const toks = scan(before, 'ts');
  const open: number[] = [];
  toks.forEach((t, k) => {
    if (t.kind !== 'punct') return;
    if (t.text === '{') open.push(k);
    else if (t.text === '}') open.pop();
  });
  const k = open[open.length - 1];
  if (k === undefined) return false;
  // the header: the tokens back to the previous statement's end
  let h = k - 1;
  while (h >= 0 && !(toks[h].kind === 'punct' && /^[;{}]$/.test(toks[h].text))) h--;
  const header = toks
    .slice(h + 1, k)
    .map((t) => t.text)
    .join('');
  return /\b(interface|class|enum|namespace|module|declare)\b/.test(header) && !/\)\s*(:[^{]*)?$/.test(header.trim());
}
