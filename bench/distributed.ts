/**
 * Distributed benchmark: the embedded system, then the distributed mode over NATS JetStream and over RabbitMQ
 * (`tps downstream`, `tps api`, `tps worker --pool fast|slow` as separate processes with PostgreSQL as the status
 * store), each driven by open-model load of execute signals from this process with zero simulated work and
 * zero downstream latency. Per target it measures
 *
 *   - lead time p50/p99 at a steady rate every target holds (the worker's /status HDR percentiles),
 *   - accepted/s (2xx over the load time) and completed/s (completions from the first accept to the last
 *     completion, from signals_processed_total on the workers' /metrics) under a rate above what the target
 *     completes, with the backlog drained afterwards (bounded), and the lead time of that saturated run,
 *   - the lost count: accepted − (completed + failed + expired + dead-lettered) once drained, from the metrics
 *     and, in the distributed mode, from the status rows in PostgreSQL,
 *   - the CPU each process used during the saturated run (from /proc), to show where the time goes,
 *
 * and prints them with their ratio to the embedded figures of the same run.
 *
 *   npm run bench:distributed                         all three targets
 *   npm run bench:distributed -- --only nats          one target (embedded, nats or rabbitmq; repeatable)
 *   npm run bench:distributed -- --seconds 10         shorter saturated run
 *   npm run bench:distributed -- --rate 6000          saturating rate (default: per target, see RATES)
 *
 * Every run uses a queue prefix and a PostgreSQL schema of its own and deletes its streams, queues and schema
 * afterwards; load goes to 127.0.0.1 only.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runOpenModelLoad, type LoadReport, type ProgressSnapshot } from '../src/loadgen/index.js';
import { startTopology, TEST_DATABASE_URL, type Topology } from '../test/support/topology.js';
import type { TargetAnnouncement, TargetRequest } from './targets/runTarget.js';

const TARGETS = ['embedded', 'nats', 'rabbitmq'] as const;
type TargetName = (typeof TARGETS)[number];

/** Saturating rates: above what each target completes on a 2-core machine, low enough that the backlog drains in time. */
const RATES: Record<TargetName, number> = { embedded: 8000, nats: 6000, rabbitmq: 6000 };
const STEADY = { rate: 1000, warmupMs: 3000, durationMs: 8000 };
const DRAIN_TIMEOUT_MS = 45_000;
/** The drain also ends when nothing completed for this long (a stuck target should not hold the bench). */
const STALL_MS = 10_000;

const benchStarted = Date.now();
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string' },
    'steady-rate': { type: 'string', default: String(STEADY.rate) },
  },
});
const chosen = (args.only ?? [...TARGETS]).flatMap((name) => name.split(','));
for (const name of chosen) {
  if (!TARGETS.includes(name as TargetName)) {
    console.error(`--only accepts ${TARGETS.join(', ')}, not "${name}"`);
    process.exit(2);
  }
}
const loadMs = Number(args.seconds) * 1000;
const fixedRate = args.rate === undefined ? undefined : Number(args.rate);
const steadyRate = Number(args['steady-rate']);
for (const [flag, value] of [
  ['--seconds', loadMs],
  ['--rate', fixedRate ?? 1],
  ['--steady-rate', steadyRate],
] as const) {
  if (!(Number.isFinite(value) && value > 0)) {
    console.error(`${flag} accepts a number > 0`);
    process.exit(2);
  }
}

/** The settings every target runs with: nothing simulated, room for a large backlog, pools sized for throughput. */
const BENCH_ENV: NodeJS.ProcessEnv = {
  FAST_WORK_MS: '0',
  SLOW_WORK_MS: '0',
  DOWNSTREAM_LATENCY_MS: '0',
  DOWNSTREAM_HOP_LATENCY_MS: '0',
  MAX_QUEUE_DEPTH: '200000',
  WORKER_COUNT: '64',
  POOL_MAX: '256',
  // Kept past the run, so the lost count can be read from the store; retention (15 min) outlasts the bench.
  STATUS_MAX_RECORDS: '5000000',
  SHUTDOWN_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'warn',
};

const bodyFor = (phase: string): string =>
  JSON.stringify({ signal_type: 'execute', payload: { task: 'bench', phase } });

