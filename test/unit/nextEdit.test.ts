import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {
  earlyNextEdit,
  EditHistory,
  RequestBudget,
  Timers,
  lineHunks,
  nextEditPrompt,
  nextEditWindow,
  parseNextEdit,
  parseNextEditPrompt,
  suggestionFits,
  NEXT_EDIT_INSTRUCTIONS,
} from '../../src/core/nextEdit';
import { demoNextEdit } from '../../src/server/demo';
import { ModelServer } from '../../src/server/modelServer';
import { ResponsesSocketTransport } from '../../src/core/transport/responsesSocket';
import { userMessage } from '../../src/core/protocol/responses';

/** The suggestion the demo model makes after `before` became `after` with the cursor on `cursorLine`. */
function suggest(before: string, after: string, cursorLine: number) {
  const h = new EditHistory(before);
  h.record(after);
  const lines = after.split('\n');
  const win = nextEditWindow(lines, cursorLine);
  const prompt = nextEditPrompt({ path: 'a.ts', languageId: 'typescript', history: h.diffs(), lines, cursorLine }, win);
  return parseNextEdit(demoNextEdit(prompt), win, cursorLine);
}

/**
 * Random edits typed key by key into the demo workspace's TypeScript files: a run of one to three tokens on a line
 * is replaced by a name (or `name: type`) from the file, one key at a time, and the demo model is asked at every
 * key (as after a pause). Returns the suggestions that would add a TypeScript syntax error if accepted with Tab.
 */
function typeAndSuggest(seed: number, trials: number): { shown: number; broken: string[] } {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const syntaxErrors = (t: string) =>
    (ts.createSourceFile('a.ts', t, ts.ScriptTarget.Latest) as unknown as { parseDiagnostics: unknown[] })
      .parseDiagnostics.length;
  const files = ['orders.ts', 'shipping.ts'].map((f) =>
    fs.readFileSync(path.join(__dirname, '../../../demo/workspace', f), 'utf8'),
  );
  const broken: string[] = [];
  let shown = 0;
  for (let trial = 0; trial < trials; trial++) {
    const orig = files[trial % files.length];
    const pool = [...orig.matchAll(/[A-Za-z_$][\w$]*(?:: \w+)?/g)].map((m) => m[0]);
    let lines = orig.split('\n');
    const h = new EditHistory(orig);
    for (let e = 0; e < 3; e++) {
      const L = Math.floor(rnd() * lines.length);
      const toks = [...lines[L].matchAll(/[A-Za-z_$][\w$]*|\S/g)];
      if (!toks.length) continue;
      const a = Math.floor(rnd() * toks.length),
        b = Math.min(toks.length - 1, a + Math.floor(rnd() * 3));
      const before = lines[L].slice(0, toks[a].index),
        after = lines[L].slice(toks[b].index! + toks[b][0].length);
      const typed = pool[Math.floor(rnd() * pool.length)];
      for (let k = 0; k <= typed.length; k++) {
        lines = [...lines];
        lines[L] = before + typed.slice(0, k) + after;
        h.record(lines.join('\n'));
        if (h.isEmpty) continue;
        const win = nextEditWindow(lines, L);
        const prompt = nextEditPrompt(
          { path: 'a.ts', languageId: 'typescript', history: h.diffs(), lines, cursorLine: L },
          win,
        );
        const s = parseNextEdit(demoNextEdit(prompt), win, L);
        if (!s) continue;
        shown++;
        const applied = [...lines];
        applied.splice(s.start, s.oldLines.length, ...s.newLines);
        if (syntaxErrors(applied.join('\n')) > syntaxErrors(lines.join('\n')))
          broken.push(`after "${lines[L]}": ${JSON.stringify(s.oldLines)} → ${JSON.stringify(s.newLines)}`);
      }
    }
  }
  return { shown, broken: broken.slice(0, 5) };
}

describe('next edit: line hunks', () => {
  it('finds each changed run in document order', () => {
    assert.deepEqual(lineHunks(['a', 'b', 'c', 'd'], ['a', 'B', 'c', 'D', 'e']), [
      { oldStart: 1, oldLines: ['b'], newLines: ['B'] },
      { oldStart: 3, oldLines: ['d'], newLines: ['D', 'e'] },
    ]);
    assert.deepEqual(lineHunks(['a'], ['a']), []);
    assert.deepEqual(lineHunks(['a', 'c'], ['a', 'b', 'c']), [{ oldStart: 1, oldLines: [], newLines: ['b'] }]);
  });
});

