import assert from 'node:assert/strict';
import { route } from '../../src/core/deep/router';
import { StreamingPatchParser, PatchOp, locate, place } from '../../src/core/deep/patch';
import { JobQueue } from '../../src/core/deep/jobs';

describe('router', () => {
  const base = { instruction: 'rename x', selectionLines: 10, contextChars: 1000 };
  it('keeps small single-selection edits fast, with a reason', () => {
    const r = route(base);
    assert.equal(r.mode, 'fast');
    assert.ok(r.reasons.length);
  });
  it('honours /deep and /fast prefixes and strips them', () => {
    assert.deepEqual(
      [route({ ...base, instruction: '/deep do it' }).mode, route({ ...base, instruction: '/deep do it' }).instruction],
      ['deep', 'do it'],
    );
    assert.equal(route({ ...base, instruction: '/fast x', selectionLines: 5000 }).mode, 'fast');
  });
  it('goes deep for large selections, several files, project-wide asks and Add Tests', () => {
    assert.equal(route({ ...base, selectionLines: 401 }).mode, 'deep');
    assert.equal(route({ ...base, mentionedFiles: 1 }).mode, 'deep');
    assert.equal(route({ ...base, instruction: 'rename it across the codebase' }).mode, 'deep');
    assert.equal(route({ ...base, command: 'tests' }).mode, 'deep');
    assert.equal(
      route({ ...base, selectionLines: 5000 }, { enabled: false, deepSelectionLines: 400, deepContextChars: 1e9 }).mode,
      'fast',
    );
  });
});

describe('streaming patch parser', () => {
  const patch = [
    'Here is the patch:',
    '*** Begin Patch',
    '*** Update File: src/a.ts',
    '@@ function a',
    ' function a() {',
    '-  var x = 1;',
    '+  const x = 1;',
    '   return x;',
    '@@',
    ' function b() {',
    '-  return 2;',
    '+  return 3;',
    ' }',
    '*** Add File: src/new.ts',
    '+export const n = 1;',
    '*** Delete File: old.ts',
    '*** End Patch',
    'done',
  ].join('\n');
  it('emits each hunk once its block is closed, for any chunking', () => {
    for (const step of [1, 3, 17, 1000]) {
      const ops: PatchOp[] = [];
      const p = new StreamingPatchParser((o) => ops.push(o));
      for (let i = 0; i < patch.length; i += step) p.push(patch.slice(i, i + step));
      p.end();
      assert.deepEqual(
        ops,
        [
          {
            kind: 'update',
            path: 'src/a.ts',
            old: ['function a() {', '  var x = 1;', '  return x;'],
            new: ['function a() {', '  const x = 1;', '  return x;'],
          },
          {
            kind: 'update',
            path: 'src/a.ts',
            old: ['function b() {', '  return 2;', '}'],
            new: ['function b() {', '  return 3;', '}'],
          },
          { kind: 'add', path: 'src/new.ts', lines: ['export const n = 1;'] },
          { kind: 'delete', path: 'old.ts' },
        ],
        `step ${step}`,
      );
    }
  });
  it('a hunk is available before the stream ends', () => {
    const ops: PatchOp[] = [];
    const p = new StreamingPatchParser((o) => ops.push(o));
    p.push(patch.slice(0, patch.indexOf('@@\n') + 3));
    assert.equal(ops.length, 1);
  });
});

describe('placing hunks', () => {
  const snap = ['a', 'b', 'c', 'd'];
  it('applies where it was, rebases when lines moved, conflicts when the user changed them', () => {
    assert.deepEqual(place(snap, snap, ['b', 'c']), { kind: 'apply', line: 1, moved: false });
    assert.deepEqual(place(['new', 'a', 'b', 'c', 'd'], snap, ['b', 'c']), { kind: 'apply', line: 2, moved: true });
    assert.equal(place(['a', 'B!', 'c', 'd'], snap, ['b', 'c']).kind, 'conflict');
    assert.match((place(snap, snap, ['zzz']) as any).reason, /does not match/);
  });
  it('picks the match nearest to where the model saw it', () => {
    assert.deepEqual(locate(['x', 'y', 'x', 'y'], ['x', 'y']), [0, 2]);
    assert.deepEqual(place(['x', 'y', 'q', 'x', 'y'], ['q', 'q', 'q', 'x', 'y'], ['x', 'y']), {
      kind: 'apply',
      line: 3,
      moved: false,
    });
  });
});

