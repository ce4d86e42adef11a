import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { deleteNatsStreams, deleteRabbitMqQueues } from './brokerCleanup.js';
import type { TraceDetail } from '../../src/domain/traces.js';
import { freePort, spawnRole, waitForHealthy, type RoleProcess } from './processes.js';
import { waitFor } from './waitFor.js';

export const TEST_DATABASE_URL =
  process.env.TPS_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface Topology {
  apiUrl: string;
  env: NodeJS.ProcessEnv;
  api: RoleProcess;
  workers: Record<'fast' | 'slow', RoleProcess>;
  workerUrls: Record<'fast' | 'slow', string>;
  downstream: RoleProcess;
  /** Starts another `tps worker --pool <pool>` on a new port (after a kill, say). */
  startWorker(pool: 'fast' | 'slow'): Promise<RoleProcess>;
  stop(): Promise<void>;
}

/**
 * The distributed mode as separate processes — downstream, a worker per lane, the API — over the given broker,
 * with a queue prefix and a PostgreSQL schema of its own that `stop()` removes.
 */
export async function startTopology(env: NodeJS.ProcessEnv): Promise<Topology> {
  const tag = `e2e${randomBytes(4).toString('hex')}`;
  const downstreamPort = await freePort(3);
  const base: NodeJS.ProcessEnv = {
    HOST: '127.0.0.1',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: `tps_${tag}`,
    QUEUE_PREFIX: tag,
    DOWNSTREAM_PORT: String(downstreamPort),
    DOWNSTREAM_LATENCY_MS: '1',
    DOWNSTREAM_HOP_LATENCY_MS: '0',
    FAST_WORK_MS: '1',
    SLOW_WORK_MS: '5',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...env,
  };
  const started: RoleProcess[] = [];
  const role = async (args: string[], port: number, extra: NodeJS.ProcessEnv = {}) => {
    const process = spawnRole(args, { ...base, ...extra });
    started.push(process);
    await waitForHealthy(`http://127.0.0.1:${port}`, process);
    return process;
  };
  const startWorker = async (pool: 'fast' | 'slow') => {
    const port = await freePort();
    const worker = await role(['worker', '--pool', pool], port, { WORKER_PORT: String(port) });
    return Object.assign(worker, { url: `http://127.0.0.1:${port}` });
  };
  try {
    // The workers follow the API's andon cords, and they and downstream send the API their spans, as run-local
    // sets them up.
    const apiPort = await freePort();
    base.API_URL = `http://127.0.0.1:${apiPort}`;
    const downstream = await role(['downstream'], downstreamPort + 2);
    const api = await role(['api'], apiPort, { PORT: String(apiPort) });
    const fast = await startWorker('fast');
    const slow = await startWorker('slow');
    return {
      apiUrl: `http://127.0.0.1:${apiPort}`,
      env: base,
      api,
      workers: { fast, slow },
      workerUrls: { fast: fast.url, slow: slow.url },
      downstream,
      startWorker,
      stop: async () => {
        await Promise.all(started.map((process) => process.stop()));
        await cleanUp(base);
      },
    };
  } catch (error) {
    await Promise.all(started.map((process) => process.kill()));
    await cleanUp(base);
    throw error;
  }
}

async function cleanUp(env: NodeJS.ProcessEnv): Promise<void> {
  const prefix = String(env.QUEUE_PREFIX);
  if (env.QUEUE_BACKEND?.includes('nats')) await deleteNatsStreams(String(env.NATS_URL), prefix);
  if (env.QUEUE_BACKEND?.includes('rabbitmq')) await deleteRabbitMqQueues(String(env.AMQP_URL), prefix);
  await dropSchema(String(env.DATABASE_SCHEMA));
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function sendSignal(apiUrl: string, body: Record<string, unknown>) {
  const response = await fetch(`${apiUrl}/signal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

export async function statusOf(apiUrl: string, id: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${apiUrl}/signal/${id}/status`)).json()) as Record<string, unknown>;
}

