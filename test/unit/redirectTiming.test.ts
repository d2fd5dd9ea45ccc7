import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ModelServer } from '../../src/server/modelServer';
import { ResponsesHttpTransport } from '../../src/core/transport/responsesHttp';
import { PreviewRegion } from '../../src/core/session/region';
import { EditSession } from '../../src/core/session/editSession';

/**
 * Issue 15: after a redirect the status bar showed "10003 ms" to the first token: the time the person spent typing
 * the new instruction in the box was counted. A redirect's (and a continuation's) times start when it is sent.
 */
describe('redirect timing', () => {
  let server: ModelServer;
  let t: ResponsesHttpTransport;
  beforeEach(async () => {
    server = await new ModelServer().listen();
    t = new ResponsesHttpTransport({ baseUrl: server.url });
  });
  afterEach(async () => {
    t.dispose();
    await server.close();
  });

  it("a redirect's time to first token counts from the redirect, not from the first command", async () => {
    const original = ['const a = 1;', 'const b = 2;'];
    server.enqueue({ text: 'const a = 10;\nconst b = 2;' });
    // The first command "started" 10 s ago (as if the person had spent that long in the box since): no clock race.
    const s = new EditSession({
      region: new PreviewRegion(0, original),
      prompt: { instruction: 'x', code: original.join('\n') },
      model: 'm',
      transport: t,
      commandStartedAt: performance.now() - 10_000,
    });
    s.start();
    await s.whenSettled();
    assert.ok((s.stats.ttftMs ?? 0) >= 10_000, `the first answer's time includes the wait: ${s.stats.ttftMs}`);
    server.enqueue({ text: 'const a = 11;\nconst b = 2;' });
    s.redirect('make it 11');
    await s.whenSettled();
    assert.equal(s.text, 'const a = 11;\nconst b = 2;');
    assert.ok(s.stats.ttftMs !== undefined && s.stats.ttftMs < 10_000, `redirect ttft ${s.stats.ttftMs} ms`);
  });
});
