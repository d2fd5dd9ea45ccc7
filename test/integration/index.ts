/**
 * The integration suite's entry point, in the @vscode/test-electron shape: `run()` is called inside the
 * extension host. Under code-server the harness extension calls it; on a desktop, @vscode/test-electron can.
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';

export interface TestOutcome {
  passed: number;
  failed: number;
  tests: Array<{ title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }>;
}

export async function run(): Promise<TestOutcome> {
  // mocha is loaded from the repository (not bundled): SPARK_REPO points at it.
  const repo = process.env.SPARK_REPO ?? path.resolve(__dirname, '../../..');
  const Mocha = createRequire(path.join(repo, 'package.json'))('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, grep: process.env.SPARK_TEST_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, 'spark-edit-integration', mocha);
  // Test files are bundled; requiring them now registers their suites on the globals set above.
  require('./editLoop.test');
  require('./providers.test');
  require('./surfaces.test');
  require('./faults.test');
  const outcome: TestOutcome = { passed: 0, failed: 0, tests: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t: any) => { outcome.passed++; outcome.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }); });
    runner.on('fail', (t: any, err: any) => { outcome.failed++; outcome.tests.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }); });
    runner.on('pending', (t: any) => { outcome.tests.push({ title: t.fullTitle(), state: 'pending' }); });
  });
  return outcome;
}
