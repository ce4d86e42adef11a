/**
 * What the board's live stream costs the server: N clients on `GET /events` against the embedded system at rest,
 * each measured over the same window. Prints the target's CPU (ms of CPU per second of wall time) and the bytes
 * and frames each client receives per second, then the cost per client above the idle baseline.
 *
 *   npm run bench:board                     1, 10 and 50 clients, 10 s each
 *   npm run bench:board -- --seconds 5 --clients 1,100
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startTarget, type RunningTarget } from './targets/startTarget.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '1,10,50' },
  },
});
const windowMs = Number(args.seconds) * 1000;
if (!(windowMs >= 1000)) {
  console.error(`--seconds accepts a number ≥ 1, not "${args.seconds}"`);
  process.exit(2);
}
const counts = args.clients.split(',').map(Number);
if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 1000)) {
  console.error(`--clients accepts counts from 1 to 1000 separated by commas, not "${args.clients}"`);
  process.exit(2);
}
const SETTLE_MS = 2000;

/** One SSE client: counts bytes and status frames from the moment it is asked to. */
interface Client {
  bytes: number;
  frames: number;
  close(): void;
}

async function openClient(url: string): Promise<Client> {
  const stop = new AbortController();
  const response = await fetch(`${url}/events`, { signal: stop.signal });
  if (!response.ok || !response.body) throw new Error(`/events answered ${response.status}`);
  const client: Client = { bytes: 0, frames: 0, close: () => stop.abort() };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        client.bytes += value.byteLength;
        client.frames += decoder.decode(value, { stream: true }).split('event: status\n').length - 1;
      }
    } catch {
      // Aborted by close().
    }
  })();
  return client;
}

interface Sample {
  clients: number;
  cpuMsPerS: number;
  bytesPerSPerClient: number;
  framesPerSPerClient: number;
}

async function measure(target: RunningTarget, n: number): Promise<Sample> {
  const clients = await Promise.all(Array.from({ length: n }, () => openClient(target.url)));
  await sleep(SETTLE_MS);
  for (const client of clients) {
    client.bytes = 0;
    client.frames = 0;
  }
  const cpuBefore = await target.cpuMs();
  const started = performance.now();
  await sleep(windowMs);
  const cpuAfter = await target.cpuMs();
  const seconds = (performance.now() - started) / 1000;
  const bytes = clients.reduce((sum, client) => sum + client.bytes, 0);
  const frames = clients.reduce((sum, client) => sum + client.frames, 0);
  for (const client of clients) client.close();
  await sleep(500);
  return {
    clients: n,
    cpuMsPerS: (cpuAfter - cpuBefore) / seconds,
    bytesPerSPerClient: n ? bytes / n / seconds : 0,
    framesPerSPerClient: n ? frames / n / seconds : 0,
  };
}

const fixed = (n: number, digits = 2): string => n.toFixed(digits);

const target = await startTarget('embedded');
console.log(`board: the embedded system at rest, pid ${target.pid}, ${windowMs / 1000} s per step`);
try {
  await measure(target, 1); // warm-up: the first bundle of /events work, JIT
  const idle = await measure(target, 0);
  console.log(`idle (no client): ${fixed(idle.cpuMsPerS)} ms CPU per s`);
  const rows: string[][] = [
    ['clients', 'CPU ms/s', 'above idle', 'per client', 'KB/s per client', 'frames/s per client'],
  ];
  const samples: Sample[] = [];
  for (const n of counts) {
    const sample = await measure(target, n);
    samples.push(sample);
    const above = sample.cpuMsPerS - idle.cpuMsPerS;
    rows.push([
      String(n),
      fixed(sample.cpuMsPerS),
      fixed(above),
      fixed(above / n, 3),
      fixed(sample.bytesPerSPerClient / 1024),
      fixed(sample.framesPerSPerClient),
    ]);
    console.log(`${n} clients: ${fixed(sample.cpuMsPerS)} ms CPU per s`);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log(
    `\nBoard stream (GET /events), CPU of the target process per second of wall time, idle ${fixed(idle.cpuMsPerS)} ms/s\n`,
  );
  for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  const first = samples[0];
  const last = samples.at(-1);
  if (first && last && last.clients > first.clients) {
    const marginal = (last.cpuMsPerS - first.cpuMsPerS) / (last.clients - first.clients);
    console.log(
      `\neach client from ${first.clients} to ${last.clients}: ${fixed(marginal, 3)} ms CPU per s ` +
        `(${fixed(marginal / 10, 3)} % of one core) and ${fixed(last.bytesPerSPerClient / 1024)} KB/s`,
    );
  }
  console.log(
    '\n"per client" = (CPU − idle) / clients: the first client also pays for building the status once a second,\n' +
      'so it is the largest at 1 client; at many clients it tends to the cost of writing one frame to one socket.',
  );
} finally {
  await target.stop();
}
