import assert from 'node:assert/strict';
import { demoRewrite } from '../../src/server/demo';

describe('demo model', () => {
  it('documents functions, not control statements', () => {
    const out = demoRewrite('add doc comments', 'function total(o) {\n  for (let i = 0; i < 3; i++) {\n    if (i) {\n    }\n  }\n}');
    assert.equal(out.match(/\/\*\*/g)?.length, 1);
    assert.match(out, /\/\*\* total: Total\. \*\/\nfunction total/);
  });
  it('renames, converts to const, and otherwise adds a header comment', () => {
    assert.equal(demoRewrite('rename out to result', 'var out = [];\nreturn out;'), 'var result = [];\nreturn result;\n');
    assert.equal(demoRewrite('use const', 'var a = 1;\nlet b = 2;'), 'const a = 1;\nconst b = 2;\n');
    // A variable assigned again becomes let: the demo never turns working code into a TypeScript error.
    assert.equal(demoRewrite('use const', 'var out = [];\nfor (var i = 0; i < n; i++) out.push(i);\nvar s = 0;\ns += 1;\nvar k = 1;\nif (k == 2) {}'),
      'const out = [];\nfor (let i = 0; i < n; i++) out.push(i);\nlet s = 0;\ns += 1;\nconst k = 1;\nif (k == 2) {}\n');
    assert.match(demoRewrite('make it nicer', '  var x = 1;'), /^  \/\/ make it nicer \(Spark Edit demo model\)\n  let x = 1;\n$/);
  });
});
