import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { postSse } from './httpPost';
import { ActiveStream, ModelError, StopReason, StreamHandlers, StreamResult, StreamStats } from './types';

/** What a provider's event handler can do with the stream. */
export interface SseStreamControl {
  readonly stats: StreamStats;
  /** Parse a JSON frame; a malformed one fails the stream (a skipped frame could be lost text). */
  json(data: string): any;
  emit(text: string): void;
  fail(e: ModelError): void;
  /** The provider said why the answer ended (its terminal event or stop reason arrived). */
  finish(stop?: StopReason): void;
}

export interface SseStreamOptions {
  name: string;
  url: URL;
  body: unknown;
  headers: Record<string, string>;
  agent: http.Agent | https.Agent;
  ca?: string | Buffer;
  stallMs: number;
  handlers: StreamHandlers;
  /** Names the terminal event in the error when the stream ends without it. */
  terminal: string;
  onEvent(data: string, event: string | undefined, s: SseStreamControl): void;
}

/** The request lifecycle shared by the JSON-over-SSE providers (Chat Completions, Anthropic Messages). */
export function streamJsonSse(o: SseStreamOptions): ActiveStream {
  const stats: StreamStats = {
    startedAt: performance.now(),
    outputChars: 0,
    deltas: 0,
    warm: false,
    transport: o.name,
  };
  let text = '';
  let status: StopReason | undefined;
  let failure: ModelError | undefined;
  const ctl: SseStreamControl = {
    stats,
    json(data) {
      try {
        return JSON.parse(data);
      } catch {
        ctl.fail(
          new ModelError('protocol', `The model server sent a bad frame: malformed JSON (${data.length} bytes)`),
        );
        return undefined;
      }
    },
    emit(d) {
      if (!d) return;
      if (stats.firstTokenAt === undefined) stats.firstTokenAt = performance.now();
      text += d;
      stats.deltas++;
      stats.outputChars += d.length;
      o.handlers.onDelta(d);
    },
    fail(e) {
      if (!failure) {
        failure = e;
        sse.abort();
      }
    },
    finish(s = { kind: 'end' }) {
      status = s;
    },
  };
  const sse = postSse(
    o.url,
    o.body,
    o.headers,
    o.agent,
    o.ca,
    (data, event) => {
      if (!failure) o.onEvent(data, event, ctl);
    },
    o.stallMs,
  );
  const done = (async (): Promise<StreamResult> => {
    try {
      await sse.done;
    } catch (e) {
      if (!failure) failure = e instanceof ModelError ? e : new ModelError('network', String(e));
    }
    stats.sentAt = sse.sentAt();
    stats.endedAt = performance.now();
    if (failure) throw failure;
    if (!status) throw new ModelError('network', `The stream ended before ${o.terminal}.`);
    return { text, responseId: stats.responseId, stats, stop: status };
  })();
  done.catch(() => undefined);
  return { done, stats, cancel: () => ctl.fail(new ModelError('cancelled', 'cancelled')) };
}
