import { readFile } from 'node:fs/promises';
import { asLoadReport, compareReports, type ComparisonRow } from '../../loadgen/compare.js';
import { formatReport } from '../../loadgen/formatReport.js';
import type { LoadReport } from '../../loadgen/LoadReport.js';
import { MIX_NAMES, mixBody, type MixName } from '../../loadgen/mix.js';
import { describeRamp, parseRamp, rampDurationMs, rampRate, type Ramp } from '../../loadgen/ramp.js';
import { createApiClient } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { formatTable } from '../formatTable.js';
import {
  loopbackTarget,
  readStatus,
  runLoadWithProgress,
  writeReportJson,
  describeLine,
} from '../loadRun.js';
import { baseUrl, choiceFlag, integerFlag, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createStyle, type Style } from '../Style.js';
import { UsageError } from '../UsageError.js';

const MAX_RATE = 20_000;
const MAX_DURATION_S = 3600;

export const LOAD_FLAGS = {
  ...URL_FLAG,
  mix: { type: 'string' },
  json: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

const MIX_HELP = `  --mix MIX         fast-heavy (default: 80 % execute/validate/notify, 20 % report/batch/analyze),
                    even (50/50) or slow-heavy (20/80)`;
const COMMON_HELP = `${MIX_HELP}
  --json FILE       also write the report as JSON (for tps load --compare)
  --timeout-ms N    per-request timeout (default 5000); unanswered requests count as errors
  --url URL         the API (default http://localhost:$PORT); load is only ever sent to loopback`;

export const loadCommand: Command = {
  name: 'load',
  summary: 'open-model load at a fixed rate (or a ramp), with a latency report; --compare for before/after',
  usage: `tps load --rate R --duration S [--mix MIX] [--json FILE] [--url URL]
tps load --ramp FROM:TO:STEP/INTERVAL [--duration S] [--mix MIX] [--json FILE] [--url URL]
tps load --compare BEFORE.json AFTER.json

  Requests leave on a fixed schedule whatever the answers (open model); latency counts from each request's
  intended send time. A progress line every 10 s, a report at the end.

  --rate R          requests per second (1 to ${MAX_RATE})
  --duration S      seconds (1 to ${MAX_DURATION_S}); with --ramp, default the ramp's length
  --ramp F:T:S/I    from F req/s to T, S more every I (e.g. 100:500:50/30s; I in s, or with ms or m)
${COMMON_HELP}
  --compare A B     print two --json reports side by side, with the change (Kaizen: before/after)`,

  async run(args, { env }) {
    const { values, positionals } = parseFlags(
      'load',
      args,
      {
        ...LOAD_FLAGS,
        rate: { type: 'string' },
        duration: { type: 'string' },
        ramp: { type: 'string' },
        compare: { type: 'boolean', default: false },
      },
      { positionals: true },
    );
    if (values.compare) {
      if (positionals.length !== 2) {
        throw new UsageError(`flag --compare needs two report files, got ${positionals.length}`, 'load');
      }
      return compareFiles(positionals[0]!, positionals[1]!);
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, 'load');
    let ramp: Ramp | undefined;
    if (values.ramp !== undefined) {
      try {
        ramp = parseRamp(values.ramp);
      } catch (error) {
        throw new UsageError(`flag --ramp ${(error as Error).message}`, 'load');
      }
      if (Math.max(ramp.from, ramp.to) > MAX_RATE) {
        throw new UsageError(`flag --ramp goes above ${MAX_RATE} req/s`, 'load');
      }
      if (values.rate !== undefined) throw new UsageError('flag --rate cannot be given with --ramp', 'load');
    }
    const rate = integerFlag('load', 'rate', values.rate, { min: 1, max: MAX_RATE });
    const duration = integerFlag('load', 'duration', values.duration, { min: 1, max: MAX_DURATION_S });
    if (!ramp && rate === undefined) throw new UsageError('flag --rate is required (or --ramp)', 'load');
    if (!ramp && duration === undefined) throw new UsageError('flag --duration is required', 'load');
    const durationMs = duration !== undefined ? duration * 1000 : rampDurationMs(ramp!);
    if (durationMs > MAX_DURATION_S * 1000) {
      throw new UsageError(`flag --ramp lasts over ${MAX_DURATION_S} s; give a shorter --duration`, 'load');
    }
    return runLoad({
      command: 'load',
      values,
      env,
      rate: ramp ? rampRate(ramp) : rate!,
      durationMs,
      describe: ramp ? `ramp ${describeRamp(ramp)}` : `${rate} req/s`,
    });
  },
};

export const spikeCommand: Command = {
  name: 'spike',
  summary: 'a burst: 1000 req/s for 10 s, with a latency report',
  usage: `tps spike [--rate R] [--duration S] [--mix MIX] [--json FILE] [--url URL]

  A burst far above what the pools take (default 1000 req/s for 10 s): watch the lanes fill, 429s shed
  the excess, and the queue drain afterwards.

  --rate R          requests per second (default 1000)
  --duration S      seconds (default 10)
${COMMON_HELP}`,

  async run(args, { env }) {
    const { values } = parseFlags('spike', args, {
      ...LOAD_FLAGS,
      rate: { type: 'string' },
      duration: { type: 'string' },
    });
    const rate = integerFlag('spike', 'rate', values.rate, { min: 1, max: MAX_RATE }) ?? 1000;
    const duration = integerFlag('spike', 'duration', values.duration, { min: 1, max: MAX_DURATION_S }) ?? 10;
    return runLoad({
      command: 'spike',
      values,
      env,
      rate,
      durationMs: duration * 1000,
      describe: `${rate} req/s`,
    });
  },
};

async function runLoad(options: {
  command: string;
  values: { url?: string; mix?: string; json?: string; 'timeout-ms'?: string };
  env: NodeJS.ProcessEnv;
  rate: number | ((elapsedMs: number) => number);
  durationMs: number;
  describe: string;
}): Promise<number> {
  const { command, values, env } = options;
  const mix: MixName = choiceFlag(command, 'mix', values.mix, MIX_NAMES) ?? 'fast-heavy';
  const timeoutMs =
    integerFlag(command, 'timeout-ms', values['timeout-ms'], { min: 1, max: 600_000 }) ?? 5000;
  const url = baseUrl(command, values.url, env);
  loopbackTarget(command, url);
  const api = createApiClient(url, env);
  const style = createStyle();
  const before = await readStatus(api, true);
  console.log(
    `${command}: ${options.describe} for ${options.durationMs / 1000} s, mix ${mix}, against ${url} ` +
      `(open model; Ctrl-C stops early)`,
  );
  console.log(`  before: ${describeLine(before, style)}`);
  const peak = Math.max(
    typeof options.rate === 'number' ? options.rate : 0,
    ...(typeof options.rate === 'number' ? [] : [options.rate(options.durationMs - 1)]),
  );
  const startedAt = new Date().toISOString();
  const report = await runLoadWithProgress({
    api,
    style,
    url,
    ratePerSecond: options.rate,
    durationMs: options.durationMs,
    body: mixBody(mix),
    timeoutMs,
    // Enough sockets that a target answering within the timeout never holds back the schedule.
    connections: Math.min(1024, Math.max(64, Math.ceil((peak * Math.min(timeoutMs, 2000)) / 1000))),
  });
  const after = await readStatus(api);
  console.log('');
  console.log(formatReport(report));
  console.log(`  after: ${describeLine(after, style)}`);
  console.log(rejectedSummary(report, style));
  if (values.json) {
    await writeReportJson(values.json, report, { command, mix, url, startedAt, schedule: options.describe });
    console.log(`report written to ${values.json}`);
  }
  return 0;
}

function rejectedSummary(report: LoadReport, style: Style): string {
  const { rejected } = report;
  const parts = (
    [
      ['429 lane full', rejected['429']],
      ['503 line stopped', rejected['503']],
      ['other 4xx', rejected['4xx']],
      ['other 5xx', rejected['5xx']],
      ['no answer', rejected.errors],
    ] as const
  ).filter(([, count]) => count > 0);
  if (parts.length === 0) return style.tone('good', 'rejected: none');
  const total = parts.reduce((sum, [, count]) => sum + count, 0);
  return style.tone(
    'warn',
    `rejected: ${total} of ${report.sent} — ${parts.map(([reason, count]) => `${reason} ${count}`).join(', ')}`,
  );
}

async function compareFiles(beforeFile: string, afterFile: string): Promise<number> {
  const read = async (file: string): Promise<LoadReport | undefined> => {
    try {
      return asLoadReport(JSON.parse(await readFile(file, 'utf8')));
    } catch (error) {
      console.error(`tps load --compare: ${file}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const before = await read(beforeFile);
  const after = await read(afterFile);
  if (!before || !after) return 1;
  const style = createStyle();
  console.log(`before: ${beforeFile}\nafter:  ${afterFile}\n`);
  console.log(formatComparison(compareReports(before, after), style));
  return 0;
}

const figure = (value: number, unit: ComparisonRow['unit']): string =>
  unit === '%'
    ? `${value.toFixed(2)} %`
    : unit === 'ms'
      ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`
      : `${Math.round(value)}${unit}`;

/** The comparison as a table: figure, before, after, change, verdict. */
export function formatComparison(rows: readonly ComparisonRow[], style?: Style): string {
  return formatTable(
    ['FIGURE', 'BEFORE', 'AFTER', 'CHANGE', ''],
    rows.map((row) => {
      const sign = row.delta > 0 ? '+' : row.delta < 0 ? '−' : '±';
      const magnitude = figure(Math.abs(row.delta), row.unit === '%' ? '' : row.unit);
      const delta = row.unit === '%' ? `${sign}${Math.abs(row.delta).toFixed(2)} pt` : `${sign}${magnitude}`;
      const relative =
        row.change === undefined || row.unit === '%'
          ? ''
          : ` (${sign}${Math.abs(100 * row.change).toFixed(1)} %)`;
      const tone = row.verdict === 'better' ? 'good' : row.verdict === 'worse' ? 'bad' : 'dim';
      return [
        row.metric,
        figure(row.before, row.unit),
        figure(row.after, row.unit),
        `${delta}${relative}`,
        row.verdict ? (style?.tone(tone, row.verdict) ?? row.verdict) : '',
      ];
    }),
  );
}
