import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import { ResponsesSocketTransport } from '../../src/core/transport/responsesSocket';
import { ModelError, ModelRequest } from '../../src/core/transport/types';
import { userMessage, parseServerEvent } from '../../src/core/protocol/responses';
import WebSocket from 'ws';

const req = (text = 'hi', extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'm',
  instructions: 'i',
  input: [userMessage(text)],
  ...extra,
});
const waitFor = async (cond: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('loopback model server: Responses WebSocket protocol', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends the documented event sequence, with sequence numbers', async () => {
    server.enqueue({ text: 'hello world' });
    const ws = new WebSocket(server.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const events: any[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        const e = JSON.parse(d.toString());
        events.push(e);
        if (e.type === 'response.completed') resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'response.create', model: 'm', input: [userMessage('x')], store: false }));
    await done;
    ws.close();
    const types = events.map((e) => e.type).filter((t, i, a) => t !== 'response.output_text.delta' || a[i - 1] !== t);
    assert.deepEqual(types, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.deepEqual(
      events.map((e) => e.sequence_number),
      events.map((_, i) => i),
    );
    assert.equal(
      events
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => e.delta)
        .join(''),
      'hello world',
    );
    for (const e of events) assert.ok(parseServerEvent(JSON.stringify(e)).ok);
  });

  it('holdAfterChars pauses a stream mid-way until release(), then finishes it', async () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta';
    server.enqueue({ text, tokensPerSecond: 500, holdAfterChars: 10 });
    const t = new ResponsesSocketTransport({ url: server.wsUrl });
    let seen = '';
    const s = t.stream(req(), { onDelta: (d) => (seen += d) });
    await waitFor(() => server.held === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen, 'alpha beta', 'nothing after the hold point');
    server.release();
    const r = await s.done;
    t.dispose();
    assert.equal(r.text, text);
    assert.equal(seen, text);
  });

  it('a release() that comes before the stream reaches its hold point lets it run through', async () => {
    server.enqueue({ text: 'one two three four', tokensPerSecond: 50, holdAfterChars: 12 });
    server.release();
    const t = new ResponsesSocketTransport({ url: server.wsUrl });
    const r = await t.stream(req(), { onDelta: () => undefined }).done;
    t.dispose();
    assert.equal(r.text, 'one two three four');
    assert.equal(server.held, 1);
  });

  it('rejects a stale previous_response_id with previous_response_not_found', async () => {
    const ws = new WebSocket(server.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const msg = new Promise<any>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ type: 'response.create', model: 'm', input: [], previous_response_id: 'resp_old' }));
    const e = await msg;
    ws.close();
    assert.equal(e.type, 'error');
    assert.equal(e.error.code, 'previous_response_not_found');
  });
});

