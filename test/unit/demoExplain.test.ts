/**
 * The demo chat's "Explain" and "What could go wrong?" (session 9 newcomers: Explain answered with a can't, "What
 * could go wrong?" with the code documented). Each answer is checked claim by claim against the line it names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { demoChat } from '../../src/server/demo';
import { explainAnswer, risks, risksAnswer } from '../../src/server/demo/explain';
import { findFunctions, outermost } from '../../src/server/demo/functions';
import type { Lang } from '../../src/server/demo/scan';

const WS = path.resolve(__dirname, '../../../demo/workspace');
const files = fs.readdirSync(WS).filter((f) => /\.(ts|py)$/.test(f) && !f.endsWith('.d.ts'));
const read = (f: string) => fs.readFileSync(path.join(WS, f), 'utf8');
const langOf = (f: string): Lang => (f.endsWith('.py') ? 'py' : 'ts');
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

const EXPLAIN = 'Explain the selected code';
const RISKS = 'What could go wrong in this function?';

/**
 * Every claim of an answer about `code` (its first line is `first` in the file), checked against the line it names:
 * a quoted piece of code is on that line (or starts there), and what a risk says is there is there. Returns what is
 * false.
 */
function falseClaims(answer: string, code: string, first: number): string[] {
  const lines = code.split('\n');
  const bad: string[] = [];
  const lineAt = (n: number) => lines[n - first];
  const from = (n: number) => flat(lines.slice(n - first, n - first + 8).join('\n'));
  // Explain: "`piece` (line N)".
  for (const m of answer.matchAll(/`([^`]+)` \(line (\d+)\)/g)) {
    const [, quoted, n] = m;
    const line = lineAt(Number(n));
    if (line === undefined) {
      bad.push(`line ${n} is not in the code: ${quoted}`);
      continue;
    }
    const piece = quoted.replace(/\(…\)$/, '').replace(/…$/, '');
    if (!from(Number(n)).includes(piece) && !flat(line).includes(piece)) bad.push(`line ${n} has no \`${piece}\``);
  }
  // Explain: "**`name`** (lines A–B) takes `p` …": the function is declared on line A, with those parameters.
  for (const m of answer.matchAll(/\*\*`([^`]+)`\*\* \(lines? (\d+)(?:–(\d+))?\)([^.]*)\./g)) {
    const [, name, a, , takes] = m;
    const head = from(Number(a));
    if (!head.includes(name)) bad.push(`${name} is not declared on line ${a}`);
    for (const p of takes.matchAll(/`(\w+)`/g)) if (!head.includes(p[1])) bad.push(`${name} takes no ${p[1]}`);
  }
  // Risks: "- line N <what>".
  for (const m of answer.matchAll(
    /^- line (\d+) (divides by|reads|computes with|declares|calls|assigns|uses) `([^`]+)`/gm,
  )) {
    const [, n, what, quoted] = m;
    const line = lineAt(Number(n));
    if (line === undefined) {
      bad.push(`risk on line ${n}, not in the code`);
      continue;
    }
    const l = flat(line);
    const ok =
      what === 'divides by'
        ? new RegExp(`(/|//|%)\\s*${quoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(l)
        : what === 'computes with'
          ? l.includes(quoted) && /[-+*/]/.test(l.replace(/\/\/.*$/, ''))
          : what === 'calls'
            ? l.includes(quoted.replace(/\(…\)$/, '').replace(/…\)$/, ''))
            : l.includes(quoted.replace(/\(…\)$/, '').replace(/\[…\]$/, ''));
    if (!ok) bad.push(`line ${n} does not ${what} \`${quoted}\`: ${l}`);
  }
  return bad;
}

