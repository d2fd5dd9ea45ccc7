import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PreviewRegion, Row, rowLine, setRowFromLine } from '../../src/core/session/region';
import { outputLines } from '../../src/core/diff/streamingDiff';
import { removedPrefix } from '../../src/core/session/removedRows';
import { INS, SimDocument, expectedPlusUserLines, strip } from './simDocument';

/**
 * Issue 11: removed rows are written into the document behind the language's line-comment prefix, so the language
 * server sees only the proposal. Random streams, flushes (also in flight), the user's typing (also inside removed
 * rows), per-hunk decisions and snapshot/restore (undo/redo): whatever happens, the document's line of every row
 * strips back to the row's text, and reject-all / accept-all give the original / the model's text byte for byte —
 * lines that already start with the comment token included.
 */
const PREFIX = '// ';
const VOCAB = ['a', '}', '', 'return x;', 'const y = 1;', '// a comment', '//', '// ', '  // indented', '# not ts'];
const line = fc.constantFrom(...VOCAB);
const Action = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('chunk' as const), n: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'flush' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('insertLine' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('type' as const), at: fc.nat(), col: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('resolve' as const), which: fc.nat(), accept: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ t: 'plan' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'land' as const }) },
);
const Case = fc.record({
  prefix: fc.array(line, { maxLength: 3 }),
  original: fc.array(line, { maxLength: 16 }),
  model: fc.array(fc.oneof(line, fc.constantFrom('NEW 1', '// NEW 2', 'changed();')), { maxLength: 20 }),
  suffix: fc.array(line, { minLength: 1, maxLength: 3 }),
  actions: fc.array(Action, { maxLength: 50 }),
  resolveOnTheWay: fc.boolean(),
  restore: fc.boolean(),
  acceptAll: fc.boolean(),
});
type CaseT = typeof Case extends fc.Arbitrary<infer T> ? T : never;

/** Each row's decoration kind ('' for none) from decoration runs. */
function perRow(runs: ReadonlyArray<{ kind: string; from: number; to: number }>, n: number): string[] {
  const out: string[] = Array.from({ length: n }, () => '');
  for (const r of runs) for (let i = r.from; i < r.to; i++) out[i] = out[i] ? 'overlap' : r.kind;
  return out;
}

/** The document holds the region's rendering, and stripping each line of it gives back the row's text. */
function checkRendering(region: PreviewRegion, doc: string[]) {
  const rows = region.renderedRows();
  const lines = region.renderedLines();
  for (let i = 0; i < rows.length; i++) {
    const got = doc[region.startLine + i];
    assert.equal(got, lines[i], `document line ${region.startLine + i} is what the region rendered`);
    assert.equal(
      got,
      rowLine(rows[i], region.removedPrefix),
      `row ${i} (${rows[i].kind}) renders as the document's line`,
    );
    const copy: Row = { ...rows[i] };
    setRowFromLine(copy, got, region.removedPrefix);
    assert.equal(copy.text, rows[i].text, `stripping row ${i}'s line gives its text back`);
    if (rows[i].kind !== 'del') assert.equal(got, rows[i].text, 'only removed rows carry the prefix');
  }
}

