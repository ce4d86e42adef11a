import { createServer } from 'node:http';
import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';
const s = createServer((q, r) => { q.resume(); q.on('end', () => r.writeHead(202).end('{}')); }).listen(0, '127.0.0.1', async () => {
  const port = (s.address() as any).port;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64, pipelining: 1 });
  const lat: number[] = [];
  for (let k = 0; k < 200; k++) {
    const t = performance.now();
    const r = await pool.request({ path: '/signal', method: 'POST', body: '{}' });
    await r.body.dump();
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  console.log(lat[100], lat[10], lat[190]);
  await pool.close(); s.close();
});
