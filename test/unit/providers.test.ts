import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import { ChatCompletionsTransport, chatBody } from '../../src/core/transport/chatCompletions';
import { AnthropicTransport } from '../../src/core/transport/anthropic';
import { FallbackTransport } from '../../src/core/transport/fallback';
import { ResponsesSocketTransport } from '../../src/core/transport/responsesSocket';
import { ResponsesHttpTransport } from '../../src/core/transport/responsesHttp';
import { ModelError, ModelRequest } from '../../src/core/transport/types';
import { userMessage } from '../../src/core/protocol/responses';
import { PreviewRegion } from '../../src/core/session/region';
import { EditSession } from '../../src/core/session/editSession';

const req: ModelRequest = {
  model: 'm',
  instructions: 'sys',
  input: [userMessage('<code>\nvar a = 1;\n</code>')],
  prediction: 'var a = 1;',
};
const TEXT = 'const a = 1;\nconst b = 2;\n';

describe('Chat Completions over SSE', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer({ apiKey: 'k' }).listen();
  });
  afterEach(async () => {
    await server.close();
  });

  it('streams the text and sends Predicted Outputs without the parameters they forbid', async () => {
    server.enqueue({ text: TEXT });
    const t = new ChatCompletionsTransport({ baseUrl: server.url, apiKey: 'k', predictions: true });
    let seen = '';
    const r = await t.stream({ ...req, maxOutputTokens: 100 }, { onDelta: (d) => (seen += d) }).done;
    t.dispose();
    assert.equal(r.text, TEXT);
    assert.equal(seen, TEXT);
    const body = server.requests[0].body;
    assert.equal(server.requests[0].transport, 'chat');
    assert.deepEqual(body.prediction, { type: 'content', content: 'var a = 1;' });
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(body.max_tokens, 100);
    for (const k of ['n', 'logprobs', 'presence_penalty', 'frequency_penalty', 'tools'])
      assert.equal(body[k], undefined, k);
    assert.equal(body.messages[0].role, 'system');
    assert.ok(typeof r.stats.acceptedPredictionTokens === 'number' && r.stats.acceptedPredictionTokens > 0);
    assert.ok(typeof r.stats.rejectedPredictionTokens === 'number');
  });

  it('without predictions sends no prediction', () => {
    const b = chatBody(req, false);
    assert.equal(b.prediction, undefined);
  });

  it('a wrong key is a clear auth error', async () => {
    const t = new ChatCompletionsTransport({ baseUrl: server.url, apiKey: 'bad' });
    await assert.rejects(t.stream(req, { onDelta: () => undefined }).done, (e: ModelError) => e.kind === 'auth');
    t.dispose();
  });

  it('a malformed chunk fails the stream', async () => {
    server.enqueue({ text: TEXT.repeat(5), faults: { malformedAfterChars: 10 } });
    const t = new ChatCompletionsTransport({ baseUrl: server.url, apiKey: 'k' });
    await assert.rejects(t.stream(req, { onDelta: () => undefined }).done, (e: ModelError) => e.kind === 'protocol');
    t.dispose();
  });
});

describe('Anthropic Messages over SSE', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer({ apiKey: 'ak' }).listen();
  });
  afterEach(async () => {
    await server.close();
  });

  it('streams text_delta events with the documented headers and body', async () => {
    server.enqueue({ text: TEXT });
    const t = new AnthropicTransport({ baseUrl: server.url, apiKey: 'ak' });
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    t.dispose();
    assert.equal(r.text, TEXT);
    const rq = server.requests[0];
    assert.equal(rq.transport, 'anthropic');
    assert.equal(rq.headers?.['anthropic-version'], '2023-06-01');
    assert.equal(rq.headers?.['x-api-key'], 'ak');
    assert.equal(rq.body.system, 'sys');
    assert.equal(rq.body.stream, true);
    assert.ok(rq.body.max_tokens > 0);
  });

  it('an error event mid-stream fails with its message', async () => {
    server.enqueue({ text: TEXT.repeat(5), faults: { failAfterChars: 10 } });
    const t = new AnthropicTransport({ baseUrl: server.url, apiKey: 'ak' });
    await assert.rejects(t.stream(req, { onDelta: () => undefined }).done, (e: ModelError) =>
      /Overloaded/.test(e.message),
    );
    t.dispose();
  });
});

