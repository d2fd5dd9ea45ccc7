/** What a next-edit request is given: whether it is still the newest (a newer pause or a dismissal makes it stale). */
export interface Ticket {
  readonly id: number;
  readonly stale: boolean;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}
const realTimers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) };

/**
 * The next-edit request budget: one debounce timer, at most one request in flight, every older one cancelled.
 * `schedule` (the user paused) restarts the debounce; when it fires the in-flight request (if any) is cancelled
 * first, then `run` starts the new one. `cancel` (typing, Esc, a requested edit) stops both.
 */
export class RequestBudget {
  private timer: unknown;
  private seq = 0;
  private inFlight: { id: number; cancel: () => void } | undefined;
  /** For the bench and the tests. */
  started = 0;
  cancelled = 0;

  constructor(
    private debounceMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  setDebounce(ms: number) {
    this.debounceMs = Math.max(0, ms);
  }
  get debounce(): number {
    return this.debounceMs;
  }
  get busy(): boolean {
    return !!this.inFlight;
  }

  /**
   * After the debounce (or `delayMs`), cancel what is in flight and call `run` with a fresh ticket. `run` returns the
   * request's cancel function and a promise that settles when it ends.
   */
  schedule(
    run: (t: Ticket) => { cancel: () => void; done: Promise<unknown> } | undefined,
    delayMs = this.debounceMs,
  ): void {
    this.clearTimer();
    const id = ++this.seq;
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.start(id, run);
    }, delayMs);
  }

  /** Stop the pending debounce and the request in flight: whatever they would have shown is stale. */
  cancel(): void {
    this.clearTimer();
    this.seq++;
    this.stopInFlight();
  }

  /** Is this ticket the newest? */
  current(t: Ticket): boolean {
    return t.id === this.seq;
  }

  private start(id: number, run: (t: Ticket) => { cancel: () => void; done: Promise<unknown> } | undefined) {
    if (id !== this.seq) return;
    this.stopInFlight();
    const isStale = () => id !== this.seq;
    const ticket: Ticket = {
      id,
      get stale() {
        return isStale();
      },
    };
    const r = run(ticket);
    if (!r) return;
    this.started++;
    const entry = { id, cancel: r.cancel };
    this.inFlight = entry;
    const end = () => {
      if (this.inFlight === entry) this.inFlight = undefined;
    };
    r.done.then(end, end);
  }

  private stopInFlight() {
    const f = this.inFlight;
    this.inFlight = undefined;
    if (f) {
      this.cancelled++;
      f.cancel();
    }
  }

  private clearTimer() {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  dispose() {
    this.cancel();
  }
}
