/**
 * Distributed benchmark: the embedded system, then the distributed mode over NATS JetStream and over RabbitMQ
 * (`tps downstream`, `tps api`, `tps worker --pool fast|slow` as separate processes, PostgreSQL as the status
 * store), each driven by open-model load of execute signals from this process (src/loadgen), with zero simulated
 * work and zero downstream latency. Per target:
 *
 *   - steady: a warm-up, then a stretch at a low rate every target holds; every signal of it carries an id of the
 *     bench's choosing and is read back through GET /signal/:id/status: lead time p50/p99 (created_at →
 *     completed_at);
 *   - saturated: a rate above what the target completes, for a fixed time, then the backlog drains (bounded):
 *     accepted/s (2xx over the load time), completed/s (signals_processed_total{outcome="completed"} on the workers'
 *     /metrics, from the first accept to the last completion), the best second of completions, and lead time
 *     p50/p99 from a sample of at most 2000 signals read back by id;
 *   - lost: accepted − (completed + failed + expired + dead-lettered) once drained, from the status rows in
 *     PostgreSQL (distributed) or the metrics (embedded), plus the sampled ids left unfinished; must be 0;
 *   - where the time goes: mean intake, queue wait, processing and call to service C of the saturated run (from
 *     the histograms' _sum/_count), and the CPU each process used per completed signal, from /proc: this one (the
 *     load generator), the target's roles, and the shared nats-server, RabbitMQ and PostgreSQL processes (read
 *     only). Work of other processes on the machine is shown as such.
 *
 * Ratios are to the embedded figures of the same run.
 *
 *   npm run bench:distributed                            all three targets (about 3 minutes)
 *   npm run bench:distributed -- --only nats             one target: embedded, nats or rabbitmq (repeatable)
 *   npm run bench:distributed -- --seconds 20            longer saturated run (default 10)
 *   npm run bench:distributed -- --rate 3000             one saturating rate for all targets (default: RATES)
 *   npm run bench:distributed -- --steady-rate 200       the steady rate (default 250)
 *
 * Each distributed target gets a queue prefix and a PostgreSQL schema of its own (`bench<hex>`, `tps_bench<hex>`)
 * that are removed afterwards, also on Ctrl-C. Load goes to 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runOpenModelLoad, type LoadReport, type ProgressSnapshot } from '../src/loadgen/index.js';
import { startTopology, TEST_DATABASE_URL, type Topology } from '../test/support/topology.js';
import { startTarget as startBenchTarget } from './targets/startTarget.js';

const TARGETS = ['embedded', 'nats', 'rabbitmq'] as const;
type TargetName = (typeof TARGETS)[number];

/**
 * Saturating rates: above what each target completes on a 2-core machine (embedded some 3–5k/s, distributed
 * below 1k/s), yet low enough that the load generator does not take the cores the target needs and the backlog
 * drains within DRAIN_TIMEOUT_MS.
 */
const RATES: Record<TargetName, number> = { embedded: 8000, nats: 3000, rabbitmq: 3000 };
const WARMUP_MS = 3000;
const STEADY_MS = 8000;
const DRAIN_TIMEOUT_MS = 45_000;
/** A drain also ends when nothing completed for this long, so a stuck target does not hold the bench. */
const STALL_MS = 10_000;
const CLOCK_TICKS = 100;

const benchStarted = Date.now();
// The roles are spawned as `node --import tsx src/cli/main.ts`, relative to the repository.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string' },
    'steady-rate': { type: 'string', default: '250' },
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

/** What every target runs with: nothing simulated, room for a large backlog, pools sized for throughput. */
const BENCH_ENV: NodeJS.ProcessEnv = {
  FAST_WORK_MS: '0',
  SLOW_WORK_MS: '0',
  DOWNSTREAM_LATENCY_MS: '0',
  DOWNSTREAM_HOP_LATENCY_MS: '0',
  MAX_QUEUE_DEPTH: '200000',
  WORKER_COUNT: '64',
  POOL_MAX: '256',
  // Rows stay past the run so the lost count can be read from the store; retention (15 min) outlasts the bench.
  STATUS_MAX_RECORDS: '5000000',
  SHUTDOWN_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'warn',
};

/** Most signals per phase whose status the bench reads back by id afterwards. */
const SAMPLE_MAX = 2000;

