import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { parseServerEvent } from '../protocol/responses';
import { SseParser } from '../protocol/sse';
import { applyResponseEvent, responseCreateBody } from './responseEvents';
import { retryAfterMs } from './responsesSocket';
import { agentFor } from './sseStream';
import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers, StreamResult, StreamStats } from './types';

export interface HttpTransportOptions {
  /** Base URL, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  apiKey?: string;
  /** Reuse connections (HTTP keep-alive). Off: a new TCP (and TLS) connection per request. */
  keepAlive?: boolean;
  /** Extra TLS trust (a self-signed loopback certificate in the benchmark). */
  ca?: string | Buffer;
  stallTimeoutMs?: number;
}

/** POST a JSON body and stream the SSE answer. Shared by every SSE provider. */
export function postSse(
  url: URL, body: unknown, headers: Record<string, string>, agent: http.Agent | https.Agent, ca: string | Buffer | undefined,
  onSse: (data: string, event?: string) => void, stallMs: number,
): { done: Promise<void>; abort: () => void; sentAt: () => number | undefined } {
  const mod = url.protocol === 'https:' ? https : http;
  let req: http.ClientRequest | undefined;
  let sent: number | undefined;
  let aborted = false;
  const done = new Promise<void>((resolve, reject) => {
    const payload = JSON.stringify(body);
    req = mod.request(url, {
      method: 'POST', agent, ca,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(payload), ...headers },
    }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { if (text.length < 4096) text += c; });
        res.on('end', () => reject(httpError(status, text, res.headers['retry-after'])));
        res.on('error', () => reject(httpError(status, text, res.headers['retry-after'])));
        return;
      }
      const parser = new SseParser((e) => onSse(e.data, e.event));
      let stall: NodeJS.Timeout | undefined;
      const arm = () => { clearTimeout(stall); stall = setTimeout(() => { req?.destroy(new ModelError('timeout', `No data from the model for ${Math.round(stallMs / 1000)} s.`)); }, stallMs); stall.unref?.(); };
      arm();
      res.on('data', (c: Buffer) => { arm(); try { parser.push(c); } catch (e) { req?.destroy(e as Error); } });
      res.on('end', () => { clearTimeout(stall); try { parser.end(); resolve(); } catch (e) { reject(e); } });
      res.on('error', (e) => { clearTimeout(stall); reject(e); });
      res.on('close', () => { clearTimeout(stall); if (!res.complete) reject(aborted ? new ModelError('cancelled', 'cancelled') : new ModelError('network', 'The connection closed before the response finished.')); });
    });
    req.on('error', (e) => reject(aborted ? new ModelError('cancelled', 'cancelled') : e instanceof ModelError ? e : new ModelError('network', `HTTP request failed: ${e.message}`)));
    req.setNoDelay(true);
    req.end(payload, () => { sent = performance.now(); });
    sent = performance.now();
  });
  return { done, abort: () => { aborted = true; req?.destroy(); }, sentAt: () => sent };
}

export function httpError(status: number, body: string, retryAfter: string | string[] | undefined): ModelError {
  let msg = body.slice(0, 300);
  try { const j = JSON.parse(body); msg = j?.error?.message ?? j?.message ?? msg; } catch { /* not JSON */ }
  const ra = retryAfterMs(retryAfter);
  if (status === 401 || status === 403) return new ModelError('auth', `The model server refused the API key (HTTP ${status}). Set a valid key with "Spark Edit: Set API Key".`, String(status));
  if (status === 429) return new ModelError('rate_limit', `The model server is rate limiting (HTTP 429)${ra !== undefined ? `; retry after ${Math.ceil(ra / 1000)} s` : ''}.`, '429', ra);
  if (status >= 500) return new ModelError('server', `The model server failed (HTTP ${status}): ${msg}`, String(status), ra);
  return new ModelError('server', `The model server rejected the request (HTTP ${status}): ${msg}`, String(status));
}

/** OpenAI Responses over HTTP streaming (SSE): the fallback for the warm socket, same event parser. */
export class ResponsesHttpTransport implements ModelTransport {
  readonly name = 'openai-responses-http';
  private readonly agent: http.Agent | https.Agent;
  constructor(private readonly o: HttpTransportOptions) {
    this.agent = agentFor(o.baseUrl, o.keepAlive ?? true);
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const stats: StreamStats = { startedAt: performance.now(), outputChars: 0, deltas: 0, warm: false };
    const url = new URL(this.o.baseUrl.replace(/\/+$/, '') + '/responses');
    const headers: Record<string, string> = {};
    if (this.o.apiKey) headers.authorization = `Bearer ${this.o.apiKey}`;
    let current: ReturnType<typeof postSse> | undefined;
    let cancelled = false;
    const run = async (): Promise<StreamResult> => {
      // Over HTTP a `store: false` response id is unknown (HTTP 400 previous_response_not_found): the
      // conversation is always sent in full here (the socket's connection cache is what makes ids work there).
      let incremental = false;
      for (let attempt = 0; attempt < 2; attempt++) {
        const st = { text: '', stats, canResendFull: incremental };
        let outcome: StreamResult | ModelError | 'resend' | undefined;
        const { type: _t, ...body } = responseCreateBody(req, incremental);
        current = postSse(url, { ...body, stream: true }, headers, this.agent, this.o.ca, (data) => {
          if (outcome) return;
          const p = parseServerEvent(data);
          if (!p.ok) { outcome = new ModelError('protocol', `The model server sent a bad frame: ${p.reason}`); current?.abort(); return; }
          if (!p.event) return;
          const o = applyResponseEvent(st, p.event, handlers);
          if (o.kind === 'done') outcome = o.result;
          else if (o.kind === 'error' || o.kind === 'connection-limit') outcome = o.error;
          else if (o.kind === 'resend-full') outcome = 'resend';
        }, this.o.stallTimeoutMs ?? 60_000);
        try { await current.done; } catch (e) { if (!outcome) outcome = cancelled ? new ModelError('cancelled', 'cancelled') : e instanceof ModelError ? e : new ModelError('network', String(e)); }
        stats.sentAt ??= current.sentAt();
        if (outcome === 'resend') { incremental = false; stats.resentFullInput = true; continue; }
        if (outcome instanceof ModelError) throw outcome;
        if (!outcome) throw new ModelError('network', 'The stream ended before response.completed.');
        return outcome;
      }
      throw new ModelError('server', 'previous_response_not_found twice');
    };
    const done = run().finally(() => { stats.endedAt = performance.now(); });
    done.catch(() => undefined);
    return { done, stats, cancel: () => { cancelled = true; current?.abort(); } };
  }

  dispose(): void { this.agent.destroy(); }
}
