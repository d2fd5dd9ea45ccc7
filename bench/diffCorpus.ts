/**
 * A corpus of rewrites for the streaming line diff's quality (issue 14): TypeScript-shaped source of a given size
 * (classes of methods with doc comments, the usual repeated lines: `}`, blank lines, `return result;`), and the
 * rewrites people ask for. Deterministic (seeded), so the bench and the unit tests see the same texts.
 */
import { diffArrays } from 'diff';
import { PreviewRegion } from '../src/core/session/region';
import { outputLines } from '../src/core/diff/streamingDiff';
import { tokenize } from '../src/server/modelServer';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STMTS = [
  (r: () => number, v: string) => `const ${v} = items[${Math.floor(r() * 40)}] ?? defaults.${v};`,
  (_r: () => number, v: string) => `if (!${v}) {`,
  () => `  return result;`,
  () => `}`,
  (r: () => number, v: string) => `result.push(transform(${v}, ${Math.floor(r() * 9)}));`,
  (_r: () => number, v: string) => `this.log.debug('${v}', ${v});`,
  () => `for (const item of items) {`,
  (_r: () => number, v: string) => `  total += item.${v} * factor;`,
  () => `}`,
  () => ``,
  (r: () => number, v: string) => `await this.store.save(${v}, { retries: ${Math.floor(r() * 5)} });`,
];

/** One method of about `len` lines (signature, doc comment, body, closing brace). */
function method(r: () => number, name: string, len: number): string[] {
  const out = [
    '  /**',
    `   * ${name}: computes the ${name} of the given items.`,
    '   */',
    `  async ${name}(items: Item[], factor = 1): Promise<Result> {`,
    '    const result: Result = [];',
    '    let total = 0;',
  ];
  const vars = ['value', 'count', 'limit', 'offset', 'weight', 'score'];
  while (out.length < len - 2) {
    const f = STMTS[Math.floor(r() * STMTS.length)];
    out.push('    ' + f(r, vars[Math.floor(r() * vars.length)]).trimEnd());
  }
  out.push('    return result;', '  }');
  return out.map((l) => l.trimEnd());
}

export interface Source {
  lines: string[];
  methods: Array<{ name: string; start: number; end: number }>;
}

/** About `n` lines: classes of methods (8–90 lines each), a blank line between methods. */
export function makeSource(n: number, seed = 7): Source {
  const r = rng(seed);
  const lines: string[] = ["import { Item, Result, Store } from './types';", ''];
  const methods: Source['methods'] = [];
  let cls = 0;
  while (lines.length < n) {
    lines.push(
      `export class Service${cls++} {`,
      '  constructor(private readonly store: Store, private readonly log: Logger) {}',
      '',
    );
    for (let m = 0; m < 6 && lines.length < n; m++) {
      const name = `handle${cls}x${m}`;
      const len = m === 2 ? 90 : 8 + Math.floor(r() * 30);
      const start = lines.length;
      lines.push(...method(r, name, len));
      methods.push({ name, start, end: lines.length });
      lines.push('');
    }
    lines.push('}', '');
  }
  return { lines: lines.slice(0, n), methods: methods.filter((m) => m.end <= n) };
}

export interface Rewrite {
  name: string;
  original: string[];
  output: string;
}

const join = (lines: string[]) => lines.join('\n') + '\n';
const mid = (s: Source, pred: (m: Source['methods'][number]) => boolean = () => true) => {
  const ms = s.methods.filter(pred);
  return ms[Math.floor(ms.length / 2)] ?? s.methods[0];
};

