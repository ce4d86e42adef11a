/**
 * Intake benchmark: the embedded system against a bare node:http server (and Fastify alone, to show the
 * framework's share), each in its own process, driven by the
 * open-model load generator from this one. Prints the max sustained rate (p99 < 10 ms, no errors), p50/p99 and
 * RSS at a fixed 5000/s, and the embedded/bare ratio; the embedded system runs twice, with tracing on (the
 * default: every signal gets a trace context, and the traces the buffer keeps are recorded) and off
 * (`untraced`), so the cost of tracing shows as a ratio too. Two rungs in between, measured in the fixed run
 * only, show where the cost per request comes from: `validated` (the API's route and schemas over an intake that
 * keeps nothing) and `mechanisms` (the real intake: store, queue, line and breakers, without metrics or
 * tracing). Then runs the distributed benchmark (distributed.ts), the board's
 * stream cost (board.ts) and the memory 4,000 signals of 60 KB leave behind (payloadMemory.ts).
 *
 *   npm run bench                           intake (all targets), then distributed, then board
 *   npm run bench -- --only intake          intake only, all targets
 *   npm run bench -- --only bare            intake only, one target (any of TARGETS below)
 *   npm run bench -- --only distributed     distributed only (as npm run bench:distributed)
 *   npm run bench -- --only board           the board's /events cost only (as npm run bench:board)
 *   npm run bench -- --only payload-memory  RSS after 4,000 signals of 60 KB only
 *   npm run bench -- --step-seconds 2       shorter intake steps
 *   npm run bench -- --profile DIR          a CPU profile of each target's fixed run, written to DIR
 */
