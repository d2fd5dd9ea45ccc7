/**
 * Issue 15: the demo model's every answer on the demo workspace is valid code in the file's language, or a plain
 * "can't". For every demo file × every suggested instruction and command × every selection (the whole file and
 * each function), the answer is spliced into the file and checked: TypeScript with the compiler (no syntax error,
 * and no type error the file did not have), Python with python3's ast.parse.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { editPrompt } from '../../src/core/prompt';
import { deepPrompt } from '../../src/core/deep/prompt';
import { REFACTORS, fixInstruction, hasAsyncToConvert, testFileFor } from '../../src/core/refactors';
import { StreamingPatchParser, PatchOp, locate } from '../../src/core/deep/patch';
import { DEMO_CANT, demoChat, demoDeep, demoEdit, demoFromPrompt } from '../../src/server/demo';
import { findFunctions } from '../../src/server/demo/functions';
import { PreviewRegion } from '../../src/core/session/region';
import { outputLines } from '../../src/core/diff/streamingDiff';

const repo = path.resolve(__dirname, '../../..');
const WS = path.join(repo, 'demo', 'workspace');
const files = fs
  .readdirSync(WS)
  .filter((f) => /\.(ts|py)$/.test(f))
  .sort();
const read = (f: string) => fs.readFileSync(path.join(WS, f), 'utf8');

/** The instructions a newcomer is shown (tips, the input box's examples, the walkthrough) and every command's. */
const SUGGESTED = [
  'add doc comments',
  'use const',
  'rename sum to subtotal',
  'rename total to orderTotal',
  'rename xs to values',
  'add error handling',
  'convert to async/await',
  'Make every string literal upper case.',
  'make it nicer',
  ...REFACTORS.filter((r) => r.kind !== 'explain' && r.kind !== 'tests').map((r) => r.instruction),
];

/** The compile options of "does the demo's answer compile" (shared with scripts/browser-demo.mjs). */
function demoCheckOptions(): ts.CompilerOptions {
  const file = path.join(repo, 'scripts', 'demo-check.tsconfig.json');
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    JSON.parse(fs.readFileSync(file, 'utf8')).compilerOptions,
    path.dirname(file),
  );
  assert.deepEqual(errors, [], file);
  return options;
}

/** TypeScript diagnostics (syntax and types) of the demo files with some replaced. */
function tsErrors(over: Record<string, string>): Map<string, string[]> {
  const texts = new Map<string, string>();
  for (const f of files.filter((x) => x.endsWith('.ts'))) texts.set(path.join('/ws', f), read(f));
  for (const [f, t] of Object.entries(over)) texts.set(path.join('/ws', f), t);
  const options = demoCheckOptions();
  const host = ts.createCompilerHost(options);
  const orig = { getSourceFile: host.getSourceFile, fileExists: host.fileExists, readFile: host.readFile };
  host.getSourceFile = (name, lang, ...rest) =>
    texts.has(name) ? ts.createSourceFile(name, texts.get(name)!, lang) : orig.getSourceFile(name, lang, ...rest);
  host.fileExists = (name) => texts.has(name) || orig.fileExists(name);
  host.readFile = (name) => texts.get(name) ?? orig.readFile(name);
  const dirExists = host.directoryExists?.bind(host);
  host.directoryExists = (d) => d === '/ws' || (dirExists ? dirExists(d) : false);
  const program = ts.createProgram([...texts.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const name of texts.keys()) {
    const sf = program.getSourceFile(name)!;
    const ds = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out.set(
      path.basename(name),
      ds.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    );
  }
  return out;
}

/** Python syntax errors of each text (one python3 run for all). */
function pyErrors(texts: string[]): string[] {
  const script =
    'import ast, json, sys\nout = []\nfor t in json.load(sys.stdin):\n    try:\n        ast.parse(t)\n        out.append("")\n    except SyntaxError as e:\n        out.append(str(e))\nprint(json.dumps(out))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' }));
}

/** The selections: the whole file, and each function (its header to its last line). */
function selections(f: string): Array<{ start: number; end: number; what: string }> {
  const text = read(f);
  const n = text.replace(/\n$/, '').split('\n').length;
  const fns = findFunctions(text, f.endsWith('.py') ? 'py' : 'ts');
  return [
    { start: 0, end: n - 1, what: 'the whole file' },
    ...fns.map((x) => ({ start: x.headerLine, end: x.bodyEndLine, what: x.name })),
  ];
}

