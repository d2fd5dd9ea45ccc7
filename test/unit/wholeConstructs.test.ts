import assert from 'node:assert/strict';
import { PreviewRegion } from '../../src/core/session/region';
import {
  bodilessBlocks,
  bracketSignature,
  codeOnly,
  structuralCut,
  syntaxFor,
  CutRow,
} from '../../src/core/session/structure';

/** Issue 11 (round 4): a stopped stream proposes only whole constructs (src/core/session/structure.ts). */

const TS = syntaxFor('typescript');
const PY = syntaxFor('python');

function stopped(original: string[], arrived: string, lang = 'typescript'): PreviewRegion {
  const region = new PreviewRegion(0, original);
  region.syntax = syntaxFor(lang);
  const d = region.createDiff();
  for (let i = 0; i < arrived.length; i += 3) d.push(arrived.slice(i, i + 3));
  region.interrupt('stopped (Esc)');
  return region;
}

describe('whole constructs: the bracket tokenizer', () => {
  it('balanced code has an empty signature; unclosed and stray brackets are listed in order', () => {
    assert.equal(bracketSignature(['function f(a) {', '  return [a, (1)];', '}'], TS), '|');
    assert.equal(bracketSignature(['function f() {', '  try {', '    g();'], TS), '|{{');
    assert.equal(bracketSignature(['  }', '}', 'x('], TS), '}}|(');
    assert.equal(bracketSignature(['(]'], TS), ']|(', 'a mismatched closer leaves the opener open');
  });

  it('brackets inside strings and comments do not count', () => {
    const code = [
      'const s = "a { b ( c";',
      "const t = 'x } y';",
      'const u = `tpl ) ${1} (`;',
      '// a { comment (',
      '/* block {',
      '   still ( comment */ f();',
      'const esc = "quote \\" { still string";',
    ];
    assert.equal(bracketSignature(code, TS), '|');
    assert.deepEqual(codeOnly(['a = "{" + b; // }'], TS), ['a =     + b;     ']);
  });

  it('a comment or string left open counts (it hides the code after it)', () => {
    assert.notEqual(bracketSignature(['/**', 'function f() {}'], TS), '|');
    assert.notEqual(bracketSignature(['const s = `open', 'f();'], TS), '|');
  });

  it('Python: # comments and triple-quoted strings hide brackets; a line ending in ":" needs a body', () => {
    assert.equal(bracketSignature(['x = "(" # )', '"""', ' { ', '"""', "y = '''[''' + f(1)"], PY), '|');
    assert.equal(bodilessBlocks(['def f(x):', '    return x'], PY), 0);
    assert.equal(bodilessBlocks(['def f(x):', 'y = 1'], PY), 1, 'the next line is not indented deeper');
    assert.equal(bodilessBlocks(['def f(x):', '    if x:'], PY), 1, 'the inner opener at the end has no body');
    assert.equal(bodilessBlocks(['d = {', '  "a":', '  1}'], PY), 0, 'a ":" inside brackets is no block');
    assert.equal(bodilessBlocks(['s = x[1:]', 'print(s)  # done:'], PY), 0);
    assert.equal(bodilessBlocks(['try:', '    f()', 'g()'], PY), 1, 'try: without except/finally');
    assert.equal(bodilessBlocks(['try:', '    f()', 'except E:', '    pass'], PY), 0);
    assert.equal(bodilessBlocks(['def f():', '    pass'], syntaxFor('typescript')), 0, 'only for Python');
  });
});

describe('whole constructs: where a stopped change is cut', () => {
  const row = (accepted: string | null, rejected: string | null, pending = true): CutRow => ({
    accepted,
    rejected,
    pending,
  });

  it('the whole change when it keeps the shape; an earlier cut when not; 0 when no prefix does', () => {
    const ctx = (t: string) => row(t, t, false);
    const rows = [
      ctx('f() {'),
      row('  // note', null),
      row('  try {', null),
      row('    a();', null),
      ctx('  a();'),
      ctx('}'),
    ];
    assert.equal(structuralCut(rows, TS), 2, 'after the comment line, before `try {`');
    assert.equal(structuralCut([ctx('f() {'), row('  try {', null), ctx('  a();'), ctx('}')], TS), 0);
    assert.equal(structuralCut([ctx('f() {'), row('  // x', null), ctx('}')], TS), 3);
  });
});

