import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { invariant, runShortAt } from '../experiments/support.js';
import { freePort, spawnRole, waitForHealthy, type RoleProcess } from '../support/processes.js';
import { POSTGRES, skipUnless, skipWithout } from '../support/services.js';
import { dropSchema, TEST_DATABASE_URL } from '../support/topology.js';
import { waitFor } from '../support/waitFor.js';

const skip = (await skipUnless(POSTGRES)) || skipWithout('nats-server', 'nats-server');

interface Status {
  pools: Array<{ pool: string; size: number; restarts: number }>;
  chaos: { active: string[] };
  andon: { events: Array<{ station: string; message: string }> };
}

describe(
  'distributed chaos through tps run-local --own-nats (real processes, its own nats-server)',
  { skip, timeout: 300_000 },
  () => {
    const schema = `tps_chaos${randomBytes(4).toString('hex')}`;
    let runLocal: RoleProcess;
    let apiUrl: string;
    const get = async <T>(path: string) => (await (await fetch(`${apiUrl}${path}`)).json()) as T;
    const post = async (path: string, body: object = {}) => {
      const response = await fetch(`${apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    before(async () => {
      const apiPort = await freePort();
      const [fast, slow, downstream] = [await freePort(), await freePort(), await freePort(3)];
      runLocal = spawnRole(
        ['run-local', '--own-nats', '--fast-port', String(fast), '--slow-port', String(slow)],
        {
          QUEUE_BACKEND: 'nats',
          PORT: String(apiPort),
          HOST: '127.0.0.1',
          DOWNSTREAM_PORT: String(downstream),
          DATABASE_URL: TEST_DATABASE_URL,
          DATABASE_SCHEMA: schema,
          QUEUE_PREFIX: schema,
          LEASE_MS: '1500',
          WORKER_COUNT: '4',
          FAST_WORK_MS: '1',
          SLOW_WORK_MS: '5',
          DOWNSTREAM_LATENCY_MS: '1',
          DOWNSTREAM_HOP_LATENCY_MS: '0',
          CIRCUIT_BREAKER_THRESHOLD: '3',
          CIRCUIT_BREAKER_RESET_MS: '500',
          BREAKER_PROBES: '1',
          SHUTDOWN_TIMEOUT_MS: '2000',
        },
      );
      apiUrl = `http://127.0.0.1:${apiPort}`;
      await waitForHealthy(apiUrl, runLocal, 90_000);
    });
    after(async () => {
      const code = await runLocal?.stop();
      assert.equal(code, 0, `run-local stopped cleanly:\n${runLocal?.output().slice(-3000)}`);
      await dropSchema(schema);
    });

    it('crash-worker kills -9 the fast worker process; run-local restarts it, and /status, the andon and the metrics show it', async () => {
      const answer = await post('/chaos/crash-worker', { pool: 'fast' });
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const crashed = answer.json.crashed as { pool: string; worker: number; how: string };
      assert.equal(crashed.pool, 'fast');
      assert.equal(crashed.how, 'SIGKILL');
      assert.throws(() => process.kill(crashed.worker, 0), /ESRCH/, 'the worker process is gone');
      const status = await waitFor(
        async () => {
          const now = await get<Status>('/status');
          const fast = now.pools.find((pool) => pool.pool === 'fast');
          return fast && fast.restarts >= 1 && fast.size > 0 ? now : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, message: 'the fast pool back, with its restart counted' },
      );
      assert.ok(
        status.andon.events.some(
          (event) => event.station === 'pool:fast' && /run-local started it/.test(event.message),
        ),
        JSON.stringify(status.andon.events),
      );
      const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
      assert.match(metrics, /worker_restarts_total\{pool="fast"\} [1-9]/);
      assert.match(runLocal.output(), /worker-fast killed by SIGKILL; restarting it/);
    });

    it('worker-crash (short): every crashed process restarted, every held signal completed, nothing lost by id', async () => {
      const result = await runShortAt(apiUrl, 'worker-crash', { settleTimeoutMs: 30_000 });
      invariant(result, 'the pool restarted every crashed worker');
      invariant(result, 'every held signal completed, redelivered after the kill');
      const held = result.figures.find((figure) => figure.name === 'crashed holding a signal');
      assert.ok(Number(held?.value) > 0, 'the killed processes held signals');
      invariant(result, 'signals lost = 0');
      invariant(result, 'nothing lost (checked by id)');
    });

    it('queue-outage (short): run-local stops its nats-server, intake answers 503, then it comes back; nothing lost by id', async () => {
      const result = await runShortAt(apiUrl, 'queue-outage', {
        recoveryTimeoutMs: 30_000,
        settleTimeoutMs: 30_000,
        tailMs: 3000,
      });
      invariant(result, 'fault visible in /status while active');
      invariant(result, '/status showed the queue unavailable');
      invariant(result, 'intake refused with 503 QUEUE_UNAVAILABLE during the outage');
      invariant(result, 'intake accepted again after recovery');
      invariant(result, 'fault gone from /status after stop');
      invariant(result, 'signals lost = 0');
      invariant(result, 'nothing lost (checked by id)');
      assert.ok(
        result.events.some((event) => event.kind === 'chaos' && /queue_down/.test(event.what)),
        'the timeline shows queue_down in /status',
      );
    });
  },
);
