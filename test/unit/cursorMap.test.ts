/** Issue 15: where the cursor goes when Spark Edit replaces the lines it was on (Accept, Reject, a save). */
import assert from 'node:assert/strict';
import { mapLineThroughReplace as map } from '../../src/core/diff/cursorMap';

describe('the cursor through a replaced block of lines (issue 15)', () => {
  // The demo quick fix's pending diff: the removed line shown above the added one.
  const pending = [
    'function f() {',
    '  if (subtotl >= 50) return 0;',
    '  if (subtotal >= 50) return 0;',
    '  return 4.99;',
    '}',
    '',
  ];
  const accepted = ['function f() {', '  if (subtotal >= 50) return 0;', '  return 4.99;', '}', ''];
  const rejected = ['function f() {', '  if (subtotl >= 50) return 0;', '  return 4.99;', '}', ''];
  it('Accept: a cursor on the removed line goes to the fixed line, never to the last line', () => {
    assert.equal(map(pending, accepted, 1), 1);
    assert.equal(map(pending, accepted, 2), 1, 'on the added line: it stays on it');
  });
  it('Reject: the removed line comes back as it was; the cursor stays on it', () => {
    assert.equal(map(pending, rejected, 1), 1);
    assert.equal(map(pending, rejected, 2), 2, 'on the added line, gone: next to the change');
  });
  it('lines kept above and below keep their place (shifted by the size change below)', () => {
    assert.equal(map(pending, accepted, 0), 0);
    assert.equal(map(pending, accepted, 3), 2);
    assert.equal(map(pending, accepted, 5), 4);
    assert.equal(map(pending, accepted, 9), 8, 'below the block');
    assert.equal(map(pending, accepted, -2), -2, 'above the block');
  });
  it('a save sets the preview aside and shows it again: the cursor comes back to its line', () => {
    const there = map(pending, rejected, 1);
    assert.equal(map(rejected, pending, there), 1);
  });
  it('a line of the changed middle that survives elsewhere in it is followed; a blank one is not', () => {
    assert.equal(map(['a', 'x', 'y', 'b'], ['a', 'y', 'z', 'b'], 2), 1);
    assert.equal(map(['a', '', 'x', 'b'], ['a', 'y', '', 'b'], 1), 1);
    assert.equal(map(['a', 'x'], [], 1), 0, 'everything removed: the block start');
  });
});
