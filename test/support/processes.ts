import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { withSystemNodeFlags } from '../../src/system/nodeFlags.js';
import { waitFor } from './waitFor.js';

export { freePort } from '../../src/system/distributed/freePort.js';

export interface RoleProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, and the exit code once it has gone. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, no drain. */
  kill(): Promise<void>;
}

/** Runs `tps <args>` from the sources as its own process, as a user would start it (with the system's Node flags). */
export function spawnRole(args: string[], env: NodeJS.ProcessEnv): RoleProcess {
  const execArgv = withSystemNodeFlags(['--import', 'tsx']);
  const child = spawn(process.execPath, [...execArgv, 'src/cli/main.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export const waitForHealthy = (url: string, role: RoleProcess, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      if (role.child.exitCode !== null)
        throw new Error(`exited with ${role.child.exitCode}:\n${role.output()}`);
      return (await fetch(`${url}/health`).catch(() => undefined))?.ok;
    },
    { timeoutMs, intervalMs: 100, message: `${url}/health answers 200` },
  );
