import { writeFile } from 'node:fs/promises';
import type { SystemStatus } from '../domain/status.js';
import type { LoadReport, ProgressSnapshot } from '../loadgen/LoadReport.js';
import { assertLoopbackUrl } from '../loadgen/loopback.js';
import { runOpenModelLoad, type OpenModelLoadOptions } from '../loadgen/runOpenModelLoad.js';
import type { ApiClient } from './ApiClient.js';
import { formatDuration } from './formatTime.js';
import type { Style } from './Style.js';
import { UsageError } from './UsageError.js';

/** A load target must be this machine: a --url elsewhere is a usage error naming the flag. */
export function loopbackTarget(command: string, url: string): void {
  try {
    assertLoopbackUrl(url);
  } catch (error) {
    throw new UsageError(`flag --url: ${(error as Error).message}`, command, { cause: error });
  }
}

/**
 * GET /status, or undefined when it does not answer as expected. The first call is the reachability check:
 * `required` lets UnreachableError through, so the CLI says "nothing answers at …" and exits 1.
 */
export async function readStatus(api: ApiClient, required = false): Promise<SystemStatus | undefined> {
  try {
    const answer = await api.get('/status', { timeoutMs: 3000 });
    return answer.ok ? (answer.json as SystemStatus) : undefined;
  } catch (error) {
    if (required) throw error;
    return undefined;
  }
}

/** `queue fast 12/1000 slow 0/1000 · breakers closed` (open ones named) from GET /status. */
export function describeLine(status: SystemStatus | undefined, style?: Style): string {
  if (!status) return 'status —';
  const lanes = status.lanes.map((lane) => `${lane.lane} ${lane.depth}/${lane.capacity}`).join(' ');
  const notClosed = status.breakers.filter((breaker) => breaker.state !== 'closed');
  const breakers =
    notClosed.length === 0
      ? (style?.tone('good', 'all closed') ?? 'all closed')
      : notClosed
          .map((breaker) => `${breaker.name} ${style?.tone('bad', breaker.state) ?? breaker.state}`)
          .join(' ');
  return `queue ${lanes} · breakers ${breakers}`;
}

const STATUS_POLL_MS = 1000;
const int = (n: number): string => Math.round(n).toString();
const msText = (n: number): string => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

/** One progress line: elapsed, counts by outcome, achieved rate, interval p50/p99, and the line's state. */
export function progressLine(
  progress: ProgressSnapshot,
  status: SystemStatus | undefined,
  style?: Style,
): string {
  const { rejected } = progress;
  return (
    `${formatDuration(progress.elapsedMs).padStart(6)}  sent ${progress.sent}  accepted ${progress.accepted}  ` +
    `429 ${rejected['429']}  503 ${rejected['503']}  errors ${rejected.errors + rejected['4xx'] + rejected['5xx']}  ` +
    `${int(progress.intervalRate)}/s (target ${int(progress.targetRate)}/s)  ` +
    `p50 ${msText(progress.intervalP50)} ms p99 ${msText(progress.intervalP99)} ms  ${describeLine(status, style)}`
  );
}

export interface LoadRunOptions extends Omit<
  OpenModelLoadOptions,
  'onProgress' | 'progressEveryMs' | 'signal'
> {
  api: ApiClient;
  style: Style;
  /** Permanent progress lines this often (default 10 s). */
  lineEveryMs?: number;
  /** Where progress goes (default stdout); on a TTY a live bar is redrawn every second between the lines. */
  out?: NodeJS.WriteStream;
}

/**
 * Runs one open-model load with progress: a line every `lineEveryMs`, a live single-line bar on a TTY, and
 * the queue depth and breaker states from GET /status polled alongside. Ctrl-C stops sending and still reports.
 */
export async function runLoadWithProgress(options: LoadRunOptions): Promise<LoadReport> {
  const { api, style, lineEveryMs = 10_000, out = process.stdout, ...load } = options;
  const tty = out.isTTY === true;
  let status: SystemStatus | undefined;
  let polling = false;
  const poll = (): void => {
    if (polling) return;
    polling = true;
    void readStatus(api).then((next) => {
      status = next ?? status;
      polling = false;
    });
  };
  poll();
  // Polled every second, not at each line: a line every 10 s would otherwise show the queue of 10 s before.
  const poller = setInterval(poll, STATUS_POLL_MS);
  poller.unref();
  const stopper = new AbortController();
  const onInterrupt = (): void => stopper.abort();
  process.once('SIGINT', onInterrupt);
  let ticks = 0;
  const perLine = tty ? Math.max(1, Math.round(lineEveryMs / 1000)) : 1;
  try {
    return await runOpenModelLoad({
      ...load,
      signal: stopper.signal,
      progressEveryMs: tty ? 1000 : lineEveryMs,
      onProgress: (progress) => {
        ticks++;
        const line = progressLine(progress, status, style);
        if (!tty) out.write(`${line}\n`);
        else if (ticks % perLine === 0) out.write(`\r\x1b[K${line}\n`);
        else {
          const planned = load.durationMs;
          const done = Math.min(1, progress.elapsedMs / planned);
          const bar = '█'.repeat(Math.round(done * 20)).padEnd(20, '░');
          out.write(`\r\x1b[K${bar} ${line}`.slice(0, (out.columns || 200) + 8));
        }
        poll();
      },
    });
  } finally {
    clearInterval(poller);
    process.removeListener('SIGINT', onInterrupt);
    if (tty) out.write('\r\x1b[K');
  }
}

/** Writes a report (and what produced it) as JSON for `tps load --compare`. */
export async function writeReportJson(
  file: string,
  report: LoadReport,
  extra: Record<string, unknown>,
): Promise<void> {
  await writeFile(file, `${JSON.stringify({ ...report, ...extra }, null, 2)}\n`);
}