/**
 * Request bodies of one phase: every `every`-th carries an id of the bench's choosing, so its record can be read
 * back through GET /signal/:id/status once the backlog drained (lead time, and that it was not lost). A signal
 * with an id costs intake one store read more; at one in ten or fewer that is noise.
 */
function phaseBodies(tag: string, phase: string, every: number) {
  const ids: string[] = [];
  const plain = JSON.stringify({ signal_type: 'execute', payload: { task: 'bench', phase } });
  return {
    ids,
    body: (i: number): string => {
      if (!Number.isFinite(every) || i % every !== 0) return plain;
      const id = `${tag}-${phase}-${i}`;
      ids.push(id);
      return JSON.stringify({ id, signal_type: 'execute', payload: { task: 'bench', phase } });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Targets

interface FlowTarget {
  name: TargetName;
  apiUrl: string;
  /** Where signals_processed_total and the flow histograms live: the workers, or the embedded process. */
  workerUrls: string[];
  /** The target's own processes, by role, for CPU sampling. */
  pids: Record<string, number>;
  /** Status rows by status (distributed mode). */
  storeCounts?: () => Promise<Record<string, number>>;
  /** Lead-time percentiles over every completed row of one phase (distributed mode): a check of the sample. */
  storeLeadTime?: (phase: string) => Promise<LeadView>;
  stop(): Promise<void>;
}

interface LeadView {
  count: number;
  p50: number;
  p99: number;
}

async function startEmbedded(): Promise<FlowTarget> {
  // Under tsx like the distributed roles (spawned from src/ as well), so CPU per signal compares like with like.
  const target = await startBenchTarget(
    'embedded',
    fileURLToPath(new URL('./targets/embedded.ts', import.meta.url)),
    {
      env: BENCH_ENV,
      execArgv: process.execArgv,
    },
  );
  return {
    name: 'embedded',
    apiUrl: target.url,
    workerUrls: [target.url],
    pids: { embedded: target.pid },
    stop: () => target.stop(10_000),
  };
}

let activeTopology: Topology | undefined;

async function startDistributed(name: 'nats' | 'rabbitmq'): Promise<FlowTarget> {
  const tag = `bench${randomBytes(4).toString('hex')}`;
  const schema = `tps_${tag}`;
  // startTopology removes the streams or queues of this prefix and drops this schema on stop (and when a start fails).
  const topology = await startTopology({
    ...BENCH_ENV,
    QUEUE_BACKEND: name,
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    QUEUE_PREFIX: tag,
    DATABASE_SCHEMA: schema,
  });
  activeTopology = topology;
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: 'tps-bench' });
  try {
    await db.connect();
  } catch (error) {
    await topology.stop();
    activeTopology = undefined;
    throw error;
  }
  const table = `"${schema}".signals`;
  const pidOf = (role: { child: { pid?: number | undefined } }): number => role.child.pid ?? 0;
  return {
    name,
    apiUrl: topology.apiUrl,
    workerUrls: [topology.workerUrls.fast, topology.workerUrls.slow],
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
      return { count: Number(row?.count ?? 0), p50: Number(row?.p50 ?? 0), p99: Number(row?.p99 ?? 0) };
    },
    async stop() {
      await db.end().catch(() => undefined);
      await topology.stop();
      activeTopology = undefined;
    },
  };
}