describe('next edit: history', () => {
  it('records what changed between pauses as diffs, and merges typing on one line across pauses', () => {
    const h = new EditHistory('function f(w) {\n  return w * 2;\n}');
    assert.equal(h.record('function f(w) {\n  return w * 2;\n}'), false);
    assert.ok(h.isEmpty);
    h.record('function f(wid) {\n  return w * 2;\n}');
    h.record('function f(width) {\n  return w * 2;\n}');
    assert.deepEqual(h.diffs(), ['@@ line 1\n-function f(w) {\n+function f(width) {']);
    h.record('function f(width) {\n  return w * 3;\n}');
    assert.equal(h.diffs().length, 2);
  });
  it('typing a change and taking it back leaves no entry; rebase forgets changes the user did not make', () => {
    const h = new EditHistory('a\nb');
    h.record('a\nbx');
    h.record('a\nb');
    assert.ok(h.isEmpty);
    h.rebase('a\nb\nc (accepted from a Spark Edit preview)');
    assert.equal(h.record('a\nb\nc (accepted from a Spark Edit preview)'), false);
  });
  it('keeps only the newest entries', () => {
    const h = new EditHistory('a\nb\nc\nd\ne\nf', 2);
    h.record('A\nb\nc\nd\ne\nf');
    h.record('A\nb\nC\nd\ne\nf');
    h.record('A\nb\nC\nd\nw\nf');
    assert.equal(h.diffs().length, 2);
    assert.match(h.diffs()[1], /\+w/);
  });
});

describe('next edit: prompt and answer', () => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
  it('the prompt carries path, language, the history diffs and the window around the cursor; it reads back', () => {
    const win = nextEditWindow(lines, 50);
    assert.equal(win.start, 48);
    assert.equal(win.end, 70);
    const p = nextEditPrompt(
      { path: 'src/a.ts', languageId: 'typescript', history: ['@@ line 1\n-a\n+b'], lines, cursorLine: 50 },
      win,
    );
    assert.match(p, /^File: src\/a\.ts \(typescript\)/);
    const back = parseNextEditPrompt(p)!;
    assert.deepEqual(back.history, ['@@ line 1\n-a\n+b']);
    assert.equal(back.editable.length, 23);
    assert.equal(back.cursor, 2);
    assert.equal(back.path, 'src/a.ts');
  });
  it('the answer becomes ONE small edit, the changed run nearest the cursor (below it first)', () => {
    const win = nextEditWindow(lines, 50);
    const out = win.editable.map((l) => (l === 'line 49' || l === 'line 52' || l === 'line 60' ? l + '!' : l));
    assert.deepEqual(parseNextEdit(out.join('\n') + '\n', win, 50), {
      start: 52,
      oldLines: ['line 52'],
      newLines: ['line 52!'],
    });
    assert.deepEqual(parseNextEdit(out.join('\n'), win, 60), {
      start: 60,
      oldLines: ['line 60'],
      newLines: ['line 60!'],
    });
    // a fenced answer is read too
    assert.deepEqual(parseNextEdit('```ts\n' + out.join('\n') + '\n```', win, 50)?.start, 52);
  });
  it('early: the first changed run is shown once the answer is two agreeing lines past it, not before', () => {
    const win = nextEditWindow(lines, 50);
    const out = win.editable.map((l) => (l === 'line 53' ? 'line 53!' : l));
    assert.equal(earlyNextEdit(out.slice(0, 6), win, 50), undefined); // the changed line is not followed yet
    assert.deepEqual(earlyNextEdit(out.slice(0, 7), win, 50), {
      start: 53,
      oldLines: ['line 53'],
      newLines: ['line 53!'],
    });
    // two changed lines with one unchanged between them are two edits, the first shown as soon as it is known
    const two = win.editable.map((l) => (l === 'line 51' || l === 'line 53' ? l + '!' : l));
    assert.deepEqual(earlyNextEdit(two.slice(0, 5), win, 50), {
      start: 51,
      oldLines: ['line 51'],
      newLines: ['line 51!'],
    });
    // an inserted line and a deleted line
    const ins = [...win.editable.slice(0, 4), 'new', ...win.editable.slice(4)];
    assert.deepEqual(earlyNextEdit(ins, win, 50), { start: 52, oldLines: [], newLines: ['new'] });
    const del = [...win.editable.slice(0, 4), ...win.editable.slice(5)];
    assert.deepEqual(earlyNextEdit(del, win, 50), { start: 52, oldLines: ['line 52'], newLines: [] });
    // above the cursor: wait for the whole answer
    assert.equal(
      earlyNextEdit(
        win.editable.map((l) => (l === 'line 48' ? 'x' : l)),
        win,
        50,
      ),
      undefined,
    );
  });
  it('no edit: an unchanged, empty or cut-off answer, or a rewrite too big to be a next edit', () => {
    const win = nextEditWindow(lines, 50);
    assert.equal(parseNextEdit(win.editable.join('\n'), win, 50), undefined);
    assert.equal(parseNextEdit('', win, 50), undefined);
    assert.equal(parseNextEdit(win.editable.slice(0, 10).join('\n'), win, 50), undefined);
    assert.equal(parseNextEdit(win.editable.map((l) => l + '?').join('\n'), win, 50), undefined);
  });
  it('a suggestion fits only while its old lines are where they were', () => {
    const s = { start: 2, oldLines: ['line 2'], newLines: ['x'] };
    assert.ok(suggestionFits(s, lines));
    assert.ok(!suggestionFits(s, ['line 0', 'line 1', 'line 2 edited']));
    assert.ok(!suggestionFits({ ...s, start: 99 }, lines.slice(0, 50)));
  });
});

