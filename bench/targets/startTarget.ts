/** The parent side of a bench target: fork `targets/<name>.ts`, read its announced URL, ask its RSS and CPU, stop it. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { TargetAnnouncement, TargetReply, TargetRequest } from './runTarget.js';

export type TargetName = 'bare' | 'embedded';

export interface RunningTarget {
  url: string;
  pid: number;
  rss(): Promise<number>;
  /** CPU time the target has used so far (user + system), ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

export async function startTarget(name: TargetName): Promise<RunningTarget> {
  const child: ChildProcess = fork(new URL(`./${name}.ts`, import.meta.url), [], {
    execArgv: process.execArgv,
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
  return {
    url,
    pid,
    rss: () => readRss(pid).catch(async () => (await ask(child, 'rss')).rss),
    cpuMs: async () => (await ask(child, 'cpu')).cpuMs,
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'close' } satisfies TargetRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
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

function ask<K extends TargetReply['type']>(
  child: ChildProcess,
  type: K,
): Promise<Extract<TargetReply, { type: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: TargetReply): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<TargetReply, { type: K }>);
    };
    child.on('message', onMessage);
    child.send({ type } satisfies TargetRequest, (error) => error && reject(error));
  });
}