describe('WebSocket with HTTP fallback', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });
  const mk = () =>
    new FallbackTransport(
      new ResponsesSocketTransport({ url: server.url }),
      new ResponsesHttpTransport({ baseUrl: server.url }),
    );

  it('socket death mid-stream: HTTP finishes it, the shown text is neither lost nor duplicated', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n') + '\n';
    server.enqueue({ text, transport: 'ws', faults: { dropAfterChars: 90 } }, { text, transport: 'http' });
    const t = mk();
    let seen = '';
    let restarts = 0;
    const r = await t.stream(req, {
      onDelta: (d) => (seen += d),
      onRestart: () => {
        restarts++;
        seen = '';
      },
    }).done;
    t.dispose();
    assert.equal(seen, text);
    assert.equal(r.text, text);
    assert.equal(restarts, 0);
    assert.equal(r.stats.fellBack, true);
  });

  it('a retry that differs restarts the preview, and the final text is the retry', async () => {
    server.enqueue(
      { text: 'aaaa\nbbbb\ncccc\n'.repeat(10), transport: 'ws', faults: { dropAfterChars: 30 } },
      { text: 'xxxx\n', transport: 'http' },
    );
    const t = mk();
    let seen = '';
    let restarts = 0;
    await t.stream(req, {
      onDelta: (d) => (seen += d),
      onRestart: () => {
        restarts++;
        seen = '';
      },
    }).done;
    t.dispose();
    assert.equal(restarts, 1);
    assert.equal(seen, 'xxxx\n');
  });

  it('an edit session survives the fallback with the exact final text', async () => {
    const orig = ['function f() {', '  var a = 1;', '  return a;', '}'];
    const out = 'function f() {\n  const a = 1;\n  return a;\n}\n';
    server.enqueue({ text: out, transport: 'ws', faults: { dropAfterChars: 25 } }, { text: out, transport: 'http' });
    const t = mk();
    const s = new EditSession({
      region: new PreviewRegion(0, orig),
      prompt: { instruction: 'x', code: orig.join('\n') },
      model: 'm',
      transport: t,
    });
    s.start();
    await s.whenSettled();
    t.dispose();
    assert.equal(s.state, 'pending');
    assert.deepEqual(s.region.textIf('accept'), out.trimEnd().split('\n'));
    assert.deepEqual(s.region.textIf('reject'), orig);
  });

  it('switches WebSocket off after three failures that HTTP recovered', async () => {
    const t = mk();
    let disabled = '';
    t.onDidDisableSocket((m) => (disabled = m));
    for (let i = 0; i < 3; i++) {
      server.enqueue(
        { text: 'x'.repeat(200), transport: 'ws', faults: { dropAfterChars: 20 } },
        { text: 'x'.repeat(200), transport: 'http' },
      );
      await t.stream(req, { onDelta: () => undefined }).done;
    }
    assert.equal(t.socketDisabled, true);
    assert.match(disabled, /WebSocket off/);
    server.enqueue({ text: 'ok', transport: 'http' });
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    assert.equal(r.text, 'ok');
    assert.equal(server.requests[server.requests.length - 1].transport, 'http');
    t.dispose();
  });

  it('auth errors are not retried over HTTP', async () => {
    await server.close();
    server = await new ModelServer({ apiKey: 'right' }).listen();
    const t = new FallbackTransport(
      new ResponsesSocketTransport({ url: server.url, apiKey: 'wrong', backoffBaseMs: 10_000 }),
      new ResponsesHttpTransport({ baseUrl: server.url, apiKey: 'wrong' }),
    );
    await assert.rejects(t.stream(req, { onDelta: () => undefined }).done, (e: ModelError) => e.kind === 'auth');
    assert.equal(server.requests.filter((r) => r.transport === 'http').length, 0);
    t.dispose();
  });
});
