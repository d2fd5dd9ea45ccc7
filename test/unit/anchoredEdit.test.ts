import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextPiece, anchoredPieces, cursorAfter } from '../../src/core/diff/anchoredEdit';

/** The pieces applied to `old` (back to front, as the editor does). */
function applied(old: string, pieces: readonly TextPiece[]): string {
  let s = old;
  for (const p of [...pieces].sort((a, b) => b.from - a.from)) s = s.slice(0, p.from) + p.text + s.slice(p.to);
  return s;
}

/**
 * Issue 11 (HA8): one of the stream's edits split around the cursors, so the editor puts each cursor where it belongs
 * as it applies the edit. `cursorAfter` is a model of VS Code's tracked ranges (the host tests check the real editor).
 */
describe('anchored edits (issue 11, HA8): the editor keeps the cursor where it belongs', () => {
  it('the model of the editor: one replacement over the cursor keeps its offset, which is how the splice came', () => {
    // `    for (` being written, the cursor at its end; the next edit writes `    for (va`.
    const old = '    for (\n  var sum = 0;\n';
    const next = '    for (va\n  var sum = 0;\n';
    assert.equal(cursorAfter([{ from: 0, to: old.length, text: next }], 9), 9, 'inside the model text: `for (|va`');
    const pieces = anchoredPieces(old, next, [{ at: 9, to: 11 }])!;
    assert.equal(applied(old, pieces), next);
    assert.equal(cursorAfter(pieces, 9), 11, 'at the end of the line, where the keys belong');
  });

  it('the line being written finishes and an old line below turns into a removed one (its prefix added)', () => {
    const old = '  let a3 = \n  var a3 = 3;\n  keep3();\n';
    const next = '//   var a3 = 3;\n  let a3 = 3;\n  keep3();\n';
    // Cursor at the end of the old line: it stays at the end of that line, now behind its prefix.
    const at = old.indexOf('3;\n') + 2;
    const to = next.indexOf('3;\n') + 2;
    const pieces = anchoredPieces(old, next, [{ at, to }])!;
    assert.equal(applied(old, pieces), next);
    assert.equal(cursorAfter(pieces, at), to);
    assert.equal(cursorAfter([{ from: 0, to: old.length, text: next }], at), at, 'one replacement: inside `  let a3`');
  });

  it('keys typed inside the line being written: the model text after them withdrawn, the cursor stays after the key', () => {
    const old = '  leZt a3 = 3\n  var a3 = 3;\n';
    const next = 'Z\n  var a3 = 3;\n';
    const pieces = anchoredPieces(old, next, [{ at: 5, to: 1 }])!;
    assert.equal(applied(old, pieces), next);
    assert.equal(cursorAfter(pieces, 5), 1);
  });

  it('no promise it cannot keep: changed characters on both sides of the cursor, crossed cursors', () => {
    assert.equal(anchoredPieces('abc', 'xyz', [{ at: 1, to: 1 }]), null);
    assert.equal(
      anchoredPieces('a\nb\n', 'b\na\n', [
        { at: 1, to: 3 },
        { at: 3, to: 1 },
      ]),
      null,
    );
  });

  it('property: the pieces give the new text and every cursor lands on its place (3,000 cases)', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ' ', '\n', '//'), { maxLength: 30 }).map((x) => x.join(''));
    fc.assert(
      fc.property(text, text, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }), (old, next, picks) => {
        // Cursors whose next character is the same in both texts, in the same order (as a row's text that stays).
        const cursors: Array<{ at: number; to: number }> = [];
        for (const [x, y] of picks) {
          if (!old.length || !next.length) break;
          const at = x % old.length,
            to = y % next.length;
          if (old[at] !== next[to] && (!at || !to || old[at - 1] !== next[to - 1])) continue;
          if (cursors.some((c) => c.at < at !== c.to < to || c.at === at || c.to === to)) continue;
          cursors.push({ at, to });
        }
        const pieces = anchoredPieces(old, next, cursors);
        // Anchored after the cursor it always works; before it, only when no insertion starts at the cursor.
        if (cursors.every((c) => old[c.at] === next[c.to])) assert.ok(pieces);
        if (!pieces) return;
        assert.equal(applied(old, pieces), next);
        const sorted = [...pieces].sort((a, b) => a.from - b.from);
        for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].from > sorted[i - 1].to, 'pieces never touch');
        for (const c of cursors) assert.equal(cursorAfter(pieces, c.at), c.to, `cursor ${c.at} → ${c.to}`);
      }),
      { numRuns: 3000, seed: 424242 },
    );
  });
});
