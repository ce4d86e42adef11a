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
  | { type: 'heap-stop' };
export type TargetReply =
  | { type: 'rss'; rss: number }
  /** CPU time of the whole process so far (user and system), ms. */
  | { type: 'cpu'; cpuMs: number }
  /**
   * `cpuMs`: CPU time of the whole process (all threads, user and system) over the same stretch.
   * `stallMs`: the longest the event loop was kept from running a 1 ms timer (collections, long tasks, and time
   * the operating system gave the process's other threads), which bounds the latency the target itself added.
   */
  | { type: 'heap'; account: HeapAccount; cpuMs: number; stallMs: number };
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
    } else if (message.type === 'close') shutdown();
  });
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(
    `${JSON.stringify({ benchTarget: { url: target.url, pid: process.pid } satisfies TargetAnnouncement })}\n`,
  );
}

async function writeProfile(profile: CpuProfile | undefined): Promise<void> {
  if (profile) console.error(`CPU profile of the measured stretch: ${await profile.stop()}`);
}
