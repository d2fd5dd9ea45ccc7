import assert from 'node:assert/strict';
import fs from 'node:fs';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import type { ResponsesServerEvent } from 'openai/resources/responses/responses';
import Anthropic from '@anthropic-ai/sdk';
import { ModelServer } from '../../src/server/modelServer';

/**
 * The providers' official SDKs as clients of the loopback model server: the server must speak the real wire
 * closely enough for them (every field their types call required, their stream helpers' checks, their error
 * classes), so a client bug shows up in our tests rather than against the real API.
 */
const KEY = 'sk-test';
const TEXT = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';

describe('the official SDKs against the loopback model server', function () {
  this.timeout(20_000);
  let server: ModelServer;
  let openai: OpenAI;
  beforeEach(async () => {
    server = await new ModelServer({ apiKey: KEY }).listen();
    openai = new OpenAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  describe('openai: Responses over HTTP', () => {
    it('streaming: the SDK stream helper accumulates the answer; the final Response has complete usage', async () => {
      server.enqueue({ text: TEXT });
      const stream = openai.responses.stream({ model: 'spark-demo', input: 'rewrite', store: false });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
      const r = await stream.finalResponse();
      assert.equal(r.status, 'completed');
      assert.equal(r.output_text, TEXT);
      assert.equal(deltas.join(''), TEXT);
      assert.ok(
        deltas.every((d) => d.length > 0),
        'no empty deltas',
      );
      assert.ok(r.usage && r.usage.output_tokens > 0 && r.usage.input_tokens > 0);
      assert.equal(r.usage!.total_tokens, r.usage!.input_tokens + r.usage!.output_tokens);
      assert.equal(typeof r.usage!.input_tokens_details.cached_tokens, 'number');
      assert.equal(typeof r.usage!.output_tokens_details.reasoning_tokens, 'number');
    });

    it('streaming events come in order with sequence numbers from 0, ending in response.completed', async () => {
      server.enqueue({ text: TEXT });
      const stream = await openai.responses.create({ model: 'spark-demo', input: 'rewrite', stream: true });
      const events: ResponsesServerEvent[] = [];
      for await (const e of stream) events.push(e as ResponsesServerEvent);
      assert.deepEqual(
        events.map((e) => e.sequence_number),
        events.map((_, i) => i),
      );
      assert.equal(events[0].type, 'response.created');
      assert.equal(events[events.length - 1].type, 'response.completed');
    });

    it('non-streaming: answered with a JSON Response object', async () => {
      server.enqueue({ text: TEXT });
      const r = await openai.responses.create({ model: 'spark-demo', input: 'rewrite' });
      assert.equal(r.object, 'response');
      assert.equal(r.status, 'completed');
      assert.equal(r.output_text, TEXT);
      assert.equal(r.usage!.total_tokens, r.usage!.input_tokens + r.usage!.output_tokens);
    });

    it('previous_response_id: a stored response continues over HTTP; a store:false one is 400 previous_response_not_found', async () => {
      server.enqueue({ text: 'one' }, { text: 'two' }, { text: 'three' });
      const stored = await openai.responses.create({ model: 'spark-demo', input: 'a' });
      const next = await openai.responses.create({ model: 'spark-demo', input: 'b', previous_response_id: stored.id });
      assert.equal(next.output_text, 'two');
      const unstored = await openai.responses.create({ model: 'spark-demo', input: 'c', store: false });
      await assert.rejects(
        openai.responses.create({ model: 'spark-demo', input: 'd', previous_response_id: unstored.id }),
        (e: unknown) =>
          e instanceof OpenAI.BadRequestError &&
          e.status === 400 &&
          e.code === 'previous_response_not_found' &&
          e.param === 'previous_response_id',
      );
    });

    it('a truncated answer ends incomplete (max_output_tokens); a refusal is a refusal content part; commentary has its phase', async () => {
      server.enqueue(
        { text: TEXT, faults: { truncateAfterChars: 10 } },
        { refusal: 'I cannot help with that.' },
        { commentary: 'Adding types.', text: TEXT },
      );
      const cut = await openai.responses.stream({ model: 'spark-demo', input: 'x' }).finalResponse();
      assert.equal(cut.status, 'incomplete');
      assert.equal(cut.incomplete_details?.reason, 'max_output_tokens');
      assert.ok(cut.output_text.length >= 10 && cut.output_text.length < TEXT.length);
      const refused = await openai.responses.stream({ model: 'spark-demo', input: 'x' }).finalResponse();
      const msg = refused.output[0];
      assert.ok(
        msg.type === 'message' &&
          msg.content[0].type === 'refusal' &&
          msg.content[0].refusal === 'I cannot help with that.',
      );
      assert.equal(refused.output_text, '');
      const phased = await openai.responses.stream({ model: 'spark-demo', input: 'x' }).finalResponse();
      assert.deepEqual(
        phased.output.map((o) => (o.type === 'message' ? o.phase : undefined)),
        ['commentary', 'final_answer'],
      );
    });

    it('errors: a wrong key is AuthenticationError (401, invalid_api_key); HTTP 429 is RateLimitError with Retry-After', async () => {
      const bad = new OpenAI({ apiKey: 'wrong', baseURL: server.url, maxRetries: 0 });
      await assert.rejects(
        bad.responses.create({ model: 'spark-demo', input: 'x' }),
        (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key',
      );
      server.enqueue({ faults: { httpStatus: 429, retryAfter: '0' } });
      await assert.rejects(
        openai.responses.create({ model: 'spark-demo', input: 'x', stream: true }),
        (e: unknown) => e instanceof OpenAI.RateLimitError && e.status === 429 && e.headers?.get('retry-after') === '0',
      );
      // A request-level error is a real HTTP status with the JSON error body, not a 200 with an error frame.
      server.enqueue({ faults: { errorEvent: { code: 'invalid_prompt', message: 'Invalid prompt.' } } });
      await assert.rejects(
        openai.responses.create({ model: 'spark-demo', input: 'x', stream: true }),
        (e: unknown) =>
          e instanceof OpenAI.BadRequestError && e.code === 'invalid_prompt' && /Invalid prompt/.test(e.message),
      );
    });

    it('the SDK retries a 429 by itself and then gets the answer', async () => {
      const retrying = new OpenAI({ apiKey: KEY, baseURL: server.url, maxRetries: 1 });
      server.enqueue({ faults: { httpStatus: 429, retryAfter: '0' } }, { text: TEXT });
      const r = await retrying.responses.create({ model: 'spark-demo', input: 'x' });
      assert.equal(r.output_text, TEXT);
    });
  });

  describe("openai: Responses over WebSocket (the SDK's own ResponsesWS client)", () => {
    it('response.create over the socket streams the answer; the completed Response has usage; stream_id is echoed', async () => {
      server.enqueue({ text: TEXT }, { text: 'second' });
      const ws = new ResponsesWS(openai);
      const events: any[] = [];
      const errors: unknown[] = [];
      ws.on('error', (e) => errors.push(e));
      const waiters: Array<[number, () => void]> = [];
      ws.on('event', (e) => {
        events.push(e);
        const n = events.filter((x) => x.type === 'response.completed').length;
        for (const [want, resolve] of waiters) if (n >= want) resolve();
      });
      const completed = (n: number) => new Promise<void>((resolve) => waiters.push([n, resolve]));
      const first = completed(1);
      ws.send({ type: 'response.create', model: 'spark-demo', input: 'rewrite', store: false });
      await first;
      const done = events.find((e) => e.type === 'response.completed');
      assert.equal(
        events
          .filter((e) => e.type === 'response.output_text.delta')
          .map((e) => e.delta)
          .join(''),
        TEXT,
      );
      assert.equal(
        done.response.usage.total_tokens,
        done.response.usage.input_tokens + done.response.usage.output_tokens,
      );
      // Continue on the same socket with previous_response_id and store:false (the connection's cache), with a lane id.
      const second = completed(2);
      ws.send({
        type: 'response.create',
        model: 'spark-demo',
        input: 'again',
        store: false,
        previous_response_id: done.response.id,
        stream_id: 'lane-1',
      } as any);
      await second;
      const laneEvents = events.slice(events.indexOf(done) + 1);
      assert.ok(
        laneEvents.length > 0 && laneEvents.every((e) => e.stream_id === 'lane-1'),
        'stream_id echoed on every event',
      );
      assert.equal(
        laneEvents
          .filter((e) => e.type === 'response.output_text.delta')
          .map((e) => e.delta)
          .join(''),
        'second',
      );
      assert.deepEqual(errors, []);
      ws.close();
    });

    it('an unknown previous_response_id on the socket is an error event the SDK reports', async () => {
      const ws = new ResponsesWS(openai);
      const err = new Promise<any>((resolve) => ws.on('error', resolve));
      ws.send({
        type: 'response.create',
        model: 'spark-demo',
        input: 'x',
        store: false,
        previous_response_id: 'resp_unknown',
      });
      const e = await err;
      assert.equal(e.error?.error?.code ?? e.error?.code, 'previous_response_not_found');
      ws.close();
    });
  });

  describe('openai: Chat Completions', () => {
    it('streaming: the SDK stream helper builds the completion; usage on the last chunk only (usage: null before)', async () => {
      server.enqueue({ text: TEXT });
      const stream = openai.chat.completions.stream({
        model: 'spark-demo',
        messages: [{ role: 'user', content: 'x' }],
        stream_options: { include_usage: true },
      });
      const chunks: any[] = [];
      stream.on('chunk', (c) => chunks.push(c));
      const c = await stream.finalChatCompletion();
      assert.equal(c.choices[0].message.content, TEXT);
      assert.equal(c.choices[0].finish_reason, 'stop');
      const last = chunks[chunks.length - 1];
      assert.ok(last.usage && last.usage.total_tokens === last.usage.prompt_tokens + last.usage.completion_tokens);
      assert.ok(
        chunks.slice(0, -1).every((k) => k.usage === null),
        'usage: null on every chunk but the last',
      );
    });

    it('truncation is finish_reason "length"; a refusal is message.refusal; a stream without [DONE] is accepted', async () => {
      server.enqueue(
        { text: TEXT, faults: { truncateAfterChars: 10 } },
        { refusal: 'No.' },
        { text: TEXT, faults: { noDone: true } },
      );
      const cut = await openai.chat.completions
        .stream({ model: 'spark-demo', messages: [{ role: 'user', content: 'x' }] })
        .finalChatCompletion();
      assert.equal(cut.choices[0].finish_reason, 'length');
      const refused = await openai.chat.completions
        .stream({ model: 'spark-demo', messages: [{ role: 'user', content: 'x' }] })
        .finalChatCompletion();
      assert.equal(refused.choices[0].message.refusal, 'No.');
      const noDone = await openai.chat.completions
        .stream({ model: 'spark-demo', messages: [{ role: 'user', content: 'x' }] })
        .finalChatCompletion();
      assert.equal(noDone.choices[0].message.content, TEXT);
    });

    it('non-streaming: a JSON chat.completion with usage', async () => {
      server.enqueue({ text: TEXT });
      const c = await openai.chat.completions.create({
        model: 'spark-demo',
        messages: [{ role: 'user', content: 'x' }],
      });
      assert.equal(c.object, 'chat.completion');
      assert.equal(c.choices[0].message.content, TEXT);
      assert.equal(c.usage!.total_tokens, c.usage!.prompt_tokens + c.usage!.completion_tokens);
    });

    it('errors: 401 AuthenticationError, 429 RateLimitError', async () => {
      const bad = new OpenAI({ apiKey: 'wrong', baseURL: server.url, maxRetries: 0 });
      await assert.rejects(
        bad.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
        (e: unknown) => e instanceof OpenAI.AuthenticationError,
      );
      server.enqueue({ faults: { httpStatus: 429 } });
      await assert.rejects(
        openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
        (e: unknown) => e instanceof OpenAI.RateLimitError,
      );
    });
  });

  describe('@anthropic-ai/sdk: Messages', () => {
    const base = () => server.url.replace(/\/v1$/, '');
    it('streaming with x-api-key: the SDK stream helper builds the Message; stop_reason and usage', async () => {
      server.enqueue({ text: TEXT });
      const anthropic = new Anthropic({ apiKey: KEY, baseURL: base(), maxRetries: 0 });
      const m = await anthropic.messages
        .stream({ model: 'spark-demo', max_tokens: 1024, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage();
      assert.equal(m.content[0].type === 'text' ? m.content[0].text : '', TEXT);
      assert.equal(m.stop_reason, 'end_turn');
      assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
      // SDK 1.x sends the key as Authorization: Bearer; older ones (and Spark Edit) as x-api-key: both are accepted.
      const h = server.requests[0].headers!;
      assert.ok(h['x-api-key'] === KEY || h.authorization === `Bearer ${KEY}`);
      assert.match(String(server.requests[0].headers?.['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/);
    });

    it('streaming with an auth token (Authorization: Bearer) is accepted too; so is x-api-key', async () => {
      server.enqueue({ text: TEXT });
      const anthropic = new Anthropic({ apiKey: null, authToken: KEY, baseURL: base(), maxRetries: 0 });
      const m = await anthropic.messages
        .stream({ model: 'spark-demo', max_tokens: 1024, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage();
      assert.equal(m.content[0].type === 'text' ? m.content[0].text : '', TEXT);
      assert.equal(server.requests[0].headers?.authorization, `Bearer ${KEY}`);
      server.enqueue({ text: TEXT });
      const viaHeader = new Anthropic({
        apiKey: null,
        baseURL: base(),
        maxRetries: 0,
        defaultHeaders: { 'x-api-key': KEY },
      });
      const m2 = await viaHeader.messages.create({
        model: 'spark-demo',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'x' }],
      });
      assert.equal(m2.content[0].type === 'text' ? m2.content[0].text : '', TEXT);
      assert.equal(server.requests[1].headers?.['x-api-key'], KEY);
      assert.equal(server.requests[1].headers?.authorization, undefined);
    });

    it('stop reasons: max_tokens, refusal (with its explanation), model_context_window_exceeded', async () => {
      const anthropic = new Anthropic({ apiKey: KEY, baseURL: base(), maxRetries: 0 });
      server.enqueue(
        { text: TEXT, faults: { truncateAfterChars: 10 } },
        { refusal: 'Not this one.' },
        { text: 'a', stopReason: 'model_context_window_exceeded' },
      );
      const ask = () =>
        anthropic.messages
          .stream({ model: 'spark-demo', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage();
      assert.equal((await ask()).stop_reason, 'max_tokens');
      const refused = await ask();
      assert.equal(refused.stop_reason, 'refusal');
      assert.equal(refused.stop_details?.explanation, 'Not this one.');
      assert.equal((await ask()).stop_reason, 'model_context_window_exceeded');
    });

    it('non-streaming: a JSON Message', async () => {
      server.enqueue({ text: TEXT });
      const anthropic = new Anthropic({ apiKey: KEY, baseURL: base(), maxRetries: 0 });
      const m = await anthropic.messages.create({
        model: 'spark-demo',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'x' }],
      });
      assert.equal(m.type, 'message');
      assert.equal(m.content[0].type === 'text' ? m.content[0].text : '', TEXT);
      assert.equal(m.stop_reason, 'end_turn');
    });

    it('errors are Anthropic-shaped: 401 authentication_error, 429 rate_limit_error, 529 overloaded_error', async () => {
      const bad = new Anthropic({ apiKey: 'wrong', baseURL: base(), maxRetries: 0 });
      await assert.rejects(
        bad.messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], stream: true }),
        (e: any) =>
          e instanceof Anthropic.AuthenticationError && (e.error as any)?.error?.type === 'authentication_error',
      );
      const anthropic = new Anthropic({ apiKey: KEY, baseURL: base(), maxRetries: 0 });
      server.enqueue({ faults: { httpStatus: 429 } }, { faults: { httpStatus: 529 } });
      await assert.rejects(
        anthropic.messages.create({
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
        }),
        (e: any) => e instanceof Anthropic.RateLimitError && (e.error as any)?.error?.type === 'rate_limit_error',
      );
      await assert.rejects(
        anthropic.messages.create({
          model: 'm',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'x' }],
          stream: true,
        }),
        (e: any) =>
          e instanceof Anthropic.APIError && e.status === 529 && (e.error as any)?.error?.type === 'overloaded_error',
      );
    });

    it('an error event mid-stream is raised by the SDK', async () => {
      server.enqueue({ text: TEXT, faults: { failAfterChars: 10 } });
      const anthropic = new Anthropic({ apiKey: KEY, baseURL: base(), maxRetries: 0 });
      await assert.rejects(
        anthropic.messages
          .stream({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] })
          .finalMessage(),
        /overloaded|Overloaded/,
      );
    });
  });
});

/**
 * The fields an SDK's TypeScript declaration marks required (not `?:`) for an interface: `Name` or
 * `Namespace.Name` (an interface declared inside `export declare namespace Namespace`).
 */
function requiredFields(dts: string, name: string): string[] {
  const text = fs.readFileSync(require.resolve(dts).replace(/\.js$/, '.d.ts'), 'utf8').split('\n');
  const [ns, inner] = name.includes('.') ? name.split('.') : [undefined, name];
  let from = 0;
  let indent = '    ';
  if (ns) {
    from = text.findIndex((l) => l === `export declare namespace ${ns} {`);
    assert.ok(from >= 0, `namespace ${ns} in ${dts}`);
    indent = '        ';
  }
  const head = ns ? `    interface ${inner} {` : `export interface ${inner} {`;
  const start = text.findIndex((l, i) => i >= from && l === head);
  assert.ok(start >= 0, `interface ${name} in ${dts}`);
  const out: string[] = [];
  for (let i = start + 1; i < text.length && text[i] !== (ns ? '    }' : '}'); i++) {
    const m = new RegExp(`^${indent}([A-Za-z_]+):`).exec(text[i]);
    if (m) out.push(m[1]);
  }
  assert.ok(out.length > 0, `fields of ${name}`);
  return out;
}

function missing(obj: any, dts: string, name: string, except: string[] = []): string[] {
  if (obj === null || typeof obj !== 'object') return [`${name}: not an object`];
  return requiredFields(dts, name)
    .filter((f) => !except.includes(f) && !(f in obj))
    .map((f) => `${name}.${f}`);
}

async function sseEvents(url: string, body: unknown, headers: Record<string, string>): Promise<any[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)));
}