/** What the extension sends for an edit of these lines (the real prompt), and the demo's answer spliced in. */
function edit(
  f: string,
  sel: { start: number; end: number },
  instruction: string,
  text = read(f),
): { text?: string; cannot?: string } {
  const lines = text.split('\n');
  const code = lines.slice(sel.start, sel.end + 1).join('\n');
  const before = lines.slice(Math.max(0, sel.start - 20), sel.start).join('\n') || undefined;
  const after = lines.slice(sel.end + 1, sel.end + 21).join('\n') || undefined;
  const r = demoFromPrompt(
    editPrompt({
      instruction,
      code,
      fileName: f,
      languageId: f.endsWith('.py') ? 'python' : 'typescript',
      before,
      after,
    }),
  );
  if ('cannot' in r) return { cannot: r.cannot };
  return {
    text: [...lines.slice(0, sel.start), ...r.code.replace(/\n$/, '').split('\n'), ...lines.slice(sel.end + 1)].join(
      '\n',
    ),
  };
}

describe('demo model (issue 15): every answer on the demo workspace parses and type-checks, or is a plain "can\'t"', function () {
  this.timeout(120_000);
  const baseline = tsErrors({});

  it('the demo workspace has a TypeScript file with exactly one real error (for the quick fix), the others none', () => {
    assert.deepEqual(baseline.get('shipping.ts'), ["Cannot find name 'subtotl'. Did you mean 'subtotal'?"]);
    for (const [f, errs] of baseline) if (f !== 'shipping.ts') assert.deepEqual(errs, [], f);
    assert.deepEqual(
      pyErrors(files.filter((f) => f.endsWith('.py')).map(read)),
      files.filter((f) => f.endsWith('.py')).map(() => ''),
    );
  });

  it('every suggested instruction and command × every demo file × every selection', () => {
    const py: Array<{ where: string; text: string }> = [];
    let edits = 0,
      cannots = 0;
    for (const f of files) {
      for (const sel of selections(f)) {
        for (const ins of SUGGESTED) {
          const where = `${ins.slice(0, 40)} on ${f} (${sel.what})`;
          const r = edit(f, sel, ins);
          if (r.cannot) {
            cannots++;
            assert.ok(r.cannot.endsWith(DEMO_CANT), `a can't-do says why first, then what to do (${where})`);
            continue;
          }
          edits++;
          if (f.endsWith('.py')) {
            assert.ok(!/^\s*\/\//m.test(r.text!), `no // comment in Python (${where})`);
            py.push({ where, text: r.text! });
            continue;
          }
          const errs = tsErrors({ [f]: r.text! });
          for (const [g, es] of errs) {
            const added = es.filter((e) => !baseline.get(g)!.includes(e));
            assert.deepEqual(added, [], `${where}: new errors in ${g}:\n${r.text}`);
          }
        }
      }
    }
    const bad = pyErrors(py.map((p) => p.text))
      .map((e, i) => (e ? `${py[i].where}: ${e}\n${py[i].text}` : ''))
      .filter(Boolean);
    assert.deepEqual(bad, []);
    assert.ok(edits > 40 && cannots > 10, `${edits} edits, ${cannots} can't-dos`);
  });

  it('add error handling wraps the bodies inside the functions, never `export function` in try', () => {
    const r = edit('orders.ts', { start: 7, end: 13 }, 'add error handling').text!;
    assert.match(r, /export function total\(order: Order\): number \{\n {2}try \{\n {4}var sum = 0;/);
    assert.match(r, /\} catch \(err\) \{\n {4}console\.error\('total failed:', err\);\n {4}throw err;\n {2}\}\n\}/);
    const p = edit('stats.py', { start: 4, end: 8 }, 'add error handling').text!;
    assert.match(
      p,
      /def mean\(xs\):\n {4}try:\n {8}total = 0[\s\S]*except Exception as err:\n {8}raise RuntimeError\(f"mean failed: \{err\}"\) from err/,
    );
  });

  it('use const: const where never assigned again, let where it is', () => {
    const r = edit('orders.ts', { start: 0, end: 27 }, 'use const').text!;
    assert.match(
      r,
      /let sum = 0;\n {2}for \(let i = 0;[\s\S]*const res = await fetch\(url\);\n {2}const data = await res\.json\(\);/,
    );
  });

  it('Convert to async/await really converts the promise chain (and says so when there is none)', () => {
    const lines = read('orders.ts').split('\n');
    const start = lines.findIndex((l) => l.includes('function saveOrder'));
    const r = edit(
      'orders.ts',
      { start, end: lines.length - 2 },
      REFACTORS.find((x) => x.id === 'asyncAwait')!.instruction,
    ).text!;
    assert.match(
      r,
      /export async function saveOrder\(url: string, order: Order\): Promise<boolean> \{\n {2}try \{\n {4}const res = await fetch\(url, \{ method: 'POST', body: JSON.stringify\(order\) \}\);\n {4}return res\.ok;\n {2}\} catch \(err\) \{\n {4}console\.error\('could not save the order', err\);\n {4}return false;\n {2}\}\n\}/,
    );
    assert.ok(!/\.then\(|\.catch\(/.test(r));
    assert.match(edit('orders.ts', { start: 7, end: 13 }, 'convert to async/await').cannot!, /no promise chains/);
  });

  it('the light bulb offers Convert to async/await where there is something to convert, not on stats.py', () => {
    // Every function and the whole file of every demo file: offered ⇔ the demo really converts it. A newcomer saw it
    // offered on plain synchronous Python, where the answer can only be a "can't".
    const ins = REFACTORS.find((x) => x.id === 'asyncAwait')!.instruction;
    const seen: string[] = [];
    for (const f of files) {
      const lines = read(f).split('\n');
      const fns = findFunctions(read(f), f.endsWith('.py') ? 'py' : 'ts');
      const sels = [
        { start: 0, end: lines.length - 1 },
        ...fns.map((x) => ({ start: x.headerLine, end: x.bodyEndLine })),
      ];
      for (const sel of sels) {
        const code = lines.slice(sel.start, sel.end + 1).join('\n');
        const r = edit(f, sel, ins);
        const nothing = /no promise chains/.test(r.cannot ?? '');
        // Offered wherever the demo converts; never where it finds nothing to convert (part of a chain, e.g. only the
        // `.catch` callback, is offered: a real model can convert what the selection holds).
        if (hasAsyncToConvert(code) ? nothing : !r.cannot)
          seen.push(`${f} ${sel.start + 1}–${sel.end + 1}: ${r.cannot}`);
      }
    }
    assert.deepEqual(seen, []);
    assert.equal(hasAsyncToConvert(read('stats.py')), false);
    assert.equal(hasAsyncToConvert('fs.readFile(p, (err, data) => done(data));'), true);
  });

  it('Fix with Spark Edit fixes the diagnosed misspelled name (the closest declared name), nothing else', () => {
    const lines = read('shipping.ts').split('\n');
    const line = lines.findIndex((l) => l.includes('subtotl'));
    const ins = fixInstruction([
      {
        line,
        message: "Cannot find name 'subtotl'. Did you mean 'subtotal'?",
        source: 'ts',
        code: 2552,
        severity: 'error',
      },
    ]);
    const r = edit('shipping.ts', { start: 6, end: 10 }, ins).text!;
    assert.equal(r, read('shipping.ts').replace('subtotl >=', 'subtotal >='));
    assert.deepEqual(tsErrors({ 'shipping.ts': r }).get('shipping.ts'), []);
    // Without the "Did you mean": the closest declared name.
    const r2 = demoEdit({
      instruction: fixInstruction([{ line: 1, message: "Cannot find name 'totl'.", severity: 'error' }]),
      code: 'const total = 1;\nconsole.log(totl, "totl");',
    });
    assert.deepEqual(r2, { code: 'const total = 1;\nconsole.log(total, "totl");' });
    // Fix This on stats.py: the empty list.
    const p = edit('stats.py', { start: 4, end: 8 }, REFACTORS[0].instruction).text!;
    assert.match(
      p,
      /def mean\(xs\):\n {4}if not xs:\n {8}raise ValueError\("mean\(\) of an empty sequence"\)\n {4}total = 0/,
    );
    // The whole file: every function an empty list breaks, median (IndexError on sorted(xs)[…]) included.
    const all0 = read('stats.py').split('\n');
    const all = edit('stats.py', { start: 0, end: all0.length - 2 }, REFACTORS[0].instruction).text!;
    for (const fn of ['mean', 'variance', 'median'])
      assert.match(
        all,
        new RegExp(
          `def ${fn}\\(xs\\):\\n {4}if not xs:\\n {8}raise ValueError\\("${fn}\\(\\) of an empty sequence"\\)`,
        ),
        fn,
      );
  });

  it('rename never renames inside strings or comments, and renames inside template holes', () => {
    assert.deepEqual(
      demoEdit({
        instruction: 'rename x to count',
        code: "let x = 1; // x here\nconsole.log('x is', x, `x=${x}`);",
        path: 'a.ts',
      }),
      { code: "let count = 1; // x here\nconsole.log('x is', count, `x=${count}`);" },
    );
    assert.deepEqual(
      demoEdit({ instruction: 'rename x to count', code: 'x = 1  # x\nprint("x", x, f"{x}")', path: 'a.py' }),
      { code: 'count = 1  # x\nprint("x", count, f"{count}")' },
    );
  });

  it('Python gets Python: docstrings, not // or /** */', () => {
    const p = edit(
      'stats.py',
      { start: 0, end: read('stats.py').split('\n').length - 2 },
      REFACTORS.find((x) => x.id === 'document')!.instruction,
    ).text!;
    assert.match(p, /def mean\(xs\):\n {4}"""Mean\.\n\n {4}Args:\n {8}xs: The xs\.\n {4}"""\n {4}total = 0/);
    assert.ok(!/^\s*\/\/|\/\*\*/m.test(p));
  });

  it('an instruction the demo does not know is declined in plain words, not answered with garbage', () => {
    const r = demoEdit({ instruction: 'make it nicer', code: 'let x = 1;' });
    assert.ok('cannot' in r && r.cannot.includes("The demo model can't do this. Set an API key to use a real model"));
  });

  it('over the wire, a can\'t-do is the model\'s refusal (the edit session says "declined… Nothing was changed")', async () => {
    const { ModelServer } = await import('../../src/server/modelServer');
    const { ResponsesSocketTransport } = await import('../../src/core/transport/responsesSocket');
    const server = await new ModelServer().listen();
    const t = new ResponsesSocketTransport({ url: server.wsUrl, log: () => undefined } as any);
    try {
      const input = (text: string) =>
        [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }] as any;
      const r = await t.stream(
        {
          model: 'm',
          instructions: 'x',
          input: input(editPrompt({ instruction: 'make it nicer', code: 'let x = 1;', fileName: 'a.ts' })),
        },
        { onDelta: () => undefined },
      ).done;
      assert.equal(r.stop.kind, 'refusal');
      assert.match(
        (r.stop as { message?: string }).message ?? '',
        /The demo model can't do this. Set an API key to use a real model/,
      );
      assert.equal(r.text, '');
      const ok = await t.stream(
        {
          model: 'm',
          instructions: 'x',
          input: input(editPrompt({ instruction: 'use const', code: 'let x = 1;', fileName: 'a.ts' })),
        },
        { onDelta: () => undefined },
      ).done;
      assert.equal(ok.text, 'const x = 1;\n');
    } finally {
      t.dispose();
      await server.close();
    }
  });

  it('Add Tests writes a real test file next to the source, which type-checks against it (and runs)', () => {
    const rf = REFACTORS.find((x) => x.id === 'tests')!;
    for (const [f, fnName] of [
      ['orders.ts', 'total'],
      ['stats.py', 'mean'],
    ] as const) {
      const text = read(f);
      const fn = findFunctions(text, f.endsWith('.py') ? 'py' : 'ts').find((x) => x.name === fnName)!;
      const testRel = testFileFor(f);
      const instruction = `${rf.instruction}\nTest file: ${testRel} (it does not exist yet: create it with *** Add File).`;
      const r = demoDeep(
        deepPrompt(instruction, [{ path: f, text }], { path: f, startLine: fn.headerLine, endLine: fn.bodyEndLine }),
      );
      assert.ok('code' in r, JSON.stringify(r));
      const ops = parsePatch(r.code);
      assert.deepEqual(
        ops.map((o) => [o.kind, o.path]),
        [['add', testRel]],
        'only a new test file: the source is not edited',
      );
      const body = (ops[0] as { lines: string[] }).lines.join('\n') + '\n';
      if (f.endsWith('.ts')) {
        assert.match(body, /import \{ total \} from '\.\/orders';/);
        assert.deepEqual(tsErrors({ [testRel]: body }).get(testRel), []);
      } else {
        assert.match(body, /from stats import mean\n[\s\S]*class TestStats\(unittest\.TestCase\):/);
        const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'demo-tests-'));
        fs.copyFileSync(path.join(WS, f), path.join(dir, f));
        fs.writeFileSync(path.join(dir, testRel), body);
        execFileSync('python3', ['-m', 'unittest', '-q', testRel.replace(/\.py$/, '')], { cwd: dir, stdio: 'pipe' });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('Deep Edit changes what was selected (each instruction, each function), and the patch applies and compiles', () => {
    for (const f of files) {
      const text = read(f);
      const lines = text.split('\n');
      for (const sel of selections(f).slice(1)) {
        for (const ins of ['add doc comments', 'add error handling', 'use const']) {
          const r = demoDeep(deepPrompt(ins, [{ path: f, text }], { path: f, startLine: sel.start, endLine: sel.end }));
          if ('cannot' in r) {
            assert.ok(r.cannot.endsWith(DEMO_CANT));
            continue;
          }
          let now = [...lines];
          for (const op of parsePatch(r.code)) {
            assert.equal(op.kind, 'update');
            assert.equal(op.path, f);
            const o = op as { old: string[]; new: string[] };
            const at = locate(now, o.old).filter((i) => i >= sel.start - 3 && i <= sel.end + 1);
            assert.equal(at.length, 1, `${ins} on ${sel.what}: the hunk is inside the selection`);
            now = [...now.slice(0, at[0]), ...o.new, ...now.slice(at[0] + o.old.length)];
          }
          // Nothing outside the selection changed.
          assert.deepEqual(now.slice(0, sel.start), lines.slice(0, sel.start), `${ins} on ${sel.what}: before`);
          assert.deepEqual(
            now.slice(now.length - (lines.length - sel.end - 1)),
            lines.slice(sel.end + 1),
            `${ins} on ${sel.what}: after`,
          );
          if (f.endsWith('.ts'))
            assert.deepEqual(tsErrors({ [f]: now.join('\n') }).get(f), baseline.get(f), `${ins} on ${sel.what}`);
          else assert.deepEqual(pyErrors([now.join('\n')]), ['']);
        }
      }
    }
  });
});

function parsePatch(text: string): PatchOp[] {
  const ops: PatchOp[] = [];
  const p = new StreamingPatchParser((op) => ops.push(op));
  p.push(text);
  p.end();
  return ops;
}

describe('demo model (issue 15): a selection of any lines, as a person drags it', function () {
  this.timeout(120_000);
  const errs = (f: string, text: string) => tsErrors({ [f]: text }).get(f)!;

  it('every run of 1–14 lines × every suggested instruction: the answer never adds a syntax error', () => {
    const syntax = (t: string) =>
      (ts.createSourceFile('a.ts', t, ts.ScriptTarget.Latest) as unknown as { parseDiagnostics: unknown[] })
        .parseDiagnostics.length;
    const bad: string[] = [];
    let edits = 0;
    for (const f of files.filter((x) => x.endsWith('.ts'))) {
      const n = read(f).split('\n').length;
      for (let a = 0; a < n; a++)
        for (let b = a; b < Math.min(n, a + 14); b++)
          for (const ins of SUGGESTED) {
            const r = edit(f, { start: a, end: b }, ins);
            if (r.cannot) continue;
            edits++;
            if (syntax(r.text!) > syntax(read(f))) bad.push(`${ins} on ${f} lines ${a + 1}–${b + 1}`);
          }
    }
    assert.deepEqual(bad.slice(0, 5), []);
    assert.ok(edits > 500, `${edits} edits`);
  });

  it('Python: every run of 1–12 lines × every suggested instruction, before and after docstrings: parses, and a true "can\'t"', () => {
    // Round-8 newcomer: `def mean` and part of its docstring, "add error handling": "The functions here already handle
    // their errors (their bodies are a try block)", with no try in sight.
    const documented = edit('stats.py', { start: 0, end: read('stats.py').split('\n').length - 1 }, 'add doc comments');
    const bad: string[] = [];
    const answers: Array<{ where: string; text: string }> = [];
    for (const [name, text] of [
      ['stats.py', read('stats.py')],
      ['stats.py with docstrings', documented.text!],
    ]) {
      const lines = text.split('\n');
      for (let a = 0; a < lines.length; a++)
        for (let b = a; b < Math.min(lines.length, a + 12); b++)
          for (const ins of SUGGESTED) {
            const r = edit('stats.py', { start: a, end: b }, ins, text);
            const where = `${ins.slice(0, 30)} on ${name} lines ${a + 1}–${b + 1}`;
            if (r.text !== undefined) answers.push({ where, text: r.text });
            else if (/already handle/.test(r.cannot!) && !/^\s*try:/m.test(lines.slice(a, b + 1).join('\n')))
              bad.push(`${where}: "${r.cannot}"`);
          }
    }
    const errors = pyErrors(answers.map((x) => x.text));
    answers.forEach((x, i) => errors[i] && bad.push(`${x.where}: ${errors[i]}`));
    assert.deepEqual(bad.slice(0, 5), []);
    assert.ok(answers.length > 100, `${answers.length} answers`);
  });

  it('add error handling: never around a declaration or part of a statement (a `.then(…)` chain cut by the selection)', () => {
    const lines = read('orders.ts').split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const iface = at(/^export interface Order/),
      ret = at(/^\s*return fetch\(url/);
    for (const sel of [
      { start: iface, end: iface },
      { start: iface - 1, end: iface + 1 },
      { start: ret, end: ret },
      { start: ret + 1, end: ret + 1 },
    ]) {
      const r = edit('orders.ts', sel, 'add error handling');
      assert.ok(r.cannot?.endsWith(DEMO_CANT), `lines ${sel.start + 1}–${sel.end + 1}: ${r.text ?? r.cannot}`);
    }
  });

  it('rename and use const on part of a function: never breaks the code after the selection', () => {
    const lines = read('orders.ts').split('\n');
    const decl = lines.findIndex((l) => /^\s*var sum = 0;/.test(l));
    // "rename sum to subtotal" on `var sum = 0;` and the loop, without `return sum;`: the demo says why it can't
    const r = edit('orders.ts', { start: decl, end: decl + 3 }, 'rename sum to subtotal');
    assert.match(r.cannot ?? '', /sum is used after the selection/, r.text);
    // the whole function: renamed, and it type-checks
    const whole = edit('orders.ts', { start: decl - 1, end: decl + 5 }, 'rename sum to subtotal');
    assert.deepEqual(errs('orders.ts', whole.text!), []);
    // the function's header, `var sum` and the loop's first line (its block not closed): kept, and the demo says why
    // (newcomer: "There is no var or let here", with two vars in view)
    const kept = edit('orders.ts', { start: decl - 1, end: decl + 2 }, 'use const');
    assert.match(kept.cannot ?? '', /The var and let here are kept/, kept.text);
    // use const on `var sum = 0;` alone: it is assigned after the selection, so let, never const
    const c = edit('orders.ts', { start: decl, end: decl }, 'use const');
    assert.match(c.text ?? '', /^\s*let sum = 0;/m);
    assert.deepEqual(errs('orders.ts', c.text!), []);
  });

  it('Fix This on a selection that starts inside the function: the parameter above it is a declared name', () => {
    const lines = read('shipping.ts').split('\n');
    const body = lines.findIndex((l) => /const subtotal = total\(order\)/.test(l));
    const r = edit('shipping.ts', { start: body, end: body + 3 }, REFACTORS.find((x) => x.id === 'fix')!.instruction);
    assert.match(r.text ?? '', /total\(order\);/, 'order is the parameter, not a misspelled Order');
    assert.match(r.text ?? '', /if \(subtotal >= FREE_SHIPPING_FROM\)/);
    assert.deepEqual(errs('shipping.ts', r.text!), []);
  });
});

describe('demo chat (issue 15): an answer to Apply only when it changes something, and it says what it did', () => {
  // The chat's examples (src/webview/chat.ts) on every run of 1–8 lines of every demo file. Newcomer (round 7): a
  // partial selection got "here is the same code, documented:" with the code unchanged and no comment in it.
  it('every chat example × every run of 1–8 lines: a block that differs (documented = more comments), or why not', () => {
    // (Explain and What could go wrong? are answered in prose, read from the code: demoExplain.test.ts.)
    const examples = ['Add doc comments to the selection'];
    const comments = (t: string) => (t.match(/^\s*(\/\/|\/\*\*|\*|#|""")/gm) ?? []).length;
    const bad: string[] = [];
    let blocks = 0,
      plain = 0;
    for (const f of files) {
      const lines = read(f).split('\n');
      for (let a = 0; a < lines.length; a++)
        for (let b = a; b < Math.min(lines.length, a + 8); b++)
          for (const q of examples) {
            const code = lines.slice(a, b + 1).join('\n');
            const answer = demoChat(q, { path: f, code });
            const block = /```\S+ path=\S+\n([\s\S]*?)\n```/.exec(answer)?.[1];
            const where = `${q} on ${f} lines ${a + 1}–${b + 1}`;
            if (block === undefined) {
              plain++;
              if (!/can't do this|No change/.test(answer)) bad.push(`${where}: no code and no reason`);
            } else {
              blocks++;
              if (block.trimEnd() === code.trimEnd()) bad.push(`${where}: the code unchanged`);
              if (/documented/.test(answer) && comments(block) <= comments(code))
                bad.push(`${where}: "documented", no comment`);
            }
          }
    }
    assert.deepEqual(bad.slice(0, 5), []);
    assert.ok(blocks > 20 && plain > 20, `${blocks} answers with code, ${plain} without`);
    // A test asked for in the chat points to Add Tests, on a whole function too (it was answered with doc comments).
    const fn = read('orders.ts').split('\n').slice(7, 14).join('\n');
    assert.match(demoChat('Write a test for the selected function', { path: 'orders.ts', code: fn }), /Add Tests/);
  });

  // Session 9, CI 34: the generic "doesn't know this edit" reason was reworded (decline toasts lead with the reason),
  // the chat still looked for the old words, and a question it does not know ("Please review this", the browser chat
  // step) lost the documented code it offers to Apply.
  it('a question the demo does not know, on a whole function: the code documented, to Apply', () => {
    const fn = read('orders.ts').split('\n').slice(7, 14).join('\n');
    for (const q of ['Please review this (xss-test)', 'Make this nicer', 'Can you improve it?']) {
      const answer = demoChat(q, { path: 'orders.ts', code: fn });
      assert.match(answer, /```ts path=orders\.ts\n/, `${q}: a code block\n${answer}`);
      assert.match(answer, /documented/, q);
    }
  });
});

describe('a selection ending on a blank line (issue 11)', () => {
  const FN = ['export function total(order: Order): number {', '  var sum = 0;', '  return sum;', '}'];
  it('the demo answer keeps the blank line the selection ended on (and adds none when there was none)', () => {
    for (const tail of [[''], ['', ''], ['  '], []]) {
      const code = [...FN, ...tail].join('\n');
      const r = demoFromPrompt(editPrompt({ instruction: 'use const', code, fileName: 'orders.ts' }));
      assert.ok('code' in r);
      const lines = outputLines(r.code);
      assert.deepEqual(lines.slice(FN.length), tail, JSON.stringify(tail));
      assert.equal(lines[1], '  const sum = 0;');
    }
  });
  it('a rewrite answer without the trailing blank line keeps it: only the asked-for line changes', () => {
    const original = [...FN, ''];
    for (const answer of [FN.join('\n') + '\n', FN.join('\n')].map((t) => t.replace('var', 'let'))) {
      const region = new PreviewRegion(0, original);
      const d = region.createDiff();
      d.push(answer);
      d.end();
      region.relayoutClean();
      assert.deepEqual(region.textIf('accept'), [...FN.map((l) => l.replace('var', 'let')), '']);
      assert.deepEqual(
        region.rows.filter((x) => x.kind === 'del').map((x) => x.text),
        ['  var sum = 0;'],
        'only the var line is removed, never the blank line',
      );
    }
  });
  it('lines the answer dropped before the trailing blank lines are still removed', () => {
    const region = new PreviewRegion(0, ['a();', 'b();', 'c();', '', '']);
    const d = region.createDiff();
    d.push('a();\n');
    d.end();
    assert.deepEqual(region.textIf('accept'), ['a();', '', '']);
  });
});