function run(c: CaseT) {
  const sim = new SimDocument(
    [...c.prefix, ...c.original, ...c.suffix],
    new PreviewRegion(c.prefix.length, c.original, PREFIX),
  );
  const { doc } = sim;
  const diff = sim.region.createDiff();
  const text = c.model.join('\n');
  let sent = 0;
  const flush = () => {
    sim.land();
    const region = sim.region;
    const plan = region.planFlush();
    if (plan) {
      // What the adapter draws with the edit, before it lands, is what the region says once it has (issue 11 HB).
      const after = region.renderedAfter(plan);
      const n = region.renderedRows().length + plan.lines.length - plan.deleteCount;
      const drawn = Array.from({ length: n }, (_, i) => (after.prefixed(i) ? 'P' : '-'));
      const runs = perRow(after.runs, n);
      const rowsAhead = after.rows();
      sim.apply(plan);
      assert.deepEqual(runs, perRow(region.decorationRuns(), n), 'the decoration runs sent ahead are the landed ones');
      assert.deepEqual(
        drawn,
        Array.from({ length: n }, (_, i) => (region.prefixColumns(i) > 0 ? 'P' : '-')),
        'the prefixes hidden ahead are the landed ones',
      );
      assert.deepEqual(rowsAhead, region.renderedRows(), 'the rows ahead are the landed ones');
    }
    checkRendering(region, doc);
  };
  for (const a of c.actions) {
    if (a.t === 'chunk' && sent < text.length) {
      diff.push(text.slice(sent, sent + a.n));
      sent += a.n;
    } else if (a.t === 'flush') flush();
    else if (a.t === 'plan') sim.plan();
    else if (a.t === 'land') sim.land();
    else if (a.t === 'insertLine')
      sim.insertLine(a.at % doc.length); // a real document always has a line after the region
    else if (a.t === 'type') {
      // Typing anywhere the user can see: in a removed row, after its (hidden) prefix.
      const at = a.at % doc.length;
      const k = sim.kindAt(at);
      if (k === 'add' || k === 'part') continue; // the model's own rows are covered by property.test.ts
      if (doc[at].startsWith(INS)) continue; // (the inserted line's mark must stay first to be told apart)
      const from = k === 'del' ? sim.region.prefixColumns(at - sim.region.startLine) : 0;
      sim.type(at, a.col % 2 ? doc[at].length : from); // at the start of the visible text or at the end (never inside a mark)
    } else if (a.t === 'resolve' && c.resolveOnTheWay) {
      const hs = sim.region.pendingHunks();
      if (hs.length) {
        const h = hs[a.which % hs.length];
        if (a.accept) sim.region.accept(h);
        else sim.region.reject(h);
      }
    }
  }
  sim.land();
  if (sent < text.length) diff.push(text.slice(sent));
  diff.end();
  sim.region.relayoutClean();
  flush();
  if (c.restore) {
    // Undo/redo: the preview is rebuilt from its snapshot and the document's lines (prefixes included).
    const region = sim.region;
    const snap = region.snapshot();
    const lines = doc.slice(snap.startLine, snap.startLine + snap.lineCount);
    const back = PreviewRegion.restore(snap, lines);
    assert.deepEqual(
      back.rows.map((r) => [r.kind === 'orig' ? 'ctx' : r.kind, r.text, r.hunk?.id ?? 0]),
      region.rows.map((r) => [r.kind === 'orig' ? 'ctx' : r.kind === 'part' ? 'add' : r.kind, r.text, r.hunk?.id ?? 0]),
      'restored rows are the rows',
    );
    sim.region = back;
    checkRendering(back, doc);
  }
  if (c.acceptAll) sim.region.acceptAll();
  else sim.region.rejectAll();
  flush();
  assert.equal(sim.region.planFlush(), null);
  return { doc, inserted: sim.inserted, typed: sim.typed };
}

