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

  get active(): DeepJob[] { return this.jobs.filter((j) => j.state === 'queued' || j.state === 'running'); }

  enqueue(title: string, run: (ctx: JobContext) => Promise<void>): DeepJob {
    const cancels: Array<() => void> = [];
    let cancelled = false;
    let resolveDone!: () => void;
    const job: DeepJob = {
      id: nextJobId++, title, state: 'queued', note: 'queued',
      done: new Promise<void>((r) => (resolveDone = r)),
      cancel: () => {
        if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') return;
        cancelled = true;
        const wasQueued = job.state === 'queued';
        job.state = 'cancelled'; job.note = 'cancelled';
        for (const c of cancels.splice(0)) { try { c(); } catch { /* ignore */ } }
        this.emitter.fire(job);
        if (wasQueued) resolveDone();
      },
    };
    this.jobs.push(job);
    this.emitter.fire(job);
    const ctx: JobContext = {
      onCancel: (fn) => { if (cancelled) fn(); else cancels.push(fn); },
      get cancelled() { return cancelled; },
      progress: (note) => { if (!cancelled) { job.note = note; this.emitter.fire(job); } },
    };
    const start = async () => {
      if (cancelled) { resolveDone(); this.waiting.shift()?.(); return; } // pass the free slot on
      this.running++;
      job.state = 'running'; job.note = 'running';
      this.emitter.fire(job);
      try {
        await run(ctx);
        if (!cancelled) { job.state = 'done'; job.note = 'done'; }
      } catch (e) {
        if (!cancelled) { job.state = 'failed'; job.error = (e as Error)?.message ?? String(e); job.note = 'failed'; }
      } finally {
        this.running--;
        this.emitter.fire(job);
        resolveDone();
        this.waiting.shift()?.();
      }
    };
    if (this.running < this.maxConcurrent) void start();
    else this.waiting.push(() => void start());
    return job;
  }

  cancelAll(): void { for (const j of this.active) j.cancel(); }
  dispose(): void { this.cancelAll(); this.emitter.dispose(); }
}
