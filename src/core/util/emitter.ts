export type Listener<T> = (value: T) => void;
export interface Disposable {
  dispose(): void;
}

/** A minimal typed event emitter (the core cannot use vscode.EventEmitter). */
export class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (l: Listener<T>): Disposable => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (e) {
        console.error('[spark-edit] listener failed', e);
      }
    }
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** Exponential backoff with full jitter in [base*2^n * (1-jitter), base*2^n], capped. */
export function backoffDelay(attempt: number, baseMs = 250, capMs = 30_000, jitter = 0.3, rand = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(exp * (1 - jitter * rand()));
}