/**
 * One signal's trace as the API process and the worker process each recorded their part: the trace context
 * crossed the broker in a message header when both parts share the trace id and the worker's `process` span
 * is the child of the API's `publish` span. Both name the broker as `messaging.system`.
 */
export async function assertTraceCrossesBroker(t: Topology, lane: 'fast' | 'slow'): Promise<void> {
  const accepted = await sendSignal(t.apiUrl, {
    signal_type: lane === 'fast' ? 'execute' : 'report',
    payload: {},
  });
  assert.equal(accepted.status, 202);
  const traceId = String(accepted.body.trace_id);
  const traceOf = (base: string) =>
    waitFor(
      async () => {
        const response = await fetch(`${base}/traces/${traceId}`);
        if (response.status !== 200) return undefined;
        const trace = (await response.json()) as TraceDetail;
        return trace.outcome === 'completed' || base === t.apiUrl ? trace : undefined;
      },
      { timeoutMs: 20_000, message: `trace ${traceId} at ${base}` },
    );
  const apiPart = await traceOf(t.apiUrl);
  const workerPart = await traceOf(t.workerUrls[lane]);
  const publish = apiPart.spans.find((span) => span.name === `publish ${lane}` && span.service === 'api');
  const process = workerPart.spans.find(
    (span) => span.name === `process ${lane}` && span.service === 'worker',
  );
  assert.ok(publish, 'the API recorded the publish');
  assert.ok(process, 'the worker recorded the process span');
  assert.equal(process.parent_span_id, publish.span_id);
  const broker = String(t.env.QUEUE_BACKEND).split('+')[0];
  assert.equal(publish.attributes['messaging.system'], broker);
  assert.equal(process.attributes['messaging.system'], broker);
  assert.ok(
    workerPart.spans.some((span) => span.name === 'POST' && span.attributes['tps.peer'] === 'service-c'),
  );
  const written = workerPart.spans.find((span) => span.attributes['tps.status'] === 'completed');
  assert.equal(written?.name, `UPDATE ${String(t.env.DATABASE_SCHEMA)}.signals`);
  assert.equal(written?.attributes['db.system.name'], 'postgresql');
  assert.equal(written?.attributes['db.operation.name'], 'UPDATE');
}

/**
 * The API's `/traces/:id` of a completed signal holds the whole trace: its own spans, and those the worker and
 * the downstream services recorded in their processes and sent it, in one tree under `POST /signal`.
 */
export async function assertApiHoldsWholeTrace(t: Topology, lane: 'fast' | 'slow'): Promise<void> {
  const accepted = await sendSignal(t.apiUrl, {
    signal_type: lane === 'fast' ? 'execute' : 'report',
    payload: {},
  });
  assert.equal(accepted.status, 202);
  const traceId = String(accepted.body.trace_id);
  const whole = await waitFor(
    async () => {
      const response = await fetch(`${t.apiUrl}/traces/${traceId}`);
      if (response.status !== 200) return undefined;
      const trace = (await response.json()) as TraceDetail;
      const done = trace.outcome === 'completed' && trace.services.includes('service-a');
      return done ? trace : undefined;
    },
    { timeoutMs: 20_000, message: `the API's trace ${traceId}, completed, with the downstream spans` },
  );
  assert.deepEqual([...whole.services].sort(), [
    'api',
    'queue',
    'service-a',
    'service-b',
    'service-c',
    'store',
    'worker',
  ]);
  const ids = new Set(whole.spans.map((span) => span.span_id));
  const roots = whole.spans.filter(
    (span) => span.parent_span_id === undefined || !ids.has(span.parent_span_id),
  );
  assert.deepEqual(
    roots.map((span) => span.name),
    ['POST /signal'],
    'one tree: every span but the request’s has its parent in the trace',
  );
  assert.ok(whole.spans.some((span) => span.name === `process ${lane}` && span.service === 'worker'));
  assert.ok(whole.spans.some((span) => span.name === 'POST /work' && span.service === 'service-a'));
  assert.ok(whole.process_time_ms > 0 && whole.pce > 0, 'the value stream is measured over the whole trace');
}
