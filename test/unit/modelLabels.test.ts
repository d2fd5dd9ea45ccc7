import * as assert from 'node:assert/strict';
import { ModelInUse, modelDetails, shortModelName, statusModels } from '../../src/core/modelLabels';

const demo: ModelInUse = { model: 'spark-demo', demo: true, describe: 'OpenAI · spark-demo · 127.0.0.1' };
const real = (model: string, note?: string): ModelInUse => ({
  model,
  demo: false,
  describe: `OpenAI · ${model} · api.openai.com/v1`,
  note,
});

describe('model labels (issue 15)', () => {
  it('both on the demo model: one "demo model" (what the browser steps look for)', () => {
    assert.equal(statusModels({ fast: demo, deep: demo }), 'demo model');
  });
  it('names each real model, and says which one is the demo', () => {
    assert.equal(
      statusModels({ fast: real('gpt-5.1-codex-mini'), deep: real('gpt-5.1-codex') }),
      'gpt-5.1-codex-mini, deep gpt-5.1-codex',
    );
    assert.equal(statusModels({ fast: real('qwen-3-coder-480b'), deep: demo }), 'qwen-3-coder-480b, deep demo model');
    assert.equal(statusModels({ fast: demo, deep: real('claude-sonnet-4-5') }), 'demo model, deep claude-sonnet-4-5');
  });
  it('a model that is not connected is "not configured", never the model it would have been', () => {
    assert.equal(shortModelName({ ...real('gpt-5.1-codex-mini'), problem: 'plain http' }), 'not configured');
  });
  it('the details carry each connection and the notes once', () => {
    const note = 'Deep mode uses the built-in demo model: …';
    const d = modelDetails({ fast: real('m'), deep: { ...demo, note } });
    assert.deepEqual(d, [
      'Fast: OpenAI · m · api.openai.com/v1',
      `Deep: the built-in demo model (${demo.describe})`,
      note,
    ]);
  });
});