describe('next edit: the demo model', () => {
  it('propagates a rename within the file, one use at a time, nearest the cursor first', () => {
    const before = 'function area(w, h) {\n  const a = w * h;\n  check(a);\n  log(w);\n  return a;\n}';
    const after = before.replace('area(w,', 'area(width,');
    assert.deepEqual(suggest(before, after, 0), {
      start: 1,
      oldLines: ['  const a = w * h;'],
      newLines: ['  const a = width * h;'],
    });
    // Tab: accepted, the next one follows
    const after2 = after.replace('w * h', 'width * h');
    const h = new EditHistory(before);
    h.record(after);
    h.record(after2);
    const lines = after2.split('\n');
    const win = nextEditWindow(lines, 1);
    const s = parseNextEdit(
      demoNextEdit(
        nextEditPrompt({ path: 'a.ts', languageId: 'typescript', history: h.diffs(), lines, cursorLine: 1 }, win),
      ),
      win,
      1,
    );
    assert.deepEqual(s, { start: 3, oldLines: ['  log(w);'], newLines: ['  log(width);'] });
  });
  it('updates call sites after a signature change', () => {
    const before = 'function greet(name) {\n  return name;\n}\ngreet("a");\nconst x = greet(y) + other(z);';
    const after = before.replace('greet(name)', 'greet(name, greeting)');
    // adjacent call sites are one small region rewrite
    assert.deepEqual(suggest(before, after, 0), {
      start: 3,
      oldLines: ['greet("a");', 'const x = greet(y) + other(z);'],
      newLines: ['greet("a", greeting);', 'const x = greet(y, greeting) + other(z);'],
    });
  });
  it('repeats an edit pattern on similar lines', () => {
    const before = 'var a = 1;\nvar b = 2;\nif (a == b) {}';
    assert.deepEqual(suggest(before, before.replace('var a', 'let a'), 0), {
      start: 1,
      oldLines: ['var b = 2;'],
      newLines: ['let b = 2;'],
    });
  });
  it('repeats an operator change (`==` → `===`) on other lines, as a whole operator', () => {
    const before = 'if (a == b) f();\nif (c == d) g();\nconst s = "x==y";';
    assert.deepEqual(suggest(before, before.replace('a == b', 'a === b'), 0), {
      start: 1,
      oldLines: ['if (c == d) g();'],
      newLines: ['if (c === d) g();'],
    });
  });
  it('a half-typed change is not a pattern: no suggestion that breaks the code', () => {
    const before = 'export function total(o) {\n  return o.a;\n}\nexport function other(o) {\n  return 10;\n}';
    // a keyword typed over (`export function` → `su`), a word typed over a keyword, a bracket typed over
    assert.equal(suggest(before, before.replace('export function total', 'su total'), 0), undefined);
    assert.equal(suggest(before, before.replace('  return o.a', '  ord o.a'), 1), undefined);
    assert.equal(suggest(before, before.replace('total(o) {', 'total(o) d'), 0), undefined);
    // a number is replaced as a whole word: `0` → `n` does not touch `10`
    const nums = 'let i = 0;\nlet j = 10;\nlet k = 0;';
    assert.deepEqual(suggest(nums, nums.replace('i = 0', 'i = n'), 0), {
      start: 2,
      oldLines: ['let k = 0;'],
      newLines: ['let k = n;'],
    });
    // a word changed in a comment is not a rename in the code
    const doc = '// returns the sum\nconst sum = 1;\nlog(sum);';
    assert.equal(suggest(doc, doc.replace('the sum', 'the total'), 0), undefined);
  });
  it("property: typing anywhere in the demo workspace, key by key, never gets a suggestion that adds a syntax error (the newcomer's `price: number number {`)", () => {
    for (const seed of [1, 2]) {
      const { shown, broken } = typeAndSuggest(seed, 150);
      assert.ok(shown > 20, `seed ${seed}: the demo still suggests (${shown})`);
      assert.deepEqual(broken, [], `seed ${seed}`);
    }
  });
  it('suggests nothing when no edit follows', () => {
    const before = 'const a = 1;\nconst b = 2;';
    assert.equal(suggest(before, before + '\n', 2), undefined);
    assert.equal(demoNextEdit('not a next-edit prompt'), '');
  });
  it('answers over the real Responses socket (the server recognises a next-edit request)', async () => {
    const server = await new ModelServer({ defaultTokensPerSecond: 0 }).listen();
    const t = new ResponsesSocketTransport({ url: server.url });
    try {
      const before = 'let count = 0;\ncount += 1;';
      const h = new EditHistory(before);
      const after = 'let total = 0;\ncount += 1;';
      h.record(after);
      const lines = after.split('\n');
      const win = nextEditWindow(lines, 0);
      const prompt = nextEditPrompt(
        { path: 'a.ts', languageId: 'typescript', history: h.diffs(), lines, cursorLine: 0 },
        win,
      );
      const r = await t.stream(
        { model: 'spark-demo', instructions: NEXT_EDIT_INSTRUCTIONS, input: [userMessage(prompt)] },
        { onDelta() {} },
      ).done;
      assert.deepEqual(parseNextEdit(r.text, win, 0), {
        start: 1,
        oldLines: ['count += 1;'],
        newLines: ['total += 1;'],
      });
    } finally {
      t.dispose();
      await server.close();
    }
  });
});