// ---------------------------------------------------------------------------------------------------------------
// Targets

interface FlowTarget {
  name: TargetName;
  apiUrl: string;
  /** Where signals_processed_total and the lead-time histogram live: the workers (or the embedded process). */
  workerUrls: string[];
  /** The process whose /status percentiles_ms.lead_time.fast is read. */
  leadTimeUrl: string;
  /** Processes whose CPU is sampled, by role. */
  pids: Record<string, number>;
  /** Status rows by status (distributed mode only). */
  storeCounts?: () => Promise<Record<string, number>>;
  /** Exact lead-time percentiles from the status rows of one phase (distributed mode only). */
  storeLeadTime?: (phase: string) => Promise<{ count: number; p50: number; p99: number }>;
  stop(): Promise<void>;
}

async function startEmbedded(): Promise<FlowTarget> {
  const child = fork(new URL('./targets/embedded.ts', import.meta.url), [], {
    execArgv: process.execArgv,
    env: { ...process.env, ...BENCH_ENV },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const announced = new Promise<TargetAnnouncement>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { benchTarget?: TargetAnnouncement };
        if (parsed.benchTarget) return resolve(parsed.benchTarget);
      } catch {
        // not the announcement
      }
      process.stderr.write(`[embedded] ${line}\n`);
    });
    void exited.then((code) => reject(new Error(`embedded target exited with code ${code} before it started`)));
    setTimeout(() => reject(new Error('embedded target did not start within 60 s')), 60_000).unref();
  });
  const { url, pid } = await announced.catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    name: 'embedded',
    apiUrl: url,
    workerUrls: [url],
    leadTimeUrl: url,
    pids: { embedded: pid },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'close' } satisfies TargetRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startDistributed(name: 'nats' | 'rabbitmq'): Promise<FlowTarget> {
  const tag = `bench${randomBytes(4).toString('hex')}`;
  const schema = `tps_${tag}`;
  const topology: Topology = await startTopology({
    ...BENCH_ENV,
    QUEUE_BACKEND: name,
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    QUEUE_PREFIX: tag,
    DATABASE_SCHEMA: schema,
  });
  activeTopology = topology;
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  const table = `"${schema}".signals`;
  const pidOf = (role: { child: { pid?: number } }): number => role.child.pid ?? 0;
  return {
    name,
    apiUrl: topology.apiUrl,
    workerUrls: [topology.workerUrls.fast, topology.workerUrls.slow],
    leadTimeUrl: topology.workerUrls.fast,
    pids: {
      api: pidOf(topology.api),
      'worker fast': pidOf(topology.workers.fast),
      'worker slow': pidOf(topology.workers.slow),
      downstream: pidOf(topology.downstream),
    },
    async storeCounts() {
      const result = await db.query<{ status: string; count: string }>(
        `SELECT status, count(*) AS count FROM ${table} GROUP BY status`,
      );
      return Object.fromEntries(result.rows.map((row) => [row.status, Number(row.count)]));
    },
    async storeLeadTime(phase) {
      const result = await db.query<{ count: string; p50: number | null; p99: number | null }>(
        `SELECT count(*) AS count,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY lead) AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY lead) AS p99
           FROM (SELECT extract(epoch FROM completed_at - created_at) * 1000 AS lead FROM ${table}
                  WHERE status = 'completed' AND payload->>'phase' = $1) AS leads`,
        [phase],
      );
      const row = result.rows[0];
      return { count: Number(row?.count ?? 0), p50: row?.p50 ?? 0, p99: row?.p99 ?? 0 };
    },
    async stop() {
      await db.end().catch(() => undefined);
      await topology.stop();
      activeTopology = undefined;
    },
  };
}

let activeTopology: Topology | undefined;
// Ctrl-C mid-run still removes the processes, streams, queues and schema of this run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the target and cleaning up`);
    void (activeTopology?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const startTarget = (name: TargetName): Promise<FlowTarget> =>
  name === 'embedded' ? startEmbedded() : startDistributed(name);

// ---------------------------------------------------------------------------------------------------------------
// Reading the targets

type Samples = Map<string, number>;

/** Prometheus text → `name{sorted labels}` → value, for the series the bench reads. */
function parseMetrics(text: string, into: Samples = new Map()): Samples {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? ([^ ]+)/.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    if (!name!.startsWith('signal')) continue;
    const key = `${name}{${labels.split(',').filter(Boolean).sort().join(',')}}`;
    into.set(key, (into.get(key) ?? 0) + Number(value));
  }
  return into;
}