import { fork, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/cli/formatTable.js';
import { runOpenModelLoad, type LoadReport } from '../src/loadgen/index.js';
import { systemNodeFlags } from '../src/system/nodeFlags.js';
import type { HeapAccount } from './targets/heapAccount.js';
import { buildTarget, startTarget, type RunningTarget } from './targets/startTarget.js';

const TARGETS = ['bare', 'fastify', 'validated', 'mechanisms', 'untraced', 'embedded'] as const;
type TargetName = (typeof TARGETS)[number];
/**
 * Rungs between Fastify alone and the whole system, measured in the fixed run only (not ramped): what the API's
 * route and schemas add, then the intake's mechanisms; `untraced` adds metrics, `embedded` tracing. Their cost
 * per answered request, rung over rung, is the ladder the cost table prints.
 */
const RUNGS: ReadonlySet<TargetName> = new Set(['validated', 'mechanisms']);
const PARTS = ['intake', 'distributed', 'board', 'payload-memory'] as const;
/** The file under bench/targets/ each target runs: untraced is the embedded system with tracing off. */
const SOURCE: Record<TargetName, string> = {
  bare: 'bare',
  fastify: 'fastify',
  validated: 'validated',
  mechanisms: 'mechanisms',
  untraced: 'embedded',
  embedded: 'embedded',
};

/**
 * Up to 70,000/s: bare node on a core of its own serves some 60,000 a second at full load, and the ramp must go
 * past what it holds for its max to be a measurement rather than the top of the scale.
 */
const STEPS = [1000, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000, 40000, 50000, 70000];
/** Rates tried between the last step held and the first failed, each halving the gap between them. */
const REFINEMENTS = 2;
const FIXED_RATE = 5000;
const P99_LIMIT_MS = 10;
const WARMUP = { rate: 2000, durationMs: 4000 };
const MAX_TRIES = 3;
/**
 * Retries a target may spend over its whole ramp, wherever its failures fall. A count, not a time: under a time
 * budget, the target that climbs higher (bare node) reached its top steps with the budget spent, and a stall of
 * the machine there ended its ramp, while the other target's failures, lower and sooner, were tried again.
 */
const RETRIES_PER_RAMP = 4;
/**
 * Intake is measured on 202s, and on intake alone. With the default lane (1000) the embedded system's workers,
 * which finish some tens of signals a second, keep it full, and nearly every answer at 5000/s would be a 429:
 * the lane is made deep enough to take every signal of a step. And the workers share the process's core: each
 * completed signal costs about 1 ms of CPU (its three HTTP hops through C → B → A, the store, the metrics), so at
 * full speed they would take the whole core and the bench would measure them, not intake. Each pool is held at
 * one worker (AUTOSCALE=false); the flow through the workers is what `npm run bench:distributed` measures. Each
 * step runs in a fresh process, so the backlog one step leaves does not weigh on the next.
 */
const INTAKE_ONLY: NodeJS.ProcessEnv = { MAX_QUEUE_DEPTH: '1000000', WORKER_COUNT: '1', AUTOSCALE: 'false' };
const TARGET_ENV: Record<TargetName, NodeJS.ProcessEnv> = {
  bare: {},
  fastify: {},
  validated: {},
  mechanisms: INTAKE_ONLY,
  embedded: INTAKE_ONLY,
  untraced: { ...INTAKE_ONLY, TRACE_SAMPLE_RATIO: '0', TRACE_BUFFER: '0' },
};
const benchStarted = Date.now();

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'step-seconds': { type: 'string', default: '5' },
    'no-pin': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const only = args.only;
if (only !== undefined && ![...TARGETS, ...PARTS].includes(only as TargetName)) {
  console.error(`--only accepts ${[...TARGETS, ...PARTS].join(', ')}, not "${only}"`);
  process.exit(2);
}
const runIntake = only !== 'distributed' && only !== 'board' && only !== 'payload-memory';
const runDistributed = only === undefined || only === 'distributed';
const runBoard = only === undefined || only === 'board';
const runPayloadMemory = only === undefined || only === 'payload-memory';
/** Each target's fixed run writes a CPU profile of the measured stretch into this folder (`--profile DIR`). */
const profileEnv: NodeJS.ProcessEnv = args.profile ? { BENCH_PROFILE_DIR: resolve(args.profile) } : {};
if (args.profile) mkdirSync(args.profile, { recursive: true });
const stepMs = Number(args['step-seconds']) * 1000;
if (!(stepMs > 0)) {
  console.error(`--step-seconds accepts a number > 0, not "${args['step-seconds']}"`);
  process.exit(2);
}

const BODY = '{"signal_type":"execute","payload":{"task":"bench"}}';

/**
 * The load generator on the first core and the target on the second, when there are two and taskset is there:
 * otherwise the generator's busy wait and the target take turns on the same core. Other work on the machine
 * still shares both.
 */
const CORES = availableParallelism();
const pinning = args['no-pin'] ? undefined : pinCores();

function pinCores(): { generator: string; target: string } | undefined {
  if (CORES < 2) return undefined;
  const cores = { generator: '0', target: '1' };
  return pin(process.pid, cores.generator) ? cores : undefined;
}

/** Every thread of `pid` onto `cores`; threads it starts later inherit it. False without taskset. */
function pin(pid: number, cores: string): boolean {
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cores, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function launch(name: TargetName, env: NodeJS.ProcessEnv = {}): Promise<RunningTarget> {
  const target = await startTarget(name, await buildTarget(SOURCE[name]), {
    env: { ...TARGET_ENV[name], ...env },
    // A target pinned to one core runs as the system would on one core (ONE_CORE_NODE_FLAGS).
    ...(pinning ? { execArgv: systemNodeFlags(1) } : {}),
  });
  if (pinning) pin(target.pid, pinning.target);
  return target;
}

/** Sustained: the generator kept the rate, nothing failed without an answer or with a 5xx, and p99 stayed low. */
function verdict(report: LoadReport): { ok: boolean; why: string } {
  const failures = report.rejected.errors + report.rejected['5xx'] + report.rejected['503'];
  if (failures > 0) return { ok: false, why: `${failures} errors/5xx` };
  if (report.latencyMs.p99 >= P99_LIMIT_MS) return { ok: false, why: `p99 ≥ ${P99_LIMIT_MS} ms` };
  if (report.achievedRate < 0.95 * report.targetRate) return { ok: false, why: 'rate not kept' };
  return { ok: true, why: 'sustained' };
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** What the target saw of a step: how long its event loop stalled at worst, and its full collections. */
interface TargetSide {
  account: HeapAccount;
  stallMs: number;
}

function stepLine(
  name: TargetName,
  rate: number,
  report: MeasuredLoad,
  target: TargetSide,
  note: string,
): string {
  const { rejected, latencyMs } = report;
  const lag = report.maxSendLagMs > 5 ? `, sends late by up to ${ms(report.maxSendLagMs)}` : '';
  const { account } = target;
  return (
    `${name.padEnd(8)} ${`${num(rate)}/s`.padStart(8)}  sent ${num(report.sent).padStart(6)}  ` +
    `2xx ${num(report.accepted).padStart(6)}  429 ${num(rejected['429'])}  errors ${num(rejected.errors + rejected['5xx'] + rejected['503'] + rejected['4xx'])}  ` +
    `p50 ${ms(latencyMs.p50)}  p99 ${ms(latencyMs.p99)}  achieved ${num(report.achievedRate)}/s  ` +
    `| target: loop stalled ≤ ${ms(target.stallMs)}, ${account.markCompacts} full GC, longest GC ${ms(account.longestPauseMs)}  ` +
    `| generator: loop stalled ≤ ${ms(report.generatorStallMs)}${lag}  ${note}`
  );
}

interface TargetResult {
  name: TargetName;
  /** Undefined for a rung, which is not ramped. */
  maxRate: number | undefined;
  ceilingReached: boolean;
  fixed: MeasuredLoad;
  rssAtFixed: number;
  /** What the target's collector saw during the fixed run, and the CPU time the target used. */
  heap: HeapAccount;
  cpuMs: number;
  /** The longest the target's event loop stalled in the fixed run. */
  stallMs: number;
}

async function benchTarget(name: TargetName): Promise<TargetResult> {
  if (RUNGS.has(name)) {
    console.log(
      `${name}: fixed run only, in a fresh process after ${WARMUP.durationMs / 1000} s at ${num(WARMUP.rate)}/s`,
    );
    return { name, maxRate: undefined, ceilingReached: false, ...(await fixedRun(name)) };
  }
  const maxRate = await ramp(name);
  return { name, maxRate, ceilingReached: maxRate === STEPS.at(-1), ...(await fixedRun(name)) };
}

/**
 * A load report, with the longest this process's event loop (the generator's) was held up meanwhile: a step that
 * fails while the generator stalled says more about the generator than about the target.
 */
type MeasuredLoad = LoadReport & { generatorStallMs: number };

const loadOf =
  (target: RunningTarget) =>
  async (rate: number, durationMs: number, onSecond?: () => void): Promise<MeasuredLoad> => {
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    try {
      const report = await runOpenModelLoad({
        url: target.url,
        ratePerSecond: rate,
        durationMs,
        body: () => BODY,
        timeoutMs: 2000,
        // The lean client: through undici, this generator fell behind before bare node did.
        client: 'http1',
        onProgress: onSecond && (() => onSecond()),
      });
      return { ...report, generatorStallMs: loop.max / 1e6 };
    } finally {
      loop.disable();
    }
  };

/** A fresh, warmed-up target for `run`; killed afterwards (a bench target has nothing to drain). */
async function withTarget<T>(
  name: TargetName,
  run: (target: RunningTarget) => Promise<T>,
  env?: NodeJS.ProcessEnv,
): Promise<T> {
  const target = await launch(name, env);
  try {
    await loadOf(target)(WARMUP.rate, WARMUP.durationMs);
    return await run(target);
  } finally {
    await target.stop(0);
  }
}

async function ramp(name: TargetName): Promise<number> {
  // Each target gets the same number of retries, so the second one is not judged on what the first left over.
  const retries = { left: RETRIES_PER_RAMP };
  console.log(
    `${name}: each step in a fresh process, after ${WARMUP.durationMs / 1000} s at ${num(WARMUP.rate)}/s`,
  );
  const holds = (rate: number): Promise<boolean> => holdsRate(name, rate, retries);
  let held = 0;
  let failed: number | undefined;
  for (const rate of STEPS) {
    if (!(await holds(rate))) {
      failed = rate;
      break;
    }
    held = rate;
  }
  // The steps are up to twice apart, too coarse for a ratio of two targets: the rates between the last one held
  // and the first one failed are halved (geometrically) a few times more.
  for (let i = 0; i < REFINEMENTS && failed !== undefined && held > 0; i++) {
    const between = twoDigits(Math.sqrt(held * failed));
    if (between <= held || between >= failed) break;
    if (await holds(between)) held = between;
    else failed = between;
  }
  return held;
}

/**
 * One step of the ramp. A failing step is tried again (up to 3 tries, while the ramp has retries left), so a
 * stall of a shared machine does not end the ramp; a target that cannot hold the rate fails every try.
 */
async function holdsRate(name: TargetName, rate: number, retries: { left: number }): Promise<boolean> {
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const { result: report, ...side } = await withTarget(name, (target) =>
      target.heapDuring(() => loadOf(target)(rate, stepMs)),
    );
    const { ok, why } = verdict(report);
    const again = !ok && attempt < MAX_TRIES && retries.left > 0;
    if (again) retries.left -= 1;
    console.log(stepLine(name, rate, report, side, again ? `${why}, trying again` : why));
    if (!again) return ok;
  }
  return false;
}

/** A rate rounded to two significant digits (5916 → 5900), so the steps read as round numbers. */
function twoDigits(rate: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(rate)) - 1);
  return Math.round(rate / unit) * unit;
}

