/**
 * Issue 15: word-level highlights and the next-edit preview mark whole tokens (identifiers, numbers, strings), never
 * characters of two different tokens interleaved ("su[m]btotal").
 */
import assert from 'node:assert/strict';
import { changedChars, changedSpan, codeTokens } from '../../src/core/diff/wordDiff';

const h = { id: 1 };
/** The highlighted text of a removed/added pair: [removed parts, added parts]. */
function marks(a: string, b: string): [string[], string[]] {
  const rows = [
    { kind: 'del', text: a, hunk: h },
    { kind: 'add', text: b, hunk: h },
  ];
  const r = changedChars(rows);
  const text = (x: { row: number; from: number; to: number }) => rows[x.row].text.slice(x.from, x.to);
  return [r.filter((x) => x.kind === 'del').map(text), r.filter((x) => x.kind === 'add').map(text)];
}
/** The next-edit preview of a one-line change: old text with [struck] part and the {inserted} text after it. */
function preview(a: string, b: string): string {
  const s = changedSpan(a, b);
  if (!s) return a;
  return `${a.slice(0, s.from)}[${a.slice(s.from, s.to)}]{${s.insert}}${a.slice(s.to)}`;
}

describe('whole-token highlights (issue 15)', () => {
  it('tokens cover the line: strings, identifiers, numbers, whitespace, punctuation', () => {
    const line = `  const x_1 = foo("a \\"b\\" c", 'd', 1.25e-3) + $y; // don't`;
    const t = codeTokens(line);
    assert.equal(t.join(''), line);
    for (const tok of ['x_1', '"a \\"b\\" c"', "'d'", '1.25e-3', '$y', 'don', "'", 't'])
      assert.ok(t.includes(tok), tok);
  });
  it('a renamed identifier is highlighted whole on both lines', () => {
    assert.deepEqual(marks('  return sum;', '  return subtotal;'), [['sum'], ['subtotal']]);
    assert.deepEqual(marks('  sumOf(xs);', '  sumTotal(xs);'), [['sumOf'], ['sumTotal']]);
    assert.deepEqual(marks('let total_price = 0;', 'let total_cost = 0;'), [['total_price'], ['total_cost']]);
  });
  it('a changed number or string is highlighted whole', () => {
    assert.deepEqual(marks('const rate = 1.5;', 'const rate = 1.25;'), [['1.5'], ['1.25']]);
    assert.deepEqual(marks('const n = 0x1f;', 'const n = 0x2f;'), [['0x1f'], ['0x2f']]);
    assert.deepEqual(marks('log("sum is");', 'log("subtotal is");'), [['"sum is"'], ['"subtotal is"']]);
  });
  it('adjacent changed tokens are one range; unchanged tokens between them are not highlighted', () => {
    assert.deepEqual(marks('x = a-b;', 'x = c*d;'), [['a-b'], ['c*d']]);
    assert.deepEqual(marks('a.b(c)', 'x.y(c)'), [
      ['a', 'b'],
      ['x', 'y'],
    ]);
    assert.deepEqual(marks('  var sum = 0;', '  let subtotal = 0;'), [
      ['var', 'sum'],
      ['let', 'subtotal'],
    ]);
  });
  it('a pair with no token in common is left to the line colours', () => {
    assert.deepEqual(marks('abc', 'xyz'), [[], []]);
  });
  it('the next-edit preview strikes and inserts whole tokens', () => {
    assert.equal(preview('  return sum;', '  return subtotal;'), '  return [sum]{subtotal};');
    assert.equal(preview('  total += sum * 2;', '  total += subtotal * 2;'), '  total += [sum]{subtotal} * 2;');
    assert.equal(preview('f(a, b)', 'f(a, b, c)'), 'f(a, b[]{, c})');
    assert.equal(preview('x = 10;', 'x = 100;'), 'x = [10]{100};');
    assert.equal(preview('same', 'same'), 'same');
  });
});

/** Highlights of a hunk of removed lines `dels` and added lines `adds`: the highlighted text per row, row by row. */
function hunkMarks(dels: string[], adds: string[]): { del: string[][]; add: string[][] } {
  const rows = [
    ...dels.map((text) => ({ kind: 'del', text, hunk: h })),
    ...adds.map((text) => ({ kind: 'add', text, hunk: h })),
  ];
  const r = changedChars(rows);
  const per = (kind: 'del' | 'add', off: number, n: number) =>
    Array.from({ length: n }, (_, k) =>
      r.filter((x) => x.kind === kind && x.row === off + k).map((x) => rows[x.row].text.slice(x.from, x.to)),
    );
  return { del: per('del', 0, dels.length), add: per('add', dels.length, adds.length) };
}

describe('word highlights in re-indented lines (issue 11)', () => {
  it('a line re-indented with one word changed highlights only that word', () => {
    assert.deepEqual(marks('  var x = a + 1;', '    const x = a + 1;'), [['var'], ['const']]);
    assert.deepEqual(marks('\tvar x = a + 1;', '        const x = a + 1;'), [['var'], ['const']]);
    assert.deepEqual(marks('        return sum;', 'return subtotal;'), [['sum'], ['subtotal']]);
  });
  it('a line whose only change is its indentation highlights nothing', () => {
    assert.deepEqual(marks('  sum += x;', '      sum += x;'), [[], []]);
    assert.deepEqual(marks('\tif (a) return b;', '    if (a) return b;'), [[], []]);
  });
  it('a block wrapped in try { … }: each line pairs with its re-indented self, only the changed word is marked', () => {
    const dels = [
      '  var sum = 0;',
      '  for (var i = 0; i < order.items.length; i++) {',
      '    sum += order.items[i].price * order.items[i].qty;',
      '  }',
    ];
    const adds = [
      '  try {',
      '    let sum = 0;',
      '    for (let i = 0; i < order.items.length; i++) {',
      '      sum += order.items[i].price * order.items[i].qty;',
      '    }',
      '  } catch (err) {',
      '    throw err;',
      '  }',
    ];
    const m = hunkMarks(dels, adds);
    assert.deepEqual(m.del, [['var'], ['var'], [], []]);
    assert.deepEqual(m.add, [[], ['let'], ['let'], [], [], [], [], []]);
  });
  it('a removed line between kept ones is not paired with the next line', () => {
    const m = hunkMarks(
      ['  const a = load(x);', '  console.log(a);', '  return a.value;'],
      ['    const a = await load(x);', '    return a.value ?? 0;'],
    );
    assert.deepEqual(m.del, [[], [], []]);
    assert.deepEqual(m.add, [['await'], ['??', '0']]);
  });
  it('lines with little in common are left to the line colours, even at the same place', () => {
    const m = hunkMarks(['  return sum;'], ['  console.log("done", items.length, other);']);
    assert.deepEqual(m, { del: [[]], add: [[]] });
  });
  it('a 60-line rename pairs line by line (every line highlights only the renamed word)', () => {
    const dels = Array.from({ length: 60 }, (_, k) => `  total${k % 3 ? '' : ' '}= sum(xs[${k}]) + sum(ys);`);
    const adds = dels.map((l) => '  ' + l.replace(/\bsum\b/g, 'subtotal'));
    const m = hunkMarks(dels, adds);
    for (let k = 0; k < 60; k++) {
      assert.deepEqual(m.del[k], ['sum', 'sum'], `del ${k}`);
      assert.deepEqual(m.add[k], ['subtotal', 'subtotal'], `add ${k}`);
    }
  });
});
