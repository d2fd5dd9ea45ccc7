import assert from 'node:assert/strict';
import { firstHunkDelay, flushDelay } from '../../src/core/util/frameClock';

describe('document update pacing (flushDelay)', () => {
  it('sends the first change at once: no coalescing delay before the first character', () => {
    assert.equal(flushDelay(1000, undefined, 16), 0);
    assert.equal(flushDelay(1000, 1000 - 16, 16), 0, 'a frame after the last update');
    assert.equal(flushDelay(1000, 500, 16), 0, 'after a pause');
  });
  it('waits for the rest of the frame when an update went out within it', () => {
    assert.equal(flushDelay(1000, 995, 16), 11);
    assert.equal(flushDelay(1000, 1000, 16), 16);
    assert.equal(flushDelay(1000, 1010, 16), 16, 'a clock that went backwards never waits longer than a frame');
  });
  it('keeps a fast stream at one update per frame at most', () => {
    // A token every millisecond for a second: the updates that would go out, each scheduled by flushDelay.
    let last: number | undefined;
    let due: number | undefined;
    const updates: number[] = [];
    for (let t = 0; t < 1000; t++) {
      if (due === undefined) due = t + flushDelay(t, last, 16); // a token arrives: schedule an update unless one is
      if (t >= due) {
        updates.push(t);
        last = t;
        due = undefined;
      } // the update runs (and takes its tokens along)
    }
    assert.equal(updates[0], 0, 'the first token goes out at once');
    for (let i = 1; i < updates.length; i++)
      assert.ok(updates[i] - updates[i - 1] >= 16, `updates ${updates[i - 1]} and ${updates[i]} within one frame`);
    assert.ok(updates.length >= 55 && updates.length <= 63, `${updates.length} updates in a second`);
  });
});

describe('document update pacing before the first hunk is whole (firstHunkDelay)', () => {
  it('sends the first change at once', () => {
    assert.equal(firstHunkDelay(1000, undefined, 16, 50), 0);
  });
  it('then holds the half-written hunk back: an update at most every holdMs after the last one landed', () => {
    assert.equal(firstHunkDelay(1000, 995, 16, 50), 45);
    assert.equal(firstHunkDelay(1000, 1000, 16, 50), 50);
    assert.equal(firstHunkDelay(1000, 950, 16, 50), 0, 'holdMs after the last update');
    assert.equal(firstHunkDelay(1000, 1010, 16, 50), 50, 'a clock that went backwards never waits longer than holdMs');
  });
  it('never sends sooner than flushDelay would', () => {
    for (const last of [undefined, 900, 960, 990, 999, 1000])
      assert.ok(firstHunkDelay(1000, last, 16, 50) >= flushDelay(1000, last, 16), String(last));
    assert.equal(firstHunkDelay(1000, 995, 16, 0), flushDelay(1000, 995, 16), 'holdMs 0: as flushDelay');
  });
});