describe('job queue', () => {
  it('runs at most N at once, cancels queued and running jobs', async () => {
    const q = new JobQueue(1);
    const order: string[] = [];
    let release!: () => void;
    let stopped = false;
    const a = q.enqueue('a', async (ctx) => {
      order.push('a');
      ctx.onCancel(() => {
        stopped = true;
        release();
      });
      await new Promise<void>((r) => (release = r));
    });
    const b = q.enqueue('b', async () => {
      order.push('b');
    });
    const c = q.enqueue('c', async () => {
      order.push('c');
    });
    await Promise.resolve();
    assert.equal(a.state, 'running');
    assert.equal(b.state, 'queued');
    b.cancel();
    a.cancel();
    await Promise.all([a.done, b.done, c.done]);
    assert.deepEqual(order, ['a', 'c']);
    assert.equal(stopped, true);
    assert.deepEqual([a.state, b.state, c.state], ['cancelled', 'cancelled', 'done']);
  });
  it('a failing job reports its error', async () => {
    const q = new JobQueue(2);
    const j = q.enqueue('x', async () => {
      throw new Error('boom');
    });
    await j.done;
    assert.equal(j.state, 'failed');
    assert.equal(j.error, 'boom');
  });
});

import { indentBlock } from '../../src/core/blocks';
import { testFileFor, fixInstruction } from '../../src/core/refactors';
import { parseWebviewMessage, parseFenceInfo } from '../../src/core/chat/protocol';

