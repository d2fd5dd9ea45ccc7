import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { checkWritePath, DeepBudget } from '../../src/core/deep/pathPolicy';
import { ContentPolicy, effectiveIgnored, endpointProblem, isLoopback, DEFAULT_IGNORED } from '../../src/core/policy';
import { redact, Redactor, safeUrl } from '../../src/core/security/redact';
import { StreamingPatchParser, PatchOp } from '../../src/core/deep/patch';
import { SseParser } from '../../src/core/protocol/sse';
import { StreamingLineDiff, PARTIAL_MAX } from '../../src/core/diff/streamingDiff';
import { ModelError } from '../../src/core/transport/types';
import { createConnection, preset } from '../../src/core/providers';

const policy = new ContentPolicy(DEFAULT_IGNORED);

describe('deep-mode path policy: hostile paths in a model answer', () => {
  const hostile = [
    '.git/config',
    '.git/hooks/pre-commit',
    '.GIT/config',
    '.Git/HEAD',
    'sub/.git/config',
    '.git',
    'vendor/lib/.git/hooks/post-checkout',
    '.vscode/settings.json',
    '.vscode/tasks.json',
    '.vscode/launch.json',
    '.VSCode/settings.json',
    '.idea/workspace.xml',
    '.devcontainer/devcontainer.json',
    '/etc/passwd',
    '/home/user/.bashrc',
    '~/.bashrc',
    'C:/Windows/win.ini',
    'c:foo',
    'C:\\Windows\\win.ini',
    '\\\\server\\share\\x',
    '//server/share/x',
    'a/../../x',
    '../x',
    'a/..',
    'src/../../../etc/passwd',
    '..',
    './..',
    '%2e%2e/x',
    '.git%2fconfig',
    '%2Egit/config',
    'src\\..\\..\\x',
    '.git\\config',
    'a\u0000.ts',
    'src/a.ts\u0000.txt',
    'a\nb',
    'x\u200b/.git/config',
    '.g\u200cit/config',
    '\ufeff.git/config',
    '.env',
    'config/.env',
    '.env.local',
    'keys/server.pem',
    'id_rsa',
    'secrets/db.json',
    'SECRETS/db.json',
    '.ENV',
    '.git./config',
    '.git /config',
    'GIT~1/config',
    'file.ts:stream',
    'https://evil.example/x',
    'file:///etc/passwd',
    'project.code-workspace',
    '.gitmodules',
    '.npmrc',
    'con',
    'aux.ts',
    'a/nul.txt',
    'a<b',
    '',
    '.',
    '/',
    'x'.repeat(2000),
  ];
  for (const p of hostile) {
    it(`refuses ${JSON.stringify(p.length > 40 ? p.slice(0, 40) + '…' : p)}`, () => {
      const v = checkWritePath(p, policy);
      assert.equal(v.ok, false, `accepted ${JSON.stringify(p)}`);
      if (!v.ok) assert.ok(v.reason.length > 10);
    });
  }
  it('accepts ordinary source paths, normalised', () => {
    for (const [p, n] of [
      ['src/a.ts', 'src/a.ts'],
      ['./src/a.ts', 'src/a.ts'],
      ['src//b/c.py', 'src/b/c.py'],
      ['.github/workflows/x.yml', '.github/workflows/x.yml'],
      ['.gitignore', '.gitignore'],
      ['docs/git/config.md', 'docs/git/config.md'],
      ['a.test.ts', 'a.test.ts'],
      ['src/environment.ts', 'src/environment.ts'],
    ]) {
      assert.deepEqual(checkWritePath(p, policy), { ok: true, path: n });
    }
  });
  it('says why: a protected folder, the ignore list, ".."', () => {
    assert.match((checkWritePath('.git/config', policy) as { reason: string }).reason, /\.git\/ .*never written/);
    assert.match((checkWritePath('.env', policy) as { reason: string }).reason, /ignoredFiles/);
    assert.match((checkWritePath('a/../../x', policy) as { reason: string }).reason, /leaves the workspace/);
  });
  it('limits files and bytes per answer, once passed nothing more lands', () => {
    const b = new DeepBudget({ maxFiles: 2, maxChangedChars: 100, maxAnswerChars: 1000 });
    assert.ok(b.admit('a', 10));
    assert.ok(b.admit('b', 10));
    assert.ok(b.admit('a', 10));
    assert.equal(b.admit('c', 1), false);
    assert.match(b.exceeded!, /more than 2 files/);
    assert.equal(b.admit('a', 1), false, 'nothing after the limit');
    const c = new DeepBudget({ maxFiles: 9, maxChangedChars: 1000, maxAnswerChars: 1000 });
    assert.ok(c.admit('a', 600));
    assert.equal(c.admit('a', 600), false);
    assert.equal(c.exceeded, 'the answer changes more than 1 KB');
  });
});

