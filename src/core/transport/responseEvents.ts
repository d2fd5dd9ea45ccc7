import { performance } from 'node:perf_hooks';
import { ResponseCreateEvent, ServerEvent, errorOf } from '../protocol/responses';
import { ModelError, ModelRequest, StreamHandlers, StreamResult, StreamStats } from './types';

/** What one Responses event means for the request it belongs to. Shared by the WebSocket and HTTP SSE wires. */
export type EventOutcome =
  | { kind: 'continue' }
  | { kind: 'done'; result: StreamResult }
  | { kind: 'error'; error: ModelError }
  | { kind: 'resend-full' }          // previous_response_not_found before any text: resend without it
  | { kind: 'connection-limit'; error: ModelError };

export interface ResponseState {
  text: string;
  stats: StreamStats;
  canResendFull: boolean;
}

export function applyResponseEvent(st: ResponseState, ev: ServerEvent, handlers: StreamHandlers): EventOutcome {
  switch (ev.type) {
    case 'response.created':
      st.stats.responseId = ev.response.id;
      return { kind: 'continue' };
    case 'response.output_text.delta':
      if (ev.delta.length === 0) return { kind: 'continue' };
      if (st.stats.firstTokenAt === undefined) st.stats.firstTokenAt = performance.now();
      st.text += ev.delta;
      st.stats.deltas++;
      st.stats.outputChars += ev.delta.length;
      handlers.onDelta(ev.delta);
      return { kind: 'continue' };
    case 'response.output_text.done':
      if (ev.text !== st.text && ev.output_index === 0 && ev.content_index === 0) {
        handlers.onWarning?.(`output_text.done disagrees with the streamed deltas (${ev.text.length} vs ${st.text.length} chars)`);
      }
      return { kind: 'continue' };
    case 'response.completed':
    case 'response.incomplete':
      return { kind: 'done', result: { text: st.text, responseId: ev.response.id, stats: st.stats, status: ev.type === 'response.completed' ? 'completed' : 'incomplete' } };
    case 'response.failed': {
      const e = ev.response.error;
      return { kind: 'error', error: new ModelError('server', `The model failed: ${e?.message ?? 'no reason given'}`, e?.code) };
    }
    case 'error': {
      const { code, message } = errorOf(ev);
      if (code === 'previous_response_not_found' && st.canResendFull && st.text === '') return { kind: 'resend-full' };
      if (code === 'websocket_connection_limit_reached') return { kind: 'connection-limit', error: new ModelError('network', message, code) };
      const kind = code === 'rate_limit_exceeded' ? 'rate_limit'
        : code === 'invalid_api_key' || code === 'unauthorized' ? 'auth' : 'server';
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
  return ev;
}
