import assert from 'node:assert/strict';
import type { Hunk, Row } from '../../src/core/session/region';
import { SHORT_ROW, controlPlace, rowColumns } from '../../src/core/session/controlPlace';

/**
 * Session 10: Add Tests' ✓ / ✗ sat after the end of the new test file's long line 1, past the editor's right edge.
 * The controls go at the end of the hunk's first SHORT added row; before the text of the first added row when all
 * are long; never on a removed row.
 */
describe('controlPlace: where a hunk’s ✓ / ✗ go', () => {
  const h = { id: 1, state: 'pending' } as unknown as Hunk;
  const other = { id: 2, state: 'pending' } as unknown as Hunk;
  const row = (kind: Row['kind'], text: string, hunk: Hunk | null = h): Row => ({ kind, text, hunk, orig: 0 });
  const long =
    "import { describe, it } from 'node:test'; import assert from 'node:assert/strict'; // " + 'x'.repeat(20);
  const all = () => true;

  it('a short first added row: at its end (as before)', () => {
    const rows = [row('ctx', 'a', null), row('del', 'var x = 1;'), row('add', 'const x = 1;'), row('add', 'y();')];
    assert.deepEqual(controlPlace(rows, h, 1, all), { row: 2, at: 'end' });
  });

  it('a long first line (the new test file): the end of the first short added row after it', () => {
    assert.ok(long.length > SHORT_ROW);
    const rows = [row('add', long), row('add', ''), row('add', "describe('total', () => {")];
    assert.deepEqual(controlPlace(rows, h, 0, all), { row: 1, at: 'end' });
  });

  it('every added row long: before the text of the first one, never past the edge', () => {
    const rows = [row('del', 'old'), row('add', long), row('add', long + ' 2'), row('ctx', 'z', null)];
    assert.deepEqual(controlPlace(rows, h, 0, all), { row: 1, at: 'start' });
  });

  it('only the hunk’s own rows count: a short row of the next hunk is not chosen', () => {
    const rows = [row('add', long), row('add', 'short', other)];
    assert.deepEqual(controlPlace(rows, h, 0, all), { row: 0, at: 'start' });
  });

  it('a hunk that only removes: the row above, else below; never a removed row', () => {
    const rows = [row('ctx', 'a', null), row('del', 'gone'), row('ctx', 'b', null)];
    assert.deepEqual(controlPlace(rows, h, 1, all), { row: 0, at: 'end' });
    const top = [row('del', 'gone'), row('ctx', 'b', null)];
    assert.deepEqual(
      controlPlace(top, h, 0, (r) => r >= 0),
      { row: 1, at: 'end' },
    );
    const boxed = [row('del', 'x', other), row('del', 'gone'), row('del', 'y', other)];
    assert.equal(controlPlace(boxed, h, 1, all), undefined);
  });

  it('tabs count as the editor draws them', () => {
    assert.equal(rowColumns('\tx', 4), 5);
    assert.equal(rowColumns('ab\tx', 4), 5);
    const tabs = '\t'.repeat(10) + 'y'.repeat(40); // 80 columns at tab size 4, 50 characters
    assert.deepEqual(controlPlace([row('add', tabs)], h, 0, all, 4), { row: 0, at: 'start' });
    assert.deepEqual(controlPlace([row('add', tabs)], h, 0, all, 2), { row: 0, at: 'end' });
  });
});