describe('surfaces helpers', () => {
  it('finds the enclosing function by indentation', () => {
    const js = [
      'const a = 1;',
      '',
      'function load(url) {',
      '  return fetch(url).then(function (r) {',
      '    return r.json();',
      '  });',
      '}',
      'const b = 2;',
    ];
    assert.deepEqual(indentBlock(js, 4), { start: 2, end: 6 });
    assert.deepEqual(indentBlock(js, 0), { start: 0, end: 0 });
    const py = [
      'def mean(xs):',
      '    total = 0',
      '    for x in xs:',
      '        total += x',
      '    return total / len(xs)',
      '',
      'x = 1',
    ];
    assert.deepEqual(indentBlock(py, 3), { start: 0, end: 4 });
  });
  it('names test files the usual way', () => {
    assert.equal(testFileFor('src/a.ts'), 'src/a.test.ts');
    assert.equal(testFileFor('pkg/stats.py'), 'pkg/test_stats.py');
    assert.equal(testFileFor('x/y.go'), 'x/y_test.go');
  });
  it('lists every diagnostic in the fix instruction', () => {
    const s = fixInstruction([
      { line: 1, message: 'bad type', source: 'ts', code: 2322, severity: 'error' },
      { line: 4, message: 'unused', severity: 'warning' },
    ]);
    assert.match(s, /line 2: error \(ts 2322\): bad type/);
    assert.match(s, /line 5: warning: unused/);
  });
  it('drops malformed webview messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'hi', chips: ['file'], mode: 'fast' }), {
      type: 'send',
      text: 'hi',
      chips: ['file'],
      mode: 'fast',
    });
    for (const bad of [
      null,
      'x',
      { type: 'send', text: 5, chips: [], mode: 'fast' },
      { type: 'send', text: 'x', chips: ['evil'], mode: 'fast' },
      { type: 'eval', code: 'x' },
      { type: 'apply', code: 'x', language: 'ts', path: 5 },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
  it('reads a fence info string', () => {
    assert.deepEqual(parseFenceInfo('ts path=src/a.ts'), { language: 'ts', path: 'src/a.ts' });
    assert.deepEqual(parseFenceInfo('python'), { language: 'python', path: undefined });
  });
});

import { ContentPolicy } from '../../src/core/policy';

describe('content policy', () => {
  const p = new ContentPolicy();
  it('never sends secrets files, wherever they are', () => {
    for (const f of [
      '.env',
      '.env.local',
      'config/.env.production',
      'certs/server.pem',
      'keys/id_rsa',
      'id_rsa.pub',
      'deploy/secrets/db.json',
      '.secrets/token',
      'a/b/tls.KEY',
    ])
      assert.equal(p.ignored(f), true, f);
    for (const f of ['src/env.ts', 'README.md', 'src/secrets-manager.ts', 'environment.yml'])
      assert.equal(p.ignored(f), false, f);
  });
  it('sends nothing from an untrusted workspace', () => {
    assert.deepEqual(p.check('src/a.ts', true), { ok: true });
    assert.equal(p.check('src/a.ts', false).ok, false);
    assert.match((p.check('.env', true) as any).reason, /ignoredFiles/);
  });
  it('takes user patterns, ignoring bad ones', () => {
    const q = new ContentPolicy(['**/*.secret.ts', '', 42 as any]);
    assert.equal(q.ignored('src/a.secret.ts'), true);
    assert.equal(q.ignored('.env'), false);
  });
});

import { endpointProblem } from '../../src/core/policy';

describe('endpoints', () => {
  it('plain http/ws only to this machine unless explicitly allowed', () => {
    assert.equal(endpointProblem('https://api.openai.com/v1', false), undefined);
    assert.equal(endpointProblem('wss://api.openai.com/v1', false), undefined);
    for (const u of ['http://localhost:11434/v1', 'ws://127.0.0.1:9/v1', 'http://[::1]:8080/v1'])
      assert.equal(endpointProblem(u, false), undefined, u);
    assert.match(endpointProblem('http://10.0.0.5:8000/v1', false)!, /unencrypted http/);
    assert.match(endpointProblem('ws://models.example.com/v1', false)!, /unencrypted ws/);
    assert.equal(endpointProblem('http://10.0.0.5:8000/v1', true), undefined);
    assert.match(endpointProblem('ftp://x', false)!, /must be an http/);
    assert.match(endpointProblem('not a url', false)!, /not a URL/);
    assert.match(endpointProblem('', false)!, /empty/);
  });
});

import { combineHunks } from '../../src/core/deep/patch';
describe('one change per file (issue 11)', () => {
  const file = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  it('joins a file’s hunks into one change with the lines between them unchanged, in any order', () => {
    const r = combineHunks(file, [
      { line: 5, old: ['f'], new: ['F', 'F2'], tag: 2 },
      { line: 1, old: ['b', 'c'], new: ['B'], tag: 1 },
    ]);
    assert.equal(r.start, 1);
    assert.deepEqual(r.oldLines, ['b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(r.newLines, ['B', 'd', 'e', 'F', 'F2']);
    assert.deepEqual(
      r.used.map((h) => h.tag),
      [1, 2],
    );
    // Applying the one change gives exactly what applying each hunk would.
    const applied = [...file.slice(0, r.start), ...r.newLines, ...file.slice(r.start + r.oldLines.length)];
    assert.deepEqual(applied, ['a', 'B', 'd', 'e', 'F', 'F2', 'g']);
  });
  it('leaves out a hunk that overlaps an earlier one, and handles insertions', () => {
    const r = combineHunks(file, [
      { line: 1, old: ['b', 'c'], new: ['X'], tag: 'first' },
      { line: 2, old: ['c'], new: ['Y'], tag: 'overlap' },
      { line: 4, old: [], new: ['ins'], tag: 'insert' },
    ]);
    assert.deepEqual(
      r.overlapping.map((h) => h.tag),
      ['overlap'],
    );
    assert.deepEqual(r.oldLines, ['b', 'c', 'd']);
    assert.deepEqual(r.newLines, ['X', 'd', 'ins']);
  });
});
