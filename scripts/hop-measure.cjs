// Hop measurement for issue 11 (session 12 helper). Usage: node /tmp/hopmeasure.js <worktree>
const path = require('path');
const fs = require('fs');
const root = path.resolve(process.argv[2] || '.');
// --partial: count the line being written too (what a person sees); --every N: look after every N tokens only (about
// one frame at the demo's 1,000 tok/s is 16), not after every token.
const PARTIAL = process.argv.includes('--partial');
const everyArg = process.argv.indexOf('--every');
const EVERY = everyArg > 0 ? Number(process.argv[everyArg + 1]) : 1;
const { PreviewRegion } = require(path.join(root, 'out/src/core/session/region'));
const { demoEdit } = require(path.join(root, 'out/src/server/demo'));
const { tokenize } = require(path.join(root, 'out/src/server/modelServer'));
const { rewrites } = require(path.join(root, 'out/bench/diffCorpus'));

const key = (r) => (r.orig >= 0 ? `o${r.orig}` : `n:${r.text}`);

function measureCase(original, answer) {
  const region = new PreviewRegion(0, original);
  const d = region.createDiff();
  const states = [];
  let n = 0;
  for (const t of tokenize(answer)) {
    d.push(t);
    if (++n % EVERY === 0) states.push(region.rows.filter((r) => PARTIAL || r.kind !== 'part').map((r) => [r, r.kind]));
  }
  d.end();
  region.relayoutClean();
  const finalAt = new Map(region.rows.map((r, i) => [r, i]));
  const finalKind = new Map(region.rows.map((r) => [r, r.kind]));
  const oldHops = new Set(),
    newHops = new Set(),
    struck = new Set();
  const isOld = (r) => r.orig >= 0;
  for (const st of states) {
    const rows = st.filter(([r]) => finalAt.has(r));
    const n = rows.length;
    const pos = rows.map(([r]) => finalAt.get(r));
    // prefix max / suffix min of the other side's final positions
    let maxAdd = -1,
      maxOld = -1;
    for (let i = 0; i < n; i++) {
      const r = rows[i][0];
      if (isOld(r)) {
        if (maxAdd > pos[i]) oldHops.add(r);
        maxOld = Math.max(maxOld, pos[i]);
      } else {
        if (maxOld > pos[i]) newHops.add(r);
        maxAdd = Math.max(maxAdd, pos[i]);
      }
    }
    let minAdd = Infinity,
      minOld = Infinity;
    for (let i = n - 1; i >= 0; i--) {
      const r = rows[i][0];
      if (isOld(r)) {
        if (minAdd < pos[i]) oldHops.add(r);
        minOld = Math.min(minOld, pos[i]);
      } else {
        if (minOld < pos[i]) newHops.add(r);
        minAdd = Math.min(minAdd, pos[i]);
      }
    }
    for (const [r, k] of st) if (k === 'del' && finalKind.get(r) === 'ctx') struck.add(r);
  }
  let again = 0;
  const byHunk = new Map();
  for (const r of region.rows)
    if (r.hunk) {
      const h = byHunk.get(r.hunk) ?? { del: new Set(), add: new Set() };
      byHunk.set(r.hunk, h);
      (r.kind === 'del' ? h.del : h.add).add(r.text);
    }
  for (const h of byHunk.values()) for (const t of h.del) if (h.add.has(t)) again++;
  return { oldHops: oldHops.size, newHops: newHops.size, struck: struck.size, again };
}

function demoFunctions(file, header) {
  const lines = fs.readFileSync(path.join(root, 'demo/workspace', file), 'utf8').split('\n');
  const py = file.endsWith('.py');
  const out = [];
  lines.forEach((l, s) => {
    if (!header.test(l)) return;
    let e = s + 1;
    if (py) {
      while (e < lines.length && (lines[e].trim() === '' || /^\s/.test(lines[e]))) e++;
      e--;
      while (lines[e].trim() === '') e--;
    } else while (e < lines.length && lines[e] !== '}') e++;
    out.push({ sel: lines.slice(s, e + 1), before: lines.slice(0, s).join('\n') });
  });
  return out;
}

