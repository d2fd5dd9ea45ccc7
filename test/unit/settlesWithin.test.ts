import assert from 'node:assert/strict';
import { settlesWithin } from '../../src/core/util/settlesWithin';

describe('settlesWithin: a bounded wait (decisions and the first edit never wait for ever)', () => {
  it('true when the promise resolves or rejects in time, false when it does not', async () => {
    assert.equal(await settlesWithin(Promise.resolve(1), 50), true);
    assert.equal(await settlesWithin(Promise.reject(new Error('x')), 50), true);
    assert.equal(await settlesWithin(new Promise(() => undefined), 20), false);
    assert.equal(await settlesWithin(new Promise((r) => setTimeout(r, 5)), 200), true);
  });
});
