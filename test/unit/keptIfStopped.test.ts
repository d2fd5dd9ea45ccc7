import assert from 'node:assert/strict';
import { PreviewRegion } from '../../src/core/session/region';
import { syntaxFor } from '../../src/core/session/structure';

/** A region streamed up to `prefix` of `output` (in 3-character tokens), with the file's syntax (whole-construct cut). */
function streamed(original: string[], output: string, prefix: number, languageId = 'typescript'): PreviewRegion {
  const region = new PreviewRegion(0, original);
  region.syntax = syntaxFor(languageId);
  const d = region.createDiff();
  for (let i = 0; i < prefix; i += 3) d.push(output.slice(i, Math.min(prefix, i + 3)));
  return region;
}

// issue 17: the editor title offers "Accept (stops writing)" mid-stream only when the stop would keep something.
// keptIfStopped() predicts, without changing the region, what a stop by the user (interrupt with dropOpen) leaves.
describe('PreviewRegion.keptIfStopped: the hunks a stop by the user would keep, predicted at every point of a stream', () => {
  const cases: Array<{ name: string; original: string[]; output: string; lang?: string; keeps?: false }> = [
    {
      name: 'doc comments above two functions',
      original: ['function a() {', '  return 1;', '}', '', 'function b() {', '  return 2;', '}'],
      output: '/** One. */\nfunction a() {\n  return 1;\n}\n\n/**\n * Two.\n */\nfunction b() {\n  return 2;\n}\n',
    },
    {
      // Its brackets balance only at the stream's end: no stop keeps anything, so the title never offers it mid-stream.
      name: 'a try block wrapped around lines (brackets open until its end)',
      keeps: false,
      original: ['function f(x) {', '  const y = g(x);', '  use(y);', '  return y;', '}'],
      output:
        'function f(x) {\n  try {\n    const y = g(x);\n    use(y);\n    return y;\n  } catch (e) {\n    return undefined;\n  }\n}\n',
    },
    {
      // The `if (x) {` hunk closes on the unchanged lines after it, long before its `}` arrives: a stop then cuts it.
      name: 'an if wrapped around unchanged lines (a closed hunk that opens a bracket)',
      original: ['function f(x) {', '  a();', '  b();', '  c();', '  d();', '  e();', '}'],
      output: 'function f(x) {\n  if (x) {\n  a();\n  b();\n  c();\n  }\n  d();\n  e();\n}\n',
    },
    {
      name: 'var to const, line by line',
      original: [
        'async function load(url) {',
        '  var res = await fetch(url);',
        '  var data = await res.json();',
        '  return data;',
        '}',
      ],
      output:
        'async function load(url) {\n  const res = await fetch(url);\n  const data = await res.json();\n  return data;\n}\n',
    },
    {
      name: 'Python: a block given a body',
      original: ['def f(x):', '    y = g(x)', '    return y'],
      output: 'def f(x):\n    """Doc."""\n    if x is None:\n        return None\n    y = g(x)\n    return y\n',
      lang: 'python',
    },
  ];
  for (const c of cases)
    it(`${c.name}: equals what interrupt(…, { dropOpen }) leaves, for every prefix`, () => {
      let offered = 0;
      for (let k = 0; k <= c.output.length; k++) {
        const predicted = streamed(c.original, c.output, k, c.lang).keptIfStopped();
        const stopped = streamed(c.original, c.output, k, c.lang);
        const before = stopped.textIf('reject');
        stopped.interrupt('stopped (Esc)', { dropOpen: true });
        assert.equal(predicted, stopped.pendingHunks().length, `after ${k} characters`);
        assert.deepEqual(stopped.textIf('reject'), before, 'rejecting after the stop gives the original back');
        if (predicted > 0 && k < c.output.length) offered++; // the whole answer: every bracket closed
      }
      if (c.keeps === false) assert.equal(offered, 0, 'no prefix leaves whole constructs');
      else assert.ok(offered > 0, 'some prefix keeps a hunk (the case tests something)');
    });

  it('a region without a syntax (plaintext) keeps every closed hunk', () => {
    const region = new PreviewRegion(0, ['one', 'two', 'three', 'four', 'five', 'six']);
    region.createDiff().push('ONE\ntwo\nthree\nfour\nFIVE\nsi');
    assert.equal(region.keptIfStopped(), 1);
    region.interrupt('stopped (Esc)', { dropOpen: true });
    assert.equal(region.pendingHunks().length, 1);
  });
});
