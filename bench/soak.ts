/**
 * Soak: the embedded system as `npm start` runs it (default settings, a process of its own on plain node), under
 * open-model load at --rate for --minutes. Every minute it prints the system's RSS, heap used and event-loop lag
 * (p99, mean, max over that minute) and how fast RSS and heap grow (MB/min, least squares over the minutes so
 * far), with a progress line every 10 s between. At the end it waits for the backlog to drain and prints the
 * slopes, the minute table in Markdown (for docs/performance.md) and whether every accepted signal completed.
 * Exits 1 when one did not, 2 on a bad flag.
 *
 *   npm run soak                               300/s for 10 minutes
 *   npm run soak -- --rate 500 --minutes 2
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../src/cli/formatTime.js';
import { mixBody } from '../src/loadgen/mix.js';
import { runOpenModelLoad, type LoadReport, type ProgressSnapshot } from '../src/loadgen/index.js';
import { parseSoakFlags, slope, SOAK_USAGE, type SoakOptions } from './soakFlags.js';
import { buildTarget, startTarget, type RunningTarget } from './targets/startTarget.js';

const MINUTE_MS = 60_000;
const PROGRESS_EVERY_MS = 10_000;
/** How long the backlog may take to drain after the load stops before the soak calls what is left lost. */
const DRAIN_LIMIT_MS = 120_000;
const MB = 1024 * 1024;

interface MinuteRow {
  minute: number;
  sent: number;
  accepted: number;
  refused: number;
  completed: number;
  rssMb: number;
  heapMb: number;
  loopP99Ms: number;
  loopMeanMs: number;
  loopMaxMs: number;
  rssSlope: number | undefined;
  heapSlope: number | undefined;
  /** The machine's 1-minute load average: on a shared machine, how much else wanted the cores. */
  load: number;
  breakers: string;
}

interface Outcomes {
  accepted: number;
  outcomes: Record<string, number>;
}

async function soak(running: RunningTarget, { rate, minutes, mix }: SoakOptions): Promise<number> {
  const durationMs = minutes * MINUTE_MS;
  console.log(
    `soak: the embedded system (pid ${running.pid}, ${running.url}) at ${rate}/s, ${mix}, for ${minutes} min`,
  );
  const idle = await running.vitals();
  console.log(`idle: RSS ${(idle.rss / MB).toFixed(1)} MB, heap used ${(idle.heapUsed / MB).toFixed(1)} MB`);
  console.log(aligned(ROW_HEADINGS));

  const rows: MinuteRow[] = [];
  let latest: ProgressSnapshot | undefined;
  const startedAt = Date.now();
  let sampling = Promise.resolve();
  const sampleMinute = (): void => {
    sampling = sampling.then(async () => {
      const row = await minuteRow(running, rows.length + 1, latest);
      rows.push(row);
      const points = (pick: (r: MinuteRow) => number) => rows.map((r) => ({ x: r.minute, y: pick(r) }));
      row.rssSlope = slope(points((r) => r.rssMb));
      row.heapSlope = slope(points((r) => r.heapMb));
      console.log(aligned(formatRow(row)));
    });
  };
  const minuteTimer = setInterval(sampleMinute, MINUTE_MS);
  let report: LoadReport;
  try {
    report = await runOpenModelLoad({
      url: running.url,
      ratePerSecond: rate,
      durationMs,
      body: mixBody(mix, `soak-${startedAt.toString(36)}`),
      progressEveryMs: PROGRESS_EVERY_MS,
      onProgress: (progress) => {
        latest = progress;
        console.log(progressLine(progress, durationMs));
      },
    });
  } finally {
    clearInterval(minuteTimer);
  }
  // A last, shorter minute when --minutes is not whole (or the timer lost the race with the end of the load).
  if (Date.now() - startedAt - rows.length * MINUTE_MS > 5000) {
    latest = { ...(latest ?? emptyProgress()), sent: report.sent, accepted: report.accepted };
    sampleMinute();
  }
  await sampling;

  const drained = await drain(running.url, report.accepted);
  printSummary(rows, report, drained);
  return everyAcceptedCompleted(report, drained) && report.rejected['5xx'] === 0 ? 0 : 1;
}