describe('ignore list: a workspace may add, never remove', () => {
  it('an empty workspace list keeps the user list (or the defaults)', () => {
    assert.deepEqual(effectiveIgnored(undefined, [], undefined), DEFAULT_IGNORED);
    assert.deepEqual(effectiveIgnored(['**/*.secret'], []), ['**/*.secret']);
  });
  it('workspace patterns are added', () => {
    const l = effectiveIgnored(undefined, ['**/*.private.ts'], ['x/**']);
    assert.ok(l.includes('**/.env') && l.includes('**/*.private.ts') && l.includes('x/**'));
    assert.ok(new ContentPolicy(l).ignored('a/b.private.ts'));
  });
  it('junk in settings is ignored', () => {
    assert.deepEqual(effectiveIgnored('**/*', [1, null, '', '  '] as unknown), DEFAULT_IGNORED);
  });
});

describe('endpoint rules', () => {
  it('only literal loopback names are local', () => {
    for (const u of [
      'http://127.0.0.1.nip.io/v1',
      'http://127.0.0.1.evil.example/v1',
      'http://localhost.evil.example/v1',
      'http://0.0.0.0:8/v1',
      'http://127.0.0.1x.example/',
      'ws://127.0.0.1.nip.io/v1',
    ]) {
      assert.equal(isLoopback(u), false, u);
      assert.match(endpointProblem(u, false)!, /unencrypted (http|ws)/, u);
    }
    for (const u of [
      'http://127.0.0.1:9/v1',
      'http://127.255.0.3/v1',
      'http://localhost:1/v1',
      'http://LOCALHOST:1/v1',
      'http://[::1]:2/v1',
    ])
      assert.equal(isLoopback(u), true, u);
  });
  it('credentials in an endpoint URL never reach the description (log line, Test Connection)', () => {
    const c = createConnection({
      preset: preset('openai-compatible'),
      baseUrl: 'https://user:tok-SECRET123@models.example.com/v1',
      model: 'm',
      predictions: false,
      wire: 'auto',
    });
    assert.ok(!c.describe.includes('SECRET') && !c.describe.includes('user'), c.describe);
    c.transport.dispose();
    assert.equal(safeUrl('https://u:p@h.example/v1'), 'https://h.example/v1');
    assert.equal(safeUrl('https://h.example/v1'), 'https://h.example/v1');
  });
});

describe('redaction of server text', () => {
  const key = 'sk-proj-AbCdEf0123456789xyz';
  it('removes every known key, Bearer tokens, sk- keys, api_key fields and URL credentials', () => {
    const r = new Redactor();
    r.setKeys([key, 'plainkey-0123456789', undefined, 'short']);
    const body = `{"error":{"message":"Incorrect API key provided: ${key}. Header was Bearer ${key}; also plainkey-0123456789 and sk-ant-api03-ZZZZZZZZZZZZ, x-api-key: abcdefghijkl, see https://bob:hunter2pass@x.example/"}}`;
    const out = r.redact(body);
    for (const s of [key, 'plainkey-0123456789', 'sk-ant-api03-ZZZZZZZZZZZZ', 'abcdefghijkl', 'hunter2pass'])
      assert.ok(!out.includes(s), `${s} in ${out}`);
    assert.match(out, /\[redacted\]/);
    assert.equal(r.redact('short text stays'), 'short text stays');
  });
  it('leaves ordinary text alone', () => {
    const t = 'The model server failed (HTTP 500). Retry-After: 3 s; skip-list sk- risk';
    assert.equal(redact(t, []), t);
  });
});

/**
 * How the cost of `f` grows from n to 4n: the ratio of the fastest of several runs at each size (the fastest run is
 * the least disturbed by other processes on a shared machine). ~4 when linear, ~16 when quadratic; never compared
 * with a fixed time.
 */
function growth(f: (n: number) => void, n: number, runs = 7): number {
  const best = (m: number) => {
    let min = Infinity;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      f(m);
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  };
  best(n); // warm up the JIT
  return best(4 * n) / Math.max(best(n), 0.05);
}

