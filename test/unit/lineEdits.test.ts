import assert from 'node:assert/strict';
import { applyEdits, lineEdits } from '../../src/core/diff/lineEdits';

/** Issue 11 (HB8): a save's set-aside and restore replace only the lines that differ. */
describe('lineEdits: only the changed lines are replaced', () => {
  it('leaves shared lines alone: one edit per run of changed lines, none touching a shared line', () => {
    const a = [
      'head',
      '//   var a = 1;',
      '  let a = 1;',
      '  keep();',
      '//   var b = 2;',
      '  let b = 2;',
      '  typed here',
      '}',
      '',
    ];
    const b = ['head', '  var a = 1;', '  keep();', '  var b = 2;', '  typed here', '}', ''];
    const edits = lineEdits(a.join('\n'), b.join('\n'));
    assert.equal(applyEdits(a.join('\n'), edits), b.join('\n'));
    assert.equal(edits.length, 2);
    const old = a.join('\n');
    const keep = old.indexOf('  keep();');
    const typed = old.indexOf('  typed here');
    for (const e of edits) {
      assert.ok(e.to <= keep || e.from >= keep + '  keep();'.length + 1, 'keep() untouched');
      assert.ok(e.to <= typed || e.from >= typed + '  typed here'.length + 1, 'the typed line untouched');
    }
  });

  it('round-trips random line texts, with and without a final newline, runs at both ends', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const words = ['a', 'b', 'c', '', '  d', 'e;'];
    const gen = () => Array.from({ length: rnd(6) }, () => words[rnd(words.length)]).join('\n') + (rnd(2) ? '\n' : '');
    for (let i = 0; i < 3000; i++) {
      const x = gen();
      const y = gen();
      const edits = lineEdits(x, y);
      assert.equal(applyEdits(x, edits), y, JSON.stringify({ x, y, edits }));
      for (let k = 1; k < edits.length; k++) assert.ok(edits[k - 1].to <= edits[k].from, 'in order, no overlap');
      if (x === y) assert.equal(edits.length, 0);
    }
  });
});
