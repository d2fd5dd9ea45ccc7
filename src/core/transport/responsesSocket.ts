import WebSocket from 'ws';
import { performance } from 'node:perf_hooks';
import { ServerEvent, parseServerEvent } from '../protocol/responses';
import { ResponseState, applyResponseEvent, responseCreateBody } from './responseEvents';
import { Emitter, backoffDelay } from '../util/emitter';
import { retryAfterMs } from './httpPost';
import {
  ActiveStream,
  ConnectionState,
  ModelError,
  ModelRequest,
  ModelTransport,
  StreamHandlers,
  StreamResult,
  StreamStats,
} from './types';

export interface ResponsesSocketOptions {
  /** ws:// or wss:// URL of the responses endpoint, e.g. wss://api.openai.com/v1/responses */
  url: string;
  apiKey?: string;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Rotate the connection before the server's 60-minute limit. */
  maxConnectionAgeMs?: number;
  connectTimeoutMs?: number;
  /** No frame for this long while a response is in flight: the socket is considered dead. */
  stallTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Keep a socket open while idle (the warm socket). */
  keepWarm?: boolean;
  /** Extra TLS trust (a self-signed loopback certificate in the benchmark). */
  ca?: string | Buffer;
  log?: (msg: string) => void;
}

interface Job {
  req: ModelRequest;
  handlers: StreamHandlers;
  stats: StreamStats;
  text: string;
  resolve: (r: StreamResult) => void;
  reject: (e: ModelError) => void;
  settled: boolean;
  resentFull: boolean;
  connectRetries: number;
  /** What the response's events built up so far (text, output item phases, refusal, commentary). */
  st?: ResponseState;
}

/** Convert an http(s) base URL (…/v1) or a ws(s) URL into the ws(s) …/responses URL. */
export function responsesSocketUrl(base: string): string {
  let u = base.trim().replace(/\/+$/, '');
  if (!/\/responses$/.test(u)) u += '/responses';
  return u.replace(/^http:/i, 'ws:').replace(/^https:/i, 'wss:');
}

/**
 * The warm socket: one WebSocket to the Responses API, opened before the first request, kept alive with
 * ping/pong, rotated before the 60-minute limit, reconnected with backoff. One response in flight per
 * connection; further requests queue. Cancel closes the socket (the only documented way to stop a response)
 * and a fresh socket is opened at once so the next request is warm again.
 */
export class ResponsesSocketTransport implements ModelTransport {
  readonly name = 'openai-responses-ws';
  private readonly o: Required<Omit<ResponsesSocketOptions, 'apiKey' | 'log' | 'ca'>> &
    Pick<ResponsesSocketOptions, 'apiKey' | 'log' | 'ca'>;
  private ws: WebSocket | null = null;
  private connecting: Promise<WebSocket> | null = null;
  private queue: Job[] = [];
  private current: Job | null = null;
  private _state: ConnectionState = 'idle';
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private rotateTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private rotatePending = false;
  private disposed = false;
  /** Total sockets opened (for tests and the benchmark). */
  connectionsOpened = 0;
  lastError: ModelError | undefined;
  private readonly stateEmitter = new Emitter<ConnectionState>();
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(opts: ResponsesSocketOptions) {
    this.o = {
      pingIntervalMs: 15_000,
      pongTimeoutMs: 10_000,
      maxConnectionAgeMs: 55 * 60_000,
      connectTimeoutMs: 10_000,
      stallTimeoutMs: 60_000,
      backoffBaseMs: 250,
      backoffCapMs: 30_000,
      keepWarm: true,
      ...opts,
      url: responsesSocketUrl(opts.url),
    };
  }

  get state(): ConnectionState {
    return this._state;
  }
  get busy(): boolean {
    return !!this.current || this.queue.length > 0;
  }

  private setState(s: ConnectionState) {
    if (this._state === s || this._state === 'disposed') return;
    this._state = s;
    this.stateEmitter.fire(s);
  }