async function scrape(urls: string[]): Promise<Samples> {
  const samples: Samples = new Map();
  await Promise.all(
    urls.map(async (url) => parseMetrics(await (await fetch(`${url}/metrics`)).text(), samples)),
  );
  return samples;
}

const sumOf = (samples: Samples, prefix: string, ...labels: string[]): number => {
  let sum = 0;
  for (const [key, value] of samples) {
    if (key.startsWith(`${prefix}{`) && labels.every((label) => key.includes(label))) sum += value;
  }
  return sum;
};

const TERMINAL_OUTCOMES = ['completed', 'failed', 'expired', 'dead_lettered'] as const;

interface Counts {
  accepted: number;
  completed: number;
  terminal: number;
  outcomes: Record<string, number>;
  leadBuckets: Map<number, number>;
}

async function counts(target: FlowTarget): Promise<Counts> {
  const [api, workers] = await Promise.all([scrape([target.apiUrl]), scrape(target.workerUrls)]);
  const outcomes: Record<string, number> = {};
  for (const [key, value] of workers) {
    const outcome = /outcome="([^"]+)"/.exec(key)?.[1];
    if (key.startsWith('signals_processed_total{') && outcome) outcomes[outcome] = (outcomes[outcome] ?? 0) + value;
  }
  const leadBuckets = new Map<number, number>();
  for (const [key, value] of workers) {
    if (!key.startsWith('signal_lead_time_seconds_bucket{')) continue;
    const le = /le="([^"]+)"/.exec(key)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    leadBuckets.set(bound, (leadBuckets.get(bound) ?? 0) + value);
  }
  return {
    accepted: sumOf(api, 'signals_accepted_total'),
    completed: outcomes.completed ?? 0,
    terminal: TERMINAL_OUTCOMES.reduce((sum, outcome) => sum + (outcomes[outcome] ?? 0), 0),
    outcomes,
    leadBuckets,
  };
}

/** A percentile (ms) from the delta of two cumulative histograms, interpolated linearly inside its bucket. */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0));
  const total = cumulative.at(-1) ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [index, bound] of bounds.entries()) {
    const count = cumulative[index]!;
    if (count >= rank) {
      if (!Number.isFinite(bound)) return lower * 1000;
      const inBucket = count - below;
      return (lower + ((bound - lower) * (rank - below)) / Math.max(1, inBucket)) * 1000;
    }
    lower = bound;
    below = count;
  }
  return lower * 1000;
}

interface LeadView {
  count: number;
  p50: number;
  p99: number;
}

async function hdrLeadTime(url: string): Promise<LeadView> {
  const status = (await (await fetch(`${url}/status`)).json()) as {
    percentiles_ms: { lead_time: { fast: LeadView } };
  };
  return status.percentiles_ms.lead_time.fast;
}

// ---------------------------------------------------------------------------------------------------------------
// CPU from /proc

const CLOCK_TICKS = 100;

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command (which may hold spaces): utime is the 14th field, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** Shared services on this machine, found by their command name (read only: they are never touched). */
async function sharedServicePids(): Promise<Record<string, number[]>> {
  const found: Record<string, number[]> = { 'nats-server': [], rabbitmq: [], postgresql: [] };
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (comm === 'nats-server') found['nats-server']!.push(Number(entry));
    else if (comm === 'beam.smp' || comm === 'epmd' || comm.startsWith('erl_child')) found.rabbitmq!.push(Number(entry));
    else if (comm === 'postgres' || comm === 'postmaster') found.postgresql!.push(Number(entry));
  }
  return found;
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

interface CpuSnapshot {
  at: number;
  perRole: Map<string, number>;
  machine: { busy: number; total: number };
}

