import assert from 'node:assert/strict';
import { RetryingTransport } from '../../src/core/transport/retry';
import { ResponsesHttpTransport } from '../../src/core/transport/responsesHttp';
import { ChatCompletionsTransport } from '../../src/core/transport/chatCompletions';
import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers } from '../../src/core/transport/types';
import { userMessage } from '../../src/core/protocol/responses';
import { ModelServer } from '../../src/server/modelServer';

const req: ModelRequest = { model: 'm', instructions: 'i', input: [userMessage('x')] };

/** A wire whose answers are scripted per attempt: text, or text then an error. */
class ScriptedWire implements ModelTransport {
  readonly name = 'scripted';
  attempts = 0;
  constructor(private readonly script: Array<{ text?: string; error?: ModelError }>) {}
  stream(_req: ModelRequest, h: StreamHandlers): ActiveStream {
    const step = this.script[this.attempts++];
    const stats = { startedAt: performance.now(), outputChars: 0, deltas: 0, warm: true };
    let cancelled = false;
    const done = (async () => {
      await new Promise((r) => setTimeout(r, 1));
      if (cancelled) throw new ModelError('cancelled', 'cancelled');
      if (step.text) h.onDelta(step.text);
      if (step.error) throw step.error;
      return { text: step.text ?? '', stats, stop: { kind: 'end' as const } };
    })();
    done.catch(() => undefined);
    return {
      done,
      stats,
      cancel: () => {
        cancelled = true;
      },
    };
  }
  dispose() {
    /* nothing */
  }
}

describe('retrying a busy server', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });

  it('HTTP 429 with Retry-After: waits that long, asks again, and the answer arrives', async () => {
    server.enqueue({ faults: { httpStatus: 429, retryAfter: '1' } }, { text: 'ok after the pause' });
    const notes: string[] = [];
    const t = new RetryingTransport(new ResponsesHttpTransport({ baseUrl: server.url }), {
      onRetry: (e, ms) => notes.push(`${e.code} ${ms}`),
    });
    const t0 = Date.now();
    let seen = '';
    const r = await t.stream(req, { onDelta: (d) => (seen += d) }).done;
    t.dispose();
    assert.equal(r.text, 'ok after the pause');
    assert.equal(seen, r.text);
    assert.deepEqual(notes, ['429 1000']);
    assert.ok(Date.now() - t0 >= 950, 'it honoured Retry-After');
    assert.equal(server.requests.length, 2);
  });

  it('HTTP 503 without Retry-After on a Chat Completions provider: backs off and retries', async () => {
    server.enqueue(
      { transport: 'chat', faults: { httpStatus: 503 } },
      { transport: 'chat', faults: { httpStatus: 503 } },
      { transport: 'chat', text: 'third time' },
    );
    const notes: string[] = [];
    const t = new RetryingTransport(new ChatCompletionsTransport({ baseUrl: server.url }), {
      baseDelayMs: 20,
      onRetry: (e, ms, n) => notes.push(`${e.message} #${n} ${ms}`),
    });
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    t.dispose();
    assert.equal(r.text, 'third time');
    assert.equal(notes.length, 2);
    assert.match(notes[0], /HTTP 503.* #1 (1[6-9]|2[0-4])$/); // 20 ms ± 20% jitter
    assert.match(notes[1], /HTTP 503.* #2 (3[2-9]|4[0-8])$/); // doubled
  });

  it("gives up after the retries with the server's own message", async () => {
    server.enqueue({ faults: { httpStatus: 503 } }, { faults: { httpStatus: 503 } });
    const t = new RetryingTransport(new ResponsesHttpTransport({ baseUrl: server.url }), {
      retries: 1,
      baseDelayMs: 10,
    });
    await assert.rejects(
      t.stream(req, { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'server' && /HTTP 503/.test(e.message),
    );
    t.dispose();
    assert.equal(server.requests.length, 2);
  });

  it('a Retry-After longer than it will wait fails at once, saying when to retry', async () => {
    server.enqueue({ faults: { httpStatus: 429, retryAfter: '120' } });
    const t = new RetryingTransport(new ResponsesHttpTransport({ baseUrl: server.url }), { maxWaitMs: 8000 });
    const t0 = Date.now();
    await assert.rejects(
      t.stream(req, { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'rate_limit' && /retry after 120 s/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(server.requests.length, 1);
    t.dispose();
  });

  it('errors that are not about load (401, 500) are not retried', async () => {
    for (const status of [401, 500]) {
      server.enqueue({ faults: { httpStatus: status } });
      const t = new RetryingTransport(new ResponsesHttpTransport({ baseUrl: server.url }), { baseDelayMs: 10 });
      await assert.rejects(
        t.stream(req, { onDelta: () => undefined }).done,
        (e: ModelError) => e.code === String(status),
      );
      t.dispose();
    }
    assert.equal(server.requests.length, 2);
  });

  it('once text has been shown, a busy error is reported, not retried (no duplicated text)', async () => {
    const wire = new ScriptedWire([
      { text: 'half', error: new ModelError('rate_limit', 'slow down', 'rate_limit_exceeded') },
      { text: 'whole answer' },
    ]);
    const t = new RetryingTransport(wire, { baseDelayMs: 1 });
    let seen = '';
    await assert.rejects(
      t.stream(req, { onDelta: (d) => (seen += d) }).done,
      (e: ModelError) => e.kind === 'rate_limit',
    );
    assert.equal(seen, 'half');
    assert.equal(wire.attempts, 1);
  });

  it('cancel during the pause ends at once as cancelled, and asks nothing more', async () => {
    const wire = new ScriptedWire([{ error: new ModelError('server', 'overloaded', '529') }, { text: 'never' }]);
    const t = new RetryingTransport(wire, { baseDelayMs: 5000, maxWaitMs: 10_000 });
    const s = t.stream(req, { onDelta: () => assert.fail('no text after cancel') });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    s.cancel();
    await assert.rejects(s.done, (e: ModelError) => e.kind === 'cancelled');
    assert.ok(Date.now() - t0 < 500);
    assert.equal(wire.attempts, 1);
  });

  it('the time to first token counts from the first attempt', async () => {
    const wire = new ScriptedWire([{ error: new ModelError('rate_limit', 'busy', '429', 30) }, { text: 'ok' }]);
    const t = new RetryingTransport(wire);
    const s = t.stream(req, { onDelta: () => undefined });
    const started = s.stats.startedAt;
    await s.done;
    assert.equal(s.stats.startedAt, started);
    assert.equal(wire.attempts, 2);
  });
});
