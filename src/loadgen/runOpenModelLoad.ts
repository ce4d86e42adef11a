import { performance } from 'node:perf_hooks';
import { createLatencyHistogram, summarize, toMicroseconds } from '../tps/kaizen/Percentiles.js';
import type { LoadReport, ProgressSnapshot, Rejections } from './LoadReport.js';
import { assertLoopbackUrl } from './loopback.js';
import { plannedCount, sendTimes, type Rate } from './schedule.js';
import { openTransport, type LoadClient } from './transport.js';

export interface OpenModelLoadOptions {
  /** Base URL of the target, e.g. http://127.0.0.1:8080; must be loopback. */
  url: string;
  /** Default `/signal`. */
  path?: string;
  ratePerSecond: Rate;
  durationMs: number;
  /** The JSON body of request i. */
  body: (i: number) => string;
  /** Default 64. */
  connections?: number;
  /** The HTTP client that sends the load; default `undici`. */
  client?: LoadClient;
  /** Per-request timeout, and how long the run waits for answers after the last send. Default 5000. */
  timeoutMs?: number;
  onProgress?: (progress: ProgressSnapshot) => void;
  /** Default 1000. */
  progressEveryMs?: number;
  /** Stops sending; answers already on their way are still waited for (at most timeoutMs). */
  signal?: AbortSignal;
}

const HEADERS = { 'content-type': 'application/json', baggage: 'synthetic_request=true' };

/**
 * Open-model load: request i leaves at its intended time from the schedule whatever the earlier answers
 * did, and its latency is counted from that intended time, so a slow target shows as latency rather than
 * as fewer requests (no coordinated omission).
 */
