/**
 * Intake benchmark: the embedded system against a bare node:http server, each in its own process, driven by the
 * open-model load generator from this one. Prints the max sustained rate (p99 < 10 ms, no errors), p50/p99 and
 * RSS at a fixed 5000/s, and the embedded/bare ratio. Then runs the distributed benchmark (distributed.ts) and the
 * board's stream cost (board.ts).
 *
 *   npm run bench                           intake (both targets), then distributed, then board
 *   npm run bench -- --only intake          intake only, both targets
 *   npm run bench -- --only bare            intake only, one target (bare or embedded)
 *   npm run bench -- --only distributed     distributed only (as npm run bench:distributed)
 *   npm run bench -- --only board           the board's /events cost only (as npm run bench:board)
 *   npm run bench -- --step-seconds 2       shorter intake steps
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { runOpenModelLoad, type LoadReport } from '../src/loadgen/index.js';
import { startTarget, type RunningTarget } from './targets/startTarget.js';

const TARGETS = ['bare', 'embedded'] as const;
type TargetName = (typeof TARGETS)[number];
const PARTS = ['intake', 'distributed', 'board'] as const;

const STEPS = [1000, 2000, 3000, 5000, 7000, 10000, 15000, 20000];
const FIXED_RATE = 5000;
const P99_LIMIT_MS = 10;
const WARMUP = { rate: 2000, durationMs: 4000 };
const MAX_TRIES = 3;
const RETRY_BUDGET_MS = 60_000;
const benchStarted = Date.now();

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'step-seconds': { type: 'string', default: '5' },
  },
});
const only = args.only;
if (only !== undefined && ![...TARGETS, ...PARTS].includes(only as TargetName)) {
  console.error(`--only accepts ${[...TARGETS, ...PARTS].join(', ')}, not "${only}"`);
  process.exit(2);
}
const runIntake = only !== 'distributed' && only !== 'board';
const runDistributed = only === undefined || only === 'distributed';
const runBoard = only === undefined || only === 'board';
const stepMs = Number(args['step-seconds']) * 1000;
if (!(stepMs > 0)) {
  console.error(`--step-seconds accepts a number > 0, not "${args['step-seconds']}"`);
  process.exit(2);
}

const BODY = '{"signal_type":"execute","payload":{"task":"bench"}}';

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

function stepLine(name: TargetName, rate: number, report: LoadReport, note: string): string {
  const { rejected, latencyMs } = report;
  const lag = report.maxSendLagMs > 5 ? `  (generator lag up to ${ms(report.maxSendLagMs)})` : '';
  return (
    `${name.padEnd(8)} ${`${num(rate)}/s`.padStart(8)}  sent ${num(report.sent).padStart(6)}  ` +
    `2xx ${num(report.accepted).padStart(6)}  429 ${num(rejected['429'])}  errors ${num(rejected.errors + rejected['5xx'] + rejected['503'] + rejected['4xx'])}  ` +
    `p50 ${ms(latencyMs.p50)}  p99 ${ms(latencyMs.p99)}  achieved ${num(report.achievedRate)}/s  ${note}${lag}`
  );
}

interface TargetResult {
  name: TargetName;
  maxRate: number;
  ceilingReached: boolean;
  fixed: LoadReport;
  rssAtFixed: number;
}

async function benchTarget(name: TargetName): Promise<TargetResult> {
  const maxRate = await ramp(name);
  // The fixed run gets a fresh process: memory held on to after an overload step says nothing about 5k/s.
  const { fixed, rssAtFixed } = await fixedRun(name);
  return { name, maxRate, ceilingReached: maxRate === STEPS.at(-1), fixed, rssAtFixed };
}

const loadOf =
  (target: RunningTarget) =>
  (rate: number, durationMs: number, onSecond?: () => void): Promise<LoadReport> =>
    runOpenModelLoad({
      url: target.url,
      ratePerSecond: rate,
      durationMs,
      body: () => BODY,
      timeoutMs: 2000,
      onProgress: onSecond && (() => onSecond()),
    });

async function ramp(name: TargetName): Promise<number> {
  // Each target gets the same time for retries, so the second one is not judged on what the first left over.
  const rampStarted = Date.now();
  const target = await startTarget(name);
  console.log(`${name}: started at ${target.url} (pid ${target.pid}); warming up`);
  try {
    const load = loadOf(target);
    await load(WARMUP.rate, WARMUP.durationMs);
    let maxRate = 0;
    for (const rate of STEPS) {
      let passed = false;
      // A failing step is tried again (up to 3 times while the bench is within its time budget), so a stall
      // of a shared machine does not end the ramp; a target that cannot hold the rate fails every try.
      for (let attempt = 1; attempt <= MAX_TRIES && !passed; attempt++) {
        const report = await load(rate, stepMs);
        const { ok, why } = verdict(report);
        passed = ok;
        const again = !ok && attempt < MAX_TRIES && Date.now() - rampStarted < RETRY_BUDGET_MS;
        console.log(stepLine(name, rate, report, again ? `${why}, trying again` : why));
        if (!again) break;
      }
      if (!passed) break;
      maxRate = rate;
    }
    return maxRate;
  } finally {
    await target.stop();
  }
}

async function fixedRun(name: TargetName): Promise<{ fixed: LoadReport; rssAtFixed: number }> {
  const target = await startTarget(name);
  console.log(`${name}: fresh process ${target.pid} for the fixed ${FIXED_RATE}/s run; warming up`);
  try {
    const load = loadOf(target);
    await load(WARMUP.rate, WARMUP.durationMs);
    let rssAtFixed = 0;
    const sample = (): void => {
      void target.rss().then((rss) => (rssAtFixed = Math.max(rssAtFixed, rss)));
    };
    const fixed = await load(FIXED_RATE, stepMs, sample);
    sample();
    rssAtFixed = Math.max(rssAtFixed, await target.rss());
    console.log(stepLine(name, FIXED_RATE, fixed, `fixed run, RSS up to ${mb(rssAtFixed)}`));
    return { fixed, rssAtFixed };
  } finally {
    await target.stop();
  }
}

function table(results: TargetResult[]): string {
  const rows = [
    [
      'target',
      'max sustained',
      `p50 @${num(FIXED_RATE)}/s`,
      `p99 @${num(FIXED_RATE)}/s`,
      `2xx @${num(FIXED_RATE)}/s`,
      `RSS @${num(FIXED_RATE)}/s`,
    ],
    ...results.map((r) => [
      r.name,
      r.maxRate === 0 ? `< ${num(STEPS[0] ?? 0)}/s` : `${r.ceilingReached ? '≥ ' : ''}${num(r.maxRate)}/s`,
      ms(r.fixed.latencyMs.p50),
      ms(r.fixed.latencyMs.p99),
      `${((100 * r.fixed.accepted) / Math.max(1, r.fixed.sent)).toFixed(1)}%`,
      mb(r.rssAtFixed),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const chosen = runIntake
  ? TARGETS.filter((name) => only === undefined || only === 'intake' || name === only)
  : [];
const results: TargetResult[] = [];
for (const name of chosen) results.push(await benchTarget(name));
if (runIntake) printIntake();
if (runDistributed) process.exitCode = await runPart('distributed', runIntake);
if (runBoard) process.exitCode = (await runPart('board', runIntake || runDistributed)) || process.exitCode;

/** distributed.ts or board.ts in a process of its own, as `npm run bench:distributed` or `bench:board` runs it. */
async function runPart(name: 'distributed' | 'board', after: boolean): Promise<number> {
  if (after) console.log('\n');
  const child = fork(new URL(`./${name}.ts`, import.meta.url), [], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child too (same process group); it cleans up its streams, queues and schema and exits.
  process.on('SIGINT', () => undefined);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return code ?? (signal ? 1 : 0);
}

function printIntake(): void {
  console.log(
    `\nIntake, open-model load from a separate process (${((Date.now() - benchStarted) / 1000).toFixed(0)} s)\n`,
  );
  console.log(table(results));
  const bare = results.find((r) => r.name === 'bare');
  const embedded = results.find((r) => r.name === 'embedded');
  if (bare && embedded) {
    const label = 'embedded / bare max sustained rate';
    if (bare.ceilingReached && embedded.ceilingReached)
      console.log(`\n${label}: unknown, both reached the top step`);
    else if (bare.maxRate === 0) console.log(`\n${label}: unknown, bare sustained no step`);
    else if (embedded.maxRate === 0) {
      console.log(
        `\n${label}: below ${((STEPS[0] ?? 0) / bare.maxRate).toFixed(2)}, embedded sustained no step`,
      );
    } else {
      const bound = bare.ceilingReached ? 'at most ' : embedded.ceilingReached ? 'at least ' : '';
      console.log(`\n${label}: ${bound}${(embedded.maxRate / bare.maxRate).toFixed(2)}`);
    }
  }
}
