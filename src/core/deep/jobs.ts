import { Emitter } from '../util/emitter';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobContext {
  /** Register what cancelling should stop (e.g. the model stream). */
  onCancel(fn: () => void): void;
  readonly cancelled: boolean;
  progress(note: string): void;
}

export interface DeepJob {
  readonly id: number;
  readonly title: string;
  state: JobState;
  note: string;
  error?: string;
  readonly done: Promise<void>;
  cancel(): void;
}

let nextJobId = 1;

/** Background jobs with a concurrency limit, progress notes and cancel at any time (queued or running). */
export class JobQueue {
  readonly jobs: DeepJob[] = [];
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly emitter = new Emitter<DeepJob>();
  readonly onDidChange = this.emitter.event;

  constructor(public maxConcurrent = 2) {}

  get active(): DeepJob[] {
    return this.jobs.filter((j) => j.state === 'queued' || j.state === 'running');
  }

  enqueue(title: string, run: (ctx: JobContext) => Promise<void>): DeepJob {
    const cancels: Array<() => void> = [];
    let cancelled = false;
    let resolveDone!: () => void;
    const job: DeepJob = {
      id: nextJobId++,
      title,
      state: 'queued',
      note: 'queued',
      done: new Promise<void>((r) => (resolveDone = r)),
      cancel: () => {
        if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') return;
        cancelled = true;
        const wasQueued = job.state === 'queued';
        job.state = 'cancelled';
        job.note = 'cancelled';
        for (const c of cancels.splice(0)) {
          try {
            c();
          } catch {
            /* ignore */
          }
        }
        this.emitter.fire(job);
        if (wasQueued) resolveDone();
      },
    };
    this.jobs.push(job);
    this.emitter.fire(job);
    const ctx: JobContext = {
      onCancel: (fn) => {
        if (cancelled) fn();
        else cancels.push(fn);
      },
      get cancelled() {
        return cancelled;
      },
      progress: (note) => {
        if (!cancelled) {
          job.note = note;
          this.emitter.fire(job);
        }
      },
    };
    // A slot is reserved when the job is scheduled; its work starts on the next microtask, so the caller
    // holds the job before anything runs.
    const start = async () => {
      if (cancelled) {
        this.running--;
        resolveDone();
        this.next();
        return;
      }
      job.state = 'running';
      job.note = 'running';
      this.emitter.fire(job);
      try {
        await run(ctx);
        if (!cancelled) {
          job.state = 'done';
          job.note = 'done';
        }
      } catch (e) {
        if (!cancelled) {
          job.state = 'failed';
          job.error = (e as Error)?.message ?? String(e);
          job.note = 'failed';
        }
      } finally {
        this.running--;
        this.emitter.fire(job);
        resolveDone();
        this.next();
      }
    };
    this.waiting.push(() => {
      this.running++;
      queueMicrotask(() => void start());
    });
    this.next();
    return job;
  }

  private next() {
    while (this.running < this.maxConcurrent && this.waiting.length) this.waiting.shift()!();
  }

  cancelAll(): void {
    for (const j of this.active) j.cancel();
  }
  dispose(): void {
    this.cancelAll();
    this.emitter.dispose();
  }
}