const INSTRUCTIONS = [
  'add doc comments',
  'use const',
  'rename sum to subtotal',
  'add error handling',
  'convert to async/await',
  'simplify',
  'fix',
  'make every string literal upper case',
];
const groups = { demo: [], corpus200: [], falsePos: [] };
for (const file of ['orders.ts', 'shipping.ts', 'stats.py'])
  for (const { sel, before } of demoFunctions(file, /^(export (async )?function|def |async def |class )/))
    for (const instruction of INSTRUCTIONS) {
      const r = demoEdit({ instruction, code: sel.join('\n'), path: file, before });
      if (!('code' in r)) continue;
      groups.demo.push({
        name: `${file} ${sel[0].slice(0, 30)} ${instruction}`,
        original: sel,
        answer: r.code.replace(/\n?$/, '\n'),
      });
    }
for (const n of [200])
  for (const rw of rewrites(n)) groups['corpus' + n].push({ name: rw.name, original: rw.original, answer: rw.output });
// False-positive shapes: a new line that resembles the old line below it, which stays.
const FP = [
  [
    'import above import',
    ["import { a } from './a';", "import { b } from './b';", '', 'run(a, b);'],
    ["import { a } from './a';", "import { c } from './c';", "import { b } from './b';", '', 'run(a, b);'],
  ],
  [
    'case above case',
    ['switch (k) {', "  case 'a':", '    return 1;', "  case 'b':", '    return 2;', '}'],
    [
      'switch (k) {',
      "  case 'c':",
      '    return 3;',
      "  case 'a':",
      '    return 1;',
      "  case 'b':",
      '    return 2;',
      '}',
    ],
  ],
  [
    'const above const',
    [
      'function f() {',
      '  const limit = opts.limit ?? 10;',
      '  const offset = opts.offset ?? 0;',
      '  return page(limit, offset);',
      '}',
    ],
    [
      'function f() {',
      '  const count = opts.count ?? 5;',
      '  const limit = opts.limit ?? 10;',
      '  const offset = opts.offset ?? 0;',
      '  return page(limit, offset);',
      '}',
    ],
  ],
  [
    'field above field',
    ['class A {', '  private readonly x = 1;', '  private readonly y = 2;', '}'],
    ['class A {', '  private readonly w = 0;', '  private readonly x = 1;', '  private readonly y = 2;', '}'],
  ],
  [
    'test above test',
    [
      "describe('m', () => {",
      "  it('adds', () => expect(add(1, 2)).toBe(3));",
      "  it('subs', () => expect(sub(3, 2)).toBe(1));",
      '});',
    ],
    [
      "describe('m', () => {",
      "  it('muls', () => expect(mul(2, 3)).toBe(6));",
      "  it('adds', () => expect(add(1, 2)).toBe(3));",
      "  it('subs', () => expect(sub(3, 2)).toBe(1));",
      '});',
    ],
  ],
  [
    'py param above',
    ['def f(a, b):', '    x = a + 1', '    y = b + 2', '    return x + y'],
    ['def f(a, b):', '    w = a + 0', '    x = a + 1', '    y = b + 2', '    return x + y'],
  ],
  [
    'log above log',
    ['function g(v) {', "  log.debug('start', v);", '  work(v);', "  log.debug('end', v);", '}'],
    [
      'function g(v) {',
      "  log.debug('begin', v);",
      "  log.debug('start', v);",
      '  work(v);',
      "  log.debug('end', v);",
      '}',
    ],
  ],
  [
    'enum member above',
    ['enum Color {', '  Red = 1,', '  Green = 2,', '}'],
    ['enum Color {', '  Blue = 0,', '  Red = 1,', '  Green = 2,', '}'],
  ],
];
for (const [name, o, n] of FP) groups.falsePos.push({ name, original: o, answer: n.join('\n') + '\n' });

const verbose = process.argv.includes('-v');
for (const [g, cases] of Object.entries(groups)) {
  const tot = { cases: 0, withHop: 0, oldHops: 0, newHops: 0, struck: 0, again: 0 };
  for (const c of cases) {
    const m = measureCase(c.original, c.answer);
    tot.cases++;
    if (m.oldHops || m.newHops) tot.withHop++;
    for (const k of ['oldHops', 'newHops', 'struck', 'again']) tot[k] += m[k];
    if (verbose && (m.oldHops || m.newHops || m.struck || m.again))
      console.log(`  ${g} ${c.name}: ${JSON.stringify(m)}`);
  }
  console.log(g, JSON.stringify(tot));
}