export async function runOpenModelLoad(options: OpenModelLoadOptions): Promise<LoadReport> {
  const base = assertLoopbackUrl(options.url);
  const { ratePerSecond: rate, durationMs, body, onProgress, signal } = options;
  const connections = options.connections ?? 64;
  const timeoutMs = options.timeoutMs ?? 5000;
  const progressEveryMs = options.progressEveryMs ?? 1000;
  if (!(Number.isFinite(durationMs) && durationMs > 0))
    throw new RangeError(`durationMs must be > 0, got ${durationMs}`);
  if (typeof rate === 'number' && !(Number.isFinite(rate) && rate > 0)) {
    throw new RangeError(`ratePerSecond must be a number > 0, got ${rate}`);
  }
  const target = new URL(options.path ?? '/signal', base);
  const path = `${target.pathname}${target.search}`;
  const planned = plannedCount(rate, durationMs);
  const rateAt = (elapsedMs: number): number => (typeof rate === 'number' ? rate : rate(elapsedMs));

  const transport = await openTransport(options.client ?? 'undici', target, path, {
    connections,
    timeoutMs,
    headers: HEADERS,
  });
  const latency = createLatencyHistogram();
  const intervalLatency = createLatencyHistogram();
  const rejected: Rejections = { '429': 0, '503': 0, '4xx': 0, '5xx': 0, errors: 0 };
  const errorKinds: Record<string, number> = {};
  let sent = 0;
  let accepted = 0;
  let completed = 0;
  let maxSendLagMs = 0;
  let intervalSent = 0;
  let sendingDone = false;
  let sendingEndedAt = 0;
  let aborted = false;

  const fail = (kind: string): void => {
    rejected.errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const classify = (status: number): void => {
    if (status >= 200 && status < 300) accepted++;
    else if (status === 429) rejected['429']++;
    else if (status === 503) rejected['503']++;
    else if (status >= 400 && status < 500) rejected['4xx']++;
    else if (status >= 500 && status < 600) rejected['5xx']++;
    else fail(`HTTP_${status}`);
  };

  let settleDrained: () => void = () => {};
  const drained = new Promise<void>((resolve) => (settleDrained = resolve));
  const inFlight = (): number => sent - completed;
  const finishOne = (): void => {
    completed++;
    if (sendingDone && inFlight() === 0) settleDrained();
  };

  const start = performance.now();
  const send = (i: number, intendedAt: number): void => {
    const payload = body(i);
    sent++;
    intervalSent++;
    const lag = performance.now() - start - intendedAt;
    if (lag > maxSendLagMs) maxSendLagMs = lag;
    transport.post(payload, (status, failure) => {
      if (failure) fail(failure);
      else {
        const us = toMicroseconds(performance.now() - start - intendedAt);
        latency.recordValue(us);
        intervalLatency.recordValue(us);
        classify(status);
      }
      finishOne();
    });
  };

  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const times = sendTimes(rate, durationMs);
  let next = times.next();

  const sending = new Promise<void>((resolve, reject) => {
    const stop = (error?: unknown): void => {
      if (sendingDone) return;
      sendingDone = true;
      sendingEndedAt = performance.now() - start;
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      signal?.removeEventListener('abort', onAbort);
      if (inFlight() === 0) settleDrained();
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(`load stopped: ${JSON.stringify(error)}`));
    };
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    const tick = (): void => {
      timer = undefined;
      immediate = undefined;
      try {
        const elapsed = performance.now() - start;
        let i = sent;
        while (!next.done && next.value <= elapsed) {
          send(i++, next.value);
          next = times.next();
        }
      } catch (error) {
        stop(error);
        return;
      }
      const wakeAt = next.done ? durationMs : next.value;
      const delay = wakeAt - (performance.now() - start);
      if (next.done && delay <= 0) stop();
      // setTimeout is only good to about a millisecond: the last stretch before a send spins on setImmediate.
      else if (delay >= 1) timer = setTimeout(tick, Math.floor(delay));
      else immediate = setImmediate(tick);
    };
    if (signal?.aborted) onAbort();
    else {
      signal?.addEventListener('abort', onAbort, { once: true });
      tick();
    }
  });

  let lastProgressAt = 0;
  const progress =
    onProgress &&
    setInterval(() => {
      const elapsedMs = performance.now() - start;
      const interval = summarize(intervalLatency);
      onProgress({
        elapsedMs,
        sent,
        completed,
        inFlight: inFlight(),
        accepted,
        rejected: { ...rejected },
        targetRate: meanRate(rateAt, lastProgressAt, Math.min(elapsedMs, durationMs)),
        intervalRate: (intervalSent * 1000) / Math.max(1, elapsedMs - lastProgressAt),
        intervalP50: interval.p50,
        intervalP99: interval.p99,
      });
      intervalLatency.reset();
      intervalSent = 0;
      lastProgressAt = elapsedMs;
    }, progressEveryMs);

  try {
    await sending;
    let straggling: NodeJS.Timeout | undefined;
    await Promise.race([
      drained,
      new Promise<void>((resolve) => (straggling = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(straggling);
  } finally {
    if (progress) clearInterval(progress);
    // Whatever is still unanswered fails here, and so is counted among the errors.
    await transport.close();
  }
  await drained;

  const sendingMs = Math.max(sendingEndedAt, 1);
  const { p50, p90, p99, p999, max, mean } = summarize(latency);
  return {
    sent,
    accepted,
    rejected,
    latencyMs: { p50, p90, p99, p999, max, mean },
    targetRate: (planned * 1000) / durationMs,
    achievedRate: (sent * 1000) / sendingMs,
    durationMs: sendingMs,
    planned,
    maxSendLagMs,
    errorKinds,
    aborted,
  };
}

/**
 * The schedule's mean rate over [fromMs, toMs): the target of the interval a progress line reports, also when
 * sending ended inside it. 0 for an interval wholly after the schedule.
 */
export function meanRate(rateAt: (elapsedMs: number) => number, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const steps = 20;
  const width = (toMs - fromMs) / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += rateAt(fromMs + (i + 0.5) * width);
  return sum / steps;
}