async function cpuSnapshot(target: FlowTarget): Promise<CpuSnapshot> {
  const perRole = new Map<string, number>();
  perRole.set('bench (load generator)', await cpuTicks(process.pid));
  for (const [role, pid] of Object.entries(target.pids)) perRole.set(role, await cpuTicks(pid));
  // Postgres backends come and go with connection pools: summed over whichever exist at each snapshot.
  for (const [service, pids] of Object.entries(await sharedServicePids())) {
    let ticks = 0;
    for (const pid of pids) ticks += await cpuTicks(pid);
    perRole.set(service, ticks);
  }
  return { at: Date.now(), perRole, machine: await machineTicks() };
}

/** CPU % per process (100 % = one core) between two snapshots, and how busy the whole machine was. */
function cpuUse(before: CpuSnapshot, after: CpuSnapshot): { roles: [string, number][]; machine: number } {
  const seconds = (after.at - before.at) / 1000;
  const roles: [string, number][] = [];
  for (const [role, ticks] of after.perRole) {
    const used = (ticks - (before.perRole.get(role) ?? 0)) / CLOCK_TICKS / seconds;
    roles.push([role, Math.max(0, used * 100)]);
  }
  roles.sort((a, b) => b[1] - a[1]);
  const machine =
    (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total);
  return { roles, machine: machine * 100 };
}

