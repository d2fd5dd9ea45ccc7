import assert from 'node:assert/strict';
import { SseParser, SseEvent } from '../../src/core/protocol/sse';
import { ResponsesHttpTransport } from '../../src/core/transport/responsesHttp';
import { ModelError } from '../../src/core/transport/types';
import { userMessage } from '../../src/core/protocol/responses';
import { ModelServer } from '../../src/server/modelServer';

describe('SSE parser', () => {
  it('parses events across arbitrary chunk boundaries, CRLF, multi-line data and comments', () => {
    const text = ': comment\r\nevent: a\r\ndata: {"x":1}\r\n\r\ndata: line1\ndata: line2\n\nid: 7\ndata: ü✓\n\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let step = 1; step <= 7; step++) {
      const got: SseEvent[] = [];
      const p = new SseParser((e) => got.push(e));
      for (let i = 0; i < bytes.length; i += step) p.push(bytes.subarray(i, i + step)); // splits UTF-8 sequences too
      p.end();
      assert.deepEqual(
        got.map((e) => [e.event, e.data]),
        [
          ['a', '{"x":1}'],
          [undefined, 'line1\nline2'],
          [undefined, 'ü✓'],
        ],
        `step ${step}`,
      );
    }
  });
});

describe('Responses over HTTP SSE', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });
  const req = { model: 'm', instructions: 'i', input: [userMessage('x')] };

  it('streams the same text as the socket, with the same events', async () => {
    server.enqueue({ text: 'const a = 1;\nconst b = 2;\n' });
    const t = new ResponsesHttpTransport({ baseUrl: server.url });
    let seen = '';
    const r = await t.stream(req, { onDelta: (d) => (seen += d) }).done;
    t.dispose();
    assert.equal(r.text, 'const a = 1;\nconst b = 2;\n');
    assert.equal(seen, r.text);
    assert.equal(server.requests[0].body.stream, true);
    assert.equal(server.requests[0].body.type, undefined);
  });

  for (const [status, kind] of [
    [401, 'auth'],
    [429, 'rate_limit'],
    [500, 'server'],
    [503, 'server'],
  ] as const) {
    it(`HTTP ${status} becomes a clear ${kind} error`, async () => {
      server.enqueue({ faults: { httpStatus: status, retryAfter: status === 429 ? '2' : undefined } });
      const t = new ResponsesHttpTransport({ baseUrl: server.url });
      await assert.rejects(
        t.stream(req, { onDelta: () => undefined }).done,
        (e: ModelError) =>
          e.kind === kind && e.message.includes(String(status)) && (status !== 429 || e.retryAfterMs === 2000),
      );
      t.dispose();
    });
  }

  it('a connection dropped mid-stream is a network error, not a silent truncation', async () => {
    server.enqueue({ text: 'x'.repeat(2000), faults: { dropAfterChars: 100 } });
    const t = new ResponsesHttpTransport({ baseUrl: server.url });
    await assert.rejects(t.stream(req, { onDelta: () => undefined }).done, (e: ModelError) => e.kind === 'network');
    t.dispose();
  });

  it('cancel aborts the request', async () => {
    server.enqueue({ text: 'y'.repeat(5000), tokensPerSecond: 300 });
    const t = new ResponsesHttpTransport({ baseUrl: server.url });
    let got = '';
    const s = t.stream(req, { onDelta: (d) => (got += d) });
    while (got.length < 5) await new Promise((r) => setTimeout(r, 5));
    s.cancel();
    await assert.rejects(s.done, (e: ModelError) => e.kind === 'cancelled');
    t.dispose();
  });
});
