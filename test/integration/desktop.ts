/**
 * Entry point for desktop VS Code through @vscode/test-electron (scripts/run-integration-desktop.mjs): the same
 * suite as under code-server, failing the run when any test fails (test-electron only sees a rejected promise).
 */
import { run as runSuite } from './index';

export async function run(): Promise<void> {
  const outcome = await runSuite();
  for (const t of outcome.tests) {
    console.log(`${t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-'} ${t.title}`);
    if (t.error) console.log('    ' + t.error.split('\n').slice(0, 8).join('\n    '));
  }
  console.log(`integration (desktop): ${outcome.passed} passed, ${outcome.failed} failed`);
  if (outcome.failed > 0 || outcome.passed === 0) throw new Error(`${outcome.failed} integration test(s) failed`);
}
