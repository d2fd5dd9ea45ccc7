import { ActiveStream, ModelError, ModelRequest, ModelTransport, StreamHandlers, StreamResult } from './types';

/** Busy, not broken: worth asking again after a pause (HTTP 429, 502, 503, 529 "overloaded", rate-limit events). */
export function isTransient(e: unknown): e is ModelError {
  if (!(e instanceof ModelError)) return false;
  if (e.kind === 'rate_limit') return true;
  return (
    e.kind === 'server' &&
    (e.code === '502' ||
      e.code === '503' ||
      e.code === '529' ||
      e.code === 'overloaded_error' ||
      e.code === 'server_is_overloaded')
  );
}

export interface RetryOptions {
  /** Further attempts after the first (default 2). */
  retries?: number;
  /** Longest pause Spark Edit will wait for on its own; a longer Retry-After fails at once (default 8 s). */
  maxWaitMs?: number;
  /** Pause when the server names none: base × 2^attempt, with jitter (default 1 s). */
  baseDelayMs?: number;
  /** Told before each pause (createConnection logs it, for every caller: edits, chat and deep jobs). */
  onRetry?: (e: ModelError, waitMs: number, attempt: number) => void;
}

/**
 * Retries a request that the server turned away as busy (rate limit, overloaded), after its Retry-After or a
 * short backoff, as long as nothing of the answer has been shown yet. Once text has arrived, an error is the
 * edit's to report (what arrived stays as a pending diff); a Retry-After longer than `maxWaitMs` fails at
 * once with the server's own message, which says when to try again.
 */
export class RetryingTransport implements ModelTransport {
  readonly name: string;
  constructor(
    readonly inner: ModelTransport,
    private readonly o: RetryOptions = {},
  ) {
    this.name = inner.name;
  }

  stream(req: ModelRequest, handlers: StreamHandlers): ActiveStream {
    let shown = false;
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const relay: StreamHandlers = {
      ...handlers,
      onDelta: (d) => {
        shown = true;
        handlers.onDelta(d);
      },
    };
    let active = this.inner.stream(req, relay);
    const first = active;
    const retries = this.o.retries ?? 2;
    const maxWait = this.o.maxWaitMs ?? 8_000;
    const base = this.o.baseDelayMs ?? 1_000;
    const run = async (): Promise<StreamResult> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await active.done;
        } catch (e) {
          if (cancelled || shown || attempt >= retries || !isTransient(e)) throw e;
          const wait = e.retryAfterMs ?? Math.round(base * 2 ** attempt * (0.8 + Math.random() * 0.4));
          if (wait > maxWait) throw e;
          this.o.onRetry?.(e, wait, attempt + 1);
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, wait);
          });
          wake = undefined;
          if (cancelled) throw new ModelError('cancelled', 'cancelled');
          active = this.inner.stream(req, relay);
          active.stats.startedAt = first.stats.startedAt; // the wait is part of the user's time to first token
        }
      }
    };
    const done = run();
    done.catch(() => undefined);
    return {
      done,
      get stats() {
        return active.stats;
      },
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
        wake?.();
        active.cancel();
      },
    };
  }

  dispose(): void {
    this.inner.dispose();
  }
}