const ROW_HEADINGS = [
  'minute',
  'sent',
  'accepted',
  'refused',
  'completed',
  'RSS MB',
  'heap MB',
  'lag p99 ms',
  'lag mean ms',
  'lag max ms',
  'RSS MB/min',
  'heap MB/min',
  'load 1m',
  'breakers',
];

async function minuteRow(
  running: RunningTarget,
  minute: number,
  progress: ProgressSnapshot | undefined,
): Promise<MinuteRow> {
  const [vitals, counts, breakers] = await Promise.all([
    running.vitals(),
    outcomes(running.url),
    openBreakers(running.url),
  ]);
  const rejected = progress?.rejected;
  return {
    minute,
    sent: progress?.sent ?? 0,
    accepted: progress?.accepted ?? 0,
    refused: rejected
      ? rejected['429'] + rejected['503'] + rejected['4xx'] + rejected['5xx'] + rejected.errors
      : 0,
    completed: counts.outcomes.completed ?? 0,
    rssMb: vitals.rss / MB,
    heapMb: vitals.heapUsed / MB,
    loopP99Ms: vitals.loopP99Ms,
    loopMeanMs: vitals.loopMeanMs,
    loopMaxMs: vitals.loopMaxMs,
    rssSlope: undefined,
    heapSlope: undefined,
    load: loadavg()[0] ?? 0,
    breakers,
  };
}

/** Each cell right-aligned under its heading, for the lines printed as the minutes pass. */
const aligned = (cells: readonly string[]): string =>
  cells.map((cell, i) => cell.padStart(Math.max(ROW_HEADINGS[i]!.length, 7))).join('  ');

const fixed = (n: number | undefined, digits = 1): string => (n === undefined ? '—' : n.toFixed(digits));

function formatRow(row: MinuteRow): string[] {
  return [
    String(row.minute),
    String(row.sent),
    String(row.accepted),
    String(row.refused),
    String(row.completed),
    fixed(row.rssMb),
    fixed(row.heapMb),
    fixed(row.loopP99Ms),
    fixed(row.loopMeanMs, 2),
    fixed(row.loopMaxMs),
    fixed(row.rssSlope, 2),
    fixed(row.heapSlope, 2),
    fixed(row.load),
    row.breakers,
  ];
}

function progressLine(progress: ProgressSnapshot, durationMs: number): string {
  const { rejected } = progress;
  const refused = rejected['429'] + rejected['503'] + rejected['4xx'] + rejected['5xx'];
  return (
    `  ${formatDuration(progress.elapsedMs)} of ${formatDuration(durationMs)}: sent ${progress.sent}, ` +
    `accepted ${progress.accepted}, refused ${refused}, errors ${rejected.errors}, ` +
    `${Math.round(progress.intervalRate)}/s (target ${Math.round(progress.targetRate)}/s), ` +
    `p99 ${progress.intervalP99.toFixed(1)} ms`
  );
}

/** Waits until every accepted signal reached an outcome a worker does not retry, or DRAIN_LIMIT_MS. */
async function drain(url: string, accepted: number): Promise<Outcomes> {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  let lastSaid = 0;
  for (;;) {
    const counts = await outcomes(url);
    const finished = FINAL.reduce((sum, outcome) => sum + (counts.outcomes[outcome] ?? 0), 0);
    const target = Math.max(accepted, counts.accepted);
    if (finished >= target || Date.now() > deadline) return counts;
    if (Date.now() - lastSaid > 5000) {
      console.log(`  draining: ${finished} of ${target} accepted signals finished`);
      lastSaid = Date.now();
    }
    await sleep(500);
  }
}

/** Outcomes after which a signal is done with; `retried` and `deferred` come back to a worker. */
const FINAL = ['completed', 'failed', 'expired'];

/** signals_accepted_total and signals_processed_total by outcome, from the system's /metrics. */
async function outcomes(url: string): Promise<Outcomes> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const result: Outcomes = { accepted: 0, outcomes: {} };
  for (const line of text.split('\n')) {
    const match = /^(signals_accepted_total|signals_processed_total)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (match[1] === 'signals_accepted_total') result.accepted += value;
    else {
      const outcome = /outcome="([^"]+)"/.exec(match[2]!)?.[1] ?? 'unknown';
      result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + value;
    }
  }
  return result;
}

