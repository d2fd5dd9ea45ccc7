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