describe('whole constructs: the incremental cut equals the plain definition', () => {
  /** The definition: every candidate's whole text scanned from the top. */
  function naiveCut(rows: CutRow[], syn = TS): number {
    const text = (c: number) =>
      rows.map((r, i) => (i < c ? r.accepted : r.rejected)).filter((t): t is string => t !== null);
    const orig = bracketSignature(text(0), syn);
    const ok = (c: number) =>
      bracketSignature(text(c), syn) === orig && bodilessBlocks(text(c), syn) <= bodilessBlocks(text(0), syn);
    if (!rows.some((r) => r.pending) || ok(rows.length)) return rows.length;
    for (let c = rows.length - 1; c > 0; c--) if (rows[c - 1].pending && ok(c)) return c;
    return 0;
  }

  it('on 2,000 random stopped changes (brackets, strings and comments across lines, Python blocks)', () => {
    let seed = 5;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const ts = ['{', '}', 'f(a[1]);', '/* open (', 'close ) */', '`tpl {', 'end }`', '"s {"', '// c )', 'x'];
    const py = ['def f():', '    pass', 'if x:', '    y = (1,', '    2)', '"""', '{ doc', 'try:', 'except E:', ''];
    for (let t = 0; t < 2000; t++) {
      const syn = t % 2 ? PY : TS;
      const pieces = t % 2 ? py : ts;
      const rows: CutRow[] = Array.from({ length: rnd(14) }, () => {
        const text = pieces[rnd(pieces.length)];
        const k = rnd(3); // unchanged, added, removed
        return k === 0
          ? { accepted: text, rejected: text, pending: false }
          : k === 1
            ? { accepted: text, rejected: null, pending: true }
            : { accepted: null, rejected: text, pending: true };
      });
      assert.equal(structuralCut(rows, syn), naiveCut(rows, syn), `case ${t}: ${JSON.stringify(rows)}`);
    }
  });

  it('a 5,000-line rewrite stopped half-way with nothing balanced: bounded work, nothing proposed', () => {
    const rows: CutRow[] = [{ accepted: 'function f() {', rejected: 'function f() {', pending: false }];
    for (let i = 0; i < 2500; i++) rows.push({ accepted: `  try { a${i}();`, rejected: null, pending: true });
    for (let i = 0; i < 2500; i++) rows.push({ accepted: `  b${i}();`, rejected: `  b${i}();`, pending: false });
    rows.push({ accepted: '}', rejected: '}', pending: false });
    const t0 = performance.now();
    assert.equal(structuralCut(rows, TS), 0);
    console.log(`      (5,000-line stopped rewrite, no balanced prefix: ${(performance.now() - t0).toFixed(0)} ms)`);
  });
});

describe('whole constructs: a stopped stream in a preview region', () => {
  const original = ['function f(x: number) {', '  const y = g(x);', '  return y;', '}'];

  it('Esc after `try {` and one streamed line: nothing balanced is left, nothing is proposed', () => {
    const r = stopped(original, 'function f(x: number) {\n  try {\n    const y = g(x);\n');
    assert.equal(r.pendingHunks().length, 0);
    assert.deepEqual(r.textIf('accept'), original);
    assert.deepEqual(r.structureCut?.nothingLeft, true);
  });

  it('without a syntax (as before): the unbalanced lines are proposed', () => {
    const region = new PreviewRegion(0, original);
    region.createDiff().push('function f(x: number) {\n  try {\n    const y = g(x);\n');
    region.interrupt('stopped (Esc)');
    assert.equal(region.pendingHunks().length, 1);
  });

  it('a complete change before the unfinished construct is kept, and the stop is marked after it', () => {
    const r = stopped(original, '/** Doubles g. */\nfunction f(x: number) {\n  try {\n    const y = g(x);\n');
    assert.deepEqual(r.textIf('accept'), ['/** Doubles g. */', ...original]);
    assert.equal(r.pendingHunks().length, 1);
    assert.equal(r.structureCut?.nothingLeft, false);
    assert.equal(r.stop?.before?.text, 'function f(x: number) {', 'the stop is marked above the first line not taken');
    assert.deepEqual(r.textIf('reject'), original);
  });

  it('a balanced stop is untouched (the whole lines that arrived stay pending)', () => {
    const r = stopped(original, 'function f(x: number) {\n  const y = h(x);\n');
    // The lines the stream did not reach stay as they are (the old `g` line among them): balanced, as before.
    assert.deepEqual(r.textIf('accept'), [
      'function f(x: number) {',
      '  const y = h(x);',
      '  const y = g(x);',
      '  return y;',
      '}',
    ]);
    assert.equal(r.structureCut, null);
  });

  it('a construct closed before the stop is kept whole', () => {
    const arrived =
      'function f(x: number) {\n  try {\n    const y = g(x);\n  } finally {\n    done();\n  }\n  return 1;\n';
    const r = stopped(['function f(x: number) {', '  const y = g(x);', '  return y;', '}', 'after();'], arrived);
    const text = r.textIf('accept');
    assert.equal(bracketSignature(text, TS), '|', text.join('\n'));
    assert.ok(text.includes('  } finally {'), text.join('\n'));
  });

  it('Python: a block opener is never left without its body', () => {
    const py = ['def f(x):', '    y = g(x)', '    return y', ''];
    const r = stopped(py, 'def f(x):\n    if x is None:\n', 'python');
    assert.equal(r.pendingHunks().length, 0, r.textIf('accept').join('\n'));
    const r2 = stopped(py, 'def f(x):\n    """Doubles g."""\n    if x is None:\n', 'python');
    assert.deepEqual(r2.textIf('accept'), ['def f(x):', '    """Doubles g."""', ...py.slice(1)]);
    const r3 = stopped(py, 'def f(x):\n    try:\n        y = g(x)\n', 'python');
    assert.equal(r3.pendingHunks().length, 0, 'try: without except is no whole construct');
  });

  it('random stops never propose a worse bracket structure than the original', () => {
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [
      '  if (x) {',
      '  }',
      '  a(b[1]);',
      '  try {',
      '  } catch (e) {',
      '  "str {";',
      '  // c (',
      '  x = [',
      '  ];',
    ];
    for (let t = 0; t < 300; t++) {
      const body = Array.from({ length: 1 + rnd(6) }, () => `  v${rnd(9)}();`);
      const orig = ['function f() {', ...body, '}'];
      const out = ['function f() {', ...Array.from({ length: rnd(10) }, () => pieces[rnd(pieces.length)]), ...body];
      const cutAt = rnd(out.length + 1);
      const r = stopped(orig, out.slice(0, cutAt).join('\n') + (cutAt ? '\n' : ''));
      assert.equal(bracketSignature(r.textIf('accept'), TS), '|', `case ${t}:\n${r.textIf('accept').join('\n')}`);
      assert.deepEqual(r.textIf('reject'), orig);
    }
  });
});