/** The rewrites of the corpus for one size. */
export function rewrites(n: number): Rewrite[] {
  const s = makeSource(n);
  const o = s.lines;
  const out: Rewrite[] = [];
  // Rename a variable everywhere (many scattered one-line changes).
  out.push({ name: 'rename', original: o, output: join(o.map((l) => l.replace(/\bcount\b/g, 'itemCount'))) });
  // A doc comment line added to every method.
  out.push({
    name: 'doc comments',
    original: o,
    output: join(o.flatMap((l) => (/^ {2}async /.test(l) ? ['  // @since 2.0', l] : [l]))),
  });
  // Delete one method (with its doc comment and blank line).
  {
    const m = mid(s);
    out.push({ name: 'delete method', original: o, output: join([...o.slice(0, m.start), ...o.slice(m.end + 1)]) });
  }
  // Insert a 100-line block in the middle.
  {
    const m = mid(s);
    const block = method(rng(99), 'inserted', 100).map((l) => l.replace('computes', 'inserts'));
    out.push({
      name: 'insert block',
      original: o,
      output: join([...o.slice(0, m.end + 1), ...block, '', ...o.slice(m.end + 1)]),
    });
  }
  // Move the longest method of the first half to the end.
  {
    const first = s.methods.filter((m) => m.end < n / 2);
    const m = first.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a), first[0] ?? s.methods[0]);
    const moved = o.slice(m.start, m.end + 1);
    out.push({
      name: 'move method',
      original: o,
      output: join([...o.slice(0, m.start), ...o.slice(m.end + 1), ...moved]),
    });
  }
  // Wrap a long method's body in try { … } catch: its lines re-indented.
  {
    const m = mid(s, (x) => x.end - x.start >= 80);
    const bodyStart = m.start + 4,
      bodyEnd = m.end - 1; // after the signature, before the closing brace
    const body = o.slice(bodyStart, bodyEnd).map((l) => (l ? '  ' + l : l));
    out.push({
      name: 'wrap in try/catch',
      original: o,
      output: join([
        ...o.slice(0, bodyStart),
        '    try {',
        ...body,
        '    } catch (e) {',
        '      this.log.error(e);',
        '      throw e;',
        '    }',
        ...o.slice(bodyEnd),
      ]),
    });
  }
  // Delete 113 consecutive lines (or a third of a small file) from the middle.
  {
    const k = Math.min(113, Math.floor(n / 3));
    const at = Math.floor(n / 2) - Math.floor(k / 2);
    out.push({ name: `delete ${k} lines`, original: o, output: join([...o.slice(0, at), ...o.slice(at + k)]) });
  }
  return out;
}

export interface Quality {
  changed: number;
  minimal: number;
  extra: number;
  acceptExact: boolean;
  rejectExact: boolean;
}

/** Changed lines of a minimal line diff (removed + added). */
export function minimalChanged(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  for (const p of diffArrays(a as string[], b as string[])) if (p.added || p.removed) n += p.value.length;
  return n;
}

/** Stream `rw` into a region token by token (flushing like the editor), end it, and measure what the user sees. */
export function measure(rw: Rewrite): Quality & { region: PreviewRegion } {
  const region = new PreviewRegion(0, rw.original);
  const d = region.createDiff();
  const toks = tokenize(rw.output);
  for (let i = 0; i < toks.length; i++) {
    d.push(toks[i]);
    if ((i & 15) === 15) {
      const p = region.planFlush();
      if (p) region.commitFlush(p);
    }
  }
  d.end();
  region.relayoutClean();
  const p = region.planFlush();
  if (p) region.commitFlush(p);
  const changed = region.rows.filter((r) => r.kind === 'add' || r.kind === 'del').length;
  const want = outputLines(rw.output);
  const minimal = minimalChanged(rw.original, want);
  const same = (a: string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    changed,
    minimal,
    extra: changed - minimal,
    acceptExact: same(region.textIf('accept'), want),
    rejectExact: same(region.textIf('reject'), rw.original),
    region,
  };
}

/** The goal of issue 14: at most max(10, 10% of the minimal diff) extra changed lines. */
export const extraBudget = (minimal: number) => Math.max(10, Math.ceil(minimal * 0.1));
