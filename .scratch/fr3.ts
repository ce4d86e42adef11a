import { createServer } from 'node:http';
import { runOpenModelLoad } from './r.js';
const s = createServer((q, r) => { q.resume(); q.on('end', () => r.writeHead(202).end('{}')); }).listen(0, '127.0.0.1', async () => {
  const port = (s.address() as any).port;
  const rep = await runOpenModelLoad({ url: `http://127.0.0.1:${port}`, ratePerSecond: 5000, durationMs: 1000, body: () => '{}' });
  const raw = (globalThis as any).raw as number[][];
  console.log(raw.slice(2000, 2010), raw.slice(4000,4010), rep.latencyMs);
  s.close();
});
