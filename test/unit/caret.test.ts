import assert from 'node:assert/strict';
import { caretAfterChange } from '../../src/core/util/caret';

describe('caretAfterChange (issue 15: the caret after a quick fix)', () => {
  it('mid-word in a fixed name: the end of the fixed name', () => {
    const old = '  return subtotl + tax;';
    const now = '  return subtotal + tax;';
    assert.equal(caretAfterChange(old, now, 11), '  return subtotal'.length);
    assert.equal(caretAfterChange(old, now, 9), '  return subtotal'.length); // at the word's start
    assert.equal(caretAfterChange(old, now, 16), '  return subtotal'.length); // at its end
  });
  it('a renamed word (shorter, longer, replaced whole)', () => {
    assert.equal(caretAfterChange('const totl = 1;', 'const total = 1;', 8), 'const total'.length);
    assert.equal(caretAfterChange('let itemz = [];', 'let items = [];', 5), 'let items'.length);
    assert.equal(caretAfterChange('f(qty)', 'f(quantity)', 3), 'f(quantity'.length);
  });
  it('the caret elsewhere on the line keeps its column', () => {
    const old = 'a.push(subtotl); b();';
    const now = 'a.push(subtotal); b();';
    assert.equal(caretAfterChange(old, now, 18), 18); // after "b", not changed
    assert.equal(caretAfterChange(old, now, 1), 1); // in "a"
  });
  it('unchanged line or caret not in a word: the column (clamped)', () => {
    assert.equal(caretAfterChange('abc', 'abc', 2), 2);
    assert.equal(caretAfterChange('x = 1;   ', 'x = 2;', 9), 6);
  });
});
