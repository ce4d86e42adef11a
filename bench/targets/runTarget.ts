/** The child side of a bench target: start, announce the URL on stdout, answer RSS and heap requests, close when told. */
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { startCpuProfile, type CpuProfile } from './cpuProfile.js';
import { heapAccount, type HeapAccount } from './heapAccount.js';

export interface Target {
  url: string;
  close(): Promise<void>;
}

export type TargetRequest =
  | { type: 'rss' }
  | { type: 'cpu' }
  | { type: 'close' }
  /** Starts counting what the garbage collector sees; `heap-stop` answers with the account. */
  | { type: 'heap-start' }
  | { type: 'heap-stop' }
  /** RSS, heap used and the event loop's delay since the previous `vitals` (the soak asks once a minute). */
  | { type: 'vitals' };
export type TargetReply =
  | { type: 'rss'; rss: number }
  /** CPU time of the whole process so far (user and system), ms. */
  | { type: 'cpu'; cpuMs: number }
  /**
   * `cpuMs`: CPU time of the whole process (all threads, user and system) over the same stretch.
   * `stallMs`: the longest the event loop was kept from running a 1 ms timer (collections, long tasks, and time
   * the operating system gave the process's other threads), which bounds the latency the target itself added.
   */
  | { type: 'heap'; account: HeapAccount; cpuMs: number; stallMs: number }
  | { type: 'vitals'; vitals: Vitals };
/**
 * Event-loop lag is how much later than asked a 10 ms timer ran (`monitorEventLoopDelay` records the whole
 * interval, timer included, so its resolution is taken off).
 */
export interface Vitals {
  rss: number;
  heapUsed: number;
  loopP99Ms: number;
  loopMeanMs: number;
  loopMaxMs: number;
}
export interface TargetAnnouncement {
  url: string;
  pid: number;
}

export async function runTarget(start: () => Promise<Target>): Promise<void> {
  const target = await start();
  let closing: Promise<void> | undefined;
  const shutdown = (): void => {
    closing ??= target.close().finally(() => process.exit(0));
  };
  let profiling:
    | {
        profiler: GCProfiler;
        usedAtStart: number;
        cpuAtStart: NodeJS.CpuUsage;
        loop: ELDHistogram;
        cpuProfile: CpuProfile | undefined;
      }
    | undefined;
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const reply = (message: TargetReply): void => void process.send?.(message);
  let loopSinceLastVitals: ELDHistogram | undefined;
  process.on('message', (message: TargetRequest) => {
    if (message.type === 'rss') reply({ type: 'rss', rss: process.memoryUsage().rss });
    else if (message.type === 'cpu') {
      const cpu = process.cpuUsage();
      reply({ type: 'cpu', cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (message.type === 'heap-start') {
      void profiling?.cpuProfile?.stop();
      profiling?.profiler.stop();
      profiling?.loop.disable();
      profiling = {
        profiler: new GCProfiler(),
        usedAtStart: getHeapStatistics().used_heap_size,
        cpuAtStart: process.cpuUsage(),
        loop: monitorEventLoopDelay({ resolution: 1 }),
        cpuProfile: profileDir
          ? startCpuProfile(profileDir, process.env.BENCH_TARGET_NAME ?? 'target')
          : undefined,
      };
      profiling.profiler.start();
      profiling.loop.enable();
    } else if (message.type === 'heap-stop' && profiling) {
      const measured = profiling;
      profiling = undefined;
      const result = measured.profiler.stop();
      measured.loop.disable();
      const account = heapAccount(result, measured.usedAtStart, getHeapStatistics().used_heap_size);
      const cpu = process.cpuUsage(measured.cpuAtStart);
      const stallMs = measured.loop.max / 1e6;
      // The profile is written before the answer, because the bench stops a target once it has its answer.
      void writeProfile(measured.cpuProfile).then(() =>
        reply({ type: 'heap', account, cpuMs: (cpu.user + cpu.system) / 1000, stallMs }),
      );
    } else if (message.type === 'vitals') {
      loopSinceLastVitals ??= startLoopMonitor();
      reply({ type: 'vitals', vitals: vitalsOf(loopSinceLastVitals) });
      loopSinceLastVitals.reset();
    } else if (message.type === 'close') shutdown();
  });
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(
    `${JSON.stringify({ benchTarget: { url: target.url, pid: process.pid } satisfies TargetAnnouncement })}\n`,
  );
}

const LOOP_RESOLUTION_MS = 10;

function startLoopMonitor(): ELDHistogram {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  return loop;
}

function vitalsOf(loop: ELDHistogram): Vitals {
  const lagMs = (ns: number): number =>
    Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0;
  const { rss, heapUsed } = process.memoryUsage();
  const sampled = loop.count > 0;
  return {
    rss,
    heapUsed,
    loopP99Ms: sampled ? lagMs(loop.percentile(99)) : 0,
    loopMeanMs: sampled ? lagMs(loop.mean) : 0,
    loopMaxMs: sampled ? lagMs(loop.max) : 0,
  };
}

async function writeProfile(profile: CpuProfile | undefined): Promise<void> {
  if (profile) console.error(`CPU profile of the measured stretch: ${await profile.stop()}`);
}