async function fixedRun(
  name: TargetName,
): Promise<Omit<TargetResult, 'name' | 'maxRate' | 'ceilingReached'>> {
  return withTarget(
    name,
    async (target) => {
      let rssAtFixed = 0;
      const sample = (): void => {
        void target.rss().then((rss) => (rssAtFixed = Math.max(rssAtFixed, rss)));
      };
      const {
        result: fixed,
        account: heap,
        cpuMs,
        stallMs,
      } = await target.heapDuring(() => loadOf(target)(FIXED_RATE, stepMs, sample));
      rssAtFixed = Math.max(rssAtFixed, await target.rss());
      console.log(
        stepLine(
          name,
          FIXED_RATE,
          fixed,
          { account: heap, stallMs },
          `fixed run, RSS up to ${mb(rssAtFixed)}`,
        ),
      );
      return { fixed, rssAtFixed, heap, cpuMs, stallMs };
    },
    profileEnv,
  );
}

function maxRateText(r: TargetResult): string {
  if (r.maxRate === undefined) return 'not ramped';
  if (r.maxRate === 0) return `< ${num(STEPS[0] ?? 0)}/s`;
  return `${r.ceilingReached ? '≥ ' : ''}${num(r.maxRate)}/s`;
}

function table(results: TargetResult[]): string {
  return formatTable(
    [
      'target',
      'max sustained',
      `p50 @${num(FIXED_RATE)}/s`,
      `p99 @${num(FIXED_RATE)}/s`,
      `2xx @${num(FIXED_RATE)}/s`,
      `RSS @${num(FIXED_RATE)}/s`,
    ],
    results.map((r) => [
      r.name,
      maxRateText(r),
      ms(r.fixed.latencyMs.p50),
      ms(r.fixed.latencyMs.p99),
      `${((100 * r.fixed.accepted) / Math.max(1, r.fixed.sent)).toFixed(1)}%`,
      mb(r.rssAtFixed),
    ]),
    '',
  );
}

