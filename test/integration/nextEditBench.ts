/**
 * The next-edit part of the in-host benchmark (issue 16), in the real VS Code host with the demo model at 1,000 tok/s:
 *  - pause → suggestion shown (decorations set in the host), and Spark Edit's own share of that time
 *  - extension-host event-loop lag while the user types with suggestions on (bursts of keys, then pauses)
 */
import * as vscode from 'vscode';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerThread } from '../../bench/serverThread';
import type { SparkEditApi } from '../../src/vscode/extension';
import { openEditor, waitFor } from './helpers';

export interface NextEditBenchResult {
  /** The user paused after typing: includes the debounce. */
  next_edit_shown_ms: number[];
  /** The suggestion that follows a Tab (accept): no debounce. */
  next_edit_shown_after_tab_ms: number[];
  next_edit_added_ms: number[];
  next_edit_early: number;
  next_edit_debounce_ms: number;
  next_edit_typing_lag_ms_p99: number;
  next_edit_typing_lag_ms_max: number;
  next_edit_requests_started: number;
  next_edit_requests_cancelled: number;
}

/** A function whose parameter `w` is used on every third line below it. */
function file(): string {
  const out = ['function area(w, h) {'];
  for (let i = 0; i < 30; i++) out.push(i % 3 === 0 ? `  const a${i} = w * ${i};` : `  check(${i});`);
  out.push('  return w;', '}', '');
  return out.join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchNextEdit(
  a: SparkEditApi,
  server: ServerThread,
  repeats: number,
): Promise<NextEditBenchResult> {
  const c = vscode.workspace.getConfiguration('sparkEdit');
  await c.update('nextEdit.enabled', true, vscode.ConfigurationTarget.Global);
  const ne = a.nextEdit();
  await waitFor(() => ne.enabled && !!ne.connection, 'next edit on');
  // Every next-edit answer at the demo model's 1,000 tok/s.
  await server.enqueue(...Array.from({ length: repeats * 4 + 40 }, () => ({ tokensPerSecond: 1000 })));
  const result: NextEditBenchResult = {
    next_edit_shown_ms: [],
    next_edit_shown_after_tab_ms: [],
    next_edit_added_ms: [],
    next_edit_early: 0,
    next_edit_debounce_ms: c.get<number>('nextEdit.debounceMs', 100),
    next_edit_typing_lag_ms_p99: 0,
    next_edit_typing_lag_ms_max: 0,
    next_edit_requests_started: 0,
    next_edit_requests_cancelled: 0,
  };
  try {
    // 1. Pause → shown: rename the parameter (one keystroke event), then Tab through two more uses.
    for (let r = 0; r < repeats; r++) {
      const ed = await openEditor(file(), 'typescript');
      await sleep(300); // let the editor settle after opening the file
      ed.selection = new vscode.Selection(0, 15, 0, 15);
      for (let k = 0; k < 3; k++) {
        const n = ne.timings.length;
        if (k === 0) await vscode.commands.executeCommand('type', { text: 'idth' });
        else {
          await ne.accept();
          if (ne.visible) await ne.accept();
        } // (a jump, then) an accept: the next one follows
        await waitFor(() => ne.timings.length > n, 'a suggestion', 30_000);
        const t = ne.timings[ne.timings.length - 1];
        (k === 0 ? result.next_edit_shown_ms : result.next_edit_shown_after_tab_ms).push(t.pauseToShownMs);
        result.next_edit_added_ms.push(t.addedMs);
        if (t.early) result.next_edit_early++;
      }
      ne.dismiss(true);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    // 2. Event-loop lag while typing with suggestions on: bursts of 6 keys 40 ms apart, then a pause of 400 ms.
    const ed = await openEditor(file(), 'typescript');
    await sleep(300);
    ed.selection = new vscode.Selection(31, 10, 31, 10);
    const started = ne.requestsStarted,
      cancelled = ne.requestsCancelled;
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    for (let burst = 0; burst < 8; burst++) {
      for (let k = 0; k < 6; k++) {
        await vscode.commands.executeCommand('type', { text: 'abcdef'[k] });
        await sleep(40);
      }
      await sleep(400);
    }
    h.disable();
    result.next_edit_typing_lag_ms_p99 = h.percentile(99) / 1e6;
    result.next_edit_typing_lag_ms_max = h.max / 1e6;
    result.next_edit_requests_started = ne.requestsStarted - started;
    result.next_edit_requests_cancelled = ne.requestsCancelled - cancelled;
    ne.dismiss(true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  } finally {
    await c.update('nextEdit.enabled', undefined, vscode.ConfigurationTarget.Global);
  }
  return result;
}
