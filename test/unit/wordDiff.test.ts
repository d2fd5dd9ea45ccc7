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