describe('issue 11: removed rows as comments (the document strips back to the rows, byte for byte)', function () {
  this.timeout(120_000);
  const runs = Number(process.env.SPARK_PROPERTY_RUNS ?? 3000);
  const seed = Number(process.env.SPARK_PROPERTY_SEED ?? 424242);

  it(`every flush: each document line strips back to its row's text; reject-all gives the original (${runs} cases)`, () => {
    fc.assert(
      fc.property(Case, (c) => {
        const r = run({ ...c, acceptAll: false, resolveOnTheWay: false });
        assert.deepEqual(strip(r.doc), [...c.prefix, ...c.original, ...c.suffix]);
        for (const m of [...r.inserted, ...r.typed])
          assert.equal(r.doc.filter((l) => l.includes(m)).length, 1, `user mark ${m} exactly once`);
      }),
      { numRuns: runs, seed },
    );
  });

  it(`accept-all gives the model's text, no prefix left anywhere (${runs} cases)`, () => {
    fc.assert(
      fc.property(Case, (c) => {
        const r = run({ ...c, acceptAll: true, resolveOnTheWay: false });
        // Changed deliberately (issue 11, HA8): typing inside a removed row went with the row when it was accepted.
        // The row is the user's now: kept, without its prefix; every other line is exactly the model's text.
        const want = [...c.prefix, ...outputLines(c.model.join('\n'), c.original), ...c.suffix];
        assert.ok(expectedPlusUserLines(r.doc, want), `the model's text plus the user's lines:\n${r.doc.join('\n')}`);
        for (const m of [...r.inserted, ...r.typed]) assert.equal(r.doc.filter((l) => l.includes(m)).length, 1);
        const allowed = new Set([
          ...c.prefix,
          ...c.original,
          ...outputLines(c.model.join('\n'), c.original),
          ...c.suffix,
        ]);
        for (const l of strip(r.doc)) assert.ok(allowed.has(l), `line ${JSON.stringify(l)} has an origin (no prefix)`);
      }),
      { numRuns: runs, seed },
    );
  });

  it(`per-hunk decisions, then all: every line has an origin, none gained a prefix (${runs} cases)`, () => {
    fc.assert(
      fc.property(Case, (c) => {
        const r = run({ ...c, resolveOnTheWay: true });
        const allowed = new Set([
          ...c.prefix,
          ...c.original,
          ...outputLines(c.model.join('\n'), c.original),
          ...c.suffix,
        ]);
        for (const l of strip(r.doc)) assert.ok(allowed.has(l), `line ${JSON.stringify(l)} has an origin`);
        for (const m of r.inserted) assert.equal(r.doc.filter((l) => l.includes(m)).length, 1);
      }),
      { numRuns: runs, seed },
    );
  });

  it('decorations sent ahead of a decision: the hunks below the decided one move with it (issue 11 HB)', () => {
    const original = ['a();', 'b();', 'c();', 'd();', 'e();', 'f();'];
    const region = new PreviewRegion(0, original, PREFIX);
    const d = region.createDiff();
    d.push('A();\nb();\nc();\nd();\nE();\nf();\n');
    d.end();
    const flush = () => {
      const plan = region.planFlush();
      if (!plan) return;
      const after = region.renderedAfter(plan);
      const n = region.renderedRows().length + plan.lines.length - plan.deleteCount;
      const ahead = { runs: perRow(after.runs, n), prefixed: Array.from({ length: n }, (_, i) => after.prefixed(i)) };
      region.commitFlush(plan);
      assert.deepEqual(ahead.runs, perRow(region.decorationRuns(), n));
      assert.deepEqual(
        ahead.prefixed,
        Array.from({ length: n }, (_, i) => region.prefixColumns(i) > 0),
      );
      return ahead;
    };
    flush();
    assert.deepEqual(perRow(region.decorationRuns(), 8), ['del', 'add', '', '', '', 'del', 'add', '']);
    region.accept(region.pendingHunks()[0]); // its removed row goes: the second hunk moves up a line
    const ahead = flush();
    assert.deepEqual(ahead?.runs, ['', '', '', '', 'del', 'add', '']);
    assert.deepEqual(ahead?.prefixed, [false, false, false, false, true, false, false]);
  });

  it('a removed row the user types into keeps the typing; one whose prefix was edited away comes back as typed', () => {
    const doc = ['x', 'old();', 'y'];
    const region = new PreviewRegion(1, ['old();'], PREFIX);
    const d = region.createDiff();
    d.push('new();\n');
    d.end();
    const flush = () => {
      const plan = region.planFlush();
      if (plan) {
        doc.splice(region.startLine + plan.from, plan.deleteCount, ...plan.lines);
        region.commitFlush(plan);
      }
    };
    flush();
    assert.deepEqual(doc, ['x', '// old();', 'new();', 'y']);
    region.applyUserEdit(1, 9, 1, 9, ' // mine');
    doc[1] = '// old(); // mine';
    assert.equal(region.rows[0].text, 'old(); // mine');
    region.applyUserEdit(1, 0, 1, 2, ''); // the user deletes the comment token
    doc[1] = ' old(); // mine';
    assert.equal(region.rows[0].text, ' old(); // mine');
    flush();
    assert.deepEqual(doc, ['x', ' old(); // mine', 'new();', 'y'], 'the line is left as the user made it');
    region.rejectAll();
    flush();
    assert.deepEqual(doc, ['x', ' old(); // mine', 'y']);
  });

  it('comment tokens by language; unknown languages and the "code" setting keep removed rows as code', () => {
    assert.equal(removedPrefix('typescript'), '// ');
    assert.equal(removedPrefix('python'), '# ');
    assert.equal(removedPrefix('sql'), '-- ');
    assert.equal(removedPrefix('markdown'), '');
    assert.equal(removedPrefix('html'), '');
    assert.equal(removedPrefix('typescript', 'code'), '');
  });
});
