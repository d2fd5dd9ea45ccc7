/**
 * Benchmark parts that need the real VS Code host (run by `npm run bench` through the harness):
 *  - event-loop lag of the extension host while a 1,000 tok/s stream renders into a 2,000-line file
 *  - sustained tokens/s into the document (edits and decorations applied, coalesced to the display rate)
 */
import * as vscode from 'vscode';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { ServerThread } from '../../bench/serverThread';
import { api, openEditor, startEdit, waitFor } from './helpers';
import { NextEditBenchResult, benchNextEdit } from './nextEditBench';

export interface HostBenchResult {
  /** JavaScript file: includes VS Code's own TypeScript extension reacting to the changes. */
  event_loop_lag_ms_p99: number;
  event_loop_lag_ms_max: number;
  /** Same stream into a plaintext file: Spark Edit's own share. */
  event_loop_lag_ms_p99_plaintext: number;
  event_loop_lag_ms_max_plaintext: number;
  lag_stream_tokens: number;
  sustained_tokens_per_s_host: number[];
  host_tokens: number;
  host_document_updates: number;
  /** Targeted edit (issue 14): a one-line fix in the whole file, demo model at 1,000 tok/s; command → last hunk in the document. */
  targeted_complete_ms_host: number[];
  targeted_output_tokens_host: number;
  vscode_version: string;
  /** Next-edit suggestions (issue 16). */
  next_edit?: NextEditBenchResult;
}

function code(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++)
    out.push(i % 10 === 0 ? `function f${i}(a, b) {` : i % 10 === 9 ? '}' : `  var v${i} = a * ${i} + b; // step ${i}`);
  return out.join('\n') + '\n';
}
const rewrite = (src: string) =>
  src
    .split('\n')
    .map((l, i) => (i % 7 === 3 ? l.replace('var ', 'const ') : l))
    .join('\n');

/** CPU profile of the extension host while `fn` runs (node:inspector), written as a .cpuprofile file. */
async function profiled<T>(file: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!file) return fn();
  const inspector = await import('node:inspector');
  const fs = await import('node:fs');
  const session = new inspector.Session();
  session.connect();
  const post = (m: string, p?: object) =>
    new Promise<any>((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

export async function benchInHost(opts: {
  lines: number;
  lagTokens: number;
  repeats: number;
  profile?: string;
}): Promise<HostBenchResult> {
  const a = await api();
  // The model server runs in a worker thread: a real model is remote, its work is not the host's.
  const server = await ServerThread.start(
    ServerThread.defaultWorkerFile(process.env.SPARK_REPO ?? path.resolve(__dirname, '../../..')),
  );
  await vscode.workspace
    .getConfiguration('sparkEdit')
    .update('endpoint', server.url, vscode.ConfigurationTarget.Global);
  await waitFor(() => a.endpoint() === server.url, 'switch to bench server');
  await a.ready();
  const src = code(opts.lines);
  const result: HostBenchResult = {
    event_loop_lag_ms_p99: 0,
    event_loop_lag_ms_max: 0,
    event_loop_lag_ms_p99_plaintext: 0,
    event_loop_lag_ms_max_plaintext: 0,
    lag_stream_tokens: 0,
    sustained_tokens_per_s_host: [],
    host_tokens: 0,
    host_document_updates: 0,
    targeted_complete_ms_host: [],
    targeted_output_tokens_host: 0,
    vscode_version: vscode.version,
  };
  try {
    // 1. Event-loop lag at 1,000 tok/s into a 2,000-line file (JavaScript, then plaintext).
    for (const language of ['javascript', 'plaintext']) {
      const ed = await openEditor(src, language);
      ed.selection = new vscode.Selection(0, 0, opts.lines - 1, ed.document.lineAt(opts.lines - 1).text.length);
      const text = rewrite(src);
      // Stream only the first `lagTokens` tokens' worth of text (about 4 chars a token).
      const cut = Math.min(text.length, opts.lagTokens * 4);
      await server.enqueue({ text: text.slice(0, cut), tokensPerSecond: 1000 });
      await new Promise((r) => setTimeout(r, 500)); // let the editor settle after opening the file
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const v = await profiled(language === 'javascript' ? opts.profile : undefined, async () => {
        const v = await startEdit(a, '/fast bench lag'); // the fast inline path (2,000 lines would route to deep mode)
        await v.session.whenSettled();
        await waitFor(() => v.region.planFlush() === null, 'in sync', 60_000);
        return v;
      });
      h.disable();
      if (language === 'javascript') {
        result.event_loop_lag_ms_p99 = h.percentile(99) / 1e6;
        result.event_loop_lag_ms_max = h.max / 1e6;
        result.lag_stream_tokens = v.session.stats.deltas;
      } else {
        result.event_loop_lag_ms_p99_plaintext = h.percentile(99) / 1e6;
        result.event_loop_lag_ms_max_plaintext = h.max / 1e6;
      }
      await v.rejectAll();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    // 2. Sustained throughput into the document: the model sends as fast as loopback allows.
    for (let r = 0; r < opts.repeats; r++) {
      const ed = await openEditor(src, 'javascript');
      ed.selection = new vscode.Selection(0, 0, opts.lines - 1, ed.document.lineAt(opts.lines - 1).text.length);
      await server.enqueue({ text: rewrite(src) });
      const v = await startEdit(a, '/fast bench throughput');
      await v.session.whenSettled();
      await waitFor(() => v.region.planFlush() === null, 'in sync', 120_000);
      const synced = performance.now();
      const st = v.session.stats;
      result.host_tokens = st.deltas;
      result.host_document_updates = v.flushes;
      // From the first token to the document holding the whole edit, decorated.
      const elapsedMs = synced - (v.session.startedAt + (st.ttftMs ?? 0));
      result.sustained_tokens_per_s_host.push(st.deltas / (elapsedMs / 1000));
      await v.rejectAll();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    // 3. Targeted edit (issue 14): a one-line fix in the whole file, answered as blocks by the demo model at 1,000 tok/s.
    for (let r = 0; r < opts.repeats + 1; r++) {
      const ed = await openEditor(src, 'javascript');
      ed.selection = new vscode.Selection(0, 0, opts.lines - 1, ed.document.lineAt(opts.lines - 1).text.length);
      const target = Math.floor((opts.lines * 0.6) / 10) * 10 + 5;
      await server.enqueue({ tokensPerSecond: 1000 }); // no text: the demo model answers (targeted: the scope is large)
      const t0 = performance.now(); // the command
      const v = await startEdit(a, `rename v${target} to total${target}`);
      await v.session.whenSettled();
      await waitFor(() => v.region.planFlush() === null, 'in sync', 60_000);
      if (!ed.document.getText().includes(`total${target} =`) || v.region.pendingHunks().length !== 1)
        throw new Error('the targeted edit did not land as one hunk');
      if (r > 0) result.targeted_complete_ms_host.push(performance.now() - t0);
      result.targeted_output_tokens_host = v.session.stats.deltas;
      await v.rejectAll();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    // 3. Next-edit suggestions: pause → shown, Spark Edit's own share, lag while typing.
    result.next_edit = await benchNextEdit(a, server, Math.max(3, opts.repeats * 3));
  } finally {
    await server.close();
  }
  return result;
}
