import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { ModelError, ModelTransport } from '../core/transport/types';
import { formatTimeline } from '../core/util/timeline';
import { SessionView } from './preview';

/** Tells the user why an edit stopped or failed, and what became of their text. */
export function reportError(
  v: SessionView,
  e: ModelError,
  kept: boolean,
  deps: { log: (m: string) => void; redact: (t: string) => string; continued: () => void },
): void {
  const { log, redact } = deps;
  if (e.kind === 'stopped' || e.kind === 'declined') {
    // The model ended its answer itself (an output limit, a filter, a refusal), or the user stopped it: its own message
    // says what was kept. The edit session logged it already (a demo decline was logged twice).
    if (v.session.canContinue) {
      void vscode.window.showWarningMessage(`Spark Edit: ${e.message}`, 'Continue').then((c) => {
        if (c === 'Continue' && !v.isEnded) {
          v.continueAnswer();
          deps.continued();
        }
      });
    } else void vscode.window.showWarningMessage(`Spark Edit: ${e.message}`);
    return;
  }
  const what = kept ? 'What arrived is kept as a pending diff: accept or reject it.' : 'Your text is unchanged.';
  const hint =
    e.kind === 'auth'
      ? 'Set a key with "Spark Edit: Set API Key".'
      : e.kind === 'network' || e.kind === 'timeout'
        ? 'Spark Edit reconnects by itself; try again.'
        : e.kind === 'rate_limit'
          ? 'Wait a moment and try again.'
          : '';
  log(`edit ${v.session.id} failed (${e.kind}${e.code ? ` ${e.code}` : ''}): ${e.message}`);
  void vscode.window.showErrorMessage(redact(`Spark Edit: ${e.message} ${what} ${hint}`.trim()));
}

/** The log line of an ended edit: its state, latencies, speed and wire. */
export function endedLine(view: SessionView, transport: ModelTransport): string {
  const s = view.session.stats;
  return `edit ${view.session.id} ended: ${view.session.state}; first byte ${s.sendLatencyMs?.toFixed(2)} ms, first token ${s.ttftMs?.toFixed(1)} ms, ${s.tokensPerSecond?.toFixed(0)} tok/s over ${s.transport ?? transport.name}${s.fellBack ? ' (fell back to HTTP)' : ''}${s.acceptedPredictionTokens !== undefined ? `, prediction ${s.acceptedPredictionTokens} accepted / ${s.rejectedPredictionTokens} rejected` : ''}, ${view.flushes} document updates`;
}

/** The edit's timeline as one log line, in epoch ms (the bench's browser stage reads it: bench/README.md). */
export function timelineOf(view: SessionView): string {
  const at = (t: number | undefined) => (t === undefined ? undefined : performance.timeOrigin + t);
  const s = view.session.stats,
    t0 = view.session.startedAt,
    tm = view.timing;
  return formatTimeline({
    id: view.session.id,
    command: performance.timeOrigin + t0,
    marks: {
      sent: at(s.sendLatencyMs === undefined ? undefined : t0 + s.sendLatencyMs),
      firstToken: at(s.ttftMs === undefined ? undefined : t0 + s.ttftMs),
      firstEditSent: at(tm.firstEditSent),
      firstEditApplied: at(tm.firstEditApplied),
      firstHunkStreamed: at(tm.firstHunkStreamed),
      firstHunkReady: at(tm.firstHunkReady),
      lastEditApplied: at(tm.acceptLensProvided !== undefined ? tm.lastEditBeforeLens : tm.lastEditApplied),
      acceptLensProvided: at(tm.acceptLensProvided),
      acceptInlayProvided: at(tm.acceptInlayProvided),
    },
  });
}
