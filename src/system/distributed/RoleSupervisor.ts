import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LaneName } from '../../domain/signal.js';
import { TpsError } from '../../errors/index.js';

/** One process that run-local starts: `tps <args>` with extra environment, healthy when `<url>/health` is 200. */
export interface RoleSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  url: string;
  /** A worker process: restarted when it dies, and what `crash-worker` kills. */
  pool?: LaneName;
}

export interface RoleState {
  name: string;
  pool?: LaneName;
  url: string;
  pid?: number;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  restarts: number;
  last_death?: { at: string; how: string };
}

export interface CrashedProcess {
  pool: LaneName;
  pid: number;
  held_signals: string[];
  how: string;
}

interface Running {
  spec: RoleSpec;
  child: ChildProcess;
  state: RoleState['state'];
  restarts: number;
  deaths: number[];
  lastDeath?: { at: number; how: string };
}

const HEALTH_TIMEOUT_MS = 30_000;
/** More deaths than this within a minute is a crash loop: run-local gives up rather than restart for ever. */
const MAX_DEATHS_PER_MINUTE = 10;

/**
 * The supervisor of `tps run-local`: starts the roles as child processes, restarts a worker process that dies
 * (kill -9 included) and counts it, and stops everything when another role dies or a worker crash-loops.
 */
export class RoleSupervisor {
  private readonly roles: Running[] = [];
  private stopping = false;
  private reportFailure: (why: string) => void = () => undefined;
  /** Resolves with the reason when run-local must stop: a role other than a worker died, or a crash loop. */
  readonly failed = new Promise<string>((resolve) => (this.reportFailure = resolve));

  constructor(
    private readonly options: {
      /** The program and leading arguments that run `tps` (node, its flags and the script). */
      command: string;
      args: string[];
      env: NodeJS.ProcessEnv;
      log: (role: string, line: string) => void;
    },
  ) {}

  /** Starts a role and waits until it is healthy; false (and the role stopped) if it never was. */
  async start(spec: RoleSpec): Promise<boolean> {
    const role: Running = { spec, child: this.spawn(spec), state: 'starting', restarts: 0, deaths: [] };
    this.roles.push(role);
    this.watch(role);
    return this.healthy(role);
  }

  state(): RoleState[] {
    return this.roles.map((role) => ({
      name: role.spec.name,
      ...(role.spec.pool ? { pool: role.spec.pool } : {}),
      url: role.spec.url,
      ...(role.state === 'running' && role.child.pid !== undefined ? { pid: role.child.pid } : {}),
      state: role.state,
      restarts: role.restarts,
      ...(role.lastDeath
        ? { last_death: { at: new Date(role.lastDeath.at).toISOString(), how: role.lastDeath.how } }
        : {}),
    }));
  }

  /**
   * kill -9 of the worker process of `pool`. The worker answers `POST /chaos/crash` with the signals it holds
   * and sends itself SIGKILL in the same tick; if it does not die within 5 s, the supervisor sends SIGKILL.
   * The restart follows by itself, as after any death.
   */
  async crash(pool: LaneName, waitForRunningMs = 10_000): Promise<CrashedProcess> {
    const role = this.roles.find((candidate) => candidate.spec.pool === pool);
    if (!role) throw new TpsError('NO_WORKER', { message: `run-local runs no ${pool} worker` });
    const deadline = Date.now() + waitForRunningMs;
    while (role.state !== 'running' && !this.stopping && Date.now() < deadline) await sleep(50);
    if (role.state !== 'running') {
      throw new TpsError('NO_WORKER', { message: `the ${pool} worker is ${role.state}, not running` });
    }
    const { child } = role;
    const pid = child.pid ?? 0;
    const exited = once(child, 'exit');
    const answer = await fetch(`${role.spec.url}/chaos/crash`, {
      method: 'POST',
      // An admin route: JSON, even with nothing to say.
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(5000),
    })
      .then(async (response) => (await response.json()) as { held_signals?: string[] })
      .catch(() => undefined);
    const died = await Promise.race([exited.then(() => true), sleep(5000, false)]);
    if (!died) {
      child.kill('SIGKILL');
      await exited;
    }
    return { pool, pid, held_signals: answer?.held_signals ?? [], how: 'SIGKILL' };
  }

  /** SIGTERM to every role (each drains), last started first, and waits for them to exit. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const alive = this.roles.filter((role) => role.child.exitCode === null && role.child.signalCode === null);
    for (const role of [...alive].reverse()) role.child.kill('SIGTERM');
    await Promise.all(alive.map((role) => once(role.child, 'exit')));
    for (const role of this.roles) role.state = 'stopped';
  }

  private spawn(spec: RoleSpec): ChildProcess {
    const child = spawn(this.options.command, [...this.options.args, ...spec.args], {
      env: { ...this.options.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Their own process group: a Ctrl-C in the terminal reaches them once, as run-local's SIGTERM, and drains.
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) this.options.log(spec.name, line);
      });
    }
    return child;
  }

  private watch(role: Running): void {
    const child = role.child;
    child.once('exit', (code, signal) => {
      if (this.stopping || role.child !== child) return;
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const now = Date.now();
      role.lastDeath = { at: now, how };
      if (!role.spec.pool) {
        role.state = 'stopped';
        this.reportFailure(`${role.spec.name} ${how}`);
        return;
      }
      role.deaths = [...role.deaths.filter((at) => at > now - 60_000), now];
      if (role.deaths.length > MAX_DEATHS_PER_MINUTE) {
        role.state = 'stopped';
        this.reportFailure(`${role.spec.name} died ${role.deaths.length} times in a minute (${how})`);
        return;
      }
      role.restarts++;
      role.state = 'restarting';
      this.options.log('run-local', `${role.spec.name} ${how}; restarting it (restart ${role.restarts})`);
      role.child = this.spawn(role.spec);
      this.watch(role);
      void this.healthy(role).then((ok) => {
        if (!ok) this.reportFailure(`${role.spec.name} did not come back after a restart`);
      });
    });
  }

  /** Waits until the role's current process answers /health (following it across restarts). */
  private async healthy(role: Running): Promise<boolean> {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline && !this.stopping && role.state !== 'stopped') {
      const child = role.child;
      const alive = child.exitCode === null && child.signalCode === null;
      const ok = alive && (await fetch(`${role.spec.url}/health`).catch(() => undefined))?.ok;
      if (ok && role.child === child) {
        role.state = 'running';
        return true;
      }
      await sleep(100);
    }
    return this.stopping;
  }
}
