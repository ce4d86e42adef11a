import type { Config } from '../../config/index.js';
import type { LaneName } from '../../domain/signal.js';
import { ERRORS, TpsError, type ErrorCode } from '../../errors/index.js';
import type { PoolSnapshot } from '../../services/worker/WorkerPool.js';
import type { SupervisorState } from './supervisorApp.js';

const POLL_MS = 500;
const CALL_TIMEOUT_MS = 1000;

/**
 * The API's line to the `tps run-local` that started it (SUPERVISOR_URL): it forwards the chaos that needs a
 * process killed or the broker stopped, and every half second reads which worker processes run, their pools
 * (from each worker's /status) and how often run-local restarted them, for /status and the andon.
 */
export class SupervisorLink {
  private last: SupervisorState | undefined;
  private snapshots: PoolSnapshot[] = [];
  private readonly seenRestarts = new Map<LaneName, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    private readonly options: {
      config: Config;
      /** A worker process of `pool` died and run-local started it again (`count` times since the last look). */
      onRestart: (pool: LaneName, count: number, how: string) => void;
    },
  ) {}

  start(): void {
    const tick = () => void this.refresh().catch(() => undefined);
    tick();
    this.timer = setInterval(tick, POLL_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** The supervisor's last known state; undefined until it has answered once. */
  state(): SupervisorState | undefined {
    return this.last;
  }

  /** The worker pools as their processes report them, with run-local's process restarts added. */
  pools(): PoolSnapshot[] {
    return this.snapshots;
  }

  /** POSTs to the supervisor and answers its JSON; its errors come back as the same TpsError. */
  async post<T>(path: string, body: object = {}): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // A crash waits for the worker to be running and then to die: give it more than a status read.
      signal: AbortSignal.timeout(20_000),
    }).catch((error: unknown) => {
      throw new TpsError('SUPERVISOR_UNREACHABLE', {
        message: `run-local's supervisor does not answer at ${this.url}`,
        cause: error,
      });
    });
    const json = (await response.json().catch(() => ({}))) as T & {
      error?: { code?: string; message?: string };
    };
    if (!response.ok) {
      const code = json.error?.code;
      throw new TpsError(code !== undefined && code in ERRORS ? (code as ErrorCode) : 'INTERNAL', {
        message: `run-local: ${json.error?.message ?? `answered ${response.status}`}`,
      });
    }
    if ('roles' in json) this.last = json as unknown as SupervisorState;
    return json;
  }

  async refresh(): Promise<void> {
    const state = (await getJson(`${this.url}/state`)) as SupervisorState | undefined;
    if (!state) return;
    this.last = state;
    const snapshots: PoolSnapshot[] = [];
    for (const role of state.roles) {
      if (!role.pool) continue;
      const pool = role.pool;
      const reported =
        role.state === 'running'
          ? ((await getJson(`${role.url}/status`)) as { pool?: PoolSnapshot } | undefined)?.pool
          : undefined;
      const { min, max } = this.options.config.pools[pool];
      const base = reported ?? {
        pool,
        size: 0,
        busy: 0,
        min,
        max,
        ceiling: max,
        restarts: 0,
        scaleUps: 0,
        scaleDowns: 0,
      };
      snapshots.push({ ...base, restarts: base.restarts + role.restarts });
      const seen = this.seenRestarts.get(pool);
      this.seenRestarts.set(pool, role.restarts);
      if (seen !== undefined && role.restarts > seen) {
        this.options.onRestart(pool, role.restarts - seen, role.last_death?.how ?? 'died');
      }
    }
    this.snapshots = snapshots;
  }
}

const getJson = async (url: string): Promise<unknown> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) }).catch(() => undefined);
  return response?.ok ? response.json() : undefined;
};