describe('warm Responses socket transport', () => {
  let server: ModelServer;
  let t: ResponsesSocketTransport;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    t?.dispose();
    await server.close();
  });

  it('is open before the first request, which is marked warm and reuses the socket', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    await t.connect();
    assert.equal(t.state, 'warm');
    assert.equal(server.connections, 1);
    server.enqueue({ text: 'one' }, { text: 'two' });
    const a = t.stream(req(), { onDelta: () => undefined });
    const ra = await a.done;
    const rb = await t.stream(req(), { onDelta: () => undefined }).done;
    assert.equal(ra.text, 'one');
    assert.equal(rb.text, 'two');
    assert.equal(ra.stats.warm, true);
    assert.equal(server.connections, 1, 'both requests went over the one warm socket');
    assert.equal(server.requests[0].body.store, false);
    assert.equal(server.requests[0].body.instructions, 'i');
  });

  it('queues a second request while one is in flight (one response per socket)', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue({ text: 'first answer', tokensPerSecond: 200 }, { text: 'second' });
    const a = t.stream(req(), { onDelta: () => undefined });
    const b = t.stream(req(), { onDelta: () => undefined });
    assert.equal((await a.done).text, 'first answer');
    assert.equal((await b.done).text, 'second');
  });

  it('resends the full input when previous_response_id is not found', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue({ text: 'ok' });
    const r = await t.stream(req('full', { previousResponseId: 'resp_gone', incrementalInput: [userMessage('inc')] }), {
      onDelta: () => undefined,
    }).done;
    assert.equal(r.text, 'ok');
    assert.equal(r.stats.resentFullInput, true);
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0].body.previous_response_id, 'resp_gone');
    assert.equal(server.requests[0].body.input[0].content[0].text, 'inc');
    assert.equal(server.requests[1].body.previous_response_id, undefined);
    assert.equal(server.requests[1].body.input[0].content[0].text, 'full');
  });

  it('continues a response with previous_response_id on the same socket', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue({ text: 'a' }, { text: 'b' });
    const r1 = await t.stream(req(), { onDelta: () => undefined }).done;
    const r2 = await t.stream(
      req('full', { previousResponseId: r1.responseId, incrementalInput: [userMessage('inc')] }),
      { onDelta: () => undefined },
    ).done;
    assert.equal(r2.text, 'b');
    assert.ok(!r2.stats.resentFullInput);
  });

  it('cancel closes the socket, stops the stream, and a fresh socket is warm again', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    await t.connect();
    server.enqueue({ text: 'x'.repeat(4000), tokensPerSecond: 500 }, { text: 'after' });
    let got = '';
    const s = t.stream(req(), { onDelta: (d) => (got += d) });
    await waitFor(() => got.length > 10);
    s.cancel();
    await assert.rejects(s.done, (e: ModelError) => e.kind === 'cancelled');
    await waitFor(() => t.state === 'warm' && server.connections === 2);
    const r = await t.stream(req(), { onDelta: () => undefined }).done;
    assert.equal(r.text, 'after');
  });

  it('a dropped socket mid-stream fails the request with a clear network error, then reconnects', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue({ text: 'abcdefghij'.repeat(50), faults: { dropAfterChars: 100 } }, { text: 'next' });
    await assert.rejects(
      t.stream(req(), { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'network' && /before response.completed/.test(e.message),
    );
    await waitFor(() => t.state === 'warm');
    assert.equal((await t.stream(req(), { onDelta: () => undefined }).done).text, 'next');
  });

  it('a malformed frame fails the response (no silently lost text)', async () => {
    t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue({ text: 'abcdefghij'.repeat(10), faults: { malformedAfterChars: 20 } });
    await assert.rejects(t.stream(req(), { onDelta: () => undefined }).done, (e: ModelError) => e.kind === 'protocol');
  });

  it('reports an unreachable server as offline and fails fast', async () => {
    const port = server.port;
    await server.close();
    t = new ResponsesSocketTransport({ url: `http://127.0.0.1:${port}/v1`, backoffBaseMs: 50 });
    await assert.rejects(t.stream(req(), { onDelta: () => undefined }).done, (e: ModelError) => e.kind === 'network');
    assert.equal(t.state, 'offline');
    server = await new ModelServer({ port }).listen();
    await waitFor(() => t.state === 'warm', 5000);
  });

  it('refused key: a clear auth error', async () => {
    await server.close();
    server = await new ModelServer({ apiKey: 'right' }).listen();
    t = new ResponsesSocketTransport({ url: server.url, apiKey: 'wrong', backoffBaseMs: 10_000 });
    await assert.rejects(
      t.stream(req(), { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'auth' && /API key/.test(e.message) && !e.message.includes('wrong'),
    );
  });

  it('rotates when the connection limit is reached, retrying a request that had not streamed yet', async () => {
    await server.close();
    server = await new ModelServer({ connectionLimitMs: 150 }).listen();
    t = new ResponsesSocketTransport({ url: server.url });
    await t.connect();
    await new Promise((r) => setTimeout(r, 250));
    await waitFor(() => t.state === 'warm' && server.connections >= 2);
    server.enqueue({ text: 'fine' });
    assert.equal((await t.stream(req(), { onDelta: () => undefined }).done).text, 'fine');
  });

  it('rotates proactively before the age limit', async () => {
    t = new ResponsesSocketTransport({ url: server.url, maxConnectionAgeMs: 100 });
    await t.connect();
    await waitFor(() => t.connectionsOpened >= 2);
    assert.ok(server.connections >= 2);
  });

  it('a stalled response times out with a clear message', async () => {
    t = new ResponsesSocketTransport({ url: server.url, stallTimeoutMs: 200 });
    server.enqueue({ text: 'abcdefghij'.repeat(10), faults: { stallAfterChars: 10 } });
    await assert.rejects(t.stream(req(), { onDelta: () => undefined }).done, (e: ModelError) =>
      /No data from the model/.test(e.message),
    );
  });
});
