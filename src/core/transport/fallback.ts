import { ResponsesHttpTransport } from './responsesHttp';
import { ResponsesSocketTransport } from './responsesSocket';
import { Emitter } from '../util/emitter';
import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers, StreamResult } from './types';

const RECOVERABLE = new Set(['network', 'timeout', 'protocol']);

/**
 * The warm socket with an HTTP SSE fallback on the same event handling. When the socket cannot connect or
 * dies mid-response, the request is retried over HTTP: text already shown is matched against the retry, so
 * nothing is duplicated or lost (if the retry differs, handlers are told to restart). After
 * `maxRecovered` socket failures that HTTP recovered, WebSocket is switched off for the session.
 */
export class FallbackTransport implements ModelTransport {
  readonly name = 'openai-responses';
  private recovered = 0;
  private _socketDisabled = false;
  private readonly disabledEmitter = new Emitter<string>();
  readonly onDidDisableSocket = this.disabledEmitter.event;

  constructor(
    readonly socket: ResponsesSocketTransport,
    readonly http: ResponsesHttpTransport,
    private readonly o: { maxRecovered?: number; log?: (m: string) => void } = {},
  ) {}

  get socketDisabled(): boolean {
    return this._socketDisabled;
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    if (this._socketDisabled) {
      const s = this.http.stream(req, handlers);
      s.stats.transport = this.http.name;
      return s;
    }
    let shown = '';
    let cancelled = false;
    let active: ActiveStream = this.socket.stream(req, {
      ...handlers,
      onDelta: (d) => {
        shown += d;
        handlers.onDelta(d);
      },
    });
    const primary = active;
    const done = primary.done.catch(async (e: ModelError): Promise<StreamResult> => {
      if (cancelled || !(e instanceof ModelError) || !RECOVERABLE.has(e.kind)) throw e;
      this.o.log?.(
        `socket failed (${e.message}); retrying over HTTP${shown ? ` (${shown.length} chars already shown)` : ''}`,
      );
      let retry = '';
      let matched = 0; // how much of `shown` the retry has reproduced
      let diverged = false;
      const restart = () => {
        diverged = true;
        handlers.onRestart?.();
        if (retry) handlers.onDelta(retry);
      };
      active = this.http.stream(req, {
        ...handlers,
        onDelta: (d) => {
          retry += d;
          if (diverged) {
            handlers.onDelta(d);
            return;
          }
          if (matched >= shown.length) {
            handlers.onDelta(d);
            return;
          }
          const k = Math.min(d.length, shown.length - matched);
          if (d.slice(0, k) !== shown.slice(matched, matched + k)) {
            restart();
            return;
          }
          matched += k;
          if (d.length > k) handlers.onDelta(d.slice(k));
        },
      });
      if (cancelled) active.cancel();
      const r = await active.done;
      if (!diverged && matched < shown.length) restart(); // the retry ended shorter than what was shown
      this.recovered++;
      if (this.recovered >= (this.o.maxRecovered ?? 3) && !this._socketDisabled) {
        this._socketDisabled = true;
        this.o.log?.(`WebSocket switched off for this session after ${this.recovered} failures that HTTP recovered`);
        this.disabledEmitter.fire(`WebSocket off after ${this.recovered} failures; using HTTP streaming`);
      }
      return {
        ...r,
        text: retry,
        stats: {
          ...r.stats,
          startedAt: primary.stats.startedAt,
          sentAt: primary.stats.sentAt ?? r.stats.sentAt,
          firstTokenAt: primary.stats.firstTokenAt ?? r.stats.firstTokenAt,
          warm: primary.stats.warm,
          fellBack: true,
          transport: this.http.name,
        },
      };
    });
    done.catch(() => undefined);
    return {
      done,
      stats: primary.stats,
      cancel: () => {
        cancelled = true;
        active.cancel();
      },
    };
  }

  dispose(): void {
    this.socket.dispose();
    this.http.dispose();
    this.disabledEmitter.dispose();
  }
}

/** A transport that "streams" a text it already has: deep-mode patch blocks become pending diffs through it. */
export class StaticTransport implements ModelTransport {
  readonly name = 'static';
  constructor(private readonly text: string) {}
  stream(_req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    const stats = {
      startedAt: performance.now(),
      outputChars: this.text.length,
      deltas: 1,
      warm: true,
      transport: this.name,
      sentAt: performance.now(),
      firstTokenAt: performance.now(),
    };
    let cancelled = false;
    const done = Promise.resolve().then(() => {
      if (cancelled) throw new ModelError('cancelled', 'cancelled');
      if (this.text) handlers.onDelta(this.text);
      return { text: this.text, stats: { ...stats, endedAt: performance.now() }, stop: { kind: 'end' as const } };
    });
    done.catch(() => undefined);
    return {
      done,
      stats,
      cancel: () => {
        cancelled = true;
      },
    };
  }
  dispose(): void {
    /* nothing */
  }
}
