import assert from 'node:assert/strict';
import { ModelServer, ScriptStep } from '../../src/server/modelServer';
import { ResponsesSocketTransport } from '../../src/core/transport/responsesSocket';
import { ResponsesHttpTransport } from '../../src/core/transport/responsesHttp';
import { ChatCompletionsTransport } from '../../src/core/transport/chatCompletions';
import { AnthropicTransport } from '../../src/core/transport/anthropic';
import { FallbackTransport } from '../../src/core/transport/fallback';
import { RetryingTransport } from '../../src/core/transport/retry';
import { ModelError, ModelTransport } from '../../src/core/transport/types';
import { userMessage } from '../../src/core/protocol/responses';
import { PreviewRegion } from '../../src/core/session/region';
import { EditSession, SessionEvent } from '../../src/core/session/editSession';
import { syntaxFor } from '../../src/core/session/structure';

/**
 * How the model ended its answer decides what an edit may change (README fault matrix): a truncated answer
 * keeps every line it did not reach, a refusal or an empty answer changes nothing, commentary is never code.
 */
const ORIGINAL = Array.from({ length: 30 }, (_, i) => `const value${i} = compute(${i}, 'item ${i}');`);
/** The model's full rewrite: the first line changed, the rest as it was. */
const REWRITE = ['const value0 = compute(0, "first");', ...ORIGINAL.slice(1)].join('\n');
/** Where the answer is cut off: a little into its third line. */
const CUT = REWRITE.indexOf('\n', REWRITE.indexOf('\n') + 1) + 10;

type Wire = 'ws' | 'http' | 'chat' | 'anthropic';
const WIRES: Wire[] = ['ws', 'http', 'chat', 'anthropic'];

function transportFor(wire: Wire, server: ModelServer): ModelTransport {
  switch (wire) {
    case 'ws':
      return new ResponsesSocketTransport({ url: server.url });
    case 'http':
      return new ResponsesHttpTransport({ baseUrl: server.url });
    case 'chat':
      return new ChatCompletionsTransport({ baseUrl: server.url });
    case 'anthropic':
      return new AnthropicTransport({ baseUrl: server.url });
  }
}

async function edit(t: ModelTransport, original = ORIGINAL) {
  const s = new EditSession({
    region: new PreviewRegion(0, original),
    prompt: { instruction: 'x', code: original.join('\n') },
    model: 'm',
    transport: t,
  });
  const events: SessionEvent[] = [];
  s.onEvent((e) => events.push(e));
  s.start();
  await s.whenSettled();
  const errors = events.filter((e): e is Extract<SessionEvent, { kind: 'error' }> => e.kind === 'error');
  return { s, errors };
}

