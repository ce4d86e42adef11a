import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runOpenModelLoad } from '../src/loadgen/index.js';
const child = fork('/work/main/bench/targets/bare.ts', [], { execArgv: process.execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const line: string = await new Promise((r) => createInterface({ input: child.stdout! }).once('line', r));
const { url } = JSON.parse(line);
for (const rate of [2000, 5000, 10000]) {
  const c0 = process.cpuUsage();
  const rep = await runOpenModelLoad({ url, ratePerSecond: rate, durationMs: 3000, body: () => '{"signal_type":"execute"}', timeoutMs: 2000 });
  const c = process.cpuUsage(c0);
  console.log(rate, `cpu ${((c.user + c.system) / 1e6 / 3).toFixed(2)} cores`, `us/req ${((c.user + c.system) / rep.sent).toFixed(1)}`, rep.latencyMs.p99, rep.maxSendLagMs.toFixed(1), rep.achievedRate.toFixed(0));
}
child.send({ type: 'close' });
