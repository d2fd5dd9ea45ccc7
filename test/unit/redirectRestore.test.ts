import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import { ResponsesHttpTransport } from '../../src/core/transport/responsesHttp';
import { EditSession } from '../../src/core/session/editSession';
import { PreviewRegion } from '../../src/core/session/region';
import { ORIGINAL, REWRITE } from '../shared/varsFile';

/** Issue 11 (HB): a redirect that proposes nothing brings the proposal it replaced back, rows and hunks as they were. */
describe('region: a saved proposal comes back exactly', () => {
  const original = ['function f() {', '  var a = 1;', '  return a;', '}', 'function g() {', '  var b = 2;', '}'];
  const answer = original.map((l) => l.replace('var', 'const')).join('\n') + '\n';

  function pendingRegion(prefix = '') {
    const region = new PreviewRegion(3, original, prefix);
    const d = region.createDiff();
    d.push(answer);
    d.end();
    region.relayoutClean();
    region.commitFlush(region.planFlush());
    return region;
  }
  const kinds = (r: PreviewRegion) => r.renderedRows().map((x) => `${x.kind}:${x.hunk?.id ?? '-'}`);

  for (const prefix of ['', '// '])
    for (const when of [
      'after the rejection landed',
      'while the rejection was in flight',
      'while the rejection was in flight, the host checking for sync meanwhile',
      'before the rejection was written',
    ])
      it(`restored ${when} (prefix "${prefix}"): the same lines, kinds and hunks`, () => {
        const region = pendingRegion(prefix);
        const lines = [...region.renderedLines()];
        const k = kinds(region);
        const hunks = region.pendingHunks().map((h) => h.id);
        assert.equal(hunks.length, 2);
        const saved = region.saveProposal();
        region.rejectAll();
        region.rebase();
        const plan = region.planFlush();
        if (when === 'after the rejection landed') region.commitFlush(plan);
        assert.ok(region.restoreProposal(saved));
        // The host asks "in sync?" (planFlush) while the rejection's edit is in flight: rows and mirror are equal then.
        if (when.includes('checking')) assert.equal(region.planFlush(), null);
        if (when.includes('in flight')) region.commitFlush(plan);
        region.commitFlush(region.planFlush());
        assert.equal(region.planFlush(), null, 'in sync');
        assert.deepEqual([...region.renderedLines()], lines, 'the same document lines');
        assert.deepEqual(kinds(region), k, 'the same rows');
        assert.deepEqual(
          region.pendingHunks().map((h) => h.id),
          hunks,
          'the same hunks',
        );
        assert.deepEqual(region.textIf('reject'), original, 'Reject All gives the original');
        assert.deepEqual(region.decorationRuns(), pendingRegion(prefix).decorationRuns(), 'the same decoration runs');
      });

  it('refused once the user edited the region since it was saved', () => {
    const region = pendingRegion();
    const saved = region.saveProposal();
    region.rejectAll();
    region.rebase();
    region.commitFlush(region.planFlush());
    region.applyUserEdit(4, 0, 4, 0, 'x');
    assert.equal(region.restoreProposal(saved), false);
  });
});

describe('EditSession: a redirect that proposes nothing brings back what it replaced', () => {
  let server: ModelServer;
  let t: ResponsesHttpTransport;
  beforeEach(async () => {
    server = await new ModelServer().listen();
    t = new ResponsesHttpTransport({ baseUrl: server.url });
  });
  afterEach(async () => {
    t.dispose();
    await server.close();
  });
  const ORIG = ORIGINAL.split('\n').slice(2, 16);
  const REW = REWRITE;

  for (const [how, step] of [
    ['a refusal', { refusal: 'no' }],
    ['an empty answer', { text: '' }],
    ['a failure', { text: REW, faults: { failAfterChars: 0 } }],
  ] as const)
    it(`${how}: the same rendered rows and hunks, flushed as the host does`, async () => {
      const region = new PreviewRegion(2, ORIG, '// ');
      const s = new EditSession({
        region,
        prompt: { instruction: 'x', code: ORIG.join('\n') },
        model: 'm',
        transport: t,
      });
      // The host's mirror: every content event flushes (one plan in flight at a time, landed on the next tick).
      let inFlight: Promise<void> | null = null;
      const flush = () => {
        if (inFlight) return;
        const plan = region.planFlush();
        if (!plan) return;
        inFlight = new Promise<void>((r) => setImmediate(r)).then(() => {
          region.commitFlush(plan);
          inFlight = null;
          flush();
        });
      };
      s.onEvent((e) => e.kind === 'content' && flush());
      server.enqueue({ text: REW, tokensPerSecond: 2000 });
      s.start();
      await s.whenSettled();
      while (inFlight || region.planFlush()) {
        flush();
        await inFlight;
      }
      const rows = region.renderedRows().map((r) => `${r.kind}:${r.hunk?.id ?? '-'}`);
      const lines = [...region.renderedLines()];
      server.enqueue(step);
      s.redirect('more');
      await s.whenSettled();
      await new Promise((r) => setTimeout(r, 20));
      while (inFlight || region.planFlush()) {
        flush();
        await inFlight;
      }
      assert.equal(s.state, 'pending');
      assert.deepEqual([...region.renderedLines()], lines);
      assert.deepEqual(
        region.renderedRows().map((r) => `${r.kind}:${r.hunk?.id ?? '-'}`),
        rows,
      );
    });
});
