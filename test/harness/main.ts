/**
 * The harness extension: when SPARK_TEST_RESULT is set, runs the integration suite (the same `run()` that
 * @vscode/test-electron would call) inside this real extension host and writes the outcome as JSON.
 */
import * as fs from 'node:fs';
import { run } from '../integration/index';

export async function activate(): Promise<void> {
  const resultFile = process.env.SPARK_TEST_RESULT;
  if (!resultFile) return;
  let outcome: unknown;
  try {
    outcome = await run();
  } catch (e) {
    outcome = { error: String((e as Error)?.stack ?? e) };
  }
  fs.writeFileSync(resultFile + '.tmp', JSON.stringify(outcome, null, 2));
  fs.renameSync(resultFile + '.tmp', resultFile);
}

export function deactivate(): void { /* nothing */ }