/** "closed", or the breakers that are not, from GET /status. */
async function openBreakers(url: string): Promise<string> {
  const status = (await (await fetch(`${url}/status`)).json()) as {
    breakers: Array<{ name: string; state: string }>;
  };
  const notClosed = status.breakers.filter((breaker) => breaker.state !== 'closed');
  return notClosed.length === 0
    ? 'all closed'
    : notClosed.map((breaker) => `${breaker.name} ${breaker.state}`).join(' ');
}

function printSummary(rows: MinuteRow[], report: LoadReport, drained: Outcomes): void {
  const points = (pick: (r: MinuteRow) => number, from = 0) =>
    rows.slice(from).map((r) => ({ x: r.minute, y: pick(r) }));
  const half = Math.floor(rows.length / 2);
  const lastHalf =
    rows.length >= 4
      ? ` (last ${rows.length - half} min: ${fixed(slope(points((r) => r.rssMb, half)), 2)})`
      : '';
  const lastHalfHeap =
    rows.length >= 4
      ? ` (last ${rows.length - half} min: ${fixed(slope(points((r) => r.heapMb, half)), 2)})`
      : '';
  const completed = drained.outcomes.completed ?? 0;
  const others = Object.entries(drained.outcomes)
    .filter(([outcome, n]) => outcome !== 'completed' && n > 0)
    .map(([outcome, n]) => `${outcome} ${n}`);
  console.log('\nsummary');
  console.log(`  RSS slope ${fixed(slope(points((r) => r.rssMb)), 2)} MB/min${lastHalf}`);
  console.log(`  heap slope ${fixed(slope(points((r) => r.heapMb)), 2)} MB/min${lastHalfHeap}`);
  console.log(
    `  sent ${report.sent} at ${report.achievedRate.toFixed(0)}/s (target ${report.targetRate.toFixed(0)}/s), ` +
      `accepted ${report.accepted}, refused 429 ${report.rejected['429']} 503 ${report.rejected['503']} ` +
      `other 4xx ${report.rejected['4xx']} 5xx ${report.rejected['5xx']}, no answer ${report.rejected.errors}`,
  );
  console.log(
    `  intake latency p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms, ` +
      `max ${report.latencyMs.max.toFixed(0)} ms`,
  );
  console.log(
    `  completed ${completed} of ${report.accepted} accepted (the system counted ${drained.accepted})` +
      `${others.length > 0 ? `; other outcomes: ${others.join(', ')}` : ''}`,
  );
  console.log(
    everyAcceptedCompleted(report, drained)
      ? '  every accepted signal completed'
      : `  NOT every accepted signal completed: ${acceptedOf(report, drained) - completed} did not`,
  );
  console.log('\nthe minutes, as Markdown:\n');
  console.log(`| ${ROW_HEADINGS.join(' | ')} |`);
  console.log(`|${ROW_HEADINGS.map(() => ' --- ').join('|')}|`);
  for (const row of rows) console.log(`| ${formatRow(row).join(' | ')} |`);
}

/**
 * What the system accepted: its own count, which also holds the 202s whose answer the generator gave up on
 * (counted there as "no answer").
 */
const acceptedOf = (report: LoadReport, drained: Outcomes): number =>
  Math.max(report.accepted, drained.accepted);

const everyAcceptedCompleted = (report: LoadReport, drained: Outcomes): boolean =>
  (drained.outcomes.completed ?? 0) >= acceptedOf(report, drained);

function emptyProgress(): ProgressSnapshot {
  return {
    elapsedMs: 0,
    sent: 0,
    completed: 0,
    inFlight: 0,
    accepted: 0,
    rejected: { '429': 0, '503': 0, '4xx': 0, '5xx': 0, errors: 0 },
    targetRate: 0,
    intervalRate: 0,
    intervalP50: 0,
    intervalP99: 0,
  };
}

// Last, so that every constant above is initialised before the soak runs.
let options: SoakOptions;
try {
  options = parseSoakFlags(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n${SOAK_USAGE}`);
  process.exit(2);
}

const target = await startTarget('embedded', await buildTarget('embedded'), {
  // Default settings, as `npm start` runs; errors reach stderr (the breakers column shows what warnings would).
  env: { LOG_LEVEL: 'error' },
});
let stopping = false;
process.once('SIGINT', () => {
  stopping = true;
  void target.stop().finally(() => process.exit(130));
});

try {
  process.exitCode = await soak(target, options);
} finally {
  if (!stopping) await target.stop(15_000);
}
