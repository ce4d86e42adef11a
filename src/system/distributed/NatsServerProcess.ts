import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './freePort.js';
import { portAnswers } from './portAnswers.js';

/**
 * A nats-server with JetStream that this program started, on its own port and store directory, so it may stop
 * and start it (the distributed `queue-down` / `queue-recover`). A broker it did not start is never touched.
 */
export class NatsServerProcess {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly ownsStoreDir: boolean,
  ) {}

  /**
   * Starts `nats-server -a 127.0.0.1 -p <port> -js -sd <storeDir>`: port 0 picks a free one (kept for the
   * restarts), and a temp store is made when none is given.
   */
  static async start(port = 0, storeDir?: string): Promise<NatsServerProcess> {
    const dir = storeDir ?? (await mkdtemp(join(tmpdir(), 'tps-nats-')));
    const server = new NatsServerProcess(port || (await freePort()), dir, storeDir === undefined);
    await server.resume();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Starts it again on the same port and store: what JetStream stored is still there. */
  async resume(timeoutMs = 15_000): Promise<void> {
    if (this.running) return;
    const child = spawn(
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      // Its own process group: a Ctrl-C in the terminal must not stop the broker before the roles have drained.
      { stdio: 'ignore', detached: true },
    );
    this.child = child;
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot run nats-server: ${error.message}`)));
      child.once('exit', (code) =>
        reject(new Error(`nats-server exited with ${code} (is port ${this.port} taken?)`)),
      );
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    const listening = (async () => {
      while (!(await portAnswers(this.port))) {
        if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${this.port} in time`);
        await sleep(50);
      }
    })();
    await Promise.race([listening, failed]);
  }

  /** SIGTERM, as a broker going away: clients see their connections close. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  /** Stops it and removes a store directory it created. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsStoreDir) await rm(this.storeDir, { recursive: true, force: true });
  }
}
