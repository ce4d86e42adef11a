/**
 * What large payloads cost the embedded system in memory: 4,000 signals of 60 KB each, sent with a bounded
 * number in flight (a 429 is waited out for its Retry-After and sent again), until every one has finished.
 * Prints the target's RSS at rest before, its peak while the signals ran, and once they are done, against the
 * goal of 200 MB (the status store keeps payloads only for retries, within STATUS_PAYLOAD_BUDGET_BYTES).
 *
 *   npm run bench -- --only payload-memory
 *   npx tsx bench/payloadMemory.ts --signals 1000 --kb 60
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { buildTarget, startTarget } from './targets/startTarget.js';

const { values: args } = parseArgs({
  options: {
    signals: { type: 'string', default: '4000' },
    kb: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
  },
});
const total = Number(args.signals);
const kb = Number(args.kb);
const concurrency = Number(args.concurrency);
if (!(Number.isInteger(total) && total >= 1 && total <= 100_000)) {
  console.error(`--signals accepts a whole number from 1 to 100000, not "${args.signals}"`);
  process.exit(2);
}
if (!(kb > 0 && kb <= 63)) {
  console.error(
    `--kb accepts a size in KB above 0 and up to 63 (MAX_PAYLOAD_BYTES is 64 KB), not "${args.kb}"`,
  );
  process.exit(2);
}
if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 256)) {
  console.error(`--concurrency accepts a whole number from 1 to 256, not "${args.concurrency}"`);
  process.exit(2);
}

const GOAL_MB = 200;
const SETTLE_MS = 3_000;
/** Seconds RSS is watched after the last signal finished; the lowest reading is the figure. */
const AFTER_SETTLE_S = 30;
const DONE_DEADLINE_MS = 15 * 60_000;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const body = JSON.stringify({ signal_type: 'execute', payload: { blob: 'x'.repeat(kb * 1024 - 64) } });
/**
 * The line's pace does not matter here, only what it keeps: no simulated work or downstream latency, and a long
 * downstream timeout and slow-call limit, so that a busy shared machine does not turn slow calls into open
 * breakers, retries and dead letters.
 */
const TARGET_ENV = {
  LOG_LEVEL: 'error',
  FAST_WORK_MS: '0',
  DOWNSTREAM_LATENCY_MS: '0',
  DOWNSTREAM_HOP_LATENCY_MS: '0',
  DOWNSTREAM_TIMEOUT_MS: '30000',
  SLOW_CALL_MS: '30000',
};
const target = await startTarget('embedded', await buildTarget('embedded'), { env: TARGET_ENV });
console.log(
  `payload memory: ${total} signals of ${kb} KB into the embedded system (pid ${target.pid}), ${concurrency} in flight`,
);

try {
  await sleep(SETTLE_MS);
  const idle = await target.rss();
  console.log(`  RSS at rest: ${mb(idle)}`);

  let peak = idle;
  const sampler = setInterval(() => {
    void target.rss().then((rss) => (peak = Math.max(peak, rss)));
  }, 250);

  const ids: string[] = [];
  let next = 0;
  let waitedOut = 0;
  const sendOne = async (): Promise<void> => {
    for (;;) {
      const answer = await fetch(`${target.url}/signal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const json = (await answer.json()) as { id?: string };
      if (answer.status === 202 && json.id) {
        ids.push(json.id);
        if (ids.length % 500 === 0)
          console.log(`  sent ${ids.length}/${total} · RSS ${mb(await target.rss())}`);
        return;
      }
      if (answer.status !== 429 && answer.status !== 503) {
        throw new Error(`POST /signal answered ${answer.status}: ${JSON.stringify(json)}`);
      }
      waitedOut += 1;
      await sleep(Number(answer.headers.get('retry-after') ?? 1) * 1000);
    }
  };
  const sender = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      await sendOne();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));

  const started = Date.now();
  let done = 0;
  const outcomes = new Map<string, number>();
  for (const id of ids) {
    let status: string | undefined;
    for (;;) {
      status = ((await (await fetch(`${target.url}/signal/${id}/status`)).json()) as { status?: string })
        .status;
      if (status !== 'queued' && status !== 'processing') break;
      if (Date.now() - started > DONE_DEADLINE_MS) throw new Error(`signal ${id} not finished in 15 minutes`);
      await sleep(200);
    }
    outcomes.set(String(status), (outcomes.get(String(status)) ?? 0) + 1);
    done += 1;
    if (done % 1000 === 0) console.log(`  finished ${done}/${total}`);
  }
  clearInterval(sampler);
  // V8 gives pages back some seconds after the work stops: RSS is read once it has stopped falling.
  let after = await target.rss();
  for (let second = 0; second < AFTER_SETTLE_S; second++) {
    await sleep(1000);
    after = Math.min(after, await target.rss());
  }
  const info = (await (await fetch(`${target.url}/info`)).json()) as {
    store?: { payloads?: { retained_bytes: number; retained: number } };
  };
  const kept = info.store?.payloads;
  console.log(
    `  ${total} × ${kb} KB finished (${[...outcomes].map(([status, n]) => `${n} ${status}`).join(', ')}; ` +
      `${waitedOut} sends waited out a 429/503); status store keeps ` +
      `${kept ? `${kept.retained} payloads, ${mb(kept.retained_bytes)}` : 'no figure'}`,
  );
  console.log(
    `  RSS: at rest ${mb(idle)}, peak ${mb(peak)}, after ${mb(after)} (lowest in the ${AFTER_SETTLE_S} s after; ` +
      `+${mb(after - idle)} over rest); ` +
      `goal ≤ ${GOAL_MB} MB: ${after <= GOAL_MB * 1024 * 1024 ? 'met' : 'NOT met'}`,
  );
} finally {
  await target.stop();
}