describe("every field the SDKs' types call required is sent", () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });
  const R = 'openai/resources/responses/responses';

  it('Responses: every event, Response object, output item, content part and usage (text, refusal, commentary, truncation)', async () => {
    const byType: Record<string, string> = {
      'response.created': 'ResponseCreatedEvent',
      'response.in_progress': 'ResponseInProgressEvent',
      'response.completed': 'ResponseCompletedEvent',
      'response.incomplete': 'ResponseIncompleteEvent',
      'response.output_item.added': 'ResponseOutputItemAddedEvent',
      'response.output_item.done': 'ResponseOutputItemDoneEvent',
      'response.content_part.added': 'ResponseContentPartAddedEvent',
      'response.content_part.done': 'ResponseContentPartDoneEvent',
      'response.output_text.delta': 'ResponseTextDeltaEvent',
      'response.output_text.done': 'ResponseTextDoneEvent',
      'response.refusal.delta': 'ResponseRefusalDeltaEvent',
      'response.refusal.done': 'ResponseRefusalDoneEvent',
    };
    server.enqueue(
      { text: TEXT },
      { refusal: 'No.' },
      { commentary: 'Plan.', text: TEXT },
      { text: TEXT, faults: { truncateAfterChars: 5 } },
    );
    const problems: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      for (const ev of await sseEvents(`${server.url}/responses`, { model: 'm', input: 'x', stream: true }, {})) {
        seen.add(ev.type);
        assert.ok(byType[ev.type], `an event the SDK knows: ${ev.type}`);
        problems.push(...missing(ev, R, byType[ev.type]));
        // output_text is the SDK's own convenience field, computed on the client.
        if (ev.response) problems.push(...missing(ev.response, R, 'Response', ['output_text']));
        if (ev.response?.usage) problems.push(...missing(ev.response.usage, R, 'ResponseUsage'));
        if (ev.item) problems.push(...missing(ev.item, R, 'ResponseOutputMessage'));
        for (const part of [
          ev.part,
          ...(ev.item?.content ?? []),
          ...(ev.response?.output ?? []).flatMap((o: any) => o.content),
        ].filter(Boolean)) {
          problems.push(...missing(part, R, part.type === 'refusal' ? 'ResponseOutputRefusal' : 'ResponseOutputText'));
        }
      }
    }
    assert.deepEqual([...new Set(problems)], []);
    assert.equal(seen.size, Object.keys(byType).length, 'every event type was checked');
  });

  it('Chat Completions: chunks, choices, deltas and usage', async () => {
    const C = 'openai/resources/chat/completions/completions';
    server.enqueue({ text: TEXT });
    const problems: string[] = [];
    const chunks = await sseEvents(
      `${server.url}/chat/completions`,
      { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } },
      {},
    );
    for (const c of chunks) {
      problems.push(...missing(c, C, 'ChatCompletionChunk'));
      for (const ch of c.choices) problems.push(...missing(ch, C, 'ChatCompletionChunk.Choice'));
      if (c.usage) problems.push(...missing(c.usage, 'openai/resources/completions', 'CompletionUsage'));
    }
    assert.ok(chunks[chunks.length - 1].usage);
    assert.deepEqual([...new Set(problems)], []);
  });

  it('Anthropic Messages: every event, the Message, its usage, blocks and deltas', async () => {
    const A = '@anthropic-ai/sdk/resources/messages/messages';
    const byType: Record<string, string> = {
      message_start: 'RawMessageStartEvent',
      content_block_start: 'RawContentBlockStartEvent',
      content_block_delta: 'RawContentBlockDeltaEvent',
      content_block_stop: 'RawContentBlockStopEvent',
      message_delta: 'RawMessageDeltaEvent',
      message_stop: 'RawMessageStopEvent',
    };
    server.enqueue({ text: TEXT }, { refusal: 'No.' });
    const problems: string[] = [];
    for (let i = 0; i < 2; i++) {
      for (const ev of await sseEvents(
        `${server.url}/messages`,
        { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'x' }], stream: true },
        { 'anthropic-version': '2023-06-01' },
      )) {
        if (ev.type === 'ping') continue;
        assert.ok(byType[ev.type], `an event the SDK knows: ${ev.type}`);
        problems.push(...missing(ev, A, byType[ev.type]));
        if (ev.type === 'message_start') {
          problems.push(...missing(ev.message, A, 'Message'));
          problems.push(...missing(ev.message.usage, A, 'Usage'));
        }
        if (ev.type === 'content_block_start') problems.push(...missing(ev.content_block, A, 'TextBlock'));
        if (ev.type === 'content_block_delta') problems.push(...missing(ev.delta, A, 'TextDelta'));
        if (ev.type === 'message_delta') {
          problems.push(...missing(ev.delta, A, 'RawMessageDeltaEvent.Delta'));
          problems.push(...missing(ev.usage, A, 'MessageDeltaUsage'));
        }
        if (ev.delta?.stop_details) problems.push(...missing(ev.delta.stop_details, A, 'RefusalStopDetails'));
      }
    }
    assert.deepEqual([...new Set(problems)], []);
  });
});