// Ctrl-C mid-run still stops the roles and removes the streams, queues and schema of this run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the target and cleaning up`);
    void (activeTopology?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const startTarget = (name: TargetName): Promise<FlowTarget> =>
  name === 'embedded' ? startEmbedded() : startDistributed(name);

// ---------------------------------------------------------------------------------------------------------------
// Reading the targets' /metrics

type Samples = Map<string, number>;

const WANTED = ['signal', 'api_latency_seconds', 'downstream_latency_seconds'];

/** Prometheus text → `name{sorted labels}` → value (summed over processes), for the series the bench reads. */
function parseMetrics(text: string, into: Samples): Samples {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? ([^ ]+)/.exec(line);
    if (!match) continue;
    const [, name = '', labels = '', value] = match;
    if (!WANTED.some((prefix) => name.startsWith(prefix))) continue;
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

const sumOf = (samples: Samples, name: string, ...labels: string[]): number => {
  let sum = 0;
  for (const [key, value] of samples) {
    if (key.startsWith(`${name}{`) && labels.every((label) => key.includes(label))) sum += value;
  }
  return sum;
};

const TERMINAL = ['completed', 'failed', 'expired', 'dead_lettered'];

interface Counts {
  accepted: number;
  completed: number;
  terminal: number;
  outcomes: Record<string, number>;
  api: Samples;
  workers: Samples;
}

async function counts(target: FlowTarget): Promise<Counts> {
  const [api, workers] = await Promise.all([scrape([target.apiUrl]), scrape(target.workerUrls)]);
  const outcomes: Record<string, number> = {};
  for (const [key, value] of workers) {
    const outcome = /outcome="([^"]+)"/.exec(key)?.[1];
    if (key.startsWith('signals_processed_total{') && outcome) {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + value;
    }
  }
  return {
    accepted: sumOf(api, 'signals_accepted_total'),
    completed: outcomes.completed ?? 0,
    terminal: TERMINAL.reduce((sum, outcome) => sum + (outcomes[outcome] ?? 0), 0),
    outcomes,
    api,
    workers,
  };
}

/** Mean (ms) of a histogram between two scrapes, from its _sum and _count. */
function meanMs(before: Samples, after: Samples, name: string, ...labels: string[]): number {
  const count = sumOf(after, `${name}_count`, ...labels) - sumOf(before, `${name}_count`, ...labels);
  const sum = sumOf(after, `${name}_sum`, ...labels) - sumOf(before, `${name}_sum`, ...labels);
  return count > 0 ? (1000 * sum) / count : 0;
}

interface Sampled extends LeadView {
  /** Sampled ids with a record, and of those the ones not in a terminal status (in flight or lost). */
  found: number;
  unfinished: number;
}

/** Reads the sampled signals back through the API: lead time (created_at → completed_at) of the completed ones. */
async function sampledLeadTime(apiUrl: string, ids: string[]): Promise<Sampled> {
  const leads: number[] = [];
  let found = 0;
  let unfinished = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const response = await fetch(`${apiUrl}/signal/${encodeURIComponent(id)}/status`);
        // 404: never accepted (a request that failed), or accepted and taken back when its publish failed.
        if (response.status === 404) {
          await response.body?.cancel();
          continue;
        }
        const record = (await response.json()) as {
          status: string;
          created_at: string;
          completed_at: string | null;
        };
        found++;
        if (!TERMINAL.includes(record.status)) unfinished++;
        if (record.status === 'completed' && record.completed_at) {
          leads.push(Date.parse(record.completed_at) - Date.parse(record.created_at));
        }
      }
    }),
  );
  leads.sort((a, b) => a - b);
  const at = (q: number): number => leads[Math.min(leads.length - 1, Math.ceil(q * leads.length) - 1)] ?? 0;
  return { count: leads.length, p50: at(0.5), p99: at(0.99), found, unfinished };
}

// ---------------------------------------------------------------------------------------------------------------
// CPU from /proc (read only)

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // After the command (which may hold spaces and parentheses): utime is field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/** The shared services, found by command name; PostgreSQL backends come and go with the connection pools. */
async function sharedServicePids(): Promise<Record<string, number[]>> {
  const found: Record<string, number[]> = { 'nats-server': [], rabbitmq: [], postgresql: [] };
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (comm === 'nats-server') found['nats-server']!.push(Number(entry));
    else if (comm === 'beam.smp' || comm === 'erl_child_setup') found.rabbitmq!.push(Number(entry));
    else if (comm === 'postgres') found.postgresql!.push(Number(entry));
  }
  return found;
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  // guest time is already counted in user time.
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

interface CpuSnapshot {
  at: number;
  perRole: Map<string, number>;
  machine: { busy: number; total: number };
}

async function cpuSnapshot(target: FlowTarget): Promise<CpuSnapshot> {
  const perRole = new Map<string, number>();
  perRole.set('load generator (this process)', await cpuTicks(process.pid));
  for (const [role, pid] of Object.entries(target.pids)) perRole.set(role, await cpuTicks(pid));
  for (const [service, pids] of Object.entries(await sharedServicePids())) {
    let ticks = 0;
    for (const pid of pids) ticks += await cpuTicks(pid);
    perRole.set(service, ticks);
  }
  return { at: Date.now(), perRole, machine: await machineTicks() };
}