/** Every function of every demo file, alone (first line as in the file), and each file whole. */
function selections(): Array<{ file: string; code: string; first: number }> {
  const out: Array<{ file: string; code: string; first: number }> = [];
  for (const f of files) {
    const text = read(f);
    out.push({ file: f, code: text, first: 1 });
    const lines = text.split('\n');
    for (const fn of outermost(findFunctions(text, langOf(f)))) {
      const end = langOf(f) === 'py' ? fn.bodyEndLine : text.slice(0, fn.bodyClose).split('\n').length - 1;
      out.push({ file: f, code: lines.slice(fn.headerLine, end + 1).join('\n'), first: fn.headerLine + 1 });
    }
  }
  return out;
}

describe('demo chat: Explain and What could go wrong?, read from the code (session 9)', () => {
  it('on every function of the demo workspace and each file whole: prose, and every claim true of its line', () => {
    const sels = selections();
    assert.ok(sels.length >= 10, `${sels.length} selections`);
    const bad: string[] = [];
    for (const s of sels)
      for (const q of [EXPLAIN, RISKS]) {
        const a = demoChat(q, { path: s.file, code: s.code, line: s.first });
        const where = `${q} on ${s.file}:${s.first}`;
        if (/```/.test(a)) bad.push(`${where}: a code block`);
        if (/can't do this|cannot do that|documented/.test(a)) bad.push(`${where}: not an answer`);
        bad.push(...falseClaims(a, s.code, s.first).map((b) => `${where}: ${b}`));
      }
    assert.deepEqual(bad, []);
  });

  it('every chat example × every run of 1–8 lines of every demo file: no false claim, no code block', () => {
    const bad: string[] = [];
    let n = 0;
    for (const f of files) {
      const lines = read(f).split('\n');
      for (let a = 0; a < lines.length; a++)
        for (let b = a; b < Math.min(lines.length, a + 8); b++)
          for (const q of [EXPLAIN, RISKS]) {
            const code = lines.slice(a, b + 1).join('\n');
            const ans = demoChat(q, { path: f, code, line: a + 1 });
            n++;
            if (/```/.test(ans)) bad.push(`${q} on ${f}:${a + 1}-${b + 1}: a code block`);
            bad.push(...falseClaims(ans, code, a + 1).map((x) => `${q} on ${f}:${a + 1}-${b + 1}: ${x}`));
          }
    }
    assert.deepEqual(bad.slice(0, 8), [], `${bad.length} of ${n}`);
  });

  it('Explain says what a function takes, its loops, branches, calls and returns, at their lines', () => {
    const text = read('orders.ts');
    const a = demoChat(EXPLAIN, { path: 'orders.ts', code: text, line: 1 });
    const line = (re: RegExp) => text.split('\n').findIndex((l) => re.test(l)) + 1;
    assert.match(a, new RegExp(`\\*\\*\`total\`\\*\\* \\(lines ${line(/function total/)}–`));
    assert.match(a, /takes `order` \(Order\)/);
    assert.match(
      a,
      new RegExp(
        `It loops: \`for \\(var i = 0; i < order\\.items\\.length; i\\+\\+\\)\` \\(line ${line(/for \(var i/)}\\)`,
      ),
    );
    assert.match(a, new RegExp(`branches on \`if \\(order\\.coupon === 'HALF'\\)\` \\(line ${line(/'HALF'/)}\\)`));
    assert.match(a, new RegExp(`calls \`fetch\\(…\\)\` \\(line ${line(/await fetch/)}\\)`));
    assert.match(a, /returns `sum`/);
    const py = demoChat(EXPLAIN, { path: 'stats.py', code: read('stats.py'), line: 1 });
    assert.match(py, /\*\*`mean`\*\* \(lines 5–9\) takes `xs`\. It loops: `for x in xs` \(line 7\)/);
    assert.match(py, /returns `total \/ len\(xs\)` \(line 9\)/);
  });

  it('What could go wrong finds the risks that are there, each at its line; none, said plainly', () => {
    const stats = read('stats.py');
    const r = risks(stats, 'py');
    const at = (re: RegExp) => stats.split('\n').findIndex((l) => re.test(l));
    assert.ok(
      r.some((x) => x.kind === 'division' && x.line === at(/return total \/ len\(xs\)/)),
      'mean: / len(xs)',
    );
    assert.ok(
      r.some((x) => x.kind === 'index' && x.line === at(/ordered\[middle - 1\]/)),
      'median: an empty list',
    );
    // `return ordered[middle]` under `if len(ordered) % 2:` runs only on a list that is not empty.
    assert.ok(!r.some((x) => x.kind === 'index' && x.line === at(/^\s+return ordered\[middle\]$/)));
    const orders = read('orders.ts');
    const ro = risks(orders, 'ts');
    for (const k of ['var', 'money'] as const)
      assert.ok(
        ro.some((x) => x.kind === k),
        k,
      );
    assert.ok(!ro.some((x) => x.kind === 'index'), 'order.items[i] is bounded by the loop over its length');
    const none = risksAnswer('export function add(a: number, b: number): number {\n  return a + b;\n}', 'ts');
    assert.match(none, /found none of the risks it checks for/);
    assert.match(none, /a real model would look deeper/);
  });

  it('each rule, on code that has the risk and on code that guards against it', () => {
    const kinds = (code: string, lang: Lang = 'ts') => risks(code, lang).map((r) => `${r.kind}@${r.line}`);
    assert.deepEqual(kinds('function f(a: number, b: number) {\n  return a / b;\n}'), ['division@1']);
    assert.deepEqual(kinds('function f(a: number, b: number) {\n  if (b === 0) return 0;\n  return a / b;\n}'), []);
    assert.deepEqual(kinds('function f(xs: number[]) {\n  return xs[0] * 2;\n}'), ['index@1']);
    assert.deepEqual(kinds('function f(xs: number[]) {\n  if (!xs.length) return 0;\n  return xs[0];\n}'), []);
    assert.deepEqual(kinds('function f(s: string) {\n  return parseInt(s);\n}'), ['parseInt@1']);
    assert.deepEqual(kinds('function f(s: string) {\n  return parseInt(s, 10);\n}'), []);
    assert.deepEqual(kinds('async function g() {}\nfunction f() {\n  g();\n  return 1;\n}'), ['unawaited@2']);
    assert.deepEqual(kinds('async function g() {}\nasync function f() {\n  await g();\n}'), []);
    assert.deepEqual(kinds('function f(xs: number[]) {\n  xs.sort();\n  return xs;\n}'), ['mutation@1']);
    assert.deepEqual(kinds('function f(o: { n: number }) {\n  o.n = 1;\n}'), ['mutation@1']);
    assert.deepEqual(kinds('function f(xs: number[]) {\n  return [...xs].sort();\n}'), []);
    assert.deepEqual(kinds('function f(xs: { id: number }[]) {\n  return xs.find((x) => x.id === 1).id;\n}'), [
      'undefined@1',
    ]);
    assert.deepEqual(kinds('function f(xs: { id: number }[]) {\n  return xs.find((x) => x.id === 1)?.id;\n}'), []);
    assert.deepEqual(kinds('function f(price: number) {\n  return price * 1.2;\n}'), ['money@1']);
    assert.deepEqual(kinds('def f(price):\n    return price * 2\n', 'py'), []); // Python ints are exact
    assert.deepEqual(kinds('def f(price):\n    return price * 1.2\n', 'py'), ['money@1']);
    assert.deepEqual(kinds('function f() {\n  var x = 1;\n  return x;\n}'), ['var@1']);
  });

  it('the answers are prose that names lines in the file (the chip says where the selection starts)', () => {
    const code = 'def mean(xs):\n    return sum(xs) / len(xs)\n';
    const a = explainAnswer(code, 'py', 40);
    assert.match(a, /\(lines 40–41\)/);
    assert.match(risksAnswer(code, 'py', 40), /^- line 41 divides by `len\(xs\)`/m);
  });
});