const chosen = runIntake
  ? TARGETS.filter((name) => only === undefined || only === 'intake' || name === only)
  : [];
const results: TargetResult[] = [];
for (const name of chosen) results.push(await benchTarget(name));
if (runIntake) printIntake();
if (runDistributed) process.exitCode = await runBenchFile('distributed.ts', runIntake);
if (runBoard)
  process.exitCode = (await runBenchFile('board.ts', runIntake || runDistributed)) || process.exitCode;
if (runPayloadMemory) {
  process.exitCode =
    (await runBenchFile('payloadMemory.ts', runIntake || runDistributed || runBoard)) || process.exitCode;
}

/** Another bench in a process of its own, as its `npm run bench:…` script runs it. */
async function runBenchFile(file: string, after: boolean): Promise<number> {
  if (after) console.log('\n');
  const child = fork(new URL(`./${file}`, import.meta.url), [], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child too (same process group); it cleans up its streams, queues and schema and exits.
  process.on('SIGINT', () => undefined);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return code ?? (signal ? 1 : 0);
}

/** What each answered request cost the target in the fixed run: figures that CPU contention barely moves. */
function costTable(results: TargetResult[]): string {
  const per = (r: TargetResult, value: number): number => value / Math.max(1, r.fixed.accepted);
  return formatTable(
    [
      'target',
      'allocated / 2xx',
      'promoted / 2xx',
      'CPU / 2xx',
      'CPU over the row above',
      'GC pause / 10k 2xx',
      'scavenges',
      'full GCs',
      'longest GC',
      'longest stall',
    ],
    results.map((r, i) => [
      r.name,
      `${(per(r, r.heap.allocatedBytes) / 1024).toFixed(1)} KB`,
      `${num(per(r, r.heap.promotedBytes))} B`,
      `${num(per(r, r.cpuMs * 1000))} µs`,
      i === 0 ? '' : signed(per(r, r.cpuMs * 1000) - per(results[i - 1]!, results[i - 1]!.cpuMs * 1000)),
      ms(per(r, r.heap.pauseMs) * 10_000),
      num(r.heap.scavenges),
      num(r.heap.markCompacts),
      ms(r.heap.longestPauseMs),
      ms(r.stallMs),
    ]),
    '',
  );
}

/** The max sustained rate of a ramped target (bare, fastify, untraced and embedded always are). */
function ramped(r: TargetResult): number {
  return r.maxRate ?? 0;
}

function printIntake(): void {
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
  console.log(
    `\nIntake, open-model load from a separate process (${((Date.now() - benchStarted) / 1000).toFixed(0)} s; ` +
      `load average now ${load} on ${CORES} cores)`,
  );
  console.log(
    '- targets: plain node on an esbuild bundle (as `npm start` runs compiled code); each step and the fixed run ' +
      `in a fresh process after ${WARMUP.durationMs / 1000} s at ${num(WARMUP.rate)}/s`,
  );
  if (results.some((r) => r.name !== 'bare')) {
    console.log(
      '- embedded: default settings, metrics and tracing on (as many traces recorded as the buffer keeps), except ' +
        `${Object.entries(INTAKE_ONLY)
          .map(([name, value]) => `${name}=${value}`)
          .join(' ')}: intake answers ` +
        '202 rather than 429, and the workers (1 per lane) do not take the core intake runs on; ' +
        'untraced: the same with TRACE_SAMPLE_RATIO=0 and TRACE_BUFFER=0',
    );
  }
  if (results.some((r) => RUNGS.has(r.name))) {
    console.log(
      '- rungs (fixed run only): validated = the API route, schemas and error answers over an intake that keeps ' +
        'nothing; mechanisms = the same over the real intake (memory store, Kanban queue, line, breakers; ' +
        `${Object.entries(INTAKE_ONLY)
          .filter(([name]) => name === 'MAX_QUEUE_DEPTH')
          .map(([name, value]) => `${name}=${value}`)
          .join(' ')}), no metrics, no tracing, no workers`,
    );
  }
  console.log(
    pinning
      ? `- cores: load generator on ${pinning.generator}, target on ${pinning.target} (taskset); every target ` +
          `runs with the system's Node flags for one core: ${systemNodeFlags(1).join(' ')}`
      : `- cores: not pinned (--no-pin, one core, or no taskset); Node flags: ${systemNodeFlags().join(' ')}`,
  );
  console.log(`\n${table(results)}`);
  console.log(`\nPer answered request in the fixed ${num(FIXED_RATE)}/s run:\n`);
  console.log(costTable(results));
  const bare = results.find((r) => r.name === 'bare');
  const embedded = results.find((r) => r.name === 'embedded');
  if (bare && embedded) {
    const label = 'embedded / bare max sustained rate';
    if (bare.ceilingReached && embedded.ceilingReached)
      console.log(`\n${label}: unknown, both reached the top step`);
    else if (ramped(bare) === 0) console.log(`\n${label}: unknown, bare sustained no step`);
    else if (ramped(embedded) === 0) {
      console.log(
        `\n${label}: below ${((STEPS[0] ?? 0) / ramped(bare)).toFixed(2)}, embedded sustained no step`,
      );
    } else {
      const bound = bare.ceilingReached ? 'at most ' : embedded.ceilingReached ? 'at least ' : '';
      console.log(`\n${label}: ${bound}${(ramped(embedded) / ramped(bare)).toFixed(2)}`);
    }
    console.log(
      `embedded / bare per 2xx at ${num(FIXED_RATE)}/s: allocated ${perAnswer(embedded, bare, (r) => r.heap.allocatedBytes)}×, ` +
        `CPU ${perAnswer(embedded, bare, (r) => r.cpuMs)}×`,
    );
  }
  const untraced = results.find((r) => r.name === 'untraced');
  if (embedded && untraced) {
    const rates =
      ramped(untraced) > 0 && ramped(embedded) > 0
        ? `max sustained ${(ramped(embedded) / ramped(untraced)).toFixed(2)}, `
        : '';
    console.log(
      `tracing on / off: ${rates}per 2xx at ${num(FIXED_RATE)}/s allocated ` +
        `${perAnswer(embedded, untraced, (r) => r.heap.allocatedBytes)}×, CPU ${perAnswer(embedded, untraced, (r) => r.cpuMs)}×`,
    );
  }
}

function signed(us: number): string {
  return `${us >= 0 ? '+' : '−'}${num(Math.abs(us))} µs`;
}

/** How much more `a` spent per answered request than `b` in the fixed run. */
function perAnswer(a: TargetResult, b: TargetResult, pick: (r: TargetResult) => number): string {
  return (pick(a) / Math.max(1, a.fixed.accepted) / (pick(b) / Math.max(1, b.fixed.accepted))).toFixed(2);
}