describe('stop reasons: what an edit may change', () => {
  let server: ModelServer;
  const open: ModelTransport[] = [];
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    for (const t of open.splice(0)) t.dispose();
    await server.close();
  });
  const use = (t: ModelTransport) => {
    open.push(t);
    return t;
  };

  for (const wire of WIRES) {
    it(`${wire}: a truncated answer keeps the lines it never reached; Accept All changes only what arrived`, async () => {
      server.enqueue({ text: REWRITE, faults: { truncateAfterChars: CUT } });
      const { s, errors } = await edit(use(transportFor(wire, server)));
      // Accept All: the first line changed; every original line after what arrived is still there, byte for byte.
      assert.deepEqual(s.region.textIf('accept'), ['const value0 = compute(0, "first");', ...ORIGINAL.slice(1)]);
      assert.equal(s.state, 'pending');
      assert.equal(errors.length, 1, 'the user is told');
      assert.equal(errors[0].error.kind, 'stopped');
      assert.equal(errors[0].kept, true);
      assert.match(
        errors[0].error.message,
        /stopped early.*output limit \((max_output_tokens|length|max_tokens)\).*did not reach are unchanged.*Continue/,
      );
      assert.equal(s.canContinue, true);
      assert.deepEqual(s.region.textIf('reject'), ORIGINAL);
      s.acceptAll();
      assert.deepEqual(
        s.region.rows.map((r) => r.text),
        ['const value0 = compute(0, "first");', ...ORIGINAL.slice(1)],
      );
    });
  }

  for (const wire of WIRES) {
    it(`${wire}: Continue asks the model for the rest and the preview becomes the whole answer`, async () => {
      const rewrite = ORIGINAL.map((l) => l.replace('compute', 'calc')).join('\n');
      const cut = rewrite.indexOf('\n', 200) + 5;
      server.enqueue({ text: rewrite, faults: { truncateAfterChars: cut } });
      const t = use(transportFor(wire, server));
      const { s } = await edit(t);
      assert.equal(s.canContinue, true);
      const arrived = s.text;
      server.enqueue({ text: rewrite.slice(arrived.length) });
      assert.equal(s.continueAnswer(), true);
      await s.whenSettled();
      assert.equal(s.state, 'pending');
      assert.equal(s.text, rewrite);
      assert.deepEqual(s.region.textIf('accept'), rewrite.split('\n'));
      assert.deepEqual(s.region.textIf('reject'), ORIGINAL);
      const last = server.requests[server.requests.length - 1].body;
      const sent = JSON.stringify(last.input ?? last.messages);
      assert.match(sent, /cut off by the output limit/);
      if (wire === 'ws') assert.ok(last.previous_response_id, 'the socket continues the cached response');
      else
        assert.ok(
          sent.includes(JSON.stringify(arrived).slice(1, 40)),
          'over HTTP the partial answer is sent back in full',
        );
    });
  }

  for (const wire of ['ws', 'http', 'chat', 'anthropic'] as Wire[]) {
    it(`${wire}: a refusal shows the model's words and changes nothing`, async () => {
      // Anthropic may stream some text before its classifiers stop the answer: it must not stay either.
      const step: ScriptStep =
        wire === 'anthropic'
          ? { text: 'const value0 = 1;\n', refusal: 'I cannot help with that.' }
          : { refusal: 'I cannot help with that.' };
      server.enqueue(step);
      const { s, errors } = await edit(use(transportFor(wire, server)));
      assert.equal(s.state, 'failed');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].error.kind, 'declined');
      assert.equal(errors[0].kept, false);
      assert.match(
        errors[0].error.message,
        /^I cannot help with that\. Nothing was changed: the model declined this edit\.$/,
      );
      assert.equal(s.region.pendingHunks().length, 0, 'no pending diff');
      assert.deepEqual(
        s.region.rows.map((r) => r.text),
        ORIGINAL,
      );
      assert.ok(!s.text.includes('cannot help'), 'the refusal is never code');
    });
  }

  for (const wire of WIRES) {
    it(`${wire}: cut off by the output limit inside the only construct: pending with nothing proposed, Continue finishes it (issue 11)`, async () => {
      const original = ['function f() {', '  run();', '}'];
      const answer = 'function f() {\n  try {\n    run();\n  } catch {}\n}\n';
      server.enqueue({ text: answer, faults: { truncateAfterChars: answer.indexOf('    run') } });
      const t = use(transportFor(wire, server));
      const s = new EditSession({
        region: new PreviewRegion(0, original),
        prompt: { instruction: 'x', code: original.join('\n') },
        model: 'm',
        transport: t,
      });
      s.region.syntax = syntaxFor('typescript');
      const errors: string[] = [];
      s.onEvent((e) => void (e.kind === 'error' && errors.push(`${e.kept}: ${e.error.message}`)));
      s.start();
      await s.whenSettled();
      assert.equal(s.region.structureCut?.nothingLeft, true, 'the whole-construct cut left nothing');
      assert.equal(s.state, 'pending');
      assert.equal(s.region.pendingHunks().length, 0);
      assert.equal(s.canContinue, true);
      assert.deepEqual(s.region.textIf('accept'), original, 'nothing would change');
      assert.equal(errors.length, 1);
      assert.match(errors[0], /output limit .*nothing is proposed yet, your code is unchanged\. Choose Continue/);
      server.enqueue({ text: answer.slice(s.text.length) });
      assert.ok(s.continueAnswer());
      await s.whenSettled();
      assert.equal(s.state, 'pending');
      assert.equal(s.text, answer);
      assert.deepEqual(s.region.textIf('accept'), answer.slice(0, -1).split('\n'));
    });
  }

  it('another stop (content filter) with nothing whole left still changes nothing and ends (no Continue)', async () => {
    const original = ['function f() {', '  run();', '}'];
    const answer = 'function f() {\n  try {\n    run();\n  } catch {}\n}\n';
    server.enqueue({ text: answer.slice(0, answer.indexOf('    run')), stopReason: 'content_filter' });
    const s = new EditSession({
      region: new PreviewRegion(0, original),
      prompt: { instruction: 'x', code: original.join('\n') },
      model: 'm',
      transport: use(transportFor('chat', server)),
    });
    s.region.syntax = syntaxFor('typescript');
    s.start();
    await s.whenSettled();
    assert.equal(s.state, 'failed');
    assert.equal(s.canContinue, false);
  });

  for (const wire of WIRES) {
    it(`${wire}: an empty answer changes nothing and says so`, async () => {
      server.enqueue({ text: '' });
      const { s, errors } = await edit(use(transportFor(wire, server)));
      assert.equal(s.state, 'failed');
      assert.equal(errors.length, 1);
      assert.match(errors[0].error.message, /empty answer\. Nothing was changed/);
      assert.deepEqual(
        s.region.rows.map((r) => r.text),
        ORIGINAL,
      );
    });
  }

  const OTHER_STOPS: Array<[Wire, string, RegExp]> = [
    [
      'anthropic',
      'model_context_window_exceeded',
      /do not fit in the model's context window \(model_context_window_exceeded\).*Select less code/,
    ],
    ['chat', 'content_filter', /cut off by the provider's content filter \(content_filter\)/],
    ['http', 'content_filter', /cut off by the provider's content filter \(content_filter\)/],
    ['ws', 'max_output_tokens', /output limit \(max_output_tokens\)/],
    ['anthropic', 'pause_turn', /stopped before finishing its answer \(pause_turn\)/],
  ];
  for (const [wire, reason, message] of OTHER_STOPS) {
    it(`${wire}: stop reason ${reason} is not a success: its own message, the tail kept`, async () => {
      server.enqueue({ text: REWRITE.slice(0, CUT), stopReason: reason });
      const { s, errors } = await edit(use(transportFor(wire, server)));
      assert.equal(errors.length, 1);
      assert.equal(errors[0].error.kind, 'stopped');
      assert.match(errors[0].error.message, message);
      assert.equal(s.canContinue, reason === 'max_output_tokens');
      assert.deepEqual(s.region.textIf('accept'), ['const value0 = compute(0, "first");', ...ORIGINAL.slice(1)]);
    });
  }

  it('the typed stop reason of each wire (StreamResult.stop)', async () => {
    const req = { model: 'm', instructions: 'i', input: [userMessage('x')] };
    const cases: Array<[Wire, ScriptStep, unknown]> = [
      ['ws', { text: 'abc' }, { kind: 'end' }],
      ['ws', { text: 'abcdef', faults: { truncateAfterChars: 2 } }, { kind: 'max_tokens', raw: 'max_output_tokens' }],
      ['ws', { refusal: 'no' }, { kind: 'refusal', raw: 'refusal', message: 'no' }],
      ['chat', { text: 'abcdef', faults: { truncateAfterChars: 2 } }, { kind: 'max_tokens', raw: 'length' }],
      ['chat', { refusal: 'no' }, { kind: 'refusal', raw: 'refusal', message: 'no' }],
      ['chat', { text: 'a', stopReason: 'content_filter' }, { kind: 'content_filter', raw: 'content_filter' }],
      ['anthropic', { text: 'abcdef', faults: { truncateAfterChars: 2 } }, { kind: 'max_tokens', raw: 'max_tokens' }],
      ['anthropic', { refusal: 'no' }, { kind: 'refusal', raw: 'refusal', message: 'no' }],
      [
        'anthropic',
        { text: 'a', stopReason: 'model_context_window_exceeded' },
        { kind: 'context_window', raw: 'model_context_window_exceeded' },
      ],
      ['anthropic', { text: 'a', stopReason: 'stop_sequence' }, { kind: 'end' }],
    ];
    for (const [wire, step, stop] of cases) {
      server.enqueue(step);
      const r = await use(transportFor(wire, server)).stream(req, { onDelta: () => undefined }).done;
      assert.deepEqual(r.stop, stop, `${wire} ${JSON.stringify(step)}`);
    }
  });

  it('commentary (phase "commentary") is never part of the edit; a redirect sends both items back with their phase', async () => {
    const t = use(new ResponsesHttpTransport({ baseUrl: server.url }));
    const commentary = 'I will rename the first value and keep the rest.';
    server.enqueue({ commentary, text: REWRITE });
    const logs: string[] = [];
    const s = new EditSession({
      region: new PreviewRegion(0, ORIGINAL),
      prompt: { instruction: 'x', code: ORIGINAL.join('\n') },
      model: 'm',
      transport: t,
      log: (m) => logs.push(m),
    });
    s.start();
    await s.whenSettled();
    assert.equal(s.text, REWRITE);
    assert.deepEqual(s.region.textIf('accept'), REWRITE.split('\n'));
    assert.ok(
      logs.some((l) => l.includes(commentary)),
      'the commentary is logged',
    );
    server.enqueue({ text: REWRITE });
    s.redirect('also keep double quotes');
    await s.whenSettled();
    const input = server.requests[server.requests.length - 1].body.input as Array<{
      role: string;
      phase?: string;
      content: Array<{ text: string }>;
    }>;
    const assistant = input.filter((m) => m.role === 'assistant');
    assert.deepEqual(
      assistant.map((m) => m.phase),
      ['commentary', 'final_answer'],
    );
    assert.equal(assistant[0].content[0].text, commentary);
    assert.equal(assistant[1].content[0].text, REWRITE);
  });

  it('commentary on the socket, interleaved by output index: only the final answer reaches the preview', async () => {
    const t = use(new ResponsesSocketTransport({ url: server.url }));
    server.enqueue({ commentary: 'Plan: change line one.\n', text: REWRITE });
    const { s, errors } = await edit(t);
    assert.equal(errors.length, 0);
    assert.equal(s.text, REWRITE);
    assert.ok(!s.region.rows.some((r) => r.text.includes('Plan:')));
  });

  for (const via of ['wire http', 'WebSocket switched off'] as const) {
    it(`redirect over HTTP (${via}) resends the whole conversation, never a store:false previous_response_id`, async () => {
      let t: ModelTransport = new ResponsesHttpTransport({ baseUrl: server.url });
      if (via === 'WebSocket switched off') {
        const f = new FallbackTransport(
          new ResponsesSocketTransport({ url: 'ws://127.0.0.1:9/v1', backoffBaseMs: 1 } as any),
          new ResponsesHttpTransport({ baseUrl: server.url }),
          { maxRecovered: 1 },
        );
        t = f;
        server.enqueue({ text: 'const x = 1;', transport: 'http' });
        await f.stream({ model: 'm', instructions: 'i', input: [userMessage('warm-up')] }, { onDelta: () => undefined })
          .done;
        assert.equal(f.socketDisabled, true);
      }
      use(t);
      server.enqueue({ text: REWRITE, holdAfterChars: 40 });
      const s = new EditSession({
        region: new PreviewRegion(0, ORIGINAL),
        prompt: { instruction: 'x', code: ORIGINAL.join('\n') },
        model: 'm',
        transport: t,
      });
      const errors: ModelError[] = [];
      s.onEvent((e) => {
        if (e.kind === 'error') errors.push(e.error);
      });
      s.start();
      while (s.text.length < 40) await new Promise((r) => setTimeout(r, 5));
      server.enqueue({ text: REWRITE });
      s.redirect('use double quotes');
      server.release();
      await s.whenSettled();
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
      );
      assert.equal(s.state, 'pending');
      const body = server.requests[server.requests.length - 1].body;
      assert.equal(body.previous_response_id, undefined);
      assert.equal(body.store, false);
      assert.deepEqual(
        body.input.map((m: any) => m.role),
        ['user', 'assistant', 'user'],
      );
    });
  }

  it('response.failed with a rate limit is retried like HTTP 429 (before any text arrived)', async () => {
    server.enqueue(
      {
        text: 'never',
        faults: {
          failAfterChars: 0,
          failWith: { code: 'rate_limit_exceeded', message: 'Rate limit reached for requests' },
        },
      },
      { text: 'the answer' },
    );
    const retries: string[] = [];
    const t = use(
      new RetryingTransport(new ResponsesSocketTransport({ url: server.url }), {
        baseDelayMs: 1,
        onRetry: (e) => retries.push(e.kind),
      }),
    );
    const r = await t.stream({ model: 'm', instructions: 'i', input: [userMessage('x')] }, { onDelta: () => undefined })
      .done;
    assert.equal(r.text, 'the answer');
    assert.deepEqual(retries, ['rate_limit']);
  });

  it('a rate-limited response.failed after text arrived is not retried: what arrived stays pending', async () => {
    server.enqueue({
      text: REWRITE,
      faults: { failAfterChars: CUT, failWith: { code: 'rate_limit_exceeded', message: 'Rate limit reached' } },
    });
    const t = use(new RetryingTransport(new ResponsesSocketTransport({ url: server.url }), { baseDelayMs: 1 }));
    const { s, errors } = await edit(t);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].error.kind, 'rate_limit');
    assert.equal(s.state, 'pending');
    assert.equal(server.requests.length, 1);
  });

  it('Chat Completions: a clean end without data: [DONE] is accepted; a clean end before any finish_reason is an error', async () => {
    const req = { model: 'm', instructions: 'i', input: [userMessage('x')] };
    const t = use(new ChatCompletionsTransport({ baseUrl: server.url }));
    server.enqueue(
      { text: 'all of it', faults: { noDone: true } },
      { text: 'all of it', faults: { endAfterChars: 3 } },
    );
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    assert.equal(r.text, 'all of it');
    assert.deepEqual(r.stop, { kind: 'end' });
    await assert.rejects(
      t.stream(req, { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'network' && /ended before a finish_reason/.test(e.message),
    );
  });
});