interface CpuUse {
  seconds: number;
  /** CPU seconds per role over the window. */
  roles: [string, number][];
  /** Cores busy on the whole machine, and of those, the ones no process above accounts for (other work). */
  machineCores: number;
  otherCores: number;
  cores: number;
}

function cpuUse(before: CpuSnapshot, after: CpuSnapshot, cores: number): CpuUse {
  const seconds = (after.at - before.at) / 1000;
  const roles: [string, number][] = [];
  for (const [role, ticks] of after.perRole) {
    roles.push([role, Math.max(0, (ticks - (before.perRole.get(role) ?? 0)) / CLOCK_TICKS)]);
  }
  roles.sort((a, b) => b[1] - a[1]);
  const share =
    (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total);
  const machineCores = share * cores;
  const ours = roles.reduce((sum, [, cpu]) => sum + cpu, 0) / seconds;
  return { seconds, roles, machineCores, otherCores: Math.max(0, machineCores - ours), cores };
}

// ---------------------------------------------------------------------------------------------------------------
// Phases

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)} ms`;
const since = (fromMs: number): string => `${((Date.now() - fromMs) / 1000).toFixed(0)}s`;

const load = (
  target: FlowTarget,
  rate: number,
  durationMs: number,
  body: (i: number) => string,
  onProgress?: (progress: ProgressSnapshot) => void,
): Promise<LoadReport> =>
  runOpenModelLoad({
    url: target.apiUrl,
    ratePerSecond: rate,
    durationMs,
    body,
    timeoutMs: 5000,
    ...(onProgress ? { onProgress } : {}),
  });

/** Completions over time, for the best completed/s over any second of a run. */
class CompletionRate {
  private readonly samples: { at: number; completed: number }[] = [];
  add(completed: number): void {
    this.samples.push({ at: Date.now(), completed });
  }
  best(): number {
    let best = 0;
    let from = 0;
    for (let to = 1; to < this.samples.length; to++) {
      while (from + 1 < to && this.samples[to]!.at - this.samples[from + 1]!.at >= 1000) from++;
      const span = this.samples[to]!.at - this.samples[from]!.at;
      if (span < 1000) continue;
      best = Math.max(best, ((this.samples[to]!.completed - this.samples[from]!.completed) * 1000) / span);
    }
    return best;
  }
}

interface DrainResult {
  drained: boolean;
  /** When the last completion was seen (epoch ms, to the 100 ms of the polling). */
  lastCompletionAt: number;
  counts: Counts;
}

/** Waits until every signal accepted so far reached a terminal outcome, or the drain times out or stalls. */
async function drain(
  target: FlowTarget,
  label: string,
  timeoutMs: number,
  rate?: CompletionRate,
): Promise<DrainResult> {
  const started = Date.now();
  let last = await counts(target);
  let lastCompletionAt = Date.now();
  let lastPrint = Date.now();
  let printed = last;
  for (;;) {
    rate?.add(last.completed);
    if (last.terminal >= last.accepted) return { drained: true, lastCompletionAt, counts: last };
    if (Date.now() - started > timeoutMs || Date.now() - lastCompletionAt > STALL_MS) {
      return { drained: false, lastCompletionAt, counts: last };
    }
    await sleep(100);
    const now = await counts(target);
    if (now.terminal > last.terminal) lastCompletionAt = Date.now();
    if (Date.now() - lastPrint >= 1000) {
      console.log(
        `${label} draining ${since(started)}  backlog ${num(now.accepted - now.terminal)}  ` +
          `completed ${num(((now.completed - printed.completed) * 1000) / (Date.now() - lastPrint))}/s`,
      );
      lastPrint = Date.now();
      printed = now;
    }
    last = now;
  }
}

interface TargetResult {
  name: TargetName;
  rate: number;
  steady: { report: LoadReport; lead: Sampled; storeLead?: LeadView | undefined; drained: boolean };
  saturated: {
    report: LoadReport;
    acceptedPerS: number;
    completed: number;
    completedPerS: number;
    bestCompletedPerS: number;
    spanS: number;
    drained: boolean;
    lead: Sampled;
    storeLead?: LeadView | undefined;
    means: { intake: number; queueWait: number; processing: number; downstream: number };
    cpu: CpuUse;
    /** CPU ms per completed signal of every process but the load generator (and other work). */
    cpuPerSignalMs: number;
  };
  lost: number;
  lostSource: 'store rows' | 'metrics';
  store?: Record<string, number> | undefined;
}

async function benchTarget(name: TargetName, cores: number): Promise<TargetResult> {
  const started = Date.now();
  const tag = `b${randomBytes(3).toString('hex')}`;
  console.log(`\n${name}: starting`);
  const target = await startTarget(name);
  const roles = Object.entries(target.pids).map(([role, pid]) => `${role} ${pid}`);
  console.log(`${name}: running at ${target.apiUrl} (${roles.join(', ')}), started in ${since(started)}`);
  try {
    // Steady: a warm-up, then a stretch at a rate every target holds, each signal read back by id afterwards.
    console.log(
      `${name}: warm-up and steady run at ${num(steadyRate)}/s (${(WARMUP_MS + STEADY_MS) / 1000} s)`,
    );
    await load(target, steadyRate, WARMUP_MS, phaseBodies(tag, 'warmup', Infinity).body);
    const steadyBodies = phaseBodies(tag, 'steady', 1);
    const steadyReport = await load(target, steadyRate, STEADY_MS, steadyBodies.body);
    const steadyDrain = await drain(target, `${name} steady`, 15_000);
    const steadyLead = await sampledLeadTime(target.apiUrl, steadyBodies.ids);
    const steadyStoreLead = await target.storeLeadTime?.('steady');
    console.log(
      `${name} steady ${num(steadyRate)}/s: 2xx ${num(steadyReport.accepted)}/${num(steadyReport.sent)}, ` +
        `intake p99 ${ms(steadyReport.latencyMs.p99)}, lead time p50 ${ms(steadyLead.p50)} p99 ${ms(steadyLead.p99)} ` +
        `(${num(steadyLead.count)} signals read back)` +
        (steadyDrain.drained ? '' : ', NOT DRAINED'),
    );

    // Saturated: above what the target completes, for a fixed time; then the backlog drains.
    const rate = fixedRate ?? RATES[name];
    console.log(`${name}: saturated run at ${num(rate)}/s for ${loadMs / 1000} s, then drain`);
    const loadBodies = phaseBodies(tag, 'load', Math.max(10, Math.ceil((rate * loadMs) / 1000 / SAMPLE_MAX)));
    const before = await counts(target);
    const cpuBefore = await cpuSnapshot(target);
    const completions = new CompletionRate();
    completions.add(before.completed);
    const loadStarted = Date.now();
    let previous = before;
    let previousAt = Date.now();
    let polling = false;
    const report = await load(target, rate, loadMs, loadBodies.body, (progress) => {
      if (polling) return;
      polling = true;
      void counts(target)
        .then((now) => {
          completions.add(now.completed);
          const seconds = Math.max(0.001, (Date.now() - previousAt) / 1000);
          const failed = progress.rejected.errors + progress.rejected['5xx'] + progress.rejected['503'];
          console.log(
            `${name} ${(progress.elapsedMs / 1000).toFixed(0).padStart(2)}s/${loadMs / 1000}s  ` +
              `sent ${num(progress.sent)}  2xx ${num(progress.accepted)}  429 ${num(progress.rejected['429'])}  ` +
              `errors ${num(failed)}  intake p99 ${ms(progress.intervalP99)}  ` +
              `accepted ${num((now.accepted - previous.accepted) / seconds)}/s  ` +
              `completed ${num((now.completed - previous.completed) / seconds)}/s  ` +
              `backlog ${num(now.accepted - now.terminal)}`,
          );
          previous = now;
          previousAt = Date.now();
        })
        .catch(() => undefined)
        .finally(() => (polling = false));
    });
    const loadEnded = Date.now();
    const drained = await drain(target, name, DRAIN_TIMEOUT_MS, completions);
    const cpuAfter = await cpuSnapshot(target);
    const after = drained.counts;
    const completed = after.completed - before.completed;
    const spanS = (drained.lastCompletionAt - loadStarted) / 1000;
    const lead = await sampledLeadTime(target.apiUrl, loadBodies.ids);
    const storeLead = await target.storeLeadTime?.('load');
    const store = await target.storeCounts?.();
    const lost = store
      ? after.accepted - TERMINAL.reduce((sum, status) => sum + (store[status] ?? 0), 0)
      : after.accepted - after.terminal;
    const cpu = cpuUse(cpuBefore, cpuAfter, cores);
    const systemCpu = cpu.roles
      .filter(([role]) => !role.startsWith('load generator'))
      .reduce((sum, [, seconds]) => sum + seconds, 0);
    const fast = 'lane="fast"';
    const result: TargetResult = {
      name,
      rate,
      steady: {
        report: steadyReport,
        lead: steadyLead,
        storeLead: steadyStoreLead,
        drained: steadyDrain.drained,
      },
      saturated: {
        report,
        acceptedPerS: (report.accepted * 1000) / Math.max(1, loadEnded - loadStarted),
        completed,
        completedPerS: completed / Math.max(0.001, spanS),
        bestCompletedPerS: completions.best(),
        spanS,
        drained: drained.drained,
        lead,
        storeLead,
        means: {
          intake: meanMs(before.api, after.api, 'api_latency_seconds', 'route="/signal"', 'method="POST"'),
          queueWait: meanMs(before.workers, after.workers, 'signal_queue_wait_seconds', fast),
          processing: meanMs(before.workers, after.workers, 'signal_processing_seconds', fast),
          downstream: meanMs(
            before.workers,
            after.workers,
            'downstream_latency_seconds',
            'service="service-c"',
            'outcome="ok"',
          ),
        },
        cpu,
        cpuPerSignalMs: (1000 * systemCpu) / Math.max(1, completed),
      },
      lost,
      lostSource: store ? 'store rows' : 'metrics',
      store,
    };
    const s = result.saturated;
    console.log(
      `${name} saturated: accepted ${num(s.acceptedPerS)}/s, completed ${num(s.completedPerS)}/s ` +
        `(${num(completed)} from the first accept to the last completion in ${spanS.toFixed(1)} s; best second ` +
        `${num(s.bestCompletedPerS)}/s)` +
        (drained.drained ? '' : `, NOT DRAINED within ${DRAIN_TIMEOUT_MS / 1000} s`) +
        `; lead time p50 ${ms(lead.p50)} p99 ${ms(lead.p99)} (${num(lead.count)} signals read back)`,
    );
    console.log(
      `${name} lost ${num(lost)} (accepted ${num(after.accepted)} vs terminal ${result.lostSource}` +
        `${store ? ` ${JSON.stringify(store)}` : ` ${JSON.stringify(after.outcomes)}`}); ` +
        `sampled ids unfinished: ${num(lead.unfinished)} of ${num(lead.found)}`,
    );
    console.log(
      `${name} where the time goes (means): intake ${ms(s.means.intake)} in the API (${ms(report.latencyMs.mean)} ` +
        `as the load generator saw it), queue wait ${ms(s.means.queueWait)}, processing ${ms(s.means.processing)}, ` +
        `of which the call to service C ${ms(s.means.downstream)}`,
    );
    console.log(
      `${name} CPU over ${cpu.seconds.toFixed(0)} s (machine ${cpu.machineCores.toFixed(2)} of ${cores} cores busy, ` +
        `${cpu.otherCores.toFixed(2)} by other work): ` +
        cpu.roles
          .filter(([, seconds]) => seconds / cpu.seconds >= 0.01)
          .map(
            ([role, seconds]) =>
              `${role} ${((100 * seconds) / cpu.seconds).toFixed(0)}% ` +
              `(${((1e6 * seconds) / Math.max(1, completed)).toFixed(0)} µs/signal)`,
          )
          .join(', '),
    );
    return result;
  } finally {
    console.log(
      `${name}: stopping${name === 'embedded' ? '' : '; removing its streams or queues and schema'}`,
    );
    await target.stop();
    console.log(`${name}: done in ${since(started)}`);
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

const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
const cores = cpuinfo.split('\n').filter((line) => line.startsWith('processor')).length || 1;
const results: TargetResult[] = [];
for (const name of TARGETS.filter((target) => chosen.includes(target))) {
  results.push(await benchTarget(name, cores));
}

const embedded = results.find((result) => result.name === 'embedded');
const withRatio = (text: string, value: number, base: number | undefined): string =>
  base === undefined || base === 0 ? text : `${text} (${(value / base).toFixed(2)}×)`;
const es = embedded?.saturated;
const et = embedded?.steady;

console.log(
  `\nDistributed path: execute signals, zero simulated work, zero downstream latency ` +
    `(${((Date.now() - benchStarted) / 1000).toFixed(0)} s in all)\n`,
);
console.log(
  `Saturated: ${loadMs / 1000} s of open-model load at the rate shown, then the backlog drained. accepted/s: 2xx ` +
    `over the load time; completed/s: from the first accept to the last completion; best 1 s: the best second of ` +
    `completions (load or drain); lead time: created_at → completed_at of a sample read back by id, mostly the ` +
    `wait behind the backlog the run built (compare lead times in the steady table). (×): ratio to embedded.\n`,
);
console.log(
  table([
    ['target', 'rate', 'accepted/s', 'completed/s', 'best 1 s', 'lead p50', 'lead p99', 'CPU/signal', 'lost'],
    ...results.map((r) => [
      r.name,
      `${num(r.rate)}/s`,
      withRatio(num(r.saturated.acceptedPerS), r.saturated.acceptedPerS, es?.acceptedPerS),
      withRatio(num(r.saturated.completedPerS), r.saturated.completedPerS, es?.completedPerS),
      withRatio(num(r.saturated.bestCompletedPerS), r.saturated.bestCompletedPerS, es?.bestCompletedPerS),
      ms(r.saturated.lead.p50),
      ms(r.saturated.lead.p99),
      withRatio(
        `${r.saturated.cpuPerSignalMs.toFixed(2)} ms`,
        r.saturated.cpuPerSignalMs,
        es?.cpuPerSignalMs,
      ),
      `${num(r.lost)}${r.saturated.drained ? '' : ' (not drained)'}`,
    ]),
  ]),
);
console.log(`\nSteady ${num(steadyRate)}/s, not saturated: every signal read back by id\n`);
console.log(
  table([
    ['target', '2xx', 'intake p50', 'intake p99', 'lead p50', 'lead p99'],
    ...results.map((r) => [
      r.name,
      `${((100 * r.steady.report.accepted) / Math.max(1, r.steady.report.sent)).toFixed(1)}%`,
      withRatio(ms(r.steady.report.latencyMs.p50), r.steady.report.latencyMs.p50, et?.report.latencyMs.p50),
      withRatio(ms(r.steady.report.latencyMs.p99), r.steady.report.latencyMs.p99, et?.report.latencyMs.p99),
      withRatio(ms(r.steady.lead.p50), r.steady.lead.p50, et?.lead.p50),
      withRatio(ms(r.steady.lead.p99), r.steady.lead.p99, et?.lead.p99),
    ]),
  ]),
);
const checked = results.filter((r) => r.saturated.storeLead && r.steady.storeLead);
if (checked.length > 0) {
  console.log(
    `\nCheck of the samples against every completed status row: ` +
      checked
        .map(
          (r) =>
            `${r.name} steady p50 ${ms(r.steady.storeLead!.p50)} p99 ${ms(r.steady.storeLead!.p99)}, ` +
            `saturated p50 ${ms(r.saturated.storeLead!.p50)} p99 ${ms(r.saturated.storeLead!.p99)}`,
        )
        .join('; '),
  );
}
const ceilings = results.map(
  (r) => `${r.name} ${num((cores * 1000) / Math.max(0.001, r.saturated.cpuPerSignalMs))}/s`,
);
console.log(
  `\nCPU-bound ceiling at the CPU/signal measured, all ${cores} cores given to the system (no load generator, ` +
    `no other work): ${ceilings.join(', ')}` +
    (embedded ? ' (the embedded system is one process: one core of it at most)' : '') +
    `. 10,000 signals/s completed would need ${((cores * 1000) / 10_000).toFixed(2)} ms of CPU per signal ` +
    'for everything, load generator included.',
);
const other = Math.max(...results.map((r) => r.saturated.cpu.otherCores));
console.log(
  `\nCaveat: ${cores} cores shared by the load generator, the API, two workers, downstream, the broker and ` +
    `PostgreSQL${other >= 0.2 ? `, and other work on this machine (up to ${other.toFixed(1)} cores during a saturated run)` : ''}; ` +
    'compare ratios rather than absolutes. CPU/signal: CPU of every process but the load generator per completed ' +
    'signal, from /proc. lost: accepted − (completed + failed + expired + dead-lettered) after the drain, from the ' +
    'status rows (distributed) or the metrics (embedded).',
);