describe('next edit: request budget', () => {
  function fakeTimers() {
    const q: Array<{ fn: () => void; at: number; h: number }> = [];
    let now = 0;
    let n = 0;
    const timers: Timers = {
      set: (fn, ms) => {
        q.push({ fn, at: now + ms, h: ++n });
        return n;
      },
      clear: (h) => {
        const i = q.findIndex((x) => x.h === h);
        if (i >= 0) q.splice(i, 1);
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const x of q.filter((x) => x.at <= now)) {
        q.splice(q.indexOf(x), 1);
        x.fn();
      }
    };
    return { timers, advance };
  }
  it('debounces, keeps at most one request in flight and cancels the stale one', () => {
    const { timers, advance } = fakeTimers();
    const b = new RequestBudget(50, timers);
    const log: string[] = [];
    const run = (name: string) => (t: { id: number; stale: boolean }) => {
      log.push(`start ${name}`);
      return {
        cancel: () => log.push(`cancel ${name}`),
        done: new Promise(() => {
          /* open */
        }),
        t,
      };
    };
    b.schedule(run('a'));
    advance(30);
    b.schedule(run('b'));
    advance(30);
    assert.deepEqual(log, []); // still typing: nothing sent
    advance(20);
    assert.deepEqual(log, ['start b']);
    b.schedule(run('c'));
    advance(50);
    assert.deepEqual(log, ['start b', 'cancel b', 'start c']);
    assert.ok(b.busy);
    b.cancel();
    assert.deepEqual(log.at(-1), 'cancel c');
    assert.ok(!b.busy);
    assert.equal(b.started, 2);
    assert.equal(b.cancelled, 2);
  });
  it('a ticket goes stale when a newer pause or a dismissal comes', () => {
    const { timers, advance } = fakeTimers();
    const b = new RequestBudget(0, timers);
    let ticket: { stale: boolean } | undefined;
    b.schedule((t) => {
      ticket = t;
      return { cancel() {}, done: Promise.resolve() };
    });
    advance(0);
    assert.equal(ticket!.stale, false);
    b.schedule(() => undefined);
    assert.equal(ticket!.stale, true);
  });
});