  private log(m: string) {
    this.o.log?.(m);
  }

  /** Open the socket now (pre-warm). Resolves when open; never rejects (state says offline). */
  async connect(): Promise<void> {
    try {
      await this.ensureOpen();
    } catch {
      /* state/lastError already say why */
    }
  }

  private ensureOpen(): Promise<WebSocket> {
    if (this.disposed) return Promise.reject(new ModelError('cancelled', 'transport disposed'));
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    if (this.connecting) return this.connecting;
    clearTimeout(this.reconnectTimer);
    this.setState('connecting');
    const headers: Record<string, string> = {};
    if (this.o.apiKey) headers.Authorization = `Bearer ${this.o.apiKey}`;
    this.connecting = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.o.url, {
        headers,
        perMessageDeflate: false,
        handshakeTimeout: this.o.connectTimeoutMs,
        ca: this.o.ca,
      });
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.connecting = null;
        this.ws = ws;
        this.connectionsOpened++;
        this.failures = 0;
        this.lastError = undefined;
        // Nagle would hold our small response.create frame back.
        (ws as unknown as { _socket?: { setNoDelay?(b: boolean): void } })._socket?.setNoDelay?.(true);
        this.setState('warm');
        this.startHeartbeat(ws);
        clearTimeout(this.rotateTimer);
        this.rotateTimer = setTimeout(() => this.rotate(), this.o.maxConnectionAgeMs);
        this.rotateTimer.unref?.();
        resolve(ws);
      });
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        const err =
          status === 401 || status === 403
            ? new ModelError(
                'auth',
                `The model server refused the API key (HTTP ${status}). Set a valid key with "Spark Edit: Set API Key".`,
                String(status),
              )
            : status === 429
              ? new ModelError(
                  'rate_limit',
                  'The model server is rate limiting (HTTP 429).',
                  '429',
                  retryAfterMs(res.headers['retry-after']),
                )
              : new ModelError('network', `The model server refused the WebSocket (HTTP ${status}).`, String(status));
        this.lastError = err;
        res.resume();
        ws.terminate();
      });
      ws.on('error', (e) => {
        if (!this.lastError || opened) this.lastError = new ModelError('network', `WebSocket error: ${e.message}`);
        if (!opened) {
          /* close follows */
        }
      });
      ws.on('close', (code, reason) => {
        this.stopHeartbeat();
        if (!opened) {
          this.connecting = null;
          const err = this.lastError ?? new ModelError('network', `Could not connect to ${this.o.url} (close ${code})`);
          this.lastError = err;
          this.failures++;
          this.setState('offline');
          this.scheduleReconnect();
          reject(err);
          return;
        }
        this.onClosed(ws, code, reason.toString());
      });
      ws.on('message', (data, isBinary) => {
        if (ws !== this.ws) return; // frames from a socket we already gave up on
        this.onFrame(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      });
      ws.on('pong', () => clearTimeout(this.pongTimer));
    });
    return this.connecting;
  }

  private startHeartbeat(ws: WebSocket) {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.ping();
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        this.log('no pong: the socket is dead, reconnecting');
        ws.terminate();
      }, this.o.pongTimeoutMs);
      this.pongTimer.unref?.();
    }, this.o.pingIntervalMs);
    this.pingTimer.unref?.();
  }

  private stopHeartbeat() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  private scheduleReconnect(immediate = false) {
    if (this.disposed || (!this.o.keepWarm && !this.busy)) return;
    clearTimeout(this.reconnectTimer);
    const delay = immediate ? 0 : backoffDelay(this.failures - 1, this.o.backoffBaseMs, this.o.backoffCapMs);
    this.reconnectTimer = setTimeout(() => {
      this.ensureOpen().then(
        () => this.pump(),
        () => this.failQueuedOnOffline(),
      );
    }, delay);
    this.reconnectTimer.unref?.();
  }

  /** Requests waiting for a connection that could not be made fail fast, so callers can fall back. */
  private failQueuedOnOffline() {
    const err = this.lastError ?? new ModelError('network', 'The model server is unreachable.');
    for (const j of this.queue.splice(0)) this.settle(j, err);
  }

  private rotate() {
    if (!this.ws) return;
    if (this.current) {
      this.rotatePending = true;
      return;
    }
    this.log('rotating the socket before the connection age limit');
    const old = this.ws;
    this.ws = null;
    old.close(1000, 'rotate');
    this.ensureOpen().then(
      () => this.pump(),
      () => undefined,
    );
  }

  private onClosed(ws: WebSocket, code: number, reason: string) {
    if (ws !== this.ws) return; // an old socket we replaced on purpose
    this.ws = null;
    clearTimeout(this.rotateTimer);
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const job = this.current;
    this.current = null;
    if (job && !job.settled) {
      if (job.text.length === 0 && job.connectRetries < 1) {
        // Nothing streamed yet: retrying on a fresh socket loses nothing.
        job.connectRetries++;
        job.st = undefined;
        this.queue.unshift(job);
      } else {
        const le = this.lastError;
        this.settle(
          job,
          le?.kind === 'timeout'
            ? le
            : le?.code === 'websocket_connection_limit_reached'
              ? new ModelError(
                  'network',
                  'The connection reached its time limit mid-response.',
                  'websocket_connection_limit_reached',
                )
              : new ModelError(
                  'network',
                  `The socket closed before response.completed (code ${code}${reason ? `: ${reason}` : ''}).`,
                ),
        );
      }
    }
    this.lastError = undefined;
    if (this.disposed) return;
    this.setState('connecting');
    this.scheduleReconnect(true);
  }

  /**
   * Warm-up: `response.create` with `generate: false` sends the prompt's prefix now (while the user is still
   * typing the instruction) and returns the response id the real request chains from, so the model has the
   * prefix ready. Resolves undefined when it fails: the real request then simply sends everything.
   */
  prewarm(
    req: Omit<ModelRequest, 'generate' | 'previousResponseId' | 'incrementalInput'>,
  ): Promise<string | undefined> {
    return this.stream({ ...req, generate: false }, { onDelta: () => undefined }).done.then(
      (r) => r.responseId,
      () => undefined,
    );
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const stats: StreamStats = {
      startedAt: performance.now(),
      outputChars: 0,
      deltas: 0,
      warm: this._state === 'warm' && !this.busy,
    };
    let job!: Job;
    const done = new Promise<StreamResult>((resolve, reject) => {
      job = { req, handlers, stats, text: '', resolve, reject, settled: false, resentFull: false, connectRetries: 0 };
    });
    done.catch(() => undefined); // callers observe via their own await
    if (this.disposed) {
      this.settle(job, new ModelError('cancelled', 'transport disposed'));
    } else {
      this.queue.push(job);
      this.pump();
    }
    return { done, stats, cancel: () => this.cancel(job) };
  }

  private cancel(job: Job) {
    if (job.settled) return;
    const qi = this.queue.indexOf(job);
    if (qi >= 0) this.queue.splice(qi, 1);
    this.settle(job, new ModelError('cancelled', 'cancelled'));
    if (this.current === job) {
      // No documented cancel event: closing the socket is the sure way to stop generation.
      this.current = null;
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      const ws = this.ws;
      this.ws = null;
      ws?.terminate();
      this.stopHeartbeat();
      this.ensureOpen().then(
        () => this.pump(),
        () => this.failQueuedOnOffline(),
      );
    }
  }

  private settle(job: Job, result: StreamResult | ModelError) {
    if (job.settled) return;
    job.settled = true;
    job.stats.endedAt = performance.now();
    if (result instanceof ModelError) job.reject(result);
    else job.resolve(result);
  }

  private pump() {
    if (this.current || this.queue.length === 0 || this.disposed) return;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this.ensureOpen().then(
        () => this.pump(),
        () => this.failQueuedOnOffline(),
      );
      return;
    }
    const job = this.queue.shift()!;
    this.current = job;
    this.send(ws, job, !!job.req.previousResponseId && !job.resentFull);
  }

  private send(ws: WebSocket, job: Job, incremental: boolean) {
    const ev = responseCreateBody(job.req, incremental);
    ws.send(JSON.stringify(ev));
    job.stats.sentAt ??= performance.now();
    this.armStall();
  }

  /**
   * Stall detection without a timer per frame: frames stamp `lastFrameAt`; one timer checks it and re-arms
   * itself for the remaining time (at 1,000+ frames/s a clearTimeout/setTimeout pair per frame shows up).
   */
  private lastFrameAt = 0;
  private armStall() {
    this.lastFrameAt = performance.now();
    if (this.stallTimer) return;
    const check = () => {
      this.stallTimer = undefined;
      if (!this.current) return;
      const idle = performance.now() - this.lastFrameAt;
      if (idle < this.o.stallTimeoutMs) {
        this.stallTimer = setTimeout(check, this.o.stallTimeoutMs - idle + 1);
        this.stallTimer.unref?.();
        return;
      }
      this.lastError = new ModelError(
        'timeout',
        `No data from the model for ${Math.round(this.o.stallTimeoutMs / 1000)} s.`,
      );
      this.log('response stalled: closing the socket');
      this.ws?.terminate();
    };
    this.stallTimer = setTimeout(check, this.o.stallTimeoutMs);
    this.stallTimer.unref?.();
  }

  private onFrame(raw: string) {
    const job = this.current;
    const parsed = parseServerEvent(raw);
    if (!job) {
      this.log(`frame with no response in flight ignored: ${raw.slice(0, 80)}`);
      return;
    }
    this.armStall();
    if (!parsed.ok) {
      // A skipped frame could be a lost delta: the text would be silently wrong. Fail the response.
      this.finishCurrent(new ModelError('protocol', `The model server sent a bad frame: ${parsed.reason}`));
      return;
    }
    if (!parsed.event) return;
    this.handleEvent(job, parsed.event);
  }

  private handleEvent(job: Job, ev: ServerEvent) {
    const st = (job.st ??= { text: job.text, stats: job.stats, canResendFull: false });
    st.text = job.text;
    st.canResendFull = !!job.req.previousResponseId && !job.resentFull;
    const o = applyResponseEvent(st, ev, job.handlers);
    job.text = st.text;
    switch (o.kind) {
      case 'continue':
        return;
      case 'done':
        this.finishCurrent(o.result);
        return;
      case 'error':
        this.finishCurrent(o.error);
        return;
      case 'resend-full':
        job.resentFull = true;
        job.st = undefined;
        job.stats.resentFullInput = true;
        this.log('previous_response_not_found: resending the full input');
        if (this.ws) this.send(this.ws, job, false);
        return;
      case 'connection-limit':
        this.lastError = o.error;
        this.ws?.close(1000, 'limit'); // onClosed retries the job if nothing streamed yet
        return;
    }
  }

  private finishCurrent(r: StreamResult | ModelError) {
    const job = this.current;
    if (!job) return;
    this.current = null;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.settle(job, r);
    if (this.rotatePending) {
      this.rotatePending = false;
      this.rotate();
      return;
    }
    this.pump();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.rotateTimer);
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.stopHeartbeat();
    for (const j of [...this.queue, ...(this.current ? [this.current] : [])])
      this.settle(j, new ModelError('cancelled', 'transport disposed'));
    this.queue = [];
    this.current = null;
    this.ws?.terminate();
    this.ws = null;
    this.setState('disposed');
    this.stateEmitter.dispose();
  }
}
