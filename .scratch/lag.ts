import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runOpenModelLoad } from './r.js';
const child = fork('/work/main/bench/targets/bare.ts', [], { execArgv: process.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const line: string = await new Promise((r) => createInterface({ input: child.stdout! }).once('line', r));
const { url } = JSON.parse(line);
for (const rate of [1000, 5000, 5000]) {
  (globalThis as any).lags = [];
  const rep = await runOpenModelLoad({ url, ratePerSecond: rate, durationMs: 5000, body: () => '{"signal_type":"execute"}', timeoutMs: 2000 });
  const lags = (globalThis as any).lags as number[][];
  const byStart = new Map<number, number>();
  for (const [t, l] of lags) byStart.set(Math.floor(t / 100) * 100, Math.max(byStart.get(Math.floor(t / 100) * 100) ?? 0, l));
  console.log(rate, rep.latencyMs, rep.maxSendLagMs.toFixed(1), [...byStart].join(' '));
}
child.send({ type: 'close' });
