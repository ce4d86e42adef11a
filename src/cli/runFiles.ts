import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: two levels up from this file, which sits in src/cli (tsx) or dist/cli (compiled). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunFiles {
  dir: string;
  /** The pid of the system `tps up` started, one number. */
  pidFile: string;
  /** Its stdout and stderr. */
  logFile: string;
}

/** Where `tps up` keeps its pid and log: `$TPS_RUN_DIR`, else `<repo>/.run`. */
export function runFiles(env: NodeJS.ProcessEnv): RunFiles {
  const dir = env.TPS_RUN_DIR || join(REPO_ROOT, '.run');
  return { dir, pidFile: join(dir, 'tps.pid'), logFile: join(dir, 'tps.log') };
}

/** The pid in the pid file, or undefined when there is no file or it holds no pid. */
export async function readPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export const removePidFile = (pidFile: string): Promise<void> => rm(pidFile, { force: true });

/**
 * Whether a process runs under that pid. Signal 0 checks without sending anything; EPERM means it exists but
 * belongs to someone else. On Linux a zombie (exited, not yet reaped — common when PID 1 in a container does
 * not reap) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procState(pid) !== 'Z';
}

/**
 * Whether that pid still looks like a `tps start` (its last argument is `start`). A stale pid file may name a
 * pid the system has since given to another program, which `tps down` must not signal. Where /proc is missing
 * (macOS) there is no cheap way to tell, so the pid is trusted.
 */
export function looksLikeTpsStart(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  const args = cmdline.split('\0').filter((arg) => arg !== '');
  return args.at(-1) === 'start';
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state …": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}
