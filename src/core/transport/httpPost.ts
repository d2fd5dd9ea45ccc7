import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { SseParser } from '../protocol/sse';
import { ModelError } from './types';

// The HTTP wire shared by every SSE provider (Responses over HTTP, Chat Completions, Anthropic Messages): the agent,
// the POST that streams server-sent events, and HTTP errors as typed ModelErrors.

/** A keep-alive agent for a base URL (http or https). */
export function agentFor(baseUrl: string, keepAlive = true): http.Agent | https.Agent {
  const A = baseUrl.startsWith('https:') ? https.Agent : http.Agent;
  return new A({ keepAlive, maxSockets: 8 });
}

/** POST a JSON body and stream the SSE answer. Shared by every SSE provider. */
export function postSse(
  url: URL,
  body: unknown,
  headers: Record<string, string>,
  agent: http.Agent | https.Agent,
  ca: string | Buffer | undefined,
  onSse: (data: string, event?: string) => void,
  stallMs: number,
): { done: Promise<void>; abort: () => void; sentAt: () => number | undefined } {
  const mod = url.protocol === 'https:' ? https : http;
  let req: http.ClientRequest | undefined;
  let sent: number | undefined;
  let aborted = false;
  const closed = (): ModelError =>
    aborted
      ? new ModelError('cancelled', 'cancelled')
      : new ModelError('network', 'The connection closed before the response finished.');
  const done = new Promise<void>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const requestHeaders = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'content-length': Buffer.byteLength(payload),
      ...headers,
    };
    const request = mod.request(url, { method: 'POST', agent, ca, headers: requestHeaders }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) readErrorBody(res, status, reject);
      else readSse(res, request, { onSse, stallMs, closed }, resolve, reject);
    });
    req = request;
    request.on('error', (e) =>
      reject(
        aborted
          ? new ModelError('cancelled', 'cancelled')
          : e instanceof ModelError
            ? e
            : new ModelError('network', `HTTP request failed: ${e.message}`),
      ),
    );
    request.setNoDelay(true);
    request.end(payload, () => {
      sent = performance.now();
    });
    sent = performance.now();
  });
  return {
    done,
    abort: () => {
      aborted = true;
      req?.destroy();
    },
    sentAt: () => sent,
  };
}

/** A non-200 answer: its (bounded) body becomes a typed ModelError. */
function readErrorBody(res: http.IncomingMessage, status: number, reject: (e: Error) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (c) => {
    if (text.length < 4096) text += c;
  });
  res.on('end', () => reject(httpError(status, text, res.headers['retry-after'])));
  res.on('error', () => reject(httpError(status, text, res.headers['retry-after'])));
}

/** A 200 answer: parse its server-sent events, failing the request when no data comes for `stallMs`. */
function readSse(
  res: http.IncomingMessage,
  req: http.ClientRequest,
  opts: { onSse: (data: string, event?: string) => void; stallMs: number; closed: () => ModelError },
  resolve: () => void,
  reject: (e: unknown) => void,
): void {
  const parser = new SseParser((e) => opts.onSse(e.data, e.event));
  let stall: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(stall);
    stall = setTimeout(() => {
      req.destroy(new ModelError('timeout', `No data from the model for ${Math.round(opts.stallMs / 1000)} s.`));
    }, opts.stallMs);
    stall.unref?.();
  };
  arm();
  res.on('data', (c: Buffer) => {
    arm();
    try {
      parser.push(c);
    } catch (e) {
      req.destroy(e as Error);
    }
  });
  res.on('end', () => {
    clearTimeout(stall);
    try {
      parser.end();
      resolve();
    } catch (e) {
      reject(e);
    }
  });
  res.on('error', (e) => {
    clearTimeout(stall);
    reject(e);
  });
  res.on('close', () => {
    clearTimeout(stall);
    if (!res.complete) reject(opts.closed());
  });
}

export function httpError(status: number, body: string, retryAfter: string | string[] | undefined): ModelError {
  let msg = body.slice(0, 300);
  try {
    const j = JSON.parse(body);
    msg = j?.error?.message ?? j?.message ?? msg;
  } catch {
    /* not JSON */
  }
  const ra = retryAfterMs(retryAfter);
  if (status === 401 || status === 403)
    return new ModelError(
      'auth',
      `The model server refused the API key (HTTP ${status}). Set a valid key with "Spark Edit: Set API Key".`,
      String(status),
    );
  if (status === 429)
    return new ModelError(
      'rate_limit',
      `The model server is rate limiting (HTTP 429)${ra !== undefined ? `; retry after ${Math.ceil(ra / 1000)} s` : ''}.`,
      '429',
      ra,
    );
  if (status >= 500)
    return new ModelError('server', `The model server failed (HTTP ${status}): ${msg}`, String(status), ra);
  return new ModelError('server', `The model server rejected the request (HTTP ${status}): ${msg}`, String(status));
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds. */
export function retryAfterMs(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : undefined;
}
