import assert from 'node:assert/strict';
import { PreviewRegion } from '../../src/core/session/region';
import { StreamingLineDiff, outputLines } from '../../src/core/diff/streamingDiff';
import { tokenize } from '../../src/server/modelServer';
import { extraBudget, makeSource, measure, minimalChanged, rewrites } from '../../bench/diffCorpus';
import { beforePair } from './simDocument';

/** Issue 14: the streaming line diff must not lose sync on big changes. */
describe('streaming diff: re-synchronising after big changes', function () {
  this.timeout(60_000);

  const changedRows = (r: PreviewRegion) => r.rows.filter((x) => x.kind === 'add' || x.kind === 'del').length;

  it('wrapping an 84-line method body in try/catch inside a 5,000-line selection: within max(10, 10%) of a minimal diff', () => {
    const rw = rewrites(5000).find((x) => x.name === 'wrap in try/catch')!;
    const q = measure(rw);
    assert.ok(q.acceptExact && q.rejectExact);
    assert.ok(q.extra <= extraBudget(q.minimal), `${q.extra} extra changed lines beyond the minimal ${q.minimal}`);
  });

  it('deleting 113 consecutive lines of a 1,000-line selection: within max(10, 10%) of a minimal diff', () => {
    const rw = rewrites(1000).find((x) => x.name === 'delete 113 lines')!;
    const q = measure(rw);
    assert.ok(q.acceptExact && q.rejectExact);
    assert.ok(q.extra <= extraBudget(q.minimal), `${q.extra} extra changed lines beyond the minimal ${q.minimal}`);
  });

  for (const size of [200, 1000, 5000]) {
    it(`every rewrite of the corpus at ${size} lines: exact texts, extra changed lines within the goal`, () => {
      for (const rw of rewrites(size)) {
        const q = measure(rw);
        assert.ok(q.acceptExact, `${rw.name}: accept-all rebuilds the model's text`);
        assert.ok(q.rejectExact, `${rw.name}: reject-all restores the original`);
        assert.ok(
          q.extra <= extraBudget(q.minimal),
          `${rw.name}: ${q.extra} extra changed lines beyond the minimal ${q.minimal}`,
        );
      }
    });
  }

  it('re-anchors while streaming: after a 100-line inserted block the following lines are unchanged before the stream ends', () => {
    const rw = rewrites(5000).find((x) => x.name === 'insert block')!;
    const region = new PreviewRegion(0, rw.original);
    const d = region.createDiff();
    // Everything but the last 200 lines of the answer: the stream is still running.
    const cut = rw.output.split('\n').slice(0, -200).join('\n') + '\n';
    for (const t of tokenize(cut)) d.push(t);
    const adds = region.rows.filter((r) => r.kind === 'add').length;
    const dels = region.rows.filter((r) => r.kind === 'del').length;
    // The block looks like the methods around it, so the greedy match may pair a few of its lines with theirs
    // (the end-of-stream cleanup makes it minimal); what matters is that the match resumes after it.
    assert.ok(adds <= 101 + 50, `${adds} lines shown added mid-stream (the block is 101)`);
    assert.ok(dels <= 50, `${dels} lines shown removed mid-stream (none were)`);
  });

  it('re-anchors on a distinctive line beyond the lookahead, not on a common one, and only after a run of matching lines', () => {
    const original = Array.from({ length: 300 }, (_, i) => (i % 5 === 4 ? '}' : `const unique${i} = compute(${i});`));
    const seen: string[] = [];
    const d = new StreamingLineDiff(original, {
      added: (l) => seen.push(`+${l}`),
      matched: (i, from) => seen.push(`=${i}<${from}`),
      partial: () => undefined,
      finished: (f) => seen.push(`end ${f}`),
    });
    // 200 lines deleted (beyond the 64-line lookahead), then the rest unchanged.
    for (const l of original.slice(200)) d.push(l + '\n');
    d.end();
    const added = seen.filter((s) => s.startsWith('+'));
    assert.deepEqual(added, [], 'no line added');
    assert.equal(seen[0], '=200<0', 'the first line re-anchors: original lines 0..199 removed');
    assert.equal(seen[seen.length - 1], 'end 300');
  });

  it('a far line that is not followed by its original neighbours is an added line (no jump)', () => {
    const original = Array.from({ length: 200 }, (_, i) => `const unique${i} = compute(${i});`);
    const out = [
      'const unique0 = compute(0);',
      'const unique150 = compute(150);',
      'brand new line',
      ...original.slice(1),
    ];
    const region = new PreviewRegion(0, original);
    const d = region.createDiff();
    for (const l of out) d.push(l + '\n');
    d.end();
    assert.ok(!region.rows.some((r) => r.kind === 'del'), 'no original line removed while streaming');
    region.relayoutClean();
    assert.deepEqual(region.textIf('accept'), out);
    assert.deepEqual(region.textIf('reject'), original);
    assert.equal(changedRows(region), minimalChanged(original, out));
  });

  it('a hunk decided mid-stream stays decided, and the rest is still cleaned up to a minimal diff', () => {
    for (const decide of ['accept', 'reject'] as const) {
      const s = makeSource(1000);
      const o = s.lines;
      // A one-line change near the top (decided while streaming), then 113 lines deleted further down.
      const top = o.findIndex((l) => l.includes('computes'));
      const changedTop = o[top].replace('computes', 'works out');
      const at = 500;
      const out = [...o.slice(0, top), changedTop, ...o.slice(top + 1, at), ...o.slice(at + 113)];
      const text = out.join('\n') + '\n';
      const region = new PreviewRegion(0, o);
      const d = region.createDiff();
      const toks = tokenize(text);
      let decided = false;
      for (const t of toks) {
        d.push(t);
        const h = region.pendingHunks()[0];
        if (!decided && h) {
          decided = true;
          assert.ok(decide === 'accept' ? region.accept(h) : region.reject(h));
        }
      }
      assert.ok(decided);
      d.end();
      const before = { accept: region.textIf('accept'), reject: region.textIf('reject') };
      region.relayoutClean();
      assert.deepEqual(region.textIf('accept'), before.accept, 'the cleanup never changes what accept-all gives');
      assert.deepEqual(region.textIf('reject'), before.reject, 'the cleanup never changes what reject-all gives');
      // The decided line is plain text where the user left it, in no hunk.
      const kept = decide === 'accept' ? changedTop : o[top];
      const gone = decide === 'accept' ? o[top] : changedTop;
      const row = region.rows.find((r) => r.text === kept)!;
      assert.ok(row && row.kind === 'ctx' && row.hunk === null, `${decide}ed line is unchanged text`);
      assert.ok(!region.rows.some((r) => r.text === gone), `the ${decide === 'accept' ? 'old' : 'new'} line is gone`);
      assert.equal(changedRows(region), 113, 'only the deletion is pending');
      assert.ok(region.rows.every((r) => r.kind !== 'add'));
      const want =
        decide === 'accept' ? out : [...o.slice(0, top), o[top], ...o.slice(top + 1, at), ...o.slice(at + 113)];
      assert.deepEqual(region.textIf('accept'), want);
      assert.deepEqual(
        region.textIf('reject'),
        decide === 'accept' ? [...o.slice(0, top), changedTop, ...o.slice(top + 1)] : o,
      );
    }
  });

  it('the cleanup keeps old above new in every hunk and leaves no empty hunk', () => {
    for (const rw of rewrites(1000)) {
      const q = measure(rw);
      const seenAdd = new Set<number>();
      for (const [i, r] of q.region.rows.entries()) {
        if (!r.hunk || (r.kind === 'del' && beforePair(q.region.rows, i))) continue;
        if (r.kind === 'add' && r.rewrites)
          seenAdd.delete(r.hunk.id); // a removed line and its re-indented rewrite right below it (issue 11)
        else if (r.kind === 'add') seenAdd.add(r.hunk.id);
        else if (r.kind === 'del')
          assert.ok(!seenAdd.has(r.hunk.id), `${rw.name}: removed line below an added line of its hunk`);
      }
      for (const h of q.region.pendingHunks())
        assert.ok(
          q.region.rows.some((r) => r.hunk === h),
          `${rw.name}: hunk ${h.id} has rows`,
        );
      assert.deepEqual(q.region.textIf('accept'), outputLines(rw.output));
    }
  });

  it('decoration runs stop at the frontier and still equal a full scan of the rendered rows at every flush', () => {
    for (const rw of rewrites(1000)) {
      const region = new PreviewRegion(0, rw.original);
      const d = region.createDiff();
      const toks = tokenize(rw.output);
      let decided = false;
      for (let i = 0; i < toks.length; i++) {
        d.push(toks[i]);
        if (i % 7 !== 6) continue;
        if (!decided && i > toks.length / 2 && region.pendingHunks().length) {
          decided = true;
          region.reject(region.pendingHunks()[0]);
        }
        const p = region.planFlush();
        if (p) region.commitFlush(p);
        const full: Array<{ kind: string; from: number; to: number }> = [];
        region.renderedRows().forEach((r, k) => {
          if (r.kind !== 'add' && r.kind !== 'del' && r.kind !== 'part') return;
          const last = full[full.length - 1];
          if (last && last.kind === r.kind && last.to === k) last.to = k + 1;
          else full.push({ kind: r.kind, from: k, to: k + 1 });
        });
        assert.deepEqual(region.decorationRuns(), full, `${rw.name}, token ${i}`);
      }
    }
  });
});
