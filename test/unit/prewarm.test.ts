import assert from 'node:assert/strict';
import { ModelServer } from '../../src/server/modelServer';
import { ResponsesSocketTransport } from '../../src/core/transport/responsesSocket';
import { userMessage } from '../../src/core/protocol/responses';
import { editContextPrompt } from '../../src/core/prompt';
import { PreviewRegion } from '../../src/core/session/region';
import { EditSession } from '../../src/core/session/editSession';

/** `generate: false` warm-up: the code is sent while the user types; the instruction then chains to it. */
describe('warm-up with generate: false', () => {
  let server: ModelServer;
  let t: ResponsesSocketTransport;
  beforeEach(async () => {
    server = await new ModelServer().listen();
    t = new ResponsesSocketTransport({ url: server.url });
    await t.connect();
  });
  afterEach(async () => {
    t.dispose();
    await server.close();
  });

  const original = ['function f(a) {', '  var x = a + 1;', '  return x;', '}'];
  const prompt = { instruction: 'use const', code: original.join('\n'), fileName: 'f.js', languageId: 'javascript' };
  const context = userMessage(editContextPrompt(prompt));
  /** The model's answer is computed from the code it was given, wherever in the conversation it was. */
  const rewrite = ({ code, instruction }: { code: string; instruction: string }) =>
    instruction === 'use const' ? code.replace('var x', 'const x') : 'WRONG';

  it('the warm-up sends the context with generate:false and gets a response id and no output', async () => {
    const id = await t.prewarm({ model: 'm', instructions: 'i', input: [context] });
    assert.ok(id);
    const body = server.requests[0].body;
    assert.equal(body.generate, false);
    assert.deepEqual(body.input, [context]);
  });

  it('the edit then sends only the instruction, chained to the warm-up, and the model answers for the warmed code', async () => {
    const id = (await t.prewarm({ model: 'm', instructions: 'i', input: [context] }))!;
    server.enqueue({ text: rewrite });
    const s = new EditSession({
      region: new PreviewRegion(0, original),
      prompt,
      model: 'm',
      transport: t,
      warm: { responseId: id, context },
    });
    s.start();
    await s.whenSettled();
    const body = server.requests[1].body;
    assert.equal(body.previous_response_id, id);
    assert.equal(body.input.length, 1);
    assert.match(body.input[0].content[0].text, /^Instruction: use const/);
    assert.ok(!JSON.stringify(body.input).includes('var x'), 'the code is not sent again');
    assert.deepEqual(s.region.textIf('accept'), ['function f(a) {', '  const x = a + 1;', '  return x;', '}']);
    assert.equal(s.stats.resentFullInput, undefined);
  });

  it('a warm-up the socket no longer has (another request came between): the full input is resent, same answer', async () => {
    const id = (await t.prewarm({ model: 'm', instructions: 'i', input: [context] }))!;
    server.enqueue({ text: 'something else' }, { text: rewrite });
    await t.stream({ model: 'm', instructions: 'i', input: [userMessage('chat')] }, { onDelta: () => undefined }).done;
    const s = new EditSession({
      region: new PreviewRegion(0, original),
      prompt,
      model: 'm',
      transport: t,
      warm: { responseId: id, context },
    });
    s.start();
    await s.whenSettled();
    assert.equal(s.stats.resentFullInput, true);
    const last = server.requests[server.requests.length - 1].body;
    assert.equal(last.previous_response_id, undefined);
    assert.deepEqual(
      last.input.map((m: any) => m.role),
      ['user', 'user'],
    );
    assert.deepEqual(s.region.textIf('accept'), ['function f(a) {', '  const x = a + 1;', '  return x;', '}']);
  });
});
