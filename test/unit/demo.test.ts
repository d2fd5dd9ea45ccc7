import assert from 'node:assert/strict';
import { demoRewrite } from '../../src/server/demo';

describe('demo model', () => {
  it('documents functions, not control statements', () => {
    const out = demoRewrite(
      'add doc comments',
      'function total(o) {\n  for (let i = 0; i < 3; i++) {\n    if (i) {\n    }\n  }\n}',
    );
    assert.equal(out.match(/\/\*\*/g)?.length, 1);
    assert.match(out, /\/\*\*\n \* Total\.\n \* @param o The o\.\n \*\/\nfunction total/);
  });
  it('documents declarations, not the callbacks passed along (issue 15: a doc comment between .then and .catch)', () => {
    const saveOrder = [
      'export function saveOrder(url: string, order: Order): Promise<boolean> {',
      "  return fetch(url, { method: 'POST', body: JSON.stringify(order) })",
      '    .then((res) => res.ok)',
      '    .catch((err) => {',
      "      console.error('could not save the order', err);",
      '      return false;',
      '    });',
      '}',
    ].join('\n');
    const out = demoRewrite('add doc comments', saveOrder);
    assert.equal(out.match(/\/\*\*/g)?.length, 1, out);
    assert.ok(out.startsWith('/**\n * Save order.\n * @param url The url.\n * @param order The order.\n */\n'), out);
    assert.ok(out.includes('    .then((res) => res.ok)\n    .catch((err) => {'), out);
    // Named arrow functions and methods are declarations: documented.
    const named = demoRewrite(
      'add doc comments',
      'const add = (a: number) => {\n  return a;\n};\nclass C {\n  run(x) {\n  }\n}',
    );
    assert.equal(named.match(/\/\*\*/g)?.length, 2, named);
  });
  it('renames, converts to const, and otherwise changes nothing', () => {
    assert.equal(
      demoRewrite('rename out to result', 'var out = [];\nreturn out;'),
      'var result = [];\nreturn result;\n',
    );
    assert.equal(demoRewrite('use const', 'var a = 1;\nlet b = 2;'), 'const a = 1;\nconst b = 2;\n');
    // A variable assigned again becomes let: the demo never turns working code into a TypeScript error.
    assert.equal(
      demoRewrite(
        'use const',
        'var out = [];\nfor (var i = 0; i < n; i++) out.push(i);\nvar s = 0;\ns += 1;\nvar k = 1;\nif (k == 2) {}',
      ),
      'const out = [];\nfor (let i = 0; i < n; i++) out.push(i);\nlet s = 0;\ns += 1;\nconst k = 1;\nif (k == 2) {}\n',
    );
    assert.equal(
      demoRewrite('make it nicer', '  var x = 1;'),
      '  var x = 1;\n',
      'the demo declines (demoEdit says why): the code is unchanged',
    );
  });
});

describe('redirect prompts (issue 11: a redirect never proposes deleting code it was not asked to delete)', () => {
  const { redirectInput, parseConversation, editPrompt } =
    require('../../src/core/prompt') as typeof import('../../src/core/prompt');
  const { ModelServer } = require('../../src/server/modelServer') as typeof import('../../src/server/modelServer');
  const { ResponsesSocketTransport } =
    require('../../src/core/transport/responsesSocket') as typeof import('../../src/core/transport/responsesSocket');
  const code = 'function a() {\n  var x = 1;\n  return x;\n}';
  const first = { instruction: 'use const', code, fileName: 'a.ts' };
  const text = (msgs: Array<{ content: Array<{ text: string }>; role: string }>) =>
    msgs
      .filter((m) => m.role === 'user')
      .map((m) => m.content.map((c) => c.text).join(''))
      .join('\n');

  it('the full resend carries the code, every instruction in order and the partial answer', () => {
    const { full, incremental } = redirectInput(first, 'function a() {\n  con', 'add doc comments');
    const conv = parseConversation(text(full as any));
    assert.deepEqual(conv, {
      instruction: 'use const; then: add doc comments',
      instructions: ['use const', 'add doc comments'],
      code,
    });
    assert.ok(JSON.stringify(full).includes('function a() {\\n  con'), 'the partial answer is sent');
    assert.ok(!JSON.stringify(incremental).includes('var x'), 'the increment does not repeat unchanged code');
    // A second redirect resends the instructions so far once, then the new one.
    const second = redirectInput({ ...first, instruction: 'use const; then: add doc comments' }, '', 'rename x to y');
    assert.deepEqual(parseConversation(text(second.full as any))?.instructions, [
      'use const',
      'add doc comments',
      'rename x to y',
    ]);
  });

  it('the increment carries the code again when it changed since the model saw it', () => {
    const now = code.replace('return x;', 'return x; // typed');
    const { incremental } = redirectInput(first, '', 'add doc comments', now);
    assert.equal(parseConversation(editPrompt(first) + '\n' + text(incremental as any))?.code, now);
  });

  it('the demo model applies the instruction and the new direction, whether resent in full or continued by previous_response_id', async () => {
    const server = await new ModelServer().listen();
    const t = new ResponsesSocketTransport({ url: server.wsUrl, log: () => undefined } as any);
    try {
      const want = demoRewrite('add doc comments', demoRewrite('use const', code).replace(/\n$/, ''));
      const r1 = await t.stream(
        {
          model: 'm',
          instructions: 'x',
          input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: editPrompt(first) }] }] as any,
        },
        { onDelta: () => undefined },
      ).done;
      const { full, incremental } = redirectInput(first, r1.text, 'add doc comments');
      const viaId = await t.stream(
        {
          model: 'm',
          instructions: 'x',
          input: full,
          incrementalInput: incremental,
          previousResponseId: r1.responseId,
        },
        { onDelta: () => undefined },
      ).done;
      assert.equal(viaId.text, want);
      assert.equal(viaId.stats.resentFullInput, undefined);
      const resent = await t.stream({ model: 'm', instructions: 'x', input: full }, { onDelta: () => undefined }).done;
      assert.equal(resent.text, want);
    } finally {
      t.dispose();
      await server.close();
    }
  });
});

describe('word-level highlights (issue 11)', () => {
  const { changedChars } = require('../../src/core/diff/wordDiff') as typeof import('../../src/core/diff/wordDiff');
  it('pairs removed and added lines of a hunk and marks only the words that changed', () => {
    const h = { id: 1 };
    const rows = [
      { kind: 'ctx', text: 'function f() {', hunk: null },
      { kind: 'del', text: '  var sum = 0;', hunk: h },
      { kind: 'del', text: '  return sum;', hunk: h },
      { kind: 'add', text: '  let subtotal = 0;', hunk: h },
      { kind: 'add', text: '  return subtotal;', hunk: h },
    ];
    const r = changedChars(rows);
    const text = (x: { row: number; from: number; to: number }) => rows[x.row].text.slice(x.from, x.to);
    assert.deepEqual(r.filter((x) => x.kind === 'del').map(text), ['var', 'sum', 'sum']);
    assert.deepEqual(r.filter((x) => x.kind === 'add').map(text), ['let', 'subtotal', 'subtotal']);
    assert.deepEqual(
      changedChars([
        { kind: 'del', text: 'abc', hunk: h },
        { kind: 'add', text: 'xyz', hunk: h },
      ]),
      [],
      'nothing in common: line colours only',
    );
  });
});
