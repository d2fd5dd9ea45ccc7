/** `npm run model-server -- --port 8787 --tps 1000`: the loopback model server on its own, for manual use. */
import { ModelServer } from './modelServer';

async function main() {
  const arg = (n: string) => {
    const i = process.argv.indexOf(n);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const s = await new ModelServer({
    port: Number(arg('--port') ?? 8787),
    defaultTokensPerSecond: Number(arg('--tps') ?? 1000),
    log: console.log,
  }).listen();
  console.log(`Spark Edit model server on ${s.url} (Responses WS ${s.wsUrl}, Responses SSE, Chat Completions SSE)`);
}
void main();
