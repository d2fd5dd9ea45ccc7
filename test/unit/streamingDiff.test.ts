import assert from 'node:assert/strict';
import { PreviewRegion } from '../../src/core/session/region';
import { outputLines } from '../../src/core/diff/streamingDiff';
import { tokenize } from '../../src/server/modelServer';

function streamInto(original: string[], output: string, chunk = 3): PreviewRegion {
  const region = new PreviewRegion(0, original);
  const d = region.createDiff();
  for (let i = 0; i < output.length; i += chunk) d.push(output.slice(i, i + chunk));
  d.end();
  return region;
}

describe('streaming line diff + preview region', () => {
  const original = ['function add(a, b) {', '  var sum = a + b;', '  return sum;', '}'];
  const output = 'function add(a, b) {\n  const sum = a + b;\n  // done\n  return sum;\n}\n';

  it('accept-all yields exactly the model text, reject-all exactly the original', () => {
    const r = streamInto(original, output);
    assert.deepEqual(r.textIf('accept'), outputLines(output));
    assert.deepEqual(r.textIf('reject'), original);
    assert.equal(r.pendingHunks().length, 1);
  });

  it('shows removed and added lines in document order, removed first', () => {
    const r = streamInto(original, output);
    r.relayoutClean();
    assert.deepEqual(
      r.rows.map((x) => `${x.kind}:${x.text.trim()}`),
      [
        'ctx:function add(a, b) {',
        'del:var sum = a + b;',
        'add:const sum = a + b;',
        'add:// done',
        'ctx:return sum;',
        'ctx:}',
      ],
    );
  });

  it('emits hunks while streaming: the first hunk is pending before the stream ends', () => {
    const orig = Array.from({ length: 20 }, (_, i) => `line ${i} of the original text`);
    const out = ['NEW first line', ...orig.slice(0, 10), 'NEW middle', ...orig.slice(10)].join('\n');
    const region = new PreviewRegion(0, orig);
    const d = region.createDiff();
    d.push(out.slice(0, out.indexOf('NEW middle')));
    assert.equal(region.pendingHunks().length, 1, 'first hunk closed by the following matching line');
    assert.ok(region.accept(region.pendingHunks()[0]));
    d.push(out.slice(out.indexOf('NEW middle')));
    d.end();
    assert.equal(region.pendingHunks().length, 1);
    assert.deepEqual(region.textIf('accept'), out.split('\n'));
    assert.deepEqual(region.textIf('reject'), ['NEW first line', ...orig]);
  });

  it('strips a wrapping code fence', () => {
    const r = streamInto(original, '```js\n' + output + '```\n');
    assert.deepEqual(r.textIf('accept'), outputLines(output));
    assert.ok(!r.rows.some((x) => x.text.includes('```')));
  });

  it('keeps a fence line that is not the last one', () => {
    const out = 'a\n```\nb\n';
    const r = streamInto(['a'], out, 1);
    assert.deepEqual(r.textIf('accept'), ['a', '```', 'b']);
  });

  it('handles deleting everything and an empty original', () => {
    assert.deepEqual(streamInto(original, '').textIf('accept'), []);
    assert.deepEqual(streamInto([], 'x\ny\n').textIf('accept'), ['x', 'y']);
  });

  it('shows the incomplete line while it streams, and only once it diverges', () => {
    const region = new PreviewRegion(0, ['alpha', 'beta']);
    const d = region.createDiff();
    d.push('alp');
    assert.ok(!region.rows.some((r) => r.kind === 'part'), 'prefix of the next original line: not shown');
    d.push('x');
    // One word under the next line's indentation: a change of it or a new line above it? Not drawn yet (session 14).
    assert.ok(!region.rows.some((r) => r.kind === 'part'), 'its first word only: not shown');
    d.push('(');
    assert.ok(region.rows.some((r) => r.kind === 'part' && r.text === 'alpx('));
    d.push('\n');
    assert.ok(region.rows.some((r) => r.kind === 'add' && r.text === 'alpx('));
    assert.ok(!region.rows.some((r) => r.kind === 'part'));
  });

  it('interrupt keeps the whole lines that arrived pending, leaves the unfinished line out, the rest unchanged', () => {
    const region = new PreviewRegion(0, ['a', 'b', 'c', 'd']);
    const d = region.createDiff();
    d.push('a\nB\nb\nC');
    region.interrupt('stopped (Esc)');
    assert.deepEqual(region.textIf('accept'), ['a', 'B', 'b', 'c', 'd'], 'the half line "C" is never proposed');
    assert.deepEqual(region.textIf('reject'), ['a', 'b', 'c', 'd']);
    assert.ok(!region.rows.some((r) => r.kind === 'part'));
    assert.deepEqual(region.stop, { before: region.rows[3], reason: 'stopped (Esc)' });
  });

  it('interrupt in the middle of an unclosed doc comment proposes no half comment (the rest of the file keeps its colours)', () => {
    const region = new PreviewRegion(0, ['function f() {', '  return 1;', '}']);
    const d = region.createDiff();
    d.push('/**\n * Returns one');
    region.interrupt('stopped (Esc)');
    // Only the complete line "/**" is pending; the unfinished " * Returns one" is not in the proposal.
    assert.deepEqual(region.textIf('accept'), ['/**', 'function f() {', '  return 1;', '}']);
    assert.equal(region.pendingHunks().length, 1);
    assert.ok(!region.rows.some((r) => r.text === ' * Returns one'));
    // Esc by the user (dropOpen): the lone "/**" goes too: its hunk was still open (no original line had come after
    // it), and a lone "/**" would comment out the rest.
    const esc = new PreviewRegion(0, ['function f() {', '  return 1;', '}']);
    esc.createDiff().push('/**\n * Returns one');
    esc.interrupt('stopped (Esc)', { dropOpen: true });
    assert.deepEqual(esc.textIf('accept'), ['function f() {', '  return 1;', '}']);
    assert.equal(esc.structureCut?.nothingLeft, true, 'the user is told nothing complete arrived');
  });

  it('interrupt drops the hunk still open: a changed line whose original the stream had not passed yet is not proposed as an insertion (issue 11: "use const" stopped after `const res` kept `var res` below it)', () => {
    const original = [
      'async function load(url) {',
      '  var res = await fetch(url);',
      '  var data = await res.json();',
      '  return data;',
      '}',
    ];
    const region = new PreviewRegion(0, original);
    const d = region.createDiff();
    d.push(
      'async function load(url) {\n  const res = await fetch(url);\n  const data = await res.json();\n  return data;\n',
    );
    // Stopped after `  return data;`: the first two lines' hunk is closed by the unchanged `  return data;`.
    region.interrupt('stopped (Esc)');
    assert.deepEqual(region.textIf('accept'), [
      'async function load(url) {',
      '  const res = await fetch(url);',
      '  const data = await res.json();',
      '  return data;',
      '}',
    ]);
    const r2 = new PreviewRegion(0, original);
    r2.createDiff().push('async function load(url) {\n  const res = await fetch(url);\n');
    r2.interrupt('stopped (Esc)', { dropOpen: true });
    // Stopped right after the changed line: which original line it replaces was not known yet, so nothing of the
    // open hunk is proposed (before: `const res` was added above the kept `var res`, a redeclaration).
    assert.deepEqual(r2.textIf('accept'), original);
    assert.equal(r2.pendingHunks().length, 0);
    assert.equal(r2.structureCut?.nothingLeft, true);
    assert.ok(!r2.rows.some((r) => r.text.includes('const res')), 'no row of the open hunk is left in the document');
    // A stop by the model (an output limit) keeps the open hunk's whole lines, so Continue can finish them.
    const r3 = new PreviewRegion(0, original);
    r3.createDiff().push('async function load(url) {\n  const res = await fetch(url);\n');
    r3.interrupt('the answer stopped here');
    assert.equal(r3.pendingHunks().length, 1);
  });

  it('interrupt before any whole line leaves nothing pending (the half line alone is dropped, its hunk with it)', () => {
    const region = new PreviewRegion(0, ['a', 'b']);
    const d = region.createDiff();
    d.push('/** half');
    region.interrupt('stopped (Esc)');
    assert.equal(region.pendingHunks().length, 0);
    assert.deepEqual(region.textIf('accept'), ['a', 'b']);
  });

  it('random rewrites: accept gives the output, reject the original, for any chunking', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let t = 0; t < 300; t++) {
      const orig = Array.from(
        { length: rnd(30) },
        () => ['x', 'y', '}', '', 'return a;', 'const value = compute();'][rnd(6)] + (rnd(3) ? '' : ` ${rnd(100)}`),
      );
      const out: string[] = [];
      for (const l of orig) {
        const k = rnd(5);
        if (k === 0) continue;
        if (k === 1) out.push(`new ${rnd(50)}`);
        out.push(l);
      }
      if (rnd(2)) out.push('tail');
      const text = out.join('\n') + (rnd(2) ? '\n' : '');
      const r = streamInto(orig, text, 1 + rnd(9));
      assert.deepEqual(r.textIf('accept'), outputLines(text), `case ${t}`);
      assert.deepEqual(r.textIf('reject'), orig, `case ${t}`);
      r.relayoutClean();
      assert.deepEqual(r.textIf('accept'), outputLines(text), `case ${t} after clean re-diff`);
      assert.deepEqual(r.textIf('reject'), orig, `case ${t} after clean re-diff`);
    }
  });

  it('cached decoration runs always equal a full scan, through flushes, resolves and user edits', () => {
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const brute = (r: PreviewRegion) => {
      const runs: Array<{ kind: string; from: number; to: number }> = [];
      r.renderedRows().forEach((row, i) => {
        if (row.kind !== 'add' && row.kind !== 'del' && row.kind !== 'part') return;
        const last = runs[runs.length - 1];
        if (last && last.kind === row.kind && last.to === i) last.to = i + 1;
        else runs.push({ kind: row.kind, from: i, to: i + 1 });
      });
      return runs;
    };
    for (let t = 0; t < 200; t++) {
      const orig = Array.from({ length: 5 + rnd(40) }, (_, i) => `line ${i} ${rnd(3)}`);
      const out =
        orig.flatMap((l) => (rnd(4) === 0 ? [] : rnd(4) === 0 ? [`new ${rnd(9)}`, l] : [l])).join('\n') + '\n';
      const r = new PreviewRegion(0, orig);
      const d = r.createDiff();
      for (let i = 0; i < out.length;) {
        const n = 1 + rnd(12);
        d.push(out.slice(i, i + n));
        i += n;
        if (rnd(3) === 0) {
          const p = r.planFlush();
          if (p) r.commitFlush(p);
          assert.deepEqual(r.decorationRuns(), brute(r), `case ${t}`);
        }
        if (rnd(40) === 0 && r.pendingHunks().length) {
          const h = r.pendingHunks()[0];
          if (rnd(2)) r.accept(h);
          else r.reject(h);
        }
        if (rnd(50) === 0 && r.renderedLineCount > 0) {
          r.applyUserEdit(rnd(r.renderedLineCount), 0, 0, 0, '');
          r.applyUserEdit(0, 0, 0, 0, 'x');
        }
      }
      d.end();
      const p = r.planFlush();
      if (p) r.commitFlush(p);
      assert.deepEqual(r.decorationRuns(), brute(r), `case ${t} end`);
    }
  });

  it('tokenize is lossless', () => {
    const s = 'function f(x) {\n\treturn x * 2; // ü ✓\n}\n';
    assert.equal(tokenize(s).join(''), s);
    assert.ok(tokenize(s).length > 10);
  });
});

