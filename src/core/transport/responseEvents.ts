import { performance } from 'node:perf_hooks';
import { ResponseCreateEvent, ServerEvent, errorOf } from '../protocol/responses';
import { ModelError, ModelRequest, StopReason, StreamHandlers, StreamResult, StreamStats, stopReasonOf } from './types';

/** What one Responses event means for the request it belongs to. Shared by the WebSocket and HTTP SSE wires. */
export type EventOutcome =
  | { kind: 'continue' }
  | { kind: 'done'; result: StreamResult }
  | { kind: 'error'; error: ModelError }
  | { kind: 'resend-full' } // previous_response_not_found before any text: resend without it
  | { kind: 'connection-limit'; error: ModelError };

export interface ResponseState {
  text: string;
  stats: StreamStats;
  canResendFull: boolean;
  /** Output message phases by item id and by output index (`commentary` text is never the edit). */
  phases?: Map<string | number, string | null | undefined>;
  commentary?: string;
  /** Text of `refusal` content parts. */
  refusal?: string;
  /** Where the current answer item's text starts in `text` (to check output_text.done against it). */
  itemId?: string;
  itemStart?: number;
}

function phaseOf(st: ResponseState, itemId: string, outputIndex: number): string | null | undefined {
  if (!st.phases) return undefined;
  return st.phases.has(itemId) ? st.phases.get(itemId) : st.phases.get(outputIndex);
}

function resultOf(st: ResponseState, id: string, stop: StopReason): StreamResult {
  if (st.refusal !== undefined) stop = { kind: 'refusal', raw: 'refusal', message: st.refusal };
  const r: StreamResult = { text: st.text, responseId: id, stats: st.stats, stop };
  if (st.commentary) r.commentary = st.commentary;
  return r;
}

export function applyResponseEvent(st: ResponseState, ev: ServerEvent, handlers: StreamHandlers): EventOutcome {
  switch (ev.type) {
    case 'response.created':
      st.stats.responseId = ev.response.id;
      return { kind: 'continue' };
    case 'response.output_item.added':
      if (ev.item?.type === 'message' && ev.item.phase !== undefined) {
        st.phases ??= new Map();
        const phase = ev.item.phase as string | null;
        st.phases.set(ev.item.id, phase);
        st.phases.set(ev.output_index, phase);
      }
      return { kind: 'continue' };
    case 'response.output_text.delta': {
      if (ev.delta.length === 0) return { kind: 'continue' };
      const phase = phaseOf(st, ev.item_id, ev.output_index);
      if (phase === 'commentary') {
        // A preamble before the final answer: a status at most, never code.
        st.commentary = (st.commentary ?? '') + ev.delta;
        handlers.onCommentary?.(ev.delta);
        return { kind: 'continue' };
      }
      if (phase === 'final_answer') st.stats.answerPhase = 'final_answer';
      if (st.itemId !== ev.item_id) {
        st.itemId = ev.item_id;
        st.itemStart = st.text.length;
      }
      if (st.stats.firstTokenAt === undefined) st.stats.firstTokenAt = performance.now();
      st.text += ev.delta;
      st.stats.deltas++;
      st.stats.outputChars += ev.delta.length;
      handlers.onDelta(ev.delta);
      return { kind: 'continue' };
    }
    case 'response.output_text.done': {
      if (phaseOf(st, ev.item_id, ev.output_index) === 'commentary') return { kind: 'continue' };
      const streamed = st.itemId === ev.item_id ? st.text.slice(st.itemStart ?? 0) : '';
      if (ev.text !== streamed) {
        handlers.onWarning?.(
          `output_text.done disagrees with the streamed deltas (${ev.text.length} vs ${streamed.length} chars)`,
        );
      }
      return { kind: 'continue' };
    }
    case 'response.refusal.delta':
      st.refusal = (st.refusal ?? '') + ev.delta;
      return { kind: 'continue' };
    case 'response.refusal.done':
      st.refusal = ev.refusal;
      return { kind: 'continue' };
    case 'response.completed':
      return { kind: 'done', result: resultOf(st, ev.response.id, { kind: 'end' }) };
    case 'response.incomplete': {
      const reason = ev.response.incomplete_details?.reason;
      const stop = stopReasonOf(reason ?? 'incomplete');
      return {
        kind: 'done',
        result: resultOf(st, ev.response.id, stop.kind === 'end' ? { kind: 'other', raw: String(reason) } : stop),
      };
    }
    case 'response.failed': {
      const e = ev.response.error;
      // A rate limit that arrives as a failed response is busy, not broken: retried like HTTP 429.
      const kind = e?.code === 'rate_limit_exceeded' ? 'rate_limit' : 'server';
      return {
        kind: 'error',
        error: new ModelError(kind, `The model failed: ${e?.message ?? 'no reason given'}`, e?.code ?? undefined),
      };
    }
    case 'error': {
      const { code, message } = errorOf(ev);
      if (code === 'previous_response_not_found' && st.canResendFull && st.text === '') return { kind: 'resend-full' };
      if (code === 'websocket_connection_limit_reached')
        return { kind: 'connection-limit', error: new ModelError('network', message, code) };
      const kind =
        code === 'rate_limit_exceeded'
          ? 'rate_limit'
          : code === 'invalid_api_key' || code === 'unauthorized'
            ? 'auth'
            : 'server';
      return { kind: 'error', error: new ModelError(kind, `The model server said: ${message}`, code) };
    }
    default:
      return { kind: 'continue' };
  }
}

/** The `response.create` body for a request; `incremental` sends only the new input with previous_response_id. */
export function responseCreateBody(r: ModelRequest, incremental: boolean): ResponseCreateEvent {
  const ev: ResponseCreateEvent = {
    type: 'response.create',
    model: r.model,
    instructions: r.instructions, // not carried over by previous_response_id: sent every time
    input: incremental && r.incrementalInput ? r.incrementalInput : r.input,
    store: false,
  };
  if (incremental && r.previousResponseId) ev.previous_response_id = r.previousResponseId;
  if (r.maxOutputTokens) ev.max_output_tokens = r.maxOutputTokens;
  if (r.generate === false) ev.generate = false;
  return ev;
}
