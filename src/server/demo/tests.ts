/**
 * The demo's Add Tests: a test file next to the source (node:test for TypeScript/JavaScript, unittest for Python)
 * with one test per function it can call with made-up arguments. The demo cannot run or understand the code, so
 * the tests check what it can honestly check (the function runs, returns the same answer twice, and the type of
 * that answer), and the file says so.
 */
import { Fn, findFunctions } from './functions';
import { Result, cannot } from './edits';

/** A made-up value of a TypeScript type, from the interfaces in the source; undefined when the demo cannot make one. */
function sample(type: string | undefined, src: string, depth = 0): string | undefined {
  const t = (type ?? '').trim();
  if (depth > 4 || !t) return undefined;
  if (t === 'number') return '2';
  if (t === 'string') return "'a'";
  if (t === 'boolean') return 'true';
  if (/\[\]$/.test(t)) {
    const e = sample(t.slice(0, -2).replace(/^\((.*)\)$/, '$1'), src, depth + 1);
    return e === undefined ? undefined : `[${e}]`;
  }
  if (t.startsWith('{') && t.endsWith('}')) return objectOf(t.slice(1, -1), src, depth);
  const m = new RegExp(`interface\\s+${t}\\s*\\{`).exec(src);
  if (m) {
    let d = 0,
      e = m.index + m[0].length - 1;
    for (; e < src.length; e++) {
      if (src[e] === '{') d++;
      else if (src[e] === '}' && --d === 0) break;
    }
    return objectOf(src.slice(m.index + m[0].length, e), src, depth);
  }
  return undefined;
}

function objectOf(fields: string, src: string, depth: number): string | undefined {
  const parts: string[] = [];
  let d = 0,
    cur = '';
  for (const ch of fields) {
    if ('{[(<'.includes(ch)) d++;
    else if ('}])>'.includes(ch)) d--;
    if (d === 0 && (ch === ';' || ch === ',' || ch === '\n')) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const out: string[] = [];
  for (const p of parts.map((x) => x.trim()).filter(Boolean)) {
    const m = /^(readonly\s+)?([\w$]+)(\?)?\s*:\s*([\s\S]+)$/.exec(p);
    if (!m) return undefined;
    if (m[3]) continue; // optional: left out
    const v = sample(m[4], src, depth + 1);
    if (v === undefined) return undefined;
    out.push(`${m[2]}: ${v}`);
  }
  return `{ ${out.join(', ')} }`;
}

function pySample(name: string): string | undefined {
  if (/^(xs|values|items|nums|numbers|data|seq|samples)$/i.test(name)) return '[1.0, 2.0, 4.0]';
  if (/^(x|n|k|count|size|value|amount)$/i.test(name)) return '3';
  if (/^(s|name|text|word)$/i.test(name)) return "'a'";
  return undefined;
}

/** The test file for `path` (relative, as the prompt names it), or why the demo cannot write one. */
export function testFile(
  path: string,
  testPath: string,
  src: string,
  focus?: { startLine: number; endLine: number },
): Result {
  const py = /\.py$/.test(path);
  const inFocus = (f: Fn) => !focus || (f.bodyEndLine >= focus.startLine && f.headerLine <= focus.endLine);
  const all = findFunctions(src, py ? 'py' : 'ts').filter((f) => f.name && f.indent === '' && inFocus(f));
  const callable = all.filter((f) =>
    py ? !f.name.startsWith('_') : new RegExp(`export\\s+(async\\s+)?function\\s+${f.name}\\b`).test(src),
  );
  const left: string[] = [];
  const tests: Array<{ f: Fn; args: string[] }> = [];
  for (const f of callable) {
    if (f.isAsync) {
      left.push(`${f.name} (async: it may reach the network)`);
      continue;
    }
    const args = f.params.map((p) => (py ? pySample(p.name) : sample(p.type, src)));
    if (args.some((a) => a === undefined)) {
      left.push(`${f.name} (the demo cannot make up its arguments)`);
      continue;
    }
    tests.push({ f, args: args as string[] });
  }
  if (!tests.length)
    return cannot(
      `The demo model cannot write tests for this code. ${left.length ? `Left out: ${left.join(', ')}` : 'There is no exported function here'}.`,
    );
  const rel = testRel(testPath, path);
  const note = (c: string) => [
    `${c} Tests for ${path}, written by the Spark Edit demo model. The demo cannot run or understand your code, so these`,
    `${c} tests only check that each function runs on made-up input, gives the same answer twice and the type of that`,
    `${c} answer. A real model (set an API key) writes tests that check the values and the edge cases.`,
    ...(left.length ? [`${c} Not tested: ${left.join(', ')}.`] : []),
  ];
  if (py) {
    const mod = rel.replace(/\.py$/, '').replace(/\//g, '.');
    return {
      code: [
        ...note('#'),
        'import unittest',
        '',
        `from ${mod} import ${tests.map((t) => t.f.name).join(', ')}`,
        '',
        '',
        `class Test${cap(mod.split('.').pop()!)}(unittest.TestCase):`,
        ...tests.flatMap(({ f, args }) => [
          `    def test_${f.name}_runs_and_is_deterministic(self):`,
          `        first = ${f.name}(${args.join(', ')})`,
          `        self.assertEqual(first, ${f.name}(${args.join(', ')}))`,
          `        self.assertIsInstance(first, (int, float, str, list, dict, tuple, bool))`,
          '',
        ]),
        '',
        "if __name__ == '__main__':",
        '    unittest.main()',
        '',
      ].join('\n'),
    };
  }
  return {
    code: [
      ...note('//'),
      "import { test } from 'node:test';",
      "import assert from 'node:assert/strict';",
      `import { ${tests.map((t) => t.f.name).join(', ')} } from './${rel.replace(/\.(ts|tsx|js|jsx|mjs)$/, '')}';`,
      '',
      ...tests.flatMap(({ f, args }) => [
        `test('${f.name} runs and gives the same answer twice', () => {`,
        `  const first = ${f.name}(${args.join(', ')});`,
        `  assert.deepEqual(${f.name}(${args.join(', ')}), first);`,
        ...(tsTypeOf(f) ? [`  assert.equal(typeof first, '${tsTypeOf(f)}');`] : []),
        '});',
        '',
      ]),
    ].join('\n'),
  };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/_(\w)/g, (_m, c) => c.toUpperCase());

/** The source's path relative to the test file's folder (they are usually in the same folder). */
function testRel(testPath: string, path: string): string {
  const tDir = testPath.split('/').slice(0, -1),
    p = path.split('/');
  let i = 0;
  while (i < tDir.length && tDir[i] === p[i]) i++;
  return [...tDir.slice(i).map(() => '..'), ...p.slice(i)].join('/');
}

/** typeof the result, from the declared return type (nothing when it is not declared). */
function tsTypeOf(f: Fn): string | undefined {
  const t = f.returnType ?? '';
  if (/^(string|boolean|number)$/.test(t)) return t;
  if (/\[\]$|^\{/.test(t)) return 'object';
  return undefined;
}
