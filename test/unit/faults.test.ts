import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import { ResponsesSocketTransport } from '../../src/core/transport/responsesSocket';
import { ChatCompletionsTransport } from '../../src/core/transport/chatCompletions';
import { ModelError } from '../../src/core/transport/types';
import { userMessage } from '../../src/core/protocol/responses';
import { PreviewRegion } from '../../src/core/session/region';
import { EditSession, SessionEvent } from '../../src/core/session/editSession';

/** Model-side faults of the fault matrix (README), beyond those in transport/http/providers tests. */
describe('fault matrix: model side', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await new ModelServer().listen();
  });
  afterEach(async () => {
    await server.close();
  });
  const req = { model: 'm', instructions: 'i', input: [userMessage('x')] };

  it('a stray frame that belongs to no response is ignored; the next answer is clean', async () => {
    const t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue({ text: 'first', faults: { strayFrameAfter: true } }, { text: 'second' });
    assert.equal((await t.stream(req, { onDelta: () => undefined }).done).text, 'first');
    await new Promise((r) => setTimeout(r, 50));
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    t.dispose();
    assert.equal(r.text, 'second');
  });

  it('invalid UTF-8 split across writes: decoded without crashing, replacement characters, stream completes', async () => {
    server.enqueue({ text: 'ok', faults: { rawBytesInDelta: [0x61, 0xe2, 0x82, 0xac, 0xff, 0xfe, 0x62] } }); // "a€" + invalid + "b"
    const t = new ChatCompletionsTransport({ baseUrl: server.url });
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    t.dispose();
    assert.equal(r.text, 'a€\uFFFD\uFFFDbok');
  });

  it('a 10 MB answer is stopped at the cap with one clear message; what arrived stays pending', async function () {
    this.timeout(60_000);
    const huge = 'x = 1;\n'.repeat(1_500_000); // ~10 MB
    server.enqueue({ text: huge });
    const t = new ResponsesSocketTransport({ url: server.url });
    const original = ['a', 'b'];
    const s = new EditSession({
      region: new PreviewRegion(0, original),
      prompt: { instruction: 'x', code: 'a\nb' },
      model: 'm',
      transport: t,
      maxOutputChars: 200_000,
    });
    const events: SessionEvent[] = [];
    s.onEvent((e) => events.push(e));
    s.start();
    await s.whenSettled();
    t.dispose();
    const errors = events.filter((e) => e.kind === 'error');
    assert.equal(errors.length, 1);
    assert.match((errors[0] as any).error.message, /passed 0\.2 MB and was stopped/);
    assert.equal(s.state, 'pending');
    assert.deepEqual(s.region.textIf('reject'), original, 'reject still restores the original');
    assert.ok(s.text.length < 400_000, 'stopped near the cap');
  });

  it('a server that accepts and never answers: retried once on a new socket, then a clear timeout; the next request works', async () => {
    const t = new ResponsesSocketTransport({ url: server.url, stallTimeoutMs: 200 });
    server.enqueue({ faults: { neverAnswer: true } }, { faults: { neverAnswer: true } }, { text: 'back' });
    await assert.rejects(
      t.stream(req, { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'timeout' && /No data from the model/.test(e.message),
    );
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    t.dispose();
    assert.equal(r.text, 'back');
  });

  it('response.failed and response.incomplete: a failure message vs a pending partial answer', async () => {
    const t = new ResponsesSocketTransport({ url: server.url });
    server.enqueue(
      { text: 'abcdefghij'.repeat(5), faults: { failAfterChars: 10 } },
      { text: 'abcdefghij'.repeat(5), faults: { incompleteAfterChars: 10 } },
    );
    await assert.rejects(
      t.stream(req, { onDelta: () => undefined }).done,
      (e: ModelError) => e.kind === 'server' && /model failed/.test(e.message),
    );
    const r = await t.stream(req, { onDelta: () => undefined }).done;
    t.dispose();
    assert.deepEqual(r.stop, { kind: 'max_tokens', raw: 'max_output_tokens' });
    assert.ok(r.text.length >= 10 && r.text.length < 50);
  });
});
