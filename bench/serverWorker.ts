/** The loopback model server in its own thread, so the benchmark's client side has its own event loop. */
import { parentPort, workerData } from 'node:worker_threads';
import { ModelServer, ScriptStep } from '../src/server/modelServer';

async function main() {
  const server = await new ModelServer(workerData ?? {}).listen();
  parentPort!.on('message', (m: { enqueue?: ScriptStep[]; close?: boolean }) => {
    if (m.enqueue) {
      server.enqueue(...m.enqueue);
      parentPort!.postMessage({ enqueued: m.enqueue.length });
    }
    if (m.close) void server.close().then(() => process.exit(0));
  });
  parentPort!.postMessage({ port: server.port, url: server.url });
}
void main();
