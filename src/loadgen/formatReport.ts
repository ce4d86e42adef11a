import type { LoadReport } from './LoadReport.js';

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;
const share = (part: number, whole: number): string =>
  whole === 0 ? '' : `${((100 * part) / whole).toFixed(1)}%`;

/** The end-of-run report as a text table. */
export function formatReport(report: LoadReport): string {
  const { sent, rejected, latencyMs } = report;
  const rows: [string, string, string][] = [
    ['sent', integer(sent), report.planned === sent ? '' : `of ${integer(report.planned)} planned`],
    ['accepted (2xx)', integer(report.accepted), share(report.accepted, sent)],
    ['rejected 429 (lane full)', integer(rejected['429']), share(rejected['429'], sent)],
    ['rejected 503 (line stopped)', integer(rejected['503']), share(rejected['503'], sent)],
    ['rejected other 4xx', integer(rejected['4xx']), share(rejected['4xx'], sent)],
    ['failed other 5xx', integer(rejected['5xx']), share(rejected['5xx'], sent)],
    [
      'errors (no answer)',
      integer(rejected.errors),
      Object.entries(report.errorKinds)
        .map(([kind, count]) => `${kind} ×${count}`)
        .join(', '),
    ],
    ['target rate', `${integer(report.targetRate)}/s`, ''],
    ['achieved rate', `${integer(report.achievedRate)}/s`, `over ${(report.durationMs / 1000).toFixed(1)} s`],
    ['latency p50', ms(latencyMs.p50), 'from the intended send time'],
    ['latency p90', ms(latencyMs.p90), ''],
    ['latency p99', ms(latencyMs.p99), ''],
    ['latency p99.9', ms(latencyMs.p999), ''],
    ['latency max', ms(latencyMs.max), ''],
    ['latency mean', ms(latencyMs.mean), ''],
  ];
  if (report.maxSendLagMs >= 10) {
    rows.push(['sender lag max', ms(report.maxSendLagMs), 'the load generator itself fell behind']);
  }
  if (report.aborted) rows.push(['stopped early', 'yes', '']);
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return rows
    .map(([label, value, note]) => `${label.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`.trimEnd())
    .join('\n');
}