// ---------------------------------------------------------------------------------------------------------------
// Phases

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => (n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`);
const secs = (fromMs: number): string => `${((Date.now() - fromMs) / 1000).toFixed(0)}s`;

const load = (target: FlowTarget, rate: number, durationMs: number, phase: string, onProgress?: (p: ProgressSnapshot) => void) =>
  runOpenModelLoad({
    url: target.apiUrl,
    ratePerSecond: rate,
    durationMs,
    body: () => bodyFor(phase),
    timeoutMs: 5000,
    ...(onProgress ? { onProgress } : {}),
  });

interface DrainResult {
  drained: boolean;
  /** When the last completion was seen (epoch ms; resolution of the polling, 100 ms). */
  lastCompletionAt: number;
  counts: Counts;
}

/** Waits until every signal accepted so far reached a terminal outcome, or the drain times out or stalls. */
async function drain(target: FlowTarget, label: string, timeoutMs: number): Promise<DrainResult> {
  const started = Date.now();
  let last = await counts(target);
  let lastCompletionAt = Date.now();
  let lastPrint = Date.now();
  for (;;) {
    if (last.terminal >= last.accepted) return { drained: true, lastCompletionAt, counts: last };
    if (Date.now() - started > timeoutMs || Date.now() - lastCompletionAt > STALL_MS) {
      return { drained: false, lastCompletionAt, counts: last };
    }
    await sleep(100);
    const now = await counts(target);
    if (now.terminal > last.terminal) lastCompletionAt = Date.now();
    if (Date.now() - lastPrint >= 1000) {
      lastPrint = Date.now();
      console.log(
        `${label} draining ${secs(started)}  backlog ${num(now.accepted - now.terminal)}  ` +
          `completed ${num(now.completed)}`,
      );
    }
    last = now;
  }
}

interface TargetResult {
  name: TargetName;
  rate: number;
  steady: { report: LoadReport; lead: LeadView; storeLead?: LeadView };
  saturated: {
    report: LoadReport;
    acceptedPerS: number;
    completed: number;
    completedPerS: number;
    peakCompletedPerS: number;
    spanS: number;
    drained: boolean;
    lead: { p50: number; p99: number };
    storeLead?: LeadView;
    cpu: ReturnType<typeof cpuUse>;
  };
  lost: { byMetrics: number; byStore?: number; inFlight?: number; outcomes: Record<string, number>; store?: Record<string, number> };
}

async function benchTarget(name: TargetName): Promise<TargetResult> {
  const started = Date.now();
  console.log(`\n${name}: starting`);
  const target = await startTarget(name);
  console.log(`${name}: running at ${target.apiUrl} (${Object.entries(target.pids).map(([role, pid]) => `${role} ${pid}`).join(', ')}) in ${secs(started)}`);
  try {
    // Steady: warm-up and a measured stretch at a rate every target holds; lead time from the HDR window, which
    // then covers exactly these two (same rate), as the process is fresh.
    await load(target, steadyRate, STEADY.warmupMs, 'warmup');
    const steadyReport = await load(target, steadyRate, STEADY.durationMs, 'steady');
    const steadyDrain = await drain(target, `${name} steady`, 15_000);
    const lead = await hdrLeadTime(target.leadTimeUrl);
    const steadyStoreLead = await target.storeLeadTime?.('steady');
    console.log(
      `${name} steady ${num(steadyRate)}/s  2xx ${num(steadyReport.accepted)}/${num(steadyReport.sent)}  ` +
        `intake p99 ${ms(steadyReport.latencyMs.p99)}  lead time p50 ${ms(lead.p50)} p99 ${ms(lead.p99)}` +
        (steadyStoreLead ? ` (store: p50 ${ms(steadyStoreLead.p50)} p99 ${ms(steadyStoreLead.p99)})` : '') +
        (steadyDrain.drained ? '' : '  NOT DRAINED'),
    );

    // Saturated: a rate above what the target completes, for a fixed time; then the backlog drains.
    const rate = fixedRate ?? RATES[name];
    const before = await counts(target);
    const cpuBefore = await cpuSnapshot(target);
    const loadStarted = Date.now();
    let previous = before;
    let peakCompletedPerS = 0;
    let polling = false;
    const report = await load(target, rate, loadMs, 'load', (progress) => {
      if (polling) return;
      polling = true;
      void counts(target)
        .then((now) => {
          const completedPerS = now.completed - previous.completed;
          peakCompletedPerS = Math.max(peakCompletedPerS, completedPerS);
          console.log(
            `${name} load ${(progress.elapsedMs / 1000).toFixed(0)}s/${loadMs / 1000}s  ${num(rate)}/s  ` +
              `sent ${num(progress.sent)}  2xx ${num(progress.accepted)}  429 ${num(progress.rejected['429'])}  ` +
              `errors ${num(progress.rejected.errors + progress.rejected['5xx'] + progress.rejected['503'])}  ` +
              `intake p99 ${ms(progress.intervalP99)}  accepted ${num(now.accepted - previous.accepted)}/s  ` +
              `completed ${num(completedPerS)}/s  backlog ${num(now.accepted - now.terminal)}`,
          );
          previous = now;
        })
        .catch(() => undefined)
        .finally(() => (polling = false));
    });
    const loadEnded = Date.now();
    const drained = await drain(target, `${name}`, DRAIN_TIMEOUT_MS);
    const cpuAfter = await cpuSnapshot(target);
    const after = drained.counts;
    const completed = after.completed - before.completed;
    const spanS = (drained.lastCompletionAt - loadStarted) / 1000;
    const storeLead = await target.storeLeadTime?.('load');
    const store = await target.storeCounts?.();
    const lostByMetrics = after.accepted - after.terminal;
    const storeTerminal = store
      ? Object.entries(store).reduce((sum, [status, count]) => sum + (['completed', 'failed', 'expired', 'dead_lettered'].includes(status) ? count : 0), 0)
      : undefined;
    const result: TargetResult = {
      name,
      rate,
      steady: { report: steadyReport, lead, ...(steadyStoreLead ? { storeLead: steadyStoreLead } : {}) },
      saturated: {
        report,
        acceptedPerS: (report.accepted * 1000) / Math.max(1, loadEnded - loadStarted),
        completed,
        completedPerS: completed / Math.max(0.001, spanS),
        peakCompletedPerS,
        spanS,
        drained: drained.drained,
        lead: {
          p50: bucketPercentile(before.leadBuckets, after.leadBuckets, 0.5),
          p99: bucketPercentile(before.leadBuckets, after.leadBuckets, 0.99),
        },
        ...(storeLead ? { storeLead } : {}),
        cpu: cpuUse(cpuBefore, cpuAfter),
      },
      lost: {
        byMetrics: lostByMetrics,
        outcomes: after.outcomes,
        ...(store && storeTerminal !== undefined
          ? { store, byStore: after.accepted - storeTerminal, inFlight: (store.queued ?? 0) + (store.processing ?? 0) }
          : {}),
      },
    };
    console.log(
      `${name} saturated: accepted ${num(result.saturated.acceptedPerS)}/s, completed ${num(result.saturated.completedPerS)}/s ` +
        `(${num(completed)} in ${spanS.toFixed(1)} s, peak ${num(peakCompletedPerS)}/s)` +
        (drained.drained ? '' : `, NOT DRAINED within ${DRAIN_TIMEOUT_MS / 1000} s`) +
        `; lost ${num(lostByMetrics)} by metrics` +
        (result.lost.byStore === undefined ? '' : `, ${num(result.lost.byStore)} by the store (${JSON.stringify(store)})`),
    );
    console.log(
      `${name} CPU during the saturated run and drain (100% = one core; machine ${result.saturated.cpu.machine.toFixed(0)}% busy of 2 cores): ` +
        result.saturated.cpu.roles
          .filter(([, pct]) => pct >= 1)
          .map(([role, pct]) => `${role} ${pct.toFixed(0)}%`)
          .join(', '),
    );
    return result;
  } finally {
    console.log(`${name}: stopping${name === 'embedded' ? '' : ' and removing its streams/queues and schema'}`);
    await target.stop();
    console.log(`${name}: done in ${secs(started)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const results: TargetResult[] = [];
for (const name of TARGETS.filter((t) => chosen.includes(t))) {
  results.push(await benchTarget(name));
}

const embedded = results.find((r) => r.name === 'embedded');
const ratio = (value: number, base: number | undefined): string =>
  base === undefined || base === 0 ? '' : ` (${(value / base).toFixed(2)}×)`;

console.log(
  `\nDistributed path, execute signals with zero simulated work and zero downstream latency ` +
    `(${((Date.now() - benchStarted) / 1000).toFixed(0)} s)\n` +
    `saturated: ${loadMs / 1000} s of open-model load at the rate shown, then the backlog drained; ` +
    `completed/s over first accept → last completion\n` +
    `ratios (×) are to the embedded figure of this run\n`,
);
console.log(
  table([
    ['target', 'rate', 'accepted/s', 'completed/s', 'peak 1 s', 'lead p50', 'lead p99', 'lost', 'drained'],
    ...results.map((r) => [
      r.name,
      `${num(r.rate)}/s`,
      `${num(r.saturated.acceptedPerS)}${ratio(r.saturated.acceptedPerS, embedded?.saturated.acceptedPerS)}`,
      `${num(r.saturated.completedPerS)}${ratio(r.saturated.completedPerS, embedded?.saturated.completedPerS)}`,
      num(r.saturated.peakCompletedPerS),
      ms(r.saturated.lead.p50),
      ms(r.saturated.lead.p99),
      num(r.lost.byStore ?? r.lost.byMetrics),
      r.saturated.drained ? 'yes' : 'NO',
    ]),
  ]),
);
console.log(
  `\nLead time at a steady ${num(steadyRate)}/s (not saturated; worker /status HDR percentiles)\n`,
);
console.log(
  table([
    ['target', '2xx', 'intake p99', 'lead p50', 'lead p99'],
    ...results.map((r) => [
      r.name,
      `${((100 * r.steady.report.accepted) / Math.max(1, r.steady.report.sent)).toFixed(1)}%`,
      ms(r.steady.report.latencyMs.p99),
      `${ms(r.steady.lead.p50)}${ratio(r.steady.lead.p50, embedded?.steady.lead.p50)}`,
      `${ms(r.steady.lead.p99)}${ratio(r.steady.lead.p99, embedded?.steady.lead.p99)}`,
    ]),
  ]),
);
console.log(
  '\nSaturated lead time is interpolated from signal_lead_time_seconds buckets; in the distributed mode the store' +
    ' rows give it exactly: ' +
    results
      .filter((r) => r.saturated.storeLead)
      .map((r) => `${r.name} p50 ${ms(r.saturated.storeLead!.p50)} p99 ${ms(r.saturated.storeLead!.p99)}`)
      .join(', '),
);
console.log(
  '\nCaveat: 2 cores shared by the load generator, the API, two workers, downstream, the broker and PostgreSQL;' +
    ' compare ratios rather than absolutes. lost = accepted − (completed + failed + expired + dead-lettered) after' +
    ' the drain (store rows in the distributed mode, metrics in the embedded one).',
);
