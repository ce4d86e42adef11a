/** The parent side of a bench target: fork it, wait for its announcement, ask it for RSS and heap accounts. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { systemNodeFlags } from '../../src/system/nodeFlags.js';
import type { HeapAccount } from './heapAccount.js';
import type { TargetAnnouncement, TargetReply, TargetRequest, Vitals } from './runTarget.js';

export interface RunningTarget {
  url: string;
  pid: number;
  rss(): Promise<number>;
  /** CPU time the target has used so far (user + system), ms. */
  cpuMs(): Promise<number>;
  /**
   * What the target's garbage collector saw, the CPU time it used and the longest its event loop stalled,
   * while `during` ran.
   */
  heapDuring<T>(
    during: () => Promise<T>,
  ): Promise<{ result: T; account: HeapAccount; cpuMs: number; stallMs: number }>;
  /** RSS, heap used and event-loop lag since the previous call (the first call starts the lag monitor). */
  vitals(): Promise<Vitals>;
  /** Asks the target to close, and kills it if it has not exited within `graceMs` (default 5000). */
  stop(graceMs?: number): Promise<void>;
}

export interface TargetOptions {
  /** Added to this process's environment for the target. */
  env?: NodeJS.ProcessEnv;
  /** Node's own flags for the target; default: the ones the system's processes run with on this machine. */
  execArgv?: string[];
}

// One build per target and process: callers that start the same target at once must not write its bundle twice.
const builds = new Map<string, Promise<string>>();

/**
 * Compiles `bench/targets/<name>.ts` and what it imports from src/ into one JavaScript file under bench/.build/,
 * with the packages left as imports. The target then runs on plain `node`, as `npm start` runs the compiled
 * system: under tsx it would carry tsx's loader thread (about 20 MB more RSS) and source-mapped stacks.
 * Built once per process: later calls answer the same file.
 */
export function buildTarget(name: string): Promise<string> {
  let built = builds.get(name);
  if (!built) {
    built = bundle(name);
    builds.set(name, built);
  }
  return built;
}

async function bundle(name: string): Promise<string> {
  const outfile = fileURLToPath(new URL(`../.build/${name}.mjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

/** Starts a target built by `buildTarget` in a child process of its own. */
export async function startTarget(
  name: string,
  file: string,
  options: TargetOptions = {},
): Promise<RunningTarget> {
  const child: ChildProcess = fork(file, [], {
    execArgv: options.execArgv ?? systemNodeFlags(),
    env: { ...process.env, BENCH_TARGET_NAME: name, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const announced = new Promise<TargetAnnouncement>((resolve, reject) => {
    // The target's own output (logs) goes to stderr; only its announcement line is read.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const announcement = parseAnnouncement(line);
      if (announcement) resolve(announcement);
      else process.stderr.write(`[${name}] ${line}\n`);
    });
    void exited.then((code) =>
      reject(new Error(`${name} target exited with code ${code} before it started`)),
    );
    setTimeout(() => reject(new Error(`${name} target did not start within 60 s`)), 60_000).unref();
  });
  const { url, pid } = await announced.catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const send = (request: TargetRequest): void => void child.send(request);
  return {
    url,
    pid,
    rss: () =>
      readRss(pid).catch(async () => {
        const reply = replyOf(child, 'rss');
        send({ type: 'rss' });
        return (await reply).rss;
      }),
    async cpuMs() {
      const reply = replyOf(child, 'cpu');
      send({ type: 'cpu' });
      return (await reply).cpuMs;
    },
    async vitals() {
      const reply = replyOf(child, 'vitals');
      send({ type: 'vitals' });
      return (await reply).vitals;
    },
    async heapDuring(during) {
      send({ type: 'heap-start' });
      const result = await during();
      const reply = replyOf(child, 'heap');
      send({ type: 'heap-stop' });
      const { account, cpuMs, stallMs } = await reply;
      return { result, account, cpuMs, stallMs };
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null) return;
      if (graceMs > 0) send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function parseAnnouncement(line: string): TargetAnnouncement | undefined {
  try {
    const parsed = JSON.parse(line) as { benchTarget?: TargetAnnouncement };
    return parsed.benchTarget;
  } catch {
    return undefined;
  }
}

async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error('no VmRSS');
  return Number(kb) * 1024;
}

function replyOf<Type extends TargetReply['type']>(
  child: ChildProcess,
  type: Type,
): Promise<Extract<TargetReply, { type: Type }>> {
  return new Promise((resolve) => {
    const onMessage = (message: TargetReply): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<TargetReply, { type: Type }>);
    };
    child.on('message', onMessage);
  });
}
