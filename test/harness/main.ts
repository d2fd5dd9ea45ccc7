/**
 * The harness extension: when SPARK_TEST_RESULT is set, runs the integration suite (the same `run()` that
 * @vscode/test-electron would call) inside this real extension host and writes the outcome as JSON.
 */
import * as fs from 'node:fs';
import { run } from '../integration/index';
import { benchInHost } from '../integration/hostBench';

export async function activate(): Promise<void> {
  const benchFile = process.env.SPARK_BENCH_RESULT;
  const resultFile = benchFile || process.env.SPARK_TEST_RESULT;
  // Once per run: the browser steps reload the window (a new extension host), which must not start the suite again.
  if (!resultFile || fs.existsSync(resultFile)) return;
  let outcome: unknown;
  try {
    if (benchFile) {
      const o = JSON.parse(process.env.SPARK_BENCH_OPTIONS || '{}');
      outcome = await benchInHost({
        lines: o.lines ?? 2000,
        lagTokens: o.lagTokens ?? 3000,
        repeats: o.repeats ?? 3,
        profile: o.profile,
      });
    } else outcome = await run();
  } catch (e) {
    outcome = { error: String((e as Error)?.stack ?? e) };
  }
  fs.writeFileSync(resultFile + '.tmp', JSON.stringify(outcome, null, 2));
  fs.renameSync(resultFile + '.tmp', resultFile);
}

export function deactivate(): void {
  /* nothing */
}