describe('parsers are linear on one long line without a newline (minified code, base64)', function () {
  this.timeout(60_000);
  const N = Number(process.env.SPARK_LINEAR_N ?? 500_000);
  const feed = (n: number, push: (s: string) => void) => {
    const c = 'QUJDREVGR0g=';
    for (let i = 0; i < n; i += c.length) push(c);
  };
  it('streaming diff', () => {
    const r = growth((n) => {
      const d = new StreamingLineDiff(['const a = 1;'], { added() {}, matched() {}, partial() {}, finished() {} });
      feed(n, (s) => d.push(s));
      d.end();
    }, N);
    assert.ok(r < 8, `time(4n)/time(n) = ${r.toFixed(1)} (linear ≈ 4, quadratic ≈ 16)`);
  });
  it('streaming diff: a long original line streamed back unchanged is also linear', () => {
    const orig = 'x'.repeat(4 * N);
    const r = growth((n) => {
      const d = new StreamingLineDiff([orig.slice(0, n)], { added() {}, matched() {}, partial() {}, finished() {} });
      for (let i = 0; i < n; i += 8) d.push('xxxxxxxx');
      d.end();
    }, N);
    assert.ok(r < 8, `ratio ${r.toFixed(1)}`);
  });
  it('streaming diff shows a long partial line cut, and the whole line when it ends', () => {
    const partials: Array<string | null> = [];
    const added: string[] = [];
    const d = new StreamingLineDiff([], {
      added: (l) => added.push(l),
      matched() {},
      partial: (t) => partials.push(t),
      finished() {},
    });
    for (let i = 0; i < 3 * PARTIAL_MAX; i += 10) d.push('abcdefghij');
    assert.ok(partials.length < PARTIAL_MAX / 10 + 3, `${partials.length} partial updates`);
    assert.ok(partials.every((p) => p === null || p.length <= PARTIAL_MAX + 2));
    d.push('\n');
    d.end();
    assert.equal(added[0].length, 3 * PARTIAL_MAX);
  });
  it('patch parser', () => {
    const r = growth((n) => {
      const p = new StreamingPatchParser(() => undefined);
      p.push('*** Begin Patch\n*** Add File: a.txt\n+');
      feed(n, (s) => p.push(s));
      p.end();
    }, N);
    assert.ok(r < 8, `ratio ${r.toFixed(1)}`);
  });
  it('patch parser: a file header padded with a long run of spaces', () => {
    const r = growth((n) => {
      const p = new StreamingPatchParser(() => undefined);
      p.push('*** Begin Patch\n*** Add File: a' + ' '.repeat(n) + 'b\n+x\n*** End Patch\n');
      p.end();
    }, N);
    assert.ok(r < 8, `ratio ${r.toFixed(1)}`);
  });
  it('patch parser still parses every chunking the same', () => {
    const text = '*** Begin Patch\r\n*** Update File:   src/a.ts  \r\n@@\r\n-a\r\n+b\r\n*** End Patch\r\n';
    for (const step of [1, 2, 5, 100]) {
      const ops: PatchOp[] = [];
      const p = new StreamingPatchParser((o) => ops.push(o));
      for (let i = 0; i < text.length; i += step) p.push(text.slice(i, i + step));
      p.end();
      assert.deepEqual(ops, [{ kind: 'update', path: 'src/a.ts', old: ['a'], new: ['b'] }]);
    }
  });
  it('SSE parser', () => {
    const r = growth((n) => {
      const p = new SseParser(() => undefined);
      p.push('data: ');
      feed(n, (s) => p.push(s));
      p.push('\n\n');
      p.end();
    }, N);
    assert.ok(r < 8, `ratio ${r.toFixed(1)}`);
  });
  it('SSE parser: CR, LF and CRLF split across chunks, for every chunking', () => {
    const text = 'event: a\r\ndata: 1\r\ndata: 2\r\n\r\ndata: x\rdata: y\r\rdata: z\n\n: c\ndata: end';
    for (const step of [1, 2, 3, 7, 100]) {
      const got: string[] = [];
      const p = new SseParser((e) => got.push(`${e.event ?? ''}:${e.data}`));
      for (let i = 0; i < text.length; i += step) p.push(text.slice(i, i + step));
      p.end();
      assert.deepEqual(got, ['a:1\n2', ':x\ny', ':z', ':end'], `step ${step}`);
    }
  });
  it('SSE parser: an endless event is stopped at the cap with a clear error, events before it delivered', () => {
    const got: string[] = [];
    const p = new SseParser((e) => got.push(e.data), 10_000);
    p.push('data: first\n\ndata: ');
    let err: unknown;
    try {
      for (let i = 0; i < 2000; i++) p.push('0123456789');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ModelError && err.code === 'event_too_large', String(err));
    assert.match((err as Error).message, /larger than/);
    assert.deepEqual(got, ['first']);
    const q = new SseParser(() => undefined, 10_000);
    assert.throws(() => {
      for (let i = 0; i < 2000; i++) q.push('data: 0123456789\n');
    }, /larger than/);
  });
});
