import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ScriptStep } from '../src/server/modelServer';

/** The loopback model server in a worker thread: its work does not land on the measured event loop. */
export class ServerThread {
  url = '';
  private constructor(private readonly w: Worker) {}
  /** `workerFile`: the compiled bench/serverWorker.js. */
  static async start(workerFile: string, data: object = {}): Promise<ServerThread> {
    const w = new Worker(workerFile, { workerData: data });
    const s = new ServerThread(w);
    await new Promise<void>((resolve, reject) => {
      w.once('error', reject);
      w.once('message', (m) => {
        s.url = m.url;
        resolve();
      });
    });
    return s;
  }
  static defaultWorkerFile(repo: string): string {
    return path.join(repo, 'out', 'bench', 'serverWorker.js');
  }
  async enqueue(...steps: ScriptStep[]): Promise<void> {
    await new Promise<void>((resolve) => {
      this.w.once('message', () => resolve());
      this.w.postMessage({ enqueue: steps });
    });
  }
  async close(): Promise<void> {
    this.w.postMessage({ close: true });
    await new Promise((r) => this.w.once('exit', r));
  }
}