describe('preview region follows the user', () => {
  it('user typing above the region moves it; reject-all restores original plus the user edit', () => {
    const r = new PreviewRegion(10, ['a', 'b', 'c']);
    const d = r.createDiff();
    d.push('a\nX\n');
    r.commitFlush(r.planFlush());
    r.applyUserEdit(2, 0, 2, 0, 'typed\nmore\n'); // two lines inserted above
    assert.equal(r.startLine, 12);
    d.push('b\nc\n');
    d.end();
    r.commitFlush(r.planFlush());
    r.rejectAll();
    assert.deepEqual(r.textIf('reject'), ['a', 'b', 'c']);
  });

  it('user typing inside an unchanged line survives accept and reject', () => {
    const mk = () => {
      const r = new PreviewRegion(0, ['a', 'b', 'c']);
      const d = r.createDiff();
      d.push('a\nNEW\n');
      r.commitFlush(r.planFlush());
      return { r, d };
    };
    for (const choice of ['accept', 'reject'] as const) {
      const { r, d } = mk();
      // row 0 'a' (ctx), row 1 'NEW' (add), row 2 'b' (orig), row 3 'c': type in 'c'
      r.applyUserEdit(3, 1, 3, 1, '!');
      d.push('b\nc\n');
      d.end();
      const text = r.textIf(choice);
      assert.deepEqual(text, choice === 'accept' ? ['a', 'NEW', 'b', 'c!'] : ['a', 'b', 'c!']);
    }
  });

  it('a change that replaces the whole region (a revert, select-all + type) drops the preview', () => {
    for (const start of [0, 5]) {
      const r = new PreviewRegion(start, ['a', 'b']);
      const d = r.createDiff();
      d.push('A\nb\n');
      r.commitFlush(r.planFlush());
      const last = r.renderedRows()[r.renderedLineCount - 1].text;
      r.applyUserEdit(start, 0, start + r.renderedLineCount - 1, last.length, 'reverted');
      assert.equal(r.clobbered, true, `region at ${start}`);
    }
    const r = new PreviewRegion(0, ['a', 'b']);
    r.applyUserEdit(0, 0, 0, 0, 'x');
    assert.equal(r.clobbered, false, 'typing at the very start is not a replacement');
  });

  it('plans the minimal document edit', () => {
    const r = new PreviewRegion(0, ['a', 'b', 'c']);
    const d = r.createDiff();
    d.push('a\nNEW\nb\n');
    const plan = r.planFlush()!;
    const { snapshot, version: _v, ...edit } = plan;
    assert.deepEqual(edit, { from: 1, deleteCount: 0, lines: ['NEW'], rowsAfter: 4 });
    assert.deepEqual(
      snapshot!.rows.map((x) => x.text),
      ['NEW'],
      'the plan carries only the rows it renders',
    );
    d.push('more\n'); // rows change while the edit is in flight
    r.commitFlush(plan);
    assert.equal(r.isDirty, true, 'what streamed in meanwhile is still to be flushed');
    const next = r.planFlush()!;
    assert.deepEqual(next.lines, ['more']);
    r.commitFlush(next);
    assert.equal(r.planFlush(), null);
  });

  it('enter at the end of a line inside the region adds a user row that is never removed', () => {
    const r = new PreviewRegion(0, ['a', 'b']);
    const d = r.createDiff();
    d.push('A\n');
    r.commitFlush(r.planFlush());
    // rows: add 'A', orig 'a', orig 'b' ; press Enter at end of 'b' and type 'z'
    r.applyUserEdit(2, 1, 2, 1, '\nz');
    d.push('a\nb\n');
    d.end();
    assert.deepEqual(r.textIf('reject'), ['a', 'b', 'z']);
    assert.deepEqual(r.textIf('accept'), ['A', 'a', 'b', 'z']);
  });
});
